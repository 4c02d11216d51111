//! Checks on the stimuli found: how many, at one rate, none missed, and an
//! exercise series's pre-exercise CMAP.

use std::path::Path;

use crate::io::read::assemble::Meta;

use super::channel::names_stimulus;
use super::sources::{from_artifacts, is_metadata, meta_number, Found, MAX_STIMULI};
use crate::error::{show, Error, Location, Result};
use crate::io::options::ReadOptions;
use crate::io::read::signals::{Channel, ChannelData, Segment, SignalFile};
use crate::model::{ResponseLabel, StimulusSource};

/// An interval this much longer than the train's median means a stimulus
/// was missed: the decrement to the 4th *recorded* response would then be
/// to the wrong response.
/// Stimuli this far apart (median, s) are a pre/post exercise series, not a
/// train: no train is slower than 1 Hz, and exercise lasts 10 s or more.
pub(super) const EXERCISE_MIN_INTERVAL_S: f64 = 5.0;

pub(super) const MAX_INTERVAL_RATIO: f64 = 1.5;

/// A given rate that differs from the stimuli's own by more than this
/// fraction is reported.
pub(super) const RATE_MISMATCH: f64 = 0.05;

/// Stimuli of an exercise series closer than this (s) are one stimulus
/// marked twice: its CMAPs are seconds apart.
pub(super) const EXERCISE_MIN_GAP_S: f64 = 1.0;

/// At least two stimuli (a train, or a pre and a post), and not more than
/// any test has.
pub(super) fn check_count(path: &Path, found: &Found) -> Result<()> {
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
                found.source.describe()
            )
        } else {
            format!(
                "{n} stimuli found (from {}); no test has more than {MAX_STIMULI}: check the rate, or cut the recording",
                found.source.describe()
            )
        },
    })
}

/// An exercise series: stimuli seconds apart, one before the exercise. Of
/// several before it (stimuli less than five seconds apart before the first
/// longer gap), the last is the pre-exercise CMAP; the others are listed as
/// not used.
pub(super) fn exercise_stimuli(
    path: &Path,
    found: &mut Found,
    warnings: &mut Vec<String>,
) -> Result<()> {
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
                    found.source.describe(),
                    show((w[1] - w[0]) * 1e3)
                ),
            });
        }
    }
    if let Some(labels) = &found.labels {
        return check_exercise_labels(path, &found.times_s, labels, warnings);
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

/// An exercise series labelled by its annotations: `pre` before every
/// post-exercise CMAP, and those in the order of their seconds (a label on
/// the wrong CMAP would change the increment without a word).
fn check_exercise_labels(
    path: &Path,
    times: &[f64],
    labels: &[ResponseLabel],
    warnings: &mut Vec<String>,
) -> Result<()> {
    let mut last: Option<(f64, &ResponseLabel)> = None;
    for (t, label) in times.iter().zip(labels) {
        let seconds = match label {
            ResponseLabel::Pre => -1.0,
            other => other.post_time_s().unwrap_or(f64::NAN),
        };
        let rises = |before: f64| seconds.partial_cmp(&before) == Some(std::cmp::Ordering::Greater);
        if let Some((_, earlier)) = last.filter(|(before, _)| !rises(*before)) {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "the annotation {:?} (at {} ms) comes after {:?}: an exercise series runs pre, post_0s, post_<N>s with N rising; check the labels",
                    label.to_string(),
                    show(t * 1e3),
                    earlier.to_string()
                ),
            });
        }
        last = Some((seconds, label));
    }
    note_label_seconds(times, labels, warnings);
    Ok(())
}

/// How far a post-exercise label's seconds may be from the time it was
/// recorded after the first post-exercise CMAP: a few seconds, or a fifth
/// of the time (labels round, and the first CMAP comes as the exercise
/// ends).
const LABEL_SECONDS_SLACK: (f64, f64) = (5.0, 0.2);

