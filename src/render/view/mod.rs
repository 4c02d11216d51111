//! Words for people: the report as a reader sees it, shared by the text,
//! Markdown and HTML writers so they say the same thing with the same
//! rounding. Codes (`u_shaped`, `not_tested`, `post_0s`) stay in the JSON
//! and CSV; here every one becomes words, amplitudes get 2 decimals and
//! percentages 1 (never "-0.0").

use serde::Serialize;

mod words;

pub use words::flag_code_words;

use crate::interpret::ordinal;
use crate::model::{PartStatus, Protocol, Report, TestMeasures, Validity, ValidityCode};
use crate::settings::Settings;
pub(crate) use crate::words::{mv, number, pct, signed, signed_pct};

use super::references::References;
pub(crate) use words::{flag_words, label_words, lems_words, pattern_words};
use words::{protocol_words, shape_words, train_flag_words};

/// A label and its value, for header blocks and measure lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Field {
    pub label: String,
    pub value: String,
}

impl Field {
    pub fn new(label: &str, value: &str) -> Field {
        field(label, value)
    }
}

fn field(label: &str, value: impl Into<String>) -> Field {
    Field {
        label: label.to_string(),
        value: value.into(),
    }
}

/// One finding, in words: its criterion, and the numbers of its sources
/// in the report's reference list (`[1, 3]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FindingView {
    pub text: String,
    pub criterion: String,
    pub refs: String,
}

/// One test: its heading, site, measures and the table of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TestView {
    pub heading: String,
    pub details: Vec<Field>,
    pub measures: Vec<Field>,
    pub flags: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A series of trains (post-exercise, or repeated at rest): a heading and
/// one line per train, then what the series shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SeriesView {
    pub heading: String,
    pub fields: Vec<Field>,
}

/// The whole report in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ReportView {
    pub title: String,
    pub header: Vec<Field>,
    pub pattern: String,
    pub lems_criterion: String,
    pub low_cmap: String,
    pub summary: String,
    pub findings: Vec<FindingView>,
    /// The per-muscle table, first under the conclusion.
    pub muscles: super::muscles::MuscleTable,
    /// The conditions the pattern fits, each with its reference numbers.
    pub differential: Vec<DifferentialView>,
    pub recommendations: Vec<String>,
    pub caveats: Vec<String>,
    pub tests: Vec<TestView>,
    /// Post-exercise series first (their plots follow the tests' in
    /// order), then repeated trains.
    pub series: Vec<SeriesView>,
    pub settings: Vec<Field>,
    /// Each source cited once, numbered in order of first use: the
    /// findings', then the tests' validity reasons'.
    pub references: Vec<String>,
    pub footer: String,
}

/// One condition of the differential, in words, with its references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DifferentialView {
    pub text: String,
    pub refs: String,
}

/// The line a report is signed on, in every human format.
pub(crate) const SIGNATURE: &str =
    "Signed: ________________  Name: ________________  Date: ____________";

/// The columns of every response table.
pub(crate) const COLUMNS: [&str; 10] = [
    "response",
    "amplitude (mV)",
    "change (%)",
    "area (mV·ms)",
    "area change (%)",
    "peak-to-peak (mV)",
    "onset (ms)",
    "peak (ms)",
    "duration (ms)",
    "flags",
];

/// Builds the view of a report.
pub(crate) fn view(report: &Report) -> ReportView {
    let i = &report.interpretation;
    let s = &report.settings;
    let mut refs = References::default();
    let findings = i
        .findings
        .iter()
        .map(|f| FindingView {
            text: f.text.clone(),
            criterion: f.criterion.clone(),
            refs: refs.marker(&f.source),
        })
        .collect();
    let differential = i
        .differential
        .iter()
        .map(|d| DifferentialView {
            text: d.text.clone(),
            refs: refs.marker(&d.source),
        })
        .collect();
    let tests = report
        .tests
        .iter()
        .map(|t| test_view(t, s, &mut refs))
        .collect();
    ReportView {
        title: "Neuromuscular transmission study".to_string(),
        header: header(report),
        pattern: pattern_words(i.pattern).to_string(),
        lems_criterion: match i.increment.status {
            PartStatus::Unreliable => format!(
                "{} (from a test that cannot be relied on)",
                lems_words(i.lems_criterion, s)
            ),
            PartStatus::Inconclusive => format!(
                "{}, but the test cannot exclude LEMS",
                lems_words(i.lems_criterion, s)
            ),
            _ => lems_words(i.lems_criterion, s),
        },
        low_cmap: match i.low_cmap {
            Some(true) => "yes".to_string(),
            Some(false) => "no".to_string(),
            None => "not judged (no resting CMAP that can be relied on has a lower limit on file)"
                .to_string(),
        },
        summary: i.summary.clone(),
        findings,
        muscles: super::muscles::muscle_table(report),
        differential,
        recommendations: i.recommendations.clone(),
        caveats: i.caveats.clone(),
        tests,
        series: series_views(report),
        settings: settings_fields(s)
            .into_iter()
            .chain(markers_fields(report))
            .collect(),
        references: refs.list,
        footer: format!(
            "{} {}, report schema {}. This report supports, and does not replace, clinical judgement.",
            report.tool.name, report.tool.version, report.schema
        ),
    }
}

