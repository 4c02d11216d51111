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
    /// (default 0.3 ms, and never fewer than 4 samples).
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
    /// Without a pre-stimulus baseline, fit and remove the artifact's
    /// exponential tail (default true).
    pub tail_fit: bool,
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
            tail_fit: true,
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

/// An artifact tail fitted as `baseline + amplitude exp(-t / tau)`, with `t`
/// from the first sample of the fitted segment.
#[derive(Debug, Clone, Copy, PartialEq)]
struct TailFit {
    baseline: f64,
    amplitude: f64,
    tau_ms: f64,
}

/// Where a tail fit starts: the first sample after the stimulus within 30%
/// of the artifact's excursion from the reference (past any rail, where the
/// decay is closest to one exponential). `end` when there is none.
fn tail_start(y: &[f64], stim: usize, end: usize, reference: f64, excursion: f64) -> usize {
    (stim.min(end)..end)
        .find(|&i| (y[i] - reference).abs() <= 0.3 * excursion)
        .unwrap_or(end)
}

/// Slowest artifact decay the tail fit considers.
const TAU_MAX_MS: f64 = 1.0;

/// Least-squares fit of `c + a exp(-k dt / tau)` to `y` over a geometric grid
/// of `tau` (0.03 to 1 ms, and at most half the segment), with `a` of the
/// artifact's sign `sign`; for each `tau` the model is linear in `c` and `a`.
/// Accepted only when the exponential explains clearly more than a constant
/// does (by 16 noise variances), so a settled trace keeps its median.
fn fit_tail(y: &[f64], dt_ms: f64, noise_sd: f64, sign: f64) -> Option<TailFit> {
    let n = y.len();
    if n < 8 {
        return None;
    }
    // A decay slower than half the segment cannot be told from a constant,
    // and extrapolating it would tilt the whole response.
    let tau_max = (0.5 * n as f64 * dt_ms).min(TAU_MAX_MS);
    let nf = n as f64;
    let sy: f64 = y.iter().sum();
    let syy: f64 = y.iter().map(|v| v * v).sum();
    let sse_const = syy - sy * sy / nf;
    let mut best: Option<(f64, TailFit)> = None;
    const STEPS: usize = 48;
    for step in 0..STEPS {
        let tau_ms = 0.03 * (TAU_MAX_MS / 0.03).powf(step as f64 / (STEPS - 1) as f64);
        if tau_ms > tau_max {
            break;
        }
        let ratio = (-dt_ms / tau_ms).exp();
        let (mut sx, mut sxx, mut sxy) = (0.0, 0.0, 0.0);
        let mut x = 1.0;
        for &v in y {
            sx += x;
            sxx += x * x;
            sxy += x * v;
            x *= ratio;
        }
        let det = nf * sxx - sx * sx;
        if det.abs() < 1e-12 {
            continue;
        }
        let a = (nf * sxy - sx * sy) / det;
        let c = (sy - a * sx) / nf;
        let sse = syy - c * sy - a * sxy;
        // The residue has the artifact's sign.
        if a * sign <= 0.0 {
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| sse < *b) {
            best = Some((
                sse,
                TailFit {
                    baseline: c,
                    amplitude: a,
                    tau_ms,
                },
            ));
        }
    }
    let (sse, fit) = best?;
    let gain = sse_const - sse;
    (gain > 16.0 * noise_sd * noise_sd + 1e-10).then_some(fit)
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
        // The span recorded before the stimulus decides (the guard only trims
        // what the median uses).
        let has_pre =
            (stim_index as f64) * dt_ms >= config.min_pre_stimulus_ms - 1e-9 && pre_end >= 8;

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
        let artifact_sign = self.y[stim_index.min(n)..peak_window_end]
            .iter()
            .map(|v| v - reference)
            .fold(
                0.0,
                |best: f64, d| if d.abs() > best.abs() { d } else { best },
            )
            .signum();
        let window = ms(config.settle_window_ms).max(4);
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
        let mut early_fit: Option<(usize, TailFit)> = None;
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
                    // Without a pre-stimulus baseline, a tail fitted up to the
                    // latest artifact end still tells where it became
                    // negligible; the response stays flagged.
                    if !has_pre && config.tail_fit {
                        let i0 = tail_start(&self.y, stim_index, search_end, reference, excursion);
                        if let Some(fit) =
                            fit_tail(&self.y[i0..search_end], dt_ms, noise_sd_mv, artifact_sign)
                        {
                            let negligible = (0..search_end - i0)
                                .find(|&k| {
                                    (fit.amplitude * (-(k as f64) * dt_ms / fit.tau_ms).exp()).abs()
                                        <= 0.5 * settle_range
                                })
                                .map(|k| i0 + k)
                                .unwrap_or(search_end);
                            artifact_end = negligible.max(min_end);
                            early_fit = Some((i0, fit));
                        }
                    }
                }
            }
        }

        // Baseline anchor 1: pre-stimulus median, else the settled window.
        let (anchor_lo, anchor_hi, baseline_source) = if has_pre {
            (0, pre_end, BaselineSource::PreStimulus)
        } else {
            // The quiet stretch runs from the settled window up to shortly
            // before the response: from the leading edge of the response,
            // walk back to where it is 5% of its largest excursion (or 5
            // noise SDs) from the settled level, and stop 0.5 ms earlier.
            let lo = artifact_end.min(n.saturating_sub(1));
            let first_hi = (artifact_end + window).min(n);
            let level = stats::median(&self.y[lo..first_hi], &mut self.scratch).unwrap_or(0.0);
            let size = self.y[lo..]
                .iter()
                .map(|v| (v - level).abs())
                .fold(0.0, f64::max);
            // The first phase to reach half the largest excursion leads the
            // response (a later, larger phase would carry the walk past it).
            let leading = (lo..n)
                .find(|&i| (self.y[i] - level).abs() >= 0.5 * size)
                .unwrap_or(lo);
            let threshold = (0.05 * size).max(5.0 * noise_sd_mv);
            let mut k = leading;
            while k > lo && (self.y[k] - level).abs() > threshold {
                k -= 1;
            }
            let hi = k.saturating_sub(ms(0.5)).max(first_hi).min(n);
            (
                lo.max(hi.saturating_sub(2 * window)),
                hi,
                BaselineSource::PostArtifact,
            )
        };
        let mut b1 = stats::median(&self.y[anchor_lo..anchor_hi], &mut self.scratch).unwrap_or(0.0);
        let c1 = t0_ms + 0.5 * (anchor_lo + anchor_hi.saturating_sub(1)) as f64 * dt_ms;

        // Without a pre-stimulus baseline a slowly decaying artifact can leave
        // a residue that the quiet window mistakes for baseline. Fit the
        // tail (baseline + exponential) from where the artifact has fallen
        // to 30% of its excursion up to the response, and remove it.
        let mut tail: Option<(usize, f64, f64)> = None;
        if !has_pre && artifact_present && config.tail_fit {
            let fit = early_fit.or_else(|| {
                let i0 = tail_start(&self.y, stim_index, anchor_hi, reference, excursion);
                fit_tail(
                    &self.y[i0..anchor_hi.min(n)],
                    dt_ms,
                    noise_sd_mv,
                    artifact_sign,
                )
                .map(|f| (i0, f))
            });
            if let Some((i0, fit)) = fit {
                b1 = fit.baseline;
                tail = Some((i0, fit.amplitude, fit.tau_ms));
            }
        }

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
                // Hum and other slow wander move half-window medians as much
                // as the baseline window's own range.
                let (lo, hi) = self.y[anchor_lo..anchor_hi]
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    });
                let wander = if hi >= lo { hi - lo } else { 0.0 };
                let noise_slope = (4.0 * noise_sd_mv).max(wander) / half_ms.max(dt_ms) + 1e-6;
                if (slope_tail - slope).abs() <= noise_slope.max(0.5 * slope.abs()) {
                    drift = slope;
                }
            }
        }
        for (i, v) in self.y.iter_mut().enumerate() {
            let t = t0_ms + i as f64 * dt_ms;
            *v -= b1 + drift * (t - c1);
        }
        if let Some((i0, amplitude, tau_ms)) = tail {
            for (k, v) in self.y[i0..].iter_mut().enumerate() {
                let decay = (-(k as f64) * dt_ms / tau_ms).exp();
                if decay < 1e-9 {
                    break;
                }
                *v -= amplitude * decay;
            }
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
