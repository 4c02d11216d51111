//! A submaximal stimulus found from the data: a test's resting CMAP much
//! smaller than what a supramaximal stimulus of the same muscle gave in
//! the study (the other tests' first CMAPs, and any later response of a
//! low-rate train at rest, which no disorder makes grow at 2-5 Hz).
//! nmjscope's own rule (`interpret.resting_cmap_margin_pct`).

use super::{after_exercise, cited, disqualifying, no_response, questions, reason};
use crate::interpret::assess::increment_grade;
use crate::interpret::sources;
use crate::interpret::InterpretConfig;
use crate::model::{
    muscle_side_key, Bearing, LemsCriterion, Protocol, Question, ReasonCode, ResponseMeasures,
    TestMeasures, ValidityReason,
};
use crate::words::{mv, number, pct0};

/// Later responses of a low-rate train a reference may come from: 2-5,
/// where a myasthenic decrement reaches its nadir.
const LATER_RESPONSES: std::ops::Range<usize> = 1..5;

/// A measured, unflagged amplitude.
fn clean(r: &ResponseMeasures) -> Option<f64> {
    if no_response(r) || r.flags.iter().any(|f| f.is_disqualifying()) {
        return None;
    }
    r.amplitude_mv.filter(|a| *a > 0.0)
}

/// The resting CMAP of a test, when it has one that can be compared: a
/// test from a rested muscle, of a named muscle, with its first response
/// measured and unflagged.
fn resting_cmap(t: &TestMeasures) -> Option<f64> {
    if after_exercise(t) || t.muscle.is_none() {
        return None;
    }
    clean(t.responses.first()?)
}

/// One muscle and side: the muscles the same, and the sides the same or
/// either not recorded (a side written in one file only must not hide the
/// comparison).
fn same_site(a: &TestMeasures, b: &TestMeasures) -> bool {
    let (ma, sa) = muscle_side_key(a.muscle.as_deref(), a.side.as_deref());
    let (mb, sb) = muscle_side_key(b.muscle.as_deref(), b.side.as_deref());
    a.muscle.is_some() && ma == mb && (sa == sb || sa.is_empty() || sb.is_empty())
}

/// The largest CMAP a supramaximal stimulus of the muscle gave, and where.
struct Reference<'a> {
    amplitude_mv: f64,
    test: &'a TestMeasures,
    /// "the first response", "response 3".
    response: String,
}

/// The largest CMAP of test `i`'s muscle and side anywhere else in the
/// study: the other tests' resting CMAPs, and responses 2-5 of low-rate
/// trains at rest (its own too).
fn reference<'a>(tests: &'a [TestMeasures], i: usize) -> Option<Reference<'a>> {
    let t = &tests[i];
    let mut best: Option<Reference> = None;
    let mut offer = |amplitude_mv: f64, test: &'a TestMeasures, response: String| {
        if best.as_ref().is_none_or(|b| amplitude_mv > b.amplitude_mv) {
            best = Some(Reference {
                amplitude_mv,
                test,
                response,
            });
        }
    };
    for (j, o) in tests.iter().enumerate() {
        if !same_site(t, o) {
            continue;
        }
        if j != i {
            if let Some(a) = resting_cmap(o) {
                offer(a, o, "the first response".to_string());
            }
        }
        if o.protocol == Protocol::Rns && !after_exercise(o) {
            for k in LATER_RESPONSES {
                if let Some(a) = o.responses.get(k).and_then(clean) {
                    offer(a, o, format!("response {}", k + 1));
                }
            }
        }
    }
    best
}

