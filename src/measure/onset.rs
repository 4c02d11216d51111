//! The onset: where the CMAP's negative edge takes off from the baseline.
//!
//! First a level noise cannot reach is crossed; from there the takeoff is
//! found walking back along the smoothed edge while it stays below the
//! noise band and steeper than noise allows; then the parabolic shape of a
//! takeoff extrapolates back under the noise.

use super::MeasureConfig;

/// Low and high points of the leading edge used to extrapolate the takeoff
/// (fractions of the amplitude); sqrt(0.32 / 0.08) = 2 makes the parabola's
/// extrapolation one interval back.
const EDGE_LOW: f64 = 0.08;
const EDGE_HIGH: f64 = 0.32;

/// What the onset search needs to know about one response.
pub(super) struct Edge<'a> {
    /// The smoothed, oriented trace (negative phase negative).
    pub smooth: &'a [f64],
    /// First sample after the artifact.
    pub start: usize,
    /// The negative peak's sample.
    pub peak: usize,
    /// The amplitude (mV, positive).
    pub amplitude: f64,
    /// Noise SD (mV).
    pub noise_sd: f64,
    /// Wander of the baseline (mV).
    pub baseline_spread: f64,
    /// Smoothing width (samples).
    pub width: usize,
    /// Sampling interval (ms).
    pub dt_ms: f64,
}

/// The onset found on an edge.
pub(super) struct Onset {
    /// Fractional sample index.
    pub x: f64,
    /// The edge was still below the threshold where the artifact ended:
    /// the response began under the artifact.
    pub under_artifact: bool,
}

/// Finds the onset.
pub(super) fn find(e: &Edge, c: &MeasureConfig) -> Onset {
    let (s, a) = (e.smooth, e.start);
    let threshold = (c.onset_noise_factor * e.noise_sd).max(c.onset_fraction * e.amplitude);
    // The noise band: white noise after smoothing, and at least half the
    // baseline's own wander (hum, residual artifact).
    let floor = (e.noise_sd / (e.width as f64).sqrt())
        .max(0.5 * e.baseline_spread)
        .max(1e-4 * e.amplitude);
    let mut j = e.peak;
    while j > a && s[j] < -threshold {
        j -= 1;
    }
    // Walk back while the trace is below the band and still rising towards
    // zero going backwards faster than noise, hum or a residual artifact
    // tail can make it: the takeoff is where the steep edge ends.
    let slope_step = (3.0 * std::f64::consts::SQRT_2 * e.noise_sd / e.width as f64)
        .max(c.onset_min_slope_per_ms * e.amplitude * e.dt_ms);
    while j > a && s[j - 1] < -floor && s[j] - s[j - 1] < -slope_step {
        j -= 1;
    }
    let x = band_exit(s, a, j, floor);
    // A CMAP leaves its baseline like a parabola: where noise hides the
    // first tenth of a millisecond, the 8% and 32% crossings of the edge
    // extrapolate back to where it left (for y ~ t^2 the 8% point is as far
    // after the takeoff as the 32% point is after the 8% point).
    let x = match (
        crossing_before(s, e.peak, a, -EDGE_LOW * e.amplitude),
        crossing_before(s, e.peak, a, -EDGE_HIGH * e.amplitude),
    ) {
        (Some(x8), Some(x32)) if x32 > x8 => x.min(x8 - (x32 - x8)).max(a as f64),
        _ => x,
    };
    Onset {
        x,
        under_artifact: j <= a && s[a] < -threshold,
    }
}

/// Where the walk back stopped at `j`: on the edge (its slope fell to
/// noise), or at the noise band.
fn band_exit(s: &[f64], a: usize, j: usize, floor: f64) -> f64 {
    let n = s.len();
    if s[j] < -floor && j + 1 < n {
        // Stopped on the edge rather than at the noise band: extrapolate
        // the edge back, by at most one sample, to the level just before it
        // (the local baseline, which residual hum or drift may hold off
        // zero). This halves the lateness of a gradual takeoff.
        let level = if j > a { s[j - 1].min(0.0) } else { 0.0 };
        let drop = s[j] - s[j + 1];
        let back = if drop > 1e-12 {
            ((level - s[j]) / drop).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (j as f64 - back).max(a as f64)
    } else if j > a || s[a] >= -floor {
        // Interpolate the crossing of -floor between j and j+1.
        let (v0, v1) = (s[j], s[(j + 1).min(n - 1)]);
        let frac = if (v0 - v1).abs() > 1e-12 {
            ((v0 + floor) / (v0 - v1)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        j as f64 + frac
    } else {
        a as f64
    }
}

/// The fractional index where `s` last rises above `level` walking back
/// from `from` (going backwards, the first sample at or above it), linearly
/// interpolated; `None` when it stays below down to `stop`.
fn crossing_before(s: &[f64], from: usize, stop: usize, level: f64) -> Option<f64> {
    let mut k = from;
    while k > stop && s[k] < level {
        k -= 1;
    }
    if s[k] < level || k + 1 >= s.len() {
        return None;
    }
    let (v0, v1) = (s[k], s[k + 1]);
    let frac = if (v0 - v1).abs() > 1e-12 {
        ((v0 - level) / (v0 - v1)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Some(k as f64 + frac)
}
