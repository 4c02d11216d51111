//! Plots a neurophysiologist expects, drawn with `plotters` into SVG
//! (strings, for inline HTML) and PNG (bytes). Negative is up, as on the
//! EMG machine's screen. The DejaVu Sans font is embedded and registered
//! once, so nothing depends on system font libraries.

use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::error::{Error, Result};
use crate::measure::{Flag, ResponseMeasures};
use crate::model::{Polarity, Protocol, Recording};
use crate::protocol::TestMeasures;

const FONT: &str = "sans-serif";
const WIDTH: u32 = 900;
const HEIGHT: u32 = 560;

static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The font is compiled in; registering it cannot meet a missing file.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// One plot, in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// File stem, e.g. `1_rns_3hz_stack`.
    pub name: String,
    /// A caption for reports.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// What kind of plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stack,
    Superimposed,
    Trend,
    ExerciseOverlay,
    ExerciseChart,
}

/// Display traces, one per measured response in the test's order: the
/// samples after a declared inversion, less the baseline the measurement
/// removed (level and drift), flipped where the measurement found the
/// response inverted. Every mark then sits on the trace it was measured
/// from, and the baseline is zero.
struct Traces {
    times_ms: Vec<f64>,
    traces: Vec<Vec<f64>>,
}

fn display_traces(rec: &Recording, test: &TestMeasures) -> Traces {
    let n = rec.sweep_len();
    let times_ms: Vec<f64> = (0..n).map(|i| rec.time_ms(i)).collect();
    let declared = if rec.polarity == Polarity::Inverted {
        -1.0
    } else {
        1.0
    };
    let last = rec.n_responses().checked_sub(1);
    let traces = test
        .responses
        .iter()
        .enumerate()
        .filter_map(|(k, r)| {
            let i = rec.labels.iter().position(|l| *l == r.label).unwrap_or(k);
            let trace = rec.trace(i.min(last?));
            let found = if r.has(Flag::PolarityInverted) {
                -1.0
            } else {
                1.0
            };
            Some(
                trace
                    .iter()
                    .zip(&times_ms)
                    .map(|(v, t)| found * (declared * v - r.baseline_at(*t)))
                    .collect(),
            )
        })
        .collect();
    Traces { times_ms, traces }
}

/// A readable label: plot text comes from input files.
fn clean(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric() || " _-.:()%/".contains(*c))
        .take(40)
        .collect()
}

fn nice_step(span: f64) -> f64 {
    let raw = span.abs().max(1e-9) / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn plot_err(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Plot {
        name: name.to_string(),
        detail: e.to_string(),
    }
}

type Area<'a, DB> = DrawingArea<DB, Shift>;

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    kind: Kind,
    test: &TestMeasures,
    tr: &Traces,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let title = format!("{} - {}", clean(&test.file), kind_title(kind));
    let max_amp = test
        .responses
        .iter()
        .filter_map(|r| r.peak_to_peak_mv.or(r.amplitude_mv))
        .fold(0.5, f64::max);
    match kind {
        Kind::Stack | Kind::Superimposed | Kind::ExerciseOverlay => {
            draw_traces(root, kind, test, tr, title, max_amp)?
        }
        Kind::Trend => draw_trend(root, test, title)?,
        Kind::ExerciseChart => draw_exercise_chart(root, test, title)?,
    }
    root.present().map_err(|e| e.to_string())
}

