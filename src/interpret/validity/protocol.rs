//! The reasons a test's protocol and record give: a train or exercise
//! outside (or not shown to be inside) what its criterion was validated
//! on, an exercise test without a CMAP immediately after, a submaximal
//! stimulus, a cold limb, recent pyridostigmine. A lab's own setting is
//! named as the lab's, the published value beside it.

use super::{cited, main_question, no_response, questions, reason};
use crate::interpret::sources;
use crate::interpret::InterpretConfig;
use crate::model::{
    Bearing, Protocol, Question, ReasonCode, ResponseLabel, TestMeasures, ValidityReason,
};
use crate::words::number;

/// The published ranges the default settings hold (AAEM 2001; Oh 2005
/// and the guidelines; Hatanaka & Oh), named beside a lab's own.
const PUBLISHED_LOW_RATE_HZ: (f64, f64) = (2.0, 5.0);
const PUBLISHED_HIGH_RATE_HZ: (f64, f64) = (20.0, 50.0);
const PUBLISHED_EXERCISE_S: (f64, f64) = (5.0, 15.0);
/// The guideline's recording site temperature and pyridostigmine pause.
const PUBLISHED_MIN_TEMPERATURE_C: f64 = 32.0;
const PUBLISHED_WITHHOLD_H: f64 = 12.0;

/// A post-exercise CMAP recorded this soon after the exercise (s) is the
/// one "immediately after" the criteria were validated on.
const IMMEDIATELY_S: u32 = 10;

/// "the 2-5 Hz at which ..." for the published range, or "the lab's 3-4 Hz
/// (interpret.low_rate_*; ... validated at 2-5 Hz)" for a lab's own.
fn range_words(
    (lo, hi): (f64, f64),
    published: (f64, f64),
    unit: &str,
    key: &str,
    what: &str,
) -> String {
    let (lo, hi) = (number(lo), number(hi));
    let (plo, phi) = (number(published.0), number(published.1));
    if (lo.as_str(), hi.as_str()) == (plo.as_str(), phi.as_str()) {
        format!("the {lo}-{hi} {unit} at which {what} validated")
    } else {
        format!(
            "the lab's {lo}-{hi} {unit} (interpret.{key}; {what} validated at {plo}-{phi} {unit})"
        )
    }
}

fn hides(code: ReasonCode, q: Question, text: String, source: &str) -> ValidityReason {
    let r = reason(code, Bearing::HidesAbnormal, vec![q], text);
    cited(r, format!("{source}; {}", sources::TOOL_RULE_ASYMMETRIC))
}

/// A train or exercise outside what its criterion was validated on, or not
/// shown to be inside it (no rate or length recorded), and an exercise test
/// without a CMAP immediately after: a normal result cannot exclude
/// (docs/interpretation.md, "Validity").
pub(super) fn protocol_reasons(t: &TestMeasures, c: &InterpretConfig) -> Vec<ValidityReason> {
    let rate = |range, published, what, q, source| Range {
        value: t.stim_rate_hz,
        range,
        published,
        exercise: false,
        what,
        q,
        source,
    };
    let exercise = Range {
        value: t.exercise_s,
        range: (c.exercise_min_s, c.exercise_max_s),
        published: PUBLISHED_EXERCISE_S,
        exercise: true,
        what: "the increment criteria were",
        q: Question::Increment,
        source: sources::TEN_SECOND_EXERCISE,
    };
    let mut ranges = match t.protocol {
        Protocol::Rns => vec![rate(
            (c.low_rate_min_hz, c.low_rate_max_hz),
            PUBLISHED_LOW_RATE_HZ,
            "the decrement criterion was",
            Question::Decrement,
            sources::AAEM_2001,
        )],
        Protocol::Hfrns => vec![rate(
            (c.high_rate_min_hz, c.high_rate_max_hz),
            PUBLISHED_HIGH_RATE_HZ,
            "the increment criteria were",
            Question::Increment,
            sources::OH_2005,
        )],
        Protocol::Exercise => Vec::new(),
    };
    // The first train after exercise in a series answers the increment
    // too (its first CMAP against rest): the exercise it followed decides
    // whether that increment can exclude LEMS.
    if t.protocol == Protocol::Exercise || t.increment_reference.is_some() {
        ranges.push(exercise);
    }
    let mut out: Vec<ValidityReason> = ranges.into_iter().filter_map(outside).collect();
    if t.protocol == Protocol::Exercise {
        out.extend(no_immediate_response(t));
    }
    out
}

/// A rate or an exercise length and the range its criterion holds for.
struct Range {
    value: Option<f64>,
    range: (f64, f64),
    published: (f64, f64),
    exercise: bool,
    what: &'static str,
    q: Question,
    source: &'static str,
}