/// Test `i`'s resting CMAP against the largest CMAP of its muscle and side
/// elsewhere in the study: more than `resting_cmap_margin_pct` smaller
/// suggests a submaximal stimulus. An increment that still reaches the
/// suggestive cut-off against that larger CMAP is not one a submaximal
/// first stimulus can have made, and stands.
pub(super) fn smaller_than_other_tests(
    tests: &[TestMeasures],
    i: usize,
    c: &InterpretConfig,
) -> Option<ValidityReason> {
    let t = &tests[i];
    let own = resting_cmap(t)?;
    let r = reference(tests, i)?;
    let ratio_pct = own / r.amplitude_mv * 100.0;
    if ratio_pct >= 100.0 - c.resting_cmap_margin_pct {
        return None;
    }
    let mut qs = questions(t);
    let mut stands = String::new();
    if let Some(v) = increment_against(t, r.amplitude_mv) {
        if increment_grade(v, c) >= LemsCriterion::Suggestive {
            qs.retain(|q| *q != Question::Increment);
            stands = format!(
                "; its largest response is still {} above that CMAP, more than a submaximal first stimulus can make, so its increment stands",
                pct0(v)
            );
        }
    }
    let whose = if std::ptr::eq(r.test, t) {
        format!("its own {}", r.response)
    } else {
        format!("{} of {}", r.response, r.test.file)
    };
    let text = format!(
        "its resting CMAP ({} mV) is {} of the largest CMAP of {} elsewhere in the study ({} mV, {whose}), more than {} smaller: {}{stands}",
        mv(own),
        pct0(ratio_pct),
        t.muscle.as_deref().unwrap_or("the muscle"),
        mv(r.amplitude_mv),
        pct0(c.resting_cmap_margin_pct),
        cause(t, r.test)
    );
    let reason = reason(
        ReasonCode::SmallerThanOtherTests,
        Bearing::FakesAbnormal,
        qs,
        text,
    );
    Some(cited(
        reason,
        format!("{}; {}", sources::TOOL_RULE, sources::KONG_2009),
    ))
}

/// A series' post-exercise increment (test `i`) is only as good as the
/// resting CMAP it is measured against: a flagged first response of that
/// train makes it unreliable, a submaximal one (the rule above) could fake
/// it.
pub(super) fn reference_unreliable(
    tests: &[TestMeasures],
    i: usize,
    c: &InterpretConfig,
) -> Option<ValidityReason> {
    let file = tests[i].increment_reference.as_deref()?;
    let j = tests.iter().position(|t| t.file == file)?;
    let flags = disqualifying(tests[j].responses.first()?);
    if !flags.is_empty() {
        return Some(reason(
            ReasonCode::Flagged,
            Bearing::Unreliable,
            vec![Question::Increment],
            format!(
                "the resting CMAP its increment is measured against (the first response of {file}) is flagged {}",
                flags.join(", ")
            ),
        ));
    }
    let smaller = smaller_than_other_tests(tests, j, c)?;
    let r = reason(
        ReasonCode::SmallerThanOtherTests,
        Bearing::FakesAbnormal,
        vec![Question::Increment],
        format!(
            "the resting CMAP its increment is measured against (the first response of {file}) may be submaximal: {}",
            smaller.text
        ),
    );
    Some(cited(r, smaller.source.unwrap_or_default()))
}

/// The increment of an exercise or high-rate test against `reference_mv`
/// instead of its own first response.
fn increment_against(t: &TestMeasures, reference_mv: f64) -> Option<f64> {
    if t.protocol == Protocol::Rns || t.pseudofacilitation == Some(true) {
        return None;
    }
    let largest = t
        .responses
        .iter()
        .skip(1)
        .filter_map(clean)
        .fold(f64::NEG_INFINITY, f64::max);
    (largest.is_finite() && reference_mv > 0.0)
        .then(|| (largest - reference_mv) / reference_mv * 100.0)
}

/// What can make a resting CMAP smaller than the muscle's largest: a
/// submaximal stimulus (a weaker one named), a moved electrode, or a larger
/// CMAP facilitated in LEMS.
fn cause(t: &TestMeasures, other: &TestMeasures) -> String {
    let facilitated = "unless, in LEMS, the larger CMAP was facilitated by exercise or a fast train shortly before it";
    if t.record.supramaximal == Some(true) {
        return format!(
            "it was recorded as supramaximal, so a moved recording electrode may explain it, {facilitated}"
        );
    }
    let weaker = match (t.record.stim_intensity_ma, other.record.stim_intensity_ma) {
        (Some(a), Some(b)) if a < b => format!(
            " (its stimulus, {} mA, was weaker than there, {} mA: the likely cause)",
            number(a),
            number(b)
        ),
        _ => String::new(),
    };
    format!("the stimulus was probably not supramaximal{weaker}, {facilitated}")
}
