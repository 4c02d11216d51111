//! Plots a neurophysiologist expects, drawn with `plotters` into SVG
//! (strings, for inline HTML) and PNG (bytes). Negative is up, as on the
//! EMG machine's screen. Plots draw what the pipeline measured
//! ([`TestDisplay`], keyed by response label) and the thresholds of the
//! report's settings; they compute nothing.

mod exercise;
mod jitter;
mod series;
mod style;
mod traces;
mod trend;

use plotters::prelude::*;

use self::style::{clean, register_font, Area, Drawn, HEIGHT, WIDTH};
use super::Plot;
use crate::error::{Error, Result};
use crate::model::{ExhaustionSeries, Protocol, TestDisplay, TestMeasures};
use crate::settings::Settings;

/// What kind of plot of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlotKind {
    /// The responses stacked, first at the top, negative up.
    Stack,
    /// The responses overlaid, the first in red.
    Superimposed,
    /// Amplitude and area of each response against the first, with the
    /// criterion (trains).
    Trend,
    /// The CMAP before exercise overlaid on those after it.
    ExerciseOverlay,
    /// The increment after exercise against the LEMS cut-offs.
    ExerciseChart,
}

impl PlotKind {
    /// The plots a test of `protocol` gets, in report order: every test
    /// shows its traces stacked, then overlaid, then its measure against
    /// the criterion.
    pub fn for_protocol(protocol: Protocol) -> &'static [PlotKind] {
        match protocol {
            Protocol::Rns | Protocol::Hfrns => {
                &[PlotKind::Stack, PlotKind::Superimposed, PlotKind::Trend]
            }
            _ => &[
                PlotKind::Stack,
                PlotKind::ExerciseOverlay,
                PlotKind::ExerciseChart,
            ],
        }
    }

    fn title(self) -> &'static str {
        match self {
            PlotKind::Stack => "trace stack",
            PlotKind::Superimposed => "superimposed responses (first in red)",
            PlotKind::Trend => "amplitude and area across the train",
            PlotKind::ExerciseOverlay => "before and after exercise",
            PlotKind::ExerciseChart => "increment after exercise",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            PlotKind::Stack => "stack",
            PlotKind::Superimposed => "superimposed",
            PlotKind::Trend => "trend",
            PlotKind::ExerciseOverlay => "overlay",
            PlotKind::ExerciseChart => "increment",
        }
    }
}

/// The plots of one test, named `<stem>_<kind>` ([`plot_stems`] gives
/// each test of a study its own stem): a trace stack, superimposed
/// responses and the amplitude/area trend for trains; the before/after
/// overlay and the increment chart (with the facilitation curve) for
/// exercise.
///
/// # Errors
///
/// [`Error::Plot`] naming the plot that could not be drawn.
pub fn plots_for_test(
    display: &TestDisplay,
    test: &TestMeasures,
    settings: &Settings,
    stem: &str,
) -> Result<Vec<Plot>> {
    if test.responses.is_empty() {
        return Ok(Vec::new());
    }
    let input = Input {
        display,
        test,
        settings,
        scale: None,
    };
    PlotKind::for_protocol(test.protocol)
        .iter()
        .map(|k| render(*k, &input, stem))
        .collect()
}

/// Longest file-name stem a plot keeps of its test's file.
const MAX_STEM_CHARS: usize = 40;

/// The file-name stem of each test's plots, unique within the study and
/// the same for the same files: the file's stem in letters, digits, `-`
/// and `_` (anything else `_`, at most [`MAX_STEM_CHARS`]); stems that
/// would collide gain the file's extension where it differs (`test.csv`
/// and `test.edf`: `test_csv`, `test_edf`), else their position (`a 1.csv`
/// and `a_1.csv`: `a_1`, `a_1_2`).
pub fn plot_stems(files: &[&str]) -> Vec<String> {
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(MAX_STEM_CHARS)
            .collect()
    };
    let split = |f: &str| {
        let path = std::path::Path::new(f);
        let stem = path
            .file_stem()
            .map_or_else(|| "test".into(), |s| s.to_string_lossy());
        let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
        (safe(&stem), ext.map(|e| safe(&e)))
    };
    let parts: Vec<(String, Option<String>)> = files.iter().map(|f| split(f)).collect();
    // Compared without case: a set copied to macOS, Windows or a FAT stick
    // would merge `A_1` and `a_1`.
    let fold = |s: &str| s.to_ascii_lowercase();
    let count = |stem: &str| parts.iter().filter(|(s, _)| fold(s) == fold(stem)).count();
    let same = |part: &(String, Option<String>)| {
        let key = |p: &(String, Option<String>)| (fold(&p.0), p.1.as_deref().map(fold));
        parts.iter().filter(|p| key(p) == key(part)).count()
    };
    let mut stems: Vec<String> = parts
        .iter()
        .map(|part| match part {
            // The extension tells them apart only where it differs.
            (stem, Some(ext)) if count(stem) > 1 && same(part) == 1 => format!("{stem}_{ext}"),
            (stem, _) => stem.clone(),
        })
        .collect();
    // A position suffix may itself be another file's stem (`a 1_2.csv`):
    // the next number no stem holds.
    let mut taken = std::collections::HashSet::new();
    for i in 0..stems.len() {
        if !taken.contains(&fold(&stems[i])) {
            taken.insert(fold(&stems[i]));
            continue;
        }
        let unique = (2..)
            .map(|n| format!("{}_{n}", stems[i]))
            .find(|s| !taken.contains(&fold(s)) && !stems.iter().any(|t| fold(t) == fold(s)))
            .unwrap_or_default();
        taken.insert(fold(&unique));
        stems[i] = unique;
    }
    stems
}

