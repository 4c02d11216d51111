//! Signal conditioning: baseline, stimulus artifact, optional filters.
//!
//! [`Conditioner::condition`] turns one raw response into a trace whose
//! baseline is zero (DC offset and linear drift removed), whose stimulus
//! artifact is located (and blanked), and whose polarity is the declared one,
//! together with the noise level and where the artifact ended. It owns its
//! scratch buffers and FFT plans, so one conditioner serves many responses
//! without allocating per sample.
//!
//! How the artifact end is found: the artifact starts at the stimulus and
//! decays (exponentially, after a possible flat stretch at the amplifier
//! rail). It has ended at the first window of `settle_window_ms` after the
//! stimulus whose samples vary by no more than noise allows and which sits
//! near the baseline (within a quarter of the artifact's excursion, so a flat
//! rail is never taken for a settled trace). When no such window occurs
//! within `artifact_max_ms`, the artifact runs into the response and the
//! response is flagged `artifact_overlap`.

pub mod filter;
pub mod stats;

use serde::{Deserialize, Serialize};

pub use filter::{FilterConfig, ZeroPhaseFilter};

/// Conditioning settings, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalConfig {
    /// Pre-stimulus span needed to take the baseline from before the
    /// stimulus (default 2 ms); with less, a quiet stretch after the artifact
    /// is used.
    pub min_pre_stimulus_ms: f64,
    /// Samples this close before the stimulus are left out of the baseline,
    /// as the stimulator may already be switching (default 0.1 ms).
    pub pre_stimulus_guard_ms: f64,
    /// The artifact is never shorter than this (default 0.1 ms).
    pub artifact_min_ms: f64,
    /// The artifact must have settled by this time after the stimulus
    /// (default 3.0 ms; hand and face CMAPs start later).
    pub artifact_max_ms: f64,
    /// Excursion (mV) above which the early samples count as an artifact
    /// (default 0.1 mV, and at least 20 x noise).
    pub artifact_min_mv: f64,
    /// Length of the quiet window that shows the artifact has ended
    /// (default 0.3 ms, and never fewer than 6 samples).
    pub settle_window_ms: f64,
    /// The quiet window may span this many noise SDs (default 8).
    pub settle_noise_factor: f64,
    /// ... plus this much (default 0.02 mV), for noise-free traces.
    pub settle_floor_mv: f64,
    /// Remove linear drift using the end of the sweep as a second anchor
    /// (default true).
    pub drift_correction: bool,
    /// Length of the end-of-sweep anchor window (default 3 ms).
    pub drift_window_ms: f64,
    /// The end anchor is only used when it starts at least this long after the
    /// stimulus, when the CMAP is over (default 25 ms); shorter sweeps get DC
    /// removal only.
    pub drift_min_start_ms: f64,
    /// Optional zero-phase filters (off by default).
    pub filter: FilterConfig,
}

impl Default for SignalConfig {
    fn default() -> Self {
        SignalConfig {
            min_pre_stimulus_ms: 2.0,
            pre_stimulus_guard_ms: 0.1,
            artifact_min_ms: 0.1,
            artifact_max_ms: 3.0,
            artifact_min_mv: 0.1,
            settle_window_ms: 0.3,
            settle_noise_factor: 8.0,
            settle_floor_mv: 0.02,
            drift_correction: true,
            drift_window_ms: 3.0,
            drift_min_start_ms: 25.0,
            filter: FilterConfig::default(),
        }
    }
}

/// Where the baseline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    /// The median of the pre-stimulus samples.
    PreStimulus,
    /// A quiet stretch after the artifact, before the response.
    PostArtifact,
}

/// What conditioning found out about one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionInfo {
    /// Index of the first sample at or after the stimulus.
    pub stim_index: usize,
    /// Index of the first sample after the artifact.
    pub artifact_end: usize,
    /// No settled window was found before `artifact_max_ms`.
    pub artifact_unsettled: bool,
    /// Whether a stimulus artifact was seen at all.
    pub artifact_present: bool,
    /// White-noise SD (mV), from first differences.
    pub noise_sd_mv: f64,
    /// Baseline level removed at the baseline anchor (mV, raw units).
    pub baseline_mv: f64,
    /// Linear drift removed (mV per ms).
    pub drift_mv_per_ms: f64,
    /// Where the baseline came from.
    pub baseline_source: BaselineSource,
    /// Peak-to-peak wander of the baseline window after smoothing (mV).
    pub baseline_spread_mv: f64,
}

