//! Findings, one rule family per function: the low-rate decrement and its
//! shape, the increment and pseudofacilitation, and the resting CMAP. Each
//! finding carries the criterion applied and the source that states it,
//! and each reads the test's verdict (`validity.rs`) for whether its
//! answer can be relied on.

use super::assess::{
    answers_increment, decrement_grade, decrement_limit_of, decrement_outcome, increment_grade,
    increment_outcome, ordinal, resting_trains,
};
use super::limits;
use super::sources;
use super::validity::after_exercise;
use super::InterpretConfig;
use crate::model::canonical_side;
use crate::model::{DecrementGrade, Finding, FindingCode, LemsCriterion, Pattern};
use crate::model::{Protocol, Question, ReasonCode, Standing};
use crate::model::{TestMeasures, TrainShape};
use crate::words::{mv, number, pct, pct0, pct_beside, signed_pct, signed_pct_beside};

pub(crate) fn finding(code: FindingCode, text: String, criterion: String, source: &str) -> Finding {
    Finding {
        code,
        text,
        criterion,
        source: source.to_string(),
    }
}

/// The file with its muscle and rate, for sentences.
pub(crate) fn describe(t: &TestMeasures) -> String {
    let mut parts = Vec::new();
    if let Some(m) = &t.muscle {
        parts.push(m.clone());
    }
    if let Some(r) = t.stim_rate_hz {
        parts.push(format!("{} Hz", number(r)));
    }
    // A train after exercise is never mistaken for one at rest.
    if let Some(p) = t.record.exercise_phase.filter(|_| after_exercise(t)) {
        parts.push(p.to_string());
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
    pattern: Pattern,
    c: &InterpretConfig,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // Trains after exercise are the series' findings, named by their time.
    for t in resting_trains(tests) {
        let o = decrement_outcome(t);
        let Some(dec) = o.value.filter(|_| o.standing != Standing::NotDone) else {
            continue;
        };
        let abnormal = decrement_grade(t, dec, c) == DecrementGrade::Abnormal;
        let limit = decrement_limit_of(t, c);
        let code = if abnormal {
            FindingCode::DecrementAbnormal
        } else {
            FindingCode::DecrementNormal
        };
        let largest = t
            .max_decrement_pct
            .map(|m| format!(", largest fall within the first five responses {}", pct(m)))
            .unwrap_or_default();
        let standing = standing_words(o.standing, "a decrement");
        let other = if abnormal {
            String::new()
        } else {
            other_response(t, k, c)
        };
        out.push(finding(
            code,
            format!(
                "Low-rate decrement in {}: {} from the 1st to the {} response{largest}.{other}{standing}",
                describe(t),
                pct_beside(dec, 1, &[limit]),
                // The other of the 4th and 5th when the one set was excluded by
                // hand (AAEM 2001).
                ordinal(t.decrement_read_to.unwrap_or(k))
            ),
            decrement_criterion(t, c),
            decrement_source(t, c),
        ));
        // A shape is read only on an abnormal train whose decrement and
        // every response can be relied on.
        // The shape criteria were read on trains inside the protocol.
        let readable = o.standing == Standing::Stands
            && t.validity.standing(Question::Shape) == Standing::Stands;
        if abnormal && readable {
            out.extend(shape_finding(t, pattern));
        }
    }
    out
}

/// The decrement criterion a train of `t`'s muscle is judged by: the
/// study-wide one (AAEM 2001), or the muscle's own cut-off.
pub(crate) fn decrement_criterion(t: &TestMeasures, c: &InterpretConfig) -> String {
    let limit = decrement_limit_of(t, c);
    if limit == c.decrement_abnormal_pct {
        return format!(
            "a decrement of more than {}% from the 1st to the 4th or 5th response at 2-5 Hz is abnormal",
            number(limit)
        );
    }
    format!(
        "in {}, a decrement of more than {}% is abnormal (the muscle's own cut-off; {}% elsewhere)",
        t.muscle.as_deref().unwrap_or("this muscle"),
        number(limit),
        number(c.decrement_abnormal_pct)
    )
}

/// The source of [`decrement_criterion`].
fn decrement_source(t: &TestMeasures, c: &InterpretConfig) -> &'static str {
    limits::decrement_cut(t.muscle.as_deref(), c).1
}

