//! Recording conditions, apart from physiology: how real equipment turns a
//! physiological sweep (the noise-free CMAP, in mV, negative phase negative)
//! into the samples an EMG machine exports.
//!
//! The layer adds, in this order: the previous response's tail (high-rate
//! trains), the stimulus artifact (none, monophasic exponential, biphasic
//! with an opposite-sign overshoot, or a spike clipped at the amplifier rail
//! with a slow recovery), mains hum, linear drift, white noise, the rail,
//! inversion, a DC offset and ADC quantisation. The sweep can start before
//! the stimulus or at it, and can end before the CMAP has.
//!
//! [`Truth`] is computed from the physiological sweep alone, so a test can
//! compare any measurement with what the muscle did.

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The stimulus artifact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "shape")]
#[non_exhaustive]
pub enum Artifact {
    /// No artifact.
    None,
    /// `A exp(-t / tau)` from the stimulus.
    Monophasic {
        /// Peak (mV, either sign).
        amplitude_mv: f64,
        /// Decay time constant (ms).
        tau_ms: f64,
    },
    /// A spike followed by an overshoot of the opposite sign that decays
    /// more slowly, as an amplifier's coupling makes:
    /// `A exp(-t/tau) - r A (1 - exp(-t/tau)) exp(-t/tau2)`. The spike's own
    /// decay overlaps the overshoot, so its visible trough is about a third
    /// to a half of `r A`.
    Biphasic {
        /// Spike peak (mV, either sign).
        amplitude_mv: f64,
        /// Spike decay (ms).
        tau_ms: f64,
        /// Overshoot size `r` as a fraction of the spike (0-1).
        overshoot: f64,
        /// Overshoot decay (ms).
        overshoot_tau_ms: f64,
    },
    /// A spike that drives the amplifier to its rail (the recorded signal is
    /// clamped to +/- `rail_mv` around the offset) and recovers with a slow
    /// tail of the spike's sign (5% of it, decaying in `recovery_ms`).
    Clipped {
        /// Spike peak before clipping (mV, either sign).
        amplitude_mv: f64,
        /// Spike decay (ms).
        tau_ms: f64,
        /// Amplifier rail (mV).
        rail_mv: f64,
        /// Recovery time constant (ms).
        recovery_ms: f64,
    },
}

/// Fraction of a clipped spike that remains as the amplifier's slow
/// recovery tail.
const RECOVERY_FRACTION: f64 = 0.05;

impl Artifact {
    /// The artifact at `t_ms` after the stimulus (0 before it).
    pub fn at(&self, t_ms: f64) -> f64 {
        if t_ms < 0.0 {
            return 0.0;
        }
        match *self {
            Artifact::None => 0.0,
            Artifact::Monophasic {
                amplitude_mv,
                tau_ms,
            } => amplitude_mv * (-t_ms / tau_ms).exp(),
            Artifact::Biphasic {
                amplitude_mv,
                tau_ms,
                overshoot,
                overshoot_tau_ms,
            } => {
                let spike = (-t_ms / tau_ms).exp();
                amplitude_mv
                    * (spike - overshoot * (1.0 - spike) * (-t_ms / overshoot_tau_ms).exp())
            }
            Artifact::Clipped {
                amplitude_mv,
                tau_ms,
                recovery_ms,
                ..
            } => {
                amplitude_mv
                    * ((-t_ms / tau_ms).exp() + RECOVERY_FRACTION * (-t_ms / recovery_ms).exp())
            }
        }
    }

    fn rail_mv(&self) -> Option<f64> {
        match *self {
            Artifact::Clipped { rail_mv, .. } => Some(rail_mv),
            _ => None,
        }
    }
}

/// An analogue-to-digital converter: `bits` over +/- `range_mv`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adc {
    /// Resolution (e.g. 12).
    pub bits: u32,
    /// Full scale (mV, symmetric).
    pub range_mv: f64,
}

impl Adc {
    /// The quantisation step (mV).
    pub fn step_mv(&self) -> f64 {
        2.0 * self.range_mv / 2f64.powi(self.bits as i32)
    }
}