/// The reason a value lies outside its range, or is not recorded.
fn outside(r: Range) -> Option<ValidityReason> {
    let disorder = if r.q == Question::Decrement {
        "a decrement"
    } else {
        "LEMS"
    };
    let (unit, key) = if r.exercise {
        ("s", "exercise_*_s")
    } else if r.q == Question::Decrement {
        ("Hz", "low_rate_*_hz")
    } else {
        ("Hz", "high_rate_*_hz")
    };
    let within = range_words(r.range, r.published, unit, key, r.what);
    let Some(v) = r.value else {
        let (code, missing) = if r.exercise {
            (
                ReasonCode::ExerciseNotRecorded,
                "the length of the exercise",
            )
        } else {
            (ReasonCode::RateNotRecorded, "the stimulation rate")
        };
        return Some(hides(code, r.q, format!(
            "{missing} was not recorded, so the test cannot be shown to lie within {within}; a normal result cannot exclude {disorder}"
        ), r.source));
    };
    if (r.range.0..=r.range.1).contains(&v) {
        return None;
    }
    let (code, test) = if r.exercise {
        (
            ReasonCode::ExerciseOutsideProtocol,
            format!("{} s of exercise", number(v)),
        )
    } else {
        (
            ReasonCode::RateOutsideProtocol,
            format!("a train at {} Hz", number(v)),
        )
    };
    let longer = if r.exercise && v > r.range.1 {
        " (the increment fell from 243% after 10 s to 84% after 30 s)"
    } else {
        ""
    };
    Some(hides(
        code,
        r.q,
        format!("{test}, outside {within}{longer}; a normal result cannot exclude {disorder}"),
        r.source,
    ))
}

/// An exercise test without a measured CMAP immediately after the
/// exercise: a later one shows less of the facilitation, which fades within
/// about a minute.
fn no_immediate_response(t: &TestMeasures) -> Option<ValidityReason> {
    let soon = |l: &ResponseLabel| match l {
        ResponseLabel::Post(None) => true,
        ResponseLabel::Post(Some(s)) => *s <= IMMEDIATELY_S,
        _ => false,
    };
    let immediate = t
        .responses
        .iter()
        .any(|r| soon(&r.label) && !no_response(r));
    (!immediate && t.responses.len() > 1).then(|| {
        hides(
            ReasonCode::NoImmediateResponse,
            Question::Increment,
            format!(
                "no CMAP was measured within {IMMEDIATELY_S} s after the exercise, and the facilitation fades within about a minute, so a later one shows less of it; a normal result cannot exclude LEMS"
            ),
            sources::TEN_SECOND_EXERCISE,
        )
    })
}

/// The record: a submaximal stimulus fakes abnormality; a cold limb and
/// recent pyridostigmine hide it.
pub(super) fn record_reasons(t: &TestMeasures, c: &InterpretConfig) -> Vec<ValidityReason> {
    let mut out = Vec::new();
    let r = &t.record;
    if r.supramaximal == Some(false) {
        out.push(cited(
            reason(
                ReasonCode::Submaximal,
                Bearing::FakesAbnormal,
                questions(t),
                "the stimulus was recorded as not supramaximal: a submaximal stimulus gives a smaller CMAP, and fibres near threshold drop in and out from one stimulus to the next, which can imitate a low CMAP, a decrement or an increment".to_string(),
            ),
            format!("{}; {}", sources::MORITA_1993, sources::TOOL_RULE_ASYMMETRIC),
        ));
    }
    out.extend(cold(t, c));
    if t.protocol == Protocol::Rns {
        out.extend(pyridostigmine(t, c));
    }
    out
}

/// A limb below the temperature the settings ask for.
fn cold(t: &TestMeasures, c: &InterpretConfig) -> Option<ValidityReason> {
    let temp = t.temperature_c.filter(|v| *v < c.min_temperature_c)?;
    let effect = match t.protocol {
        Protocol::Rns => "cooling makes a myasthenic decrement smaller",
        _ => "cooling improves neuromuscular transmission and can hide a defect",
    };
    let limit = if c.min_temperature_c == PUBLISHED_MIN_TEMPERATURE_C {
        format!("below {} °C", number(c.min_temperature_c))
    } else {
        format!(
            "below the lab's {} °C (interpret.min_temperature_c; the guideline asks for more than {} °C)",
            number(c.min_temperature_c),
            number(PUBLISHED_MIN_TEMPERATURE_C)
        )
    };
    Some(cited(
        reason(
            ReasonCode::Cold,
            Bearing::HidesAbnormal,
            vec![main_question(t)],
            format!(
                "limb temperature {} °C, {limit}: {effect}, so a normal result can be a false negative",
                number(temp)
            ),
        ),
        format!(
            "{}; {}; {}",
            sources::BORENSTEIN_DESMEDT_1975,
            sources::AAEM_TEMPERATURE_1991,
            sources::NORWEGIAN_GUIDELINE
        ),
    ))
}

/// Pyridostigmine taken sooner before the study than the settings allow.
fn pyridostigmine(t: &TestMeasures, c: &InterpretConfig) -> Option<ValidityReason> {
    let h = t
        .record
        .pyridostigmine_last_dose_h
        .filter(|h| *h < c.pyridostigmine_withhold_h)?;
    let when = if h < 1.0 {
        "less than an hour before".to_string()
    } else {
        format!("{} h before", number(h))
    };
    let asked = if c.pyridostigmine_withhold_h == PUBLISHED_WITHHOLD_H {
        format!(
            "the {} h without it the guideline asks for",
            number(c.pyridostigmine_withhold_h)
        )
    } else {
        format!(
            "the lab's {} h (interpret.pyridostigmine_withhold_h; the guideline asks for at least {} h)",
            number(c.pyridostigmine_withhold_h),
            number(PUBLISHED_WITHHOLD_H)
        )
    };
    Some(cited(
        reason(
            ReasonCode::Pyridostigmine,
            Bearing::HidesAbnormal,
            vec![Question::Decrement],
            format!(
                "pyridostigmine taken {when}, less than {asked}: acetylcholinesterase inhibitors reduce the decrement, so a normal result cannot exclude one"
            ),
        ),
        sources::NFKNF_INDICATIONS.to_string(),
    ))
}
