//! Where the stimuli come from: annotations, a marker or trigger channel,
//! the rate with a first stimulus time, or the stimulus artifacts.

use std::path::Path;

use crate::io::plausible::STIM_RATE_RANGE_HZ;
use crate::io::read::assemble::Meta;
use crate::io::read::signals::{Annotation, Channel, ChannelData, SignalFile};

use super::channel::names_stimulus;
use crate::error::{show, Error, Location, Result};
use crate::io::options::ReadOptions;
use crate::model::{ResponseLabel, StimulusSource};

/// Artifact detection: a jump is a stimulus when it is at least this
/// fraction of the median stimulus jump.
pub(super) const ARTIFACT_FRACTION: f64 = 0.5;

/// Artifact detection: and this many times the typical sample-to-sample
/// change of the recording (its noise and slow waves).
pub(super) const ARTIFACT_MIN_NOISE_RATIO: f64 = 20.0;

/// Artifact detection: after a stimulus, none for this long (ms). 50 Hz
/// trains stimulate every 20 ms; a CMAP and the artifact's own ringing end
/// well within 8 ms of their steepest slope.
pub(super) const ARTIFACT_DEAD_MS: f64 = 8.0;

/// Most stimuli one recording is cut at: as many as a test has responses.
pub(super) const MAX_STIMULI: usize = crate::io::plausible::MAX_RESPONSES;

/// Stimuli found, how, and the labels they carry (annotations such as
/// `pre` and `post`).
pub(super) struct Found {
    pub(super) source: StimulusSource,
    pub(super) times_s: Vec<f64>,
    pub(super) labels: Option<Vec<ResponseLabel>>,
    /// Stimuli found but not cut (earlier pre-exercise ones).
    pub(super) dropped_s: Vec<f64>,
}

/// What the sources besides the file itself need: the stimuli the rate
/// gives (when a rate and first stimulus time are known), how many to keep,
/// and whether `--stimuli` named the source.
pub(super) struct SourceInputs {
    by_rate: Option<Vec<f64>>,
    count: Option<usize>,
    asked: bool,
}

/// The rate, first stimulus time and count, from the options or the
/// file's metadata; a rate or first time out of range is refused.
pub(super) fn source_inputs(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    meta: &Meta,
    options: &ReadOptions,
) -> Result<SourceInputs> {
    let co = &options.continuous;
    let rate = options
        .overrides
        .stim_rate_hz
        .or_else(|| meta_number(meta, "stim_rate_hz"));
    let first_ms = co.first_stimulus_ms.or_else(|| {
        meta.all
            .get("first_stimulus_ms")
            .and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok())
    });
    let by_rate = match (rate, first_ms) {
        (Some(rate), Some(first)) => Some(rate_stimuli(path, file, chosen, rate, first)?),
        _ => None,
    };
    let count = co
        .stimulus_count
        .or_else(|| meta_number(meta, "stimulus_count").and_then(whole));
    Ok(SourceInputs {
        by_rate,
        count,
        asked: co.stimuli.is_some(),
    })
}

impl SourceInputs {
    /// Whether a rate and a first stimulus time were given.
    pub(super) fn has_rate(&self) -> bool {
        self.by_rate.is_some()
    }
}

/// The sources in the order they are tried when `--stimuli` names none.
/// A triggered recording's blocks come first when they hold a pre-trigger
/// span (their time zero is the trigger beyond doubt); blocks that start at
/// zero may be stretches with the stimulus inside, so a stimulus the file
/// marks comes first, and the blocks before the artifacts (an artifact at a
/// block's first sample is no jump to detect).
pub(super) fn source_order(file: &SignalFile) -> Vec<StimulusSource> {
    use StimulusSource::{Annotations, Artifact, Blocks, Events, Markers, Rate, Trigger};
    // A dataset's events are its word on the stimuli.
    if file.events.is_some() {
        return vec![
            Events,
            Annotations,
            Markers,
            Trigger,
            Rate,
            Blocks,
            Artifact,
        ];
    }
    match &file.blocks {
        Some(b) if b.pre_trigger => vec![Blocks, Annotations, Markers, Trigger, Rate, Artifact],
        _ => vec![Annotations, Markers, Trigger, Rate, Blocks, Artifact],
    }
}

/// The stimuli one source finds (at most `count`), if any.
pub(super) fn try_source(
    source: StimulusSource,
    file: &SignalFile,
    chosen: usize,
    inputs: &SourceInputs,
) -> Option<Found> {
    let (times_s, labels) = match source {
        StimulusSource::Annotations => from_marks(&file.annotations)?,
        StimulusSource::Events => from_marks(file.events.as_deref()?)?,
        StimulusSource::Markers => (from_markers(file)?, None),
        StimulusSource::Trigger => (from_trigger(file, chosen, inputs.asked)?, None),
        StimulusSource::Rate => (inputs.by_rate.clone()?, None),
        StimulusSource::Artifact => (from_artifacts(&file.channels[chosen])?, None),
        StimulusSource::Blocks => (file.blocks.as_ref()?.zeros_s.clone(), None),
    };
    let mut found = Found {
        source,
        times_s,
        labels,
        dropped_s: Vec::new(),
    };
    if let Some(n) = inputs.count {
        found.times_s.truncate(n);
        if let Some(l) = found.labels.as_mut() {
            l.truncate(n);
        }
    }
    (!found.times_s.is_empty()).then_some(found)
}

