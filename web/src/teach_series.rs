//! Teach: the myasthenia work-up after exercise, one simulated muscle
//! followed through two trains at rest, a minute of exercise and trains at
//! 0-4 min (`simulate_exhaustion_series`), analysed as one study and drawn
//! for the teaching view: the series plot and the trains a student
//! compares.

use nmjscope::model::{ExercisePhase, Study};
use nmjscope::render::plot::{plot_for_series, plot_for_test_on_scale, PlotKind};
use nmjscope::simulate::{simulate_exhaustion_series, SimConfig};
use nmjscope::{render, Analyzer, Error, Settings};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::teach::{parse, reading, teaching_scale, Reading, SIMULATED_LIMB_C};

/// One train of the series, as the student reads it.
#[derive(Debug, Serialize)]
struct TrainView {
    /// "At rest", "Right after exercise", "2 min after exercise".
    label: String,
    /// Seconds after exercise (`null` at rest).
    seconds_after: Option<u32>,
    first_amplitude_mv: Option<f64>,
    decrement_pct: Option<f64>,
    /// The library does not rely on this train's decrement (a flag, no
    /// decrement): the series measures leave it out.
    flagged: bool,
    /// The train's stack, on the healthy muscle's scale.
    stack_svg: String,
}

/// What the series view shows.
#[derive(Debug, Serialize)]
struct SeriesView {
    trains: Vec<TrainView>,
    /// The train at rest the series measures start from (0-based): the
    /// first one at rest the library relies on, if any.
    rest_index: Option<usize>,
    /// Rest less immediately after (points), the largest decrement from
    /// 1 min on, its time and how far it is above rest: the library's
    /// series measures.
    repair_pp: Option<f64>,
    exhaustion_pct: Option<f64>,
    exhaustion_after_s: Option<u32>,
    exhaustion_pp: Option<f64>,
    /// The thresholds the reading used.
    decrement_abnormal_pct: f64,
    reproducible_within_pp: f64,
    decrement_response: usize,
    /// The decrement of each train against the threshold.
    series_svg: String,
    #[serde(flatten)]
    reading: Reading,
}

/// Simulates the post-exercise series of one muscle (`condition`:
/// `normal`, `mg` or `lems`), analyses it with the default settings and
/// draws it. JSON: `trains` (label, seconds after exercise, decrement,
/// stack), the series measures, `series_svg` and the reading.
#[wasm_bindgen]
pub fn teach_series(condition: &str, severity: f64, seed: u32) -> String {
    crate::reply(series_view(condition, severity, u64::from(seed)))
}

/// A train named for the student by when it was recorded.
fn label(phase: Option<ExercisePhase>, train: Option<u32>) -> String {
    match (phase, train) {
        (Some(ExercisePhase::Rest) | None, Some(n)) => format!("At rest, train {n}"),
        (Some(ExercisePhase::Rest) | None, None) => "At rest".into(),
        (Some(ExercisePhase::Post { seconds: 0 }), _) => "Right after exercise".into(),
        (Some(phase), _) => {
            let text = phase.to_string();
            let mut chars = text.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or(text)
        }
    }
}

/// The full report (`report.html`) of the series [`teach_series`] shows
/// for the same controls. JSON: `html`.
#[wasm_bindgen]
pub fn teach_series_report(condition: &str, severity: f64, seed: u32) -> String {
    crate::reply((|| {
        let (_, study) = series_study(condition, severity, u64::from(seed))?;
        let analysis = Analyzer::new(Settings::default())?.analyze_with_display(&study)?;
        let plots = render::plots(&analysis.report, &analysis.displays)?;
        let bytes = render::serialize(render::Format::Html, &analysis.report, &plots)?;
        Ok(crate::teach::ReportView {
            html: String::from_utf8_lossy(&bytes).into_owned(),
        })
    })())
}

/// The simulated series as a study, each train warm and named by when it
/// was recorded, as in `teach`.
fn series_study(condition: &str, severity: f64, seed: u64) -> nmjscope::Result<(SimConfig, Study)> {
    let config = SimConfig {
        condition: parse(condition, "condition")?,
        severity,
        seed,
        ..SimConfig::default()
    };
    let sim = simulate_exhaustion_series(&config)?;
    let tests = sim
        .study
        .tests
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            // The findings name a train and add when it was recorded
            // ("train 6 (3 min after exercise)"): the name is its number.
            r.temperature_c = Some(SIMULATED_LIMB_C);
            let name = format!("train {}", i + 1);
            r.source.file_name = name.clone();
            r.source.path = name.into();
            r
        })
        .collect();
    let study = Study {
        id: format!("teaching-{condition}-series"),
        path: "teaching".into(),
        tests,
        jitter: None,
    };
    Ok((config, study))
}

