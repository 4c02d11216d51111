//! A continuous CSV recording: a time column and one column per channel,
//! handed on as a [`SignalFile`] like every continuous format.

use std::path::Path;

use super::axis::{significant, time_axis, GRID_TOLERANCE};
use super::Parsed;
use crate::error::{Error, Location, Result};
use crate::io::read::signals::{Channel, ChannelData, Segment, SignalFile};
use crate::model::{InputFormat, Layout, ResponseLabel, VoltUnit};

/// A wide file whose columns name no response (`time_ms, EMG, trigger`)
/// is a continuous recording: one column per channel.
pub(super) fn is_continuous(parsed: &Parsed) -> bool {
    parsed.layout == Layout::Wide
        && parsed
            .labels
            .iter()
            .all(|l| matches!(l, ResponseLabel::Other(_)))
}

/// A continuous CSV recording's channels: its columns as written, each
/// with the unit its header (or `# units:`, or `--units`) gives, none when
/// nothing does; gaps in the time column split it into segments.
pub(super) fn continuous_csv(path: &Path, parsed: Parsed) -> Result<SignalFile> {
    let runs = gap_runs(&parsed.times);
    let mut starts_s = Vec::with_capacity(runs.len());
    let mut step_ms: Option<f64> = None;
    for run in &runs {
        let part = Parsed {
            times: parsed.times[run.clone()].to_vec(),
            labels: Vec::new(),
            columns: Vec::new(),
            stated: Vec::new(),
            ..parsed
        };
        let (t0_ms, dt_ms) = time_axis(path, &part, true)?;
        if let Some(first) = step_ms.filter(|f| (f - dt_ms).abs() > GRID_TOLERANCE * f) {
            let line = part.times.first().map_or(parsed.header_line, |t| t.0);
            return Err(Error::Implausible {
                at: Location::cell(path, line, 1),
                detail: format!(
                    "the samples from here on are {} ms apart, those before {} ms: a continuous recording has one sampling rate",
                    significant(dt_ms, 6),
                    significant(first, 6)
                ),
            });
        }
        step_ms.get_or_insert(dt_ms);
        starts_s.push(t0_ms / 1e3);
    }
    let sampling_rate_hz = 1000.0 / step_ms.unwrap_or(1.0);
    let channels = parsed
        .labels
        .into_iter()
        .zip(parsed.columns)
        .zip(parsed.stated)
        .map(|((label, samples), stated)| Channel {
            name: label.to_string(),
            // A column whose unit nothing gave has none, and is refused if
            // it is the one measured.
            unit: stated.map_or("", VoltUnit::symbol).to_string(),
            data: ChannelData::Waveform {
                sampling_rate_hz,
                segments: runs
                    .iter()
                    .zip(&starts_s)
                    .map(|(run, start_s)| Segment {
                        start_s: *start_s,
                        samples: samples[run.clone()].to_vec(),
                    })
                    .collect(),
            },
        })
        .collect();
    Ok(SignalFile {
        format: InputFormat::Csv,
        channels,
        annotations: Vec::new(),
        warnings: Vec::new(),
        blocks: None,
        events: None,
    })
}

/// A time step this many times the typical one is a gap: the recording
/// stopped and resumed (sweeps exported with their times).
pub(super) const GAP_STEPS: f64 = 1.5;

/// The runs of a continuous recording's rows between gaps in its time
/// column.
pub(super) fn gap_runs(times: &[(u64, f64)]) -> Vec<std::ops::Range<usize>> {
    let mut steps: Vec<f64> = times.windows(2).map(|w| w[1].1 - w[0].1).collect();
    steps.sort_by(f64::total_cmp);
    let Some(&median) = steps.get(steps.len() / 2) else {
        return std::iter::once(0..times.len()).collect();
    };
    let mut runs = Vec::new();
    let mut start = 0;
    for (i, w) in times.windows(2).enumerate() {
        if median > 0.0 && w[1].1 - w[0].1 > GAP_STEPS * median {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    runs.push(start..times.len());
    runs
}
