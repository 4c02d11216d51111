//! Traces on a time axis, negative up: the stack (one above the other,
//! first at the top, as on the EMG screen), the superimposed responses, and
//! the before/after-exercise overlay. Each trace is the pipeline's display
//! trace, found by its response's label, with the marks of its measures.

use plotters::prelude::*;

use super::style::{
    draw_legend, draw_scale_bar, err, nice_step, swatch, Area, Chart, Drawn, BASELINE_COLOUR,
    COLOURS, FONT, GRID_COLOUR, LEGEND_ROW_FRACTION, MANUAL_COLOUR, ONSET_COLOUR, PEAK_COLOUR,
};
use super::{clean, PlotKind};
use crate::interpret::ordinal;
use crate::model::{DisplayTrace, ResponseMeasures, TestDisplay, TestMeasures};

/// More traces than this crowd a stack past reading.
const MAX_STACKED: usize = 12;
/// Rows kept free under a trace plot's legend entries.
const LEGEND_MARGIN_ROWS: f64 = 1.0;

/// One legend row's share of a trace plot's height: about 20 px of 480.
/// Sweeps longer than this are drawn to it (ms): the CMAP is over.
const MAX_SHOWN_MS: f64 = 30.0;

/// One response to draw: its place in the test, its measures and its
/// display trace.
type Shown<'a> = (usize, &'a ResponseMeasures, &'a DisplayTrace);

/// Which responses a trace plot draws, each with its display trace (found
/// by label): all superimposed, the first last (on top); at most 12 in a
/// stack (every k-th); before and the deciding response after exercise.
fn shown<'a>(kind: PlotKind, test: &'a TestMeasures, display: &'a TestDisplay) -> Vec<Shown<'a>> {
    let n = test.responses.len();
    let idx: Vec<usize> = match kind {
        PlotKind::ExerciseOverlay => {
            let mut v = vec![0];
            v.extend(test.deciding_response.filter(|d| *d != 0));
            v
        }
        PlotKind::Stack => (0..n).step_by(n.div_ceil(MAX_STACKED).max(1)).collect(),
        _ => (1..n).chain((n > 0).then_some(0)).collect(),
    };
    // An excluded response is labelled on the stack; overlaid it would
    // pass for a measured one.
    idx.into_iter()
        .filter_map(|i| {
            let r = test.responses.get(i)?;
            Some((i, r, display.trace(&r.label)?))
        })
        .filter(|(_, r, _)| kind == PlotKind::Stack || !r.has(crate::model::Flag::Excluded))
        .collect()
}

/// Draws a trace plot of one test.
pub(super) fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    kind: PlotKind,
    (test, display): (&TestMeasures, &TestDisplay),
    scale_mv: Option<f64>,
    title: String,
) -> Drawn {
    let t_lo = display.times_ms.first().copied().unwrap_or(0.0);
    let t_hi = display
        .times_ms
        .last()
        .copied()
        .unwrap_or(1.0)
        .min(MAX_SHOWN_MS);
    let max_amp = test
        .responses
        .iter()
        .filter_map(|r| r.peak_to_peak_mv.or(r.amplitude_mv))
        .fold(scale_mv.unwrap_or(0.5), f64::max);
    let shown = shown(kind, test, display);
    let stack = kind == PlotKind::Stack;
    let spacing = if stack { 1.1 * max_amp } else { 0.0 };
    // Room above the traces for the legend, and below them for the scale
    // bar, so neither covers a trace.
    let manual_row = if shown.iter().any(|(_, _, d)| d.any_manual()) {
        1.0
    } else {
        0.0
    };
    // One row more than the entries: the legend's frame and a gap above
    // the first trace, which it must never cover (response 1 is the one a
    // reader points at).
    let legend_rows = manual_row
        + LEGEND_MARGIN_ROWS
        + if kind == PlotKind::ExerciseOverlay {
            5.0
        } else {
            3.0
        };
    let traces_top = 1.1 * max_amp + spacing * shown.len().saturating_sub(1) as f64;
    // The scale bar gets a band of its own under the lowest trace.
    let bar_mv = nice_step(max_amp);
    let bottom = -1.3 * max_amp - 1.5 * bar_mv;
    let top = traces_top + LEGEND_ROW_FRACTION * legend_rows * (traces_top - bottom);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(if stack { 70 } else { 56 })
        .right_y_label_area_size(if stack { 150 } else { 0 })
        .build_cartesian_2d(
            super::style::axis(t_lo, t_hi),
            super::style::axis(bottom, top),
        )
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc("ms after the stimulus")
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR);
    if stack {
        mesh.disable_y_axis().y_labels(0);
    } else {
        mesh.y_desc("mV (negative up)");
    }
    mesh.draw().map_err(err)?;
    let frame = Frame {
        t_lo,
        t_hi,
        times_ms: &display.times_ms,
        first_manual: shown.iter().position(|(_, _, d)| d.any_manual()),
        manual_label: manual_label(shown.iter().map(|(_, _, d)| *d)),
        first_auto: (
            shown
                .iter()
                .position(|(_, _, d)| d.onset.is_some() && !d.manual_onset),
            shown
                .iter()
                .position(|(_, _, d)| d.negative_peak.is_some() && !d.manual_peak),
        ),
    };
    for (k, item) in shown.iter().enumerate() {
        let offset = spacing * (shown.len() - 1 - k) as f64;
        draw_one(&mut chart, kind, &frame, *item, offset, k)?;
    }
    if kind == PlotKind::ExerciseOverlay {
        if let Some(inc) = test.increment_pct {
            chart
                .draw_series([Text::new(
                    format!("increment {}", crate::words::signed_pct0(inc)),
                    (t_lo + 0.02 * (t_hi - t_lo), 0.97 * top),
                    (FONT, 16).into_font(),
                )])
                .map_err(err)?;
        }
    }
    draw_scale_bar(&mut chart, bar_mv, (t_lo, t_hi), bottom + 0.2 * bar_mv)?;
    if stack && shown.len() < test.responses.len() {
        note_every_kth(&mut chart, test.responses.len(), (t_lo, t_hi), top)?;
    }
    draw_legend(&mut chart)
}

