//! The pictures of a jitter study: a pair's sweeps superimposed and
//! aligned on the trigger potential (negative up, as on the machine), its
//! intervals discharge by discharge, and each pair's jitter against the
//! pair and mean limits. They draw what `pipeline::jitter` handed over and
//! the limits in the report; they measure nothing.

use plotters::prelude::*;

use super::style::{
    draw_legend, draw_threshold, err, swatch, Area, Drawn, COLOURS, CRITERION_COLOUR, FONT,
    GRID_COLOUR, LEGEND_ROW_FRACTION, PEAK_COLOUR, SUGGESTIVE_COLOUR,
};
use crate::model::{JitterMethod, MuscleJitter, PairMeasures};
use crate::pipeline::jitter::{PairDisplay, SweepsDisplay};

/// A light trace colour, so fifty sweeps read as one band.
const SWEEP_COLOUR: RGBColor = RGBColor(31, 119, 180);
/// Blocked discharges and excluded pairs.
const MUTED: RGBColor = RGBColor(150, 150, 150);

/// The sweeps of one pair, each shifted so its trigger potential's crossing
/// is at 0 (voluntary) or left at the stimulus (stimulated); the second
/// potential's crossings marked.
pub(super) fn draw_sweeps<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    s: &SweepsDisplay,
    title: String,
) -> Drawn {
    let shift = |i: usize| -> Option<f64> {
        match s.method {
            JitterMethod::Voluntary => s
                .reading
                .first_us
                .get(i)
                .copied()
                .flatten()
                .map(|t| t / 1000.0),
            JitterMethod::Stimulated => Some(0.0),
        }
    };
    let n = s.rows_mv.first().map_or(0, Vec::len);
    let (t_lo, t_hi) = (s.t0_ms, s.t0_ms + n as f64 * s.dt_ms);
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for r in &s.rows_mv {
        for &v in r {
            lo = lo.min(-v);
            hi = hi.max(-v);
        }
    }
    let pad = 0.1 * (hi - lo).max(0.05);
    let top = hi + pad + LEGEND_ROW_FRACTION * 3.0 * (hi - lo + 2.0 * pad);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(
            super::style::axis(t_lo, t_hi),
            super::style::axis(lo - pad, top),
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(match s.method {
            JitterMethod::Voluntary => "ms from the trigger potential",
            JitterMethod::Stimulated => "ms from the stimulus",
        })
        .y_desc("mV (negative up)")
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR)
        .draw()
        .map_err(err)?;
    for (i, row) in s.rows_mv.iter().enumerate() {
        let Some(off) = shift(i) else { continue };
        let points = row
            .iter()
            .enumerate()
            .map(|(j, &v)| (s.t0_ms + j as f64 * s.dt_ms - off, -v));
        chart
            .draw_series(LineSeries::new(
                points,
                SWEEP_COLOUR.mix(0.35).stroke_width(1),
            ))
            .map_err(err)?;
    }
    let marks: Vec<(f64, f64)> = (0..s.rows_mv.len())
        .filter_map(|i| {
            let off = shift(i)?;
            let t = s.reading.second_us.get(i).copied().flatten()? / 1000.0 - off;
            Some((t, lo - pad * 0.5))
        })
        .collect();
    chart
        .draw_series(
            marks
                .iter()
                .map(|&(t, y)| Cross::new((t, y), 3, PEAK_COLOUR.stroke_width(1))),
        )
        .map_err(err)?
        .label(format!(
            "second potential at {}% of its peak",
            crate::words::number(s.level_pct)
        ))
        .legend(|(x, y)| Cross::new((x + 9, y), 3, PEAK_COLOUR));
    let blocked = s
        .reading
        .second_us
        .iter()
        .take(s.rows_mv.len())
        .filter(|t| t.is_none())
        .count();
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
        .map_err(err)?
        .label(format!(
            "{} sweeps shown, {blocked} blocked",
            s.rows_mv.len()
        ))
        .legend(swatch(SWEEP_COLOUR));
    draw_legend(&mut chart)
}

