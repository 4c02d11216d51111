//! The in-memory recording model: what every reader produces and every later
//! stage consumes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::ResponseLabel;

/// Stimulation at or above this rate is high-rate (20-50 Hz trains look for
/// an increment); below it, low-rate (2-5 Hz trains look for a decrement).
/// The one place the cut-off lives.
pub const HIGH_RATE_MIN_HZ: f64 = 10.0;

/// The stimulation protocol of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Protocol {
    /// Low-rate repetitive nerve stimulation (2-5 Hz): decrement.
    Rns,
    /// High-rate repetitive nerve stimulation (10-50 Hz): increment.
    Hfrns,
    /// CMAP before and after maximal voluntary exercise: increment.
    Exercise,
}

impl Protocol {
    /// Every protocol, as a flag's possible values list them.
    pub const ALL: &'static [Protocol] = &[Protocol::Rns, Protocol::Hfrns, Protocol::Exercise];

    /// Whether a train at `rate_hz` can be this protocol: `rns` below
    /// [`HIGH_RATE_MIN_HZ`], `hfrns` at or above it (an exercise test has
    /// no train rate to disagree with).
    pub fn accepts_rate(self, rate_hz: f64) -> bool {
        match self {
            Protocol::Rns => rate_hz < HIGH_RATE_MIN_HZ,
            Protocol::Hfrns => rate_hz >= HIGH_RATE_MIN_HZ,
            _ => true,
        }
    }

    /// Parses `rns`, `hfrns` or `exercise`, ignoring case and surrounding
    /// space (as files write them).
    pub fn parse(text: &str) -> Option<Protocol> {
        text.trim().to_ascii_lowercase().parse().ok()
    }
}

/// Where the protocol of a test came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProtocolSource {
    /// The file's `protocol` metadata key.
    Metadata,
    /// The caller (the `--protocol` flag).
    Option,
    /// Inferred from the columns and the stimulation rate.
    Inferred,
}

/// Declared polarity of the traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Polarity {
    /// Negative values are the negative phase (the default).
    Normal,
    /// The amplifier inverted the signal: the reader's consumers flip it.
    Inverted,
}

impl Polarity {
    /// Every polarity, as a flag's possible values list them.
    pub const ALL: &'static [Polarity] = &[Polarity::Normal, Polarity::Inverted];
}

/// Column layout of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Layout {
    /// A time column followed by one column per response.
    Wide,
    /// A response-id column, a time column and a value column.
    Long,
    /// One continuous trace (or a few segments of one), cut into a sweep
    /// per stimulus: EDF, BDF, LabChart and Spike2 exports, and a CSV whose
    /// columns are channels rather than responses.
    Continuous,
}

/// Field delimiter of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Delimiter {
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// a tab
    Tab,
}

impl Delimiter {
    /// The delimiter byte.
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }
}

/// Voltage unit of the values in a file (everything is held in mV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VoltUnit {
    /// millivolts
    #[serde(rename = "mV")]
    Millivolt,
    /// microvolts
    #[serde(rename = "uV")]
    Microvolt,
    /// volts
    #[serde(rename = "V")]
    Volt,
}

impl VoltUnit {
    /// Every unit, as a flag's possible values list them.
    pub const ALL: &'static [VoltUnit] =
        &[VoltUnit::Millivolt, VoltUnit::Microvolt, VoltUnit::Volt];

    /// Parses `mV`, `uV`, `µV`, `μV` or `V` (case-insensitive).
    pub fn parse(text: &str) -> Option<VoltUnit> {
        match text.trim().to_lowercase().as_str() {
            "mv" => Some(VoltUnit::Millivolt),
            "uv" | "µv" | "μv" => Some(VoltUnit::Microvolt),
            "v" => Some(VoltUnit::Volt),
            _ => None,
        }
    }

    /// The unit as written: `mV`, `uV`, `V`.
    pub fn symbol(self) -> &'static str {
        match self {
            VoltUnit::Millivolt => "mV",
            VoltUnit::Microvolt => "uV",
            VoltUnit::Volt => "V",
        }
    }

    /// Factor that converts a value in this unit to mV.
    pub fn to_mv(self) -> f64 {
        match self {
            VoltUnit::Millivolt => 1.0,
            VoltUnit::Microvolt => 1e-3,
            VoltUnit::Volt => 1e3,
        }
    }
}

impl std::fmt::Display for VoltUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.symbol())
    }
}

impl std::str::FromStr for VoltUnit {
    type Err = crate::model::UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        VoltUnit::parse(text).ok_or_else(|| crate::model::UnknownCode {
            kind: "VoltUnit",
            code: text.to_string(),
        })
    }
}