/// Says that a long train's stack draws only every k-th response.
fn note_every_kth<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    n: usize,
    (t_lo, t_hi): (f64, f64),
    top: f64,
) -> Drawn {
    let step = n.div_ceil(MAX_STACKED);
    chart
        .draw_series([Text::new(
            format!("every {} response of {n} shown", ordinal(step)),
            (t_lo + 0.02 * (t_hi - t_lo), 0.97 * top),
            (FONT, 14).into_font(),
        )])
        .map_err(err)?;
    Ok(())
}

/// The time axis every trace of a plot shares.
struct Frame<'a> {
    t_lo: f64,
    t_hi: f64,
    times_ms: &'a [f64],
    /// The first drawn trace with marks set by hand: it names the manual
    /// style in the legend, once.
    first_manual: Option<usize>,
    /// That legend entry's words: what the purple marks of the plot are.
    manual_label: &'static str,
    /// The first drawn traces with an automatic onset and an automatic
    /// negative peak: they name those marks in the legend.
    first_auto: (Option<usize>, Option<usize>),
}

/// Which legend entries one trace's marks name.
#[derive(Debug, Clone, Copy)]
struct Legends {
    baseline: bool,
    onset: bool,
    peak: bool,
    manual: bool,
}

/// The legend's words for the marks set by hand among `traces`.
fn manual_label<'t>(mut traces: impl Iterator<Item = &'t DisplayTrace> + Clone) -> &'static str {
    let rings = traces.clone().any(|d| d.manual_onset || d.manual_peak);
    match (rings, traces.any(|d| d.manual_baseline)) {
        (true, true) => "set by hand (purple: a ring at a moved mark, a baseline window in bold)",
        (false, true) => "set by hand (purple: the baseline window)",
        _ => "set by hand (purple ring: that mark's place)",
    }
}

/// One trace (the `k`-th drawn), its marks, and its label (stack) or
/// legend entry (overlay). Superimposed, only the first response (drawn
/// last, in red) carries marks.
fn draw_one<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    kind: PlotKind,
    f: &Frame,
    (i, r, trace): Shown,
    offset: f64,
    k: usize,
) -> Drawn {
    let (colour, width) = match kind {
        PlotKind::Superimposed if i == 0 => (COLOURS[1], 2),
        PlotKind::Superimposed => (RGBColor(150, 150, 150), 1),
        PlotKind::ExerciseOverlay => (COLOURS[k % COLOURS.len()], 1),
        _ => (COLOURS[0], 1),
    };
    let points = f
        .times_ms
        .iter()
        .zip(&trace.values_mv)
        .filter(|(t, _)| **t <= f.t_hi)
        .map(|(t, v)| (*t, -v + offset));
    let series = chart
        .draw_series(LineSeries::new(points, colour.stroke_width(width)))
        .map_err(err)?;
    // Trains keep their short r-numbers; exercise time points get words.
    let name = match &r.label {
        crate::model::ResponseLabel::Train(n) => format!("r{n}"),
        other => clean(&crate::render::view::label_words(other)),
    };
    let amplitude = r
        .amplitude_mv
        .map(|a| format!("{} mV", crate::words::mv(a)));
    if kind == PlotKind::ExerciseOverlay {
        let label = format!("{name} {}", amplitude.clone().unwrap_or_default());
        series.label(label).legend(swatch(colour));
    }
    let (marked, legend) = match kind {
        PlotKind::Superimposed => (i == 0, i == 0),
        _ => (true, k == 0),
    };
    if marked {
        // Each automatic mark is named by the first trace that draws it:
        // the first response's may have been set by hand.
        let stack = kind == PlotKind::Stack;
        let names = Legends {
            baseline: legend,
            onset: if stack {
                f.first_auto.0 == Some(k)
            } else {
                legend
            },
            peak: if stack {
                f.first_auto.1 == Some(k)
            } else {
                legend
            },
            manual: f.first_manual == Some(k),
        };
        draw_marks(chart, trace, f, offset, names)?;
    }
    if kind == PlotKind::Stack {
        let value = match (amplitude, trace.excluded) {
            (_, true) => "excluded by hand".to_string(),
            (Some(a), false) => a,
            (None, false) => "-".to_string(),
        };
        let text = format!("{name}  {value}");
        chart
            .draw_series([Text::new(
                text,
                (f.t_hi + 0.01 * (f.t_hi - f.t_lo), offset),
                (FONT, 13).into_font(),
            )])
            .map_err(err)?;
    }
    Ok(())
}

