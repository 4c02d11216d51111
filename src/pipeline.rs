//! The one place a study is analysed: measure every response, evaluate
//! every test, interpret the study, gather it into a [`Report`], and hand
//! the plots what to draw ([`TestDisplay`]: each response less the baseline
//! its measurement removed, keyed by label, with its marks), so that plots
//! never measure.

pub mod jitter;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{Error, Location, Result};
use crate::interpret::interpret_study;
use crate::io::{read_study, ReadOptions};
use crate::measure::{Measurer, Sweep};
use crate::model::{
    is_identifying, DisplayTrace, Flag, MarkersUsed, Polarity, Recording, Report, ResponseLabel,
    ResponseMeasures, Study, StudyInfo, TestDisplay, TestMeasures, ToolInfo, SCHEMA,
};
use crate::settings::Settings;
use crate::train::evaluate;

/// No surface CMAP reaches this negative peak (mV); a larger one means the
/// values are in another unit (microvolts written as millivolts, most often).
pub const MAX_CMAP_MV: f64 = 50.0;

/// Analyses studies with one set of settings.
///
/// ```
/// use nmjscope::pipeline::Analyzer;
/// use nmjscope::simulate::{simulate_study, Condition, SimConfig};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sim = SimConfig { condition: Condition::Mg, severity: 0.7, seed: 2, ..SimConfig::default() };
/// let study = simulate_study(&sim)?.study;
/// let mut settings = nmjscope::Settings::default();
/// settings.train.decrement_response = 5;
/// let analysis = Analyzer::new(settings)?.analyze_with_display(&study)?;
/// assert_eq!(analysis.report.interpretation.pattern.code(), "postsynaptic");
/// assert_eq!(analysis.displays.len(), study.tests.len());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    settings: Settings,
    identified: bool,
}

/// A report and what its plots draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The report.
    pub report: Report,
    /// One display per test, in the report's order.
    pub displays: Vec<TestDisplay>,
    /// One display per jitter pair, in the order of `report.jitter`'s
    /// muscles and pairs (empty without jitter).
    pub jitter_displays: Vec<jitter::PairDisplay>,
}

impl Analysis {
    /// The study's jitter with what its plots draw, for the jitter report
    /// set (`render::jitter::jitter_report_set`); `None` without jitter.
    pub fn jitter(&self) -> Option<jitter::JitterAnalysis> {
        self.report
            .jitter
            .as_ref()
            .map(|report| jitter::JitterAnalysis {
                report: report.clone(),
                displays: self.jitter_displays.clone(),
            })
    }
}

impl Analyzer {
    /// An analyzer with `settings`.
    ///
    /// # Errors
    ///
    /// [`Error::Settings`] when a setting is out of its range.
    pub fn new(settings: Settings) -> Result<Analyzer> {
        settings.validate(Path::new("<settings>"))?;
        Ok(Analyzer {
            settings,
            identified: false,
        })
    }

    /// Whether reports carry the identifying metadata
    /// ([`crate::model::is_identifying`]: name, record number, birth
    /// date and the like). Off by default: a report is de-identified unless asked.
    pub fn identified(mut self, identified: bool) -> Analyzer {
        self.identified = identified;
        self
    }

    /// The settings every analysis uses (and every report echoes).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Analyses a study into a report.
    ///
    /// # Errors
    ///
    /// [`Error::Implausible`] when a test's CMAP is larger than any CMAP can
    /// be (values in the wrong unit).
    pub fn analyze(&self, study: &Study) -> Result<Report> {
        Ok(self.analyze_parts(study)?.0)
    }

    /// The report and its jitter pairs' displays.
    fn analyze_parts(&self, study: &Study) -> Result<(Report, Vec<jitter::PairDisplay>)> {
        let (mut report, jitter_displays) = study_parts(study, &self.settings)?;
        if self.identified {
            report.study.identifying = identifying(study);
        }
        Ok((report, jitter_displays))
    }

    /// Analyses a study, with the display traces its plots draw.
    ///
    /// # Errors
    ///
    /// As [`Analyzer::analyze`].
    pub fn analyze_with_display(&self, study: &Study) -> Result<Analysis> {
        let (report, jitter_displays) = self.analyze_parts(study)?;
        let displays = study
            .tests
            .iter()
            .zip(&report.tests)
            .map(|(rec, test)| display(rec, test))
            .collect();
        Ok(Analysis {
            report,
            displays,
            jitter_displays,
        })
    }

    /// Reads a study (a directory, or one file) and analyses it.
    ///
    /// # Errors
    ///
    /// Any reading error, naming the file, line and column; then as
    /// [`Analyzer::analyze`].
    pub fn analyze_path(&self, path: &Path, options: &ReadOptions) -> Result<Report> {
        self.analyze(&read_study(path, options)?)
    }
}