fn series_view(condition: &str, severity: f64, seed: u64) -> nmjscope::Result<SeriesView> {
    let (config, study) = series_study(condition, severity, seed)?;
    let analysis = Analyzer::new(Settings::default())?.analyze_with_display(&study)?;
    let report = &analysis.report;
    let series = report
        .series
        .exhaustion
        .first()
        .ok_or_else(|| Error::Simulation("the series was not read as one".into()))?;
    let mut trains = Vec::new();
    for (test, display) in report.tests.iter().zip(&analysis.displays) {
        let stack = if test.responses.is_empty() {
            String::new()
        } else {
            let s = &report.settings;
            let scale = teaching_scale(Some(&config.muscle), test.protocol);
            plot_for_test_on_scale(PlotKind::Stack, display, test, s, scale)?.svg
        };
        let point = series.points.iter().find(|p| p.file == test.file);
        trains.push(TrainView {
            label: label(test.record.exercise_phase, test.record.train),
            flagged: point.is_none_or(|p| p.flagged),
            seconds_after: test.record.exercise_phase.and_then(|p| p.seconds_after()),
            first_amplitude_mv: test.first_amplitude_mv(),
            decrement_pct: test.decrement_pct,
            stack_svg: stack,
        });
    }
    let i = &report.settings.interpret;
    let rest_index = trains
        .iter()
        .position(|t| t.seconds_after.is_none() && !t.flagged && t.decrement_pct.is_some());
    Ok(SeriesView {
        trains,
        rest_index,
        repair_pp: series.repair_pp,
        exhaustion_pct: series.exhaustion_pct,
        exhaustion_after_s: series.exhaustion_phase.and_then(|p| p.seconds_after()),
        exhaustion_pp: series.exhaustion_pp,
        decrement_abnormal_pct: i.decrement_abnormal_pct,
        reproducible_within_pp: i.reproducible_within_pp,
        decrement_response: report.settings.train.decrement_response,
        series_svg: plot_for_series(series, 0, &report.settings)?.svg,
        reading: reading(analysis),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(condition: &str, severity: f64) -> serde_json::Value {
        serde_json::from_str(&teach_series(condition, severity, 3)).unwrap()
    }

    #[test]
    fn an_mg_series_shows_repair_then_exhaustion_in_student_words() {
        let v = view("mg", 0.5);
        assert_eq!(v["ok"], true, "{v}");
        let trains = v["trains"].as_array().unwrap();
        assert_eq!(trains.len(), 7);
        let labels: Vec<&str> = trains
            .iter()
            .map(|t| t["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels[0], "At rest, train 1");
        assert_eq!(labels[2], "Right after exercise");
        assert_eq!(labels[4], "2 min after exercise");
        assert!(v["repair_pp"].as_f64().unwrap() > 3.0, "{}", v["repair_pp"]);
        let extra = v["exhaustion_pp"].as_f64().unwrap();
        assert!((3.0..15.0).contains(&extra), "{extra}");
        assert!(v["series_svg"].as_str().unwrap().starts_with("<svg"));
        assert!(trains[0]["stack_svg"].as_str().unwrap().starts_with("<svg"));
        let text = format!("{} {}", v["summary"], v["findings"]);
        assert!(!text.contains(".csv"), "{text}");
        assert!(
            text.contains("Low-rate decrement in train 1 (ADM, 3 Hz)"),
            "{text}"
        );
        assert_eq!(v["rest_index"], 0);
        assert_eq!(trains[0]["flagged"], false);
    }

    #[test]
    fn a_normal_series_stays_normal_and_a_bad_control_is_an_error() {
        let report: serde_json::Value =
            serde_json::from_str(&teach_series_report("mg", 0.5, 3)).unwrap();
        assert!(report["html"]
            .as_str()
            .unwrap()
            .contains("immediately after exercise"));
        let v = view("normal", 0.0);
        let worst = v["exhaustion_pct"].as_f64().unwrap();
        assert!(worst < 10.0, "{worst}");
        assert_eq!(view("als", 0.5)["ok"], false);
    }
}
