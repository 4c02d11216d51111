//! Teach: one simulated test, analysed and drawn, for the controls of the
//! teaching view; the three tests of one simulated patient, read together,
//! for its quiz; and a simulated test's full report.

use nmjscope::model::{Pattern, Protocol, Recording, Study};
use nmjscope::render::plot::{plot_for_test_on_scale, PlotKind, TeachingScale};
use nmjscope::simulate::{
    simulate_endplate, simulate_recording, Condition, EndplateState, SimConfig,
};
use nmjscope::{render, Analysis, Analyzer, Error, Settings};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The limb temperature of the simulated recordings (°C): above the 32 °C
/// the criteria ask for.
pub(crate) const SIMULATED_LIMB_C: f64 = 33.0;

/// A healthy simulated CMAP's peak-to-peak against its negative peak: its
/// positive phase is half its negative (`docs/simulation.md`).
const HEALTHY_PEAK_TO_PEAK: f64 = 1.5;

/// One test as the teaching view shows it.
#[derive(Debug, Serialize)]
struct TestView {
    protocol: Protocol,
    rate_hz: Option<f64>,
    first_amplitude_mv: Option<f64>,
    /// The lower limit of normal the first CMAP is judged against (mV),
    /// its muscle and its source: the library's reference table, so the
    /// page quotes the number the reading used.
    lower_limit_mv: Option<f64>,
    limit_muscle: Option<String>,
    limit_source: Option<String>,
    /// Each response's amplitude change from the first (%), train order.
    change_pct: Vec<Option<f64>>,
    decrement_pct: Option<f64>,
    increment_pct: Option<f64>,
    area_increment_pct: Option<f64>,
    pseudofacilitation: Option<bool>,
    /// The response the decrement is measured at (1-based), and the
    /// thresholds the reading used: the report's settings.
    decrement_response: usize,
    decrement_abnormal_pct: f64,
    increment_suggestive_pct: f64,
    increment_specific_pct: f64,
    /// The trace stack and the measure against its criterion (the trend
    /// of a train, the increment chart of an exercise test), as SVG.
    stack_svg: String,
    chart_svg: String,
}

/// The library's reading of the simulated tests: their pattern,
/// conclusion, findings and caveats.
#[derive(Debug, Serialize)]
pub(crate) struct Reading {
    pattern: Pattern,
    summary: String,
    findings: Vec<String>,
    /// What limits the reading (a flagged train, a test not done).
    caveats: Vec<String>,
}

/// What the teaching view shows: one test and its reading.
#[derive(Debug, Serialize)]
struct TeachView {
    #[serde(flatten)]
    test: TestView,
    #[serde(flatten)]
    reading: Reading,
    /// The end plates at each response, averaged over the plates
    /// (`simulate_endplate`): quantal content, store available, safety
    /// factor, share failing.
    endplate: Vec<EndplateState>,
}

/// What the quiz shows: a slow train, a fast train and an exercise test
/// of one patient, and the reading of the three together.
#[derive(Debug, Serialize)]
struct StudyTeachView {
    tests: Vec<TestView>,
    #[serde(flatten)]
    reading: Reading,
}

/// A simulated test's report, as `nmjscope analyze` writes `report.html`.
#[derive(Debug, Serialize)]
pub(crate) struct ReportView {
    pub(crate) html: String,
}

/// Simulates one test (`condition`: `normal`, `mg` or `lems`; `protocol`:
/// `rns`, `hfrns` or `exercise`; `rate_hz` for trains), analyses it with
/// the default settings and draws it. JSON: see the crate docs.
#[wasm_bindgen]
pub fn teach(condition: &str, severity: f64, protocol: &str, rate_hz: f64, seed: u32) -> String {
    crate::reply(teach_view(
        condition,
        severity,
        protocol,
        rate_hz,
        u64::from(seed),
    ))
}

/// Simulates one patient's slow train (3 Hz), fast train (50 Hz) and
/// exercise test with the same seed, analyses them as one study and draws
/// each: the quiz. JSON: `tests` (each as [`teach`] gives it) and the
/// study's pattern, summary, findings and caveats.
#[wasm_bindgen]
pub fn teach_study(condition: &str, severity: f64, seed: u32) -> String {
    crate::reply(study_view(condition, severity, u64::from(seed)))
}

