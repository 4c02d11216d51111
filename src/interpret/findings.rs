//! Findings, one rule family per function: the low-rate decrement and its
//! shape, the increment and pseudofacilitation, and the resting CMAP. Each
//! finding carries the criterion applied and the source that states it.

use super::assess::{
    decrement_grade, decrement_outcome, increment_grade, increment_outcome, ordinal, Outcome,
};
use super::limits;
use super::sources;
use super::InterpretConfig;
use crate::model::canonical_side;
use crate::model::Flag;
use crate::model::Protocol;
use crate::model::{DecrementGrade, Finding, FindingCode, LemsCriterion};
use crate::model::{TestMeasures, TrainShape};

pub(crate) fn finding(code: FindingCode, text: String, criterion: String, source: &str) -> Finding {
    Finding {
        code,
        text,
        criterion,
        source: source.to_string(),
    }
}

/// A low-rate train of a post-exercise series recorded after the
/// exercise: not a resting train.
pub(crate) fn after_exercise(t: &TestMeasures) -> bool {
    t.record
        .exercise_phase
        .is_some_and(|p| p.seconds_after().is_some())
}

/// The file with its muscle and rate, for sentences.
pub(crate) fn describe(t: &TestMeasures) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &t.muscle {
        parts.push(m.clone());
    }
    if let Some(r) = t.stim_rate_hz {
        parts.push(format!("{r} Hz"));
    }
    if parts.is_empty() {
        t.file.clone()
    } else {
        format!("{} ({})", t.file, parts.join(", "))
    }
}

/// Findings on each low-rate train that gave a decrement.
pub(crate) fn decrement_findings(
    tests: &[TestMeasures],
    k: usize,
    c: &InterpretConfig,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in tests.iter().filter(|t| t.protocol == Protocol::Rns) {
        let dec = match decrement_outcome(t, k) {
            Outcome::Valid(v) | Outcome::Unreliable(v, _) => v,
            _ => continue,
        };
        let abnormal = decrement_grade(dec, c) == DecrementGrade::Abnormal;
        let code = if abnormal {
            FindingCode::DecrementAbnormal
        } else {
            FindingCode::DecrementNormal
        };
        let largest = t
            .max_decrement_pct
            .map(|m| format!(", largest fall {m:.1}%"))
            .unwrap_or_default();
        out.push(finding(
            code,
            format!(
                "Low-rate decrement in {}: {dec:.1}% from the 1st to the {} response{largest}.",
                describe(t),
                ordinal(k)
            ),
            format!(
                "a decrement of more than {}% from the 1st to the 4th or 5th response at 2-5 Hz is abnormal",
                c.decrement_abnormal_pct
            ),
            sources::AAEM_2001,
        ));
        // The shape criteria describe trains at rest; after exercise the
        // exhaustion series speaks instead.
        if abnormal && !after_exercise(t) {
            out.extend(shape_finding(t));
        }
    }
    out
}

/// The shape of an abnormal decrement; a normal train gets no shape label.
fn shape_finding(t: &TestMeasures) -> Option<Finding> {
    match t.shape? {
        TrainShape::UShaped => Some(finding(
            FindingCode::UShapedDecrement,
            format!(
                "The decrement in {} is largest by the 4th-5th response and levels off or partly recovers after it (U shape), which supports a postsynaptic disorder.",
                describe(t)
            ),
            "early decrement larger than the late decrement".to_string(),
            sources::SANDERS_2014,
        )),
        TrainShape::Progressive => Some(finding(
            FindingCode::ProgressiveDecrement,
            format!(
                "The decrement in {} is still growing at the end of the train; a progressive decrement is more often seen in LEMS (and in MuSK-antibody myasthenia) than in acetylcholine-receptor myasthenia.",
                describe(t)
            ),
            "late decrement larger than the early decrement".to_string(),
            sources::SANDERS_2014,
        )),
        _ => None,
    }
}

fn increment_what(t: &TestMeasures) -> String {
    if t.protocol == Protocol::Exercise {
        match t.exercise_s {
            Some(s) => format!("Increment after {s} s of maximal voluntary exercise"),
            None => "Increment after maximal voluntary exercise (duration not recorded)".into(),
        }
    } else {
        "Increment during high-rate stimulation".to_string()
    }
}

