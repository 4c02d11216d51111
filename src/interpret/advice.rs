//! Recommendations and caveats: what to repeat or add, and what limits the
//! conclusion.

use super::assess::{decrement_outcome, increment_outcome, Outcome};
use super::findings::describe;
use super::limits;
use super::sources;
use super::InterpretConfig;
use crate::model::Protocol;
use crate::model::TestMeasures;
use crate::model::{DecrementGrade, LemsCriterion, Part, PartStatus, Pattern};
use crate::model::{Flag, TrainFlag};

/// Limb temperature below which the decrement is unreliable (Norwegian
/// guideline: the recording site should be above 32 C).
pub const MIN_TEMPERATURE_C: f64 = 32.0;

/// What a flag asks the examiner to repeat.
fn repeat_advice(flag: Flag) -> &'static str {
    match flag {
        Flag::Clipped => "repeat with a larger amplifier range (sensitivity) so the CMAP is not clipped",
        Flag::NoResponse => "check stimulation and recording electrodes and repeat with supramaximal stimulation",
        Flag::LowSnr => "reduce noise (skin preparation, electrode impedance, mains interference) and repeat",
        Flag::ArtifactOverlap => "reduce the stimulus artifact (ground electrode between stimulator and recording site, lower stimulus duration, rotate the anode) and repeat",
        _ => "check the recording montage and repeat",
    }
}