/// Measures and evaluates one test, reusing the measurer's buffers; the
/// markers a person set on its responses (`Recording::markers`) replace
/// the automatic ones they name.
pub fn analyze_recording(
    recording: &Recording,
    settings: &Settings,
    measurer: &mut Measurer,
) -> TestMeasures {
    let dt_ms = recording.dt_ms();
    let inverted = recording.polarity == Polarity::Inverted;
    let mut samples = Vec::new();
    let responses: Vec<ResponseMeasures> = recording
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let row = recording.trace(i);
            // Rows of a standard-layout array are contiguous: a slice reads
            // faster than the general view.
            let slice = match row.as_slice() {
                Some(s) => s,
                None => {
                    samples = row.to_vec();
                    &samples
                }
            };
            let sweep = Sweep {
                label,
                samples_mv: slice,
                t0_ms: recording.t0_ms,
                dt_ms,
                inverted,
            };
            let marks = recording
                .markers
                .as_ref()
                .and_then(|m| m.entry_for(i, label));
            measurer.measure_marked(&sweep, &settings.signal, &settings.measure, marks)
        })
        .collect();
    let automatic = recording
        .markers
        .is_some()
        .then(|| automatic_reading(recording, &responses, &settings.train));
    let mut test = evaluate(recording, responses, &settings.train);
    test.automatic = automatic;
    test
}

/// The decrement and increment the automatic markers give: the responses
/// with their automatic amplitudes back and no exclusion.
fn automatic_reading(
    recording: &Recording,
    responses: &[ResponseMeasures],
    train: &crate::train::TrainConfig,
) -> crate::model::AutomaticReading {
    let automatic = responses
        .iter()
        .cloned()
        .map(|mut r| {
            if let Some(m) = r.manual.take() {
                r.amplitude_mv = m.automatic_amplitude_mv;
                r.flags
                    .retain(|f| !matches!(f, Flag::Excluded | Flag::MarkImplausible));
            }
            r
        })
        .collect();
    let t = evaluate(recording, automatic, train);
    crate::model::AutomaticReading {
        decrement_pct: t.decrement_pct,
        increment_pct: t.increment_pct,
    }
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
    Ok(study_parts(study, settings)?.0)
}

/// [`analyze_study`], with the displays of its jitter pairs.
fn study_parts(study: &Study, settings: &Settings) -> Result<(Report, Vec<jitter::PairDisplay>)> {
    let mut measurer = Measurer::new();
    let mut tests = Vec::with_capacity(study.tests.len());
    for r in &study.tests {
        let t = analyze_recording(r, settings, &mut measurer);
        check_plausible(r, &t)?;
        tests.push(t);
    }
    crate::train::series::link_post_exercise(&mut tests, &settings.train);
    let indication = first_metadata(study, "indication");
    // Jitter is judged on its own, then joins the study's reading.
    let (jitter, jitter_displays) = match &study.jitter {
        Some(input) => {
            // The jitter files' own age first, else the CMAP tests' `age`.
            let age = first_metadata(study, "age")
                .and_then(|a| a.trim().parse::<f64>().ok())
                .filter(|a| (0.0..=120.0).contains(a) && input.age_years.is_none());
            let a = jitter::analyze_jitter(input, age, settings)?;
            (Some(a.report), a.displays)
        }
        None => (None, Vec::new()),
    };
    let reading = interpret_study(
        &mut tests,
        settings.train.decrement_response,
        &settings.interpret,
        indication.as_deref(),
        jitter.as_ref(),
    );
    let interpretation = reading.interpretation;
    let report = Report {
        schema: SCHEMA.to_string(),
        tool: ToolInfo::current(),
        study: StudyInfo {
            id: study.id.clone(),
            path: study.path.display().to_string(),
            date: first_metadata(study, "date"),
            examiner: first_metadata(study, "examiner"),
            indication,
            metadata: passthrough(study),
            identifying: BTreeMap::new(),
            markers: markers_used(study),
        },
        settings: settings.clone(),
        tests,
        series: reading.series,
        interpretation,
        jitter,
    };
    Ok((report, jitter_displays))
}

/// The markers files of a study's tests, with their hashes.
fn markers_used(study: &Study) -> Vec<MarkersUsed> {
    study
        .tests
        .iter()
        .filter_map(|t| {
            t.markers.as_ref().map(|m| MarkersUsed {
                test: t.source.file_name.clone(),
                file: m.file.clone(),
                hash: m.hash.clone(),
            })
        })
        .collect()
}

/// The first non-empty value of a metadata key among the study's files.
fn first_metadata(study: &Study, key: &str) -> Option<String> {
    study
        .tests
        .iter()
        .filter(|t| !t.source.withheld.iter().any(|k| k == key))
        .filter_map(|t| t.metadata.get(key))
        .find(|v| !v.trim().is_empty())
        .cloned()
}

