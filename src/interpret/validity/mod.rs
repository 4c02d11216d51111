//! The one judgment of each test, made before any rule reads it: from its
//! measures and flags, its record (stimulus, temperature, medication), its
//! protocol (rate, length of exercise) and the other tests of the same
//! muscle, the reasons it cannot be taken as it stands, and how each of its
//! answers stands ([`Validity`]). The rules of `docs/interpretation.md`,
//! "Validity", are implemented here and nowhere else.

mod protocol;
mod resting;

use super::assess::{decrement_grade, increment_grade, ordinal};
use super::limits;
use super::InterpretConfig;
use crate::model::{
    Answer, Bearing, DecrementGrade, Flag, LemsCriterion, Protocol, Question, ReasonCode,
    ResponseMeasures, Standing, TestMeasures, Validity, ValidityCode, ValidityReason,
};
use crate::words::signed_pct;

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
            reasons.extend(resting::smaller_than_other_tests(tests, i, c));
            reasons.extend(resting::reference_unreliable(tests, i, c));
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
pub(super) fn questions(t: &TestMeasures) -> Vec<Question> {
    let mut q = vec![main_question(t)];
    if t.protocol == Protocol::Rns && t.increment_reference.is_some() {
        q.push(Question::Increment);
    }
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

pub(super) fn reason(
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
pub(super) fn cited(mut r: ValidityReason, source: String) -> ValidityReason {
    r.source = Some(source);
    r
}

/// The codes of a response's flags that disqualify it.
pub(super) fn disqualifying(r: &ResponseMeasures) -> Vec<String> {
    r.flags
        .iter()
        .filter(|f| f.is_disqualifying())
        .map(|f| f.code())
        .collect()
}

pub(super) fn no_response(r: &ResponseMeasures) -> bool {
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
    out.extend(protocol::protocol_reasons(t, c));
    out.extend(protocol::record_reasons(t, c));
    out
}

/// Why a low-rate train gives no decrement, if it gives none.
fn decrement_not_done(t: &TestMeasures, k: usize) -> Option<String> {
    let n = t.responses.len();
    if n == 0 || t.responses.iter().all(no_response) {
        return Some(format!("{}: no response was recorded", t.file));
    }
    if let Some(why) = excluded_reason(&t.responses[0]) {
        return Some(format!(
            "{}: the first response is excluded by hand ({why})",
            t.file
        ));
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
    t.decrement_pct
        .is_none()
        .then(|| match excluded_reason(&t.responses[k - 1]) {
            Some(why) => {
                let fifth = if k != 4 {
                    String::new()
                } else if t.responses.get(4).and_then(excluded_reason).is_some() {
                    ", and so is the 5th, which AAEM 2001 reads in its place".to_string()
                } else {
                    ", and the 5th, which AAEM 2001 reads in its place, could not be measured"
                        .to_string()
                };
                format!(
                    "{}: the {} response is excluded by hand ({why}){fifth}",
                    t.file,
                    ordinal(k)
                )
            }
            None => format!(
                "{}: no response could be measured at the {} stimulus",
                t.file,
                ordinal(k)
            ),
        })
}

/// Why a response was excluded by hand, when it was.
fn excluded_reason(r: &ResponseMeasures) -> Option<&str> {
    r.manual.as_ref().and_then(|m| m.excluded.as_deref())
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
            // A response excluded by hand is a person's decision, not a
            // fault of the train: what it takes away is `not_done` (or the
            // decrement read to the 5th) and the shape.
            t.flags
                .iter()
                .filter(|f| f.is_disqualifying() && **f != Flag::Excluded)
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
        let flags = disqualifying(first);
        if !flags.is_empty() {
            let text = format!("its first response is flagged {}", flags.join(", "));
            // A series' post-exercise increment is that first response.
            let mut q = vec![Question::LowCmap];
            if t.increment_reference.is_some() {
                q.push(Question::Increment);
            }
            out.push(reason(ReasonCode::Flagged, Bearing::Unreliable, q, text));
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
                vec![Question::Increment],
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
                .is_some_and(|v| decrement_grade(t, v, c) == DecrementGrade::Abnormal),
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
    // The test as a whole is what its main answer is worth; a resting CMAP
    // or a shape that cannot be relied on is said beside it.
    let code = answers
        .iter()
        .find(|a| a.question == main)
        .map_or(ValidityCode::NotDone, |a| code_of(a.standing));
    Validity {
        code,
        reasons,
        answers,
    }
}
