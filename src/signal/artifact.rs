//! The stimulus artifact: where it ends, judged by the trace becoming flat,
//! never by its level against some far reference (the end of a short sweep
//! is still inside the CMAP, and a biphasic artifact's overshoot is not the
//! baseline).

use super::grid::Grid;
use super::takeoff::Quiet;
use super::SignalConfig;
use crate::numeric::stats;

/// Where the artifact is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ArtifactSpan {
    /// First sample after the artifact.
    pub end: usize,
    /// An artifact was seen at all.
    pub present: bool,
    /// No flat window was found before `artifact_max_ms`.
    pub unsettled: bool,
}

/// The tolerances that make a window "flat": its range, and the difference
/// of its halves' means (a decaying tail still slopes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flatness {
    pub window: usize,
    pub range_mv: f64,
    pub slope_mv: f64,
}

/// Fewest samples in a flatness window (two per half; thirds from six).
pub(crate) const MIN_WINDOW: usize = 4;

impl Flatness {
    pub fn new(config: &SignalConfig, g: &Grid, noise_sd: f64) -> Flatness {
        Flatness::with_window(config, g.samples(config.settle_window_ms), noise_sd)
    }

    /// The same tolerances for a window of `window` samples (at least
    /// [`MIN_WINDOW`]).
    pub fn with_window(config: &SignalConfig, window: usize, noise_sd: f64) -> Flatness {
        let window = window.max(MIN_WINDOW);
        // The means of two thirds differ by noise with SD sigma sqrt(6/w);
        // the spread of three such means stays within 2.5 of those SDs.
        let spread_sd = noise_sd * (6.0 / window as f64).sqrt();
        Flatness {
            window,
            range_mv: config.settle_noise_factor * noise_sd + config.settle_floor_mv,
            slope_mv: 2.5 * spread_sd + 0.25 * config.settle_floor_mv,
        }
    }

    /// Whether `w` is flat: its range within noise, and the means of its
    /// thirds level with each other (a decaying tail slopes, and a window
    /// centred on a peak, an artifact's or a CMAP's, bulges in the middle).
    pub fn is_flat(&self, w: &[f64]) -> bool {
        if w.len() < 2 {
            return false;
        }
        let (lo, hi) = stats::range(w);
        if hi - lo > self.range_mv {
            return false;
        }
        let parts = if w.len() >= 6 { 3 } else { 2 };
        let mean = |k: usize| {
            let (a, b) = (k * w.len() / parts, (k + 1) * w.len() / parts);
            w[a..b].iter().sum::<f64>() / (b - a).max(1) as f64
        };
        let means = [mean(0), mean(1), mean(parts - 1)];
        let (m_lo, m_hi) = stats::range(&means);
        m_hi - m_lo <= self.slope_mv
    }
}

/// A window touching the sweep's extreme is on (or leaving) the amplifier
/// rail, not a settled trace: a settled baseline never holds the sweep's
/// largest excursion.
fn is_rail(w: &[f64], lo: f64, hi: f64) -> bool {
    let span = hi - lo;
    span > 0.0
        && w.iter()
            .any(|v| (v - hi).abs() <= 1e-9 * span || (v - lo).abs() <= 1e-9 * span)
}

/// Finds the end of the artifact: the first flat window after the stimulus
/// that is not a rail. The artifact is present when the samples before that
/// window stray from its level by more than `artifact_min_mv` (and 20 noise
/// SDs). With no flat window before `artifact_max_ms`, the artifact runs
/// into the response.
pub(crate) fn locate(
    y: &[f64],
    g: &Grid,
    config: &SignalConfig,
    flat: &Flatness,
    noise_sd: f64,
    scratch: &mut Vec<f64>,
) -> ArtifactSpan {
    let n = y.len();
    let s = g.stim;
    let min_end = (s + g.samples(config.artifact_min_ms)).min(n.saturating_sub(1));
    let search_end = (s + g.samples(config.artifact_max_ms)).min(n.saturating_sub(flat.window));
    let (lo, hi) = stats::range(&y[s.min(n)..]);
    let threshold = config.artifact_min_mv.max(20.0 * noise_sd);
    let settled = (s..=search_end.max(s)).find(|&i| {
        let w = &y[i..(i + flat.window).min(n)];
        flat.is_flat(w) && !is_rail(w, lo, hi)
    });
    match settled {
        Some(i) => {
            let level = stats::median(&y[i..(i + flat.window).min(n)], scratch).unwrap_or(0.0);
            // With a flat start, look at the first 0.5 ms for a small
            // artifact hiding under the window's tolerance.
            let probe_end = (s + g.samples(0.5)).max(i).min(n);
            let excursion = y[s.min(n)..probe_end]
                .iter()
                .map(|v| (v - level).abs())
                .fold(0.0, f64::max);
            let present = excursion > threshold;
            ArtifactSpan {
                end: if present { i.max(min_end) } else { min_end },
                present,
                unsettled: false,
            }
        }
        None => {
            // Against the pre-stimulus level when there is one; otherwise
            // the early sweep's own spread tells.
            let level = if g.has_pre {
                stats::median(&y[..g.pre_end], scratch).unwrap_or(0.0)
            } else {
                y[search_end.max(s).min(n.saturating_sub(1))]
            };
            let excursion = y[s.min(n)..(s + g.samples(0.5)).min(n)]
                .iter()
                .map(|v| (v - level).abs())
                .fold(0.0, f64::max);
            let present = excursion > threshold;
            ArtifactSpan {
                end: if present {
                    search_end.max(min_end)
                } else {
                    min_end
                },
                present,
                unsettled: present,
            }
        }
    }
}

/// The artifact's span once the response's quiet stretch is known: it ends
/// where that flat stretch begins (found from the response backwards, so a
/// flat-topped overshoot is never taken for the end); it is present when the
/// samples before stray from the stretch's level; it has not settled when
/// the stretch still slopes. Without a response, the forward search stands.
pub(crate) fn settle(
    y: &[f64],
    g: &Grid,
    config: &SignalConfig,
    first: ArtifactSpan,
    quiet: Option<Quiet>,
    noise_sd: f64,
    scratch: &mut Vec<f64>,
) -> ArtifactSpan {
    let Some(q) = quiet else {
        return first;
    };
    let n = y.len();
    let s = g.stim.min(n);
    let min_end = (s + g.samples(config.artifact_min_ms)).min(n.saturating_sub(1));
    let level = stats::median(&y[q.lo..q.hi.max(q.lo + 1).min(n)], scratch).unwrap_or(0.0);
    let end = q.settled_from.max(min_end);
    let excursion = y[s..end.max(s)]
        .iter()
        .map(|v| (v - level).abs())
        .fold(0.0, f64::max);
    let present = excursion > config.artifact_min_mv.max(20.0 * noise_sd);
    ArtifactSpan {
        end: if present { end } else { min_end },
        present,
        unsettled: present && !q.flat,
    }
}
