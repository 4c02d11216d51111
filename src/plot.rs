//! Plots a neurophysiologist expects, drawn with `plotters` into SVG
//! (strings, for inline HTML) and PNG (bytes). Negative is up, as on the
//! EMG machine's screen. The DejaVu Sans font is embedded and registered
//! once, so nothing depends on system font libraries.

use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};
use crate::model::{Polarity, Protocol, Recording};
use crate::protocol::TestMeasures;
use crate::signal::stats;

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

/// Display traces: baseline-subtracted, flipped for a declared inversion, in
/// mV, with their time axis.
struct Traces {
    times_ms: Vec<f64>,
    traces: Vec<Vec<f64>>,
}

fn display_traces(rec: &Recording) -> Traces {
    let n = rec.sweep_len();
    let times_ms: Vec<f64> = (0..n).map(|i| rec.time_ms(i)).collect();
    let sign = if rec.polarity == Polarity::Inverted {
        -1.0
    } else {
        1.0
    };
    let pre = times_ms.iter().take_while(|t| **t < -0.1).count();
    let mut scratch = Vec::new();
    let traces = (0..rec.n_responses())
        .map(|i| {
            let y: Vec<f64> = rec.trace(i).iter().map(|v| v * sign).collect();
            let base_slice = if pre >= 10 {
                &y[..pre]
            } else {
                &y[n - n / 4..]
            };
            let base = stats::median(base_slice, &mut scratch).unwrap_or(0.0);
            y.iter().map(|v| v - base).collect()
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
    rec: &Recording,
    test: &TestMeasures,
    tr: &Traces,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let t_lo = tr.times_ms.first().copied().unwrap_or(0.0);
    let t_hi = tr.times_ms.last().copied().unwrap_or(1.0).min(30.0);
    let title = format!("{} - {}", clean(&test.file), kind_title(kind));
    let font = (FONT, 18).into_font();
    let max_amp = test
        .responses
        .iter()
        .filter_map(|r| r.peak_to_peak_mv.or(r.amplitude_mv))
        .fold(0.5, f64::max);
    match kind {
        Kind::Stack | Kind::Superimposed | Kind::ExerciseOverlay => {
            // Which responses to draw: all, but at most 12 in a stack.
            let idx: Vec<usize> = match kind {
                Kind::ExerciseOverlay => {
                    let mut v = vec![0];
                    if let Some(d) = test.deciding_response {
                        if d != 0 {
                            v.push(d);
                        }
                    }
                    v
                }
                Kind::Stack => {
                    let n = tr.traces.len();
                    let step = n.div_ceil(12).max(1);
                    (0..n).step_by(step).collect()
                }
                _ => (0..tr.traces.len()).collect(),
            };
            let spacing = if kind == Kind::Stack {
                1.1 * max_amp
            } else {
                0.0
            };
            let top = 1.1 * max_amp + spacing * (idx.len().saturating_sub(1)) as f64;
            let bottom = -0.8 * max_amp;
            let mut chart = ChartBuilder::on(root)
                .caption(title, font)
                .margin(12)
                .x_label_area_size(36)
                .y_label_area_size(if kind == Kind::Stack { 70 } else { 56 })
                .right_y_label_area_size(if kind == Kind::Stack { 150 } else { 0 })
                .build_cartesian_2d(t_lo..t_hi, bottom..top)
                .map_err(|e| e.to_string())?;
            let mut mesh = chart.configure_mesh();
            mesh.x_desc("ms after the stimulus")
                .label_style((FONT, 13))
                .light_line_style(RGBColor(235, 235, 235));
            if kind == Kind::Stack {
                mesh.disable_y_axis().y_labels(0);
            } else {
                mesh.y_desc("mV (negative up)");
            }
            mesh.draw().map_err(|e| e.to_string())?;
            for (k, &i) in idx.iter().enumerate() {
                let Some(y) = tr.traces.get(i) else { continue };
                let offset = spacing * (idx.len() - 1 - k) as f64;
                let colour = if kind == Kind::Superimposed {
                    if i == 0 {
                        COLOURS[1]
                    } else {
                        RGBColor(150, 150, 150)
                    }
                } else if kind == Kind::ExerciseOverlay {
                    COLOURS[k % COLOURS.len()]
                } else {
                    COLOURS[0]
                };
                let width = if kind == Kind::Superimposed && i == 0 {
                    2
                } else {
                    1
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
                let r = &test.responses[i.min(test.responses.len() - 1)];
                if kind == Kind::ExerciseOverlay {
                    let label = format!(
                        "{} {}",
                        clean(&r.label),
                        r.amplitude_mv
                            .map(|a| format!("{a:.2} mV"))
                            .unwrap_or_default()
                    );
                    series.label(label).legend(swatch(colour));
                }
                // Onset and negative-peak markers.
                if kind != Kind::Superimposed || i == 0 {
                    let value_at = |t: f64| -> f64 {
                        let j = ((t - t_lo) / rec.dt_ms()).round().max(0.0) as usize;
                        y.get(j).copied().unwrap_or(0.0)
                    };
                    if let Some(on) = r.onset_ms {
                        chart
                            .draw_series([TriangleMarker::new(
                                (on, -value_at(on) + offset),
                                5,
                                COLOURS[2].filled(),
                            )])
                            .map_err(|e| e.to_string())?;
                    }
                    if let (Some(pk), Some(a)) = (r.negative_peak_ms, r.amplitude_mv) {
                        chart
                            .draw_series([Circle::new((pk, a + offset), 4, COLOURS[1].filled())])
                            .map_err(|e| e.to_string())?;
                    }
                }
                if kind == Kind::Stack {
                    let text = format!(
                        "{}  {}",
                        clean(&r.label),
                        r.amplitude_mv
                            .map(|a| format!("{a:.2} mV"))
                            .unwrap_or_else(|| "-".into())
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
                            (t_lo + 0.55 * (t_hi - t_lo), 0.95 * top),
                            (FONT, 16).into_font(),
                        )])
                        .map_err(|e| e.to_string())?;
                }
                draw_legend(&mut chart)?;
            }
            // Scale bar in the lower right: nice mV and ms steps.
            let mv = nice_step(max_amp);
            let ms = nice_step(0.5 * (t_hi - t_lo));
            let x0 = t_hi - 0.05 * (t_hi - t_lo) - ms;
            let y0 = bottom + 0.15 * (top - bottom);
            chart
                .draw_series([PathElement::new(
                    [(x0, y0 + mv), (x0, y0), (x0 + ms, y0)],
                    BLACK.stroke_width(2),
                )])
                .map_err(|e| e.to_string())?;
            chart
                .draw_series([Text::new(
                    format!("{mv} mV / {ms} ms"),
                    (x0, y0 - 0.06 * (top - bottom)),
                    (FONT, 13).into_font(),
                )])
                .map_err(|e| e.to_string())?;
        }
        Kind::Trend => {
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
        }
        Kind::ExerciseChart => {
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
        }
    }
    root.present().map_err(|e| e.to_string())
}

/// The legend box every chart uses.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
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

fn render(kind: Kind, rec: &Recording, test: &TestMeasures, tr: &Traces) -> Result<Plot> {
    register_font();
    let stem = std::path::Path::new(&test.file)
        .file_stem()
        .map(|s| clean(&s.to_string_lossy()).replace(' ', "_"))
        .unwrap_or_else(|| "test".to_string());
    let name = format!("{stem}_{}", kind_suffix(kind));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, rec, test, tr).map_err(|e| plot_err(&name, e))?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, rec, test, tr).map_err(|e| plot_err(&name, e))?;
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
    let tr = display_traces(rec);
    let kinds: &[Kind] = match test.protocol {
        Protocol::Rns => &[Kind::Stack, Kind::Superimposed, Kind::Trend],
        Protocol::Hfrns => &[Kind::Trend, Kind::Superimposed, Kind::Stack],
        Protocol::Exercise => &[Kind::ExerciseOverlay, Kind::ExerciseChart, Kind::Stack],
    };
    kinds.iter().map(|k| render(*k, rec, test, &tr)).collect()
}