/// What the measurement used, on the trace: the baseline (a faint line at
/// zero, bold over the window it was taken from), the onset and the negative
/// peak, named in the legend once.
fn draw_marks<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    trace: &DisplayTrace,
    f: &Frame,
    offset: f64,
    names: Legends,
) -> Drawn {
    chart
        // A thin faint line, not a dashed one: plotters draws each dash as
        // its own SVG element (about 80 per trace), which made the stack
        // the heaviest part of the HTML report.
        .draw_series(LineSeries::new(
            [(f.t_lo, offset), (f.t_hi, offset)],
            BASELINE_COLOUR.mix(0.45).stroke_width(1),
        ))
        .map_err(err)?;
    let [w0, w1] = trace.baseline_window_ms;
    let window = chart
        .draw_series(LineSeries::new(
            [(w0.max(f.t_lo), offset), (w1.min(f.t_hi), offset)],
            BASELINE_COLOUR.stroke_width(3),
        ))
        .map_err(err)?;
    if names.baseline {
        window
            .label("baseline (bold over the window it was measured in)")
            .legend(|(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], BASELINE_COLOUR.stroke_width(3))
            });
    }
    draw_manual_marks(chart, trace, f, offset, names.manual)?;
    if let Some((t, v)) = trace.onset.filter(|_| !trace.manual_onset) {
        let s = chart
            .draw_series([TriangleMarker::new(
                (t, -v + offset),
                6,
                ONSET_COLOUR.filled(),
            )])
            .map_err(err)?;
        if names.onset {
            s.label("onset")
                .legend(|(x, y)| TriangleMarker::new((x + 9, y), 6, ONSET_COLOUR.filled()));
        }
    }
    if let Some((t, v)) = trace.negative_peak.filter(|_| !trace.manual_peak) {
        let s = chart
            .draw_series([Circle::new((t, -v + offset), 4, PEAK_COLOUR.filled())])
            .map_err(err)?;
        if names.peak {
            s.label("negative peak (amplitude)")
                .legend(|(x, y)| Circle::new((x + 9, y), 4, PEAK_COLOUR.filled()));
        }
    }
    Ok(())
}

/// The marks of a response set by hand (a markers sidecar): a ring in a
/// colour of its own around each, the baseline window bold in that colour,
/// named in the legend once (docs/markers.md).
fn draw_manual_marks<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    trace: &DisplayTrace,
    f: &Frame,
    offset: f64,
    legend: bool,
) -> Drawn {
    let style = MANUAL_COLOUR.stroke_width(2);
    let marks = [
        trace.onset.filter(|_| trace.manual_onset),
        trace.negative_peak.filter(|_| trace.manual_peak),
    ];
    // The first mark drawn names the style.
    let mut named = !legend;
    if trace.manual_baseline {
        let [w0, w1] = trace.baseline_window_ms;
        let s = chart
            .draw_series(LineSeries::new(
                [(w0.max(f.t_lo), offset), (w1.min(f.t_hi), offset)],
                MANUAL_COLOUR.stroke_width(3),
            ))
            .map_err(err)?;
        if !named && marks.iter().all(Option::is_none) {
            s.label(f.manual_label).legend(|(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], MANUAL_COLOUR.stroke_width(3))
            });
            named = true;
        }
    }
    for (t, v) in marks.into_iter().flatten() {
        let s = chart
            .draw_series([Circle::new((t, -v + offset), 6, style)])
            .map_err(err)?;
        if !named {
            s.label(f.manual_label)
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, style));
            named = true;
        }
    }
    Ok(())
}
