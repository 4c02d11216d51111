//! The measured channel: which one, its unit, its segments and values.

use std::path::Path;

use crate::error::{show, Error, Location, Result};
use crate::io::options::{ChannelChoice, ReadOptions};
use crate::io::plausible::{within, MAX_ABS_SAMPLE_MV, SAMPLING_RANGE_HZ};
use crate::io::read::signals::{Channel, Segment, SignalFile};
use crate::model::VoltUnit;

/// Words that name a stimulus (in annotations) or a trigger channel.
pub(super) const STIMULUS_WORDS: [&str; 7] = [
    "stim", "stimulus", "trigger", "trig", "ttl", "sync", "pulse",
];

/// The measured channel's sampling rate and segments: a waveform sampled
/// as EMG is (1-200 kHz).
pub(super) fn waveform<'a>(path: &Path, channel: &'a Channel) -> Result<(f64, &'a [Segment])> {
    let Some((sampling_rate_hz, segments)) = channel.waveform() else {
        return Err(Error::NoChannel {
            at: Location::file(path),
            detail: format!(
                "channel {} holds event times, not a recorded voltage",
                channel.describe()
            ),
        });
    };
    let (lo, hi) = SAMPLING_RANGE_HZ;
    if !within(sampling_rate_hz, SAMPLING_RANGE_HZ) {
        return Err(Error::Implausible {
            at: Location::file(path),
            detail: format!(
                "channel {:?} is sampled at {} Hz; EMG recordings are sampled at {}-{} kHz",
                channel.name,
                show(sampling_rate_hz),
                lo / 1000.0,
                hi / 1000.0
            ),
        });
    }
    check_segments(path, channel, sampling_rate_hz, segments)?;
    Ok((sampling_rate_hz, segments))
}

/// Segments (EDF+D records, Spike2 segments, LabChart blocks) that overlap
/// or run backwards hold two recordings of one moment: which one a sweep is
/// cut from would be a guess, so the file is refused.
pub(super) fn check_segments(
    path: &Path,
    channel: &Channel,
    fs: f64,
    segments: &[Segment],
) -> Result<()> {
    let half_sample_s = 0.5 / fs;
    for (k, w) in segments.windows(2).enumerate() {
        let end_s = w[0].start_s + w[0].samples.len() as f64 / fs;
        if w[1].start_s + half_sample_s < end_s {
            return Err(Error::Implausible {
                at: Location::file(path),
                detail: format!(
                    "channel {:?}: segment {} starts at {} ms, before segment {} ends ({} ms): overlapping records hold two recordings of one moment; export the recording again",
                    channel.name,
                    k + 2,
                    show(w[1].start_s * 1e3),
                    k + 1,
                    show(end_s * 1e3)
                ),
            });
        }
    }
    Ok(())
}

/// Every value of the measured channel is finite and no larger than an
/// amplifier records (an infinity would pass for a stimulus artifact).
pub(super) fn check_values(
    path: &Path,
    channel: &Channel,
    segments: &[Segment],
    fs: f64,
    to_mv: f64,
) -> Result<()> {
    for seg in segments {
        let bad = seg
            .samples
            .iter()
            .position(|v| !(v * to_mv).is_finite() || (v * to_mv).abs() > MAX_ABS_SAMPLE_MV);
        if let Some(i) = bad {
            return Err(Error::Implausible {
                at: Location::file(path),
                detail: format!(
                    "channel {:?} holds {} at {} ms, beyond the {MAX_ABS_SAMPLE_MV} mV no EMG amplifier records; check the units (--units) and the file's scaling",
                    channel.name,
                    show(seg.samples[i]),
                    show((seg.start_s + i as f64 / fs) * 1e3)
                ),
            });
        }
    }
    Ok(())
}

/// Whether a channel's name says it carries stimuli (a trigger or marker).
pub(super) fn names_stimulus(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    STIMULUS_WORDS
        .iter()
        .any(|w| name == *w || name.starts_with(w))
}

