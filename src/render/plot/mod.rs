//! Plots a neurophysiologist expects, drawn with `plotters` into SVG
//! (strings, for inline HTML) and PNG (bytes). Negative is up, as on the
//! EMG machine's screen. Plots draw what the pipeline measured
//! ([`TestDisplay`], keyed by response label) and the thresholds of the
//! report's settings; they compute nothing.

mod exercise;
mod style;
mod traces;
mod trend;

use plotters::prelude::*;

use self::style::{clean, register_font, Area, Drawn, HEIGHT, WIDTH};
use super::Plot;
use crate::error::{Error, Result};
use crate::model::{Protocol, TestDisplay, TestMeasures};
use crate::settings::Settings;

/// What kind of plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stack,
    Superimposed,
    Trend,
    ExerciseOverlay,
    ExerciseChart,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Stack => "trace stack",
            Kind::Superimposed => "superimposed responses (first in red)",
            Kind::Trend => "amplitude and area across the train",
            Kind::ExerciseOverlay => "before and after exercise",
            Kind::ExerciseChart => "increment after exercise",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Kind::Stack => "stack",
            Kind::Superimposed => "superimposed",
            Kind::Trend => "trend",
            Kind::ExerciseOverlay => "overlay",
            Kind::ExerciseChart => "increment",
        }
    }
}

/// The plots of one test: a trace stack, superimposed responses and the
/// amplitude/area trend for trains; the before/after overlay and the
/// increment chart (with the facilitation curve) for exercise.
///
/// # Errors
///
/// [`Error::Plot`] naming the plot that could not be drawn.
pub fn plots_for_test(
    display: &TestDisplay,
    test: &TestMeasures,
    settings: &Settings,
) -> Result<Vec<Plot>> {
    if test.responses.is_empty() {
        return Ok(Vec::new());
    }
    let kinds: &[Kind] = match test.protocol {
        Protocol::Rns => &[Kind::Stack, Kind::Superimposed, Kind::Trend],
        // Every test in the same order: the traces stacked, then overlaid,
        // then the measure against its criterion.
        Protocol::Hfrns => &[Kind::Stack, Kind::Superimposed, Kind::Trend],
        _ => &[Kind::Stack, Kind::ExerciseOverlay, Kind::ExerciseChart],
    };
    let input = Input {
        display,
        test,
        settings,
    };
    kinds.iter().map(|k| render(*k, &input)).collect()
}

/// Everything a plot of one test draws from.
struct Input<'a> {
    display: &'a TestDisplay,
    test: &'a TestMeasures,
    settings: &'a Settings,
}

fn draw<DB: DrawingBackend>(root: &Area<'_, DB>, kind: Kind, input: &Input) -> Drawn {
    root.fill(&WHITE).map_err(style::err)?;
    let title = format!("{} - {}", clean(&input.test.file), kind.title());
    match kind {
        Kind::Trend => trend::draw(root, input.test, input.settings, title)?,
        Kind::ExerciseChart => exercise::draw(root, input.test, input.settings, title)?,
        _ => traces::draw(root, kind, input.test, input.display, title)?,
    }
    root.present().map_err(style::err)
}

fn render(kind: Kind, input: &Input) -> Result<Plot> {
    register_font();
    let stem = std::path::Path::new(&input.test.file)
        .file_stem()
        .map(|s| clean(&s.to_string_lossy()).replace(' ', "_"))
        .unwrap_or_else(|| "test".to_string());
    let name = format!("{stem}_{}", kind.suffix());
    let fail = |detail: String| Error::Plot {
        name: name.clone(),
        detail,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, input).map_err(fail)?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, kind, input).map_err(fail)?;
    }
    let png = encode_png(&rgb, WIDTH, HEIGHT).map_err(fail)?;
    Ok(Plot {
        title: format!("{}: {}", input.test.file, kind.title()),
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