/// The file formats nmjscope reads (`docs/formats.md`), detected from a
/// file's content or named with `--input-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InputFormat {
    /// CSV: input contract v1 (one column per response), or a continuous
    /// recording (one column per channel).
    Csv,
    /// European Data Format, EDF or EDF+ (continuous or discontinuous),
    /// 16-bit samples.
    Edf,
    /// BioSemi Data Format: EDF with 24-bit samples (BDF+ too).
    Bdf,
    /// ADInstruments LabChart text export (`Interval=`, `ChannelTitle=`
    /// header lines, tab-separated rows).
    Labchart,
    /// CED Spike2 text export (`"INFORMATION"`, `"SUMMARY"`, `"CHANNEL"`
    /// sections).
    Spike2,
    /// LabChart's binary export (CFWB, "Translate Binary").
    Cfwb,
}

impl InputFormat {
    /// Every format read, as a flag's possible values list them.
    pub const ALL: &'static [InputFormat] = &[
        InputFormat::Csv,
        InputFormat::Edf,
        InputFormat::Bdf,
        InputFormat::Labchart,
        InputFormat::Spike2,
        InputFormat::Cfwb,
    ];

    /// The format's name in messages: `EDF`, `LabChart text`.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Csv => "CSV",
            InputFormat::Edf => "EDF",
            InputFormat::Bdf => "BDF",
            InputFormat::Labchart => "LabChart text",
            InputFormat::Spike2 => "Spike2 text",
            InputFormat::Cfwb => "CFWB",
        }
    }
}

/// Where the stimulus times of a continuous recording came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StimulusSource {
    /// EDF+ annotations (or LabChart comments) naming the stimuli.
    Annotations,
    /// A marker or event channel (Spike2) holding the stimulus times.
    Markers,
    /// The rising edges of a trigger (TTL) channel.
    Trigger,
    /// The stimulation rate and the time of the first stimulus, as given.
    Rate,
    /// Detected from the stimulus artifacts of the recorded channel.
    Artifact,
    /// The time zero of each block of a triggered (scope-mode) recording:
    /// each block is one sweep, its time zero the stimulus that triggered
    /// it.
    Blocks,
    /// A BIDS dataset's `_events.tsv` (`docs/bids.md`): read in place of
    /// the file's annotations, so never a `--stimuli` choice.
    Events,
}

impl StimulusSource {
    /// Every source, as a flag's possible values list them.
    pub const ALL: &'static [StimulusSource] = &[
        StimulusSource::Annotations,
        StimulusSource::Markers,
        StimulusSource::Trigger,
        StimulusSource::Rate,
        StimulusSource::Blocks,
        StimulusSource::Artifact,
    ];

    /// How the source is named in messages and reports ("found from ...").
    pub fn describe(self) -> &'static str {
        match self {
            StimulusSource::Annotations => "the file's stimulus annotations",
            StimulusSource::Markers => "a marker channel",
            StimulusSource::Trigger => "a trigger channel",
            StimulusSource::Rate => "the stimulation rate and first stimulus time",
            StimulusSource::Artifact => "the stimulus artifacts",
            StimulusSource::Blocks => "the triggered blocks' time zeros (a sweep each)",
            StimulusSource::Events => "the dataset's _events.tsv",
        }
    }
}

/// A continuous recording's stimuli: when they were and how that was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stimuli {
    /// How the times were found.
    pub source: StimulusSource,
    /// Each stimulus that starts a sweep, from the start of the recording.
    pub times_ms: Vec<f64>,
    /// Stimuli found but not used (too close to the start, the end or a gap
    /// of the recording for a whole sweep).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_ms: Vec<f64>,
    /// The pre-stimulus span of each sweep cut.
    pub pre_stimulus_ms: f64,
    /// The length of each sweep cut.
    pub sweep_ms: f64,
}

/// How a file was written: what `inspect` shows besides the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Path as given.
    pub path: PathBuf,
    /// The file name (no directory).
    pub file_name: String,
    /// The file format.
    pub format: InputFormat,
    /// Wide, long or continuous layout.
    pub layout: Layout,
    /// The field delimiter (text formats).
    pub delimiter: Option<Delimiter>,
    /// Whether values used a decimal comma.
    pub decimal_comma: bool,
    /// Unit of the values as written (before conversion to mV). When columns
    /// differ, the unit of the first response column.
    pub units: VoltUnit,
    /// Whether the time column was in seconds (else milliseconds).
    pub time_in_seconds: bool,
    /// The channel the responses were read from, in a multi-channel file.
    pub channel: Option<String>,
    /// Every channel the file holds, described (`"EMG" (mV, 10000 Hz)`).
    pub channels: Vec<String>,
    /// The stimuli a continuous recording was cut at.
    pub stimuli: Option<Stimuli>,
    /// What the reader tolerated in the file (`docs/formats.md`), each
    /// a sentence naming where.
    pub warnings: Vec<String>,
    /// The metadata keys of this file that identify a patient
    /// ([`crate::model::is_identifying`], with the lab's own keys the
    /// reader was given): their values appear in no output unless an
    /// identified report is asked for, even where a key is one the report
    /// shows (a lab that holds `side` or `date` identifying).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
}

