//! Interpretation: from the measures of a study to the reading an expert
//! would write, with the criterion and source behind every finding and an
//! honest `indeterminate` where the recording does not allow a conclusion.
//!
//! The rules are listed, with their thresholds and sources, in
//! `docs/interpretation.md`.

pub mod limits;
pub mod sources;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measure::Flag;
use crate::model::Protocol;
use crate::protocol::{TestMeasures, TrainShape};

/// Interpretation thresholds, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InterpretConfig {
    /// A low-rate decrement above this is abnormal (default 10%, AAEM 2001).
    pub decrement_abnormal_pct: f64,
    /// An increment at or above this is suggestive of LEMS (default 60%,
    /// Oh 2005, Lipka 2020).
    pub increment_suggestive_pct: f64,
    /// An increment at or above this is specific for LEMS (default 100%).
    pub increment_specific_pct: f64,
    /// An increment from this up to the suggestive cut-off is equivocal
    /// (default 25%).
    pub increment_equivocal_pct: f64,
    /// Extra or overriding lower limits of normal CMAP amplitude by muscle
    /// (mV), e.g. `anconeus = 1.5`. Empty by default.
    pub lower_limits_mv: BTreeMap<String, f64>,
}

impl Default for InterpretConfig {
    fn default() -> Self {
        InterpretConfig {
            decrement_abnormal_pct: 10.0,
            increment_suggestive_pct: 60.0,
            increment_specific_pct: 100.0,
            increment_equivocal_pct: 25.0,
            lower_limits_mv: BTreeMap::new(),
        }
    }
}

/// The physiological pattern of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// No abnormality of neuromuscular transmission.
    Normal,
    /// Increment at or above the suggestive cut-off: presynaptic (LEMS).
    Presynaptic,
    /// Low-rate decrement without a significant increment: postsynaptic (MG).
    Postsynaptic,
    /// Low-rate decrement with no increment test done.
    NmjUnspecified,
    /// The deciding test is not reliable enough to conclude.
    Indeterminate,
}

impl Pattern {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Pattern::Normal => "normal",
            Pattern::Presynaptic => "presynaptic",
            Pattern::Postsynaptic => "postsynaptic",
            Pattern::NmjUnspecified => "nmj_unspecified",
            Pattern::Indeterminate => "indeterminate",
        }
    }
}

/// Where the largest increment stands against the LEMS cut-offs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LemsCriterion {
    /// At or above the specific cut-off (100%).
    Specific,
    /// At or above the suggestive cut-off (60%), below the specific one.
    Suggestive,
    /// Below the suggestive cut-off.
    None,
    /// No exercise or high-rate test in the study.
    NotTested,
}

impl LemsCriterion {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            LemsCriterion::Specific => "specific",
            LemsCriterion::Suggestive => "suggestive",
            LemsCriterion::None => "none",
            LemsCriterion::NotTested => "not_tested",
        }
    }
}

/// One finding, with the criterion applied and its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable snake_case code.
    pub code: String,
    /// The finding in plain clinical English.
    pub text: String,
    /// The criterion applied.
    pub criterion: String,
    /// The published source of the criterion.
    pub source: String,
}

/// The `interpretation` object of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interpretation {
    /// The pattern.
    pub pattern: Pattern,
    /// The LEMS increment criterion.
    pub lems_criterion: LemsCriterion,
    /// First (pre-exercise) CMAP below the lower limit of normal; `None`
    /// when no tested muscle has a known limit.
    pub low_cmap: Option<bool>,
    /// One paragraph in plain clinical English.
    pub summary: String,
    /// Findings, each with criterion and source.
    pub findings: Vec<Finding>,
    /// What to do next.
    pub recommendations: Vec<String>,
    /// What limits the conclusion.
    pub caveats: Vec<String>,
}

fn finding(code: &str, text: String, criterion: String, source: &str) -> Finding {
    Finding {
        code: code.to_string(),
        text,
        criterion,
        source: source.to_string(),
    }
}

fn describe(t: &TestMeasures) -> String {
    let mut s = t.file.clone();
    let mut parts = Vec::new();
    if let Some(m) = &t.muscle {
        parts.push(m.clone());
    }
    if let Some(r) = t.stim_rate_hz {
        parts.push(format!("{r} Hz"));
    }
    if !parts.is_empty() {
        s.push_str(&format!(" ({})", parts.join(", ")));
    }
    s
}

