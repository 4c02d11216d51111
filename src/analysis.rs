//! The pipeline of one study: measure every response, evaluate every test,
//! interpret the study, and gather it all into a [`Report`].

use crate::interpret::interpret;
use crate::measure::Measurer;
use crate::model::{Polarity, Recording, Study};
use crate::protocol::{evaluate, TestMeasures};
use crate::report::{Report, StudyInfo, ToolInfo, SCHEMA};
use crate::settings::Settings;

/// Measures and evaluates one test, reusing the measurer's buffers.
pub fn analyze_recording(
    recording: &Recording,
    settings: &Settings,
    measurer: &mut Measurer,
) -> TestMeasures {
    let dt_ms = recording.dt_ms();
    let invert = recording.polarity == Polarity::Inverted;
    let responses = recording
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            measurer.measure(
                &settings.signal,
                &settings.measure,
                label,
                recording.trace(i).iter().copied(),
                recording.t0_ms,
                dt_ms,
                invert,
            )
        })
        .collect();
    evaluate(recording, responses, &settings.protocol)
}

/// Analyses a whole study into a report.
pub fn analyze_study(study: &Study, settings: &Settings) -> Report {
    let mut measurer = Measurer::new();
    let tests: Vec<TestMeasures> = study
        .tests
        .iter()
        .map(|r| analyze_recording(r, settings, &mut measurer))
        .collect();
    let interpretation = interpret(&tests, &settings.interpret);
    Report {
        schema: SCHEMA.to_string(),
        tool: ToolInfo::current(),
        study: StudyInfo {
            id: study.id.clone(),
            path: study.path.display().to_string(),
        },
        settings: settings.clone(),
        tests,
        interpretation,
    }
}
