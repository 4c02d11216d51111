//! What each test contributes to the conclusion: a valid value, an
//! unreliable one (with why), or nothing (with why). A test whose deciding
//! responses are missing or show no response counts as not done, never as
//! negative.

use super::InterpretConfig;
use crate::model::Protocol;
use crate::model::TestMeasures;
use crate::model::{DecrementGrade, LemsCriterion, Part, PartStatus};
use crate::model::{Flag, ResponseMeasures};

/// What one test gives one part of the conclusion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// A value from a technically valid test.
    Valid(f64),
    /// A pseudofacilitated high-rate or exercise test: the amplitude rise is
    /// not a true increment and counts as none.
    Discounted(f64),
    /// A value whose test is flagged; the text says why.
    Unreliable(f64, String),
    /// No value; the text says why.
    NotDone(String),
}

/// English ordinal of a 1-based position.
pub(crate) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn no_response(r: &ResponseMeasures) -> bool {
    r.has(Flag::NoResponse) || r.amplitude_mv.is_none()
}

/// The flags of `t` that make its value unreliable, as text.
fn disqualifying(t: &TestMeasures) -> Option<String> {
    // Every train flag disqualifies: it says the train as a whole is not
    // a physiological one.
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
    (!bad.is_empty()).then(|| format!("{} is flagged {}", t.file, bad.join(", ")))
}

/// The decrement outcome of a low-rate train.
pub(crate) fn decrement_outcome(t: &TestMeasures, k: usize) -> Outcome {
    let n = t.responses.len();
    if n == 0 || t.responses.iter().all(no_response) {
        return Outcome::NotDone(format!("{}: no response was recorded", t.file));
    }
    if no_response(&t.responses[0]) {
        return Outcome::NotDone(format!("{}: no response to the first stimulus", t.file));
    }
    if n < k {
        return Outcome::NotDone(format!(
            "{}: the train has {n} responses; the decrement to the {} response needs {k}",
            t.file,
            ordinal(k)
        ));
    }
    match (t.decrement_pct, disqualifying(t)) {
        (Some(v), None) => Outcome::Valid(v),
        (Some(v), Some(why)) => Outcome::Unreliable(v, why),
        (None, _) => Outcome::NotDone(format!(
            "{}: no response could be measured at the {} stimulus",
            t.file,
            ordinal(k)
        )),
    }
}

/// The increment outcome of an exercise or high-rate test.
pub(crate) fn increment_outcome(t: &TestMeasures, c: &InterpretConfig) -> Outcome {
    let first = if t.protocol == Protocol::Exercise {
        "pre-exercise"
    } else {
        "first"
    };
    let Some(r1) = t.responses.first() else {
        return Outcome::NotDone(format!("{}: no response was recorded", t.file));
    };
    if no_response(r1) {
        return Outcome::NotDone(format!("{}: no {first} response could be measured", t.file));
    }
    let later = &t.responses[1..];
    if later.is_empty() || later.iter().all(no_response) {
        let what = if t.protocol == Protocol::Exercise {
            "no post-exercise response"
        } else {
            "no response after the first"
        };
        return Outcome::NotDone(format!("{}: {what} could be measured", t.file));
    }
    let Some(v) = t.increment_pct else {
        return Outcome::NotDone(format!("{}: the increment could not be computed", t.file));
    };
    if t.pseudofacilitation == Some(true) {
        if v >= c.increment_healthy_max_pct {
            return Outcome::Unreliable(
                v,
                format!(
                    "{}: the amplitude rose {v:.1}% while the area rose only {:.1}%, more than pseudofacilitation explains in healthy muscle",
                    t.file,
                    t.area_increment_pct.unwrap_or(0.0)
                ),
            );
        }
        return Outcome::Discounted(v);
    }
    match disqualifying(t) {
        None => Outcome::Valid(v),
        Some(why) => Outcome::Unreliable(v, why),
    }
}

/// Grades an increment against the LEMS bands.
pub(crate) fn increment_grade(v: f64, c: &InterpretConfig) -> LemsCriterion {
    if v >= c.increment_specific_pct {
        LemsCriterion::Specific
    } else if v >= c.increment_suggestive_pct {
        LemsCriterion::Suggestive
    } else if v >= c.increment_equivocal_pct {
        LemsCriterion::Equivocal
    } else {
        LemsCriterion::None
    }
}

/// Grades a decrement.
pub(crate) fn decrement_grade(v: f64, c: &InterpretConfig) -> DecrementGrade {
    if v > c.decrement_abnormal_pct {
        DecrementGrade::Abnormal
    } else {
        DecrementGrade::Normal
    }
}