/// A post-exercise label whose seconds its recorded time contradicts is
/// reported (the series' times come from the labels).
fn note_label_seconds(times: &[f64], labels: &[ResponseLabel], warnings: &mut Vec<String>) {
    let Some(first) = labels.iter().position(|l| l.post_time_s().is_some()) else {
        return;
    };
    for (t, label) in times.iter().zip(labels).skip(first + 1) {
        let Some(said) = label.post_time_s() else {
            continue;
        };
        let recorded = t - times[first];
        let (floor, share) = LABEL_SECONDS_SLACK;
        if (recorded - said).abs() > floor + share * said {
            warnings.push(format!(
                "the CMAP labelled {:?} was recorded {} s after the first post-exercise CMAP; its label says {} s",
                label.to_string(),
                show((recorded * 10.0).round() / 10.0),
                show(said)
            ));
        }
    }
}

pub(super) fn median_interval_s(times: &[f64]) -> f64 {
    let mut d: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return f64::INFINITY;
    }
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
}

/// A train's stimuli come at one rate: a gap means a stimulus was missed
/// (or a marker lost), and the responses after it would be misnumbered.
pub(super) fn check_regular(path: &Path, found: &Found) -> Result<()> {
    let median = median_interval_s(&found.times_s);
    for (k, w) in found.times_s.windows(2).enumerate() {
        let d = w[1] - w[0];
        if d <= 0.0 {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "stimuli {} and {} (from {}) are both at {} ms: one stimulus marked twice? Name the stimuli another way (--stimuli) or remove the second mark",
                    k + 1,
                    k + 2,
                    found.source.describe(),
                    show(w[0] * 1e3)
                ),
            });
        }
        if d > MAX_INTERVAL_RATIO * median || d < median / MAX_INTERVAL_RATIO {
            return Err(Error::NoStimuli {
                at: Location::file(path),
                detail: format!(
                    "stimuli {} and {} (at {} and {} ms, from {}) are {} ms apart where the train's interval is {} ms: a stimulus is missing or doubled, and the responses after it would be misnumbered; name the stimuli another way (--stimuli) or cut the file",
                    k + 1,
                    k + 2,
                    show(w[0] * 1e3),
                    show(w[1] * 1e3),
                    found.source.describe(),
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
pub(super) fn note_rate(
    meta: &mut Meta,
    times: &[f64],
    warnings: &mut Vec<String>,
    options: &ReadOptions,
) {
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

/// Where a stimulus the source missed before a train's first would lie, in
/// intervals before the first found: one interval, give or take half.
pub(super) const MISSED_FIRST_WINDOW: (f64, f64) = (0.5, 1.5);

/// Stimuli of the train the artifact search before it also covers: enough
/// that the train's own artifacts set the size a stimulus must have.
const MISSED_FIRST_CONTEXT: f64 = 4.5;

/// A train whose first stimulus the source missed (a mistyped annotation, a
/// trigger pulse too small, a malformed annotation) reads one response
/// short at the start, and every response is misnumbered: the decrement is
/// to the wrong response. Something that looks like a stimulus one
/// interval before the first found (an annotation not read as one, or a
/// stimulus artifact on the measured channel) refuses the file. A first
/// stimulus given by time (`--stimuli rate`) is the user's word and is not
/// second-guessed; artifacts are not looked for when they are the source.
pub(super) fn check_first(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    found: &Found,
) -> Result<()> {
    let (Some(&first), interval) = (found.times_s.first(), median_interval_s(&found.times_s))
    else {
        return Ok(());
    };
    // A time given, or a block's own trigger, is not second-guessed.
    if matches!(found.source, StimulusSource::Rate | StimulusSource::Blocks)
        || !interval.is_finite()
    {
        return Ok(());
    }
    let (near, far) = MISSED_FIRST_WINDOW;
    let window = (first - far * interval)..=(first - near * interval);
    let annotation = file
        .annotations
        .iter()
        .filter(|a| !is_metadata(&a.text))
        .find(|a| window.contains(&a.onset_s))
        .map(|a| {
            format!(
                "the annotation {:?} at {} ms",
                a.text,
                show(a.onset_s * 1e3)
            )
        });
    let artifact = || {
        (found.source != StimulusSource::Artifact)
            .then(|| {
                let end = first + MISSED_FIRST_CONTEXT * interval;
                let part = channel_between(&file.channels[chosen], *window.start(), end);
                from_artifacts(&part)?
                    .into_iter()
                    .find(|t| window.contains(t))
            })
            .flatten()
            .map(|t| format!("a stimulus artifact at {} ms", show(t * 1e3)))
    };
    let response = || response_before(&file.channels[chosen], &window, first, interval);
    let Some(evidence) = annotation.or_else(artifact).or_else(response) else {
        return Ok(());
    };
    Err(Error::NoStimuli {
        at: Location::file(path),
        detail: format!(
            "the train's first stimulus found (at {} ms, from {}) has {evidence} one interval ({} ms) before it: the first stimulus may have been missed, and every response would be misnumbered; give the stimuli by time (--stimuli rate --rate R --first-stimulus-ms T) or cut the file",
            show(first * 1e3),
            found.source.describe(),
            show(interval * 1e3)
        ),
    })
}

/// A deflection this large against the first response (peak to peak)
/// before a train's first stimulus is a response whose stimulus was not
/// found (a recording that starts at its first stimulus, whose trigger
/// edge or artifact falls before the first sample).
const MISSED_RESPONSE_FRACTION: f64 = 0.5;

/// A response-sized deflection in `window`, against the first found
/// response's (each over the same span: up to half an interval, or 30 ms).
fn response_before(
    channel: &Channel,
    window: &std::ops::RangeInclusive<f64>,
    first: f64,
    interval: f64,
) -> Option<String> {
    const SPAN_S: f64 = 0.03;
    let span = (0.5 * interval).min(SPAN_S);
    let peak_to_peak = |from: f64, to: f64| {
        let part = channel_between(channel, from, to);
        let (_, segments) = part.waveform()?;
        let (lo, hi) = segments
            .iter()
            .flat_map(|s| s.samples.iter())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        (hi > lo).then_some((hi - lo, lo, hi))
    };
    let (first_pp, ..) = peak_to_peak(first, first + span)?;
    let (before_pp, ..) = peak_to_peak(*window.start(), *window.end())?;
    (before_pp >= MISSED_RESPONSE_FRACTION * first_pp).then(|| {
        format!(
            "a response-sized deflection ({} peak to peak, the first response's {} in the channel's unit) between {} and {} ms",
            show(before_pp),
            show(first_pp),
            show(window.start().max(0.0) * 1e3),
            show(window.end() * 1e3)
        )
    })
}

/// The part of a waveform channel between two times (s).
fn channel_between(channel: &Channel, from_s: f64, to_s: f64) -> Channel {
    let Some((fs, segments)) = channel.waveform() else {
        return channel.clone();
    };
    let segments = segments
        .iter()
        .filter_map(|s| {
            let index =
                |t: f64| (((t - s.start_s) * fs).max(0.0).ceil() as usize).min(s.samples.len());
            let (a, b) = (index(from_s), index(to_s));
            (b > a + 1).then(|| Segment {
                start_s: s.start_s + a as f64 / fs,
                samples: s.samples[a..b].to_vec(),
            })
        })
        .collect();
    Channel {
        name: channel.name.clone(),
        unit: channel.unit.clone(),
        data: ChannelData::Waveform {
            sampling_rate_hz: fs,
            segments,
        },
    }
}

/// Annotations that are neither metadata (`key: value`), nor a response
/// label (`r1`, `pre`), nor a stimulus word: listed, so a mistyped one is
/// seen.
pub(super) fn note_unread_annotations(file: &SignalFile, warnings: &mut Vec<String>) {
    let unread: Vec<String> = file
        .annotations
        .iter()
        .filter(|a| !is_metadata(&a.text))
        .filter(|a| matches!(ResponseLabel::parse(&a.text), ResponseLabel::Other(_)))
        .filter(|a| !names_stimulus(&a.text))
        .map(|a| format!("{:?} at {} ms", a.text, show(a.onset_s * 1e3)))
        .collect();
    if unread.is_empty() {
        return;
    }
    const SHOWN: usize = 10;
    let more = unread.len().saturating_sub(SHOWN);
    warnings.push(format!(
        "annotations not read as stimuli or labels: {}{}",
        unread[..unread.len().min(SHOWN)].join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ));
}