/// Amplitude and area across a train, as % of the first response, with the
/// decrement criterion.
fn draw_trend<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    test: &TestMeasures,
    title: String,
) -> std::result::Result<(), String> {
    let font = (FONT, 18).into_font();
    let amps: Vec<(f64, f64)> = test
        .responses
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.change_pct.map(|c| ((i + 1) as f64, 100.0 + c)))
        .collect();
    let area1 = test.responses.first().and_then(|r| r.area_mv_ms);
    let areas: Vec<(f64, f64)> = test
        .responses
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let a1 = area1.filter(|a| *a > 0.0)?;
            r.area_mv_ms.map(|a| ((i + 1) as f64, a / a1 * 100.0))
        })
        .collect();
    let hi = amps.iter().chain(&areas).map(|p| p.1).fold(110.0, f64::max) * 1.05;
    let lo = amps.iter().chain(&areas).map(|p| p.1).fold(80.0, f64::min) * 0.95;
    let n = test.responses.len().max(2) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, font)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..n + 0.5, lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("response")
        .y_desc("% of the first response")
        .label_style((FONT, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(amps.clone(), COLOURS[0].stroke_width(2)))
        .map_err(|e| e.to_string())?
        .label("amplitude")
        .legend(swatch(COLOURS[0]));
    chart
        .draw_series(amps.iter().map(|p| Circle::new(*p, 4, COLOURS[0].filled())))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(LineSeries::new(areas.clone(), COLOURS[2].stroke_width(2)))
        .map_err(|e| e.to_string())?
        .label("area")
        .legend(swatch(COLOURS[2]));
    if test.protocol == Protocol::Rns {
        chart
            .draw_series(LineSeries::new(
                [(0.5, 90.0), (n + 0.5, 90.0)],
                COLOURS[1].stroke_width(1),
            ))
            .map_err(|e| e.to_string())?
            .label("10% decrement")
            .legend(swatch(COLOURS[1]));
    }
    draw_legend(&mut chart)?;
    Ok(())
}

