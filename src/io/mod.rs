//! Readers: input files into the [`Recording`](crate::Recording) model.
//!
//! One reader per format. Today there is one format, the CSV trace export of
//! *input contract v1* (see `docs/formats.md`): [`read_trace_file`] reads one
//! test, [`read_study`] a file or a directory of tests.

mod header;
mod trace_csv;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{Protocol, Study};

pub use header::post_time_s;
pub use trace_csv::{parse_trace, read_trace_file, MIN_SAMPLES};

/// What the caller may tell the reader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Protocol to use when a file has no `protocol` metadata key (the
    /// `--protocol` flag). Inference applies when this is `None` too.
    pub protocol: Option<Protocol>,
}

/// The CSV files of a directory, in name order.
pub fn study_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && path.is_file() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    if files.is_empty() {
        return Err(Error::EmptyStudy {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

/// Reads a study: a directory (each `*.csv` one test, in name order) or a
/// single file (a study of one test).
pub fn read_study(path: &Path, options: &ReadOptions) -> Result<Study> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let tests = if meta.is_dir() {
        study_files(path)?
            .iter()
            .map(|f| read_trace_file(f, options))
            .collect::<Result<Vec<_>>>()?
    } else {
        vec![read_trace_file(path, options)?]
    };
    let id = tests
        .iter()
        .find_map(|t| t.study_id.clone())
        .unwrap_or_else(|| default_study_id(path, meta.is_dir()));
    Ok(Study {
        id,
        path: path.to_path_buf(),
        tests,
    })
}

fn default_study_id(path: &Path, is_dir: bool) -> String {
    let name = if is_dir {
        path.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    } else {
        path.file_stem().map(|n| n.to_string_lossy().into_owned())
    };
    name.unwrap_or_else(|| "study".to_string())
}

/// What `nmjscope inspect` shows about one file: how it was read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    /// The file.
    pub file: String,
    /// Wide or long.
    pub layout: crate::model::Layout,
    /// The delimiter.
    pub delimiter: crate::model::Delimiter,
    /// Whether a decimal comma was accepted.
    pub decimal_comma: bool,
    /// Unit of the values as written.
    pub units: crate::model::VoltUnit,
    /// Whether the time column was in seconds.
    pub time_in_seconds: bool,
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
    pub responses: Vec<String>,
    /// All metadata.
    pub metadata: std::collections::BTreeMap<String, String>,
}

/// Describes how a recording was read.
pub fn inspect(recording: &crate::model::Recording) -> Inspection {
    let round = |v: f64| (v * 1e6).round() / 1e6;
    Inspection {
        file: recording.source.path.display().to_string(),
        layout: recording.source.layout,
        delimiter: recording.source.delimiter,
        decimal_comma: recording.source.decimal_comma,
        units: recording.source.units,
        time_in_seconds: recording.source.time_in_seconds,
        sampling_rate_hz: round(recording.sampling_rate_hz),
        pre_stimulus_ms: round(recording.pre_stimulus_ms()),
        sweep_ms: round(recording.sweep_ms()),
        samples_per_response: recording.sweep_len(),
        protocol: recording.protocol,
        protocol_inferred: recording.protocol_source == crate::model::ProtocolSource::Inferred,
        protocol_source: recording.protocol_source,
        polarity: recording.polarity,
        responses: recording.labels.clone(),
        metadata: recording.metadata.clone(),
    }
}