/// AAEM 2001 reads the decrement "from the 1st to the 4th or 5th
/// response"; the report decides at one (`train.decrement_response`, the
/// 4th). When the other alone is beyond the threshold, the finding says so
/// rather than leave a normal reading unqualified.
fn other_response(t: &TestMeasures, k: usize, c: &InterpretConfig) -> String {
    let (other, value) = match k {
        // A decrement already read to the other (the one set excluded) has no
        // other response to name.
        _ if t.decrement_read_to.is_some() => return String::new(),
        4 => (5, t.decrement_5th_pct),
        5 => (4, t.decrement_4th_pct),
        _ => return String::new(),
    };
    let limit = decrement_limit_of(t, c);
    match value.filter(|v| decrement_grade(t, *v, c) == DecrementGrade::Abnormal) {
        Some(v) => format!(
            " The {} response falls {}, beyond {}%: abnormal if read at the {} (the criterion allows the 4th or 5th); this report reads the {} (train.decrement_response).",
            ordinal(other),
            pct_beside(v, 1, &[limit]),
            number(limit),
            ordinal(other),
            ordinal(k)
        ),
        None => String::new(),
    }
}

/// The shape of an abnormal decrement; a normal train gets no shape label.
/// Worded by the reading: an early decrement is more often MG's, a late
/// one LEMS's (or MuSK myasthenia's), and neither is ever proof.
fn shape_finding(t: &TestMeasures, pattern: Pattern) -> Option<Finding> {
    let (code, text, criterion) = match t.shape? {
        TrainShape::UShaped => (
            FindingCode::UShapedDecrement,
            match pattern {
                Pattern::Postsynaptic => "a shape more often seen in myasthenia gravis than in LEMS",
                Pattern::Presynaptic => "an early decrement is more often seen in myasthenia gravis, but LEMS trains show it too, so here it does not argue against a presynaptic disorder",
                _ => "a shape more often seen in myasthenia gravis than in LEMS, though LEMS trains show it too",
            },
            "the early decrement larger than the late decrement, more often in MG than in LEMS",
        ),
        TrainShape::Progressive => (
            FindingCode::ProgressiveDecrement,
            match pattern {
                Pattern::Postsynaptic => "with LEMS looked for and not found, a progressive decrement is more often seen in MuSK-antibody myasthenia than in acetylcholine-receptor myasthenia",
                _ => "a progressive decrement is more often seen in LEMS (and in MuSK-antibody myasthenia) than in acetylcholine-receptor myasthenia",
            },
            "late decrement larger than the early decrement",
        ),
        _ => return None,
    };
    let how = match code {
        FindingCode::UShapedDecrement => "is largest by the 4th-5th response and levels off or partly recovers after it (U shape)",
        _ => "is still growing at the end of the train",
    };
    Some(finding(
        code,
        format!("The decrement in {} {how}; {text}.", describe(t)),
        criterion.to_string(),
        sources::SANDERS_2014,
    ))
}

fn increment_what(t: &TestMeasures) -> String {
    if t.protocol == Protocol::Exercise {
        match t.exercise_s {
            Some(s) => format!(
                "Increment after {} s of maximal voluntary exercise",
                number(s)
            ),
            None => "Increment after maximal voluntary exercise (duration not recorded)".into(),
        }
    } else if let Some(rest) = t.increment_reference.as_deref() {
        let after = t
            .exercise_s
            .map_or("exercise (duration not recorded)".to_string(), |s| {
                format!("{} s of exercise", number(s))
            });
        format!("Post-exercise increment (the first CMAP after {after} against the first at rest, in {rest})")
    } else {
        "Increment during high-rate stimulation".to_string()
    }
}