/// The change after exercise at each time point, with the facilitation
/// curve and the increment criteria.
fn draw_exercise_chart<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    test: &TestMeasures,
    title: String,
) -> std::result::Result<(), String> {
    let font = (FONT, 18).into_font();
    let points: Vec<(String, f64)> = test
        .post_exercise
        .iter()
        .flatten()
        .filter_map(|p| p.change_pct.map(|c| (clean(&p.label), c)))
        .collect();
    let hi = points.iter().map(|p| p.1).fold(120.0, f64::max) * 1.1;
    // Room below zero for the time-point labels.
    let lo = points.iter().map(|p| p.1).fold(0.0, f64::min) * 1.1 - 0.1 * hi;
    let n = points.len().max(1);
    let mut chart = ChartBuilder::on(root)
        .caption(title, font)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..n as f64, lo..hi)
        .map_err(|e| e.to_string())?;
    let labels: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
    chart
        .configure_mesh()
        .x_desc("time after exercise")
        .y_desc("change from pre-exercise (%)")
        .x_labels(0)
        .label_style((FONT, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(points.iter().enumerate().map(|(i, p)| {
            let x = i as f64;
            Rectangle::new([(x + 0.2, 0.0), (x + 0.8, p.1)], COLOURS[0].filled())
        }))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(points.iter().enumerate().map(|(i, p)| {
            Text::new(
                format!("{:+.0}%", p.1),
                (i as f64 + 0.3, p.1.max(0.0) + 0.03 * (hi - lo)),
                (FONT, 13).into_font(),
            )
        }))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(labels.iter().enumerate().map(|(i, label)| {
            Text::new(
                label.clone(),
                (i as f64 + 0.3, lo + 0.07 * (hi - lo)),
                (FONT, 13).into_font(),
            )
        }))
        .map_err(|e| e.to_string())?;
    if points.len() > 1 {
        chart
            .draw_series(LineSeries::new(
                points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (i as f64 + 0.5, p.1)),
                COLOURS[3].stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label("facilitation curve")
            .legend(swatch(COLOURS[3]));
    }
    for (value, colour, label) in [
        (60.0, COLOURS[4], "60% (suggestive)"),
        (100.0, COLOURS[1], "100% (specific)"),
    ] {
        chart
            .draw_series(LineSeries::new(
                [(0.0, value), (n as f64, value)],
                colour.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?
            .label(label)
            .legend(swatch(colour));
    }
    draw_legend(&mut chart)?;
    Ok(())
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One legend row's share of a trace plot's height: about 20 px of 480.
const LEGEND_ROW_FRACTION: f64 = 0.045;

/// Mark colours: the baseline window, the onset and the negative peak.
const BASELINE_COLOUR: RGBColor = RGBColor(255, 127, 14);
const ONSET_COLOUR: RGBColor = RGBColor(44, 160, 44);
const PEAK_COLOUR: RGBColor = RGBColor(214, 39, 40);

/// Traces on a time axis: the stack (one above the other, first at the
/// top, as on the EMG screen), the superimposed responses, or the
/// before/after-exercise overlay.
fn draw_traces<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    kind: Kind,
    test: &TestMeasures,
    tr: &Traces,
    title: String,
    max_amp: f64,
) -> std::result::Result<(), String> {
    let t_lo = tr.times_ms.first().copied().unwrap_or(0.0);
    let t_hi = tr.times_ms.last().copied().unwrap_or(1.0).min(30.0);
    let idx = traces_shown(kind, test, tr.traces.len());
    let spacing = if kind == Kind::Stack {
        1.1 * max_amp
    } else {
        0.0
    };
    // Room above the traces for the legend, and below them for the scale
    // bar, so neither covers a trace.
    let legend_rows = if kind == Kind::ExerciseOverlay {
        5.0
    } else {
        3.0
    };
    let traces_top = 1.1 * max_amp + spacing * idx.len().saturating_sub(1) as f64;
    let bottom = -1.3 * max_amp;
    let top = traces_top + LEGEND_ROW_FRACTION * legend_rows * (traces_top - bottom);
    let stack = kind == Kind::Stack;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(if stack { 70 } else { 56 })
        .right_y_label_area_size(if stack { 150 } else { 0 })
        .build_cartesian_2d(t_lo..t_hi, bottom..top)
        .map_err(|e| e.to_string())?;
    let mut mesh = chart.configure_mesh();
    mesh.x_desc("ms after the stimulus")
        .label_style((FONT, 13))
        .light_line_style(RGBColor(235, 235, 235));
    if stack {
        mesh.disable_y_axis().y_labels(0);
    } else {
        mesh.y_desc("mV (negative up)");
    }
    mesh.draw().map_err(|e| e.to_string())?;
    for (k, &i) in idx.iter().enumerate() {
        let (Some(y), Some(r)) = (tr.traces.get(i), test.responses.get(i)) else {
            continue;
        };
        let offset = spacing * (idx.len() - 1 - k) as f64;
        let (colour, width) = match kind {
            Kind::Superimposed if i == 0 => (COLOURS[1], 2),
            Kind::Superimposed => (RGBColor(150, 150, 150), 1),
            Kind::ExerciseOverlay => (COLOURS[k % COLOURS.len()], 1),
            _ => (COLOURS[0], 1),
        };
        let series = chart
            .draw_series(LineSeries::new(
                tr.times_ms
                    .iter()
                    .zip(y)
                    .filter(|(t, _)| **t <= t_hi)
                    .map(|(t, v)| (*t, -v + offset)),
                colour.stroke_width(width),
            ))
            .map_err(|e| e.to_string())?;
        let amplitude = r.amplitude_mv.map(|a| format!("{a:.2} mV"));
        if kind == Kind::ExerciseOverlay {
            let label = format!(
                "{} {}",
                clean(&r.label),
                amplitude.clone().unwrap_or_default()
            );
            series.label(label).legend(swatch(colour));
        }
        if kind != Kind::Superimposed || i == 0 {
            let marks = Marks {
                t_lo,
                t_hi,
                dt_ms: time_step(tr),
                offset,
                legend: k == 0 || kind == Kind::Superimposed,
            };
            draw_marks(&mut chart, r, y, &marks)?;
        }
        if stack {
            let text = format!(
                "{}  {}",
                clean(&r.label),
                amplitude.unwrap_or_else(|| "-".into())
            );
            chart
                .draw_series([Text::new(
                    text,
                    (t_hi + 0.01 * (t_hi - t_lo), offset),
                    (FONT, 13).into_font(),
                )])
                .map_err(|e| e.to_string())?;
        }
    }
    if kind == Kind::ExerciseOverlay {
        if let Some(inc) = test.increment_pct {
            chart
                .draw_series([Text::new(
                    format!("increment {inc:+.0}%"),
                    (t_lo + 0.02 * (t_hi - t_lo), 0.97 * top),
                    (FONT, 16).into_font(),
                )])
                .map_err(|e| e.to_string())?;
        }
    }
    draw_scale_bar(&mut chart, max_amp, (t_lo, t_hi), (bottom, top))?;
    draw_legend(&mut chart)
}

/// Which responses a trace plot draws: all superimposed; at most 12 in a
/// stack (every k-th); before and the deciding response after exercise.
/// Marks (and their legend) go on the first drawn in a stack or overlay and
/// on the first response only when superimposed.
fn traces_shown(kind: Kind, test: &TestMeasures, n: usize) -> Vec<usize> {
    /// More traces than this crowd a stack past reading.
    const MAX_STACKED: usize = 12;
    match kind {
        Kind::ExerciseOverlay => {
            let mut v = vec![0];
            v.extend(test.deciding_response.filter(|d| *d != 0));
            v
        }
        Kind::Stack => (0..n).step_by(n.div_ceil(MAX_STACKED).max(1)).collect(),
        // The first response last, on top of the rest.
        _ => (1..n).chain((n > 0).then_some(0)).collect(),
    }
}

fn time_step(tr: &Traces) -> f64 {
    match tr.times_ms.as_slice() {
        [a, b, ..] => b - a,
        _ => 1.0,
    }
}

/// Where and how one trace's marks go.
struct Marks {
    t_lo: f64,
    t_hi: f64,
    dt_ms: f64,
    /// The trace's vertical offset in the stack.
    offset: f64,
    /// Whether this trace's marks name themselves in the legend.
    legend: bool,
}

/// What the measurement used, on the trace: the baseline (a dotted zero
/// line, solid over the window it was taken from), the onset and the
/// negative peak.
fn draw_marks<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    r: &ResponseMeasures,
    y: &[f64],
    m: &Marks,
) -> std::result::Result<(), String> {
    let off = m.offset;
    let value_at = |t: f64| -> f64 {
        let j = ((t - m.t_lo) / m.dt_ms).round().max(0.0) as usize;
        y.get(j).copied().unwrap_or(0.0)
    };
    chart
        .draw_series(DashedLineSeries::new(
            [(m.t_lo, off), (m.t_hi, off)],
            4,
            4,
            BASELINE_COLOUR.mix(0.7).stroke_width(1),
        ))
        .map_err(|e| e.to_string())?;
    let [w0, w1] = r.baseline_window_ms;
    let window = chart
        .draw_series(LineSeries::new(
            [(w0.max(m.t_lo), off), (w1.min(m.t_hi), off)],
            BASELINE_COLOUR.stroke_width(3),
        ))
        .map_err(|e| e.to_string())?;
    if m.legend {
        window
            .label("baseline (solid over the window it was measured in)")
            .legend(|(x, y)| {
                PathElement::new([(x, y), (x + 18, y)], BASELINE_COLOUR.stroke_width(3))
            });
    }
    if let Some(on) = r.onset_ms {
        let s = chart
            .draw_series([TriangleMarker::new(
                (on, -value_at(on) + off),
                6,
                ONSET_COLOUR.filled(),
            )])
            .map_err(|e| e.to_string())?;
        if m.legend {
            s.label("onset")
                .legend(|(x, y)| TriangleMarker::new((x + 9, y), 6, ONSET_COLOUR.filled()));
        }
    }
    if let (Some(pk), Some(a)) = (r.negative_peak_ms, r.amplitude_mv) {
        let s = chart
            .draw_series([Circle::new((pk, a + off), 4, PEAK_COLOUR.filled())])
            .map_err(|e| e.to_string())?;
        if m.legend {
            s.label("negative peak (amplitude)")
                .legend(|(x, y)| Circle::new((x + 9, y), 4, PEAK_COLOUR.filled()));
        }
    }
    Ok(())
}

/// Scale bar in the lower right: nice mV and ms steps.
fn draw_scale_bar<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    max_amp: f64,
    (t_lo, t_hi): (f64, f64),
    (bottom, top): (f64, f64),
) -> std::result::Result<(), String> {
    let mv = nice_step(max_amp);
    let ms = nice_step(0.5 * (t_hi - t_lo));
    let x0 = t_hi - 0.05 * (t_hi - t_lo) - ms;
    let y0 = bottom + 0.08 * (top - bottom);
    chart
        .draw_series([PathElement::new(
            [(x0, y0 + mv), (x0, y0), (x0 + ms, y0)],
            BLACK.stroke_width(2),
        )])
        .map_err(|e| e.to_string())?;
    chart
        .draw_series([Text::new(
            format!("{mv} mV / {ms} ms"),
            (x0 - 0.01 * (t_hi - t_lo), y0 + 0.5 * mv),
            (FONT, 13)
                .into_font()
                .into_text_style(chart.plotting_area())
                .pos(Pos::new(HPos::Right, VPos::Center)),
        )])
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The legend box every chart uses.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())
}

/// A short line of the series colour, for the legend.
fn swatch(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour)
}

