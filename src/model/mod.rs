//! The shared types every stage reads or writes: the recording (what readers
//! produce), response labels, per-response and per-test measures with their
//! flags, the interpretation, and the report.
//!
//! Every unit enum has one mapping to its stable snake_case code, serde's:
//! `code()`, `Display` and `FromStr` all go through it (`codes.rs`).

pub(crate) mod codes;
mod display;
mod interpretation;
mod jitter;
mod label;
mod markers;
mod measures;
mod muscle;
pub mod privacy;
mod record;
mod recording;
mod report;
mod series;
mod validity;

pub use codes::UnknownCode;
pub use display::{DisplayTrace, TestDisplay};
pub use interpretation::{
    Condition, DecrementGrade, Differential, Finding, FindingCode, Indication, Interpretation,
    LemsCriterion, MuscleReading, Part, PartStatus, Pattern, Quantities,
};
pub use jitter::{
    Discharge, Electrode, JitterBrief, JitterFinding, JitterFindingCode, JitterInput, JitterLimits,
    JitterMethod, JitterPair, JitterReason, JitterReport, JitterSweeps, JitterValue, JitterVerdict,
    LabJitterLimits, MuscleJitter, PairFlag, PairMeasures, JITTER_SCHEMA,
};
pub use label::ResponseLabel;
pub use markers::{
    AutomaticReading, ManualMarks, Mark, MarkEntry, Markers, MarkersUsed, ResponseRef,
};
pub use measures::{
    BaselineSource, Flag, PostExercisePoint, ResponseMeasures, TestMeasures, TestSource, TrainFlag,
    TrainShape,
};
pub use muscle::{canonical_muscle, canonical_side, muscle_side_key};
pub use privacy::{is_identifying, normalise_key, IDENTIFYING_KEYS};
pub use record::{ExercisePhase, TestRecord};
pub use recording::{
    Delimiter, InputFormat, Layout, Polarity, Protocol, ProtocolSource, Recording, SourceInfo,
    Stimuli, StimulusSource, Study, VoltUnit, HIGH_RATE_MIN_HZ,
};
pub use report::{Report, StudyInfo, ToolInfo, SCHEMA};
pub use series::{ExhaustionSeries, RepeatedTrains, SeriesPoint, StudySeries};
pub use validity::{
    Answer, Bearing, Question, ReasonCode, Standing, Validity, ValidityCode, ValidityReason,
};

codes::codes!(
    Pattern,
    LemsCriterion,
    DecrementGrade,
    PartStatus,
    FindingCode,
    Flag,
    Mark,
    TrainFlag,
    TrainShape,
    BaselineSource,
    Protocol,
    ProtocolSource,
    Polarity,
    Layout,
    InputFormat,
    StimulusSource,
    Question,
    Bearing,
    ReasonCode,
    Standing,
    ValidityCode,
    JitterMethod,
    Electrode,
    PairFlag,
    JitterValue,
    JitterVerdict,
    JitterReason,
    JitterFindingCode
);
