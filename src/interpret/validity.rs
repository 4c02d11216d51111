//! The one judgment of each test, made before any rule reads it: from its
//! measures and flags, its record (stimulus, temperature, medication), its
//! protocol (rate, length of exercise) and the other tests of the same
//! muscle, the reasons it cannot be taken as it stands, and how each of its
//! answers stands ([`Validity`]). The rules of `docs/interpretation.md`,
//! "Validity", are implemented here and nowhere else.

use super::assess::{decrement_grade, increment_grade, ordinal};
use super::limits;
use super::sources;
use super::InterpretConfig;
use crate::model::{
    muscle_side_key, Answer, Bearing, DecrementGrade, Flag, LemsCriterion, Protocol, Question,
    ReasonCode, ResponseMeasures, Standing, TestMeasures, Validity, ValidityCode, ValidityReason,
};
use crate::words::{mv, number, pct0, signed_pct};

/// What an answer shows, as far as validity cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Nothing abnormal.
    Normal,
    /// Above normal but not clearly abnormal (an equivocal increment): a
    /// submaximal stimulus could fake it, and it is too weak to stand
    /// outside the validated protocol.
    Borderline,
    /// Clearly abnormal.
    Abnormal,
}

/// Judges every test of a study: one verdict per test, in order.
pub(crate) fn judge(tests: &[TestMeasures], k: usize, c: &InterpretConfig) -> Vec<Validity> {
    tests
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut reasons = own_reasons(t, k, c);
            reasons.extend(smaller_than_other_tests(tests, i, c));
            verdict(t, reasons, c)
        })
        .collect()
}

/// A train of a post-exercise series recorded after the exercise: it does
/// not start from a rested muscle, so it gives no resting CMAP and no
/// shape.
pub(crate) fn after_exercise(t: &TestMeasures) -> bool {
    t.record
        .exercise_phase
        .is_some_and(|p| p.seconds_after().is_some())
}

/// The question a test is done for.
pub(crate) fn main_question(t: &TestMeasures) -> Question {
    match t.protocol {
        Protocol::Rns => Question::Decrement,
        _ => Question::Increment,
    }
}

/// The questions a test answers: its main one; from a rested muscle, its
/// resting CMAP (when the first response was measured) and the shape of a
/// low-rate train.
fn questions(t: &TestMeasures) -> Vec<Question> {
    let mut q = vec![main_question(t)];
    if !after_exercise(t) {
        if t.responses.first().is_some_and(|r| !no_response(r)) {
            q.push(Question::LowCmap);
        }
        if t.protocol == Protocol::Rns {
            q.push(Question::Shape);
        }
    }
    q
}

fn reason(
    code: ReasonCode,
    bearing: Bearing,
    questions: Vec<Question>,
    text: String,
) -> ValidityReason {
    ValidityReason {
        code,
        bearing,
        questions,
        text,
        source: None,
    }
}

/// `r` with the source it rests on.
fn cited(mut r: ValidityReason, source: String) -> ValidityReason {
    r.source = Some(source);
    r
}

fn no_response(r: &ResponseMeasures) -> bool {
    r.has(Flag::NoResponse) || r.amplitude_mv.is_none()
}

/// The reasons a test gives by itself: no value, flags, the record and the
/// protocol.
fn own_reasons(t: &TestMeasures, k: usize, c: &InterpretConfig) -> Vec<ValidityReason> {
    let main = main_question(t);
    let mut out = Vec::new();
    let not_done = match t.protocol {
        Protocol::Rns => decrement_not_done(t, k),
        _ => increment_not_done(t),
    };
    if let Some(why) = not_done {
        out.push(reason(
            ReasonCode::NotDone,
            Bearing::NotDone,
            vec![main],
            why,
        ));
    }
    out.extend(flag_reasons(t, c));
    out.extend(protocol_reason(t, c));
    out.extend(record_reasons(t, c));
    out
}

/// Why a low-rate train gives no decrement, if it gives none.
fn decrement_not_done(t: &TestMeasures, k: usize) -> Option<String> {
    let n = t.responses.len();
    if n == 0 || t.responses.iter().all(no_response) {
        return Some(format!("{}: no response was recorded", t.file));
    }
    if no_response(&t.responses[0]) {
        return Some(format!("{}: no response to the first stimulus", t.file));
    }
    if n < k {
        return Some(format!(
            "{}: the train has {n} responses; the decrement to the {} response needs {k}",
            t.file,
            ordinal(k)
        ));
    }
    t.decrement_pct.is_none().then(|| {
        format!(
            "{}: no response could be measured at the {} stimulus",
            t.file,
            ordinal(k)
        )
    })
}

