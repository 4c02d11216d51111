//! Signal conditioning: noise, stimulus artifact, baseline, drift, optional
//! filters.
//!
//! [`Conditioner::condition`] turns one raw response into a trace whose
//! baseline is zero (DC offset and linear drift removed), whose stimulus
//! artifact is located (and blanked), and whose polarity is the declared one,
//! together with the noise level and where the artifact ended. It owns its
//! scratch buffers and FFT plans, so one conditioner serves many responses
//! without allocating per sample. The steps, each in its own module:
//!
//! 1. **noise** (`noise.rs`): second-difference MAD of the pre-stimulus
//!    samples, else of the quietest blocks of the sweep; never below the
//!    quantisation step's own noise.
//! 2. **artifact** (`artifact.rs`): a first end from the first flat window
//!    after the stimulus (range and slope within noise, not pinned at the
//!    rail), judged on flatness alone, never on its level against a far
//!    reference.
//! 3. **quiet stretch** (`takeoff.rs`): from the response backwards, its
//!    first phase, its takeoff, and the flat stretch before it; where that
//!    stretch begins the artifact has ended (`artifact::settle`).
//! 4. **baseline** (`baseline.rs`, `tail.rs`): the quiet stretch when it is
//!    flat; when it still slopes with an artifact's tail, the level of an
//!    exponential fitted to the tail if the fit pins it (no structure left,
//!    time constant inside the range, level within 2 standard errors of 1%
//!    of the response plus 1.5 noise SDs), else the pre-stimulus median if
//!    the stretch has come that close to it.
//! 5. **drift** (`baseline.rs`): from a late, flat end of the sweep.
//! 6. **blanking** of the artifact and the optional zero-phase **filters**.
//!
//! When none of step 4's levels can be trusted (the artifact's tail runs
//! into the response), the response is flagged `artifact_overlap`.

mod artifact;
mod baseline;
mod filter;
mod grid;
mod noise;
mod tail;
mod takeoff;

use takeoff::Quiet;

use serde::{Deserialize, Serialize};

use crate::model::BaselineSource;
use crate::numeric::stats;

pub use filter::{FilterConfig, ZeroPhaseFilter};

/// Conditioning settings, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalConfig {
    /// Pre-stimulus span needed to consider a baseline from before the
    /// stimulus (default 2 ms); it is used when it is flat and agrees with
    /// the quiet stretch before the response.
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

/// What conditioning found out about one response.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConditionInfo {
    /// Index of the first sample at or after the stimulus.
    pub stim_index: usize,
    /// Index of the first sample after the artifact.
    pub artifact_end: usize,
    /// The artifact (or its tail) had not settled before the response.
    pub artifact_unsettled: bool,
    /// Whether a stimulus artifact was seen at all.
    pub artifact_present: bool,
    /// White-noise SD (mV).
    pub noise_sd_mv: f64,
    /// Baseline level removed at the baseline anchor (mV, raw units).
    pub baseline_mv: f64,
    /// Linear drift removed (mV per ms).
    pub drift_mv_per_ms: f64,
    /// Where the baseline came from.
    pub baseline_source: BaselineSource,
    /// Peak-to-peak wander of the baseline window after smoothing (mV).
    pub baseline_spread_mv: f64,
    /// The baseline window (sample indices, end exclusive).
    pub baseline_window: (usize, usize),
}

/// An artifact is past its steep part once within this fraction of its
/// early excursion (where its decay is closest to one exponential).
const STEEP_FRACTION: f64 = 0.3;

/// A fitted tail's level (within 2 standard errors), or the level a
/// settling stretch ends at, may miss the baseline by 1% of the response
/// plus 1.5 noise SDs: half of what an amplitude is held to (2% + 3 SDs).
const TAIL_LEVEL_FRACTION: f64 = 0.01;
const TAIL_LEVEL_NOISE_SDS: f64 = 1.5;
const TAIL_LEVEL_SES: f64 = 2.0;

/// Spans of the tail fit before the response (ms), longest first.
const TAIL_SPANS_MS: [f64; 3] = [2.0, 1.5, 1.0];

/// Samples the quantisation step is read from.
const QUANTUM_SAMPLES: usize = 256;

/// Pre-stimulus samples worth as much as the sweep's block estimate of the
/// noise: with fewer, the block estimate weighs more.
const PRE_NOISE_WEIGHT: f64 = 40.0;

