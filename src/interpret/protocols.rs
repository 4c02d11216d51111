//! The protocols around the trains and the record of the study: the
//! post-exercise series, repeated trains, whether the increment criteria
//! apply to the train or exercise recorded, and what the stimulus, the
//! medication and a normal result mean for the reading.

use super::findings::finding;
use super::sources;
use super::InterpretConfig;
use crate::model::{
    DecrementGrade, ExercisePhase, ExhaustionSeries, Finding, FindingCode, Part, PartStatus,
    Pattern, Protocol, ReasonCode, RepeatedTrains, StudySeries, TestMeasures,
};
use crate::words::{fixed1, number, pct, signed};

fn muscle_words(muscle: &Option<String>, side: &Option<String>) -> String {
    match (muscle, side) {
        (Some(m), Some(s)) => format!("{m} ({s})"),
        (Some(m), None) => m.clone(),
        (None, Some(s)) => format!("the {s} muscle"),
        (None, None) => "the muscle".to_string(),
    }
}

/// Findings of the post-exercise series and the repeated trains.
pub(crate) fn series_findings(series: &StudySeries, c: &InterpretConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &series.exhaustion {
        out.extend(exhaustion_findings(s, c));
    }
    for r in &series.repeats {
        out.extend(repeat_finding(r, c));
    }
    out
}

fn series_criterion(c: &InterpretConfig) -> String {
    format!(
        "each post-exercise train is judged by the same criterion as the train at rest (a decrement above {}%); no separate validated size of repair or exhaustion exists",
        number(c.decrement_abnormal_pct)
    )
}

/// The repair in words, by the margin exhaustion is judged by: smaller
/// than at rest by more than repeated trains at rest may differ
/// (`reproducible_within_pp`) is repair; a smaller fall is said, not named.
fn repair_words(repair: f64, c: &InterpretConfig) -> String {
    let margin = number(c.reproducible_within_pp);
    // Judged on the printed value: "0.0 points smaller" is no repair.
    if fixed1(repair) == "0.0" || repair < 0.0 {
        format!(
            "not smaller than at rest ({} percentage points: no repair)",
            signed(-repair)
        )
    } else if repair > c.reproducible_within_pp {
        format!(
            "{} percentage points smaller than at rest (repair)",
            fixed1(repair)
        )
    } else {
        format!("{} percentage points smaller than at rest, within what repeated trains at rest may differ ({margin} percentage points): no clear repair", fixed1(repair))
    }
}

fn exhaustion_findings(s: &ExhaustionSeries, c: &InterpretConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let who = muscle_words(&s.muscle, &s.side);
    let points: Vec<String> = s
        .points
        .iter()
        .map(|p| {
            let value = p.decrement_pct.map_or("not measured".to_string(), pct);
            let flag = if p.flagged { " (not relied on)" } else { "" };
            format!("{} {value}{flag}", p.phase)
        })
        .collect();
    let source = format!(
        "{}; {}",
        sources::NFKNF_MG_FINDINGS,
        sources::ONE_MINUTE_EXERCISE_2014
    );
    if let Some(repair) = s.repair_pp {
        out.push(finding(
            FindingCode::PostExerciseFacilitation,
            format!(
                "Post-exercise series of {who}: decrement {}. Immediately after exercise the decrement was {}.",
                points.join(", "),
                repair_words(repair, c)
            ),
            series_criterion(c),
            &source,
        ));
    }
    if let (Some(worst), Some(phase)) = (s.exhaustion_pct, s.exhaustion_phase) {
        let vs_rest = s
            .exhaustion_pp
            .map(|pp| format!(", {} percentage points from rest", signed(pp)))
            .unwrap_or_default();
        let limit = super::limits::decrement_limit(s.muscle.as_deref(), c);
        let above = worst > limit;
        // Larger than at rest by more than repeated trains at rest may
        // differ (`reproducible_within_pp`), or not: a rise within that
        // margin is not called exhaustion.
        let beyond = match s.exhaustion_pp {
            Some(pp) if pp > c.reproducible_within_pp => format!(
                "; larger than at rest by more than repeated trains at rest may differ ({} percentage points): exhaustion",
                number(c.reproducible_within_pp)
            ),
            Some(_) => format!(
                "; not larger than at rest by more than repeated trains at rest may differ ({} percentage points): no exhaustion shown",
                number(c.reproducible_within_pp)
            ),
            None => "; with no train at rest to compare, exhaustion (a decrement growing after exercise) cannot be judged".to_string(),
        };
        let title = if s.exhaustion_pp.is_some() {
            "Post-exercise exhaustion"
        } else {
            "Decrement after exercise"
        };
        out.push(finding(
            FindingCode::PostExerciseExhaustion,
            format!(
                "{title} in {who}: the largest decrement from 1 minute on was {} {phase}{vs_rest}; {} the {}% threshold{beyond}.",
                pct(worst),
                if above { "above" } else { "not above" },
                number(limit)
            ),
            series_criterion(c),
            &source,
        ));
    }
    out
}

