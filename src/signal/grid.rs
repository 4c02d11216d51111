//! The time grid of one sweep: where the stimulus falls, how many samples
//! a span in ms is (checked: a huge span or a tiny step saturates at the
//! sweep, never overflows), and whether a pre-stimulus baseline exists.

use super::SignalConfig;
use crate::numeric::samples_in;

/// The sample grid of one sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Grid {
    /// Samples in the sweep.
    pub n: usize,
    /// Sampling interval (ms).
    pub dt_ms: f64,
    /// Time of the first sample (ms, relative to the stimulus).
    pub t0_ms: f64,
    /// Index of the first sample at or after the stimulus.
    pub stim: usize,
    /// End (exclusive) of the samples a pre-stimulus baseline may use.
    pub pre_end: usize,
    /// Whether the sweep has a usable pre-stimulus baseline.
    pub has_pre: bool,
}

impl Grid {
    pub fn new(n: usize, t0_ms: f64, dt_ms: f64, config: &SignalConfig) -> Grid {
        let stim = if t0_ms >= 0.0 {
            0
        } else {
            let x = (-t0_ms / dt_ms).ceil();
            if x.is_finite() && x < n as f64 {
                x as usize
            } else {
                n
            }
        };
        let guard = samples_in(config.pre_stimulus_guard_ms, dt_ms, n);
        let pre_end = stim.saturating_sub(guard);
        // The span recorded before the stimulus decides (the guard only trims
        // what the median uses).
        let has_pre = (stim as f64) * dt_ms >= config.min_pre_stimulus_ms - 1e-9 && pre_end >= 8;
        Grid {
            n,
            dt_ms,
            t0_ms,
            stim,
            pre_end,
            has_pre,
        }
    }

    /// Samples in `span_ms` (at least 1, at most the sweep).
    pub fn samples(&self, span_ms: f64) -> usize {
        samples_in(span_ms, self.dt_ms, self.n).max(1)
    }

    /// Time of (fractional) sample `x`.
    pub fn time_ms(&self, x: f64) -> f64 {
        self.t0_ms + x * self.dt_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_saturate_instead_of_overflowing() {
        assert_eq!(samples_in(1e30, 0.05, 100), 100);
        assert_eq!(samples_in(f64::INFINITY, 0.05, 100), 100);
        assert_eq!(samples_in(f64::NAN, 0.05, 100), 0);
        assert_eq!(samples_in(0.3, 1e-20, 100), 100);
        assert_eq!(samples_in(0.3, 0.05, 100), 6);
        let g = Grid::new(100, -1e300, 0.05, &SignalConfig::default());
        assert_eq!(g.stim, 100);
    }
}