fn flags_text(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a flag asks the examiner to repeat.
fn repeat_advice(flag: Flag) -> &'static str {
    match flag {
        Flag::Clipped => "repeat with a larger amplifier range (sensitivity) so the CMAP is not clipped",
        Flag::IrregularTrain => "repeat the train with the limb immobilised and electrodes secured; irregular amplitude steps indicate movement or technical artifact",
        Flag::NoResponse => "check stimulation and recording electrodes and repeat with supramaximal stimulation",
        Flag::LowSnr => "reduce noise (skin preparation, electrode impedance, mains interference) and repeat",
        Flag::ArtifactOverlap => "reduce the stimulus artifact (ground electrode between stimulator and recording site, lower stimulus duration, rotate the anode) and repeat",
        Flag::PolarityInverted | Flag::BaselineUnstable => "check the recording montage and repeat",
    }
}

/// Interprets the measures of a study.
pub fn interpret(tests: &[TestMeasures], config: &InterpretConfig) -> Interpretation {
    let mut findings = Vec::new();
    let mut recommendations: Vec<String> = Vec::new();
    let mut caveats: Vec<String> = Vec::new();

    // Increment tests; a pseudofacilitated high-rate train does not count.
    let increment_tests: Vec<&TestMeasures> = tests
        .iter()
        .filter(|t| matches!(t.protocol, Protocol::Hfrns | Protocol::Exercise))
        .collect();
    let counted = increment_tests
        .iter()
        .filter(|t| t.pseudofacilitation != Some(true))
        .filter_map(|t| t.increment_pct.map(|v| (*t, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let decrement = tests
        .iter()
        .filter(|t| t.protocol == Protocol::Rns)
        .filter_map(|t| t.decrement_pct.map(|v| (t, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1));

    let lems_criterion = if increment_tests.is_empty() {
        LemsCriterion::NotTested
    } else {
        match counted {
            Some((_, v)) if v >= config.increment_specific_pct => LemsCriterion::Specific,
            Some((_, v)) if v >= config.increment_suggestive_pct => LemsCriterion::Suggestive,
            _ => LemsCriterion::None,
        }
    };

    // Findings on each increment test.
    for t in &increment_tests {
        let Some(inc) = t.increment_pct else { continue };
        let what = if t.protocol == Protocol::Exercise {
            format!(
                "Increment after {} of maximal voluntary exercise",
                t.exercise_s
                    .map(|s| format!("{s} s"))
                    .unwrap_or_else(|| "a period".to_string())
            )
        } else {
            "Increment during high-rate stimulation".to_string()
        };
        if t.pseudofacilitation == Some(true) {
            findings.push(finding(
                "pseudofacilitation",
                format!(
                    "{what} in {}: amplitude {inc:+.0}% with area {:+.0}%; the amplitude rise without an area rise is pseudofacilitation (waveform narrowing), not a true increment, and is not counted.",
                    describe(t),
                    t.area_increment_pct.unwrap_or(0.0)
                ),
                "amplitude rises while the negative-phase area does not".to_string(),
                sources::MCCOMAS_1994,
            ));
            continue;
        }
        let (code, grade) = if inc >= config.increment_specific_pct {
            ("increment_specific", "at or above the specific cut-off")
        } else if inc >= config.increment_suggestive_pct {
            ("increment_suggestive", "at or above the suggestive cut-off")
        } else if inc >= config.increment_equivocal_pct {
            (
                "increment_equivocal",
                "equivocal: above the healthy range but below the suggestive cut-off",
            )
        } else {
            ("increment_normal", "below the equivocal range")
        };
        findings.push(finding(
            code,
            format!("{what} in {}: {inc:+.1}%, {grade}.", describe(t)),
            format!(
                "increment >= {}% suggestive (sensitivity 77.8%, specificity 98.9%; present in 97% of LEMS and in 0 of 538 MG exercise tests); >= {}% specific (sensitivity 58.7%, specificity 100%); {}-{}% equivocal",
                config.increment_suggestive_pct,
                config.increment_specific_pct,
                config.increment_equivocal_pct,
                config.increment_suggestive_pct
            ),
            &format!("{}; {}", sources::LIPKA_2020, sources::OH_2005),
        ));
        if code == "increment_equivocal" {
            recommendations.push(format!(
                "Equivocal increment in {}: repeat the test after exactly 10 s of maximal voluntary exercise (after a rest of at least 60 s), and test another muscle.",
                describe(t)
            ));
        }
    }

    // Findings on each low-rate train.
    for t in tests.iter().filter(|t| t.protocol == Protocol::Rns) {
        let Some(dec) = t.decrement_pct else {
            caveats.push(format!(
                "{}: too few responses to compute the decrement (the 4th response is needed).",
                t.file
            ));
            continue;
        };
        let abnormal = dec > config.decrement_abnormal_pct;
        let shape = t.shape.map(|s| s.code()).unwrap_or("unknown");
        findings.push(finding(
            if abnormal {
                "decrement_abnormal"
            } else {
                "decrement_normal"
            },
            format!(
                "Low-rate decrement in {}: {dec:.1}% (1st to 4th response){}; train shape {shape}.",
                describe(t),
                t.max_decrement_pct
                    .map(|m| format!(", largest fall {m:.1}%"))
                    .unwrap_or_default()
            ),
            format!(
                "decrement > {}% at 2-5 Hz is abnormal",
                config.decrement_abnormal_pct
            ),
            sources::AAEM_2001,
        ));
        if abnormal && t.shape == Some(TrainShape::UShaped) {
            findings.push(finding(
                "u_shaped_decrement",
                format!(
                    "The decrement in {} is largest by the 4th-5th response with levelling or partial recovery after it (U shape), as in myasthenia gravis.",
                    describe(t)
                ),
                "nadir at the 4th-5th response, then levelling or recovery".to_string(),
                sources::NORWEGIAN_GUIDELINE,
            ));
        }
    }

    // Low CMAP against the lower limit of normal.
    let mut low_cmap = None;
    for t in tests {
        let (Some(muscle), Some(amp)) = (&t.muscle, t.first_amplitude_mv()) else {
            continue;
        };
        let Some((limit, source)) = limits::lower_limit(muscle, &config.lower_limits_mv) else {
            continue;
        };
        let low = amp < limit;
        low_cmap = Some(low_cmap.unwrap_or(false) || low);
        if low {
            findings.push(finding(
                "low_cmap",
                format!(
                    "The first (resting) CMAP in {} is {amp:.2} mV, below the lower limit of normal for {muscle} ({limit} mV).",
                    t.file
                ),
                format!("{muscle} CMAP amplitude >= {limit} mV"),
                &source,
            ));
        }
    }
    let muscles_without_limit: Vec<String> = tests
        .iter()
        .filter_map(|t| t.muscle.clone())
        .filter(|m| limits::lower_limit(m, &config.lower_limits_mv).is_none())
        .collect();
    if !muscles_without_limit.is_empty() {
        caveats.push(format!(
            "No lower limit of normal is on file for {}; the resting amplitude was not judged there.",
            dedup(muscles_without_limit).join(", ")
        ));
    }

    // The pattern, and the tests that decide it.
    let inc_value = counted.map(|c| c.1);
    let dec_value = decrement.map(|d| d.1);
    let increment_done = !increment_tests.is_empty();
    let (mut pattern, deciding): (Pattern, Vec<&TestMeasures>) =
        if inc_value.is_some_and(|v| v >= config.increment_suggestive_pct) {
            (
                Pattern::Presynaptic,
                counted.map(|c| vec![c.0]).unwrap_or_default(),
            )
        } else if dec_value.is_some_and(|v| v > config.decrement_abnormal_pct) {
            let p = if increment_done {
                Pattern::Postsynaptic
            } else {
                Pattern::NmjUnspecified
            };
            let mut d: Vec<&TestMeasures> = decrement.map(|d| vec![d.0]).unwrap_or_default();
            if let Some(c) = counted {
                d.push(c.0);
            }
            (p, d)
        } else {
            let d = counted
                .map(|c| c.0)
                .into_iter()
                .chain(decrement.map(|d| d.0))
                .collect();
            (Pattern::Normal, d)
        };
    let any_increment = increment_tests.iter().any(|t| t.increment_pct.is_some());
    if !any_increment && dec_value.is_none() {
        pattern = Pattern::Indeterminate;
        caveats.push(
            "No test gave a decrement or an increment that can be judged; no conclusion is possible."
                .to_string(),
        );
    }
    let mut unreliable = Vec::new();
    for t in &deciding {
        let bad: Vec<Flag> = t
            .flags
            .iter()
            .copied()
            .filter(|f| f.is_disqualifying())
            .collect();
        if !bad.is_empty() {
            unreliable.push((t.file.clone(), bad));
        }
    }
    if !unreliable.is_empty() {
        let would_be = pattern;
        pattern = Pattern::Indeterminate;
        for (file, flags) in &unreliable {
            caveats.push(format!(
                "{file} carries the deciding value but is flagged {}: the {} reading cannot be relied on.",
                flags_text(flags),
                would_be.code()
            ));
            for f in flags {
                let advice = format!("{file}: {}.", repeat_advice(*f));
                if !recommendations.contains(&advice) {
                    recommendations.push(advice);
                }
            }
        }
    }

    // Recommendations that follow from the pattern.
    if pattern == Pattern::NmjUnspecified {
        recommendations.push(
            "A decrement without an increment test cannot separate a presynaptic from a postsynaptic disorder: record a CMAP before and immediately after 10 s of maximal voluntary exercise (or a 20-50 Hz train).".to_string(),
        );
    }
    if low_cmap == Some(true) && !increment_done {
        recommendations.push(
            "The resting CMAP is low: record it again immediately after 10 s of maximal voluntary exercise to look for the increment of Lambert-Eaton myasthenic syndrome.".to_string(),
        );
    }
    if pattern == Pattern::Presynaptic {
        recommendations.push(
            "Consider voltage-gated calcium channel (P/Q-type) antibodies and a search for small-cell lung cancer (the DELTA-P score and SOX1 antibodies estimate the tumour risk).".to_string(),
        );
        if dec_value.is_some_and(|v| v > config.decrement_abnormal_pct) {
            caveats.push(
                "A low-rate decrement is common in LEMS too (above 15% in most patients in one series) and does not argue against a presynaptic disorder.".to_string(),
            );
        }
    }
    if matches!(pattern, Pattern::Normal | Pattern::Postsynaptic)
        && increment_tests.len() == 1
        && (low_cmap == Some(true)
            || inc_value.is_some_and(|v| v >= config.increment_equivocal_pct))
    {
        caveats.push(format!(
            "Only one muscle was tested for an increment; testing a single hand muscle can miss LEMS ({}; {}).",
            sources::TIM_SANDERS_1994,
            sources::MADDISON_1998
        ));
    }
    for t in tests {
        if t.protocol_inferred {
            caveats.push(format!(
                "{}: the protocol ({}) was inferred from the file, not declared.",
                t.file, t.protocol
            ));
        }
        if t.responses.iter().any(|r| r.has(Flag::PolarityInverted)) {
            caveats.push(format!(
                "{}: the traces look inverted (positive phase first) and were measured flipped; check the electrode montage.",
                t.file
            ));
        }
        if t.protocol == Protocol::Rns
            && t.muscle.as_deref().and_then(limits::canonical_muscle) == Some("trapezius")
        {
            caveats.push(format!(
                "{}: trapezius trains can show up to 15% pseudo-facilitation from muscle shortening ({}).",
                t.file,
                sources::TRAPEZIUS_PSEUDO_2013
            ));
        }
    }
    caveats.push(
        "Limb temperature should be above 32 C; cooling reduces the decrement. This report supports, and does not replace, clinical judgement."
            .to_string(),
    );

    let summary = summary(
        pattern,
        lems_criterion,
        low_cmap,
        inc_value,
        dec_value,
        config,
    );
    Interpretation {
        pattern,
        lems_criterion,
        low_cmap,
        summary,
        findings,
        recommendations,
        caveats,
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn summary(
    pattern: Pattern,
    criterion: LemsCriterion,
    low_cmap: Option<bool>,
    inc: Option<f64>,
    dec: Option<f64>,
    c: &InterpretConfig,
) -> String {
    let mut s = match pattern {
        Pattern::Presynaptic => format!(
            "Findings are consistent with a presynaptic disorder of neuromuscular transmission, as in Lambert-Eaton myasthenic syndrome: the CMAP increased by {:.0}% ({} criterion, cut-offs {}% and {}%).",
            inc.unwrap_or(0.0),
            criterion.code(),
            c.increment_suggestive_pct,
            c.increment_specific_pct
        ),
        Pattern::Postsynaptic => format!(
            "Findings are consistent with a postsynaptic disorder of neuromuscular transmission, as in myasthenia gravis: a low-rate decrement of {:.0}% (abnormal above {}%) without a significant increment.",
            dec.unwrap_or(0.0),
            c.decrement_abnormal_pct
        ),
        Pattern::NmjUnspecified => format!(
            "Findings are consistent with a disorder of neuromuscular transmission: a low-rate decrement of {:.0}% (abnormal above {}%); without an increment test, presynaptic and postsynaptic causes cannot be told apart.",
            dec.unwrap_or(0.0),
            c.decrement_abnormal_pct
        ),
        Pattern::Normal => "Findings are consistent with normal neuromuscular transmission in the muscles tested: no abnormal decrement and no significant increment.".to_string(),
        Pattern::Indeterminate => "No conclusion can be drawn: the test that would decide the reading is technically unreliable (see caveats); the measures are reported for reference.".to_string(),
    };
    match low_cmap {
        Some(true) => s.push_str(" The resting CMAP is below the lower limit of normal."),
        Some(false) => s.push_str(" The resting CMAP is within normal limits."),
        None => {}
    }
    s.push_str(" This report supports, and does not replace, clinical judgement.");
    s
}
