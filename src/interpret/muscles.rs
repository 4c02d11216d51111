//! The study read muscle by muscle, as a neurophysiologist tabulates it:
//! each muscle and side gets its resting CMAP, its decrement (from its
//! trains at rest), its increment and its own pattern, by the same rules
//! as the study's; then one sentence says what the muscles show together
//! ("an abnormal decrement in 2 of 3 muscles: ADM 31%, trapezius 22%;
//! nasalis 0%").

use super::assess::{decrement_part, increment_part};
use super::conclusion::{pattern, with_jitter};
use super::findings::low_cmap_findings;
use super::limits::lower_limit;
use super::InterpretConfig;
use crate::model::{
    muscle_side_key, DecrementGrade, JitterBrief, JitterReport, JitterVerdict, LemsCriterion,
    MuscleReading, PartStatus, Question, Standing, TestMeasures,
};
use crate::train::series::study_series;
use crate::words::{mv, number, pct_beside, signed_pct_beside};

/// One reading per muscle and side, in the order the study first tests
/// them; then the muscles only jitter was recorded from, in the jitter
/// report's order. A muscle's jitter joins its reading by the same rule as
/// the study's ([`with_jitter`]).
pub(crate) fn muscle_readings(
    tests: &[TestMeasures],
    jitter: Option<&JitterReport>,
    c: &InterpretConfig,
) -> Vec<MuscleReading> {
    let mut groups: Vec<((String, String), Vec<TestMeasures>)> = Vec::new();
    for t in tests {
        let key = muscle_side_key(t.muscle.as_deref(), t.side.as_deref());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(t.clone()),
            None => groups.push((key, vec![t.clone()])),
        }
    }
    let mut keys: Vec<(String, String)> = groups.iter().map(|(k, _)| k.clone()).collect();
    let mut out: Vec<MuscleReading> = groups.into_iter().map(|(_, g)| reading(&g, c)).collect();
    for m in jitter.map_or(&[][..], |j| &j.muscles[..]) {
        let key = muscle_side_key(Some(&m.muscle), m.side.as_deref());
        // A jitter file that names no side joins its muscle's one row.
        let same_muscle: Vec<usize> = (0..keys.len()).filter(|&i| keys[i].0 == key.0).collect();
        let found = keys
            .iter()
            .position(|k| *k == key)
            .or(match same_muscle[..] {
                [i] if key.1.is_empty() => Some(i),
                _ => None,
            });
        let i = match found {
            Some(i) => i,
            None => {
                keys.push(key);
                out.push(MuscleReading {
                    muscle: Some(m.muscle.clone()),
                    side: m.side.clone(),
                    ..reading(&[], c)
                });
                out.len() - 1
            }
        };
        out[i].jitter.push(JitterBrief::from(m));
    }
    for r in &mut out {
        let verdicts: Vec<JitterVerdict> = r.jitter.iter().map(|j| j.verdict).collect();
        r.pattern = with_jitter(r.pattern, (&r.decrement, &r.increment), &verdicts);
    }
    out
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
        jitter: Vec::new(),
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

/// One clause of the synthesis: `what` found in the muscles `hits`
/// names, not in `others`, and open (cannot be relied on or cannot
/// exclude) in `open`. "an abnormal decrement in 2 of 3 muscles (ADM 31%,
/// trapezius 22%), not in nasalis (0%)"; "no increment of 60% or more in
/// the one muscle tested (ADM +27%)".
fn clause(what: &str, hits: &[String], others: &[String], open: &[String]) -> String {
    let total = hits.len() + others.len() + open.len();
    let place = if total == 1 {
        "the one muscle tested".to_string()
    } else {
        format!("the {} tested", count(total))
    };
    let mut s = if hits.is_empty() {
        format!("no {what} in {place}")
    } else if total == 1 {
        format!("an {what} in {place} ({})", hits.join(", "))
    } else {
        format!(
            "an {what} in {} of {} ({})",
            hits.len(),
            count(total),
            hits.join(", ")
        )
    };
    match (hits.is_empty(), others.is_empty()) {
        (true, false) => s.push_str(&format!(": {}", others.join(", "))),
        (false, false) => s.push_str(&format!(", not in {}", others.join(", "))),
        _ => {}
    }
    if !open.is_empty() {
        s.push_str(&format!(
            "; in {} it cannot be relied on or cannot exclude one",
            open.join(", ")
        ));
    }
    s
}

/// A muscle's decrement as the synthesis prints it: never rounded across
/// its cut-off.
fn decrement_words(m: &MuscleReading, c: &InterpretConfig) -> String {
    let cut = m.decrement.limit_pct.unwrap_or(c.decrement_abnormal_pct);
    pct_beside(m.decrement.value_pct.unwrap_or(0.0), 0, &[cut])
}