/// Why an exercise or high-rate test gives no increment, if it gives none.
fn increment_not_done(t: &TestMeasures) -> Option<String> {
    let exercise = t.protocol == Protocol::Exercise;
    let Some(r1) = t.responses.first() else {
        return Some(format!("{}: no response was recorded", t.file));
    };
    if no_response(r1) {
        let first = if exercise { "pre-exercise" } else { "first" };
        return Some(format!("{}: no {first} response could be measured", t.file));
    }
    let later = &t.responses[1..];
    if later.is_empty() || later.iter().all(no_response) {
        let what = if exercise {
            "no post-exercise response"
        } else {
            "no response after the first"
        };
        return Some(format!("{}: {what} could be measured", t.file));
    }
    t.increment_pct
        .is_none()
        .then(|| format!("{}: the increment could not be computed", t.file))
}

/// Flags of the responses a measure uses and of the train; the first
/// response's own flags for the resting CMAP; responses a shape needs; an
/// amplitude-only rise too large for pseudofacilitation.
fn flag_reasons(t: &TestMeasures, c: &InterpretConfig) -> Vec<ValidityReason> {
    let mut out = Vec::new();
    let main = main_question(t);
    // Every train flag disqualifies: it says the train as a whole is not a
    // physiological one.
    let bad: Vec<String> = t
        .train_flags
        .iter()
        .map(|f| f.code())
        .chain(
            t.flags
                .iter()
                .filter(|f| f.is_disqualifying())
                .map(|f| f.code()),
        )
        .collect();
    if !bad.is_empty() {
        let mut q = vec![main];
        if t.protocol == Protocol::Rns {
            q.push(Question::Shape);
        }
        let text = format!("it is flagged {}", bad.join(", "));
        out.push(reason(ReasonCode::Flagged, Bearing::Unreliable, q, text));
    }
    if let Some(first) = t.responses.first().filter(|r| !no_response(r)) {
        let flags: Vec<String> = first
            .flags
            .iter()
            .filter(|f| f.is_disqualifying())
            .map(|f| f.code())
            .collect();
        if !flags.is_empty() {
            let text = format!("its first response is flagged {}", flags.join(", "));
            out.push(reason(
                ReasonCode::Flagged,
                Bearing::Unreliable,
                vec![Question::LowCmap],
                text,
            ));
        }
    }
    if t.protocol == Protocol::Rns {
        out.extend(responses_missing(t));
    }
    if t.pseudofacilitation == Some(true) {
        if let Some(v) = t
            .increment_pct
            .filter(|v| *v >= c.increment_healthy_max_pct)
        {
            let text = format!(
                "the amplitude rose {} while the area rose only {}, more than pseudofacilitation explains in healthy muscle",
                signed_pct(v),
                signed_pct(t.area_increment_pct.unwrap_or(0.0))
            );
            out.push(reason(
                ReasonCode::AmplitudeOnlyRise,
                Bearing::Unreliable,
                vec![main],
                text,
            ));
        }
    }
    out
}

/// Responses of a low-rate train that could not be measured, or are
/// flagged: the shape of the train cannot be read from it.
fn responses_missing(t: &TestMeasures) -> Option<ValidityReason> {
    let missing: Vec<String> = t
        .responses
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| no_response(r) || r.flags.iter().any(|f| f.is_disqualifying()))
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    (!missing.is_empty()).then(|| {
        reason(
            ReasonCode::ResponsesMissing,
            Bearing::Unreliable,
            vec![Question::Shape],
            format!(
                "response{} {} could not be measured or {} flagged, so the shape of the train cannot be read",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ),
        )
    })
}

