//! The types of an interpretation: pattern, criterion, the assessment of
//! each part of the conclusion, and findings.

use serde::{Deserialize, Serialize};

/// The physiological pattern of the study, built from the tests performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Pattern {
    /// A valid decrement test and a valid increment test, both normal.
    Normal,
    /// A valid increment at or above the suggestive cut-off (LEMS).
    Presynaptic,
    /// An abnormal decrement, and a valid increment test below the
    /// equivocal floor: LEMS has been looked for and not found.
    Postsynaptic,
    /// An abnormal decrement with the increment not tested, failed,
    /// unreliable or equivocal: LEMS is not excluded.
    NmjUnspecified,
    /// No abnormal decrement, an equivocal increment (25-60%).
    Equivocal,
    /// Nothing abnormal in the tests performed, but the decrement or the
    /// increment was not tested, or tested in a way that cannot exclude
    /// (outside the validated protocol, cold, recent pyridostigmine):
    /// normal cannot be concluded.
    Incomplete,
    /// A test needed for the reading is technically unreliable, or nothing
    /// could be measured.
    Indeterminate,
    /// Jitter abnormal in at least one muscle, while repetitive stimulation
    /// showed no abnormal decrement and no increment beyond equivocal (or
    /// was not done, or cannot be relied on): transmission is impaired, but
    /// jitter does not tell where (pre- or postsynaptic) or why (nerve and
    /// muscle disease raise it too).
    AbnormalJitter,
}

/// Where the increment stands against the LEMS cut-offs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LemsCriterion {
    /// No exercise or high-rate test gave a value: nothing to judge.
    NotTested,
    /// Below the equivocal floor (25%), or pseudofacilitation only.
    None,
    /// From the equivocal floor up to the suggestive cut-off (25-60%).
    Equivocal,
    /// At or above the suggestive cut-off (60%), below the specific one.
    Suggestive,
    /// At or above the specific cut-off (100%).
    Specific,
}

/// How a low-rate decrement grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DecrementGrade {
    /// At or below the abnormal threshold.
    Normal,
    /// Above the abnormal threshold.
    Abnormal,
}

/// Whether a part of the conclusion rests on a measured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PartStatus {
    /// A technically valid test gave the value.
    Measured,
    /// The value exists but its test cannot be relied on (see `detail`).
    Unreliable,
    /// The value exists and is not clearly abnormal, but its test cannot
    /// exclude a disorder: outside the validated protocol, a cold limb,
    /// recent pyridostigmine (see `detail`).
    Inconclusive,
    /// No test gave a value (see `detail` for why).
    NotTested,
}

/// One part of the conclusion (the decrement, or the increment): its grade,
/// the value and file behind it, and why it is missing or unreliable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part<G> {
    /// Measured, unreliable or not tested.
    pub status: PartStatus,
    /// The grade of the value (`None` when not tested).
    pub grade: Option<G>,
    /// The deciding value (%).
    pub value_pct: Option<f64>,
    /// The file that gave it.
    pub file: Option<String>,
    /// What else names the value: when a train after exercise was
    /// recorded ("2 min after exercise"), or the resting train a
    /// post-exercise increment is measured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_note: Option<String>,
    /// Why the part is not tested, unreliable or inconclusive, in plain
    /// words.
    pub detail: Option<String>,
    /// What limits a measured value that stands: it came from a test
    /// outside its validated protocol (the headline says so).
    #[serde(default)]
    pub caveat: Option<String>,
    /// The cut-off the decrement was graded against: the muscle's own
    /// where it has one (`interpret.muscle_decrement_abnormal_pct`, or the
    /// reference table), else `decrement_abnormal_pct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_pct: Option<f64>,
    /// The value is an amplitude rise without an area rise
    /// (pseudofacilitation), not counted as an increment.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pseudofacilitation: bool,
}