/// What a train flag asks the examiner to repeat.
fn train_advice(flag: TrainFlag) -> &'static str {
    match flag {
        TrainFlag::IrregularTrain => "repeat the train with the limb immobilised and electrodes secured; irregular amplitude steps indicate movement or technical artifact",
        TrainFlag::AreaDisagrees => "the area and amplitude decrements disagree, which a change of CMAP shape (electrode movement, phase cancellation) makes; secure the electrodes and repeat",
        TrainFlag::BaselineDrift => "the baseline drifts through the train, as a moving limb or electrode makes it; immobilise the limb, secure the electrodes and repeat",
        TrainFlag::AmplitudeDrift => "the CMAP grows steadily through a low-rate train, which no disorder of transmission does; check that the stimulus is supramaximal and the limb immobilised, and repeat",
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// What to repeat for every flagged test that carries a value.
fn repeat_flagged(tests: &[TestMeasures], k: usize, c: &InterpretConfig, out: &mut Vec<String>) {
    for t in tests {
        let outcome = match t.protocol {
            Protocol::Rns => decrement_outcome(t, k),
            _ => increment_outcome(t, c),
        };
        if !matches!(outcome, Outcome::Unreliable(..)) {
            continue;
        }
        for f in &t.train_flags {
            push_unique(out, format!("{}: {}.", t.file, train_advice(*f)));
        }
        for f in t.flags.iter().filter(|f| f.is_disqualifying()) {
            push_unique(out, format!("{}: {}.", t.file, repeat_advice(*f)));
        }
    }
}

/// Recommendations that follow from the parts and the pattern.
pub(crate) fn recommendations(
    tests: &[TestMeasures],
    pattern: Pattern,
    dec: &Part<DecrementGrade>,
    inc: &Part<LemsCriterion>,
    low_cmap: Option<bool>,
    k: usize,
    c: &InterpretConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    repeat_flagged(tests, k, c, &mut out);
    if inc.status != PartStatus::Measured {
        let why = if low_cmap == Some(true) {
            "The resting CMAP is low and LEMS has not been looked for"
        } else {
            "LEMS has not been excluded"
        };
        out.push(format!(
            "{why}: record a CMAP before and immediately after 10 s of maximal voluntary exercise (or a 20-50 Hz train)."
        ));
    } else if inc.grade == Some(LemsCriterion::Equivocal) {
        out.push(format!(
            "Equivocal increment in {}: repeat the test after exactly 10 s of maximal voluntary exercise (after a rest of at least 60 s), and test another muscle.",
            inc.file.as_deref().unwrap_or("the increment test")
        ));
    }
    if dec.status == PartStatus::NotTested {
        out.push("Record a 3 Hz train of 10 stimuli at rest to look for a decrement.".to_string());
    }
    if pattern == Pattern::Presynaptic {
        out.push(
            "Consider voltage-gated calcium channel (P/Q-type) antibodies and a search for small-cell lung cancer (the DELTA-P score and SOX1 antibodies estimate the tumour risk).".to_string(),
        );
    }
    out
}

/// Caveats: what was inferred, what the recording conditions allow, and what
/// a decrement or a missing test does not say.
pub(crate) fn caveats(
    tests: &[TestMeasures],
    pattern: Pattern,
    dec: &Part<DecrementGrade>,
    inc: &Part<LemsCriterion>,
    low_cmap: Option<bool>,
) -> Vec<String> {
    let mut out = Vec::new();
    if dec.grade == Some(DecrementGrade::Abnormal) {
        if pattern == Pattern::Presynaptic {
            push_unique(&mut out, format!(
                "A low-rate decrement is common in LEMS too (above 15% in 8 of 10 patients in one series: {}) and does not argue against a presynaptic disorder.",
                sources::SUN_LEMS
            ));
        } else {
            push_unique(&mut out, format!(
                "A decrement of 10% or more is not specific to myasthenia gravis: it occurred in 41% of patients with amyotrophic lateral sclerosis in one series ({}), and in neuropathies and myopathies.",
                sources::SHANG_2020
            ));
        }
    }
    let increment_tests = tests
        .iter()
        .filter(|t| matches!(t.protocol, Protocol::Hfrns | Protocol::Exercise))
        .count();
    let borderline = inc.grade >= Some(LemsCriterion::Equivocal);
    if matches!(
        pattern,
        Pattern::Normal | Pattern::Postsynaptic | Pattern::Equivocal
    ) && increment_tests == 1
        && (low_cmap == Some(true) || borderline)
    {
        out.push(format!(
            "Only one muscle was tested for an increment; one muscle can miss LEMS (an increment above 100% after exercise was found in ADM and APB in 7 of 10 patients, in trapezius in none: {}).",
            sources::MADDISON_1998
        ));
    }
    test_caveats(tests, &mut out);
    temperature_caveat(tests, &mut out);
    out
}

fn test_caveats(tests: &[TestMeasures], out: &mut Vec<String>) {
    for t in tests {
        if t.protocol_inferred {
            out.push(format!(
                "{}: the protocol ({}) was inferred from the file, not declared.",
                t.file, t.protocol
            ));
        }
        if t.responses.iter().any(|r| r.has(Flag::PolarityInverted)) {
            out.push(format!(
                "{}: the traces look inverted (positive phase first) and were measured flipped; check the electrode montage.",
                t.file
            ));
        }
        if t.protocol == Protocol::Rns
            && t.muscle.as_deref().and_then(limits::canonical_muscle) == Some("trapezius")
        {
            out.push(format!(
                "{}: trapezius trains can show up to 15% pseudofacilitation from muscle shortening ({}).",
                describe(t),
                sources::TRAPEZIUS_PSEUDO_2013
            ));
        }
    }
}

/// Limb temperature: below 32 C the decrement shrinks; when it was not
/// recorded, say so.
fn temperature_caveat(tests: &[TestMeasures], out: &mut Vec<String>) {
    let temps: Vec<(&str, f64)> = tests
        .iter()
        .filter_map(|t| t.temperature_c.map(|v| (t.file.as_str(), v)))
        .collect();
    let cold: Vec<String> = temps
        .iter()
        .filter(|(_, v)| *v < MIN_TEMPERATURE_C)
        .map(|(f, v)| format!("{f} ({v} C)"))
        .collect();
    if !cold.is_empty() {
        out.push(format!(
            "Limb temperature below {MIN_TEMPERATURE_C} C in {}: cooling reduces the decrement, so a normal low-rate result there cannot be relied on; warm the limb and repeat ({}).",
            cold.join(", "),
            sources::NORWEGIAN_GUIDELINE
        ));
    }
    if temps.len() < tests.len() {
        out.push(format!(
            "Limb temperature was not recorded{}; it should be above {MIN_TEMPERATURE_C} C, as cooling reduces the decrement ({}).",
            if temps.is_empty() { "" } else { " for every test" },
            sources::NORWEGIAN_GUIDELINE
        ));
    }
}
