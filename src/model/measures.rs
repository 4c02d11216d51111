//! What the measurement and train stages produce: per-response measures and
//! quality flags, and the measures of a whole test.

use serde::{Deserialize, Serialize};

use super::{Protocol, ResponseLabel};

/// Quality flags of one response, with stable snake_case codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Flag {
    /// A flat top at the amplifier rail: the amplitude is underestimated.
    Clipped,
    /// The response is small against the baseline noise.
    LowSnr,
    /// The stimulus artifact had not settled before the response began.
    ArtifactOverlap,
    /// No response could be found.
    NoResponse,
    /// The trace looked inverted (positive first) and was measured flipped.
    PolarityInverted,
    /// The baseline wanders (hum, movement, drift) against the response.
    BaselineUnstable,
    /// The negative peak lies at the end of the sweep: the CMAP runs on
    /// past it, so its amplitude and area are underestimated (lengthen the
    /// sweep).
    PeakAtSweepEnd,
    /// The response starts sooner after the stimulus than any CMAP can
    /// (`measure.min_onset_ms`): the stimulus time is wrong (in a recording
    /// without a stimulus artifact the CMAP itself was taken for it) or the
    /// trace holds no CMAP.
    EarlyOnset,
    /// A person excluded the response by hand (its markers file, with the
    /// reason, who and when: `docs/markers.md`): it keeps its number and
    /// has no amplitude, and a measure that needs it is not done.
    Excluded,
    /// A mark set by hand that the trace does not bear out
    /// (`docs/markers.md`): it leaves no response, the trace falls lower
    /// than a negative peak set by hand between the onset and the end, the
    /// end comes before the peak, or a baseline window set by hand lies on
    /// the negative phase. The measures follow the marks and are
    /// unreliable.
    MarkImplausible,
}

impl Flag {
    /// Flags that make a measured value unreliable for interpretation.
    pub fn is_disqualifying(self) -> bool {
        matches!(
            self,
            Flag::Clipped
                | Flag::NoResponse
                | Flag::LowSnr
                | Flag::ArtifactOverlap
                | Flag::PeakAtSweepEnd
                | Flag::EarlyOnset
                | Flag::Excluded
                | Flag::MarkImplausible
        )
    }
}

/// Flags of a whole train, set where the train is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrainFlag {
    /// Amplitudes that jump up and down, as movement and technical
    /// artifacts make them (a rise then a fall, twice or more): the train's
    /// decrement or increment is unreliable.
    IrregularTrain,
    /// The area decrement and the amplitude decrement disagree by more
    /// than `train.area_disagreement_pp`: a fall of amplitude without the
    /// same fall of area (or the reverse) is a change of shape, which
    /// technique makes (a moving electrode, phase cancellation), not a
    /// failure of transmission.
    AreaDisagrees,
    /// The baseline moves one way through a low-rate train by more than
    /// `train.drift_pct` of the first CMAP: the limb or an electrode moved.
    BaselineDrift,
    /// The amplitude rises steadily through a low-rate train: no disorder
    /// of transmission does that at 2-5 Hz; a limb warming to the stimulus
    /// or moving does.
    AmplitudeDrift,
}

/// The measures of one response. `None` where the response did not allow a
/// measure (no response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseMeasures {
    /// Response label.
    pub label: ResponseLabel,
    /// Takeoff from baseline, ms after the stimulus.
    pub onset_ms: Option<f64>,
    /// Time of the negative peak, ms after the stimulus.
    pub negative_peak_ms: Option<f64>,
    /// Baseline to negative peak (mV, positive).
    pub amplitude_mv: Option<f64>,
    /// Negative peak to the following positive peak (mV).
    pub peak_to_peak_mv: Option<f64>,
    /// Area of the negative phase (mV·ms, positive).
    pub area_mv_ms: Option<f64>,
    /// Duration of the negative phase (ms).
    pub duration_ms: Option<f64>,
    /// Quality flags.
    pub flags: Vec<Flag>,
    /// Baseline noise SD (mV).
    pub noise_mv: f64,
    /// Where the stimulus artifact ended (ms after the stimulus).
    pub artifact_end_ms: f64,
    /// The baseline level removed (mV, as recorded, after a declared
    /// inversion).
    pub baseline_mv: f64,
    /// Where the baseline came from.
    pub baseline_source: BaselineSource,
    /// The window the baseline was taken from (ms after the stimulus, start
    /// and end).
    pub baseline_window_ms: [f64; 2],
    /// Linear drift removed with the baseline (mV per ms, pivoting on the
    /// middle of `baseline_window_ms`): the baseline under sample time `t`
    /// is `baseline_mv + drift_mv_per_ms * (t - pivot)`.
    pub drift_mv_per_ms: f64,
    /// What a person changed by hand (markers file): the automatic values
    /// replaced, the marks set or the exclusion, who and when; absent when
    /// nothing was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<super::ManualMarks>,
}