/// A pair's intervals by discharge; blocked discharges as grey marks on
/// the floor.
pub(super) fn draw_ipis<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    d: &PairDisplay,
    m: Option<&PairMeasures>,
    title: String,
) -> Drawn {
    let values: Vec<f64> = d.ipis_us.iter().flatten().copied().collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if values.is_empty() {
        (0.0, 1.0)
    } else {
        (lo, hi)
    };
    let pad = 0.1 * (hi - lo).max(20.0);
    let top = hi + pad + LEGEND_ROW_FRACTION * 3.0 * (hi - lo + 2.0 * pad);
    let n = d.ipis_us.len().max(2);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.5..n as f64 + 0.5, super::style::axis(lo - pad, top))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("discharge")
        .y_desc("interpotential interval (µs)")
        .x_label_formatter(&|x| crate::words::whole(*x))
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR)
        .draw()
        .map_err(err)?;
    let points: Vec<(f64, f64)> = d
        .ipis_us
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64 + 1.0, v)))
        .collect();
    let label = m
        .and_then(|m| m.mcd_us)
        .map_or("interval".to_string(), |mcd| {
            format!("interval (MCD {} µs)", crate::words::fixed1(mcd))
        });
    chart
        .draw_series(
            points
                .iter()
                .map(|&p| Circle::new(p, 3, COLOURS[0].filled())),
        )
        .map_err(err)?
        .label(label)
        .legend(|(x, y)| Circle::new((x + 9, y), 3, COLOURS[0].filled()));
    let blocked: Vec<f64> = d
        .ipis_us
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_none())
        .map(|(i, _)| i as f64 + 1.0)
        .collect();
    chart
        .draw_series(
            blocked
                .iter()
                .map(|&x| Cross::new((x, lo - pad * 0.6), 4, MUTED.stroke_width(2))),
        )
        .map_err(err)?
        .label(format!("blocked ({})", blocked.len()))
        .legend(|(x, y)| Cross::new((x + 9, y), 4, MUTED));
    draw_legend(&mut chart)
}

/// Each pair's jitter against the pair limit (red) and the mean limit
/// (orange); pairs not counted are hollow and grey.
/// The not-counted legend: the hollow points, and the pairs with no
/// jitter to draw (no second potential, every discharge blocked).
fn not_counted_label(m: &MuscleJitter, drawn: usize) -> String {
    let without = m.pairs.iter().filter(|p| p.jitter_us.is_none()).count();
    match without {
        0 => format!("not counted ({drawn})"),
        n => format!("not counted ({drawn}; {n} more without a jitter to draw)"),
    }
}

/// The mean's legend: a mean of fewer pairs than the mean criterion needs
/// is not read against its limit, and says so.
fn mean_label(mean: f64, counted: usize, judged: bool) -> String {
    let us = crate::words::fixed1(mean);
    if !judged {
        format!("mean of {counted} counted pairs {us} µs (too few to judge)")
    } else {
        format!("mean of counted pairs {us} µs")
    }
}

pub(super) fn draw_pairs<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    m: &MuscleJitter,
    title: String,
) -> Drawn {
    let values: Vec<f64> = m.pairs.iter().filter_map(|p| p.jitter_us).collect();
    let limits: Vec<f64> = m
        .limits
        .iter()
        .flat_map(|l| [l.mean_us, l.pair_us])
        .collect();
    let data_hi = values.iter().chain(&limits).copied().fold(50.0, f64::max) * 1.08;
    let rows = 2.0 + limits.len() as f64;
    let hi = data_hi + LEGEND_ROW_FRACTION * 1.6 * rows * data_hi;
    let n = m.pairs.len().max(2);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..n as f64 + 0.5, super::style::axis(0.0, hi))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("pair (in file order)")
        .y_desc("jitter (µs)")
        .x_labels(n.min(20))
        .x_label_formatter(&|x| crate::words::whole(*x))
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR)
        .draw()
        .map_err(err)?;
    let at = |i: usize, p: &PairMeasures| p.jitter_us.map(|j| (i as f64 + 1.0, j));
    let counted: Vec<(f64, f64)> = m
        .pairs
        .iter()
        .enumerate()
        .filter(|(_, p)| p.counted)
        .filter_map(|(i, p)| at(i, p))
        .collect();
    let excluded: Vec<(f64, f64)> = m
        .pairs
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.counted)
        .filter_map(|(i, p)| at(i, p))
        .collect();
    chart
        .draw_series(
            counted
                .iter()
                .map(|&p| Circle::new(p, 5, COLOURS[0].filled())),
        )
        .map_err(err)?
        .label(format!("counted pairs ({})", counted.len()))
        .legend(|(x, y)| Circle::new((x + 9, y), 5, COLOURS[0].filled()));
    chart
        .draw_series(
            excluded
                .iter()
                .map(|&p| Circle::new(p, 5, MUTED.stroke_width(2))),
        )
        .map_err(err)?
        .label(not_counted_label(m, excluded.len()))
        .legend(|(x, y)| Circle::new((x + 9, y), 5, MUTED.stroke_width(2)));
    let span = (0.5, n as f64 + 0.5);
    if let Some(mean) = m.mean_jitter_us {
        let label = mean_label(mean, m.counted, m.mean_judged);
        draw_threshold(&mut chart, span, mean, COLOURS[2], label)?;
    }
    if let Some(l) = &m.limits {
        let us = |v: f64| crate::words::number(v);
        draw_threshold(
            &mut chart,
            span,
            l.pair_us,
            CRITERION_COLOUR,
            format!("pair limit {} µs", us(l.pair_us)),
        )?;
        draw_threshold(
            &mut chart,
            span,
            l.mean_us,
            SUGGESTIVE_COLOUR,
            format!("limit of the mean {} µs", us(l.mean_us)),
        )?;
    }
    draw_legend(&mut chart)
}
