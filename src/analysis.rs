//! The pipeline of one study: measure every response, evaluate every test,
//! interpret the study, and gather it all into a [`Report`].

use crate::error::{Error, Location, Result};
use crate::interpret::interpret;
use crate::measure::{Flag, Measurer};
use crate::model::{Polarity, Recording, Study};
use crate::protocol::{evaluate, TestMeasures};
use crate::report::{Report, StudyInfo, ToolInfo, SCHEMA};
use crate::settings::Settings;

/// No surface CMAP reaches this negative peak (mV); a larger one means the
/// values are in another unit (microvolts written as millivolts, most often).
pub const MAX_CMAP_MV: f64 = 50.0;

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
            let row = recording.trace(i);
            // Rows of a standard-layout array are contiguous: a slice
            // iterates faster than the general view.
            let samples: Vec<f64>;
            let slice = match row.as_slice() {
                Some(s) => s,
                None => {
                    samples = row.to_vec();
                    &samples
                }
            };
            measurer.measure(
                &settings.signal,
                &settings.measure,
                label,
                slice.iter().copied(),
                recording.t0_ms,
                dt_ms,
                invert,
            )
        })
        .collect();
    evaluate(recording, responses, &settings.protocol)
}

/// Refuses a test whose CMAP is larger than any CMAP can be.
fn check_plausible(recording: &Recording, test: &TestMeasures) -> Result<()> {
    let too_big = test
        .responses
        .iter()
        .find(|r| !r.has(Flag::NoResponse) && r.amplitude_mv.is_some_and(|a| a > MAX_CMAP_MV));
    match too_big {
        None => Ok(()),
        Some(r) => Err(Error::Implausible {
            at: Location::file(&recording.source.path),
            detail: format!(
                "response {}: a negative peak of {:.1} mV is larger than any CMAP ({MAX_CMAP_MV} mV); if the values are in microvolts, declare `# units: uV` or pass --units uV",
                r.label,
                r.amplitude_mv.unwrap_or(0.0)
            ),
        }),
    }
}

/// Analyses a whole study into a report.
///
/// # Errors
///
/// [`Error::Implausible`] when a test's CMAP is larger than any CMAP can be
/// (values in the wrong unit).
pub fn analyze_study(study: &Study, settings: &Settings) -> Result<Report> {
    let mut measurer = Measurer::new();
    let mut tests = Vec::with_capacity(study.tests.len());
    for r in &study.tests {
        let t = analyze_recording(r, settings, &mut measurer);
        check_plausible(r, &t)?;
        tests.push(t);
    }
    let interpretation = interpret(
        &tests,
        settings.protocol.decrement_response,
        &settings.interpret,
    );
    Ok(Report {
        schema: SCHEMA.to_string(),
        tool: ToolInfo::current(),
        study: StudyInfo {
            id: study.id.clone(),
            path: study.path.display().to_string(),
        },
        settings: settings.clone(),
        tests,
        interpretation,
    })
}