/// A train or exercise outside what its criterion was validated on: a
/// normal result cannot exclude (docs/interpretation.md, "Validity").
fn protocol_reason(t: &TestMeasures, c: &InterpretConfig) -> Option<ValidityReason> {
    let hides = |code, q, text: String, source: &str| {
        let r = reason(code, Bearing::HidesAbnormal, vec![q], text);
        Some(cited(
            r,
            format!("{source}; {}", sources::TOOL_RULE_ASYMMETRIC),
        ))
    };
    let (value, lo, hi) = match t.protocol {
        Protocol::Rns => (t.stim_rate_hz?, c.low_rate_min_hz, c.low_rate_max_hz),
        Protocol::Hfrns => (t.stim_rate_hz?, c.high_rate_min_hz, c.high_rate_max_hz),
        Protocol::Exercise => (t.exercise_s?, c.exercise_min_s, c.exercise_max_s),
    };
    if (lo..=hi).contains(&value) {
        return None;
    }
    let (v, lo, hi) = (number(value), number(lo), number(hi));
    match t.protocol {
        Protocol::Rns => hides(ReasonCode::RateOutsideProtocol, Question::Decrement, format!(
            "a {v} Hz train, outside the {lo}-{hi} Hz at which the decrement criterion was validated; a normal result cannot exclude a decrement"
        ), sources::AAEM_2001),
        Protocol::Hfrns => hides(ReasonCode::RateOutsideProtocol, Question::Increment, format!(
            "a {v} Hz train, outside the {lo}-{hi} Hz at which the increment criteria were validated (50 Hz in Oh 2005); a normal result cannot exclude LEMS"
        ), sources::OH_2005),
        Protocol::Exercise => hides(ReasonCode::ExerciseOutsideProtocol, Question::Increment, format!(
            "{v} s of exercise, outside the {lo}-{hi} s after which the increment criteria hold (the increment fell from 243% after 10 s to 84% after 30 s); a normal result cannot exclude LEMS"
        ), sources::TEN_SECOND_EXERCISE),
    }
}

/// The record: a submaximal stimulus fakes abnormality; a cold limb and
/// recent pyridostigmine hide a decrement.
fn record_reasons(t: &TestMeasures, c: &InterpretConfig) -> Vec<ValidityReason> {
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
    if let Some(temp) = t.temperature_c.filter(|v| *v < c.min_temperature_c) {
        let effect = match t.protocol {
            Protocol::Rns => "cooling makes a myasthenic decrement smaller",
            _ => "cooling improves neuromuscular transmission and can hide a defect",
        };
        out.push(cited(
            reason(
                ReasonCode::Cold,
                Bearing::HidesAbnormal,
                vec![main_question(t)],
                format!(
                    "limb temperature {} °C, below {} °C: {effect}, so a normal result can be a false negative",
                    number(temp),
                    number(c.min_temperature_c)
                ),
            ),
            format!(
                "{}; {}; {}",
                sources::BORENSTEIN_DESMEDT_1975,
                sources::AAEM_TEMPERATURE_1991,
                sources::NORWEGIAN_GUIDELINE
            ),
        ));
    }
    if t.protocol != Protocol::Rns {
        return out;
    }
    if let Some(h) = r
        .pyridostigmine_last_dose_h
        .filter(|h| *h < c.pyridostigmine_withhold_h)
    {
        out.push(cited(
            reason(
                ReasonCode::Pyridostigmine,
                Bearing::HidesAbnormal,
                vec![Question::Decrement],
                format!(
                    "pyridostigmine taken {} h before, less than the {} h without it the guideline asks for: acetylcholinesterase inhibitors reduce the decrement, so a normal result cannot exclude one",
                    number(h),
                    number(c.pyridostigmine_withhold_h)
                ),
            ),
            sources::NFKNF_INDICATIONS.to_string(),
        ));
    }
    out
}

/// The resting CMAP of a test, when it has one that can be compared: a
/// test from a rested muscle, of a named muscle, with its first response
/// measured and unflagged.
fn resting_cmap(t: &TestMeasures) -> Option<f64> {
    if after_exercise(t) || t.muscle.is_none() {
        return None;
    }
    let first = t.responses.first()?;
    if no_response(first) || first.flags.iter().any(|f| f.is_disqualifying()) {
        return None;
    }
    first.amplitude_mv.filter(|a| *a > 0.0)
}