/// How a sweep is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingConditions {
    /// Sampling rate (5-100 kHz).
    pub sampling_rate_hz: f64,
    /// Recorded span before the stimulus (ms; 0 = the sweep starts at the
    /// stimulus).
    pub pre_stimulus_ms: f64,
    /// Recorded span after the stimulus (ms).
    pub post_stimulus_ms: f64,
    /// The stimulus artifact.
    pub artifact: Artifact,
    /// DC offset (mV).
    pub offset_mv: f64,
    /// Linear drift across the whole sweep (mV).
    pub drift_mv: f64,
    /// Mains hum amplitude (mV).
    pub hum_mv: f64,
    /// Mains frequency (50 or 60 Hz).
    pub hum_hz: f64,
    /// White-noise SD (mV).
    pub noise_mv: f64,
    /// Quantisation, when the export keeps ADC steps.
    pub adc: Option<Adc>,
    /// The amplifier inverted the signal (positive phase first).
    pub inverted: bool,
    /// In a train, add the previous response's tail to each sweep.
    pub carry_over: bool,
}

impl Default for RecordingConditions {
    /// The simulator's long-standing defaults: 20 kHz, 5 ms before and 40 ms
    /// after the stimulus, a 3 mV artifact decaying in 0.15 ms, 10 uV noise.
    fn default() -> Self {
        RecordingConditions {
            sampling_rate_hz: 20_000.0,
            pre_stimulus_ms: 5.0,
            post_stimulus_ms: 40.0,
            artifact: Artifact::Monophasic {
                amplitude_mv: 3.0,
                tau_ms: 0.15,
            },
            offset_mv: 0.0,
            drift_mv: 0.0,
            hum_mv: 0.0,
            hum_hz: 50.0,
            noise_mv: 0.01,
            adc: None,
            inverted: false,
            carry_over: false,
        }
    }
}

impl RecordingConditions {
    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`Error::Simulation`] naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::Simulation(what.to_string()));
        if !(5_000.0..=100_000.0).contains(&self.sampling_rate_hz) {
            return bad("sampling rate must be between 5 and 100 kHz");
        }
        if !(0.0..=100.0).contains(&self.pre_stimulus_ms) {
            return bad("pre-stimulus span must be between 0 and 100 ms");
        }
        if !(5.0..=500.0).contains(&self.post_stimulus_ms) {
            return bad("post-stimulus span must be between 5 and 500 ms");
        }
        let finite = [self.offset_mv, self.drift_mv, self.hum_mv, self.noise_mv]
            .iter()
            .all(|v| v.is_finite());
        if !finite || self.noise_mv < 0.0 || self.hum_mv < 0.0 {
            return bad("offset, drift, hum and noise must be finite (hum and noise not negative)");
        }
        if let Some(adc) = self.adc {
            if !(4..=24).contains(&adc.bits) || adc.range_mv.is_nan() || adc.range_mv <= 0.0 {
                return bad("ADC bits must be 4-24 and its range positive");
            }
        }
        Ok(())
    }

    /// The sampling interval (ms).
    pub fn dt_ms(&self) -> f64 {
        1000.0 / self.sampling_rate_hz
    }

    /// The sample times relative to the stimulus (ms).
    pub fn times_ms(&self) -> Vec<f64> {
        let dt = self.dt_ms();
        let n = ((self.pre_stimulus_ms + self.post_stimulus_ms) / dt).round() as usize;
        (0..n)
            .map(|i| -self.pre_stimulus_ms + i as f64 * dt)
            .collect()
    }

    /// Records one sweep: `physiological` is the noise-free CMAP at
    /// [`times_ms`](Self::times_ms), `previous` the previous response's
    /// CMAP at the same times (its tail, used when `carry_over` is set).
    /// Draws the hum phase, then one noise sample per sample, from `rng`.
    pub fn record<R: Rng>(
        &self,
        physiological: &[f64],
        previous: Option<&[f64]>,
        rng: &mut R,
    ) -> Vec<f64> {
        let times = self.times_ms();
        let span = self.pre_stimulus_ms + self.post_stimulus_ms;
        let phase = rng.random::<f64>() * std::f64::consts::TAU;
        // A zero SD is a valid normal distribution; it is only drawn from
        // when there is noise, so noise-free sweeps use no random numbers.
        let noise = Normal::new(0.0, self.noise_mv).ok();
        let sign = if self.inverted { -1.0 } else { 1.0 };
        let rail = self.artifact.rail_mv();
        let mut out = Vec::with_capacity(times.len());
        for (i, &t) in times.iter().enumerate() {
            let mut v = physiological.get(i).copied().unwrap_or(0.0);
            if self.carry_over {
                v += previous.and_then(|p| p.get(i)).copied().unwrap_or(0.0);
            }
            v += self.artifact.at(t);
            v += self.hum_mv * (std::f64::consts::TAU * self.hum_hz / 1000.0 * t + phase).sin();
            v += self.drift_mv * (t + self.pre_stimulus_ms) / span;
            if self.noise_mv > 0.0 {
                if let Some(n) = &noise {
                    v += n.sample(rng);
                }
            }
            if let Some(r) = rail {
                v = v.clamp(-r, r);
            }
            v = sign * v + self.offset_mv;
            if let Some(adc) = self.adc {
                let step = adc.step_mv();
                v = ((v / step).round() * step).clamp(-adc.range_mv, adc.range_mv);
            }
            out.push(v);
        }
        out
    }
}

