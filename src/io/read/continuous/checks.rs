//! Checks on the stimuli found: how many, at one rate, none missed, and an
//! exercise series's pre-exercise CMAP.

use std::path::Path;

use crate::io::read::assemble::Meta;

use super::sources::{describe_source, meta_number, Found, MAX_STIMULI};
use crate::error::{show, Error, Location, Result};
use crate::io::ReadOptions;

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