/// Conditions responses, reusing buffers and filter plans.
#[derive(Debug, Default)]
pub struct Conditioner {
    /// The conditioned samples of the last response.
    y: Vec<f64>,
    scratch: Vec<f64>,
    smooth: Vec<f64>,
    filter: ZeroPhaseFilter,
}

impl Conditioner {
    /// A conditioner with empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Conditions one response: `raw` in mV, sampled every `dt_ms` from
    /// `t0_ms` (relative to the stimulus). `invert` flips the sign first (a
    /// declared `polarity: inverted`). Returns the conditioned samples
    /// (borrowed from the conditioner) and what was found.
    pub fn condition<'a, I>(
        &'a mut self,
        config: &SignalConfig,
        raw: I,
        t0_ms: f64,
        dt_ms: f64,
        invert: bool,
    ) -> (&'a [f64], ConditionInfo)
    where
        I: IntoIterator<Item = f64>,
    {
        let sign = if invert { -1.0 } else { 1.0 };
        self.y.clear();
        self.y.extend(raw.into_iter().map(|v| v * sign));
        let n = self.y.len();
        let ms = |span: f64| ((span / dt_ms).round() as usize).max(1);
        let stim_index = if t0_ms >= 0.0 {
            0
        } else {
            ((-t0_ms / dt_ms).ceil() as usize).min(n)
        };
        let guard = (config.pre_stimulus_guard_ms / dt_ms).round() as usize;
        let pre_end = stim_index.saturating_sub(guard);
        let has_pre = (pre_end as f64) * dt_ms >= config.min_pre_stimulus_ms && pre_end >= 8;

        // Noise from the pre-stimulus samples, else from the sweep after the
        // latest artifact end (median-based: the CMAP is a minority of samples).
        let late_start = (stim_index + ms(config.artifact_max_ms)).min(n.saturating_sub(8));
        let noise_sd_mv = if has_pre {
            stats::noise_sd(&self.y[..pre_end], &mut self.scratch)
        } else {
            // The end of the sweep, where the CMAP is over and slopes are
            // small even at low sampling rates.
            let tail = late_start.max(n - (3 * n / 10).max(8));
            stats::noise_sd(&self.y[tail..], &mut self.scratch)
        };

        // A reference level to judge the artifact against.
        let reference = if has_pre {
            stats::median(&self.y[..pre_end], &mut self.scratch).unwrap_or(0.0)
        } else {
            let tail = n - (n / 4).max(1);
            stats::median(&self.y[tail..], &mut self.scratch).unwrap_or(0.0)
        };

        let min_end = (stim_index + ms(config.artifact_min_ms).min(ms(config.artifact_max_ms)))
            .min(n.saturating_sub(1));
        let peak_window_end = (stim_index + ms(0.5)).min(n);
        let excursion = self.y[stim_index.min(n)..peak_window_end]
            .iter()
            .map(|v| (v - reference).abs())
            .fold(0.0, f64::max);
        let artifact_present = excursion > config.artifact_min_mv.max(20.0 * noise_sd_mv);
        let window = ms(config.settle_window_ms).max(6);
        let settle_range = config.settle_noise_factor * noise_sd_mv + config.settle_floor_mv;
        // With a pre-stimulus baseline the settled trace must be back at it;
        // without one the reference is the end of the sweep, which drift
        // may have moved, so only a rail (far from it) is excluded.
        let level_tolerance = if has_pre {
            settle_range
        } else {
            (0.25 * excursion).max(settle_range)
        };
        // A decaying tail still slopes: the two halves of the window must
        // agree within noise.
        let half_n = (window / 2).max(1) as f64;
        let slope_tolerance =
            2.0 * noise_sd_mv * (2.0 / half_n).sqrt() + 0.25 * config.settle_floor_mv;
        let search_end = (stim_index + ms(config.artifact_max_ms)).min(n.saturating_sub(window));
        let mut artifact_end = min_end;
        let mut artifact_unsettled = false;
        if artifact_present {
            let settled = (min_end..=search_end.max(min_end)).find(|&i| {
                let w = &self.y[i..(i + window).min(n)];
                let (lo, hi) = w
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
                let mean = w.iter().sum::<f64>() / w.len() as f64;
                let h = w.len() / 2;
                let first = w[..h].iter().sum::<f64>() / h.max(1) as f64;
                let second = w[h..].iter().sum::<f64>() / (w.len() - h).max(1) as f64;
                hi - lo <= settle_range
                    && (second - first).abs() <= slope_tolerance
                    && (mean - reference).abs() <= level_tolerance
            });
            match settled {
                Some(i) => artifact_end = i,
                None => {
                    artifact_end = search_end.max(min_end);
                    artifact_unsettled = true;
                }
            }
        }

        // Baseline anchor 1: pre-stimulus median, else the settled window.
        let (anchor_lo, anchor_hi, baseline_source) = if has_pre {
            (0, pre_end, BaselineSource::PreStimulus)
        } else {
            // Extend the settled window up to where the response leaves the
            // noise band, so the baseline rests on every quiet sample.
            let lo = artifact_end.min(n.saturating_sub(1));
            let mut hi = (artifact_end + window).min(n);
            let level = stats::median(&self.y[lo..hi], &mut self.scratch).unwrap_or(0.0);
            let band = 0.5 * settle_range;
            while hi < n && (self.y[hi] - level).abs() <= band {
                hi += 1;
            }
            // The latest part of the quiet stretch, just before the response,
            // is furthest from any residue of the artifact.
            (
                (lo).max(hi.saturating_sub(2 * window)),
                hi,
                BaselineSource::PostArtifact,
            )
        };
        let b1 = stats::median(&self.y[anchor_lo..anchor_hi], &mut self.scratch).unwrap_or(0.0);
        let c1 = t0_ms + 0.5 * (anchor_lo + anchor_hi.saturating_sub(1)) as f64 * dt_ms;

        // Anchor 2: the end of the sweep, when it is late and flat.
        let mut drift = 0.0;
        let tail_len = ms(config.drift_window_ms).max(8);
        if config.drift_correction && n > tail_len + anchor_hi {
            let tail_start = n - tail_len;
            let tail_start_ms = t0_ms + tail_start as f64 * dt_ms;
            if tail_start_ms >= config.drift_min_start_ms {
                let half = tail_len / 2;
                let m_a = stats::median(&self.y[tail_start..tail_start + half], &mut self.scratch)
                    .unwrap_or(0.0);
                let m_b =
                    stats::median(&self.y[tail_start + half..], &mut self.scratch).unwrap_or(0.0);
                let b2 = stats::median(&self.y[tail_start..], &mut self.scratch).unwrap_or(0.0);
                let c2 = t0_ms + (tail_start as f64 + 0.5 * (tail_len - 1) as f64) * dt_ms;
                let half_ms = half as f64 * dt_ms;
                let slope_tail = (m_b - m_a) / half_ms.max(dt_ms);
                let slope = (b2 - b1) / (c2 - c1).max(dt_ms);
                // A flat tail: its own slope agrees with the anchor line, or is
                // within noise; otherwise the CMAP has not ended and the tail
                // is no baseline.
                let noise_slope = 4.0 * noise_sd_mv / half_ms.max(dt_ms) + 1e-6;
                if (slope_tail - slope).abs() <= noise_slope.max(0.5 * slope.abs()) {
                    drift = slope;
                }
            }
        }
        for (i, v) in self.y.iter_mut().enumerate() {
            let t = t0_ms + i as f64 * dt_ms;
            *v -= b1 + drift * (t - c1);
        }

        // Blank the artifact: it is not part of the response, and a filter
        // would otherwise ring with it.
        if artifact_present {
            for v in &mut self.y[stim_index.min(n)..artifact_end.min(n)] {
                *v = 0.0;
            }
        }
        if config.filter.enabled {
            self.filter
                .apply(&config.filter, &mut self.y, 1000.0 / dt_ms);
        }

        // Wander of the baseline window (smoothed, so white noise counts little).
        let width = ms(0.2) | 1;
        stats::moving_average(&self.y[anchor_lo..anchor_hi], width, &mut self.smooth);
        let (lo, hi) = self
            .smooth
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let baseline_spread_mv = if hi >= lo { hi - lo } else { 0.0 };

        (
            &self.y,
            ConditionInfo {
                stim_index,
                artifact_end,
                artifact_unsettled,
                artifact_present,
                noise_sd_mv,
                baseline_mv: b1,
                drift_mv_per_ms: drift,
                baseline_source,
                baseline_spread_mv,
            },
        )
    }

    /// Clears cached filter gains (after changing the filter settings).
    pub fn reset_filters(&mut self) {
        self.filter.reset_gains();
    }
}