/// The decrement clause of the synthesis, when any muscle was tested:
/// abnormal, normal, and those whose test cannot be relied on or cannot
/// exclude, each named.
fn decrement_clause(muscles: &[MuscleReading], c: &InterpretConfig) -> Option<String> {
    let tested: Vec<&MuscleReading> = muscles
        .iter()
        .filter(|m| m.decrement.status != PartStatus::NotTested)
        .collect();
    if tested.is_empty() {
        return None;
    }
    // The muscles found: "ADM 31%"; the others: "nasalis (0%)".
    let named = |pick: &dyn Fn(&MuscleReading) -> bool, found: bool| -> Vec<String> {
        tested
            .iter()
            .filter(|m| pick(m))
            .map(|m| match found {
                true => format!("{} {}", label(m), decrement_words(m, c)),
                false => format!("{} ({})", label(m), decrement_words(m, c)),
            })
            .collect()
    };
    let abnormal = named(
        &|m| m.decrement.valid_grade() == Some(DecrementGrade::Abnormal),
        true,
    );
    let normal = named(
        &|m| m.decrement.valid_grade() == Some(DecrementGrade::Normal),
        false,
    );
    let open = named(&|m| m.decrement.valid_grade().is_none(), false);
    Some(clause("abnormal decrement", &abnormal, &normal, &open))
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
    let cuts = c.increment_cuts();
    let value = |m: &MuscleReading, found: bool| {
        let v = signed_pct_beside(m.increment.value_pct.unwrap_or(0.0), &cuts);
        let v = match m.increment.pseudofacilitation {
            true => format!("{v}, pseudofacilitation"),
            false => v,
        };
        match found {
            true => format!("{} {v}", label(m)),
            false => format!("{} ({v})", label(m)),
        }
    };
    let pick = |f: &dyn Fn(&MuscleReading) -> bool, found: bool| -> Vec<String> {
        tested
            .iter()
            .filter(|m| f(m))
            .map(|m| value(m, found))
            .collect()
    };
    let raised = pick(
        &|m| m.increment.valid_grade() >= Some(LemsCriterion::Suggestive),
        true,
    );
    let below = pick(
        &|m| {
            m.increment
                .valid_grade()
                .is_some_and(|g| g < LemsCriterion::Suggestive)
        },
        false,
    );
    let open = pick(&|m| m.increment.valid_grade().is_none(), false);
    let what = format!(
        "increment of {}% or more",
        number(c.increment_suggestive_pct)
    );
    Some(clause(&what, &raised, &below, &open))
}

/// The jitter clause of the synthesis, when any muscle's jitter was
/// recorded: "abnormal jitter in 1 of 2 muscles (frontalis 48.2 µs), not
/// in EDC (24.1 µs)".
fn jitter_clause(muscles: &[MuscleReading]) -> Option<String> {
    let recorded: Vec<&MuscleReading> = muscles.iter().filter(|m| !m.jitter.is_empty()).collect();
    if recorded.is_empty() {
        return None;
    }
    let value = |m: &MuscleReading, found: bool| {
        let means: Vec<String> = m
            .jitter
            .iter()
            .filter_map(|j| {
                let limits: Vec<f64> = j.limit_mean_us.into_iter().collect();
                j.mean_jitter_us
                    .map(|v| format!("{} µs", crate::words::number_beside(v, 1, &limits)))
            })
            .collect();
        let v = if means.is_empty() {
            "no counted pair".to_string()
        } else {
            means.join(", ")
        };
        match found {
            true => format!("{} {v}", label(m)),
            false => format!("{} ({v})", label(m)),
        }
    };
    let verdict = |m: &MuscleReading| JitterVerdict::worst(m.jitter.iter().map(|j| j.verdict));
    let pick = |v: JitterVerdict, found: bool| -> Vec<String> {
        recorded
            .iter()
            .filter(|m| verdict(m) == v)
            .map(|m| value(m, found))
            .collect()
    };
    let abnormal = pick(JitterVerdict::Abnormal, true);
    let normal = pick(JitterVerdict::Normal, false);
    let open = pick(JitterVerdict::NotJudged, false);
    // A muscle not judged (no reference, no age, too few pairs) is neither
    // found nor cleared: it is named apart, not counted.
    if abnormal.is_empty() && normal.is_empty() {
        return Some(format!("jitter not judged in {}", open.join(", ")));
    }
    let mut s = clause("abnormal jitter", &abnormal, &normal, &[]);
    if !open.is_empty() {
        s.push_str(&format!("; jitter not judged in {}", open.join(", ")));
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
            "a resting CMAP below the lower limit in {} of {}: {}",
            low.len(),
            count(judged.len()),
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
        decrement_clause(muscles, c),
        increment_clause(muscles, c),
        jitter_clause(muscles),
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
