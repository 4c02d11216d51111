//! How a file was read, for `nmjscope inspect`: layout, units, sampling,
//! protocol and where it came from, labels and metadata.

use crate::io::ReadOptions;
use crate::model::{is_identifying, Protocol};

/// What `nmjscope inspect` shows about one file: how it was read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    /// The file.
    pub file: String,
    /// The file format.
    pub format: crate::model::InputFormat,
    /// Wide, long or continuous.
    pub layout: crate::model::Layout,
    /// The delimiter (text formats).
    pub delimiter: Option<crate::model::Delimiter>,
    /// Whether a decimal comma was accepted.
    pub decimal_comma: bool,
    /// Unit of the values as written.
    pub units: crate::model::VoltUnit,
    /// Whether the time column was in seconds.
    pub time_in_seconds: bool,
    /// The channel the responses were read from (multi-channel files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Every channel of a multi-channel file, numbered from 1 and described.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// The stimuli a continuous recording was cut at, and how they were
    /// found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stimuli: Option<crate::model::Stimuli>,
    /// What the reader tolerated, each with where.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Sampling rate.
    pub sampling_rate_hz: f64,
    /// Pre-stimulus span.
    pub pre_stimulus_ms: f64,
    /// Sweep length.
    pub sweep_ms: f64,
    /// Samples per response.
    pub samples_per_response: usize,
    /// The protocol.
    pub protocol: Protocol,
    /// Whether it was inferred.
    pub protocol_inferred: bool,
    /// Where it came from.
    pub protocol_source: crate::model::ProtocolSource,
    /// Declared polarity.
    pub polarity: crate::model::Polarity,
    /// Response labels.
    pub responses: Vec<crate::model::ResponseLabel>,
    /// The metadata, without the identifying keys
    /// ([`crate::model::is_identifying`], with the lab's own keys).
    pub metadata: std::collections::BTreeMap<String, String>,
    /// Identifying keys the file holds, whose values are withheld.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
}

/// Describes how a recording was read with `options` (whose
/// `identifying_keys` are withheld as the built-in ones are).
pub fn inspect(recording: &crate::model::Recording, options: &ReadOptions) -> Inspection {
    let identifying = |k: &str| is_identifying(k, &options.identifying_keys);
    let round = |v: f64| (v * 1e6).round() / 1e6;
    Inspection {
        file: recording.source.path.display().to_string(),
        format: recording.source.format,
        layout: recording.source.layout,
        delimiter: recording.source.delimiter,
        decimal_comma: recording.source.decimal_comma,
        units: recording.source.units,
        time_in_seconds: recording.source.time_in_seconds,
        channel: recording.source.channel.clone(),
        channels: recording.source.channels.clone(),
        stimuli: recording.source.stimuli.clone(),
        warnings: recording.source.warnings.clone(),
        sampling_rate_hz: round(recording.sampling_rate_hz),
        pre_stimulus_ms: round(recording.pre_stimulus_ms()),
        sweep_ms: round(recording.sweep_ms()),
        samples_per_response: recording.sweep_len(),
        protocol: recording.protocol,
        protocol_inferred: recording.protocol_source == crate::model::ProtocolSource::Inferred,
        protocol_source: recording.protocol_source,
        polarity: recording.polarity,
        responses: recording.labels.clone(),
        metadata: recording
            .metadata
            .iter()
            .filter(|(k, _)| !identifying(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        withheld: recording
            .metadata
            .keys()
            .filter(|k| identifying(k))
            .cloned()
            .collect(),
    }
}