/// Whether the report shows `key` in a field of its own (the recording's
/// own keys, as the input-contract writer lists them, and the record's),
/// so that it is not passed through again.
fn shown(key: &str) -> bool {
    // The spelling of the pyridostigmine flag, read as the record's key.
    crate::io::write::OWN_KEYS.contains(&key)
        || crate::io::is_record_key(key)
        || key == "pyridostigmine_h"
}

/// The metadata passed through to the report, the batch summary and
/// Python ([`crate::model::StudyInfo::metadata`]): never an identifying
/// key (the one judgement, [`is_identifying`], and the keys the reader
/// withheld).
fn passthrough(study: &Study) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for test in &study.tests {
        for (key, value) in &test.metadata {
            let hidden = is_identifying(key, &[]) || test.source.withheld.contains(key);
            let v = value.trim();
            if hidden || shown(key) || v.is_empty() {
                continue;
            }
            let seen = values.entry(key.clone()).or_default();
            if !seen.iter().any(|s| s == v) {
                seen.push(v.to_string());
            }
        }
    }
    values.into_iter().map(|(k, v)| (k, v.join("|"))).collect()
}

/// The identifying metadata of a study ([`crate::model::is_identifying`],
/// and the lab's keys its reader withheld), the first value of each key.
fn identifying(study: &Study) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for test in &study.tests {
        for (key, value) in &test.metadata {
            let withheld = is_identifying(key, &[]) || test.source.withheld.contains(key);
            if withheld && !value.trim().is_empty() {
                out.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    out
}

/// What the plots of one test draw: each measured response's samples less
/// the baseline (level and drift) its measurement removed, flipped where
/// the measurement found it inverted, found by label (never by position),
/// with its onset and negative peak.
pub fn display(recording: &Recording, test: &TestMeasures) -> TestDisplay {
    let n = recording.sweep_len();
    let times_ms: Vec<f64> = (0..n).map(|i| recording.time_ms(i)).collect();
    let declared = if recording.polarity == Polarity::Inverted {
        -1.0
    } else {
        1.0
    };
    // Each label's sweep, looked up once: a search per response made a
    // train of 64,000 responses take seconds.
    let index: HashMap<&ResponseLabel, usize> = recording
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l, i))
        .collect();
    let traces = test
        .responses
        .iter()
        .filter_map(|r| {
            let i = *index.get(&r.label)?;
            let found = if r.has(Flag::PolarityInverted) {
                -1.0
            } else {
                1.0
            };
            let values_mv: Vec<f64> = recording
                .trace(i)
                .iter()
                .zip(&times_ms)
                .map(|(v, t)| found * (declared * v - r.baseline_at(*t)))
                .collect();
            Some(display_trace(r, values_mv, &times_ms))
        })
        .collect();
    TestDisplay {
        file: test.file.clone(),
        times_ms,
        traces,
    }
}

/// A display trace with its marks: the onset on the trace, the negative
/// peak at its measured amplitude.
fn display_trace(r: &ResponseMeasures, values_mv: Vec<f64>, times_ms: &[f64]) -> DisplayTrace {
    let onset = r.onset_ms.map(|t| (t, value_at(&values_mv, times_ms, t)));
    let negative_peak = r.negative_peak_ms.zip(r.amplitude_mv).map(|(t, a)| (t, -a));
    DisplayTrace {
        label: r.label.clone(),
        values_mv,
        onset,
        negative_peak,
        baseline_window_ms: r.baseline_window_ms,
        manual_onset: set_by_hand(r, crate::model::Mark::Onset),
        manual_peak: set_by_hand(r, crate::model::Mark::NegativePeak),
        manual_baseline: set_by_hand(r, crate::model::Mark::Baseline),
        excluded: r.manual.as_ref().is_some_and(|m| m.excluded.is_some()),
    }
}

/// Whether `mark` of the response was set by hand.
fn set_by_hand(r: &ResponseMeasures, mark: crate::model::Mark) -> bool {
    r.manual.as_ref().is_some_and(|m| m.set.contains(&mark))
}

/// The trace's value at `t` (linear between samples).
fn value_at(values: &[f64], times: &[f64], t: f64) -> f64 {
    let (Some(&t0), Some(&t1)) = (times.first(), times.get(1)) else {
        return values.first().copied().unwrap_or(0.0);
    };
    let x = ((t - t0) / (t1 - t0)).max(0.0);
    let i = (x.floor() as usize).min(values.len().saturating_sub(1));
    let j = (i + 1).min(values.len().saturating_sub(1));
    let f = (x - i as f64).clamp(0.0, 1.0);
    values
        .get(i)
        .zip(values.get(j))
        .map_or(0.0, |(a, b)| a + f * (b - a))
}