/// What Oh 2005 found for this kind of test: the MG counts differ between
/// the 50 Hz and the exercise test.
fn oh_figures(t: &TestMeasures) -> &'static str {
    if t.protocol == Protocol::Exercise {
        "Oh 2005 (ADM, exercise or 50 Hz): >= 60% in 97% of 34 LEMS patients; after exercise in none of the MG tests"
    } else {
        "Oh 2005 (ADM, 50 Hz or exercise): >= 60% in 97% of 34 LEMS patients; at 50 Hz in 4 of 538 MG tests"
    }
}

/// Findings on each exercise or high-rate test.
pub(crate) fn increment_findings(tests: &[TestMeasures], c: &InterpretConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in tests
        .iter()
        .filter(|t| matches!(t.protocol, Protocol::Hfrns | Protocol::Exercise))
    {
        let what = increment_what(t);
        let area = t.area_increment_pct.unwrap_or(0.0);
        let inc = match increment_outcome(t, c) {
            Outcome::NotDone(_) => continue,
            Outcome::Discounted(v) => {
                out.push(finding(
                    FindingCode::Pseudofacilitation,
                    format!(
                        "{what} in {}: amplitude {v:+.1}% with area {area:+.1}%. An amplitude rise without an area rise, within the range healthy muscle shows, is pseudofacilitation and is not counted as an increment.",
                        describe(t)
                    ),
                    pseudo_criterion(c),
                    &format!("{}; {}", sources::TOOL_RULE, sources::MCCOMAS_1994),
                ));
                continue;
            }
            Outcome::Unreliable(v, _) if t.pseudofacilitation == Some(true) => {
                out.push(finding(
                    FindingCode::AmplitudeOnlyIncrement,
                    format!(
                        "{what} in {}: amplitude {v:+.1}% with area only {area:+.1}%. An amplitude-only rise this large is more than pseudofacilitation explains: check for a submaximal first stimulus or electrode movement, and repeat.",
                        describe(t)
                    ),
                    pseudo_criterion(c),
                    &format!("{}; {}", sources::TOOL_RULE, sources::MCCOMAS_1994),
                ));
                continue;
            }
            Outcome::Valid(v) | Outcome::Unreliable(v, _) => v,
        };
        out.push(increment_finding(t, &what, inc, c));
    }
    out
}

fn pseudo_criterion(c: &InterpretConfig) -> String {
    format!(
        "amplitude rises while the negative-phase area rises less than the settings' limit: pseudofacilitation when the amplitude rise is below {}% (the healthy range), a technical finding above it",
        c.increment_healthy_max_pct
    )
}

fn increment_finding(t: &TestMeasures, what: &str, inc: f64, c: &InterpretConfig) -> Finding {
    let (code, grade) = match increment_grade(inc, c) {
        LemsCriterion::Specific => (
            FindingCode::IncrementSpecific,
            "at or above the specific cut-off",
        ),
        LemsCriterion::Suggestive => (
            FindingCode::IncrementSuggestive,
            "at or above the suggestive cut-off",
        ),
        LemsCriterion::Equivocal => (
            FindingCode::IncrementEquivocal,
            "equivocal: at or above the floor of a LEMS increment but below the suggestive cut-off",
        ),
        _ => (
            FindingCode::IncrementNormal,
            "below the floor of a LEMS increment",
        ),
    };
    Finding {
        code,
        text: format!("{what} in {}: {inc:+.1}%, {grade}.", describe(t)),
        criterion: format!(
            "increment >= {}% suggestive and >= {}% specific for LEMS; {}-{}% equivocal. {}; 99% specificity against MG. Lipka 2020 (156 consecutive patients given increment testing; the abstract does not say whether after exercise or at high rate): 60% cut-off sensitivity 77.8%, specificity 98.9%; 100% cut-off sensitivity 58.7%, specificity 100%. AAEM 2001: a LEMS increment is at least 25%, most accurate above 100%",
            c.increment_suggestive_pct,
            c.increment_specific_pct,
            c.increment_equivocal_pct,
            c.increment_suggestive_pct,
            oh_figures(t)
        ),
        source: format!(
            "{}; {}; {}",
            sources::OH_2005,
            sources::LIPKA_2020,
            sources::AAEM_2001
        ),
    }
}

