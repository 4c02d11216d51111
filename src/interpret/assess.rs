//! What each test contributes to the conclusion, as its verdict says
//! (`validity.rs`): a value that stands, one that stands with the caveat of
//! its protocol, one that cannot exclude, an unreliable one (with why), or
//! nothing (with why). A test whose deciding responses are missing counts
//! as not done, never as negative.

use super::validity::after_exercise;
use super::InterpretConfig;
use crate::model::{muscle_side_key, Bearing, Protocol, Question, Standing, TestMeasures};
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

/// The decrement above which a train of this test's muscle is abnormal.
pub(crate) fn decrement_limit_of(t: &TestMeasures, c: &InterpretConfig) -> f64 {
    super::limits::decrement_limit(t.muscle.as_deref(), c)
}

/// Grades a decrement of a train of `t`'s muscle.
pub(crate) fn decrement_grade(t: &TestMeasures, v: f64, c: &InterpretConfig) -> DecrementGrade {
    if v > decrement_limit_of(t, c) {
        DecrementGrade::Abnormal
    } else {
        DecrementGrade::Normal
    }
}

/// One test's graded outcome, ready to be combined.
struct Graded<G> {
    file: String,
    note: Option<String>,
    limit_pct: Option<f64>,
    discounted: bool,
    value: f64,
    grade: G,
    why: Option<String>,
}

/// The best of `v`: the highest grade, then the largest value.
fn best<G: Ord>(v: &[Graded<G>]) -> Option<&Graded<G>> {
    v.iter()
        .max_by(|a, b| a.grade.cmp(&b.grade).then(a.value.total_cmp(&b.value)))
}

