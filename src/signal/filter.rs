//! Optional zero-phase filtering in the frequency domain.
//!
//! The trace is mirrored at both ends (to keep edge effects away from the
//! response), transformed with `realfft`, multiplied by a real, non-negative
//! gain and transformed back. A real gain has zero phase, so onset and peak do
//! not move. The gains are the squared magnitudes of Butterworth sections,
//! which is what running the section forward and backward gives.

use std::collections::HashMap;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use serde::{Deserialize, Serialize};

/// Filter settings. All off by default: EMG machines already filter, and an
/// unfiltered trace is what the user saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterConfig {
    /// Master switch (default `false`).
    pub enabled: bool,
    /// High-pass corner (default 2 Hz, order 2); `None` for none.
    pub highpass_hz: Option<f64>,
    /// Low-pass corner (default 10 kHz, order 2); `None` for none. Corners at
    /// or above the Nyquist frequency are ignored.
    pub lowpass_hz: Option<f64>,
    /// Mains frequency to notch out with its harmonics (50 or 60); `None` for
    /// none (default).
    pub notch_hz: Option<f64>,
    /// Number of harmonics notched, counting the fundamental (default 3).
    pub notch_harmonics: u32,
    /// Half-width of each notch (default 3 Hz).
    pub notch_width_hz: f64,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            enabled: false,
            highpass_hz: Some(2.0),
            lowpass_hz: Some(10_000.0),
            notch_hz: None,
            notch_harmonics: 3,
            notch_width_hz: 3.0,
        }
    }
}

impl FilterConfig {
    /// Gain at `f_hz`.
    fn gain(&self, f_hz: f64) -> f64 {
        let mut g = 1.0;
        if let Some(fc) = self.highpass_hz.filter(|&f| f > 0.0) {
            // |H|^2 of a 2nd-order Butterworth high-pass.
            // The DC level belongs to the baseline stage, which has already
            // removed it; the high-pass acts on slow waves only.
            if f_hz > 0.0 {
                g *= 1.0 / (1.0 + (fc / f_hz).powi(4));
            }
        }
        if let Some(fc) = self.lowpass_hz.filter(|&f| f > 0.0) {
            g *= 1.0 / (1.0 + (f_hz / fc).powi(4));
        }
        if let Some(mains) = self.notch_hz.filter(|&f| f > 0.0) {
            let w = self.notch_width_hz.max(0.1);
            for k in 1..=self.notch_harmonics.max(1) {
                let d = (f_hz - mains * k as f64) / w;
                g *= 1.0 - (-0.5 * d * d).exp();
            }
        }
        g
    }
}

struct Plan {
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    spectrum: Vec<Complex<f64>>,
    scratch_fwd: Vec<Complex<f64>>,
    scratch_inv: Vec<Complex<f64>>,
    /// Gains per bin, for the rate they were computed at.
    gains: Vec<f64>,
    gains_rate_hz: f64,
}

/// Plans FFTs once per length and reuses buffers across calls.
#[derive(Default)]
pub struct ZeroPhaseFilter {
    planner: RealFftPlanner<f64>,
    plans: HashMap<usize, Plan>,
    extended: Vec<f64>,
}