/// What the muscle did, from the noise-free physiological sweep: the values
/// a perfect measurement would give.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// First departure from zero (ms after the stimulus).
    pub onset_ms: f64,
    /// Time of the negative peak (ms).
    pub negative_peak_ms: f64,
    /// Zero to negative peak (mV, positive).
    pub amplitude_mv: f64,
    /// Negative peak to the following positive peak (mV).
    pub peak_to_peak_mv: f64,
    /// Area of the negative phase, onset to the first return to zero (mV ms).
    pub area_mv_ms: f64,
}

impl Truth {
    /// The truth of `f` (mV at ms after the stimulus), evaluated every
    /// `step_ms` from 0 to `end_ms`; `None` when `f` never goes negative.
    pub fn of(f: impl Fn(f64) -> f64, end_ms: f64, step_ms: f64) -> Option<Truth> {
        let n = (end_ms / step_ms).ceil() as usize + 1;
        let v: Vec<f64> = (0..n).map(|i| f(i as f64 * step_ms)).collect();
        let (imin, &min) = v.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1))?;
        if min >= 0.0 {
            return None;
        }
        // The first sample that is not exactly zero: the support of the
        // physiological sweep starts there.
        let first = v.iter().position(|x| *x != 0.0)?;
        let onset_ms = (first.saturating_sub(1)) as f64 * step_ms;
        let mut end = imin;
        while end + 1 < n && v[end + 1] < 0.0 {
            end += 1;
        }
        let area: f64 = v[first.saturating_sub(1)..=end]
            .windows(2)
            .map(|w| -0.5 * (w[0] + w[1]) * step_ms)
            .sum();
        let pos = v[imin..].iter().copied().fold(0.0, f64::max);
        Some(Truth {
            onset_ms,
            negative_peak_ms: imin as f64 * step_ms,
            amplitude_mv: -min,
            peak_to_peak_mv: pos - min,
            area_mv_ms: area,
        })
    }
}

/// An analytic CMAP whose onset, amplitude and area are known exactly: a
/// beta-shaped negative phase `u^2 (1-u)^3` from `onset_ms` lasting
/// `neg_ms`, then a positive phase `v^2 (1-v)^4` of peak `pos_mv` lasting
/// `pos_ms`. Tests use it where the simulator's summed motor units would
/// make the onset a matter of definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnalyticCmap {
    /// Onset (ms after the stimulus).
    pub onset_ms: f64,
    /// Negative peak (mV, positive number).
    pub amp_mv: f64,
    /// Duration of the negative phase (ms).
    pub neg_ms: f64,
    /// Positive peak (mV).
    pub pos_mv: f64,
    /// Duration of the positive phase (ms).
    pub pos_ms: f64,
}

