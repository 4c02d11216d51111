//! The sweep window and the sweeps cut from the segments.

use std::path::Path;

use ndarray::Array2;

use crate::io::read::signals::Segment;

use super::checks::median_interval_s;
use super::sources::Found;
use crate::error::{show, Error, Location, Result};
use crate::io::options::ContinuousOptions;
use crate::model::StimulusSource;

/// Longest pre-stimulus span cut by default (ms): the contract's sweeps
/// start 5 ms before the stimulus.
pub(super) const DEFAULT_PRE_MS: f64 = 5.0;

/// Longest sweep cut by default (ms): 40 ms after the stimulus holds the
/// CMAP of any limb muscle.
pub(super) const DEFAULT_SWEEP_MS: f64 = 45.0;

/// The least a triggered block must hold after its trigger (ms): a limb
/// CMAP lasts 10 ms or more from the stimulus.
pub(super) const MIN_BLOCK_AFTER_MS: f64 = 10.0;

/// At high rates the pre-stimulus span is this fraction of the interval
/// (2 ms at 50 Hz), so the previous response has ended.
pub(super) const PRE_FRACTION_OF_INTERVAL: f64 = 0.1;

/// The pre-stimulus span and sweep length (ms): as asked, else 5 ms and
/// 45 ms, shortened to fit between the stimuli of a fast train.
pub(super) fn window(
    path: &Path,
    found: &Found,
    (segments, fs): (&[Segment], f64),
    co: &ContinuousOptions,
) -> Result<(f64, f64)> {
    let times = &found.times_s;
    let interval_ms = median_interval_s(times).min(min_interval_s(times)) * 1e3;
    // (before, after) each stimulus in its segment, ms: the least of each.
    let room = |t: f64| {
        segments
            .iter()
            .find(|s| t >= s.start_s && t < s.start_s + s.samples.len() as f64 / fs)
            .map(|s| {
                let end_s = s.start_s + s.samples.len() as f64 / fs;
                ((t - s.start_s) * 1e3, (end_s - t) * 1e3)
            })
    };
    let (before_ms, after_ms) = times
        .iter()
        .filter_map(|t| room(*t))
        .fold((f64::INFINITY, f64::INFINITY), |(b, a), (rb, ra)| {
            (b.min(rb), a.min(ra))
        });
    // A recording that starts less than 5 ms before its first stimulus
    // (LabChart and CFWB blocks often start at the trigger) keeps what it
    // has: every sweep gets the same, shorter, pre-stimulus span.
    let pre = co.pre_stimulus_ms.unwrap_or_else(|| {
        DEFAULT_PRE_MS
            .min(PRE_FRACTION_OF_INTERVAL * interval_ms)
            .min(before_ms)
            .max(0.0)
    });
    // A triggered block is one sweep: the sweep is what every block holds
    // after its trigger (a continuous recording instead leaves out a last
    // stimulus without room, and says so).
    let block_ms = if found.source == StimulusSource::Blocks {
        pre + after_ms
    } else {
        f64::INFINITY
    };
    if found.source == StimulusSource::Blocks && after_ms < MIN_BLOCK_AFTER_MS {
        return Err(Error::NoStimuli {
            at: Location::file(path),
            detail: format!(
                "a triggered block holds only {} ms after its trigger; a CMAP needs {MIN_BLOCK_AFTER_MS} ms or more, and every sweep would be cut as short: export the blocks whole, or leave that block out",
                show(after_ms)
            ),
        });
    }
    if let Some(sweep) = co.sweep_ms.filter(|s| *s > interval_ms + 1e-6) {
        return Err(Error::ReadOption {
            key: "sweep_ms",
            flag: "--sweep-ms",
            detail: format!(
                "{} ms is longer than the {} ms between this file's stimuli: each sweep would hold the next response",
                show(sweep),
                show(interval_ms)
            ),
        });
    }
    let sweep = co
        .sweep_ms
        .unwrap_or_else(|| DEFAULT_SWEEP_MS.min(interval_ms).min(block_ms));
    if pre >= sweep {
        return Err(Error::NoStimuli {
            at: Location::file(path),
            detail: format!(
                "a {} ms sweep with {} ms before the stimulus leaves nothing after it: lengthen --sweep-ms or shorten --pre-stimulus-ms",
                show(sweep),
                show(pre)
            ),
        });
    }
    Ok((pre, sweep))
}

pub(super) fn min_interval_s(times: &[f64]) -> f64 {
    times
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min)
}

/// The sweeps cut, in mV, and which stimuli gave them.
pub(super) struct Cutting {
    pub(super) samples: Array2<f64>,
    pub(super) used: Vec<usize>,
    pub(super) skipped: Vec<usize>,
}

pub(super) fn cut_sweeps(
    segments: &[Segment],
    fs: f64,
    to_mv: f64,
    times: &[f64],
    pre_ms: f64,
    sweep_ms: f64,
) -> Cutting {
    let n_pre = (pre_ms * fs / 1e3).round() as i64;
    let n = ((sweep_ms * fs / 1e3).round() as usize).max(1);
    let mut rows: Vec<&[f64]> = Vec::new();
    let (mut used, mut skipped) = (Vec::new(), Vec::new());
    for (k, &t) in times.iter().enumerate() {
        let fits = segments.iter().find_map(|seg| {
            let start = ((t - seg.start_s) * fs).round() as i64 - n_pre;
            let start = usize::try_from(start).ok()?;
            seg.samples.get(start..start.checked_add(n)?)
        });
        match fits {
            Some(rows_k) => {
                rows.push(rows_k);
                used.push(k);
            }
            None => skipped.push(k),
        }
    }
    let samples = Array2::from_shape_fn((rows.len(), n), |(i, j)| rows[i][j] * to_mv);
    Cutting {
        samples,
        used,
        skipped,
    }
}

/// Stimuli without room for a whole sweep: before a used one they would
/// misnumber a train (or lose the pre-exercise CMAP), and are refused;
/// after the last they are reported.
pub(super) fn check_cutting(
    path: &Path,
    found: &Found,
    cutting: &Cutting,
    (pre_ms, sweep_ms): (f64, f64),
    warnings: &mut Vec<String>,
) -> Result<()> {
    let last_used = cutting.used.last().copied();
    let early = cutting
        .skipped
        .iter()
        .find(|&&k| last_used.is_none_or(|u| k < u));
    if let Some(&k) = early {
        return Err(Error::NoStimuli {
            at: Location::file(path),
            detail: format!(
                "stimulus {} (at {} ms, from {}) leaves no room for a {} ms sweep with {} ms before it within the recording; the responses after it would be misnumbered. Shorten the sweep (--pre-stimulus-ms, --sweep-ms) or name the stimuli another way",
                k + 1,
                show(found.times_s[k] * 1e3),
                found.source.describe(),
                show(sweep_ms),
                show(pre_ms)
            ),
        });
    }
    if !cutting.skipped.is_empty() {
        warnings.push(format!(
            "{} stimuli at the end of the recording leave no room for a whole sweep; not used (at {})",
            cutting.skipped.len(),
            cutting
                .skipped
                .iter()
                .map(|&k| format!("{} ms", show(found.times_s[k] * 1e3)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}