/// The header block of a clinical report: study, date, examiner, side and
/// temperature, then identifying fields when the report is identified.
fn header(report: &Report) -> Vec<Field> {
    let study = &report.study;
    let mut out = vec![field("Study", study.id.clone())];
    for (key, value) in &study.identifying {
        out.push(field(&identifying_label(key), value.clone()));
    }
    // Identifiers are left out unless asked for; a signed copy still
    // needs the patient, written in by hand.
    if study.identifying.is_empty() {
        out.push(field(
            "Patient",
            "________________________ (to be written in)",
        ));
    }
    out.push(field(
        "Date",
        study.date.clone().unwrap_or_else(|| "not recorded".into()),
    ));
    if let Some(e) = &study.examiner {
        out.push(field("Examiner", e.clone()));
    }
    if let Some(i) = &study.indication {
        out.push(field("Indication", i.clone()));
    }
    let meds = distinct(
        report
            .tests
            .iter()
            .filter_map(|t| t.record.medication.clone()),
    );
    if !meds.is_empty() {
        out.push(field("Medication", meds.join("; ")));
    }
    let last_dose = report
        .tests
        .iter()
        .filter_map(|t| t.record.pyridostigmine_last_dose_h)
        .fold(f64::INFINITY, f64::min);
    if last_dose.is_finite() {
        out.push(field(
            "Last pyridostigmine",
            format!("{} h before the study", number(last_dose)),
        ));
    }
    // `R`, `Right` and `høyre` are one side.
    let sides = distinct(report.tests.iter().filter_map(|t| {
        t.side
            .as_deref()
            .map(|s| crate::model::canonical_side(s).unwrap_or_else(|| s.to_string()))
    }));
    out.push(field(
        "Side",
        if sides.is_empty() {
            "not recorded".to_string()
        } else {
            sides.join(", ")
        },
    ));
    // One entry per muscle as the reading groups them: "ADM" and
    // "abductor digiti minimi" are one muscle.
    let sites = distinct(report.interpretation.muscles.iter().filter_map(|m| {
        match (&m.muscle, &m.nerve) {
            (Some(name), Some(n)) => Some(format!("{name} ({n} nerve)")),
            (Some(name), None) => Some(name.clone()),
            (None, Some(n)) => Some(format!("{n} nerve")),
            (None, None) => None,
        }
    }));
    if !sites.is_empty() {
        out.push(field("Muscle (nerve)", sites.join("; ")));
    }
    let temps = distinct(
        report
            .tests
            .iter()
            .filter_map(|t| t.temperature_c.map(celsius)),
    );
    out.push(field(
        "Limb temperature",
        if temps.is_empty() {
            "not recorded".to_string()
        } else {
            temps.join(", ")
        },
    ));
    out
}

fn muscle_side(muscle: &Option<String>, side: &Option<String>) -> String {
    match (muscle, side) {
        (Some(m), Some(s)) => format!("{m}, {s}"),
        (Some(m), None) => m.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => "muscle not named".to_string(),
    }
}