/// The channel to measure: the one asked for, else the first recorded
/// voltage that is no trigger and is sampled as EMG is (a channel without a
/// voltage unit only when no channel has one). When none can be, the error
/// says why for each channel.
pub(super) fn choose_channel(
    path: &Path,
    file: &SignalFile,
    options: &ReadOptions,
) -> Result<usize> {
    let no_channel = |detail: String| Error::NoChannel {
        at: Location::file(path),
        detail: format!("{detail}; the file has {}", file.list_channels()),
    };
    let index = match options.continuous.channel.as_ref() {
        Some(ChannelChoice::Index(i)) => i
            .checked_sub(1)
            .filter(|i| *i < file.channels.len())
            .ok_or_else(|| no_channel(format!("no channel {i} (channels count from 1)")))?,
        Some(ChannelChoice::Name(name)) => {
            let named: Vec<usize> = (0..file.channels.len())
                .filter(|&i| file.channels[i].name.eq_ignore_ascii_case(name.trim()))
                .collect();
            match named.as_slice() {
                [i] => *i,
                [] => return Err(no_channel(format!("no channel named {name:?}"))),
                many => {
                    let numbers: Vec<String> = many.iter().map(|i| (i + 1).to_string()).collect();
                    return Err(no_channel(format!(
                        "{} channels are named {name:?} ({}): give its number",
                        many.len(),
                        numbers.join(", ")
                    )));
                }
            }
        }
        None => {
            let why: Vec<Option<String>> =
                file.channels.iter().map(|c| why_not(c, options)).collect();
            let first = |allowed: &dyn Fn(Option<&str>) -> bool| {
                why.iter().position(|w| allowed(w.as_deref()))
            };
            return first(&|w| w.is_none())
                .or_else(|| first(&|w| w == Some(NO_UNIT)))
                .ok_or_else(|| Error::NoChannel {
                    at: Location::file(path),
                    detail: format!(
                        "no channel can be measured ({}); `nmjscope inspect` lists them",
                        why_each(file, &why)
                    ),
                });
        }
    };
    if !file.channels[index].is_waveform() {
        return Err(no_channel(format!(
            "channel {} holds event times, not a recorded voltage",
            file.channels[index].describe()
        )));
    }
    Ok(index)
}

/// The reasons, each with the channels it holds for: `channels 1, 2 and 4
/// are not sampled at 1-200 kHz; channel 3 "pulse" is a trigger` (a channel
/// alone is named).
fn why_each(file: &SignalFile, why: &[Option<String>]) -> String {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, w) in why.iter().enumerate() {
        let w = w.as_deref().unwrap_or("is usable");
        match groups.iter_mut().find(|g| g.0 == w) {
            Some(g) => g.1.push(i),
            None => groups.push((w, vec![i])),
        }
    }
    if groups.is_empty() {
        return "the file has no signal channels".to_string();
    }
    groups
        .iter()
        .map(|(w, at)| match at.as_slice() {
            [i] => format!("channel {} {:?} {w}", i + 1, file.channels[*i].name),
            many => {
                let numbers: Vec<String> = many.iter().map(|i| (i + 1).to_string()).collect();
                let (last, rest) = numbers.split_last().unwrap_or((&numbers[0], &[]));
                let plural = w
                    .replacen("is ", "are ", 1)
                    .replacen("has ", "have ", 1)
                    .replacen("holds ", "hold ", 1);
                format!("channels {} and {last} {plural}", rest.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A channel with no voltage unit: measured only when no channel has one
/// (and then refused unless `--units` gives it).
const NO_UNIT: &str = "has no voltage unit";

/// Why the reader would not pick a channel by itself, in a few words; `None`
/// when it would.
fn why_not(c: &Channel, options: &ReadOptions) -> Option<String> {
    let (lo, hi) = SAMPLING_RANGE_HZ;
    match c.waveform() {
        None => Some("holds event times".to_string()),
        Some(_) if names_stimulus(&c.name) => Some("is a trigger".to_string()),
        Some((fs, _)) if !within(fs, SAMPLING_RANGE_HZ) => Some(format!(
            "is sampled at {} Hz, not at {}-{} kHz",
            show(fs),
            lo / 1000.0,
            hi / 1000.0
        )),
        Some(_) if options.overrides.units.is_none() && VoltUnit::parse(&c.unit).is_none() => {
            Some(NO_UNIT.to_string())
        }
        Some(_) => None,
    }
}

/// The unit of the measured channel: `--units`, else its own.
pub(super) fn channel_unit(
    path: &Path,
    channel: &Channel,
    options: &ReadOptions,
) -> Result<VoltUnit> {
    if let Some(u) = options.overrides.units {
        return Ok(u);
    }
    if channel.unit.trim().is_empty() {
        return Err(Error::NoChannel {
            at: Location::file(path),
            detail: format!(
                "channel {:?} has no unit; pass --units mV (or uV, V)",
                channel.name
            ),
        });
    }
    VoltUnit::parse(&channel.unit).ok_or_else(|| Error::UnknownUnit {
        at: Location::file(path),
        unit: format!("{} (channel {:?})", channel.unit, channel.name),
        expected: "mV, uV, µV or V (or pass --units)",
    })
}