/// One plot of one test (a display that shows only some of
/// [`PlotKind::for_protocol`], as the web page's teaching view).
///
/// # Errors
///
/// [`Error::Plot`] naming the plot when it cannot be drawn.
pub fn plot_for_test(
    kind: PlotKind,
    display: &TestDisplay,
    test: &TestMeasures,
    settings: &Settings,
) -> Result<Plot> {
    let input = Input {
        display,
        test,
        settings,
        scale: None,
    };
    render(kind, &input, &plot_stems(&[&test.file])[0])
}

/// The fixed scales of a teaching view: every test is drawn on them, so two
/// tests side by side compare by eye, where a report fits each test to its
/// own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TeachingScale {
    /// The smallest CMAP the trace plots' scale is made for (mV): the
    /// healthy muscle's, so a small CMAP looks small beside a normal one,
    /// as on the machine's fixed gain.
    pub cmap_mv: f64,
    /// The change from the first response (%) the charts always include,
    /// lowest and highest (a trend chart draws 100 + it).
    pub chart_change_pct: (f64, f64),
}

/// As [`plot_for_test`], on a teaching view's fixed scales.
///
/// # Errors
///
/// As [`plot_for_test`].
pub fn plot_for_test_on_scale(
    kind: PlotKind,
    display: &TestDisplay,
    test: &TestMeasures,
    settings: &Settings,
    scale: TeachingScale,
) -> Result<Plot> {
    let input = Input {
        display,
        test,
        settings,
        scale: Some(scale),
    };
    render(kind, &input, &plot_stems(&[&test.file])[0])
}

/// Everything a plot of one test draws from.
struct Input<'a> {
    display: &'a TestDisplay,
    test: &'a TestMeasures,
    settings: &'a Settings,
    /// A teaching view's fixed scales (none in a report).
    scale: Option<TeachingScale>,
}