impl ResponseMeasures {
    /// The baseline under `t_ms` (mV, as recorded after a declared
    /// inversion): the level plus the drift from the window's middle.
    pub fn baseline_at(&self, t_ms: f64) -> f64 {
        let pivot = 0.5 * (self.baseline_window_ms[0] + self.baseline_window_ms[1]);
        self.baseline_mv + self.drift_mv_per_ms * (t_ms - pivot)
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}

/// Where the baseline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BaselineSource {
    /// The median of the pre-stimulus samples.
    PreStimulus,
    /// The quiet stretch after the artifact, just before the response.
    PostArtifact,
    /// The level an artifact's tail, fitted as an exponential, decays to
    /// (the tail is removed from the response).
    TailFit,
    /// The window a person set by hand (a markers file): the median of the
    /// trace there, the automatic drift and tail corrections kept.
    Manual,
}

/// Shape of a train's amplitudes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrainShape {
    /// Every response within `flat_pct` of the first.
    Flat,
    /// A fall to a nadir by about the 4th-5th response, then levelling or
    /// partial recovery: the myasthenic pattern.
    UShaped,
    /// Still falling at the end of the train.
    Progressive,
    /// Rising (facilitation or pseudo-facilitation).
    Incrementing,
}

/// One post-exercise time point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostExercisePoint {
    /// The response label (`post`, `post_30s`).
    pub label: ResponseLabel,
    /// Seconds after the end of exercise, when the label says.
    pub time_s: Option<f64>,
    /// Amplitude (mV).
    pub amplitude_mv: Option<f64>,
    /// Change from the pre-exercise amplitude (%).
    pub change_pct: Option<f64>,
}