/// The post-exercise series, then the repeated trains, in words.
fn series_views(report: &Report) -> Vec<SeriesView> {
    let s = &report.settings.interpret;
    let mut out = Vec::new();
    for x in &report.series.exhaustion {
        let mut fields: Vec<Field> = x
            .points
            .iter()
            .map(|p| {
                let flagged = if p.flagged { ", not relied on" } else { "" };
                let value = p.decrement_pct.map_or("not measured".to_string(), pct);
                field(
                    &format!("Decrement {}", p.phase),
                    format!("{value} ({}{flagged})", p.file),
                )
            })
            .collect();
        if let Some(r) = x.repair_pp {
            fields.push(field(
                "Repair right after exercise",
                format!("{} percentage points", crate::words::fixed1(r)),
            ));
        }
        if let (Some(w), Some(ph)) = (x.exhaustion_pct, x.exhaustion_phase) {
            let more = x
                .exhaustion_pp
                .map(|pp| format!(", {} percentage points from rest", signed(pp)))
                .unwrap_or_default();
            fields.push(field(
                "Largest exhaustion",
                format!("{} {ph}{more}", pct(w)),
            ));
        }
        fields.push(field(
            "Criterion",
            format!(
                "each train: a decrement above {}% is abnormal (no validated size of repair or exhaustion exists)",
                number(s.decrement_abnormal_pct)
            ),
        ));
        out.push(SeriesView {
            heading: format!("Post-exercise series ({})", muscle_side(&x.muscle, &x.side)),
            fields,
        });
    }
    for r in &report.series.repeats {
        let mut fields: Vec<Field> =
            r.files
                .iter()
                .zip(&r.decrements_pct)
                .map(|(f, d)| {
                    let relied =
                        report.tests.iter().find(|t| &t.file == f).is_none_or(|t| {
                            t.validity.has_value(crate::model::Question::Decrement)
                        });
                    let value = d.map_or("not measured".to_string(), pct);
                    let note = if relied { "" } else { " (not relied on)" };
                    field(f, format!("{value}{note}"))
                })
                .collect();
        if let Some(spread) = r.spread_pp {
            let verdict = if spread <= s.reproducible_within_pp {
                "agree"
            } else {
                "disagree"
            };
            fields.push(field(
                "Spread",
                format!(
                    "{} percentage points: the trains {verdict} (within {} is reproducible)",
                    crate::words::fixed1(spread),
                    number(s.reproducible_within_pp)
                ),
            ));
        }
        out.push(SeriesView {
            heading: format!(
                "Repeated trains at rest ({})",
                muscle_side(&r.muscle, &r.side)
            ),
            fields,
        });
    }
    out
}

