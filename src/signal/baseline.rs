//! The baseline of one sweep: the quiet stretch just before the response's
//! takeoff (found from the response backwards), or the pre-stimulus samples
//! when they agree with it or there is no such stretch; then linear drift
//! from a late, flat end of the sweep.

use super::grid::Grid;
use super::takeoff::Quiet;
use super::SignalConfig;
use crate::model::BaselineSource;
use crate::numeric::stats;

/// The chosen baseline: its level, the window it came from, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Baseline {
    /// Level (mV, raw units).
    pub level: f64,
    /// The window it was taken from.
    pub lo: usize,
    /// End of the window (exclusive).
    pub hi: usize,
    /// Where it came from.
    pub source: BaselineSource,
}

/// Chooses the baseline: the flat quiet stretch just before the takeoff
/// (the level the response leaves, free of any previous response's tail or
/// pre-stimulus wander); the pre-stimulus median when there is no such
/// stretch or it still slopes; the first half millisecond after the
/// stimulus when there is neither.
pub(crate) fn choose(
    y: &[f64],
    g: &Grid,
    quiet: Option<Quiet>,
    scratch: &mut Vec<f64>,
) -> Baseline {
    let mut pre = || stats::median(&y[..g.pre_end], scratch).unwrap_or(0.0);
    match (g.has_pre, quiet) {
        (true, Some(q)) if !q.flat => pre_baseline(g, pre()),
        (_, Some(q)) => {
            let level = stats::median(&y[q.lo..q.hi], scratch).unwrap_or(0.0);
            quiet_baseline(q, level)
        }
        (true, None) => pre_baseline(g, pre()),
        (false, None) => {
            let hi = (g.stim + g.samples(0.5)).min(y.len());
            Baseline {
                level: stats::median(&y[g.stim.min(hi)..hi], scratch).unwrap_or(0.0),
                lo: g.stim.min(hi),
                hi,
                source: BaselineSource::PostArtifact,
            }
        }
    }
}

fn pre_baseline(g: &Grid, level: f64) -> Baseline {
    Baseline {
        level,
        lo: 0,
        hi: g.pre_end,
        source: BaselineSource::PreStimulus,
    }
}

fn quiet_baseline(q: Quiet, level: f64) -> Baseline {
    Baseline {
        level,
        lo: q.lo,
        hi: q.hi,
        source: BaselineSource::PostArtifact,
    }
}

/// Linear drift (mV per ms) from a second anchor at the end of the sweep,
/// used only when that end is late (the CMAP is over) and flat (its own
/// slope agrees with the anchor line, or is within what noise and the
/// baseline window's wander allow).
pub(crate) fn drift(
    y: &[f64],
    g: &Grid,
    base: &Baseline,
    config: &SignalConfig,
    noise_sd: f64,
    scratch: &mut Vec<f64>,
) -> f64 {
    let n = y.len();
    let tail_len = g.samples(config.drift_window_ms).max(8);
    if !config.drift_correction || n <= tail_len + base.hi {
        return 0.0;
    }
    let start = n - tail_len;
    if g.time_ms(start as f64) < config.drift_min_start_ms {
        return 0.0;
    }
    let half = tail_len / 2;
    let m_a = stats::median(&y[start..start + half], scratch).unwrap_or(0.0);
    let m_b = stats::median(&y[start + half..], scratch).unwrap_or(0.0);
    let b2 = 0.5 * (m_a + m_b);
    let c1 = g.time_ms(0.5 * (base.lo + base.hi.saturating_sub(1)) as f64);
    let c2 = g.time_ms(start as f64 + 0.5 * (tail_len - 1) as f64);
    let half_ms = half as f64 * g.dt_ms;
    let slope_tail = (m_b - m_a) / half_ms.max(g.dt_ms);
    let slope = (b2 - base.level) / (c2 - c1).max(g.dt_ms);
    // Hum and other slow wander move half-window medians as much as the
    // baseline window's own range.
    let (lo, hi) = stats::range(&y[base.lo..base.hi.max(base.lo + 1).min(n)]);
    let wander = if hi >= lo { hi - lo } else { 0.0 };
    let noise_slope = (4.0 * noise_sd).max(wander) / half_ms.max(g.dt_ms) + 1e-6;
    if (slope_tail - slope).abs() <= noise_slope.max(0.5 * slope.abs()) {
        slope
    } else {
        0.0
    }
}