impl std::fmt::Debug for ZeroPhaseFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZeroPhaseFilter")
            .field("planned_lengths", &self.plans.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ZeroPhaseFilter {
    /// Filters `y` in place.
    pub fn apply(&mut self, config: &FilterConfig, y: &mut [f64], sampling_rate_hz: f64) {
        let n = y.len();
        if n < 4 {
            return;
        }
        // Mirror both ends: [reversed tail-of-start | y | reversed end].
        let pad = n;
        let len = n + 2 * pad;
        self.extended.clear();
        self.extended
            .extend((1..=pad).rev().map(|i| y[i.min(n - 1)]));
        self.extended.extend_from_slice(y);
        self.extended
            .extend((0..pad).map(|i| y[n.saturating_sub(2 + i).min(n - 1)]));
        let planner = &mut self.planner;
        let plan = self.plans.entry(len).or_insert_with(|| {
            let forward = planner.plan_fft_forward(len);
            let inverse = planner.plan_fft_inverse(len);
            Plan {
                spectrum: forward.make_output_vec(),
                scratch_fwd: forward.make_scratch_vec(),
                scratch_inv: inverse.make_scratch_vec(),
                forward,
                inverse,
                gains: Vec::new(),
                gains_rate_hz: f64::NAN,
            }
        });
        if plan.gains_rate_hz != sampling_rate_hz || plan.gains.len() != plan.spectrum.len() {
            let df = sampling_rate_hz / len as f64;
            let nyquist = sampling_rate_hz / 2.0;
            let mut effective = config.clone();
            if effective.lowpass_hz.is_some_and(|f| f >= nyquist) {
                effective.lowpass_hz = None;
            }
            plan.gains = (0..plan.spectrum.len())
                .map(|k| effective.gain(k as f64 * df))
                .collect();
            plan.gains_rate_hz = sampling_rate_hz;
        }
        if plan
            .forward
            .process_with_scratch(
                &mut self.extended,
                &mut plan.spectrum,
                &mut plan.scratch_fwd,
            )
            .is_err()
        {
            return;
        }
        for (c, g) in plan.spectrum.iter_mut().zip(&plan.gains) {
            *c *= *g;
        }
        // The DC and Nyquist bins of a real signal must be real.
        if let Some(first) = plan.spectrum.first_mut() {
            first.im = 0.0;
        }
        if len.is_multiple_of(2) {
            if let Some(last) = plan.spectrum.last_mut() {
                last.im = 0.0;
            }
        }
        if plan
            .inverse
            .process_with_scratch(
                &mut plan.spectrum,
                &mut self.extended,
                &mut plan.scratch_inv,
            )
            .is_err()
        {
            return;
        }
        let scale = 1.0 / len as f64;
        for (dst, src) in y.iter_mut().zip(&self.extended[pad..pad + n]) {
            *dst = src * scale;
        }
    }

    /// Forgets cached gains (call when the configuration changes).
    pub fn reset_gains(&mut self) {
        for plan in self.plans.values_mut() {
            plan.gains_rate_hz = f64::NAN;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowpass_keeps_slow_and_removes_fast_sines() {
        let fs = 20_000.0;
        let n = 2000;
        let slow: Vec<f64> = (0..n)
            .map(|i| (2.0 * std::f64::consts::PI * 100.0 * i as f64 / fs).sin())
            .collect();
        let mut y: Vec<f64> = slow
            .iter()
            .enumerate()
            .map(|(i, s)| s + (2.0 * std::f64::consts::PI * 8000.0 * i as f64 / fs).sin())
            .collect();
        let config = FilterConfig {
            enabled: true,
            highpass_hz: None,
            lowpass_hz: Some(1000.0),
            ..FilterConfig::default()
        };
        let mut f = ZeroPhaseFilter::default();
        f.apply(&config, &mut y, fs);
        // Away from the ends the slow sine comes back within 2%.
        for i in 200..1800 {
            assert!(
                (y[i] - slow[i]).abs() < 0.02,
                "i {i}: {} vs {}",
                y[i],
                slow[i]
            );
        }
    }

    #[test]
    fn notch_removes_mains_hum() {
        let fs = 5_000.0;
        let n = 5000;
        let mut y: Vec<f64> = (0..n)
            .map(|i| 0.1 * (2.0 * std::f64::consts::PI * 50.0 * i as f64 / fs).sin())
            .collect();
        let config = FilterConfig {
            enabled: true,
            highpass_hz: None,
            lowpass_hz: None,
            notch_hz: Some(50.0),
            ..FilterConfig::default()
        };
        ZeroPhaseFilter::default().apply(&config, &mut y, fs);
        let rms = (y[1000..4000].iter().map(|v| v * v).sum::<f64>() / 3000.0).sqrt();
        assert!(rms < 0.005, "residual hum rms {rms}");
    }
}