/// Conditions responses, reusing buffers and filter plans.
#[derive(Debug, Default)]
pub struct Conditioner {
    /// The conditioned samples of the last response.
    y: Vec<f64>,
    scratch: Vec<f64>,
    blocks: Vec<f64>,
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
        let g = grid::Grid::new(self.y.len(), t0_ms, dt_ms, config);
        let quantum = self.quantum(&g);
        let mut noise_sd = self.noise(&g, quantum);
        let flat = artifact::Flatness::new(config, &g, noise_sd);
        let first = artifact::locate(&self.y, &g, config, &flat, noise_sd, &mut self.scratch);
        let floor = (g.stim + g.samples(config.artifact_min_ms)).min(g.n.saturating_sub(1));
        let quiet = takeoff::quiet_stretch(
            &self.y,
            &g,
            first.end,
            floor,
            noise_sd,
            &mut self.smooth,
            &mut self.scratch,
        );
        if let (false, Some(q)) = (g.has_pre, quiet) {
            noise_sd = self.noise_of_quiet(q, quantum).unwrap_or(noise_sd);
        }
        let mut art = artifact::settle(
            &self.y,
            &g,
            config,
            first,
            quiet,
            noise_sd,
            &mut self.scratch,
        );
        let (base, decay) = self.baseline(&g, quiet, &mut art, noise_sd);
        let drift = baseline::drift(&self.y, &g, &base, config, noise_sd, &mut self.scratch);
        self.remove_baseline(&g, &base, drift, decay);
        // Blank the artifact: it is not part of the response, and a filter
        // would otherwise ring with it.
        if art.present {
            let n = self.y.len();
            self.y[g.stim.min(n)..art.end.min(n)].fill(0.0);
        }
        if config.filter.enabled {
            self.filter
                .apply(&config.filter, &mut self.y, 1000.0 / dt_ms);
        }
        let baseline_spread_mv = self.spread(&g, &base, quiet);
        (
            &self.y,
            ConditionInfo {
                stim_index: g.stim,
                artifact_end: art.end,
                artifact_unsettled: art.unsettled,
                artifact_present: art.present,
                noise_sd_mv: noise_sd,
                baseline_mv: base.level,
                drift_mv_per_ms: drift,
                baseline_source: base.source,
                baseline_spread_mv,
                baseline_window: (base.lo, base.hi),
            },
        )
    }

    /// Without a pre-stimulus baseline, a flat quiet stretch long enough to
    /// hold a block tells the noise better than the sweep's quietest blocks.
    fn noise_of_quiet(&mut self, q: Quiet, quantum: f64) -> Option<f64> {
        (q.flat && q.hi - q.lo >= noise::BLOCK).then(|| {
            noise::with_quantisation(
                noise::second_diff_sd(&self.y[q.lo..q.hi], &mut self.scratch),
                quantum,
            )
        })
    }

    /// Subtracts the baseline level, the drift (pivoting on the middle of
    /// the baseline window, as `baseline_window_ms` reports it) and a
    /// fitted artifact tail.
    fn remove_baseline(
        &mut self,
        g: &grid::Grid,
        base: &baseline::Baseline,
        drift: f64,
        decay: Option<tail::Decay>,
    ) {
        let centre = g.time_ms(0.5 * (base.lo + base.hi) as f64);
        for (i, v) in self.y.iter_mut().enumerate() {
            *v -= base.level + drift * (g.time_ms(i as f64) - centre);
        }
        if let Some(d) = decay {
            for (i, v) in self.y.iter_mut().enumerate().skip(d.from) {
                let t = d.at(i, g.dt_ms);
                // The tail has decayed below anything a sample can show.
                if t.abs() < 1e-9 {
                    break;
                }
                *v -= t;
            }
        }
    }

    /// Noise SD: from the pre-stimulus samples, else from the quietest
    /// blocks after the stimulus; never below the `quantum`'s own noise.
    fn noise(&mut self, g: &grid::Grid, quantum: f64) -> f64 {
        let pre = g
            .has_pre
            .then(|| noise::second_diff_sd(&self.y[..g.pre_end], &mut self.scratch));
        let sd = match pre {
            Some(pre) if g.pre_end as f64 >= 2.0 * PRE_NOISE_WEIGHT => pre,
            _ => {
                let post = noise::block_sd(
                    &self.y[g.stim.min(g.n)..],
                    &mut self.scratch,
                    &mut self.blocks,
                );
                // A short pre-stimulus span gives a rough estimate: weigh
                // it with the sweep's quiet blocks.
                let n_pre = pre.map_or(0.0, |_| g.pre_end as f64);
                (pre.unwrap_or(0.0) * n_pre + post * PRE_NOISE_WEIGHT) / (n_pre + PRE_NOISE_WEIGHT)
            }
        };
        noise::with_quantisation(sd, quantum)
    }

    /// The baseline, and the artifact's tail when one is fitted. A flat
    /// quiet stretch gives the level. A tail still decaying into the
    /// response is fitted, and the fit used when it pins the level; failing
    /// that, the pre-stimulus level stands when the end of the stretch has
    /// come within a small fraction of the response of it. Anything else
    /// leaves the artifact unsettled (the response is flagged).
    fn baseline(
        &mut self,
        g: &grid::Grid,
        quiet: Option<Quiet>,
        art: &mut artifact::ArtifactSpan,
        noise_sd: f64,
    ) -> (baseline::Baseline, Option<tail::Decay>) {
        let base = baseline::choose(&self.y, g, quiet, &mut self.scratch);
        let Some(q) = quiet.filter(|q| art.present && q.trending) else {
            return (base, None);
        };
        let allowance = TAIL_LEVEL_FRACTION * q.size_mv + TAIL_LEVEL_NOISE_SDS * noise_sd;
        let decay = self
            .fit_tail(g, q, noise_sd)
            .filter(|d| TAIL_LEVEL_SES * d.level_se_mv <= allowance);
        if let Some(d) = decay {
            art.end = art.end.min(d.from).max(g.stim);
            art.unsettled = false;
            let fitted = baseline::Baseline {
                level: d.level,
                lo: d.from,
                hi: q.hi,
                source: BaselineSource::TailFit,
            };
            return (fitted, Some(d));
        }
        if art.unsettled && base.source == BaselineSource::PreStimulus {
            // The level the stretch ends at, from its last third.
            let m = ((q.hi - q.lo) / 3).max(3).min(q.hi);
            let end = stats::median(&self.y[q.hi - m..q.hi], &mut self.scratch);
            let near = allowance + 3.0 * noise_sd / (m as f64).sqrt();
            if end.is_some_and(|e| (e - base.level).abs() <= near) {
                art.unsettled = false;
            }
        }
        (base, None)
    }

    /// Fits the tail over the stretch from where the artifact's steep part
    /// is over (within 30% of its early excursion from the quiet level) to
    /// the end of the quiet window.
    fn fit_tail(&mut self, g: &grid::Grid, q: Quiet, noise_sd: f64) -> Option<tail::Decay> {
        let level = stats::median(&self.y[q.lo..q.hi], &mut self.scratch)?;
        let s = g.stim.min(g.n);
        let early = (s + g.samples(0.5)).min(q.hi);
        let excursion = self.y[s..early]
            .iter()
            .map(|v| (v - level).abs())
            .fold(0.0, f64::max);
        let steep_over =
            (s..q.hi).find(|&i| (self.y[i] - level).abs() <= STEEP_FRACTION * excursion)?;
        // Within the last 2 ms before the response one time constant (the
        // slowest) is usually all that is left, which is what one
        // exponential describes; a response that comes early leaves a
        // faster component in that span too, so shorter spans are tried.
        TAIL_SPANS_MS.iter().find_map(|&span| {
            let from = steep_over.max(q.hi.saturating_sub(g.samples(span)));
            tail::fit(&self.y, from, q.hi, g.dt_ms, noise_sd)
        })
    }

    /// The quantisation step, from the pre-stimulus samples or the first
    /// samples after the stimulus: a couple of hundred neighbouring
    /// differences show the smallest step of a quantised export.
    fn quantum(&self, g: &grid::Grid) -> f64 {
        let lo = if g.has_pre { 0 } else { g.stim.min(g.n) };
        noise::quantum(&self.y[lo..(lo + QUANTUM_SAMPLES).min(g.n)])
    }

    /// Wander of the baseline (smoothed, so white noise counts little): the
    /// larger of the pre-stimulus samples' and the whole flat stretch
    /// before the response's, so slow hum shows even when the baseline
    /// window itself is short.
    fn spread(&mut self, g: &grid::Grid, base: &baseline::Baseline, quiet: Option<Quiet>) -> f64 {
        let n = self.y.len();
        let windows = [
            Some((base.lo, base.hi)),
            g.has_pre.then_some((0, g.pre_end)),
            quiet.filter(|q| q.flat).map(|q| (q.settled_from, q.hi)),
        ];
        let width = g.samples(0.2) | 1;
        let mut widest: f64 = 0.0;
        for (lo, hi) in windows.into_iter().flatten() {
            let (lo, hi) = (lo.min(n), hi.min(n));
            if hi > lo {
                stats::moving_average(&self.y[lo..hi], width, &mut self.smooth);
                let (a, b) = stats::range(&self.smooth);
                widest = widest.max(b - a);
            }
        }
        widest
    }

    /// Clears cached filter gains (after changing the filter settings).
    pub fn reset_filters(&mut self) {
        self.filter.reset_gains();
    }
}
