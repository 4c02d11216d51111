//! Amplitude and area across a train, as % of the first response, with the
//! decrement criterion from the settings.

use plotters::prelude::*;

use super::style::{
    draw_legend, draw_threshold, err, swatch, Area, Drawn, COLOURS, CRITERION_COLOUR, FONT,
    GRID_COLOUR, LEGEND_ROW_FRACTION, SUGGESTIVE_COLOUR,
};
use crate::model::{Protocol, TestMeasures};
use crate::settings::Settings;

/// Draws the trend of one train.
pub(super) fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    test: &TestMeasures,
    settings: &Settings,
    span_change_pct: Option<(f64, f64)>,
    title: String,
) -> Drawn {
    let (amps, areas) = series(test);
    let lines = criterion_lines(test, settings);
    let floor = 100.0 - settings.interpret.decrement_abnormal_pct;
    let values = || {
        amps.iter()
            .chain(&areas)
            .map(|p| p.1)
            .chain(lines.iter().map(|l| l.0))
            // A teaching view's fixed range, as % of the first.
            .chain(
                span_change_pct
                    .into_iter()
                    .flat_map(|(lo, hi)| [100.0 + lo, 100.0 + hi]),
            )
    };
    let data_hi = values().fold(110.0, f64::max) * 1.05;
    let lo = values().fold(floor.min(80.0), f64::min) * 0.95;
    // Room above the data for the legend (series and lines), so it hides
    // no point.
    let rows = 2.0 + lines.len() as f64;
    let hi = data_hi + LEGEND_ROW_FRACTION * 1.6 * rows * (data_hi - lo);
    let n = test.responses.len().max(2);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..n as f64 + 0.5, super::style::axis(lo, hi))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("response")
        .y_desc("% of the first response")
        .x_labels(n.min(12))
        // Responses are counted: 1, 2, 3, never 1.0.
        .x_label_formatter(&|x| crate::words::whole(*x))
        .y_label_formatter(&|y| crate::words::whole(*y))
        .label_style((FONT, 13))
        .light_line_style(GRID_COLOUR)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(amps.clone(), COLOURS[0].stroke_width(2)))
        .map_err(err)?
        .label("amplitude")
        .legend(swatch(COLOURS[0]));
    chart
        .draw_series(amps.iter().map(|p| Circle::new(*p, 4, COLOURS[0].filled())))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(areas, COLOURS[2].stroke_width(2)))
        .map_err(err)?
        .label("area")
        .legend(swatch(COLOURS[2]));
    for (y, label, colour) in lines {
        draw_threshold(&mut chart, (0.5, n as f64 + 0.5), y, colour, label)?;
    }
    draw_legend(&mut chart)
}

/// Amplitude and area of each response as % of the first, by response
/// number.
type Series = Vec<(f64, f64)>;

fn series(test: &TestMeasures) -> (Series, Series) {
    let amps = test
        .change_pct
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| ((i + 1) as f64, 100.0 + c)))
        .collect();
    let area1 = test
        .responses
        .first()
        .and_then(|r| r.area_mv_ms)
        .filter(|a| *a > 0.0);
    let areas = test
        .responses
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some(((i + 1) as f64, r.area_mv_ms? / area1? * 100.0)))
        .collect();
    (amps, areas)
}

/// The criterion lines of a protocol, from the settings: the decrement
/// floor at low rate, the LEMS increments at high rate.
fn criterion_lines(test: &TestMeasures, settings: &Settings) -> Vec<(f64, String, RGBColor)> {
    let i = &settings.interpret;
    let decrement = i.decrement_abnormal_pct;
    match test.protocol {
        Protocol::Rns => vec![(
            100.0 - decrement,
            format!(
                "{decrement}% decrement (abnormal beyond, response {})",
                settings.train.decrement_response
            ),
            CRITERION_COLOUR,
        )],
        Protocol::Hfrns => vec![
            (
                100.0 + i.increment_suggestive_pct,
                format!(
                    "{}% increment (suggestive of LEMS)",
                    i.increment_suggestive_pct
                ),
                SUGGESTIVE_COLOUR,
            ),
            (
                100.0 + i.increment_specific_pct,
                format!(
                    "{}% increment (specific for LEMS)",
                    i.increment_specific_pct
                ),
                CRITERION_COLOUR,
            ),
        ],
        _ => Vec::new(),
    }
}
