//! The study read muscle by muscle, as a neurophysiologist tabulates it:
//! each muscle and side gets its resting CMAP, its decrement (from its
//! trains at rest), its increment and its own pattern, by the same rules
//! as the study's; then one sentence says what the muscles show together
//! ("an abnormal decrement in 2 of 3 muscles: ADM 31%, trapezius 22%;
//! nasalis 0%").

use super::assess::{decrement_part, increment_part};
use super::conclusion::pattern;
use super::findings::low_cmap_findings;
use super::limits::lower_limit;
use super::InterpretConfig;
use crate::model::{
    muscle_side_key, DecrementGrade, LemsCriterion, MuscleReading, PartStatus, Question, Standing,
    TestMeasures,
};
use crate::train::series::study_series;
use crate::words::{mv, number, pct0, signed_pct0};

/// One reading per muscle and side, in the order the study first tests
/// them.
pub(crate) fn muscle_readings(tests: &[TestMeasures], c: &InterpretConfig) -> Vec<MuscleReading> {
    let mut groups: Vec<((String, String), Vec<TestMeasures>)> = Vec::new();
    for t in tests {
        let key = muscle_side_key(t.muscle.as_deref(), t.side.as_deref());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(t.clone()),
            None => groups.push((key, vec![t.clone()])),
        }
    }
    groups.into_iter().map(|(_, g)| reading(&g, c)).collect()
}

fn reading(group: &[TestMeasures], c: &InterpretConfig) -> MuscleReading {
    let decrement = decrement_part(group, c);
    let increment = increment_part(group, c);
    let (low_cmap, _) = low_cmap_findings(group, c);
    let first = |f: fn(&TestMeasures) -> Option<String>| group.iter().find_map(f);
    let muscle = first(|t| t.muscle.clone());
    let resting = group
        .iter()
        .find(|t| t.validity.standing(Question::LowCmap) == Standing::Stands)
        .and_then(TestMeasures::first_amplitude_mv);
    let max_exhaustion_pct = study_series(group)
        .exhaustion
        .iter()
        .filter_map(|s| s.exhaustion_pct)
        .reduce(f64::max);
    MuscleReading {
        lower_limit_mv: muscle
            .as_deref()
            .and_then(|m| lower_limit(m, c))
            .map(|l| l.0),
        muscle,
        nerve: first(|t| t.nerve.clone()),
        side: first(|t| t.side.clone()),
        files: group.iter().map(|t| t.file.clone()).collect(),
        resting_cmap_mv: resting,
        low_cmap,
        pattern: pattern(&decrement, &increment),
        decrement,
        increment,
        max_exhaustion_pct,
    }
}

/// "ADM (right)", "trapezius", "the unnamed muscle".
pub(crate) fn label(m: &MuscleReading) -> String {
    match (&m.muscle, &m.side) {
        (Some(name), Some(side)) => format!("{name} ({side})"),
        (Some(name), None) => name.clone(),
        (None, Some(side)) => format!("the unnamed {side} muscle"),
        (None, None) => "the unnamed muscle".to_string(),
    }
}

/// "1 muscle", "3 muscles".
fn count(n: usize) -> String {
    format!("{n} muscle{}", if n == 1 { "" } else { "s" })
}

/// "2 of 3 muscles", "1 of 2 muscles".
fn of(n: usize, total: usize) -> String {
    format!("{n} of {}", count(total))
}