fn kind_title(kind: Kind) -> &'static str {
    match kind {
        Kind::Stack => "trace stack",
        Kind::Superimposed => "superimposed responses (first in red)",
        Kind::Trend => "amplitude and area across the train",
        Kind::ExerciseOverlay => "before and after exercise",
        Kind::ExerciseChart => "increment after exercise",
    }
}

fn kind_suffix(kind: Kind) -> &'static str {
    match kind {
        Kind::Stack => "stack",
        Kind::Superimposed => "superimposed",
        Kind::Trend => "trend",
        Kind::ExerciseOverlay => "overlay",
        Kind::ExerciseChart => "increment",
    }
}

fn render(kind: Kind, test: &TestMeasures, tr: &Traces) -> Result<Plot> {
    register_font();
    let stem = std::path::Path::new(&test.file)
        .file_stem()
        .map(|s| clean(&s.to_string_lossy()).replace(' ', "_"))
        .unwrap_or_else(|| "test".to_string());
    let name = format!("{stem}_{}", kind_suffix(kind));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, test, tr).map_err(|e| plot_err(&name, e))?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, test, tr).map_err(|e| plot_err(&name, e))?;
    }
    let png = encode_png(&rgb, WIDTH, HEIGHT).map_err(|e| plot_err(&name, e))?;
    Ok(Plot {
        title: format!("{}: {}", test.file, kind_title(kind)),
        name,
        svg,
        png,
    })
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The plots of one test: a trace stack, superimposed responses and the
/// amplitude/area trend for trains; the before/after overlay and the
/// increment chart (with the facilitation curve) for exercise.
pub fn plots_for_test(rec: &Recording, test: &TestMeasures) -> Result<Vec<Plot>> {
    if test.responses.is_empty() {
        return Ok(Vec::new());
    }
    let tr = display_traces(rec, test);
    let kinds: &[Kind] = match test.protocol {
        Protocol::Rns => &[Kind::Stack, Kind::Superimposed, Kind::Trend],
        Protocol::Hfrns => &[Kind::Trend, Kind::Superimposed, Kind::Stack],
        Protocol::Exercise => &[Kind::ExerciseOverlay, Kind::ExerciseChart, Kind::Stack],
    };
    kinds.iter().map(|k| render(*k, test, &tr)).collect()
}
