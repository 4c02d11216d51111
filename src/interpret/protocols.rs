//! The protocols around the trains and the record of the study: the
//! post-exercise series, repeated trains, whether the increment criteria
//! apply to the train or exercise recorded, and what the stimulus, the
//! medication and a normal result mean for the reading.

use super::findings::finding;
use super::sources;
use super::InterpretConfig;
use crate::model::{
    DecrementGrade, ExercisePhase, ExhaustionSeries, Finding, FindingCode, Part, PartStatus,
    Pattern, Protocol, RepeatedTrains, StudySeries, TestMeasures,
};

/// High-rate trains the increment criteria were validated on (Hz): Oh
/// 2005 used 50 Hz, the guidelines 20-50 Hz.
pub const HIGH_RATE_VALIDATED_HZ: (f64, f64) = (20.0, 50.0);

/// Exercise durations the increment criteria hold for (s): 5 and 10 s
/// gave the same increments, 30 s far less (Hatanaka and Oh).
pub const EXERCISE_VALIDATED_S: (f64, f64) = (5.0, 15.0);

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
        c.decrement_abnormal_pct
    )
}

fn exhaustion_findings(s: &ExhaustionSeries, c: &InterpretConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    let who = muscle_words(&s.muscle, &s.side);
    let points: Vec<String> = s
        .points
        .iter()
        .map(|p| {
            let value = p
                .decrement_pct
                .map_or("not measured".to_string(), |d| format!("{d:.1}%"));
            let flag = if p.flagged { " (flagged)" } else { "" };
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
                if repair > 0.0 {
                    format!("{repair:.1} percentage points smaller than at rest (repair)")
                } else {
                    format!("not smaller than at rest ({:+.1} percentage points: no repair)", -repair)
                }
            ),
            series_criterion(c),
            &source,
        ));
    }
    if let (Some(worst), Some(phase)) = (s.exhaustion_pct, s.exhaustion_phase) {
        let vs_rest = s
            .exhaustion_pp
            .map(|pp| format!(", {pp:+.1} percentage points from rest"))
            .unwrap_or_default();
        let above = worst > c.decrement_abnormal_pct;
        out.push(finding(
            FindingCode::PostExerciseExhaustion,
            format!(
                "Post-exercise exhaustion in {who}: the largest decrement from 1 minute on was {worst:.1}% {phase}{vs_rest}; {} the {}% threshold.",
                if above { "above" } else { "not above" },
                c.decrement_abnormal_pct
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
        .map(|(f, d)| d.map_or(format!("{f} not measured"), |d| format!("{f} {d:.1}%")))
        .collect();
    let agree = spread <= c.reproducible_within_pp;
    Some(finding(
        if agree {
            FindingCode::DecrementReproducible
        } else {
            FindingCode::DecrementNotReproducible
        },
        format!(
            "{} low-rate trains of {} at rest: {}; they {} (spread {spread:.1} percentage points).",
            r.files.len(),
            muscle_words(&r.muscle, &r.side),
            values.join(", "),
            if agree { "agree" } else { "disagree" }
        ),
        format!(
            "repeated trains agree when their decrements lie within {} percentage points",
            c.reproducible_within_pp
        ),
        sources::TOOL_RULE,
    ))
}

/// Caveats from the protocol and the record: single trains, trains and
/// exercise outside what the criteria were validated on, a submaximal
/// stimulus, recent pyridostigmine, and what a normal study leaves open.
pub(crate) fn protocol_caveats(
    tests: &[TestMeasures],
    series: &StudySeries,
    dec: &Part<DecrementGrade>,
    pattern: Pattern,
    c: &InterpretConfig,
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
    out.extend(tests.iter().filter_map(validated_protocol));
    out.extend(tests.iter().filter_map(misplaced_record));
    out.extend(tests.iter().filter_map(submaximal));
    out.extend(pyridostigmine(tests, c));
    // Where the reading could be taken as "not myasthenia": a presynaptic
    // or abnormal reading needs no reminder.
    let reads_normal = matches!(
        pattern,
        Pattern::Normal | Pattern::Incomplete | Pattern::Equivocal
    );
    if reads_normal && dec.valid_grade() == Some(DecrementGrade::Normal) {
        out.push(format!(
            "A normal low-rate test does not exclude myasthenia gravis: repetitive stimulation finds a decrement in about 70% of generalised and 50% of ocular myasthenia, depending on the muscles tested ({}). If the suspicion remains, test a facial or proximal muscle (nasalis, deltoid, upper trapezius: {}), or use single-fibre EMG.",
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

/// A high-rate train outside 20-50 Hz, or an exercise test not of about
/// 10 s: the increment criteria may not apply.
fn validated_protocol(t: &TestMeasures) -> Option<String> {
    match t.protocol {
        Protocol::Hfrns => {
            let rate = t.stim_rate_hz?;
            let (lo, hi) = HIGH_RATE_VALIDATED_HZ;
            (!(lo..=hi).contains(&rate)).then(|| format!(
                "{}: a {rate} Hz train; the 60% and 100% increment criteria were validated at {lo}-{hi} Hz (50 Hz in Oh et al. 2005) and may not apply.",
                t.file
            ))
        }
        Protocol::Exercise => match t.exercise_s {
            None => Some(format!(
                "{}: the length of the exercise was not recorded; the increment criteria were validated after 10 s of maximal exercise, and a longer exercise gives far less ({}).",
                t.file,
                sources::TEN_SECOND_EXERCISE
            )),
            Some(s) if !(EXERCISE_VALIDATED_S.0..=EXERCISE_VALIDATED_S.1).contains(&s) => Some(format!(
                "{}: {s} s of exercise; the increment criteria were validated after 10 s, and 30 s gave far smaller increments (84% against 243%: {}), so the criterion may not apply.",
                t.file,
                sources::TEN_SECOND_EXERCISE
            )),
            Some(_) => None,
        },
        Protocol::Rns => None,
    }
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

/// A stimulus the examiner called submaximal.
fn submaximal(t: &TestMeasures) -> Option<String> {
    (t.record.supramaximal == Some(false)).then(|| match t.protocol {
        Protocol::Rns => format!(
            "{}: the stimulus was not supramaximal; fibres near threshold may drop out during the train and imitate a decrement.",
            t.file
        ),
        _ => format!(
            "{}: the stimulus was not supramaximal; a submaximal first CMAP makes a false increment.",
            t.file
        ),
    })
}

/// Pyridostigmine taken less than `pyridostigmine_withhold_h` before.
fn pyridostigmine(tests: &[TestMeasures], c: &InterpretConfig) -> Option<String> {
    let hours = tests
        .iter()
        .filter_map(|t| t.record.pyridostigmine_last_dose_h)
        .fold(f64::INFINITY, f64::min);
    (hours < c.pyridostigmine_withhold_h).then(|| format!(
        "Pyridostigmine was taken {hours} h before the study; acetylcholinesterase inhibitors reduce the decrement, and the guideline asks for at least {} h without them ({}), so a normal or small decrement may understate the disorder.",
        c.pyridostigmine_withhold_h,
        sources::NFKNF_INDICATIONS
    ))
}