/// The decrement clause of the synthesis, when any muscle was tested.
fn decrement_clause(muscles: &[MuscleReading]) -> Option<String> {
    let tested: Vec<&MuscleReading> = muscles
        .iter()
        .filter(|m| m.decrement.status != PartStatus::NotTested)
        .collect();
    if tested.is_empty() {
        return None;
    }
    let value = |m: &MuscleReading| {
        let v = pct0(m.decrement.value_pct.unwrap_or(0.0));
        match m.decrement.status {
            PartStatus::Measured => format!("{} {v}", label(m)),
            PartStatus::Inconclusive => format!("{} {v}, which cannot exclude one", label(m)),
            _ => format!("{} {v}, not relied on", label(m)),
        }
    };
    let abnormal: Vec<String> = tested
        .iter()
        .filter(|m| m.decrement.valid_grade() == Some(DecrementGrade::Abnormal))
        .map(|m| value(m))
        .collect();
    let rest: Vec<String> = tested
        .iter()
        .filter(|m| m.decrement.valid_grade() != Some(DecrementGrade::Abnormal))
        .map(|m| {
            let v = value(m);
            let name = label(m);
            format!("{name} ({})", v[name.len()..].trim_start())
        })
        .collect();
    let mut s = format!(
        "an abnormal decrement in {}",
        of(abnormal.len(), tested.len())
    );
    if !abnormal.is_empty() {
        s.push_str(&format!(": {}", abnormal.join(", ")));
    }
    if !rest.is_empty() {
        s.push_str(&format!(
            "; {} {}",
            if abnormal.is_empty() { "" } else { "not in" },
            rest.join(", ")
        ));
    }
    Some(s.replace(";  ", "; "))
}

/// The increment clause of the synthesis, when any muscle was tested.
fn increment_clause(muscles: &[MuscleReading], c: &InterpretConfig) -> Option<String> {
    let tested: Vec<&MuscleReading> = muscles
        .iter()
        .filter(|m| m.increment.status != PartStatus::NotTested)
        .collect();
    if tested.is_empty() {
        return None;
    }
    let value = |m: &&MuscleReading| {
        let v = signed_pct0(m.increment.value_pct.unwrap_or(0.0));
        match m.increment.status {
            PartStatus::Measured if m.increment.pseudofacilitation => {
                format!("{} {v}, pseudofacilitation", label(m))
            }
            PartStatus::Measured => format!("{} {v}", label(m)),
            PartStatus::Inconclusive => format!("{} {v}, which cannot exclude LEMS", label(m)),
            _ => format!("{} {v}, not relied on", label(m)),
        }
    };
    let suggestive =
        |m: &&&MuscleReading| m.increment.valid_grade() >= Some(LemsCriterion::Suggestive);
    let raised: Vec<String> = tested.iter().filter(suggestive).map(value).collect();
    let rest: Vec<String> = tested
        .iter()
        .filter(|m| !suggestive(m))
        .map(value)
        .collect();
    let cut = number(c.increment_suggestive_pct);
    if raised.is_empty() {
        return Some(format!(
            "no increment of {cut}% or more in the {} tested for one ({})",
            count(tested.len()),
            rest.join(", ")
        ));
    }
    let mut s = format!(
        "an increment of at least {cut}% in {}: {}",
        of(raised.len(), tested.len()),
        raised.join(", ")
    );
    if !rest.is_empty() {
        s.push_str(&format!("; not in {}", rest.join(", ")));
    }
    Some(s)
}

/// The low-CMAP clause: which muscles' resting CMAPs are below their limit.
fn low_cmap_clause(muscles: &[MuscleReading]) -> Option<String> {
    let judged: Vec<&MuscleReading> = muscles.iter().filter(|m| m.low_cmap.is_some()).collect();
    let low: Vec<String> = judged
        .iter()
        .filter(|m| m.low_cmap == Some(true))
        .map(|m| {
            format!(
                "{} {} mV (limit {} mV)",
                label(m),
                mv(m.resting_cmap_mv.unwrap_or(0.0)),
                number(m.lower_limit_mv.unwrap_or(0.0))
            )
        })
        .collect();
    (!low.is_empty()).then(|| {
        format!(
            "a resting CMAP below the lower limit in {}: {}",
            of(low.len(), judged.len()),
            low.join(", ")
        )
    })
}

/// One sentence on what the muscles show together, for a study of more
/// than one muscle or side; `None` for one.
pub(crate) fn synthesis(muscles: &[MuscleReading], c: &InterpretConfig) -> Option<String> {
    if muscles.len() < 2 {
        return None;
    }
    let clauses: Vec<String> = [
        decrement_clause(muscles),
        increment_clause(muscles, c),
        low_cmap_clause(muscles),
    ]
    .into_iter()
    .flatten()
    .collect();
    if clauses.is_empty() {
        return None;
    }
    Some(format!(
        "Across the {} muscles tested: {}.",
        muscles.len(),
        clauses.join("; ")
    ))
}
