//! What a multi-channel file holds, whether or not it can be cut: every
//! channel and whether it could be measured (and why not), and what each
//! stimulus source finds. `nmjscope inspect` shows it, also when reading
//! fails. The verdicts are those of the checks the reader itself runs.

use std::path::Path;

use serde::Serialize;

use super::channel::{channel_unit, check_values, choose_channel, names_stimulus, waveform};
use super::sources::{source_inputs, source_order, try_source};
use crate::io::options::ReadOptions;
use crate::io::read::assemble::Meta;
use crate::io::read::signals::{Channel, ChannelData, SignalFile};
use crate::model::{InputFormat, StimulusSource};

/// Whether a channel can be measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "use", content = "why", rename_all = "snake_case")]
pub enum ChannelUse {
    /// The channel a test would be read from.
    Measured,
    /// A recorded voltage that passes every check, not chosen (another
    /// comes first; `--channel` picks it).
    Usable,
    /// Named as a trigger or stimulus channel: a stimulus source.
    Trigger,
    /// Event times (markers), not a voltage: a stimulus source.
    Events,
    /// Cannot be measured, and why (the reader's own message).
    Unusable(String),
}

/// One channel: what it holds and whether it can be measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelSurvey {
    /// Its number, from 1 (as `--channel` takes it).
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its unit, as the file gives it (empty when none).
    pub unit: String,
    /// Its sampling rate (waveforms).
    pub sampling_rate_hz: Option<f64>,
    /// Samples (waveforms) or events (markers).
    pub count: usize,
    /// Seconds from its first to its last sample or event.
    pub span_s: f64,
    /// Whether it can be measured.
    #[serde(flatten)]
    pub usable: ChannelUse,
}

/// What one stimulus source finds on the measured channel's file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSurvey {
    /// The source.
    pub source: StimulusSource,
    /// How it is named in messages.
    pub described: &'static str,
    /// Stimuli found (0 when none).
    pub stimuli: usize,
    /// Whether the source could be tried: the rate needs a rate and a
    /// first stimulus time.
    pub tried: bool,
}

/// What a multi-channel file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    /// The file's format.
    pub format: InputFormat,
    /// Every channel.
    pub channels: Vec<ChannelSurvey>,
    /// Why no channel is measured, when none is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_channel: Option<String>,
    /// Each source tried, in the order the reader tries them (empty when
    /// no channel can be measured).
    pub sources: Vec<SourceSurvey>,
    /// Why the sources could not be tried (a rate out of range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources_error: Option<String>,
}

/// Surveys a multi-channel file: every channel's verdict, the channel the
/// reader would measure, and what each stimulus source finds there.
pub(crate) fn survey(
    path: &Path,
    file: &SignalFile,
    mut meta: Meta,
    options: &ReadOptions,
) -> Survey {
    super::take_metadata_annotations(file, &mut meta);
    let chosen = choose_channel(path, file, options);
    let mut channels: Vec<ChannelSurvey> = file
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| describe_channel(path, i, c, options))
        .collect();
    let (mut sources, mut sources_error, mut no_channel) = (Vec::new(), None, None);
    match chosen {
        Ok(i) => {
            channels[i].usable = ChannelUse::Measured;
            match source_inputs(path, file, i, &meta, options) {
                Ok(inputs) => {
                    sources = source_order(file)
                        .iter()
                        .map(|&s| SourceSurvey {
                            source: s,
                            described: s.describe(),
                            stimuli: try_source(s, file, i, &inputs).map_or(0, |f| f.times_s.len()),
                            tried: s != StimulusSource::Rate || inputs.has_rate(),
                        })
                        .collect();
                }
                Err(e) => sources_error = Some(e.detail()),
            }
        }
        Err(e) => no_channel = Some(e.detail()),
    }
    Survey {
        format: file.format,
        channels,
        no_channel,
        sources,
        sources_error,
    }
}

/// One channel and the reader's verdict on it.
fn describe_channel(path: &Path, i: usize, c: &Channel, options: &ReadOptions) -> ChannelSurvey {
    let (sampling_rate_hz, count, span_s) = match &c.data {
        ChannelData::Waveform {
            sampling_rate_hz,
            segments,
        } => {
            let n: usize = segments.iter().map(|s| s.samples.len()).sum();
            let span = match (segments.first(), segments.last()) {
                (Some(a), Some(b)) => {
                    b.start_s + b.samples.len() as f64 / sampling_rate_hz - a.start_s
                }
                _ => 0.0,
            };
            (Some(*sampling_rate_hz), n, span)
        }
        ChannelData::Events { times_s } => (
            None,
            times_s.len(),
            times_s
                .last()
                .zip(times_s.first())
                .map_or(0.0, |(b, a)| b - a),
        ),
    };
    let usable = if !c.is_waveform() {
        ChannelUse::Events
    } else if names_stimulus(&c.name) {
        ChannelUse::Trigger
    } else {
        measurable(path, c, options).map_or(ChannelUse::Usable, ChannelUse::Unusable)
    };
    ChannelSurvey {
        number: i + 1,
        name: c.name.clone(),
        unit: c.unit.clone(),
        sampling_rate_hz,
        count,
        span_s,
        usable,
    }
}

/// Why a waveform channel cannot be measured (the checks the measured
/// channel must pass, each with its message), or `None`.
pub(super) fn measurable(path: &Path, c: &Channel, options: &ReadOptions) -> Option<String> {
    let (fs, segments) = match waveform(path, c) {
        Ok(w) => w,
        Err(e) => return Some(e.detail()),
    };
    let units = match channel_unit(path, c, options) {
        Ok(u) => u,
        Err(e) => return Some(e.detail()),
    };
    check_values(path, c, segments, fs, units.to_mv())
        .err()
        .map(|e| e.detail())
}