/// `u^2 (1-u)^3` peaks at u = 0.4 with this value.
pub(crate) const BETA_PEAK: f64 = 0.034_56;
/// Integral of `u^2 (1-u)^3` over [0, 1]: B(3, 4) = 1/60.
const BETA_AREA: f64 = 1.0 / 60.0;

impl AnalyticCmap {
    /// The CMAP at `t` ms after the stimulus (negative phase negative).
    pub fn at(&self, t: f64) -> f64 {
        let u = (t - self.onset_ms) / self.neg_ms;
        if (0.0..=1.0).contains(&u) {
            return -self.amp_mv * u * u * (1.0 - u).powi(3) / BETA_PEAK;
        }
        let v = (t - self.onset_ms - self.neg_ms) / self.pos_ms;
        if (0.0..=1.0).contains(&v) {
            let peak = (1.0f64 / 3.0).powi(2) * (2.0f64 / 3.0).powi(4);
            return self.pos_mv * v * v * (1.0 - v).powi(4) / peak;
        }
        0.0
    }

    /// The exact truth.
    pub fn truth(&self) -> Truth {
        Truth {
            onset_ms: self.onset_ms,
            negative_peak_ms: self.onset_ms + 0.4 * self.neg_ms,
            amplitude_mv: self.amp_mv,
            peak_to_peak_mv: self.amp_mv + self.pos_mv,
            area_mv_ms: self.amp_mv * self.neg_ms * BETA_AREA / BETA_PEAK,
        }
    }

    /// A copy scaled in amplitude (a train's responses).
    pub fn scaled(&self, factor: f64) -> AnalyticCmap {
        AnalyticCmap {
            amp_mv: self.amp_mv * factor,
            pos_mv: self.pos_mv * factor,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn numeric_truth_matches_the_analytic_one() {
        let c = AnalyticCmap {
            onset_ms: 3.0,
            amp_mv: 5.0,
            neg_ms: 5.0,
            pos_mv: 2.0,
            pos_ms: 8.0,
        };
        let exact = c.truth();
        let num = Truth::of(|t| c.at(t), 30.0, 0.001).unwrap();
        assert!((num.onset_ms - exact.onset_ms).abs() < 0.002, "{num:?}");
        assert!((num.amplitude_mv - exact.amplitude_mv).abs() < 1e-4);
        assert!((num.area_mv_ms - exact.area_mv_ms).abs() < 1e-3 * exact.area_mv_ms);
        assert!((num.peak_to_peak_mv - exact.peak_to_peak_mv).abs() < 1e-3);
    }

    #[test]
    fn conditions_add_what_they_say() {
        let rc = RecordingConditions {
            pre_stimulus_ms: 0.0,
            post_stimulus_ms: 10.0,
            artifact: Artifact::Clipped {
                amplitude_mv: 20.0,
                tau_ms: 0.2,
                rail_mv: 5.0,
                recovery_ms: 0.5,
            },
            offset_mv: 1.0,
            noise_mv: 0.0,
            adc: Some(Adc {
                bits: 12,
                range_mv: 10.0,
            }),
            ..RecordingConditions::default()
        };
        let physio = vec![0.0; rc.times_ms().len()];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let y = rc.record(&physio, None, &mut rng);
        // Clipped at the rail, offset added, quantised to 12-bit steps.
        let step = 20.0 / 4096.0;
        assert!((y[0] - 6.0).abs() <= step, "{}", y[0]);
        assert!(y
            .iter()
            .all(|v| ((v / step).round() * step - v).abs() < 1e-9));
        let biphasic = Artifact::Biphasic {
            amplitude_mv: 10.0,
            tau_ms: 0.1,
            overshoot: 0.2,
            overshoot_tau_ms: 0.5,
        };
        // The overshoot has the opposite sign: a trough of a third to a half
        // of r A = 2 mV.
        let low = (0..200)
            .map(|i| biphasic.at(i as f64 * 0.01))
            .fold(f64::INFINITY, f64::min);
        assert!((-1.0..-0.6).contains(&low), "{low}");
    }
}