impl SourceInfo {
    /// A CSV file of input contract v1, as the simulator writes it.
    pub fn contract_csv(path: &std::path::Path, layout: Layout) -> SourceInfo {
        SourceInfo {
            path: path.to_path_buf(),
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            format: InputFormat::Csv,
            layout,
            delimiter: Some(Delimiter::Comma),
            decimal_comma: false,
            units: VoltUnit::Millivolt,
            time_in_seconds: false,
            channel: None,
            channels: Vec::new(),
            stimuli: None,
            warnings: Vec::new(),
            withheld: Vec::new(),
        }
    }
}

/// One test: a train of responses (or a pre/post exercise series) from one
/// file, all sampled on one time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// How the file was written.
    pub source: SourceInfo,
    /// Sampling rate.
    pub sampling_rate_hz: f64,
    /// Time of the first sample relative to the stimulus (negative when a
    /// pre-stimulus baseline was recorded).
    pub t0_ms: f64,
    /// Response labels (`r1`.., `pre`, `post`, `post_30s`), in file order.
    pub labels: Vec<ResponseLabel>,
    /// Samples in mV, one row per response, as recorded (not flipped for
    /// `polarity: inverted`).
    pub samples_mv: Array2<f64>,
    /// The protocol.
    pub protocol: Protocol,
    /// Where the protocol came from.
    pub protocol_source: ProtocolSource,
    /// Stimulation rate, when given.
    pub stim_rate_hz: Option<f64>,
    /// Duration of the voluntary exercise, when given.
    pub exercise_s: Option<f64>,
    /// Limb temperature, when given.
    pub temperature_c: Option<f64>,
    /// Declared polarity.
    pub polarity: Polarity,
    /// Muscle, when given (as written).
    pub muscle: Option<String>,
    /// Nerve, when given.
    pub nerve: Option<String>,
    /// Side, when given.
    pub side: Option<String>,
    /// Study identifier, when given.
    pub study_id: Option<String>,
    /// The stimulus, the train's place in a protocol and the medication,
    /// as far as the file says.
    pub record: super::TestRecord,
    /// All metadata keys (normalised: lower case, `_` for `-` and space) and
    /// values, known and unknown.
    pub metadata: BTreeMap<String, String>,
    /// Markers set by hand (the test's `<file>.markers.toml`, checked
    /// against it), when there are any.
    pub markers: Option<super::Markers>,
}

impl Recording {
    /// Sampling interval.
    pub fn dt_ms(&self) -> f64 {
        1000.0 / self.sampling_rate_hz
    }

    /// Number of samples per response.
    pub fn sweep_len(&self) -> usize {
        self.samples_mv.ncols()
    }

    /// Number of responses.
    pub fn n_responses(&self) -> usize {
        self.samples_mv.nrows()
    }

    /// One response's samples.
    pub fn trace(&self, index: usize) -> ArrayView1<'_, f64> {
        self.samples_mv.row(index)
    }

    /// Time of sample `i` relative to the stimulus.
    pub fn time_ms(&self, i: usize) -> f64 {
        self.t0_ms + i as f64 * self.dt_ms()
    }

    /// Span of the pre-stimulus baseline (0 when the sweep starts at or after
    /// the stimulus).
    pub fn pre_stimulus_ms(&self) -> f64 {
        (-self.t0_ms).max(0.0)
    }

    /// Duration of the sweep.
    pub fn sweep_ms(&self) -> f64 {
        self.sweep_len() as f64 * self.dt_ms()
    }
}

/// A study: the tests of one patient session (a directory, or one file).
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// Identifier: the `study_id` metadata key, else the directory or file
    /// stem.
    pub id: String,
    /// Path as given.
    pub path: PathBuf,
    /// The tests, in file-name order.
    pub tests: Vec<Recording>,
    /// The jitter files of the study folder (interval lists, pairs'
    /// sweeps: `docs/jitter.md`), read, when it has any.
    pub jitter: Option<super::JitterInput>,
}