/// What Oh 2005 found for this kind of test: the MG counts differ between
/// the 50 Hz and the exercise test.
fn oh_figures(t: &TestMeasures) -> &'static str {
    if t.protocol != Protocol::Hfrns {
        "Oh 2005 (ADM, exercise or 50 Hz): >= 60% in 97% of 34 LEMS patients; after exercise in none of the MG tests"
    } else {
        "Oh 2005 (ADM, 50 Hz or exercise): >= 60% in 97% of 34 LEMS patients; at 50 Hz in 4 of 538 MG tests"
    }
}

/// Findings on each exercise or high-rate test.
pub(crate) fn increment_findings(tests: &[TestMeasures], c: &InterpretConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in tests.iter().filter(|t| answers_increment(t)) {
        let what = increment_what(t);
        let area = signed_pct(t.area_increment_pct.unwrap_or(0.0));
        let o = increment_outcome(t);
        let Some(v) = o.value.filter(|_| o.standing != Standing::NotDone) else {
            continue;
        };
        let amplitude_only = t
            .validity
            .reasons_for(Question::Increment)
            .any(|r| r.code == ReasonCode::AmplitudeOnlyRise);
        if o.discounted || amplitude_only {
            let text = if amplitude_only {
                format!(
                    "{what} in {}: amplitude {} with area only {area}. An amplitude-only rise this large is more than pseudofacilitation explains: check for a submaximal first stimulus or electrode movement, and repeat.",
                    describe(t),
                    signed_pct(v)
                )
            } else {
                format!(
                    "{what} in {}: amplitude {} with area {area}. An amplitude rise without an area rise, within the range healthy muscle shows, is pseudofacilitation and is not counted as an increment.{}",
                    describe(t),
                    signed_pct(v),
                    standing_words(o.standing, "LEMS")
                )
            };
            let code = if amplitude_only {
                FindingCode::AmplitudeOnlyIncrement
            } else {
                FindingCode::Pseudofacilitation
            };
            let source = format!("{}; {}", sources::TOOL_RULE, sources::MCCOMAS_1994);
            out.push(finding(code, text, pseudo_criterion(c), &source));
            continue;
        }
        let mut f = increment_finding(t, &what, v, c);
        f.text.push_str(&standing_words(o.standing, "LEMS"));
        out.push(f);
    }
    out
}

/// What a finding adds when its test's answer does not simply stand.
fn standing_words(s: Standing, disorder: &str) -> String {
    match s {
        Standing::Unreliable => " It cannot be relied on (see the test's validity).".to_string(),
        Standing::CannotExclude => {
            format!(" It cannot exclude {disorder} (see the test's validity).")
        }
        Standing::StandsOutOfProtocol => {
            " The test is outside its validated protocol (see the test's validity).".to_string()
        }
        Standing::Stands | Standing::NotDone => String::new(),
    }
}

fn pseudo_criterion(c: &InterpretConfig) -> String {
    format!(
        "amplitude rises while the negative-phase area rises less than the settings' limit: pseudofacilitation when the amplitude rise is below {}% (the healthy range), a technical finding above it",
        number(c.increment_healthy_max_pct)
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
        text: format!(
            "{what} in {}: {}, {grade}.",
            describe(t),
            signed_pct_beside(inc, &c.increment_cuts())
        ),
        criterion: format!(
            "increment >= {}% suggestive and >= {}% specific for LEMS; {}-{}% equivocal. {}; 99% specificity against MG. Lipka 2020 (156 consecutive patients given increment testing; the abstract does not say whether after exercise or at high rate): 60% cut-off sensitivity 77.8%, specificity 98.9%; 100% cut-off sensitivity 58.7%, specificity 100%. AAEM 2001: a LEMS increment is at least 25%, most accurate above 100%",
            number(c.increment_suggestive_pct),
            number(c.increment_specific_pct),
            number(c.increment_equivocal_pct),
            number(c.increment_suggestive_pct),
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

/// The low-CMAP findings and whether a resting CMAP is low (`None` when no
/// resting CMAP that can be relied on has a limit). Each test's resting
/// CMAP counts only as its verdict lets it: a submaximal or flagged one
/// never makes a CMAP low.
pub(crate) fn low_cmap_findings(
    tests: &[TestMeasures],
    c: &InterpretConfig,
) -> (Option<bool>, Vec<Finding>) {
    let mut low_cmap = None;
    let mut out = Vec::new();
    for t in tests {
        if t.validity.standing(Question::LowCmap) != Standing::Stands {
            continue;
        }
        let (Some(muscle), Some(amp)) = (&t.muscle, t.first_amplitude_mv()) else {
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
                    "The first (resting) CMAP in {} is {} mV, below the lower limit of normal for {muscle} ({} mV).",
                    t.file,
                    mv(amp),
                    number(limit)
                ),
                format!("{muscle} CMAP amplitude >= {} mV", number(limit)),
                &source,
            ));
        }
    }
    (low_cmap, out)
}

