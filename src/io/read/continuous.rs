//! Continuous recordings: one long trace (or a few segments of one) holding
//! a whole train, cut into one sweep per stimulus.
//!
//! The stimuli come from, in this order unless `--stimuli` names one:
//! annotations that name stimuli (EDF+, LabChart comments), a marker
//! channel (Spike2), a trigger channel (by its name), the stimulation rate
//! with the first stimulus's time, or the stimulus artifacts of the
//! recorded channel. Each sweep keeps a pre-stimulus span, so each response
//! is measured against its own local baseline.

use std::path::Path;

use ndarray::Array2;

use super::assemble::{build, file_name, LabelsAt, Meta, Sweeps};
use super::plausible::{MAX_ABS_SAMPLE_MV, SAMPLING_RANGE_HZ, STIM_RATE_RANGE_HZ};
use super::signals::{Channel, ChannelData, Segment, SignalFile};
use crate::error::{show, Error, Location, Result};
use crate::io::{ChannelChoice, ContinuousOptions, ReadOptions};
use crate::model::{
    Delimiter, Layout, Protocol, Recording, ResponseLabel, SourceInfo, Stimuli, StimulusSource,
    VoltUnit,
};

/// Longest pre-stimulus span cut by default (ms): the contract's sweeps
/// start 5 ms before the stimulus.
const DEFAULT_PRE_MS: f64 = 5.0;
/// Longest sweep cut by default (ms): 40 ms after the stimulus holds the
/// CMAP of any limb muscle.
const DEFAULT_SWEEP_MS: f64 = 45.0;
/// At high rates the pre-stimulus span is this fraction of the interval
/// (2 ms at 50 Hz), so the previous response has ended.
const PRE_FRACTION_OF_INTERVAL: f64 = 0.1;
/// Stimuli this far apart (median, s) are a pre/post exercise series, not a
/// train: no train is slower than 1 Hz, and exercise lasts 10 s or more.
const EXERCISE_MIN_INTERVAL_S: f64 = 5.0;
/// An interval this much longer than the train's median means a stimulus
/// was missed: the decrement to the 4th *recorded* response would then be
/// to the wrong response.
const MAX_INTERVAL_RATIO: f64 = 1.5;
/// A given rate that differs from the stimuli's own by more than this
/// fraction is reported.
const RATE_MISMATCH: f64 = 0.05;
/// Artifact detection: a jump is a stimulus when it is at least this
/// fraction of the median stimulus jump.
const ARTIFACT_FRACTION: f64 = 0.5;
/// Artifact detection: and this many times the typical sample-to-sample
/// change of the recording (its noise and slow waves).
const ARTIFACT_MIN_NOISE_RATIO: f64 = 20.0;
/// Artifact detection: after a stimulus, none for this long (ms). 50 Hz
/// trains stimulate every 20 ms; a CMAP and the artifact's own ringing end
/// well within 8 ms of their steepest slope.
const ARTIFACT_DEAD_MS: f64 = 8.0;

/// Most stimuli one recording is cut at: 40 s of a 50 Hz train. More is
/// no neuromuscular junction test (or a wrong rate), and would hold a sweep
/// each in memory.
const MAX_STIMULI: usize = 2000;
/// Stimuli of an exercise series closer than this (s) are one stimulus
/// marked twice: its CMAPs are seconds apart.
const EXERCISE_MIN_GAP_S: f64 = 1.0;

/// Words that name a stimulus (in annotations) or a trigger channel.
const STIMULUS_WORDS: [&str; 7] = [
    "stim", "stimulus", "trigger", "trig", "ttl", "sync", "pulse",
];

