//! What every plot shares: the embedded font, sizes, colours, the legend,
//! the scale bar, and cleaning text that comes from input files.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) const FONT: &str = "sans-serif";
pub(super) const WIDTH: u32 = 900;
pub(super) const HEIGHT: u32 = 560;

pub(super) type Area<'a, DB> = DrawingArea<DB, Shift>;
pub(super) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// What drawing returns: plotters' errors, as text.
pub(super) type Drawn = std::result::Result<(), String>;

/// A plotters error as text.
pub(super) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(super) const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];
/// Mark colours: the baseline window, the onset and the negative peak.
pub(super) const BASELINE_COLOUR: RGBColor = RGBColor(255, 127, 14);
pub(super) const ONSET_COLOUR: RGBColor = RGBColor(44, 160, 44);
pub(super) const PEAK_COLOUR: RGBColor = RGBColor(214, 39, 40);
/// Marks set by hand: hollow, in a colour of their own, so a moved marker
/// is seen at a glance beside the automatic ones.
pub(super) const MANUAL_COLOUR: RGBColor = RGBColor(148, 0, 211);
pub(super) const GRID_COLOUR: RGBColor = RGBColor(235, 235, 235);
/// A line that decides (an abnormal decrement, an increment specific for
/// LEMS): one colour on every chart, so a cut-off reads the same on the
/// trend, the exercise chart and the series.
pub(super) const CRITERION_COLOUR: RGBColor = RGBColor(214, 39, 40);
/// A line that only suggests (the 60% increment suggestive of LEMS).
pub(super) const SUGGESTIVE_COLOUR: RGBColor = RGBColor(255, 127, 14);

#[cfg(not(target_arch = "wasm32"))]
static REGISTER: std::sync::Once = std::sync::Once::new();

/// Registers the embedded DejaVu Sans once, so nothing depends on system
/// font libraries.
pub(super) fn register_font() {
    // In a browser plotters measures text with the page's canvas, and the
    // browser draws the SVG's text: there is nothing to register.
    #[cfg(not(target_arch = "wasm32"))]
    REGISTER.call_once(|| {
        // The font is compiled in; registering it cannot meet a missing file.
        use plotters::style::{register_font, FontStyle};
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A readable label: plot text comes from input files.
pub(super) fn clean(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_alphanumeric() || " _-.:()%/".contains(*c))
        .take(40)
        .collect()
}

/// A round step (1, 2 or 5 times a power of ten) near a quarter of `span`.
pub(super) fn nice_step(span: f64) -> f64 {
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

/// The legend box every chart uses, in its upper right corner (the plots
/// leave room there).
pub(super) fn draw_legend<'a, DB: DrawingBackend + 'a>(chart: &mut Chart<'a, DB>) -> Drawn {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .draw()
        .map_err(err)
}

/// A short line of the series colour, for the legend.
pub(super) fn swatch(colour: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour)
}

/// A horizontal threshold line across the chart, named in the legend.
pub(super) fn draw_threshold<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    (x0, x1): (f64, f64),
    y: f64,
    colour: RGBColor,
    label: String,
) -> Drawn {
    chart
        .draw_series(LineSeries::new([(x0, y), (x1, y)], colour.stroke_width(1)))
        .map_err(err)?
        .label(label)
        .legend(swatch(colour));
    Ok(())
}

/// Scale bar in the lower right: nice mV and ms steps, the text to its
/// left.
pub(super) fn draw_scale_bar<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    mv: f64,
    (t_lo, t_hi): (f64, f64),
    y0: f64,
) -> Drawn {
    let ms = nice_step(0.5 * (t_hi - t_lo));
    let x0 = t_hi - 0.05 * (t_hi - t_lo) - ms;
    chart
        .draw_series([PathElement::new(
            [(x0, y0 + mv), (x0, y0), (x0 + ms, y0)],
            BLACK.stroke_width(2),
        )])
        .map_err(err)?;
    let style = (FONT, 13)
        .into_font()
        .into_text_style(chart.plotting_area())
        .pos(Pos::new(HPos::Right, VPos::Center));
    chart
        .draw_series([Text::new(
            format!("{mv} mV / {ms} ms"),
            (x0 - 0.01 * (t_hi - t_lo), y0 + 0.5 * mv),
            style,
        )])
        .map_err(err)?;
    Ok(())
}

/// Height of one legend row as a fraction of the plot's y range: the
/// range is extended by this much per row, so the legend covers no data.
pub(super) const LEGEND_ROW_FRACTION: f64 = 0.045;

/// Largest magnitude an axis spans. Plotters' tick search loops for ever on
/// ranges near `f64::MAX`; anything beyond this is off the chart anyway.
const AXIS_LIMIT: f64 = 1e9;

/// An axis range plotters can draw: finite, bounded and not empty.
pub(crate) fn axis(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let clamp = |v: f64, fallback: f64| {
        if v.is_finite() {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        } else {
            fallback
        }
    };
    let (lo, hi) = (clamp(lo, -1.0), clamp(hi, 1.0));
    if hi > lo {
        lo..hi
    } else {
        lo - 1.0..lo + 1.0
    }
}

#[cfg(test)]
mod axis_tests {
    use super::axis;

    #[test]
    fn axes_are_finite_bounded_and_not_empty() {
        assert_eq!(axis(1e299, 1e300), 1e9 - 1.0..1e9 + 1.0);
        assert_eq!(axis(f64::NAN, f64::INFINITY), -1.0..1.0);
        assert_eq!(axis(0.0, 10.0), 0.0..10.0);
        assert_eq!(axis(3.0, 3.0), 2.0..4.0);
    }
}