/// Finds the stimuli: the source asked for, else the first that has any.
pub(super) fn find_stimuli(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    meta: &Meta,
    options: &ReadOptions,
) -> Result<Found> {
    let asked = options.continuous.stimuli;
    let inputs = source_inputs(path, file, chosen, meta, options)?;
    let order = match asked {
        Some(s) => vec![s],
        None => source_order(file),
    };
    let found = order
        .iter()
        .find_map(|s| try_source(*s, file, chosen, &inputs));
    if let (Some(f), Some(b), None) = (&found, &file.blocks, asked) {
        if f.source != StimulusSource::Blocks && f.times_s.len() != b.zeros_s.len() {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "the file's {} blocks look like triggered sweeps, but {} stimuli were found from {}: if each block starts at its trigger, read them with --stimuli blocks; otherwise mark one stimulus in each block",
                    b.zeros_s.len(),
                    f.times_s.len(),
                    f.source.describe()
                ),
            });
        }
    }
    found.ok_or_else(|| Error::NoStimuli {
            at: Location::file(path),
            detail: match asked {
                Some(StimulusSource::Rate) => "--stimuli rate needs the stimulation rate (--rate or # stim_rate_hz) and the first stimulus's time (--first-stimulus-ms or # first_stimulus_ms)".to_string(),
                Some(s) => format!("no stimuli found from {}", s.describe()),
                None => "no stimuli found: no stimulus annotations, marker or trigger channel, no rate with a first stimulus time, no triggered blocks, and no stimulus artifacts; give --rate and --first-stimulus-ms".to_string(),
            },
        })
}

pub(super) fn meta_number(meta: &Meta, key: &str) -> Option<f64> {
    meta.all
        .get(key)
        .and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// `key: value` annotations are metadata (as `# key: value` lines are in
/// a CSV), not events.
pub(super) fn is_metadata(text: &str) -> bool {
    text.split_once(':')
        .is_some_and(|(k, v)| !k.trim().is_empty() && !v.trim().is_empty())
}

/// Marks (annotations, or a dataset's events) that name a stimulus (`stim`, `Stimulus 3`, `trigger`) or a
/// response (`r1`, `pre`, `post_30s`); the labels when every one names a
/// response.
pub(super) fn from_marks(
    annotations: &[Annotation],
) -> Option<(Vec<f64>, Option<Vec<ResponseLabel>>)> {
    let mut marks: Vec<(f64, ResponseLabel)> = annotations
        .iter()
        .filter(|a| !is_metadata(&a.text))
        .filter_map(|a| {
            let label = ResponseLabel::parse(&a.text);
            let is_label = !matches!(label, ResponseLabel::Other(_));
            (is_label || names_stimulus(&a.text)).then_some((a.onset_s, label))
        })
        .collect();
    if marks.is_empty() {
        return None;
    }
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let all_labels = marks
        .iter()
        .all(|(_, l)| !matches!(l, ResponseLabel::Other(_)));
    let times = marks.iter().map(|(t, _)| *t).collect();
    let labels = all_labels.then(|| marks.into_iter().map(|(_, l)| l).collect());
    Some((times, labels))
}

/// The events of a marker channel: one named as a stimulus, else the first
/// that has events.
pub(super) fn from_markers(file: &SignalFile) -> Option<Vec<f64>> {
    let events = |c: &Channel| match &c.data {
        ChannelData::Events { times_s } if !times_s.is_empty() => Some(times_s.clone()),
        _ => None,
    };
    // Spike2's keyboard channel holds key presses, never stimuli; its
    // digital marker channel (DigMark) holds the stimulator's pulses.
    let keyboard = |c: &&Channel| c.name.trim().eq_ignore_ascii_case("keyboard");
    let named = file
        .channels
        .iter()
        .filter(|c| names_stimulus(&c.name) || c.name.trim().eq_ignore_ascii_case("digmark"))
        .find_map(events);
    let mut times = named.or_else(|| {
        file.channels
            .iter()
            .filter(|c| !keyboard(c))
            .find_map(events)
    })?;
    times.sort_by(f64::total_cmp);
    Some(times)
}

/// The edges of a trigger channel: one named as a trigger, or (when
/// `--stimuli trigger` asks for it) the first other waveform channel.
pub(super) fn from_trigger(file: &SignalFile, chosen: usize, asked: bool) -> Option<Vec<f64>> {
    let others = || {
        file.channels
            .iter()
            .enumerate()
            .filter(move |(i, c)| *i != chosen && c.is_waveform())
    };
    let (_, channel) = others()
        .find(|(_, c)| names_stimulus(&c.name))
        .or_else(|| asked.then(|| others().next()).flatten())?;
    let (sampling_rate_hz, segments) = channel.waveform()?;
    let mut times = Vec::new();
    for seg in segments {
        times.extend(
            edges(&seg.samples)
                .into_iter()
                .map(|i| seg.start_s + i as f64 / sampling_rate_hz),
        );
    }
    (!times.is_empty()).then_some(times)
}

/// Where a pulse starts: the samples that cross halfway between the
/// channel's low and high levels, leaving its resting level (a TTL line
/// may rest high and pulse low). The resting level is the one the line
/// holds at both ends of the recording (it starts before its first pulse
/// and ends after its last), else the one it holds most of the time: a
/// pulse wider than the gaps between pulses is still a pulse.
pub(super) fn edges(x: &[f64]) -> Vec<usize> {
    let (lo, hi) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Vec::new();
    }
    let mid = 0.5 * (lo + hi);
    let high = x.iter().filter(|&&v| v >= mid).count();
    let rests_high = match (x.first(), x.last()) {
        (Some(&a), Some(&b)) if (a >= mid) == (b >= mid) => a >= mid,
        _ => 2 * high > x.len(),
    };
    let active = |v: f64| if rests_high { v < mid } else { v >= mid };
    (1..x.len())
        .filter(|&i| active(x[i]) && !active(x[i - 1]))
        .collect()
}