/// Cuts a continuous recording into sweeps and builds the test.
pub(crate) fn cut(
    path: &Path,
    file: SignalFile,
    mut meta: Meta,
    delimiter: Option<Delimiter>,
    options: &ReadOptions,
) -> Result<Recording> {
    let co = &options.continuous;
    check_options(co)?;
    let chosen = choose_channel(path, &file, co.channel.as_ref())?;
    let channel = &file.channels[chosen];
    let (fs, segments) = waveform(path, channel)?;
    let units = channel_unit(path, channel, options)?;
    check_values(path, channel, segments, fs, units.to_mv())?;
    let mut warnings = file.warnings.clone();
    take_metadata_annotations(&file, &mut meta);
    let mut found = find_stimuli(path, &file, chosen, &meta, options)?;
    check_count(path, &found)?;
    let protocol = declared_protocol(&meta, options);
    let exercise = protocol == Some(Protocol::Exercise)
        || (protocol.is_none() && median_interval_s(&found.times_s) >= EXERCISE_MIN_INTERVAL_S);
    if exercise {
        exercise_stimuli(path, &mut found, &mut warnings)?;
    } else {
        check_regular(path, &found)?;
        note_rate(&mut meta, &found.times_s, &mut warnings, options);
    }
    let (pre_ms, sweep_ms) = window(path, &found.times_s, (segments, fs), co)?;
    let cutting = cut_sweeps(
        segments,
        fs,
        units.to_mv(),
        &found.times_s,
        pre_ms,
        sweep_ms,
    );
    check_cutting(path, &found, &cutting, (pre_ms, sweep_ms), &mut warnings)?;
    let labels = labels_for(&found, &cutting.used, exercise);
    let dt_ms = 1000.0 / fs;
    let n_pre = (pre_ms / dt_ms).round();
    let stimuli = Stimuli {
        source: found.source,
        times_ms: cutting
            .used
            .iter()
            .map(|&i| found.times_s[i] * 1e3)
            .collect(),
        skipped_ms: found
            .dropped_s
            .iter()
            .copied()
            .chain(cutting.skipped.iter().map(|&i| found.times_s[i]))
            .map(|t| t * 1e3)
            .collect(),
        pre_stimulus_ms: n_pre * dt_ms,
        sweep_ms: cutting.samples.ncols() as f64 * dt_ms,
    };
    let source = source_info(path, &file, chosen, delimiter, units, stimuli, warnings);
    let sweeps = Sweeps {
        t0_ms: -n_pre * dt_ms,
        dt_ms,
        labels,
        samples_mv: cutting.samples,
        labels_at: LabelsAt::Stimuli,
    };
    build(path, meta, source, sweeps, options)
}

/// How the file was read: its format, channels, the channel measured, the
/// stimuli and the warnings.
fn source_info(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    delimiter: Option<Delimiter>,
    units: VoltUnit,
    stimuli: Stimuli,
    warnings: Vec<String>,
) -> SourceInfo {
    SourceInfo {
        path: path.to_path_buf(),
        file_name: file_name(path),
        format: file.format,
        layout: Layout::Continuous,
        delimiter,
        decimal_comma: false,
        units,
        time_in_seconds: true,
        channel: Some(file.channels[chosen].name.clone()),
        channels: file
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {}", i + 1, c.describe()))
            .collect(),
        stimuli: Some(stimuli),
        warnings,
    }
}

