//! Whether a test can be relied on: one verdict per test, judged once
//! (`interpret::validity`) from its measures, flags, record and protocol,
//! before any rule reads it. Every rule (the pattern, the LEMS criterion,
//! the low CMAP, the shape, the headline, the recommendations) asks the
//! verdict how its own answer stands and reads nothing else.
//!
//! A reason bears on a result one of three ways, as the evidence does: a
//! flagged response makes any value unreliable; a submaximal stimulus fakes
//! abnormality (an increment, a decrement, a low CMAP) but cannot fake a
//! normal result; a test outside its validated protocol, a cold limb or
//! recent pyridostigmine hide abnormality, so a normal result there cannot
//! exclude a disorder while a clearly abnormal one stands.

use serde::{Deserialize, Serialize};

/// The questions a test answers; each rule asks about its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Question {
    /// The low-rate decrement (a 2-5 Hz train).
    Decrement,
    /// The increment (after exercise, or during a high-rate train).
    Increment,
    /// Whether the resting CMAP is below the lower limit of normal (the
    /// first response of a test from a rested muscle).
    LowCmap,
    /// The shape of an abnormal low-rate train (U-shaped, progressive).
    Shape,
}

/// How a reason bears on a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Bearing {
    /// The value cannot be relied on, whatever it shows.
    Unreliable,
    /// An abnormal value cannot be relied on; a normal one stands (a
    /// submaximal stimulus makes a CMAP smaller, never larger).
    FakesAbnormal,
    /// A normal value cannot exclude a disorder; a clearly abnormal one
    /// stands (outside the validated protocol, cooling, pyridostigmine).
    HidesAbnormal,
    /// No value: the test was not done for this question.
    NotDone,
}

/// Stable codes of the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    /// No value: nothing recorded, no first response, a train too short,
    /// no post-exercise response.
    NotDone,
    /// A response its measure uses is flagged (clipped, low
    /// signal-to-noise, artifact overlap, no response), or the train is.
    Flagged,
    /// The amplitude rose far more than the area, beyond what
    /// pseudofacilitation gives healthy muscle.
    AmplitudeOnlyRise,
    /// A response of the train could not be measured: its shape cannot be
    /// read.
    ResponsesMissing,
    /// The record says the stimulus was not supramaximal.
    Submaximal,
    /// The resting CMAP is smaller than the same muscle's in its other
    /// tests by more than `interpret.resting_cmap_margin_pct`.
    SmallerThanOtherTests,
    /// A train outside the rates its criterion was validated at.
    RateOutsideProtocol,
    /// An exercise outside the lengths its criterion was validated after.
    ExerciseOutsideProtocol,
    /// A train whose rate was not recorded: it cannot be shown to lie
    /// inside the validated protocol.
    RateNotRecorded,
    /// An exercise test whose length was not recorded.
    ExerciseNotRecorded,
    /// An exercise test without a CMAP measured immediately after the
    /// exercise: a later one understates the facilitation.
    NoImmediateResponse,
    /// Limb temperature below `interpret.min_temperature_c`.
    Cold,
    /// Pyridostigmine taken less than `interpret.pyridostigmine_withhold_h`
    /// before.
    Pyridostigmine,
}

impl ReasonCode {
    /// Whether the reason is the protocol of the test (the rate, the
    /// length of the exercise), as opposed to its record or technique.
    pub fn is_protocol(self) -> bool {
        matches!(
            self,
            ReasonCode::RateOutsideProtocol
                | ReasonCode::ExerciseOutsideProtocol
                | ReasonCode::RateNotRecorded
                | ReasonCode::ExerciseNotRecorded
                | ReasonCode::NoImmediateResponse
        )
    }
}

/// One reason a test's answers cannot all be taken as they stand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidityReason {
    /// Stable code.
    pub code: ReasonCode,
    /// How it bears on a result.
    pub bearing: Bearing,
    /// The questions it bears on.
    pub questions: Vec<Question>,
    /// The reason in plain words, naming the values (the file is named
    /// only where no value could be had: a reason of `not_done`).
    pub text: String,
    /// The source the reason rests on, or that it is nmjscope's own rule;
    /// `None` for a technical flag.
    pub source: Option<String>,
}

/// How one answer of a test stands, judged with the answer itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Standing {
    /// Relied on as it stands.
    Stands,
    /// A clearly abnormal result of a test outside its validated protocol:
    /// it counts, and the headline says where it came from.
    StandsOutOfProtocol,
    /// A result that is not clearly abnormal from a test that cannot
    /// exclude (outside the protocol, cold, pyridostigmine).
    CannotExclude,
    /// Cannot be relied on.
    Unreliable,
    /// No value.
    NotDone,
}

/// One answer of a test and how it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The question.
    pub question: Question,
    /// How the test's answer to it stands.
    pub standing: Standing,
}

/// The verdict on a test as a whole, from how its answers stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValidityCode {
    /// Every answer stands.
    Valid,
    /// The record (a cold limb, recent pyridostigmine) keeps a normal
    /// result from excluding a disorder.
    Limited,
    /// Outside its validated protocol: a normal result cannot exclude, a
    /// clearly abnormal one counts with that caveat.
    OutOfProtocol,
    /// An answer cannot be relied on.
    Unreliable,
    /// The test gave no value for its main question.
    NotDone,
}

/// The verdict on one test: its code, the reasons, and how each of its
/// answers stands. Judged once, by `interpret`, and stored on the test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    /// The verdict.
    pub code: ValidityCode,
    /// Why, in words; empty for a valid test with nothing to say.
    pub reasons: Vec<ValidityReason>,
    /// How each answer the test gives stands.
    pub answers: Vec<Answer>,
}

impl Default for Validity {
    /// A test not judged yet: nothing of it may be relied on.
    fn default() -> Self {
        Validity {
            code: ValidityCode::NotDone,
            reasons: Vec::new(),
            answers: Vec::new(),
        }
    }
}

impl Validity {
    /// How the answer to `question` stands (`NotDone` when the test gives
    /// none).
    pub fn standing(&self, question: Question) -> Standing {
        self.answers
            .iter()
            .find(|a| a.question == question)
            .map_or(Standing::NotDone, |a| a.standing)
    }

    /// Whether the answer to `question` can be relied on in either
    /// direction or as positive evidence (it stands, or cannot exclude).
    pub fn has_value(&self, question: Question) -> bool {
        matches!(
            self.standing(question),
            Standing::Stands | Standing::StandsOutOfProtocol | Standing::CannotExclude
        )
    }

    /// The reasons bearing on `question`.
    pub fn reasons_for(&self, question: Question) -> impl Iterator<Item = &ValidityReason> {
        self.reasons
            .iter()
            .filter(move |r| r.questions.contains(&question))
    }

    /// The words of the reasons bearing on `question` that have `bearing`,
    /// joined; `None` when there are none.
    pub fn why(&self, question: Question, bearing: &[Bearing]) -> Option<String> {
        let words: Vec<&str> = self
            .reasons_for(question)
            .filter(|r| bearing.contains(&r.bearing))
            .map(|r| r.text.as_str())
            .collect();
        (!words.is_empty()).then(|| words.join("; "))
    }
}