/// One picture: a plot of a test, or of a study's post-exercise series.
enum Picture<'a> {
    Test(PlotKind, &'a Input<'a>),
    Series(&'a ExhaustionSeries, &'a Settings),
    JitterSweeps(&'a crate::pipeline::jitter::SweepsDisplay),
    JitterIpis(
        &'a crate::pipeline::jitter::PairDisplay,
        Option<&'a crate::model::PairMeasures>,
    ),
    JitterPairs(&'a crate::model::MuscleJitter),
}

fn draw<DB: DrawingBackend>(root: &Area<'_, DB>, picture: &Picture, title: &str) -> Drawn {
    root.fill(&WHITE).map_err(style::err)?;
    let title = title.to_string();
    match *picture {
        Picture::Test(PlotKind::Trend, input) => {
            let span = input.scale.map(|s| s.chart_change_pct);
            trend::draw(root, input.test, input.settings, span, title)?
        }
        Picture::Test(PlotKind::ExerciseChart, input) => {
            let span = input.scale.map(|s| s.chart_change_pct);
            exercise::draw(root, input.test, input.settings, span, title)?
        }
        Picture::Test(kind, input) => traces::draw(
            root,
            kind,
            (input.test, input.display),
            input.scale.map(|s| s.cmap_mv),
            title,
        )?,
        Picture::Series(series, settings) => series::draw(root, series, settings, title)?,
        Picture::JitterSweeps(s) => jitter::draw_sweeps(root, s, title)?,
        Picture::JitterIpis(d, m) => jitter::draw_ipis(root, d, m, title)?,
        Picture::JitterPairs(m) => jitter::draw_pairs(root, m, title)?,
    }
    root.present().map_err(style::err)
}

/// The plot of the post-exercise series of one muscle (`index` tells
/// several apart): the decrement of each train against the threshold.
///
/// # Errors
///
/// [`Error::Plot`] when it cannot be drawn.
pub fn plot_for_series(
    series: &ExhaustionSeries,
    index: usize,
    settings: &Settings,
) -> Result<Plot> {
    let muscle = series.muscle.as_deref().map(clean).unwrap_or_default();
    let title = format!("{muscle} - decrement before and after exercise")
        .trim_start_matches(" - ")
        .to_string();
    let name = format!("series{}_decrement", index + 1);
    picture(&Picture::Series(series, settings), name, title)
}

/// The plots of a jitter study: per muscle, each pair's jitter against
/// the limits; per pair, its intervals, and its sweeps superimposed when it
/// was measured from sweeps. Names are `jitter<m>_pairs`,
/// `jitter<m>_pair<k>_ipi`, `jitter<m>_pair<k>_sweeps` (muscle and pair by
/// position: pair names come from files).
///
/// # Errors
///
/// [`Error::Plot`] naming the plot when it cannot be drawn.
pub fn plots_for_jitter(analysis: &crate::pipeline::jitter::JitterAnalysis) -> Result<Vec<Plot>> {
    let mut out = Vec::new();
    let mut displays = analysis.displays.iter();
    for (mi, m) in analysis.report.muscles.iter().enumerate() {
        let muscle = clean(&m.muscle);
        out.push(jitter_pairs_plot(m, mi)?);
        for (pi, (p, d)) in m.pairs.iter().zip(displays.by_ref()).enumerate() {
            let id = clean(&p.id);
            out.push(picture(
                &Picture::JitterIpis(d, Some(p)),
                format!("jitter{}_pair{}_ipi", mi + 1, pi + 1),
                format!("{muscle} pair {id} - intervals"),
            )?);
            if let Some(s) = &d.sweeps {
                out.push(picture(
                    &Picture::JitterSweeps(s),
                    format!("jitter{}_pair{}_sweeps", mi + 1, pi + 1),
                    format!("{muscle} pair {id} - superimposed sweeps"),
                )?);
            }
        }
    }
    Ok(out)
}

/// Each muscle's jitter per pair against its limits: the jitter plot a
/// study's report draws (the intervals and sweeps of each pair are in the
/// jitter report set).
///
/// # Errors
///
/// [`Error::Plot`] naming the plot when it cannot be drawn.
pub fn plots_for_jitter_muscles(report: &crate::model::JitterReport) -> Result<Vec<Plot>> {
    report
        .muscles
        .iter()
        .enumerate()
        .map(|(mi, m)| jitter_pairs_plot(m, mi))
        .collect()
}

fn jitter_pairs_plot(m: &crate::model::MuscleJitter, mi: usize) -> Result<Plot> {
    picture(
        &Picture::JitterPairs(m),
        format!("jitter{}_pairs", mi + 1),
        format!("{} - jitter of each pair", clean(&m.muscle)),
    )
}

fn render(kind: PlotKind, input: &Input, stem: &str) -> Result<Plot> {
    let name = format!("{stem}_{}", kind.suffix());
    let title = format!("{} - {}", clean(&input.test.file), kind.title());
    let mut plot = picture(&Picture::Test(kind, input), name, title)?;
    plot.title = format!("{}: {}", input.test.file, kind.title());
    Ok(plot)
}

/// Draws `picture` as SVG, and as PNG with the `png` feature.
fn picture(picture: &Picture, name: String, title: String) -> Result<Plot> {
    register_font();
    let fail = |detail: String| Error::Plot {
        name: name.clone(),
        detail,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, picture, &title).map_err(fail)?;
    }
    #[cfg(feature = "png")]
    let png = {
        let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
            draw(&root, picture, &title).map_err(fail)?;
        }
        encode_png(&rgb, WIDTH, HEIGHT).map_err(fail)?
    };
    #[cfg(not(feature = "png"))]
    let png = Vec::new();
    Ok(Plot {
        title,
        name,
        svg,
        png,
    })
}

#[cfg(feature = "png")]
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

#[cfg(test)]
mod stem_tests {
    use super::plot_stems;

    #[test]
    fn every_test_gets_a_stem_of_its_own() {
        assert_eq!(
            plot_stems(&[
                "1_rns_3hz.csv",
                "test.csv",
                "test.edf",
                "a 1.csv",
                "a_1.csv"
            ]),
            ["1_rns_3hz", "test_csv", "test_edf", "a_1", "a_1_2"]
        );
        // Long names sharing their first 40 characters, and names of
        // other scripts.
        let long = ["x".repeat(50) + "1.csv", "x".repeat(50) + "2.csv"];
        let stems = plot_stems(&[&long[0], &long[1], "mésure:1.csv"]);
        assert_eq!(stems[0], "x".repeat(40));
        assert_eq!(stems[1], "x".repeat(40) + "_2");
        assert_eq!(stems[2], "m_sure_1");
        // A position suffix that is another file's stem.
        let stems = plot_stems(&[
            "a 1.csv",
            "a 1_2.csv",
            "a_1.csv",
            "a__2.csv",
            "a|.csv",
            "a~.csv",
        ]);
        let unique: std::collections::HashSet<&String> = stems.iter().collect();
        assert_eq!(unique.len(), stems.len(), "{stems:?}");
        // The same files, the same stems.
        assert_eq!(
            plot_stems(&["b.csv", "b.edf"]),
            plot_stems(&["b.csv", "b.edf"])
        );
    }
}
