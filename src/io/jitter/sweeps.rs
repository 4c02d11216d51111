//! One pair's raw sweeps, read through the trace readers, and written
//! back as a trace CSV.

use std::path::Path;

use super::{parse_electrode, parse_method, side_in};
use crate::error::{Error, Location, Result};
use crate::model::{Electrode, JitterMethod};

/// One pair's raw sweeps from a trace file of any format nmjscope reads:
/// each sweep one discharge, its time zero the trigger potential
/// (voluntary) or the stimulus (stimulated). The file's metadata gives
/// `method` and `electrode` (required), `pair` (else the file's name),
/// `muscle` and `age`.
///
/// The trace readers check a train's protocol and rate; a jitter sweep
/// series is no train, so it is read as one at the rate it gives (low or
/// high), and only its sweeps are kept.
///
/// # Errors
///
/// The trace readers' errors; [`Error::BadMetadata`] for a missing or
/// unknown method or electrode.
pub fn parse_sweeps(
    path: &Path,
    bytes: &[u8],
    options: &crate::io::ReadOptions,
) -> Result<(crate::measure::jitter::JitterSweeps, Option<f64>)> {
    read_sweeps(path, bytes, options).map(|(sweeps, age, _)| (sweeps, age))
}

/// The sweeps, the age and the study identity of a sweeps file.
type SweepsRead = (
    crate::measure::jitter::JitterSweeps,
    Option<f64>,
    Vec<Option<String>>,
);

/// [`parse_sweeps`], with the file's study identity.
pub(super) fn read_sweeps(
    path: &Path,
    bytes: &[u8],
    options: &crate::io::ReadOptions,
) -> Result<SweepsRead> {
    let mut opts = options.clone();
    opts.protocol = Some(crate::model::Protocol::Rns);
    let recording = match crate::io::read::parse_trace(path, bytes, &opts) {
        Err(Error::BadMetadata { key, .. }) if key == "protocol" || key == "stim_rate_hz" => {
            opts.protocol = Some(crate::model::Protocol::Hfrns);
            crate::io::read::parse_trace(path, bytes, &opts)?
        }
        other => other?,
    };
    let meta = &recording.metadata;
    let need = |key: &str, expected: &str| Error::BadMetadata {
        at: Location::file(path),
        key: key.to_string(),
        detail: format!("a jitter sweeps file needs `# {key}: <{expected}>`"),
    };
    let method = meta
        .get("method")
        .ok_or_else(|| need("method", "voluntary|stimulated"))?;
    let method = parse_method(method).ok_or_else(|| need("method", "voluntary|stimulated"))?;
    let electrode = meta
        .get("electrode")
        .ok_or_else(|| need("electrode", "single_fibre|concentric"))?;
    let electrode =
        parse_electrode(electrode).ok_or_else(|| need("electrode", "single_fibre|concentric"))?;
    let age = meta
        .get("age")
        .and_then(|a| a.parse::<f64>().ok())
        .filter(|a| (0.0..=120.0).contains(a));
    let mut samples = recording.samples_mv.clone();
    if recording.polarity == crate::model::Polarity::Inverted {
        samples.mapv_inplace(|v| -v);
    }
    let id = meta.get("pair").cloned().unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    });
    Ok((
        crate::measure::jitter::JitterSweeps {
            id,
            side: recording
                .side
                .as_deref()
                .and_then(crate::model::canonical_side)
                .or_else(|| recording.muscle.as_deref().and_then(side_in)),
            muscle: recording.muscle.clone().unwrap_or_default(),
            method,
            electrode,
            sampling_rate_hz: recording.sampling_rate_hz,
            t0_ms: recording.t0_ms,
            samples_mv: samples,
        },
        age,
        crate::io::identity_of(meta),
    ))
}

/// What a sweeps file records about its pair.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepsHeader<'a> {
    /// The pair's name.
    pub pair: &'a str,
    /// The muscle.
    pub muscle: &'a str,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// The electrode.
    pub electrode: Electrode,
    /// Sampling rate (Hz).
    pub sampling_rate_hz: f64,
    /// Further `# key: value` lines (the generator, the truth's seed).
    pub extra: &'a [(&'a str, String)],
}

/// One pair's sweeps as a trace CSV (input contract v1, wide layout: a
/// `time_ms` column and one column per sweep, `r1`, `r2`, ...), which
/// [`parse_sweeps`] reads back.
pub fn sweeps_csv(h: &SweepsHeader, t0_ms: f64, samples_mv: &ndarray::Array2<f64>) -> Vec<u8> {
    let mut out = String::new();
    for (k, v) in h.extra {
        out.push_str(&format!("# {k}: {v}\n"));
    }
    out.push_str(&format!(
        "# muscle: {}\n# pair: {}\n# method: {}\n# electrode: {}\n# sampling_rate_hz: {}\n",
        h.muscle, h.pair, h.method, h.electrode, h.sampling_rate_hz
    ));
    out.push_str("time_ms");
    for i in 0..samples_mv.nrows() {
        out.push_str(&format!(",r{}", i + 1));
    }
    out.push('\n');
    let dt_ms = 1000.0 / h.sampling_rate_hz;
    for j in 0..samples_mv.ncols() {
        out.push_str(&format!("{:.4}", t0_ms + j as f64 * dt_ms));
        for v in samples_mv.column(j) {
            out.push_str(&format!(",{v:.4}"));
        }
        out.push('\n');
    }
    out.into_bytes()
}