/// The low-CMAP findings and whether any measured first CMAP is low
/// (`None` when no measured muscle has a limit). Responses without a
/// response never feed it.
pub(crate) fn low_cmap_findings(
    tests: &[TestMeasures],
    c: &InterpretConfig,
) -> (Option<bool>, Vec<Finding>) {
    let mut low_cmap = None;
    let mut out = Vec::new();
    // A train after exercise does not start from a resting CMAP.
    for t in tests.iter().filter(|t| !after_exercise(t)) {
        let Some(first) = t.responses.first() else {
            continue;
        };
        if first.has(Flag::NoResponse) {
            continue;
        }
        let (Some(muscle), Some(amp)) = (&t.muscle, first.amplitude_mv) else {
            continue;
        };
        let Some((limit, source)) = limits::lower_limit(muscle, c) else {
            continue;
        };
        let low = amp < limit;
        low_cmap = Some(low_cmap.unwrap_or(false) || low);
        if low {
            out.push(finding(
                FindingCode::LowCmap,
                format!(
                    "The first (resting) CMAP in {} is {amp:.2} mV, below the lower limit of normal for {muscle} ({limit} mV).",
                    t.file
                ),
                format!("{muscle} CMAP amplitude >= {limit} mV"),
                &source,
            ));
        }
    }
    (low_cmap, out)
}

/// One muscle's resting CMAP per side: (side, amplitude in mV, file).
struct MuscleSides {
    name: String,
    key: String,
    sides: Vec<(String, f64, String)>,
}

/// The resting (first) CMAP of each side of a muscle tested on both sides:
/// the smaller as a share of the larger, asymmetric below
/// `side_ratio_min_pct`.
pub(crate) fn side_to_side(tests: &[TestMeasures], c: &InterpretConfig) -> Vec<Finding> {
    let mut muscles: Vec<MuscleSides> = Vec::new();
    for t in tests.iter().filter(|t| !after_exercise(t)) {
        let (Some(m), Some(side), Some(a)) = (&t.muscle, &t.side, t.first_amplitude_mv()) else {
            continue;
        };
        let key = limits::canonical_muscle(m)
            .map(str::to_string)
            .unwrap_or_else(|| m.trim().to_lowercase());
        // Only a recognisable left or right is a side to compare.
        let Some(side) = canonical_side(side) else {
            continue;
        };
        let entry = match muscles.iter_mut().position(|e| e.key == key) {
            Some(i) => &mut muscles[i],
            None => {
                muscles.push(MuscleSides {
                    name: m.clone(),
                    key,
                    sides: Vec::new(),
                });
                let last = muscles.len() - 1;
                &mut muscles[last]
            }
        };
        // The first test of each side gives its resting CMAP.
        if !entry.sides.iter().any(|(s, _, _)| *s == side) {
            entry.sides.push((side, a, t.file.clone()));
        }
    }
    muscles
        .iter()
        .filter(|m| m.sides.len() == 2)
        .map(|MuscleSides { name, sides, .. }| {
            let (a, b) = (&sides[0], &sides[1]);
            let ratio = a.1.min(b.1) / a.1.max(b.1) * 100.0;
            let asymmetric = ratio < c.side_ratio_min_pct;
            finding(
                FindingCode::SideToSide,
                format!(
                    "Resting CMAP of {name}: {} {:.2} mV ({}), {} {:.2} mV ({}); the smaller is {ratio:.0}% of the larger{}.",
                    a.0,
                    a.1,
                    a.2,
                    b.0,
                    b.1,
                    b.2,
                    if asymmetric { ", asymmetric" } else { "" }
                ),
                format!(
                    "one side's resting CMAP below {}% of the other's is asymmetric",
                    c.side_ratio_min_pct
                ),
                sources::TOOL_RULE,
            )
        })
        .collect()
}
