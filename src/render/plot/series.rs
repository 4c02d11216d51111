//! The post-exercise series: the decrement of each low-rate train, at rest
//! and at each time after exercise, one bar each, against the decrement
//! threshold of the settings. Repair shows as a shorter bar right after
//! exercise, exhaustion as taller ones minutes later.

use plotters::prelude::*;

use super::exercise::{bar_chart, draw_bars};
use super::style::{draw_legend, draw_threshold, Area, Drawn, CRITERION_COLOUR};
use crate::model::{ExercisePhase, ExhaustionSeries};
use crate::settings::Settings;

/// A time point's label under its bar.
fn phase_label(p: ExercisePhase) -> String {
    match p {
        ExercisePhase::Rest => "rest".to_string(),
        ExercisePhase::Post { seconds: 0 } => "0 s".to_string(),
        ExercisePhase::Post { seconds } if seconds % 60 == 0 => format!("{} min", seconds / 60),
        ExercisePhase::Post { seconds } => format!("{seconds} s"),
    }
}

/// Draws the decrement of each train of the series.
pub(super) fn draw<DB: DrawingBackend>(
    root: &Area<'_, DB>,
    series: &ExhaustionSeries,
    settings: &Settings,
    title: String,
) -> Drawn {
    let points: Vec<(String, f64)> = series
        .points
        .iter()
        .filter_map(|p| p.decrement_pct.map(|d| (phase_label(p.phase), d)))
        .collect();
    let threshold = settings.interpret.decrement_abnormal_pct;
    let data_hi = points.iter().map(|p| p.1).fold(threshold * 2.0, f64::max) * 1.15;
    // Room below zero for the time labels, and above for the legend.
    let lo = points.iter().map(|p| p.1).fold(0.0, f64::min) * 1.1 - 0.12 * data_hi;
    let hi = data_hi * 1.15;
    let n = points.len().max(1) as f64;
    let axes = (
        "low-rate train: at rest, then time after exercise",
        "decrement (%)",
    );
    let mut chart = bar_chart(root, title, (n, lo, hi), axes)?;
    draw_bars(&mut chart, &points, (lo, hi), crate::words::pct)?;
    draw_threshold(
        &mut chart,
        (0.0, n),
        threshold,
        CRITERION_COLOUR,
        format!("{threshold}% (abnormal decrement)"),
    )?;
    draw_legend(&mut chart)
}