/// Everything measured on one test. Keys that do not apply to the protocol
/// are `None` (JSON `null`), never missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestMeasures {
    /// The file name.
    pub file: String,
    /// How the responses were read from a multi-channel or continuous file
    /// (EDF, BDF, LabChart, Spike2, continuous CSV); absent for a file of
    /// input contract v1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TestSource>,
    /// The protocol.
    pub protocol: Protocol,
    /// Whether the protocol was inferred rather than declared.
    pub protocol_inferred: bool,
    /// Stimulation rate.
    pub stim_rate_hz: Option<f64>,
    /// Exercise duration.
    pub exercise_s: Option<f64>,
    /// Muscle.
    pub muscle: Option<String>,
    /// Nerve.
    pub nerve: Option<String>,
    /// Side.
    pub side: Option<String>,
    /// Limb temperature, when recorded.
    pub temperature_c: Option<f64>,
    /// The stimulus, the train's place in a protocol and the medication.
    #[serde(default)]
    pub record: super::TestRecord,
    /// Sampling rate.
    pub sampling_rate_hz: f64,
    /// Per-response measures, in the order the test is read (the
    /// pre-exercise response first).
    pub responses: Vec<ResponseMeasures>,
    /// Each response's amplitude change from the first (%, negative for a
    /// fall), in the order of `responses`.
    pub change_pct: Vec<Option<f64>>,
    /// (A1 - Ak) / A1 x 100 (`rns`), k = `train.decrement_response` (the
    /// decrement the conclusion uses).
    pub decrement_pct: Option<f64>,
    /// The response (1-based) `decrement_pct` and `area_decrement_pct` were
    /// read to when it is not `train.decrement_response`: the 5th when the
    /// 4th was excluded by hand and the 5th was not (AAEM 2001 reads the
    /// decrement from the 1st to the 4th or 5th response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decrement_read_to: Option<usize>,
    /// The decrement and increment the automatic markers give, when marks
    /// set by hand (a markers file) are applied: both readings are shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<super::AutomaticReading>,
    /// (A1 - A4) / A1 x 100 (`rns`), whatever the setting: labs report both.
    pub decrement_4th_pct: Option<f64>,
    /// (A1 - A5) / A1 x 100 (`rns`).
    pub decrement_5th_pct: Option<f64>,
    /// (A1 - min(A2..A5)) / A1 x 100 (`rns`).
    pub max_decrement_pct: Option<f64>,
    /// Decrement on negative-phase areas (`rns`).
    pub area_decrement_pct: Option<f64>,
    /// Shape of the train (`rns`, `hfrns`).
    pub shape: Option<TrainShape>,
    /// (max A - A1) / A1 x 100 (`hfrns`); (max post - pre) / pre x 100
    /// (`exercise`); for the first low-rate train after exercise in a
    /// post-exercise series, its first CMAP against the first CMAP at rest
    /// (`increment_reference` names that train).
    pub increment_pct: Option<f64>,
    /// The resting train whose first CMAP a post-exercise train's
    /// `increment_pct` is measured against (`rns` in a series only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment_reference: Option<String>,
    /// Last against first (`hfrns`).
    pub last_increment_pct: Option<f64>,
    /// Increment on areas (`hfrns`, `exercise`).
    pub area_increment_pct: Option<f64>,
    /// Amplitude rises but area does not (`hfrns`, `exercise`).
    pub pseudofacilitation: Option<bool>,
    /// Each post-exercise time point (`exercise`).
    pub post_exercise: Option<Vec<PostExercisePoint>>,
    /// Index of the response that carries the increment, or the nadir of a
    /// decrement (0-based).
    pub deciding_response: Option<usize>,
    /// Flags of the responses the protocol measures use.
    pub flags: Vec<Flag>,
    /// Flags of the train as a whole.
    pub train_flags: Vec<TrainFlag>,
    /// Whether the test can be relied on, and how each of its answers
    /// stands: judged once by `interpret` from everything above and the
    /// study's other tests; every rule reads it.
    #[serde(default)]
    pub validity: super::Validity,
}

impl TestMeasures {
    /// Whether a flag is set on a response the test's measures use.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }

    /// Whether a train flag is set.
    pub fn has_train_flag(&self, flag: TrainFlag) -> bool {
        self.train_flags.contains(&flag)
    }

    /// The codes of the train's flags, then of its responses' flags.
    pub fn flag_codes(&self) -> Vec<String> {
        self.train_flags
            .iter()
            .map(|f| f.code())
            .chain(self.flags.iter().map(|f| f.code()))
            .collect()
    }

    /// The first (or pre-exercise) amplitude.
    pub fn first_amplitude_mv(&self) -> Option<f64> {
        self.responses.first().and_then(|r| r.amplitude_mv)
    }
}

/// How a test's responses were read from a multi-channel or continuous
/// file: the format, the channel and where the stimuli came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSource {
    /// The file format.
    pub format: crate::model::InputFormat,
    /// The channel measured.
    pub channel: Option<String>,
    /// Where the stimulus times came from.
    pub stimuli: Option<crate::model::StimulusSource>,
    /// The stimuli the sweeps were cut at (ms from the start of the
    /// recording).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stimulus_times_ms: Vec<f64>,
    /// What the reader tolerated in the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl TestSource {
    /// The source of a recording read from anything but a contract-v1 CSV.
    pub fn of(source: &crate::model::SourceInfo) -> Option<TestSource> {
        if source.layout != crate::model::Layout::Continuous && source.warnings.is_empty() {
            return None;
        }
        Some(TestSource {
            format: source.format,
            channel: source.channel.clone(),
            stimuli: source.stimuli.as_ref().map(|s| s.source),
            stimulus_times_ms: source
                .stimuli
                .as_ref()
                .map(|s| s.times_ms.iter().map(|t| (t * 1e3).round() / 1e3).collect())
                .unwrap_or_default(),
            warnings: source.warnings.clone(),
        })
    }
}