/// One test's graded outcome, ready to be combined.
struct Graded<'a, G> {
    file: &'a str,
    value: f64,
    grade: G,
    why: Option<String>,
}

/// Combines the tests' outcomes into one part: the highest valid grade
/// decides, unless an unreliable test would raise it (then the part is
/// unreliable); with no value at all the part is not tested, with every
/// reason given.
fn combine<G: Copy + Ord>(
    outcomes: Vec<(&TestMeasures, Outcome)>,
    grade: impl Fn(&Outcome) -> Option<(f64, G)>,
    none_reason: &str,
) -> Part<G> {
    let mut valid: Vec<Graded<G>> = Vec::new();
    let mut unreliable: Vec<Graded<G>> = Vec::new();
    let mut reasons = Vec::new();
    for (t, o) in &outcomes {
        match (o, grade(o)) {
            (Outcome::NotDone(why), _) => reasons.push(why.clone()),
            (Outcome::Unreliable(_, why), Some((value, g))) => unreliable.push(Graded {
                file: &t.file,
                value,
                grade: g,
                why: Some(why.clone()),
            }),
            (_, Some((value, g))) => valid.push(Graded {
                file: &t.file,
                value,
                grade: g,
                why: None,
            }),
            _ => {}
        }
    }
    let best = |v: &[Graded<'_, G>]| -> Option<usize> {
        (0..v.len()).max_by(|&a, &b| {
            v[a].grade
                .cmp(&v[b].grade)
                .then(v[a].value.total_cmp(&v[b].value))
        })
    };
    let bv = best(&valid).map(|i| &valid[i]);
    let bu = best(&unreliable).map(|i| &unreliable[i]);
    let (chosen, status) = match (bv, bu) {
        (Some(v), Some(u)) if u.grade > v.grade => (u, PartStatus::Unreliable),
        (Some(v), _) => (v, PartStatus::Measured),
        (None, Some(u)) => (u, PartStatus::Unreliable),
        (None, None) => {
            let detail = if reasons.is_empty() {
                none_reason.to_string()
            } else {
                reasons.join("; ")
            };
            return Part::not_tested(detail);
        }
    };
    Part {
        status,
        grade: Some(chosen.grade),
        value_pct: Some(chosen.value),
        file: Some(chosen.file.to_string()),
        detail: chosen.why.clone(),
    }
}

/// The decrement part of the study, from its low-rate trains.
pub(crate) fn decrement_part(
    tests: &[TestMeasures],
    k: usize,
    c: &InterpretConfig,
) -> Part<DecrementGrade> {
    let outcomes = tests
        .iter()
        .filter(|t| t.protocol == Protocol::Rns)
        .map(|t| (t, decrement_outcome(t, k)))
        .collect();
    combine(
        outcomes,
        |o| match o {
            Outcome::Valid(v) | Outcome::Unreliable(v, _) => Some((*v, decrement_grade(*v, c))),
            _ => None,
        },
        "no low-rate (2-5 Hz) train was recorded",
    )
}

/// The increment part of the study, from its exercise and high-rate tests.
pub(crate) fn increment_part(tests: &[TestMeasures], c: &InterpretConfig) -> Part<LemsCriterion> {
    let outcomes = tests
        .iter()
        .filter(|t| matches!(t.protocol, Protocol::Hfrns | Protocol::Exercise))
        .map(|t| (t, increment_outcome(t, c)))
        .collect();
    combine(
        outcomes,
        |o| match o {
            Outcome::Valid(v) | Outcome::Unreliable(v, _) => Some((*v, increment_grade(*v, c))),
            Outcome::Discounted(v) => Some((*v, LemsCriterion::None)),
            Outcome::NotDone(_) => None,
        },
        "no exercise or high-rate test was recorded",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 112]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "112th"]
        );
    }

    #[test]
    fn grades_at_the_boundaries() {
        let c = InterpretConfig::default();
        assert_eq!(increment_grade(24.99, &c), LemsCriterion::None);
        assert_eq!(increment_grade(25.0, &c), LemsCriterion::Equivocal);
        assert_eq!(increment_grade(59.99, &c), LemsCriterion::Equivocal);
        assert_eq!(increment_grade(60.0, &c), LemsCriterion::Suggestive);
        assert_eq!(increment_grade(100.0, &c), LemsCriterion::Specific);
        assert_eq!(decrement_grade(10.0, &c), DecrementGrade::Normal);
        assert_eq!(decrement_grade(10.01, &c), DecrementGrade::Abnormal);
    }
}