/// The full report (`report.html`) of the test [`teach`] shows for the
/// same controls. JSON: `html`.
#[wasm_bindgen]
pub fn teach_report(
    condition: &str,
    severity: f64,
    protocol: &str,
    rate_hz: f64,
    seed: u32,
) -> String {
    crate::reply((|| {
        let test = simulated(condition, severity, protocol, rate_hz, u64::from(seed))?;
        let analysis = analyse(condition, vec![test])?;
        let plots = render::plots(&analysis.report, &analysis.displays)?;
        let bytes = render::serialize(render::Format::Html, &analysis.report, &plots)?;
        Ok(ReportView {
            html: String::from_utf8_lossy(&bytes).into_owned(),
        })
    })())
}

fn teach_view(
    condition: &str,
    severity: f64,
    protocol: &str,
    rate_hz: f64,
    seed: u64,
) -> nmjscope::Result<TeachView> {
    let test = simulated(condition, severity, protocol, rate_hz, seed)?;
    let analysis = analyse(condition, vec![test])?;
    let mut tests = test_views(&analysis)?;
    let test = tests
        .pop()
        .ok_or_else(|| Error::Simulation("the simulation made no test".into()))?;
    let endplate = simulate_endplate(&config_of(condition, severity, protocol, rate_hz, seed)?)?;
    Ok(TeachView {
        test,
        reading: reading(analysis),
        endplate,
    })
}

fn study_view(condition: &str, severity: f64, seed: u64) -> nmjscope::Result<StudyTeachView> {
    let tests = [("rns", 3.0), ("hfrns", 50.0), ("exercise", 0.0)]
        .into_iter()
        .map(|(protocol, rate)| simulated(condition, severity, protocol, rate, seed))
        .collect::<nmjscope::Result<Vec<_>>>()?;
    let analysis = analyse(condition, tests)?;
    Ok(StudyTeachView {
        tests: test_views(&analysis)?,
        reading: reading(analysis),
    })
}

/// The simulator's settings for the teaching controls.
fn config_of(
    condition: &str,
    severity: f64,
    protocol: &str,
    rate_hz: f64,
    seed: u64,
) -> nmjscope::Result<SimConfig> {
    let condition: Condition = parse(condition, "condition")?;
    let protocol: Protocol = parse(protocol, "protocol")?;
    Ok(SimConfig {
        condition,
        severity,
        protocol,
        rate_hz: (protocol != Protocol::Exercise).then_some(rate_hz),
        seed,
        ..SimConfig::default()
    })
}

/// One simulated test, named for the student by what it is ("Slow
/// train"), not by a file: the findings name each test by its file.
fn simulated(
    condition: &str,
    severity: f64,
    protocol: &str,
    rate_hz: f64,
    seed: u64,
) -> nmjscope::Result<Recording> {
    let config = config_of(condition, severity, protocol, rate_hz, seed)?;
    let protocol = config.protocol;
    let mut recording = simulate_recording(&config)?;
    // A simulated limb is warm: without a temperature every reading would
    // carry the caveat that cooling hides a decrement, which is about
    // recording, not the physiology being taught.
    recording.temperature_c = Some(SIMULATED_LIMB_C);
    let name = match protocol {
        Protocol::Rns => "Slow train",
        Protocol::Hfrns => "Fast train",
        // Exercise, and any protocol added later.
        _ => "Exercise test",
    };
    recording.source.file_name = name.into();
    recording.source.path = name.into();
    Ok(recording)
}

fn analyse(condition: &str, tests: Vec<Recording>) -> nmjscope::Result<Analysis> {
    let study = Study {
        id: format!("teaching-{condition}"),
        path: "teaching".into(),
        tests,
        jitter: None,
    };
    Analyzer::new(Settings::default())?.analyze_with_display(&study)
}