impl<G: Copy> Part<G> {
    /// A part no test could give, with the reason.
    pub fn not_tested(detail: String) -> Self {
        Part {
            status: PartStatus::NotTested,
            grade: None,
            value_pct: None,
            file: None,
            file_note: None,
            detail: Some(detail),
            caveat: None,
            limit_pct: None,
            pseudofacilitation: false,
        }
    }

    /// The grade of a measured (valid) value.
    pub fn valid_grade(&self) -> Option<G> {
        (self.status == PartStatus::Measured)
            .then_some(self.grade)
            .flatten()
    }
}

/// Stable codes of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingCode {
    /// A low-rate decrement above the threshold.
    DecrementAbnormal,
    /// A low-rate decrement at or below the threshold.
    DecrementNormal,
    /// An abnormal decrement falling most by the 4th-5th response then
    /// levelling: supports a postsynaptic disorder.
    UShapedDecrement,
    /// An abnormal decrement still growing at the end of the train.
    ProgressiveDecrement,
    /// Increment at or above the specific cut-off.
    IncrementSpecific,
    /// Increment at or above the suggestive cut-off.
    IncrementSuggestive,
    /// Increment in the equivocal band.
    IncrementEquivocal,
    /// Increment below the equivocal floor.
    IncrementNormal,
    /// An amplitude rise without an area rise, within the healthy range.
    Pseudofacilitation,
    /// An amplitude rise without an area rise, beyond the healthy range: a
    /// technical finding to check.
    AmplitudeOnlyIncrement,
    /// A resting CMAP below the lower limit of normal.
    LowCmap,
    /// The decrement of a post-exercise series right after exercise,
    /// against rest (repair).
    PostExerciseFacilitation,
    /// The largest decrement of a post-exercise series from 1 minute on.
    PostExerciseExhaustion,
    /// Repeated trains at rest agree.
    DecrementReproducible,
    /// Repeated trains at rest disagree.
    DecrementNotReproducible,
    /// The resting CMAP of one muscle on both sides, compared.
    SideToSide,
    /// A test's resting CMAP is much smaller than the same muscle's in the
    /// study's other tests: probably a submaximal stimulus; its increment,
    /// decrement and low CMAP are not relied on.
    RestingCmapSmaller,
    /// A muscle's jitter (single-fibre or concentric-needle EMG) against
    /// its limits (`docs/jitter.md`), in a study of jitter files.
    Jitter,
}

/// One finding, with the criterion applied and its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: FindingCode,
    /// The finding in plain clinical English.
    pub text: String,
    /// The criterion applied.
    pub criterion: String,
    /// The published source of the criterion (or that it is the tool's own).
    pub source: String,
}

/// The reading of one muscle and side: its resting CMAP, its decrement
/// (from its trains at rest), its increment, and its own pattern, built by
/// the same rules as the study's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuscleReading {
    /// The muscle, as the files name it (`None` when not recorded).
    pub muscle: Option<String>,
    /// The nerve stimulated.
    pub nerve: Option<String>,
    /// The side.
    pub side: Option<String>,
    /// The files of this muscle and side, in study order.
    pub files: Vec<String>,
    /// The first CMAP at rest (mV): the first response of its first test
    /// from a rested muscle whose resting CMAP can be relied on.
    pub resting_cmap_mv: Option<f64>,
    /// The lower limit of normal it is judged against (mV), when known.
    pub lower_limit_mv: Option<f64>,
    /// Below the lower limit; `None` when not judged.
    pub low_cmap: Option<bool>,
    /// The decrement from this muscle's trains at rest (the train that
    /// decides named in `file`; the cut-off used in `limit_pct`).
    pub decrement: Part<DecrementGrade>,
    /// The increment from this muscle's exercise, high-rate and
    /// post-exercise tests.
    pub increment: Part<LemsCriterion>,
    /// The largest decrement from 1 minute after exercise on (%), when a
    /// post-exercise series was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exhaustion_pct: Option<f64>,
    /// This muscle's own reading, by the study's rules.
    pub pattern: Pattern,
    /// This muscle's jitter, one entry per method and electrode (empty
    /// when no jitter was recorded from it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jitter: Vec<super::JitterBrief>,
}