/// Combines the tests' outcomes into one part. A result that stands
/// decides (the highest grade), unless an unreliable one would raise it
/// (then the part is unreliable); a result that cannot exclude decides
/// only when nothing stands; with no value at all the part is not tested,
/// with every reason given.
fn combine<G: Copy + Ord>(
    c: &InterpretConfig,
    outcomes: Vec<(&TestMeasures, Outcome, Question)>,
    grade: impl Fn(&TestMeasures, f64, bool) -> G,
    none_reason: &str,
) -> Part<G> {
    let mut stands: Vec<Graded<G>> = Vec::new();
    let mut unreliable: Vec<Graded<G>> = Vec::new();
    let mut cannot_exclude: Vec<Graded<G>> = Vec::new();
    let mut reasons = Vec::new();
    for (t, o, q) in outcomes {
        let Some(value) = o.value.filter(|_| o.standing != Standing::NotDone) else {
            reasons.extend(o.why);
            continue;
        };
        let g = Graded {
            file: t.file.clone(),
            note: file_note(t, q),
            limit_pct: (t.protocol == Protocol::Rns && t.increment_reference.is_none())
                .then(|| decrement_limit_of(t, c)),
            discounted: o.discounted,
            value,
            grade: grade(t, value, o.discounted),
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
        file: Some(chosen.file.clone()),
        file_note: chosen.note.clone(),
        detail,
        caveat,
        limit_pct: chosen.limit_pct,
        pseudofacilitation: chosen.discounted,
    }
}

/// What a part says beside its file: the time after exercise of a train
/// in a series, or the resting train a post-exercise increment is measured
/// against.
fn file_note(t: &TestMeasures, q: Question) -> Option<String> {
    let phase = t.record.exercise_phase.filter(|_| after_exercise(t));
    match (&t.increment_reference, phase) {
        (Some(rest), _) if q == Question::Increment => {
            Some(format!("its first CMAP against that of {rest}"))
        }
        (_, Some(p)) => Some(p.to_string()),
        _ => None,
    }
}

/// The low-rate trains that decide the decrement: those at rest. A train
/// after exercise shows repair or exhaustion (the series' findings), not
/// the resting decrement, and counts only for a muscle with no train at
/// rest.
pub(crate) fn resting_trains(tests: &[TestMeasures]) -> Vec<&TestMeasures> {
    let rns = || tests.iter().filter(|t| t.protocol == Protocol::Rns);
    let key = |t: &TestMeasures| muscle_side_key(t.muscle.as_deref(), t.side.as_deref());
    rns()
        .filter(|t| !after_exercise(t) || !rns().any(|o| !after_exercise(o) && key(o) == key(t)))
        .collect()
}

/// Whether a test answers the increment: an exercise or high-rate test,
/// or the first train after exercise of a series.
pub(crate) fn answers_increment(t: &TestMeasures) -> bool {
    match t.protocol {
        Protocol::Hfrns | Protocol::Exercise => true,
        Protocol::Rns => t.increment_reference.is_some() && t.increment_pct.is_some(),
    }
}

/// The decrement of `trains`, combined.
fn decrement_of(trains: Vec<&TestMeasures>, c: &InterpretConfig) -> Part<DecrementGrade> {
    let outcomes = trains
        .into_iter()
        .map(|t| (t, decrement_outcome(t), Question::Decrement))
        .collect();
    combine(
        c,
        outcomes,
        |t, v, _| decrement_grade(t, v, c),
        "no low-rate (2-5 Hz) train was recorded",
    )
}

/// The decrement of the trains at rest alone.
pub(crate) fn resting_decrement(
    tests: &[TestMeasures],
    c: &InterpretConfig,
) -> Part<DecrementGrade> {
    decrement_of(resting_trains(tests), c)
}

/// The study's quantities, one per column of the batch summary.
pub(crate) fn quantities(
    tests: &[TestMeasures],
    series: &crate::model::StudySeries,
    inc: &Part<LemsCriterion>,
    first_cmap_mv: Option<f64>,
    c: &InterpretConfig,
) -> crate::model::Quantities {
    let rest = resting_decrement(tests, c);
    let pseudo = tests
        .iter()
        .filter(|t| answers_increment(t) && t.pseudofacilitation == Some(true))
        .filter_map(|t| t.increment_pct)
        .reduce(f64::max);
    crate::model::Quantities {
        rest_decrement_pct: rest
            .value_pct
            .filter(|_| rest.status != PartStatus::NotTested),
        max_exhaustion_pct: series
            .exhaustion
            .iter()
            .filter_map(|s| s.exhaustion_pct)
            .reduce(f64::max),
        increment_pct: inc
            .value_pct
            .filter(|_| inc.status != PartStatus::NotTested && !inc.pseudofacilitation),
        pseudofacilitation_pct: pseudo,
        first_cmap_mv,
    }
}

/// Trains from this long after exercise (s) show exhaustion: the trains at
/// 1-4 minutes of the protocol (Norwegian guideline: in some patients a
/// decrement is seen only 3-4 minutes after the contraction).
const EXHAUSTION_FROM_S: u32 = 60;

/// The decrement part of the study, from its low-rate trains at rest; when
/// none of them is abnormal and a train in post-exercise exhaustion is, that
/// train (named with its time), since "in some cases the decrement is only
/// visible 3-4 minutes after maximal contraction" (Norwegian guideline, MG
/// findings).
pub(crate) fn decrement_part(tests: &[TestMeasures], c: &InterpretConfig) -> Part<DecrementGrade> {
    let part = |trains| decrement_of(trains, c);
    let rest = resting_decrement(tests, c);
    if rest.valid_grade() == Some(DecrementGrade::Abnormal) {
        return rest;
    }
    let exhausted: Vec<&TestMeasures> = tests
        .iter()
        .filter(|t| t.protocol == Protocol::Rns && after_exercise(t))
        .filter(|t| {
            t.record
                .exercise_phase
                .and_then(|p| p.seconds_after())
                .is_some_and(|s| s >= EXHAUSTION_FROM_S)
        })
        .collect();
    let exhaustion = part(exhausted);
    if exhaustion.valid_grade() == Some(DecrementGrade::Abnormal) {
        exhaustion
    } else {
        rest
    }
}

/// The increment part of the study, from its exercise and high-rate tests.
pub(crate) fn increment_part(tests: &[TestMeasures], c: &InterpretConfig) -> Part<LemsCriterion> {
    let outcomes = tests
        .iter()
        .filter(|t| answers_increment(t))
        .map(|t| (t, increment_outcome(t), Question::Increment))
        .collect();
    combine(
        c,
        outcomes,
        |_, v, discounted| {
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
        use crate::interpret::limits::decrement_limit;
        assert_eq!(decrement_limit(None, &c), 10.0);
        assert_eq!(decrement_limit(Some("ADM"), &c), 10.0);
        // Abraham et al. 2017: nasalis abnormal above 8%, frontalis above 7%.
        assert_eq!(decrement_limit(Some("Nasalis"), &c), 8.0);
        assert_eq!(decrement_limit(Some("frontalis"), &c), 7.0);
        // A lab's own cut-off for the muscle wins over the table's.
        let mut lab = InterpretConfig::default();
        lab.muscle_decrement_abnormal_pct
            .insert("Frontalis".into(), 10.0);
        assert_eq!(decrement_limit(Some("frontalis"), &lab), 10.0);
    }
}