/// Each test's measures and plots: the stack and the measure against its
/// criterion (the last plot of a test); the overlay is left out, a third
/// of the drawing time.
fn test_views(analysis: &Analysis) -> nmjscope::Result<Vec<TestView>> {
    let report = &analysis.report;
    let i = &report.settings.interpret;
    let mut views = Vec::new();
    for (test, display) in report.tests.iter().zip(&analysis.displays) {
        let kinds = PlotKind::for_protocol(test.protocol);
        // Every test on the healthy muscle's scale: a small CMAP (LEMS)
        // looks small beside a normal one, as on the machine's fixed gain.
        let scale = teaching_scale(test.muscle.as_deref(), test.protocol);
        let draw = |kind: Option<&PlotKind>| match kind {
            Some(k) if !test.responses.is_empty() => {
                plot_for_test_on_scale(*k, display, test, &report.settings, scale).map(|p| p.svg)
            }
            _ => Ok(String::new()),
        };
        let limit = test
            .muscle
            .as_deref()
            .and_then(|m| nmjscope::interpret::lower_limit(m, i));
        views.push(TestView {
            lower_limit_mv: limit.as_ref().map(|l| l.0),
            limit_muscle: test.muscle.clone(),
            limit_source: limit.map(|l| l.1),
            protocol: test.protocol,
            rate_hz: test.stim_rate_hz,
            first_amplitude_mv: test.first_amplitude_mv(),
            change_pct: test.change_pct.clone(),
            decrement_pct: test.decrement_pct,
            increment_pct: test.increment_pct,
            area_increment_pct: test.area_increment_pct,
            pseudofacilitation: test.pseudofacilitation,
            decrement_response: report.settings.train.decrement_response,
            decrement_abnormal_pct: i.decrement_abnormal_pct,
            increment_suggestive_pct: i.increment_suggestive_pct,
            increment_specific_pct: i.increment_specific_pct,
            stack_svg: draw(kinds.first())?,
            chart_svg: draw(kinds.last())?,
        });
    }
    Ok(views)
}

/// The change (%) every teaching chart of a protocol includes, so two
/// panels side by side share their axes (the library still widens a chart
/// whose data go further): a slow train's decrement to 60% (severe MG
/// reaches about 50%), a fast train's fall to 50% and increment to 300%,
/// an exercise test's increment to 300% (LEMS at severity 0.75: about
/// 230% after exercise, `docs/simulation.md`).
fn chart_change_pct(protocol: Protocol) -> (f64, f64) {
    match protocol {
        Protocol::Rns => (-60.0, 10.0),
        Protocol::Hfrns => (-50.0, 300.0),
        // Exercise, and any protocol added later.
        _ => (0.0, 300.0),
    }
}

/// A teaching view's scales for a test of `muscle` and `protocol`: the
/// healthy muscle's CMAP and the protocol's chart range.
pub(crate) fn teaching_scale(muscle: Option<&str>, protocol: Protocol) -> TeachingScale {
    TeachingScale {
        cmap_mv: nmjscope::simulate::muscle_profile(muscle.unwrap_or("ADM")).cmap_mv
            * HEALTHY_PEAK_TO_PEAK,
        chart_change_pct: chart_change_pct(protocol),
    }
}

pub(crate) fn reading(analysis: Analysis) -> Reading {
    let interpretation = analysis.report.interpretation;
    Reading {
        pattern: interpretation.pattern,
        summary: for_students(&interpretation.summary),
        findings: interpretation
            .findings
            .iter()
            .map(|f| for_students(&f.text))
            .collect(),
        caveats: interpretation
            .caveats
            .iter()
            .map(|c| for_students(c))
            .collect(),
    }
}

/// The report's words for a student: a flag's code ("irregular_train")
/// becomes its words, and the pointers a clinician follows into the docs
/// or the settings ("(docs/interpretation.md, Validity)",
/// "(train.decrement_response)") go.
fn for_students(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Each " (" is looked at in turn, nested ones too: a pointer goes up
    // to its ")", any other parenthesis stays and is read on.
    while let Some(open) = rest.find(" (") {
        let inside = &rest[open + 2..];
        let pointer = inside.find(')').map(|close| (close, &inside[..close]));
        match pointer {
            Some((close, p)) if p.starts_with("docs/") || is_settings_key(p) => {
                out.push_str(&rest[..open]);
                rest = &inside[close + 1..];
            }
            _ => {
                out.push_str(&rest[..open + 2]);
                rest = inside;
            }
        }
    }
    out.push_str(rest);
    out.split_inclusive(|c: char| !(c.is_ascii_lowercase() || c == '_'))
        .map(|word| {
            let (code, tail) = word.split_at(
                word.find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(word.len()),
            );
            match code
                .contains('_')
                .then(|| render::flag_code_words(code))
                .flatten()
            {
                Some(words) => format!("{words}{tail}"),
                None => word.to_string(),
            }
        })
        .collect()
}