fn repeat_finding(r: &RepeatedTrains, c: &InterpretConfig) -> Option<Finding> {
    let spread = r.spread_pp?;
    let values: Vec<String> = r
        .files
        .iter()
        .zip(&r.decrements_pct)
        .map(|(f, d)| d.map_or(format!("{f} not measured"), |d| format!("{f} {}", pct(d))))
        .collect();
    let agree = spread <= c.reproducible_within_pp;
    Some(finding(
        if agree {
            FindingCode::DecrementReproducible
        } else {
            FindingCode::DecrementNotReproducible
        },
        format!(
            "{} low-rate trains of {} at rest: {}; they {} (spread {} percentage points).",
            r.files.len(),
            muscle_words(&r.muscle, &r.side),
            values.join(", "),
            if agree { "agree" } else { "disagree" },
            fixed1(spread)
        ),
        format!(
            "repeated trains agree when their decrements lie within {} percentage points",
            number(c.reproducible_within_pp)
        ),
        sources::TOOL_RULE,
    ))
}

/// Caveats from the protocol and the record: single trains, the record
/// and protocol reasons of each test's verdict (outside the validated
/// protocol, a submaximal stimulus, cold, pyridostigmine), and what a
/// normal study leaves open.
pub(crate) fn protocol_caveats(
    tests: &[TestMeasures],
    series: &StudySeries,
    (dec, pattern): (&Part<DecrementGrade>, Pattern),
    jitter_recorded: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(single_train(series, dec));
    for x in series.exhaustion.iter().filter(|x| {
        !x.points
            .iter()
            .any(|p| p.phase == ExercisePhase::Rest && !p.flagged && p.decrement_pct.is_some())
    }) {
        out.push(format!(
            "The post-exercise series of {} has no usable train at rest: repair and exhaustion cannot be measured against rest; record a 3 Hz train at rest before the exercise.",
            muscle_words(&x.muscle, &x.side)
        ));
    }
    out.extend(tests.iter().filter_map(misplaced_record));
    out.extend(verdict_caveats(tests));
    // Where the reading could be taken as "not myasthenia": a presynaptic
    // or abnormal reading needs no reminder.
    let reads_normal = matches!(
        pattern,
        Pattern::Normal | Pattern::Incomplete | Pattern::Equivocal
    );
    if reads_normal && dec.valid_grade() == Some(DecrementGrade::Normal) {
        // A study with jitter has had the more sensitive test already.
        let or_jitter = if jitter_recorded {
            ""
        } else {
            ", or use single-fibre EMG"
        };
        out.push(format!(
            "A normal low-rate test does not exclude myasthenia gravis: repetitive stimulation finds a decrement in about 70% of generalised and 50% of ocular myasthenia, depending on the muscles tested ({}). If the suspicion remains, test a facial or proximal muscle (nasalis, deltoid, upper trapezius: {}){or_jitter}.",
            sources::LEGEHANDBOKA_RNS,
            sources::NFKNF_MUSCLES
        ));
    }
    out
}

/// An abnormal decrement from one train of its muscle: it must be
/// reproducible.
fn single_train(series: &StudySeries, dec: &Part<DecrementGrade>) -> Option<String> {
    if dec.status != PartStatus::Measured || dec.grade != Some(DecrementGrade::Abnormal) {
        return None;
    }
    let file = dec.file.as_deref()?;
    // A train with repeats, or one of a post-exercise series (whose other
    // trains show whether the change holds), is not alone.
    let repeated = series
        .repeats
        .iter()
        .any(|r| r.files.iter().any(|f| f == file))
        || series
            .exhaustion
            .iter()
            .any(|x| x.points.len() > 2 && x.points.iter().any(|p| p.file == file));
    (!repeated).then(|| {
        format!(
            "The decrement rests on one train ({file}): a decrement should be reproducible; repeat the train (after a rest of at least 60 s) before relying on it."
        )
    })
}

/// The record and protocol reasons of each test's verdict, as caveats of
/// the study (a flag is advice, a smaller resting CMAP a finding).
fn verdict_caveats(tests: &[TestMeasures]) -> Vec<String> {
    tests
        .iter()
        .flat_map(|t| t.validity.reasons.iter().map(move |r| (t, r)))
        .filter(|(_, r)| {
            matches!(
                r.code,
                ReasonCode::Submaximal
                    | ReasonCode::RateOutsideProtocol
                    | ReasonCode::ExerciseOutsideProtocol
                    | ReasonCode::RateNotRecorded
                    | ReasonCode::ExerciseNotRecorded
                    | ReasonCode::NoImmediateResponse
                    | ReasonCode::Cold
                    | ReasonCode::Pyridostigmine
            )
        })
        .map(|(t, r)| match &r.source {
            Some(source) => format!("{}: {} ({source}).", t.file, r.text),
            None => format!("{}: {}.", t.file, r.text),
        })
        .collect()
}

/// `exercise_phase` or `train` on a test that is not a low-rate train:
/// they place low-rate trains in a protocol, so they are not used here.
fn misplaced_record(t: &TestMeasures) -> Option<String> {
    let r = &t.record;
    (t.protocol != Protocol::Rns && (r.exercise_phase.is_some() || r.train.is_some())).then(|| {
        format!(
            "{}: exercise_phase and train place low-rate (2-5 Hz) trains in a series; this {} test was left out of any series.",
            t.file, t.protocol
        )
    })
}
