//! What each test contributes to the conclusion, as its verdict says
//! (`validity.rs`): a value that stands, one that stands with the caveat of
//! its protocol, one that cannot exclude, an unreliable one (with why), or
//! nothing (with why). A test whose deciding responses are missing counts
//! as not done, never as negative.

use super::InterpretConfig;
use crate::model::{Bearing, Protocol, Question, Standing, TestMeasures};
use crate::model::{DecrementGrade, LemsCriterion, Part, PartStatus};

/// What one test gives one part of the conclusion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// How the test's answer stands.
    pub standing: Standing,
    /// Its value (%), when it has one.
    pub value: Option<f64>,
    /// A pseudofacilitated high-rate or exercise test: the amplitude rise
    /// is not a true increment and counts as none.
    pub discounted: bool,
    /// Why it does not simply stand (the reasons of its verdict), or the
    /// caveat of a result that stands outside its protocol.
    pub why: Option<String>,
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

/// The outcome of a test's answer to `q`, from its verdict.
fn outcome(t: &TestMeasures, q: Question, value: Option<f64>, discounted: bool) -> Outcome {
    let v = &t.validity;
    let standing = v.standing(q);
    let why = match standing {
        Standing::Stands => None,
        Standing::NotDone => v.why(q, &[Bearing::NotDone]),
        Standing::Unreliable => v.why(q, &[Bearing::Unreliable, Bearing::FakesAbnormal]),
        Standing::StandsOutOfProtocol | Standing::CannotExclude => {
            v.why(q, &[Bearing::HidesAbnormal])
        }
    };
    let standing = if value.is_none() && standing != Standing::NotDone {
        Standing::NotDone
    } else {
        standing
    };
    Outcome {
        standing,
        value,
        // An amplitude-only rise beyond the healthy range is unreliable,
        // and graded as the rise it is.
        discounted: discounted && standing != Standing::Unreliable,
        why,
    }
}

/// The decrement outcome of a low-rate train.
pub(crate) fn decrement_outcome(t: &TestMeasures) -> Outcome {
    outcome(t, Question::Decrement, t.decrement_pct, false)
}

/// The increment outcome of an exercise or high-rate test. An
/// amplitude-only rise within what healthy muscle shows is
/// pseudofacilitation: it counts as no increment.
pub(crate) fn increment_outcome(t: &TestMeasures) -> Outcome {
    let discounted = t.pseudofacilitation == Some(true);
    outcome(t, Question::Increment, t.increment_pct, discounted)
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

/// The best of `v`: the highest grade, then the largest value.
fn best<'v, 'a, G: Ord>(v: &'v [Graded<'a, G>]) -> Option<&'v Graded<'a, G>> {
    v.iter()
        .max_by(|a, b| a.grade.cmp(&b.grade).then(a.value.total_cmp(&b.value)))
}

/// Combines the tests' outcomes into one part. A result that stands
/// decides (the highest grade), unless an unreliable one would raise it
/// (then the part is unreliable); a result that cannot exclude decides
/// only when nothing stands; with no value at all the part is not tested,
/// with every reason given.
fn combine<G: Copy + Ord>(
    outcomes: Vec<(&TestMeasures, Outcome)>,
    grade: impl Fn(f64, bool) -> G,
    none_reason: &str,
) -> Part<G> {
    let mut stands: Vec<Graded<G>> = Vec::new();
    let mut unreliable: Vec<Graded<G>> = Vec::new();
    let mut cannot_exclude: Vec<Graded<G>> = Vec::new();
    let mut reasons = Vec::new();
    for (t, o) in outcomes {
        let Some(value) = o.value.filter(|_| o.standing != Standing::NotDone) else {
            reasons.extend(o.why);
            continue;
        };
        let g = Graded {
            file: &t.file,
            value,
            grade: grade(value, o.discounted),
            why: o.why,
        };
        match o.standing {
            Standing::Stands | Standing::StandsOutOfProtocol => stands.push(g),
            Standing::CannotExclude => cannot_exclude.push(g),
            Standing::Unreliable | Standing::NotDone => unreliable.push(g),
        }
    }
    let (chosen, status) = match (best(&stands), best(&unreliable), best(&cannot_exclude)) {
        (Some(v), Some(u), _) if u.grade > v.grade => (u, PartStatus::Unreliable),
        (Some(v), _, _) => (v, PartStatus::Measured),
        (None, Some(u), Some(i)) if u.grade <= i.grade => (i, PartStatus::Inconclusive),
        (None, Some(u), _) => (u, PartStatus::Unreliable),
        (None, None, Some(i)) => (i, PartStatus::Inconclusive),
        (None, None, None) => {
            let detail = if reasons.is_empty() {
                none_reason.to_string()
            } else {
                reasons.join("; ")
            };
            return Part::not_tested(detail);
        }
    };
    // A result that stands carries only the caveat of its protocol.
    let (detail, caveat) = match status {
        PartStatus::Measured => (None, chosen.why.clone()),
        _ => (chosen.why.clone(), None),
    };
    Part {
        status,
        grade: Some(chosen.grade),
        value_pct: Some(chosen.value),
        file: Some(chosen.file.to_string()),
        detail,
        caveat,
    }
}

/// The decrement part of the study, from its low-rate trains.
pub(crate) fn decrement_part(tests: &[TestMeasures], c: &InterpretConfig) -> Part<DecrementGrade> {
    let outcomes = tests
        .iter()
        .filter(|t| t.protocol == Protocol::Rns)
        .map(|t| (t, decrement_outcome(t)))
        .collect();
    combine(
        outcomes,
        |v, _| decrement_grade(v, c),
        "no low-rate (2-5 Hz) train was recorded",
    )
}

/// The increment part of the study, from its exercise and high-rate tests.
pub(crate) fn increment_part(tests: &[TestMeasures], c: &InterpretConfig) -> Part<LemsCriterion> {
    let outcomes = tests
        .iter()
        .filter(|t| matches!(t.protocol, Protocol::Hfrns | Protocol::Exercise))
        .map(|t| (t, increment_outcome(t)))
        .collect();
    combine(
        outcomes,
        |v, discounted| {
            if discounted {
                LemsCriterion::None
            } else {
                increment_grade(v, c)
            }
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