/// `train.decrement_response`: a key of the settings file.
fn is_settings_key(text: &str) -> bool {
    text.split_once('.').is_some_and(|(table, key)| {
        !table.is_empty()
            && !key.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
    })
}

/// A control's value as its enum (the serde code the CLI flags use).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(code: &str, what: &str) -> nmjscope::Result<T> {
    serde_json::from_value(serde_json::Value::String(code.to_string()))
        .map_err(|_| Error::Simulation(format!("unknown {what} {code:?}")))
}
#[cfg(test)]
mod tests {
    use super::*;

    fn view(condition: &str, severity: f64, protocol: &str, rate: f64) -> serde_json::Value {
        serde_json::from_str(&teach(condition, severity, protocol, rate, 3)).unwrap()
    }

    #[test]
    fn each_protocol_draws_and_measures() {
        let rns = view("mg", 0.9, "rns", 3.0);
        assert_eq!(rns["ok"], true, "{rns}");
        assert!(rns["decrement_pct"].as_f64().unwrap() > 10.0);
        assert!(rns["stack_svg"].as_str().unwrap().starts_with("<svg"));
        let hf = view("lems", 0.9, "hfrns", 50.0);
        assert!(
            hf["increment_pct"].as_f64().unwrap() > 100.0,
            "{}",
            hf["increment_pct"]
        );
        let ex = view("normal", 0.0, "exercise", 0.0);
        assert!(ex["increment_pct"].as_f64().unwrap().abs() < 25.0);
    }

    #[test]
    fn students_read_words_not_codes_or_pointers() {
        assert_eq!(
            for_students("Decrement 26.3% in Slow train cannot be relied on: it is flagged irregular_train."),
            "Decrement 26.3% in Slow train cannot be relied on: it is flagged irregular train (steps up and down: check the stimulus and the electrodes)."
        );
        assert_eq!(
            for_students("a normal result cannot exclude LEMS (Hatanaka; nmjscope's own rule (docs/interpretation.md, Validity))."),
            "a normal result cannot exclude LEMS (Hatanaka; nmjscope's own rule)."
        );
        assert_eq!(
            for_students(
                "this report reads the 4th (train.decrement_response); the 5th (AAEM 2001)"
            ),
            "this report reads the 4th; the 5th (AAEM 2001)"
        );
    }

    #[test]
    fn a_bad_control_is_an_error_not_a_panic() {
        let bad = view("als", 0.5, "rns", 3.0);
        assert_eq!(bad["ok"], false);
        assert!(bad["error"]["message"].as_str().unwrap().contains("als"));
        assert_eq!(view("mg", 2.0, "rns", 3.0)["ok"], false);
    }

    #[test]
    fn the_findings_name_the_test_not_a_file() {
        let rns = view("mg", 0.9, "rns", 3.0);
        let text = format!("{} {}", rns["summary"], rns["findings"]);
        assert!(!text.contains(".csv"), "{text}");
        assert!(text.contains("Slow train"), "{text}");
    }

    #[test]
    fn a_patient_s_three_tests_read_together() {
        let read = |condition: &str| -> serde_json::Value {
            serde_json::from_str(&teach_study(condition, 0.6, 5)).unwrap()
        };
        let (mg, lems) = (read("mg"), read("lems"));
        assert_eq!(mg["tests"].as_array().unwrap().len(), 3, "{mg}");
        assert_eq!(mg["pattern"], "postsynaptic", "{}", mg["summary"]);
        assert_eq!(lems["pattern"], "presynaptic", "{}", lems["summary"]);
        assert!(mg["tests"][1]["stack_svg"]
            .as_str()
            .unwrap()
            .starts_with("<svg"));
    }

    #[test]
    fn a_simulated_test_s_report() {
        let r: serde_json::Value =
            serde_json::from_str(&teach_report("lems", 0.5, "hfrns", 50.0, 3)).unwrap();
        assert!(r["html"].as_str().unwrap().contains("<svg"), "{r}");
    }
}