/// `first_ms` and every `1/rate` after it while the recording lasts: the
/// rate within the plausible range, the first stimulus within the
/// recording.
pub(super) fn rate_stimuli(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    rate_hz: f64,
    first_ms: f64,
) -> Result<Vec<f64>> {
    let (lo, hi) = STIM_RATE_RANGE_HZ;
    if !(lo..=hi).contains(&rate_hz) {
        return Err(Error::NoStimuli {
            at: Location::file(path),
            detail: format!(
                "the stimulation rate {} Hz is outside the plausible {lo}-{hi} Hz",
                show(rate_hz)
            ),
        });
    }
    let (fs, segments) = file.channels[chosen].waveform().unwrap_or((1.0, &[]));
    let end_s = segments
        .last()
        .map_or(0.0, |s| s.start_s + s.samples.len() as f64 / fs);
    let start_s = segments.first().map_or(0.0, |s| s.start_s);
    let first_s = first_ms / 1e3;
    if !(first_s >= start_s && first_s < end_s) {
        return Err(Error::NoStimuli {
            at: Location::file(path),
            detail: format!(
                "the first stimulus at {} ms is outside the recording ({}-{} ms)",
                show(first_ms),
                show(start_s * 1e3),
                show(end_s * 1e3)
            ),
        });
    }
    // The rate is at most 100 Hz: a recording of under 256 MB holds a few
    // hundred thousand stimuli at most, and `check_count` refuses them.
    Ok((0..)
        .map(|k| first_s + k as f64 / rate_hz)
        .take_while(|t| *t < end_s)
        .take(MAX_STIMULI + 1)
        .collect())
}

/// Stimulus artifacts: the sample after each jump far above the
/// recording's own sample-to-sample changes (its noise and its CMAPs'
/// slopes), keeping those at least half the median such jump, so one
/// outsized artifact does not hide the others and a noise spike is not a
/// stimulus.
pub(super) fn from_artifacts(channel: &Channel) -> Option<Vec<f64>> {
    let (fs, segments) = channel.waveform()?;
    let jumps: Vec<Vec<f64>> = segments
        .iter()
        .map(|s| s.samples.windows(2).map(|w| (w[1] - w[0]).abs()).collect())
        .collect();
    let mut all: Vec<f64> = jumps.iter().flatten().copied().collect();
    if all.is_empty() {
        return None;
    }
    all.sort_by(f64::total_cmp);
    let floor = ARTIFACT_MIN_NOISE_RATIO * all[all.len() / 2];
    let dead = ((ARTIFACT_DEAD_MS * fs / 1e3).round() as usize).max(1);
    // (time, largest jump within the dead time) of each crossing.
    let mut found: Vec<(f64, f64)> = Vec::new();
    for (seg, d) in segments.iter().zip(&jumps) {
        let mut i = 0;
        while i < d.len() {
            if d[i] > floor {
                let peak = d[i..(i + dead).min(d.len())]
                    .iter()
                    .fold(0.0f64, |m, &v| m.max(v));
                found.push((seg.start_s + (i + 1) as f64 / fs, peak));
                i += dead;
            } else {
                i += 1;
            }
        }
    }
    let mut peaks: Vec<f64> = found.iter().map(|(_, p)| *p).collect();
    peaks.sort_by(f64::total_cmp);
    let median_peak = *peaks.get(peaks.len() / 2)?;
    let times: Vec<f64> = found
        .into_iter()
        .filter(|(_, p)| *p >= ARTIFACT_FRACTION * median_peak)
        .map(|(t, _)| t)
        .collect();
    (!times.is_empty()).then_some(times)
}

/// A non-negative whole number, when `value` rounds to one that fits.
pub(super) fn whole<T: TryFrom<u64>>(value: f64) -> Option<T> {
    let v = value.round();
    if !(0.0..=u32::MAX as f64).contains(&v) {
        return None;
    }
    T::try_from(v as u64).ok()
}
