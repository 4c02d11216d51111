//! Recommendations and caveats: what to repeat or add, and what limits the
//! conclusion.

use super::assess::answers_increment;
use super::findings::describe;
use super::limits;
use super::sources;
use super::validity::main_question;
use super::InterpretConfig;
use crate::model::Protocol;
use crate::model::ResponseLabel;
use crate::model::TestMeasures;
use crate::model::{DecrementGrade, LemsCriterion, Part, PartStatus, Pattern};
use crate::model::{Flag, ReasonCode, Standing, TrainFlag, ValidityReason};
use crate::words::number;

/// What a flag asks the examiner to repeat.
fn repeat_advice(flag: Flag) -> &'static str {
    match flag {
        Flag::Clipped => "repeat with a larger amplifier range (sensitivity) so the CMAP is not clipped",
        Flag::NoResponse => "check stimulation and recording electrodes and repeat with supramaximal stimulation",
        Flag::LowSnr => "reduce noise (skin preparation, electrode impedance, mains interference) and repeat",
        Flag::ArtifactOverlap => "reduce the stimulus artifact (ground electrode between stimulator and recording site, lower stimulus duration, rotate the anode) and repeat",
        Flag::PeakAtSweepEnd => "the CMAP runs past the end of the sweep; read it again with a longer sweep (--sweep-ms) or record a longer one",
        Flag::EarlyOnset => "the response starts too soon after the stimulus to be a CMAP: check the stimulus times (a recording without a stimulus artifact needs a trigger channel, annotations or --rate with --first-stimulus-ms)",
        Flag::PolarityInverted | Flag::BaselineUnstable => "check the recording montage and repeat",
        Flag::Excluded => "a response was excluded by hand (its markers file gives the reason); repeat the train if the measure needs it",
        Flag::MarkImplausible => "a mark set by hand is not borne out by the trace (a negative peak that is not the lowest point of its phase, an end before the peak, a baseline window on the response, or marks that leave no response): check the markers file",
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

/// What a reason of a test's verdict asks the examiner to do, when it
/// keeps the test's answer from standing.
fn reason_advice(t: &TestMeasures, r: &ValidityReason, c: &InterpretConfig) -> Vec<String> {
    let file = &t.file;
    match r.code {
        ReasonCode::Flagged => t
            .train_flags
            .iter()
            .map(|f| format!("{file}: {}.", train_advice(*f)))
            .chain(
                t.flags
                    .iter()
                    .filter(|f| f.is_disqualifying())
                    .map(|f| format!("{file}: {}.", repeat_advice(*f))),
            )
            .collect(),
        ReasonCode::Submaximal | ReasonCode::SmallerThanOtherTests => vec![format!(
            "{file}: repeat with a supramaximal stimulus (raise the intensity until the CMAP stops growing, then about 20% more)."
        )],
        ReasonCode::RateOutsideProtocol if t.protocol == Protocol::Rns => vec![format!(
            "{file}: repeat the train at 3 Hz (the criterion holds at {}-{} Hz).",
            number(c.low_rate_min_hz),
            number(c.low_rate_max_hz)
        )],
        ReasonCode::RateOutsideProtocol | ReasonCode::ExerciseOutsideProtocol => vec![format!(
            "{file}: to exclude LEMS, record a CMAP before and immediately after 10 s of maximal voluntary exercise, or a {}-{} Hz train.",
            number(c.high_rate_min_hz),
            number(c.high_rate_max_hz)
        )],
        ReasonCode::Cold => vec![format!(
            "{file}: warm the limb above {} °C and repeat the test.",
            number(c.min_temperature_c)
        )],
        ReasonCode::RateNotRecorded => vec![format!(
            "{file}: record the stimulation rate with the train (give it with --rate when the file leaves it out): without it the train cannot be judged against its criterion."
        )],
        ReasonCode::ExerciseNotRecorded => vec![format!(
            "{file}: record how long the exercise lasted (give it with --exercise-s when the file leaves it out): the criteria hold after 10 s."
        )],
        ReasonCode::NoImmediateResponse => vec![format!(
            "{file}: repeat the exercise test with a CMAP recorded immediately (within 10 s) after 10 s of maximal voluntary exercise."
        )],
        ReasonCode::Pyridostigmine => vec![format!(
            "{file}: if myasthenia remains suspected, repeat after at least {} h without pyridostigmine.",
            number(c.pyridostigmine_withhold_h)
        )],
        ReasonCode::NotDone | ReasonCode::AmplitudeOnlyRise | ReasonCode::ResponsesMissing => {
            Vec::new()
        }
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// What to repeat for every test whose answer does not stand, as its
/// verdict says why.
fn repeat_tests(tests: &[TestMeasures], c: &InterpretConfig, out: &mut Vec<String>) {
    for t in tests {
        let main = main_question(t);
        let v = &t.validity;
        for r in &v.reasons {
            let bites = r.questions.iter().any(|q| {
                let s = v.standing(*q);
                matches!(s, Standing::Unreliable | Standing::CannotExclude)
                    && (*q == main || *q == crate::model::Question::LowCmap)
            });
            if bites {
                for advice in reason_advice(t, r, c) {
                    push_unique(out, advice);
                }
            }
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
    c: &InterpretConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    repeat_tests(tests, c, &mut out);
    let low = if low_cmap == Some(true) {
        "The resting CMAP is low and "
    } else {
        ""
    };
    let test = "record a CMAP before and immediately after 10 s of maximal voluntary exercise (or a 20-50 Hz train)";
    match inc.status {
        PartStatus::NotTested => out.push(format!(
            "{low}LEMS has not been looked for: {test}."
        )),
        // What to repeat is said per test above; this says why it matters.
        PartStatus::Unreliable | PartStatus::Inconclusive => out.push(format!(
            "{low}LEMS has not been excluded: the increment tests done cannot be relied on or cannot exclude it; {test} inside the validated protocol."
        )),
        PartStatus::Measured => {}
    }
    if inc.status == PartStatus::Measured && inc.grade == Some(LemsCriterion::Equivocal) {
        out.push(format!(
            "Equivocal increment in {}: repeat the test after exactly 10 s of maximal voluntary exercise (after a rest of at least 60 s), and test another muscle.",
            inc.file.as_deref().unwrap_or("the increment test")
        ));
    }
    if dec.status == PartStatus::NotTested {
        out.push("Record a 3 Hz train of 10 stimuli at rest to look for a decrement.".to_string());
    }
    if low_cmap == Some(true) && super::conclusion::unexplained_low(pattern) {
        out.push(format!(
            "The resting CMAP is low without an abnormality of transmission: do a nerve conduction study and needle EMG (axon loss or a conduction block lowers a CMAP: {}), and check that the stimulus was supramaximal and the recording electrode over the motor point ({}).",
            sources::MALLIK_WEIR_2005,
            sources::CARESS_2007
        ));
    }
    if pattern == Pattern::AbnormalJitter {
        out.push(format!(
            "Jitter is abnormal: look for a disease of nerve or muscle with a nerve conduction study and needle EMG of the muscles jitter was recorded from before attributing it to a primary junction disorder ({}; {}).",
            sources::AAEE_1986_SFEMG,
            sources::AANEM_MM74
        ));
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
    c: &InterpretConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    if dec.grade == Some(DecrementGrade::Abnormal) {
        if low_cmap == Some(true) && super::conclusion::unexplained_low(pattern) {
            out.push(format!(
            "The resting CMAP is low without an abnormality of transmission: do a nerve conduction study and needle EMG (axon loss or a conduction block lowers a CMAP: {}), and check that the stimulus was supramaximal and the recording electrode over the motor point ({}).",
            sources::MALLIK_WEIR_2005,
            sources::CARESS_2007
        ));
        }
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
    let increment_tests = tests.iter().filter(|t| answers_increment(t)).count();
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
    test_caveats(tests, c, &mut out);
    temperature_caveat(tests, c, &mut out);
    out
}

/// "3 and 4", "pre", "3, 4 and 7": responses named as a person counts
/// them (a train's by number, others by label).
fn response_list(labels: &[&ResponseLabel]) -> String {
    let names: Vec<String> = labels
        .iter()
        .map(|l| match l {
            ResponseLabel::Train(n) => n.to_string(),
            other => other.to_string(),
        })
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a person changed by hand on a test (its markers file): the marks
/// moved and the responses excluded (with the reasons), by whom and when;
/// the decrement read to the other of the 4th and 5th responses; and the
/// reading the automatic markers give, when the marks changed it.
fn manual_caveats(t: &TestMeasures, c: &InterpretConfig, out: &mut Vec<String>) {
    let mut people: Vec<&str> = Vec::new();
    for m in t.responses.iter().filter_map(|r| r.manual.as_ref()) {
        if !people.contains(&m.by.as_str()) {
            people.push(&m.by);
        }
    }
    for by in people {
        for excluded in [false, true] {
            if let Some(line) = manual_line(t, by, excluded) {
                out.push(line);
            }
        }
    }
    if let Some(to) = t.decrement_read_to {
        let (from, used) = if to == 5 {
            ("4th", "5th")
        } else {
            ("5th", "4th")
        };
        out.push(format!(
            "{}: the {from} response is excluded, so the decrement is read to the {used}, as the AAEM reads it from the 1st to the 4th or 5th response ({}).",
            t.file,
            sources::AAEM_2001
        ));
    }
    if let Some(line) = automatic_line(t, c) {
        out.push(line);
    }
}

/// "Markers of responses 3 and 4 of f.csv adjusted by KH (2026-12-07T10:15)."
/// or "Response 4 of f.csv excluded by KH (2026-12-07T10:16): movement."
fn manual_line(t: &TestMeasures, by: &str, excluded: bool) -> Option<String> {
    let marked: Vec<(&ResponseLabel, &crate::model::ManualMarks)> = t
        .responses
        .iter()
        .filter_map(|r| r.manual.as_ref().map(|m| (&r.label, m)))
        .filter(|(_, m)| m.by == by && m.excluded.is_some() == excluded)
        .collect();
    if marked.is_empty() {
        return None;
    }
    let labels: Vec<&ResponseLabel> = marked.iter().map(|(l, _)| *l).collect();
    let mut when: Vec<&str> = marked.iter().map(|(_, m)| m.at.as_str()).collect();
    when.sort_unstable();
    when.dedup();
    let s = if labels.len() == 1 { "" } else { "s" };
    let list = response_list(&labels);
    let when = when.join(", ");
    Some(if excluded {
        let mut reasons: Vec<&str> = marked
            .iter()
            .filter_map(|(_, m)| m.excluded.as_deref())
            .collect();
        reasons.dedup();
        format!(
            "Response{s} {list} of {} excluded by {by} ({when}): {}.",
            t.file,
            reasons.join("; ")
        )
    } else {
        format!(
            "Markers of response{s} {list} of {} adjusted by {by} ({when}).",
            t.file
        )
    })
}

/// "f.csv: with the automatic markers the decrement is 30.0%; with the
/// marks set by hand, 4.9%.": said whenever the marks changed a reading.
fn automatic_line(t: &TestMeasures, c: &InterpretConfig) -> Option<String> {
    let auto = t.automatic?;
    let cuts = c.increment_cuts();
    let decrement = [c.decrement_abnormal_pct];
    let pairs = [
        (
            "decrement",
            auto.decrement_pct,
            t.decrement_pct,
            &decrement[..],
        ),
        ("increment", auto.increment_pct, t.increment_pct, &cuts[..]),
    ];
    let show = |v: Option<f64>, cuts: &[f64]| {
        v.map_or_else(
            || "not measured".to_string(),
            |v| crate::words::pct_beside(v, 1, cuts),
        )
    };
    let changed: Vec<String> = pairs
        .iter()
        .filter(|(_, a, m, cuts)| show(*a, cuts) != show(*m, cuts))
        .map(|(what, a, m, cuts)| {
            format!(
                "with the automatic markers the {what} is {}; with the marks set by hand, {}",
                show(*a, cuts),
                show(*m, cuts)
            )
        })
        .collect();
    (!changed.is_empty()).then(|| format!("{}: {}.", t.file, changed.join("; ")))
}

fn test_caveats(tests: &[TestMeasures], c: &InterpretConfig, out: &mut Vec<String>) {
    for t in tests {
        manual_caveats(t, c, out);
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

/// Limb temperature not recorded (a cold one is a reason of the test's
/// verdict).
fn temperature_caveat(tests: &[TestMeasures], c: &InterpretConfig, out: &mut Vec<String>) {
    let recorded = tests.iter().filter(|t| t.temperature_c.is_some()).count();
    if recorded < tests.len() {
        out.push(format!(
            "Limb temperature was not recorded{}; it should be above {} °C, as cooling reduces the decrement ({}).",
            if recorded == 0 { "" } else { " for every test" },
            number(c.min_temperature_c),
            sources::NORWEGIAN_GUIDELINE
        ));
    }
}