/// Test `i`'s resting CMAP against the largest of the same muscle and
/// side in the study's other tests: more than `resting_cmap_margin_pct`
/// smaller suggests a submaximal stimulus (nmjscope's own rule).
fn smaller_than_other_tests(
    tests: &[TestMeasures],
    i: usize,
    c: &InterpretConfig,
) -> Option<ValidityReason> {
    let t = &tests[i];
    let own = resting_cmap(t)?;
    let key = muscle_side_key(t.muscle.as_deref(), t.side.as_deref());
    let (other, largest) = tests
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && muscle_side_key(o.muscle.as_deref(), o.side.as_deref()) == key)
        .filter_map(|(_, o)| resting_cmap(o).map(|a| (o, a)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    let ratio_pct = own / largest * 100.0;
    if ratio_pct >= 100.0 - c.resting_cmap_margin_pct {
        return None;
    }
    let weaker = match (t.record.stim_intensity_ma, other.record.stim_intensity_ma) {
        (Some(a), Some(b)) if a < b => format!(
            "; its stimulus ({} mA) was weaker than there ({} mA), the likely cause",
            number(a),
            number(b)
        ),
        _ => String::new(),
    };
    let muscle = t.muscle.as_deref().unwrap_or("the muscle");
    let r = reason(
        ReasonCode::SmallerThanOtherTests,
        Bearing::FakesAbnormal,
        questions(t),
        format!(
            "its resting CMAP ({} mV) is {} of the largest resting CMAP of {muscle} in the study's other tests ({} mV in {}), more than {} smaller: the stimulus was probably not supramaximal{weaker}",
            mv(own),
            pct0(ratio_pct),
            mv(largest),
            other.file,
            pct0(c.resting_cmap_margin_pct)
        ),
    );
    Some(cited(
        r,
        format!("{}; {}", sources::TOOL_RULE, sources::KONG_2009),
    ))
}

/// What the test's answer to `q` shows.
fn reading(t: &TestMeasures, q: Question, c: &InterpretConfig) -> Reading {
    let abnormal = |yes: bool| {
        if yes {
            Reading::Abnormal
        } else {
            Reading::Normal
        }
    };
    match q {
        Question::Decrement => abnormal(
            t.decrement_pct
                .is_some_and(|v| decrement_grade(v, c) == DecrementGrade::Abnormal),
        ),
        Question::Increment => match t.increment_pct {
            // An amplitude-only rise is not an increment.
            Some(_) if t.pseudofacilitation == Some(true) => Reading::Normal,
            Some(v) => match increment_grade(v, c) {
                LemsCriterion::Specific | LemsCriterion::Suggestive => Reading::Abnormal,
                LemsCriterion::Equivocal => Reading::Borderline,
                _ => Reading::Normal,
            },
            None => Reading::Normal,
        },
        Question::LowCmap => {
            let limit = t.muscle.as_deref().and_then(|m| limits::lower_limit(m, c));
            abnormal(matches!(
                (t.first_amplitude_mv(), limit),
                (Some(a), Some((l, _))) if a < l
            ))
        }
        // A shape is read on an abnormal train only.
        Question::Shape => Reading::Abnormal,
    }
}

/// How an answer showing `r` stands, given the reasons bearing on it.
fn standing(reasons: &[&ValidityReason], r: Reading) -> Standing {
    let has = |b: Bearing| reasons.iter().any(|x| x.bearing == b);
    if has(Bearing::NotDone) {
        return Standing::NotDone;
    }
    if has(Bearing::Unreliable) || (r != Reading::Normal && has(Bearing::FakesAbnormal)) {
        return Standing::Unreliable;
    }
    if !has(Bearing::HidesAbnormal) {
        return Standing::Stands;
    }
    if r != Reading::Abnormal {
        return Standing::CannotExclude;
    }
    let protocol = reasons
        .iter()
        .any(|x| x.bearing == Bearing::HidesAbnormal && x.code.is_protocol());
    if protocol {
        Standing::StandsOutOfProtocol
    } else {
        Standing::Stands
    }
}

/// The verdict from the reasons: how each answer stands, and the code.
fn verdict(t: &TestMeasures, reasons: Vec<ValidityReason>, c: &InterpretConfig) -> Validity {
    let answers: Vec<Answer> = questions(t)
        .into_iter()
        .filter(|q| *q != Question::Shape || t.shape.is_some())
        .map(|q| {
            let bearing: Vec<&ValidityReason> = reasons
                .iter()
                .filter(|r| r.questions.contains(&q))
                .collect();
            Answer {
                question: q,
                standing: standing(&bearing, reading(t, q, c)),
            }
        })
        .collect();
    let protocol = reasons.iter().any(|r| r.code.is_protocol());
    let code_of = |s: Standing| match s {
        Standing::Stands => ValidityCode::Valid,
        Standing::StandsOutOfProtocol => ValidityCode::OutOfProtocol,
        Standing::CannotExclude if protocol => ValidityCode::OutOfProtocol,
        Standing::CannotExclude => ValidityCode::Limited,
        Standing::Unreliable => ValidityCode::Unreliable,
        Standing::NotDone => ValidityCode::NotDone,
    };
    let main = main_question(t);
    // The test as a whole: its main answer, and a resting CMAP that cannot
    // be relied on (a shape that cannot be read says nothing of the test).
    let code = answers
        .iter()
        .filter(|a| {
            a.question == main
                || (a.question == Question::LowCmap && a.standing == Standing::Unreliable)
        })
        .map(|a| code_of(a.standing))
        .max()
        .unwrap_or(ValidityCode::NotDone);
    Validity {
        code,
        reasons,
        answers,
    }
}
