//! The change after exercise at each time point (one bar each, its value
//! above it, no line through the labels) and the increment criteria from
//! the settings.

use plotters::prelude::*;

use super::style::{
    draw_legend, draw_threshold, err, Area, Drawn, COLOURS, CRITERION_COLOUR, FONT, GRID_COLOUR,
    LEGEND_ROW_FRACTION, SUGGESTIVE_COLOUR,
};
use crate::model::TestMeasures;
use crate::render::view::label_words;
use crate::settings::Settings;

/// Draws the increment chart of an exercise test.
pub(super) fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    test: &TestMeasures,
    settings: &Settings,
    span_change_pct: Option<(f64, f64)>,
    title: String,
) -> Drawn {
    let points: Vec<(String, f64)> = test
        .post_exercise
        .iter()
        .flatten()
        .filter_map(|p| p.change_pct.map(|c| (label_words(&p.label), c)))
        .collect();
    let i = &settings.interpret;
    // A teaching view's fixed range is included as if it were data.
    let (span_lo, span_hi) = span_change_pct.unwrap_or((0.0, 0.0));
    let data_hi = points
        .iter()
        .map(|p| p.1)
        .fold(span_hi.max(i.increment_specific_pct + 20.0), f64::max)
        * 1.1;
    // Room below zero for the time-point labels.
    let lo = points.iter().map(|p| p.1).fold(span_lo.min(0.0), f64::min) * 1.1 - 0.1 * data_hi;
    // Room above the bars for the legend (two lines), so it hides no bar.
    let hi = data_hi + LEGEND_ROW_FRACTION * 1.6 * 2.0 * (data_hi - lo);
    let n = points.len().max(1) as f64;
    let axes = ("time after exercise", "change from pre-exercise (%)");
    let mut chart = bar_chart(root, title, (n, lo, hi), axes)?;
    draw_bars(&mut chart, &points, (lo, hi), crate::words::signed_pct0)?;
    let suggestive = format!("{}% (suggestive of LEMS)", i.increment_suggestive_pct);
    let specific = format!("{}% (specific for LEMS)", i.increment_specific_pct);
    draw_threshold(
        &mut chart,
        (0.0, n),
        i.increment_suggestive_pct,
        SUGGESTIVE_COLOUR,
        suggestive,
    )?;
    draw_threshold(
        &mut chart,
        (0.0, n),
        i.increment_specific_pct,
        CRITERION_COLOUR,
        specific,
    )?;
    draw_legend(&mut chart)
}

/// The axes of a bar chart of `n` bars from `lo` to `hi`, with its title
/// and the descriptions of its x and y axes (no x labels: each bar has its
/// own).
pub(super) fn bar_chart<'a, DB: DrawingBackend>(
    root: &'a Area<'_, DB>,
    title: String,
    (n, lo, hi): (f64, f64, f64),
    (x_desc, y_desc): (&str, &str),
) -> std::result::Result<super::style::Chart<'a, DB>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..n, super::style::axis(lo, hi))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(0)
        .y_label_formatter(&|y| crate::words::whole(*y))
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// One bar per time point, its value (as `show` writes it) above it and
/// its label below.
pub(super) fn draw_bars<DB: DrawingBackend>(
    chart: &mut super::style::Chart<'_, DB>,
    points: &[(String, f64)],
    (lo, hi): (f64, f64),
    show: impl Fn(f64) -> String,
) -> Drawn {
    chart
        .draw_series(points.iter().enumerate().map(|(i, p)| {
            let x = i as f64;
            Rectangle::new([(x + 0.2, 0.0), (x + 0.8, p.1)], COLOURS[0].filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(points.iter().enumerate().map(|(i, p)| {
            Text::new(
                show(p.1),
                (i as f64 + 0.3, p.1.max(0.0) + 0.03 * (hi - lo)),
                (FONT, 13).into_font(),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(points.iter().enumerate().map(|(i, p)| {
            Text::new(
                p.0.clone(),
                (i as f64 + 0.3, lo + 0.07 * (hi - lo)),
                (FONT, 13).into_font(),
            )
        }))
        .map_err(err)?;
    Ok(())
}
