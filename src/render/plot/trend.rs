//! Amplitude and area across a train, as % of the first response, with the
//! decrement criterion from the settings.

use plotters::prelude::*;

use super::style::{
    draw_legend, draw_threshold, err, swatch, Area, Drawn, COLOURS, FONT, GRID_COLOUR,
};
use crate::model::{Protocol, TestMeasures};
use crate::settings::Settings;

/// Draws the trend of one train.
pub(super) fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    test: &TestMeasures,
    settings: &Settings,
    title: String,
) -> Drawn {
    let amps: Vec<(f64, f64)> = test
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
    let areas: Vec<(f64, f64)> = test
        .responses
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some(((i + 1) as f64, r.area_mv_ms? / area1? * 100.0)))
        .collect();
    let decrement = settings.interpret.decrement_abnormal_pct;
    let floor = 100.0 - decrement;
    let values = || amps.iter().chain(&areas).map(|p| p.1);
    let hi = values().fold(110.0, f64::max) * 1.05;
    let lo = values().fold(floor.min(80.0), f64::min) * 0.95;
    let n = test.responses.len().max(2) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18).into_font())
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..n + 0.5, super::style::axis(lo, hi))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("response")
        .y_desc("% of the first response")
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
    if test.protocol == Protocol::Rns {
        let label = format!(
            "{decrement}% decrement (abnormal beyond, response {})",
            settings.train.decrement_response
        );
        draw_threshold(&mut chart, (0.5, n + 0.5), floor, COLOURS[1], label)?;
    }
    draw_legend(&mut chart)
}
