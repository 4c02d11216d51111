//! A multi-channel file as it was recorded, before it is cut into sweeps:
//! what the EDF, BDF, LabChart and Spike2 readers (and a continuous CSV)
//! produce, and what [`super::continuous`] cuts at the stimuli.

use serde::Serialize;

use crate::model::InputFormat;

/// A recording as a file holds it: its channels and annotations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalFile {
    /// The format it was read as.
    pub format: InputFormat,
    /// The channels, in file order (`--channel 1` is the first).
    pub channels: Vec<Channel>,
    /// Timed notes: EDF+ annotations, LabChart comments.
    pub annotations: Vec<Annotation>,
    /// A BIDS dataset's events (`_events.tsv`): the stimuli in place of
    /// the file's own marks; `None` for a file read alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Annotation>>,
    /// What the reader tolerated, each a sentence naming where.
    pub warnings: Vec<String>,
    /// A triggered (scope-mode) recording's blocks, when the file is laid
    /// out as one: `None` for a continuous recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<TriggeredBlocks>,
}

/// The blocks of a triggered recording: each block one sweep, its time
/// zero the stimulus that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriggeredBlocks {
    /// Each block's time zero, in seconds from the start of the recording.
    pub zeros_s: Vec<f64>,
    /// Whether the blocks hold a pre-trigger span (their times start below
    /// zero): then time zero is the trigger beyond doubt. Blocks that
    /// start at zero may also be stretches with the stimulus inside, and
    /// their zeros come after any stimulus the file marks.
    pub pre_trigger: bool,
}

/// One channel of a [`SignalFile`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    /// Its name (label, title), trimmed.
    pub name: String,
    /// Its unit as written (`mV`, `uV`, `V`, or anything).
    pub unit: String,
    /// Samples or event times.
    pub data: ChannelData,
}

/// What a channel holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelData {
    /// Sampled values, in the channel's unit, in one or more segments
    /// (EDF+D records, LabChart blocks).
    Waveform {
        /// Sampling rate.
        sampling_rate_hz: f64,
        /// The segments, in time order.
        segments: Vec<Segment>,
    },
    /// Event times (a Spike2 marker or event channel).
    Events {
        /// Each event, in seconds from the start of the recording.
        times_s: Vec<f64>,
    },
}

/// Contiguous samples starting at a known time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Time of the first sample, in seconds from the start of the
    /// recording.
    pub start_s: f64,
    /// The values, in the channel's unit.
    pub samples: Vec<f64>,
}

/// A timed note in a recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annotation {
    /// Onset in seconds from the start of the recording.
    pub onset_s: f64,
    /// The text.
    pub text: String,
}

impl Channel {
    /// Whether the channel holds sampled values.
    pub fn is_waveform(&self) -> bool {
        matches!(self.data, ChannelData::Waveform { .. })
    }

    /// The sampling rate and segments of a waveform channel.
    pub fn waveform(&self) -> Option<(f64, &[Segment])> {
        match &self.data {
            ChannelData::Waveform {
                sampling_rate_hz,
                segments,
            } => Some((*sampling_rate_hz, segments)),
            ChannelData::Events { .. } => None,
        }
    }

    /// A short description for messages: `"EMG" (mV, 20000 Hz)`.
    pub fn describe(&self) -> String {
        match &self.data {
            ChannelData::Waveform {
                sampling_rate_hz, ..
            } => format!(
                "{:?} ({}, {} Hz)",
                self.name,
                if self.unit.is_empty() {
                    "no unit"
                } else {
                    &self.unit
                },
                crate::error::show(*sampling_rate_hz)
            ),
            ChannelData::Events { times_s } => {
                format!("{:?} ({} events)", self.name, times_s.len())
            }
        }
    }
}

impl SignalFile {
    /// The channels, described, for messages: `1 "EMG" (mV, 20000 Hz), 2 ...`.
    pub fn list_channels(&self) -> String {
        if self.channels.is_empty() {
            return "no signal channels".to_string();
        }
        self.channels
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {}", i + 1, c.describe()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