/// A condition a differential diagnosis names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// Lambert-Eaton myasthenic syndrome.
    Lems,
    /// Botulism.
    Botulism,
    /// Hypermagnesaemia, and drugs that impair transmitter release.
    MagnesiumOrDrugs,
    /// Congenital myasthenic syndromes.
    CongenitalMyasthenic,
    /// Myasthenia gravis.
    MyastheniaGravis,
    /// Motor neuron disease.
    MotorNeuronDisease,
    /// Neuropathies and myopathies.
    NeuropathyOrMyopathy,
    /// Myotonic disorders.
    Myotonia,
    /// Axon loss or conduction block (a low CMAP from the nerve).
    AxonLoss,
    /// A technical cause (stimulus, electrode position).
    Technique,
}

/// One condition of the differential diagnosis: why it is named here, and
/// its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Differential {
    /// The condition.
    pub condition: Condition,
    /// What in this study points to it, or what tells it apart.
    pub text: String,
    /// The published source.
    pub source: String,
}

/// What the study was asked to answer, read from the `indication` the
/// record gives (`--indication`): it changes the wording and the order of
/// the differential, never a measurement or a grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Indication {
    /// Suspected myasthenia gravis.
    SuspectedMg,
    /// Suspected LEMS.
    SuspectedLems,
    /// Suspected botulism.
    SuspectedBotulism,
    /// Suspected motor neuron disease (ALS).
    SuspectedMnd,
    /// Anything else: read, quoted in the header, and changing nothing.
    Other,
}

/// One number per quantity, as researchers tabulate a study (the batch
/// summary's columns): each named for what it is, so that a decrement
/// after exercise is never read as the resting one, nor an amplitude-only
/// rise as an increment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantities {
    /// The decrement of the trains at rest (%), as the decrement part
    /// combines them (any standing; `decrement.status` says how it stands
    /// when it decides).
    pub rest_decrement_pct: Option<f64>,
    /// The largest decrement from 1 minute after exercise on (%), over the
    /// post-exercise series, from trains that can be relied on.
    pub max_exhaustion_pct: Option<f64>,
    /// The increment that counted (%): the increment part's value, unless
    /// it is pseudofacilitation.
    pub increment_pct: Option<f64>,
    /// The largest amplitude-only rise (%) not counted as an increment.
    pub pseudofacilitation_pct: Option<f64>,
    /// The first muscle's resting CMAP (mV).
    pub first_cmap_mv: Option<f64>,
}

/// The `interpretation` object of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interpretation {
    /// The pattern.
    pub pattern: Pattern,
    /// The LEMS increment criterion.
    pub lems_criterion: LemsCriterion,
    /// The decrement part of the conclusion.
    pub decrement: Part<DecrementGrade>,
    /// The increment part of the conclusion.
    pub increment: Part<LemsCriterion>,
    /// First (pre-exercise) CMAP below the lower limit of normal; `None`
    /// when no measured muscle has a known limit.
    pub low_cmap: Option<bool>,
    /// One number per quantity (the batch summary's columns).
    #[serde(default)]
    pub quantities: Quantities,
    /// One entry per muscle and side, in study order.
    #[serde(default)]
    pub muscles: Vec<MuscleReading>,
    /// One paragraph in plain clinical English, built part by part.
    pub summary: String,
    /// Findings, each with criterion and source.
    pub findings: Vec<Finding>,
    /// The question the study was asked, as read from `indication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indication: Option<Indication>,
    /// The conditions this pattern fits, most likely first, each with its
    /// source.
    #[serde(default)]
    pub differential: Vec<Differential>,
    /// What to do next.
    pub recommendations: Vec<String>,
    /// What limits the conclusion.
    pub caveats: Vec<String>,
}