/// A resting CMAP its verdict lets be compared with another: nothing
/// flags it, and nothing suggests a submaximal stimulus.
fn resting_cmap_trusted(t: &TestMeasures) -> bool {
    t.validity.standing(Question::LowCmap) == Standing::Stands
        && t.validity
            .reasons_for(Question::LowCmap)
            .all(|r| r.bearing == crate::model::Bearing::HidesAbnormal)
}

/// A test whose resting CMAP is much smaller than the same muscle's in the
/// study's other tests: the values, and a repeat with a supramaximal
/// stimulus.
pub(crate) fn resting_cmap_findings(tests: &[TestMeasures], c: &InterpretConfig) -> Vec<Finding> {
    tests
        .iter()
        .flat_map(|t| {
            t.validity
                .reasons
                .iter()
                .filter(|r| r.code == ReasonCode::SmallerThanOtherTests)
                .map(move |r| (t, r))
        })
        .map(|(t, r)| {
            finding(
                FindingCode::RestingCmapSmaller,
                format!(
                    "{}: {}.{} Repeat it with a supramaximal stimulus (raise the intensity until the CMAP stops growing, then about 20% more), or check the recording electrode.",
                    t.file,
                    r.text,
                    not_relied_on(&r.questions)
                ),
                format!(
                    "a resting CMAP more than {}% smaller than the largest resting CMAP of the same muscle and side in the study's other tests",
                    number(c.resting_cmap_margin_pct)
                ),
                &format!(
                    "{}; between sessions, with the electrodes placed again, amplitudes varied by 15.6-19.8%: {}; supramaximal stimulation: {}",
                    sources::TOOL_RULE,
                    sources::KONG_2009,
                    sources::NORWEGIAN_GUIDELINE
                ),
            )
        })
        .collect()
}

/// " Its increment and low CMAP are not relied on." for the questions a
/// reason bears on (a shape is not named).
fn not_relied_on(questions: &[Question]) -> String {
    let words: Vec<&str> = questions
        .iter()
        .filter_map(|q| match q {
            Question::Decrement => Some("decrement"),
            Question::Increment => Some("increment"),
            Question::LowCmap => Some("low CMAP"),
            _ => None,
        })
        .collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => format!(" Its {one} is not relied on if abnormal."),
        [rest @ .., last] => format!(
            " Its {} and {last} are not relied on if abnormal.",
            rest.join(", ")
        ),
    }
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
    for t in tests.iter().filter(|t| resting_cmap_trusted(t)) {
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
                    "Resting CMAP of {name}: {} {} mV ({}), {} {} mV ({}); the smaller is {} of the larger{}.",
                    a.0,
                    mv(a.1),
                    a.2,
                    b.0,
                    mv(b.1),
                    b.2,
                    pct0(ratio),
                    if asymmetric { ", asymmetric" } else { "" }
                ),
                format!(
                    "one side's resting CMAP below {}% of the other's is asymmetric",
                    number(c.side_ratio_min_pct)
                ),
                sources::TOOL_RULE,
            )
        })
        .collect()
}