/// The measured channel's sampling rate and segments: a waveform sampled
/// as EMG is (1-200 kHz).
fn waveform<'a>(path: &Path, channel: &'a Channel) -> Result<(f64, &'a [Segment])> {
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
    if !(lo..=hi).contains(&sampling_rate_hz) {
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
fn check_segments(path: &Path, channel: &Channel, fs: f64, segments: &[Segment]) -> Result<()> {
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
fn check_values(
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

/// At least two stimuli (a train, or a pre and a post), and not more than
/// any test has.
fn check_count(path: &Path, found: &Found) -> Result<()> {
    let n = found.times_s.len();
    if (2..=MAX_STIMULI).contains(&n) {
        return Ok(());
    }
    Err(Error::NoStimuli {
        at: Location::file(path),
        detail: if n < 2 {
            format!(
                "one stimulus found (at {} ms, from {}): a train needs several, an exercise series one before and one after",
                show(found.times_s.first().copied().unwrap_or(0.0) * 1e3),
                describe_source(found.source)
            )
        } else {
            format!(
                "{n} stimuli found (from {}); no test has more than {MAX_STIMULI}: check the rate, or cut the recording",
                describe_source(found.source)
            )
        },
    })
}

/// An exercise series: stimuli seconds apart, one before the exercise. Of
/// several before it (stimuli less than five seconds apart before the first
/// longer gap), the last is the pre-exercise CMAP; the others are listed as
/// not used.
fn exercise_stimuli(path: &Path, found: &mut Found, warnings: &mut Vec<String>) -> Result<()> {
    for (k, w) in found.times_s.windows(2).enumerate() {
        if w[1] - w[0] < EXERCISE_MIN_GAP_S {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "stimuli {} and {} of an exercise series (at {} and {} ms, from {}) are {} ms apart; its CMAPs are seconds apart: a stimulus marked twice? Name the stimuli another way (--stimuli)",
                    k + 1,
                    k + 2,
                    show(w[0] * 1e3),
                    show(w[1] * 1e3),
                    describe_source(found.source),
                    show((w[1] - w[0]) * 1e3)
                ),
            });
        }
    }
    if found.labels.is_some() {
        return Ok(());
    }
    let before = found
        .times_s
        .windows(2)
        .position(|w| w[1] - w[0] >= EXERCISE_MIN_INTERVAL_S)
        .unwrap_or(0);
    if before > 0 {
        let dropped: Vec<f64> = found.times_s.drain(..before).collect();
        warnings.push(format!(
            "{} stimuli before the exercise; the last (at {} ms) is the pre-exercise CMAP, and {} not used",
            before + 1,
            show(found.times_s[0] * 1e3),
            dropped
                .iter()
                .map(|t| format!("{} ms", show(t * 1e3)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        found.dropped_s.extend(dropped);
    }
    Ok(())
}

/// Stimuli without room for a whole sweep: before a used one they would
/// misnumber a train (or lose the pre-exercise CMAP), and are refused;
/// after the last they are reported.
fn check_cutting(
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
                describe_source(found.source),
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

fn check_options(co: &ContinuousOptions) -> Result<()> {
    let bad = |detail: String| {
        Err(Error::Settings {
            path: "<flags>".into(),
            detail,
        })
    };
    if let Some(pre) = co.pre_stimulus_ms {
        if !(pre.is_finite() && (0.0..=100.0).contains(&pre)) {
            return bad(format!(
                "--pre-stimulus-ms {pre}: expected 0-100 ms before each stimulus"
            ));
        }
    }
    if co.stimulus_count == Some(0) {
        return bad("--stimulus-count 0: expected 1 or more".to_string());
    }
    if let Some(sweep) = co.sweep_ms {
        let (lo, hi) = super::plausible::SWEEP_RANGE_MS;
        if !(sweep.is_finite() && (lo..=hi).contains(&sweep)) {
            return bad(format!("--sweep-ms {sweep}: expected {lo}-{hi} ms"));
        }
        if co.pre_stimulus_ms.is_some_and(|p| p >= sweep) {
            return bad(format!(
                "--sweep-ms {sweep} leaves no time after the stimulus (--pre-stimulus-ms is longer)"
            ));
        }
    }
    Ok(())
}

/// Whether a channel's name says it carries stimuli (a trigger or marker).
fn names_stimulus(name: &str) -> bool {
    let name = name.trim().to_lowercase();
    STIMULUS_WORDS
        .iter()
        .any(|w| name == *w || name.starts_with(w))
}

/// The channel to measure: the one asked for, else the first recorded
/// voltage that is no trigger.
fn choose_channel(path: &Path, file: &SignalFile, choice: Option<&ChannelChoice>) -> Result<usize> {
    let no_channel = |detail: String| Error::NoChannel {
        at: Location::file(path),
        detail: format!("{detail}; the file has {}", file.list_channels()),
    };
    let index = match choice {
        Some(ChannelChoice::Index(i)) => i
            .checked_sub(1)
            .filter(|i| *i < file.channels.len())
            .ok_or_else(|| no_channel(format!("no channel {i} (channels count from 1)")))?,
        Some(ChannelChoice::Name(name)) => file
            .channels
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| no_channel(format!("no channel named {name:?}")))?,
        None => {
            let voltage = |c: &Channel| VoltUnit::parse(&c.unit).is_some();
            let candidates = |want_voltage: bool| {
                file.channels.iter().position(|c| {
                    c.is_waveform() && !names_stimulus(&c.name) && (!want_voltage || voltage(c))
                })
            };
            candidates(true)
                .or_else(|| candidates(false))
                .ok_or_else(|| no_channel("no channel holds a recorded voltage".to_string()))?
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

/// The unit of the measured channel: `--units`, else its own.
fn channel_unit(path: &Path, channel: &Channel, options: &ReadOptions) -> Result<VoltUnit> {
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

/// Annotations of the form `key: value` are metadata, as `# key: value`
/// lines are in a CSV file (a key the file's header set wins).
fn take_metadata_annotations(file: &SignalFile, meta: &mut Meta) {
    for a in &file.annotations {
        if let Some((key, value)) = a.text.split_once(':') {
            let key = super::header::normalise_key(key);
            let value = value.trim();
            if !key.is_empty() && !value.is_empty() && !meta.all.contains_key(&key) {
                meta.all.insert(key, value.to_string());
            }
        }
    }
}

fn declared_protocol(meta: &Meta, options: &ReadOptions) -> Option<Protocol> {
    meta.all
        .get("protocol")
        .and_then(|p| Protocol::parse(p))
        .or(options.protocol)
}

/// Stimuli found, how, and the labels they carry (annotations such as
/// `pre` and `post`).
struct Found {
    source: StimulusSource,
    times_s: Vec<f64>,
    labels: Option<Vec<ResponseLabel>>,
    /// Stimuli found but not cut (earlier pre-exercise ones).
    dropped_s: Vec<f64>,
}

/// Finds the stimuli: the source asked for, else the first that has any.
fn find_stimuli(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    meta: &Meta,
    options: &ReadOptions,
) -> Result<Found> {
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
    let try_source = |source: StimulusSource| -> Option<Found> {
        let (times_s, labels) = match source {
            StimulusSource::Annotations => from_annotations(file)?,
            StimulusSource::Markers => (from_markers(file)?, None),
            StimulusSource::Trigger => (from_trigger(file, chosen, co.stimuli.is_some())?, None),
            StimulusSource::Rate => (by_rate.clone()?, None),
            StimulusSource::Artifact => (from_artifacts(&file.channels[chosen])?, None),
        };
        let mut found = Found {
            source,
            times_s,
            labels,
            dropped_s: Vec::new(),
        };
        if let Some(n) = count {
            found.times_s.truncate(n);
            if let Some(l) = found.labels.as_mut() {
                l.truncate(n);
            }
        }
        (!found.times_s.is_empty()).then_some(found)
    };
    let order = match co.stimuli {
        Some(s) => vec![s],
        None => vec![
            StimulusSource::Annotations,
            StimulusSource::Markers,
            StimulusSource::Trigger,
            StimulusSource::Rate,
            StimulusSource::Artifact,
        ],
    };
    order
        .iter()
        .find_map(|s| try_source(*s))
        .ok_or_else(|| Error::NoStimuli {
            at: Location::file(path),
            detail: match co.stimuli {
                Some(StimulusSource::Rate) => "--stimuli rate needs the stimulation rate (--rate or # stim_rate_hz) and the first stimulus's time (--first-stimulus-ms or # first_stimulus_ms)".to_string(),
                Some(s) => format!("no stimuli found from {}", describe_source(s)),
                None => "no stimuli found: no stimulus annotations, marker or trigger channel, no rate with a first stimulus time, and no stimulus artifacts; give --rate and --first-stimulus-ms".to_string(),
            },
        })
}

fn meta_number(meta: &Meta, key: &str) -> Option<f64> {
    meta.all
        .get(key)
        .and_then(|v| v.trim().replace(',', ".").parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// How a source is named in messages.
fn describe_source(source: StimulusSource) -> &'static str {
    match source {
        StimulusSource::Annotations => "the file's stimulus annotations",
        StimulusSource::Markers => "a marker channel",
        StimulusSource::Trigger => "a trigger channel",
        StimulusSource::Rate => "the stimulation rate and first stimulus time",
        StimulusSource::Artifact => "the stimulus artifacts",
    }
}

/// Annotations that name a stimulus (`stim`, `Stimulus 3`, `trigger`) or a
/// response (`r1`, `pre`, `post_30s`); the labels when every one names a
/// response.
fn from_annotations(file: &SignalFile) -> Option<(Vec<f64>, Option<Vec<ResponseLabel>>)> {
    let mut marks: Vec<(f64, ResponseLabel)> = file
        .annotations
        .iter()
        .filter(|a| !a.text.contains(':'))
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
fn from_markers(file: &SignalFile) -> Option<Vec<f64>> {
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
fn from_trigger(file: &SignalFile, chosen: usize, asked: bool) -> Option<Vec<f64>> {
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
/// may rest high and pulse low).
fn edges(x: &[f64]) -> Vec<usize> {
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
    let rests_high = 2 * high > x.len();
    let active = |v: f64| if rests_high { v < mid } else { v >= mid };
    (1..x.len())
        .filter(|&i| active(x[i]) && !active(x[i - 1]))
        .collect()
}

/// `first_ms` and every `1/rate` after it while the recording lasts: the
/// rate within the plausible range, the first stimulus within the
/// recording.
fn rate_stimuli(
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
fn from_artifacts(channel: &Channel) -> Option<Vec<f64>> {
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

fn median_interval_s(times: &[f64]) -> f64 {
    let mut d: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return f64::INFINITY;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
}

/// A train's stimuli come at one rate: a gap means a stimulus was missed
/// (or a marker lost), and the responses after it would be misnumbered.
fn check_regular(path: &Path, found: &Found) -> Result<()> {
    let median = median_interval_s(&found.times_s);
    for (k, w) in found.times_s.windows(2).enumerate() {
        let d = w[1] - w[0];
        if d > MAX_INTERVAL_RATIO * median || d < median / MAX_INTERVAL_RATIO || d <= 0.0 {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "stimuli {} and {} (at {} and {} ms, from {}) are {} ms apart where the train's interval is {} ms: a stimulus is missing or doubled, and the responses after it would be misnumbered; name the stimuli another way (--stimuli) or cut the file",
                    k + 1,
                    k + 2,
                    show(w[0] * 1e3),
                    show(w[1] * 1e3),
                    describe_source(found.source),
                    show(d * 1e3),
                    show(median * 1e3)
                ),
            });
        }
    }
    Ok(())
}

/// A train's rate: the one given, else the stimuli's own (written into the
/// metadata, so every output shows it); a given rate the stimuli contradict
/// is reported.
fn note_rate(meta: &mut Meta, times: &[f64], warnings: &mut Vec<String>, options: &ReadOptions) {
    let median = median_interval_s(times);
    if !median.is_finite() {
        return;
    }
    let measured = 1.0 / median;
    let given = options
        .overrides
        .stim_rate_hz
        .or_else(|| meta_number(meta, "stim_rate_hz"));
    match given {
        Some(rate) if (rate - measured).abs() > RATE_MISMATCH * measured => warnings.push(format!(
            "the stimuli come at {} Hz, the given rate is {} Hz",
            show((measured * 100.0).round() / 100.0),
            show(rate)
        )),
        Some(_) => {}
        None => {
            meta.all.insert(
                "stim_rate_hz".to_string(),
                show((measured * 100.0).round() / 100.0),
            );
        }
    }
}

/// The pre-stimulus span and sweep length (ms): as asked, else 5 ms and
/// 45 ms, shortened to fit between the stimuli of a fast train.
fn window(
    path: &Path,
    times: &[f64],
    (segments, fs): (&[Segment], f64),
    co: &ContinuousOptions,
) -> Result<(f64, f64)> {
    let interval_ms = median_interval_s(times).min(min_interval_s(times)) * 1e3;
    // A recording that starts less than 5 ms before its first stimulus
    // (LabChart and CFWB blocks often start at the trigger) keeps what it
    // has: every sweep gets the same, shorter, pre-stimulus span.
    let room_ms = times
        .iter()
        .filter_map(|t| {
            segments
                .iter()
                .find(|s| *t >= s.start_s && *t < s.start_s + s.samples.len() as f64 / fs)
                .map(|s| (t - s.start_s) * 1e3)
        })
        .fold(f64::INFINITY, f64::min);
    let pre = co.pre_stimulus_ms.unwrap_or_else(|| {
        DEFAULT_PRE_MS
            .min(PRE_FRACTION_OF_INTERVAL * interval_ms)
            .min(room_ms)
            .max(0.0)
    });
    let sweep = co
        .sweep_ms
        .unwrap_or_else(|| DEFAULT_SWEEP_MS.min(interval_ms));
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

fn min_interval_s(times: &[f64]) -> f64 {
    times
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min)
}

/// The sweeps cut, in mV, and which stimuli gave them.
struct Cutting {
    samples: Array2<f64>,
    used: Vec<usize>,
    skipped: Vec<usize>,
}

fn cut_sweeps(
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

/// The responses' labels: the annotations' own, else `r1, r2, ...` for a
/// train and `pre`, `post_0s`, `post_<N>s` for an exercise series (N the
/// whole seconds after the first post-exercise stimulus).
fn labels_for(found: &Found, used: &[usize], exercise: bool) -> Vec<ResponseLabel> {
    if let Some(labels) = &found.labels {
        return used.iter().map(|&i| labels[i].clone()).collect();
    }
    if !exercise {
        return (1..=used.len() as u32).map(ResponseLabel::Train).collect();
    }
    let t_post = used.get(1).map_or(0.0, |&i| found.times_s[i]);
    used.iter()
        .enumerate()
        .map(|(k, &i)| match k {
            0 => ResponseLabel::Pre,
            _ => ResponseLabel::Post(whole(found.times_s[i] - t_post)),
        })
        .collect()
}

/// A non-negative whole number, when `value` rounds to one that fits.
fn whole<T: TryFrom<u64>>(value: f64) -> Option<T> {
    let v = value.round();
    if !(0.0..=u32::MAX as f64).contains(&v) {
        return None;
    }
    T::try_from(v as u64).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::read::signals::Annotation;

    const FS: f64 = 10_000.0;

    /// A recording at 10 kHz: a 1 mV biphasic stimulus artifact and a
    /// -5 mV CMAP 3 ms later at each stimulus (times in s), 0.01 mV of
    /// alternating "noise", and a TTL channel.
    fn recording(stimuli: &[f64], seconds: f64, artifact_mv: &[f64]) -> SignalFile {
        let n = (seconds * FS) as usize;
        let mut emg: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { 0.01 } else { -0.01 })
            .collect();
        let mut ttl = vec![0.0; n];
        for (k, t) in stimuli.iter().enumerate() {
            let i = (t * FS).round() as usize;
            let a = artifact_mv.get(k).copied().unwrap_or(1.0);
            emg[i] += a;
            emg[i + 1] -= a;
            for (j, v) in emg.iter_mut().enumerate().skip(i).take(200) {
                let ms = (j - i) as f64 / 10.0;
                *v -= 5.0 * (-((ms - 5.0) / 1.5).powi(2)).exp();
            }
            ttl[i] = 5.0;
            ttl[i + 1] = 5.0;
        }
        let wave = |name: &str, unit: &str, samples: Vec<f64>| Channel {
            name: name.into(),
            unit: unit.into(),
            data: ChannelData::Waveform {
                sampling_rate_hz: FS,
                segments: vec![Segment {
                    start_s: 0.0,
                    samples,
                }],
            },
        };
        SignalFile {
            format: InputFormat::Edf,
            channels: vec![wave("EMG", "mV", emg), wave("Trigger", "V", ttl)],
            annotations: Vec::new(),
            warnings: Vec::new(),
        }
    }

    use crate::model::InputFormat;

    fn read(file: SignalFile, options: &ReadOptions) -> Result<Recording> {
        cut(Path::new("r.edf"), file, Meta::default(), None, options)
    }

    fn train(rate: f64, n: usize) -> Vec<f64> {
        (0..n).map(|k| 0.02 + k as f64 / rate).collect()
    }

    #[test]
    fn a_trigger_channel_cuts_a_train_and_gives_its_rate() {
        let r = read(
            recording(&train(3.0, 10), 3.5, &[]),
            &ReadOptions::default(),
        )
        .unwrap();
        let s = r.source.stimuli.as_ref().unwrap();
        assert_eq!(s.source, StimulusSource::Trigger);
        assert_eq!(r.n_responses(), 10);
        assert_eq!(r.protocol, Protocol::Rns);
        assert_eq!(r.metadata["stim_rate_hz"], "3");
        assert_eq!((r.t0_ms, r.sweep_ms()), (-5.0, 45.0));
        // The CMAP is 5 ms after the stimulus in every sweep.
        let peak = (0..r.sweep_len())
            .min_by(|&a, &b| r.trace(3)[a].total_cmp(&r.trace(3)[b]))
            .unwrap();
        assert!((r.time_ms(peak) - 5.0).abs() < 0.11, "{}", r.time_ms(peak));
    }

    #[test]
    fn a_fast_train_gets_short_sweeps() {
        let r = read(
            recording(&train(50.0, 20), 0.5, &[]),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(r.protocol, Protocol::Hfrns);
        assert_eq!((r.t0_ms, r.sweep_ms()), (-2.0, 20.0));
    }

    #[test]
    fn artifacts_of_different_sizes_are_all_found() {
        let stimuli = train(3.0, 10);
        let mut file = recording(
            &stimuli,
            3.5,
            &[8.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.5, 1.0, 1.0],
        );
        file.channels.truncate(1);
        let r = read(file, &ReadOptions::default()).unwrap();
        let s = r.source.stimuli.unwrap();
        assert_eq!(s.source, StimulusSource::Artifact);
        assert_eq!(s.times_ms.len(), 10);
        for (t, want) in s.times_ms.iter().zip(&stimuli) {
            // The first sample of the artifact.
            assert!(
                (t - (want * FS).round() / FS * 1e3).abs() < 1e-6,
                "{t} vs {want}"
            );
        }
    }

    #[test]
    fn a_missing_stimulus_is_refused_not_misnumbered() {
        let mut stimuli = train(3.0, 10);
        stimuli.remove(4);
        let err = read(recording(&stimuli, 3.5, &[]), &ReadOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("stimuli 4 and 5"), "{text}");
        assert!(text.contains("a stimulus is missing or doubled"), "{text}");
        assert!(text.starts_with("r.edf: "), "{text}");
    }

    #[test]
    fn a_recording_starting_at_its_first_stimulus_keeps_what_it_has() {
        let mut stimuli = train(3.0, 10);
        stimuli[0] = 0.002; // 2 ms from the start: not 5 ms before it
        let mut file = recording(&stimuli[1..], 3.5, &[]);
        file.annotations = stimuli
            .iter()
            .map(|t| Annotation {
                onset_s: *t,
                text: "Stim".into(),
            })
            .collect();
        let mut o = ReadOptions {
            protocol: Some(Protocol::Rns),
            ..ReadOptions::default()
        };
        o.overrides.stim_rate_hz = Some(3.0);
        let r = read(file.clone(), &o).unwrap();
        assert_eq!(r.n_responses(), 10, "no stimulus lost, none renumbered");
        assert!((r.t0_ms + 2.0).abs() < 1e-9, "{}", r.t0_ms);
        // Asked for 5 ms before each stimulus, the first has no room: the
        // train would be misnumbered, so it is refused.
        o.continuous.pre_stimulus_ms = Some(5.0);
        let err = read(file, &o).unwrap_err().to_string();
        assert!(err.contains("stimulus 1 (at 2 ms"), "{err}");
        assert!(err.contains("misnumbered"), "{err}");
    }

    #[test]
    fn stimuli_at_the_end_without_room_are_reported() {
        let stimuli = train(3.0, 10);
        let file = recording(&stimuli, 3.5, &[]);
        let mut o = ReadOptions::default();
        o.overrides.stim_rate_hz = Some(3.0);
        let mut file3 = file;
        // An 11th stimulus 10 ms before the recording ends.
        let last = stimuli[9] + 1.0 / 3.0;
        file3.channels[0] = match &file3.channels[0].data {
            ChannelData::Waveform { segments, .. } => {
                let mut seg = segments[0].clone();
                seg.samples.truncate(((last + 0.01) * FS) as usize);
                Channel {
                    data: ChannelData::Waveform {
                        sampling_rate_hz: FS,
                        segments: vec![seg],
                    },
                    ..file3.channels[0].clone()
                }
            }
            ChannelData::Events { .. } => unreachable!(),
        };
        file3.annotations = stimuli[..10]
            .iter()
            .chain([last].iter())
            .map(|t| Annotation {
                onset_s: *t,
                text: "stim".into(),
            })
            .collect();
        let r = read(file3, &o).unwrap();
        assert_eq!(r.n_responses(), 10);
        assert!(
            r.source.warnings[0].contains("1 stimuli at the end of the recording"),
            "{:?}",
            r.source.warnings
        );
        assert_eq!(r.source.stimuli.unwrap().skipped_ms.len(), 1);
    }

    #[test]
    fn doubled_single_and_too_many_stimuli_are_refused() {
        let mut stimuli = train(3.0, 10);
        stimuli.insert(3, stimuli[2] + 0.001);
        let err = read(recording(&stimuli, 3.5, &[]), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("stimuli 3 and 4"), "{err}");
        let err = read(recording(&[0.1], 0.5, &[]), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("one stimulus found (at 100 ms"), "{err}");
        let mut o = ReadOptions::default();
        o.continuous.stimuli = Some(StimulusSource::Rate);
        o.overrides.stim_rate_hz = Some(1e10);
        o.continuous.first_stimulus_ms = Some(0.0);
        let err = read(recording(&[0.1], 0.5, &[]), &o)
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the plausible 0.1-100 Hz"), "{err}");
        o.overrides.stim_rate_hz = Some(100.0);
        o.continuous.first_stimulus_ms = Some(900.0);
        let err = read(recording(&[0.1], 0.5, &[]), &o)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the first stimulus at 900 ms is outside the recording (0-500 ms)"),
            "{err}"
        );
    }

    #[test]
    fn implausible_channels_are_refused() {
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        if let ChannelData::Waveform {
            sampling_rate_hz, ..
        } = &mut file.channels[0].data
        {
            *sampling_rate_hz = 500.0;
        }
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(
            err.contains("sampled at 500 Hz; EMG recordings are sampled at 1-200 kHz"),
            "{err}"
        );
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        if let ChannelData::Waveform { segments, .. } = &mut file.channels[0].data {
            segments[0].samples[1000] = f64::INFINITY;
        }
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("holds inf at 100 ms"), "{err}");
    }

    #[test]
    fn exercise_stimuli_are_labelled_by_their_times_or_annotations() {
        let stimuli = [0.02, 12.02, 42.02];
        let r = read(recording(&stimuli, 43.0, &[]), &ReadOptions::default()).unwrap();
        assert_eq!(r.protocol, Protocol::Exercise);
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post_0s", "post_30s"]);
        let mut file = recording(&stimuli, 43.0, &[]);
        file.annotations = ["pre", "post", "post_30s"]
            .iter()
            .zip(stimuli)
            .map(|(l, t)| Annotation {
                onset_s: t,
                text: l.to_string(),
            })
            .collect();
        let r = read(file, &ReadOptions::default()).unwrap();
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post", "post_30s"]);
        // Two CMAPs before the exercise: the last is the pre-exercise one.
        let stimuli = [0.02, 3.02, 15.02, 45.02];
        let r = read(recording(&stimuli, 46.0, &[]), &ReadOptions::default()).unwrap();
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post_0s", "post_30s"]);
        assert!(r.source.warnings[0].contains("the last (at 3020 ms) is the pre-exercise CMAP"));
        assert_eq!(r.source.stimuli.unwrap().skipped_ms, [20.0]);
    }

    #[test]
    fn a_given_rate_the_stimuli_contradict_is_reported() {
        let mut o = ReadOptions::default();
        o.overrides.stim_rate_hz = Some(5.0);
        let r = read(recording(&train(3.0, 10), 3.5, &[]), &o).unwrap();
        assert!(
            r.source.warnings[0].contains("the stimuli come at 3 Hz, the given rate is 5 Hz"),
            "{:?}",
            r.source.warnings
        );
    }

    #[test]
    fn ttl_edges_are_found_on_lines_that_rest_high() {
        let x = [5.0, 5.0, 0.0, 0.0, 5.0, 5.0, 5.0, 0.0, 5.0];
        assert_eq!(edges(&x), [2, 7]);
        assert_eq!(edges(&[0.0, 0.0, 5.0, 0.0, 0.0]), [2]);
        assert!(edges(&[1.0; 5]).is_empty());
    }

    #[test]
    fn sweep_options_are_checked() {
        let mut co = ContinuousOptions {
            pre_stimulus_ms: Some(10.0),
            sweep_ms: Some(8.0),
            ..ContinuousOptions::default()
        };
        assert!(check_options(&co).is_err());
        co.sweep_ms = Some(1000.0);
        assert!(check_options(&co).is_err());
        co.sweep_ms = Some(50.0);
        assert!(check_options(&co).is_ok());
    }

    /// Splits every channel into two segments at `split_s`, the second
    /// starting `back_s` earlier than the first ends.
    fn overlapped(mut file: SignalFile, split_s: f64, back_s: f64) -> SignalFile {
        for c in &mut file.channels {
            if let ChannelData::Waveform { segments, .. } = &mut c.data {
                let all = std::mem::take(&mut segments[0].samples);
                let i = (split_s * FS) as usize;
                let (a, b) = all.split_at(i);
                segments[0].samples = a.to_vec();
                segments.push(Segment {
                    start_s: split_s - back_s,
                    samples: b.to_vec(),
                });
            }
        }
        file
    }

    #[test]
    fn overlapping_segments_are_refused_naming_them() {
        let file = overlapped(recording(&train(3.0, 10), 3.5, &[]), 1.0, 0.4);
        let e = read(file, &ReadOptions::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("r.edf"), "{text}");
        assert!(
            text.contains("segment 2 starts at 600 ms, before segment 1 ends (1000 ms)"),
            "{text}"
        );
        // Contiguous segments (one starting where the other ends) read.
        let file = overlapped(recording(&train(3.0, 10), 3.5, &[]), 1.0, 0.0);
        assert_eq!(read(file, &ReadOptions::default()).unwrap().n_responses(), 10);
    }
}