fn identifying_label(key: &str) -> String {
    match key {
        "patient_name" | "name" | "patient" => "Patient".to_string(),
        "mrn" | "medical_record_number" => "Record number".to_string(),
        "patient_id" => "Patient ID".to_string(),
        "dob" | "date_of_birth" | "birth_date" | "birthdate" => "Date of birth".to_string(),
        other => {
            let words = other.replace('_', " ");
            let mut c = words.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn site(t: &TestMeasures) -> Option<String> {
    match (&t.muscle, &t.nerve) {
        (Some(m), Some(n)) => Some(format!("{m} ({n} nerve)")),
        (Some(m), None) => Some(m.clone()),
        (None, Some(n)) => Some(format!("{n} nerve")),
        (None, None) => None,
    }
}

/// `EDF, channel "EMG ADM", 10 stimuli from the file's annotations`.
fn read_from(src: &crate::model::TestSource) -> String {
    let format = match src.format {
        crate::model::InputFormat::Csv => "continuous CSV",
        crate::model::InputFormat::Edf => "EDF",
        crate::model::InputFormat::Bdf => "BDF",
        crate::model::InputFormat::Labchart => "LabChart text export",
        crate::model::InputFormat::Spike2 => "Spike2 text export",
        crate::model::InputFormat::Cfwb => "LabChart binary export (CFWB)",
    };
    let mut words = format.to_string();
    if let Some(c) = &src.channel {
        words.push_str(&format!(", channel \"{c}\""));
    }
    if let Some(s) = src.stimuli {
        let how = s.describe();
        words.push_str(&format!(
            ", cut at {} stimuli found from {how}",
            src.stimulus_times_ms.len()
        ));
    }
    words
}

fn celsius(t: f64) -> String {
    format!("{} °C", crate::words::fixed1(t))
}

fn test_view(t: &TestMeasures, s: &Settings, refs: &mut References) -> TestView {
    let mut heading = format!("{}: {}", t.file, protocol_words(t.protocol));
    if let Some(rate) = t.stim_rate_hz {
        heading.push_str(&format!(" at {} Hz", number(rate)));
    }
    if let (Protocol::Exercise, Some(ex)) = (t.protocol, t.exercise_s) {
        heading.push_str(&format!(" ({} s of exercise)", number(ex)));
    }
    let mut details = Vec::new();
    if t.protocol_inferred {
        details.push(field("Protocol", "inferred from the file (not declared)"));
    }
    if let Some(site) = site(t) {
        details.push(field("Muscle (nerve)", site));
    }
    if let Some(src) = &t.source {
        details.push(field("Read from", read_from(src)));
        for w in &src.warnings {
            details.push(field("Reader warning", w.clone()));
        }
    }
    if let Some(side) = &t.side {
        details.push(field("Side", side.clone()));
    }
    details.push(field(
        "Limb temperature",
        t.temperature_c
            .map(celsius)
            .unwrap_or_else(|| "not recorded".into()),
    ));
    details.extend(record_fields(t));
    details.extend(validity_fields(&t.validity, refs));
    TestView {
        heading,
        details,
        measures: measures(t, s),
        flags: t
            .train_flags
            .iter()
            .map(|f| train_flag_words(*f).to_string())
            .chain(t.flags.iter().map(|f| flag_words(*f).to_string()))
            .collect(),
        columns: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows: rows(t),
    }
}

/// The test's verdict: what it is worth, then each reason, with the
/// numbers of its sources.
fn validity_fields(v: &Validity, refs: &mut References) -> Vec<Field> {
    let code = match v.code {
        ValidityCode::Valid if !v.reasons.is_empty() => {
            "valid: its result stands (the reasons below weigh only on another result, or on the lines below)"
        }
        ValidityCode::Valid => "valid",
        ValidityCode::Limited => {
            "limited: a normal result cannot exclude a disorder (the record, below)"
        }
        ValidityCode::OutOfProtocol => {
            "outside the validated protocol: a normal result cannot exclude a disorder; a clearly abnormal one counts"
        }
        ValidityCode::Unreliable => "unreliable: its result is not relied on",
        ValidityCode::NotDone => "not done: it gave no value",
    };
    let mut out = vec![field("Validity", code)];
    use crate::model::{Question, Standing};
    for (q, what) in [
        (Question::LowCmap, "Resting CMAP"),
        (Question::Shape, "Shape reading"),
    ] {
        if v.standing(q) == Standing::Unreliable {
            out.push(field(what, "not relied on (see why)"));
        }
    }
    out.extend(v.reasons.iter().map(|r| {
        let marker = r
            .source
            .as_deref()
            .map_or(String::new(), |c| refs.marker(c));
        let text = if marker.is_empty() {
            r.text.clone()
        } else {
            format!("{} {marker}", r.text)
        };
        field("Why", text)
    }));
    out
}

/// The stimulus and the train's place in a protocol, where recorded.
fn record_fields(t: &TestMeasures) -> Vec<Field> {
    let r = &t.record;
    let mut out = Vec::new();
    if let Some(phase) = r.exercise_phase {
        out.push(field("Recorded", phase.to_string()));
    }
    if let Some(n) = r.train {
        out.push(field("Train", format!("repeat {n}")));
    }
    let mut stimulus = Vec::new();
    if let Some(ma) = r.stim_intensity_ma {
        stimulus.push(format!("{} mA", number(ma)));
    }
    if let Some(ms) = r.stim_duration_ms {
        stimulus.push(format!("{} ms", number(ms)));
    }
    match r.supramaximal {
        Some(true) => stimulus.push("supramaximal".to_string()),
        Some(false) => stimulus.push("not supramaximal".to_string()),
        None => {}
    }
    if !stimulus.is_empty() {
        out.push(field("Stimulus", stimulus.join(", ")));
    }
    out
}

/// The measures of a test that the conclusion can rest on.
fn measures(t: &TestMeasures, s: &Settings) -> Vec<Field> {
    let mut out = Vec::new();
    let k = s.train.decrement_response;
    if t.protocol == Protocol::Rns {
        // A decrement with no value in the verdict (no first response, a
        // train too short) is shown for reference, never as "used".
        let usable = t.validity.standing(crate::model::Question::Decrement)
            != crate::model::Standing::NotDone;
        let used = |n: usize| match (n == k, usable) {
            (true, true) => " (used for the conclusion)",
            (true, false) => " (not used: see Validity)",
            _ => "",
        };
        if let Some(v) = t.decrement_4th_pct {
            out.push(field(
                &format!("Decrement to the 4th response{}", used(4)),
                pct(v),
            ));
        }
        if let Some(v) = t.decrement_5th_pct {
            out.push(field(
                &format!("Decrement to the 5th response{}", used(5)),
                pct(v),
            ));
        }
        if k != 4 && k != 5 {
            if let Some(v) = t.decrement_pct {
                out.push(field(
                    &format!("Decrement to the {} response{}", ordinal(k), used(k)),
                    pct(v),
                ));
            }
        }
        if let Some(v) = t.max_decrement_pct {
            out.push(field("Largest fall, responses 2-5", pct(v)));
        }
        if let Some(v) = t.area_decrement_pct {
            out.push(field(
                &format!(
                    "Area decrement to the {} response",
                    ordinal(t.decrement_read_to.unwrap_or(k))
                ),
                pct(v),
            ));
        }
    }
    if let Some(v) = t.increment_pct {
        let what = match t.protocol {
            Protocol::Exercise => "Increment after exercise (largest, against before)",
            _ => "Increment (largest response against the 1st)",
        };
        out.push(field(what, signed_pct(v)));
    }
    if let Some(v) = t.last_increment_pct {
        out.push(field("Last response against the 1st", signed_pct(v)));
    }
    if let Some(v) = t.area_increment_pct {
        out.push(field("Area increment", signed_pct(v)));
    }
    if let Some(shape) = t.shape {
        out.push(field("Shape of the train", shape_words(shape)));
    }
    if t.pseudofacilitation == Some(true) {
        out.push(field(
            "Pseudofacilitation",
            "the amplitude rises but the area does not",
        ));
    }
    out
}

fn rows(t: &TestMeasures) -> Vec<Vec<String>> {
    let area1 = t
        .responses
        .first()
        .and_then(|r| r.area_mv_ms)
        .filter(|a| *a > 0.0);
    t.responses
        .iter()
        .zip(&t.change_pct)
        .map(|(r, change)| {
            let area_change = match (r.area_mv_ms, area1) {
                (Some(a), Some(a1)) => Some((a - a1) / a1 * 100.0),
                _ => None,
            };
            vec![
                label_words(&r.label),
                opt(r.amplitude_mv, mv),
                opt(*change, signed),
                opt(r.area_mv_ms, mv),
                opt(area_change, signed),
                opt(r.peak_to_peak_mv, mv),
                opt(r.onset_ms, mv),
                opt(r.negative_peak_ms, mv),
                opt(r.duration_ms, mv),
                r.flags
                    .iter()
                    .map(|f| flag_words(*f))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect()
}

/// Every setting as `section.key = value`, in the order of the struct.
fn settings_fields(s: &Settings) -> Vec<Field> {
    let mut out = Vec::new();
    if let Ok(value) = serde_json::to_value(s) {
        flatten("", &value, &mut out);
    }
    out
}

/// The markers files the reading used, beside the settings: each test's
/// file and the XXH3 hash of its bytes, so a signed report names the
/// exact marks it rests on.
fn markers_fields(report: &Report) -> impl Iterator<Item = Field> + '_ {
    report.study.markers.iter().map(|m| {
        field(
            &format!("markers.{}", m.test),
            format!("{} (XXH3 {})", m.file, m.hash),
        )
    })
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut Vec<Field>) {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::Object(_) => out.push(field(prefix, "none")),
        serde_json::Value::Null => out.push(field(prefix, "off")),
        other => out.push(field(prefix, other.to_string())),
    }
}

fn opt(value: Option<f64>, f: impl Fn(f64) -> String) -> String {
    value.map(f).unwrap_or_else(|| "-".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_for_readers() {
        assert_eq!(pct(-0.04), "0.0%");
        assert_eq!(signed_pct(-0.04), "0.0%");
        assert_eq!(signed_pct(177.24), "+177.2%");
        assert_eq!(signed_pct(-8.06), "-8.1%");
        assert_eq!(mv(2.375), "2.38");
    }
}
