//! Raw jitter sweeps measured: the potentials found in each sweep, each
//! timed where its main (negative) phase's leading edge crosses a stated
//! level of its peak, the interval between them (voluntary: trigger
//! potential to second potential; stimulated: stimulus to potential), a
//! missing second potential counted as a block, and the flags a jitter
//! program raises: potentials that overlap, a potential that changes shape.
//!
//! Timing at a level of the rising phase, with linear interpolation
//! between samples, is nmjscope's choice (`docs/jitter.md`): no source
//! read states where the interval is measured, and a level crossing on
//! the steep edge is what moves least with noise; the trigger potential is
//! timed the same way, so the machine's own trigger (to the nearest
//! sample) does not enter the interval.

use serde::{Deserialize, Serialize};

use crate::model::{Discharge, JitterMethod, JitterPair, PairFlag};
use crate::train::jitter::JitterConfig;

/// A potential must be this many noise SDs deep to be found (nmjscope's
/// own rule: at 6 SD, noise alone crosses it about once in 10^9 samples).
const DETECT_NOISE_SD: f64 = 6.0;
/// ... and a second potential at least this share of its own median depth,
/// so a smaller potential passing through its window is not taken for it.
const SAME_POTENTIAL_SHARE: f64 = 0.4;
/// The trigger potential is the one within this of time zero (µs).
const TRIGGER_SEARCH_US: f64 = 300.0;
/// Bin width of the histogram that finds a potential's usual place (µs).
const CLUSTER_BIN_US: f64 = 100.0;
/// A window is at least this wide, and keeps this far from another
/// potential (µs).
const WINDOW_MIN_US: f64 = 300.0;
/// A window reaches at most this far either side of the usual place (µs).
const WINDOW_MAX_US: f64 = 1500.0;
/// Stimulated sweeps: potentials in the first this many µs after the
/// stimulus are its artifact (nmjscope's rule: an axon stimulated near the
/// end plate still gives latencies of a millisecond or more).
const STIMULUS_BLANK_US: f64 = 500.0;
/// Sweeps sampled below this rate are not timed to a few µs: at 25 kHz the
/// simulator's pairs measured within 2.3 µs of their truth, at 10 kHz up to
/// 12 µs off (nmjscope's rule, from `docs/jitter.md`, "Validation").
const MIN_SAMPLING_RATE_HZ: f64 = 20_000.0;
/// A cluster found in at least this share of sweeps is a potential of its
/// own (for the overlap rule).
const OTHER_POTENTIAL_SHARE: f64 = 0.3;

pub use crate::model::JitterSweeps;

/// What was found in each sweep: for the plots and the reader's check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReading {
    /// Noise SD (mV).
    pub noise_mv: f64,
    /// The MCD the noise alone would give the pair (µs).
    pub noise_mcd_us: Option<f64>,
    /// Each sweep's first potential's level crossing (µs; `None` for a
    /// stimulated pair, whose reference is the stimulus at 0, or when the
    /// trigger potential was not found).
    pub first_us: Vec<Option<f64>>,
    /// Each sweep's second potential's crossing (µs), `None`: blocked.
    pub second_us: Vec<Option<f64>>,
    /// The window the second potential was searched in (µs).
    pub window_us: Option<(f64, f64)>,
    /// Sweeps without a trigger potential, left out.
    pub untriggered: usize,
    /// Other potentials found in at least 30% of the sweeps, not measured
    /// (µs, their usual places).
    pub others_us: Vec<f64>,
}

/// A potential in one sweep: its negative peak's time and depth.
#[derive(Debug, Clone, Copy)]
struct Peak {
    index: usize,
    time_us: f64,
    depth_mv: f64,
}

/// Measures a pair's sweeps into discharges and flags.
pub fn measure_sweeps(s: &JitterSweeps, config: &JitterConfig) -> (JitterPair, SweepReading) {
    let found = Found::of(s);
    let clusters = clusters(&found.others(), found.rows.len());
    let target = clusters.first().copied();
    let window = target.map(|c| window_of(c, &clusters));
    let timed = found.time(target, window, config);
    let mut flags = Vec::new();
    if s.sampling_rate_hz < MIN_SAMPLING_RATE_HZ {
        flags.push(PairFlag::CoarseSampling);
    }
    let Some(target) = target else {
        flags.push(PairFlag::NoSecondPotential);
        return finish(
            s,
            flags,
            found.noise_mv,
            None,
            timed.first_us,
            timed.second_us,
        );
    };
    let noise_jitter = timed.flag(&mut flags, (target, &clusters[1..]), found.noise_mv, config);
    let mut out = finish(
        s,
        flags,
        found.noise_mv,
        window,
        timed.first_us,
        timed.second_us,
    );
    out.1.noise_mcd_us = Some(noise_jitter);
    out.1.others_us = clusters[1..].to_vec();
    out
}

/// The potentials found in each sweep, and the trigger potential of each.
struct Found {
    rows: Vec<Vec<f64>>,
    noise_mv: f64,
    threshold: f64,
    peaks: Vec<Vec<Peak>>,
    triggers: Vec<Option<Peak>>,
    voluntary: bool,
    t0_us: f64,
    dt_us: f64,
}

/// Each sweep's crossings, depths and edge slopes.
struct Timed {
    first_us: Vec<Option<f64>>,
    second_us: Vec<Option<f64>>,
    depths: (Vec<f64>, Vec<f64>),
    slopes: (Vec<f64>, Vec<f64>),
}

impl Found {
    fn of(s: &JitterSweeps) -> Found {
        let dt_us = 1e6 / s.sampling_rate_hz;
        let t0_us = s.t0_ms * 1000.0;
        let time_us = |i: usize| t0_us + i as f64 * dt_us;
        let rows: Vec<Vec<f64>> = s
            .samples_mv
            .rows()
            .into_iter()
            .map(baseline_removed)
            .collect();
        let noise_mv = noise_sd(&rows);
        let threshold = DETECT_NOISE_SD * noise_mv.max(1e-6);
        let voluntary = s.method == JitterMethod::Voluntary;
        // A stimulated sweep's first half millisecond is the stimulus
        // artifact, never a muscle fibre's potential.
        let from_us = if voluntary {
            f64::NEG_INFINITY
        } else {
            STIMULUS_BLANK_US
        };
        let peaks: Vec<Vec<Peak>> = rows
            .iter()
            .map(|r| {
                let mut p = find_peaks(r, threshold, &time_us);
                p.retain(|x| x.time_us >= from_us);
                p
            })
            .collect();
        let triggers = peaks
            .iter()
            .map(|p| {
                voluntary
                    .then(|| nearest(p, 0.0, TRIGGER_SEARCH_US))
                    .flatten()
            })
            .collect();
        Found {
            rows,
            noise_mv,
            threshold,
            peaks,
            triggers,
            voluntary,
            t0_us,
            dt_us,
        }
    }

    /// The times of every potential but the trigger potentials.
    fn others(&self) -> Vec<f64> {
        self.peaks
            .iter()
            .zip(&self.triggers)
            .flat_map(|(p, t)| {
                p.iter()
                    .filter(move |x| t.is_none_or(|t| t.index != x.index))
                    .map(|x| x.time_us)
            })
            .collect()
    }

    /// Each sweep's trigger and second potential timed: the second is the
    /// deepest potential in the window, at least a share of its usual depth.
    fn time(
        &self,
        target: Option<f64>,
        window: Option<(f64, f64)>,
        config: &JitterConfig,
    ) -> Timed {
        let time_us = |i: usize| self.t0_us + i as f64 * self.dt_us;
        let usual_depth = target
            .and_then(|c| {
                median(
                    self.peaks
                        .iter()
                        .filter_map(|p| nearest(p, c, CLUSTER_BIN_US))
                        .map(|p| p.depth_mv)
                        .collect(),
                )
            })
            .unwrap_or(self.threshold);
        let mut t = Timed {
            first_us: Vec::new(),
            second_us: Vec::new(),
            depths: (Vec::new(), Vec::new()),
            slopes: (Vec::new(), Vec::new()),
        };
        for ((row, p), trig) in self.rows.iter().zip(&self.peaks).zip(&self.triggers) {
            let t1 = trig.map(|x| {
                t.depths.0.push(x.depth_mv);
                let (at, slope) = crossing_us(row, &x, config.level_pct, &time_us);
                t.slopes.0.push(slope);
                at
            });
            let second = window.and_then(|w| {
                p.iter()
                    .filter(|x| x.time_us >= w.0 && x.time_us <= w.1)
                    .filter(|x| trig.is_none_or(|t| t.index != x.index))
                    .filter(|x| x.depth_mv >= SAME_POTENTIAL_SHARE * usual_depth)
                    .max_by(|a, b| a.depth_mv.total_cmp(&b.depth_mv))
            });
            t.first_us.push(t1);
            t.second_us.push(
                second
                    .filter(|_| !self.voluntary || trig.is_some())
                    .map(|x| {
                        t.depths.1.push(x.depth_mv);
                        let (at, slope) = crossing_us(row, x, config.level_pct, &time_us);
                        t.slopes.1.push(slope);
                        at
                    }),
            );
        }
        t
    }
}

impl Timed {
    /// The shape, noise and overlap flags; returns the MCD the noise alone
    /// gives the pair.
    fn flag(
        &self,
        flags: &mut Vec<PairFlag>,
        (target, others): (f64, &[f64]),
        noise_mv: f64,
        config: &JitterConfig,
    ) -> f64 {
        if cv_pct(&self.depths.0).max(cv_pct(&self.depths.1)) > config.shape_cv_pct {
            flags.push(PairFlag::ShapeChange);
        }
        let noise_jitter = noise_mcd_us(noise_mv, &self.slopes.0, &self.slopes.1);
        if noise_jitter > config.noise_jitter_us {
            flags.push(PairFlag::LowSignal);
        }
        let firsts: Vec<f64> = self.first_us.iter().flatten().copied().collect();
        let separation = if firsts.is_empty() {
            f64::INFINITY
        } else {
            (target - median(firsts).unwrap_or(0.0)).abs()
        };
        let crowded = others
            .iter()
            .any(|c| (c - target).abs() < config.overlap_us);
        // A second potential found this close to the trigger potential in
        // any sweep means it can land on it, where it is neither timed nor
        // seen.
        let closest = self
            .first_us
            .iter()
            .zip(&self.second_us)
            .filter_map(|(a, b)| Some((b.as_ref()? - a.as_ref()?).abs()))
            .fold(f64::INFINITY, f64::min);
        if separation < config.overlap_us || crowded || closest < config.overlap_us {
            flags.push(PairFlag::Overlap);
        }
        noise_jitter
    }
}

/// The pair and reading from the per-sweep times.
fn finish(
    s: &JitterSweeps,
    flags: Vec<PairFlag>,
    noise_mv: f64,
    window_us: Option<(f64, f64)>,
    first_us: Vec<Option<f64>>,
    second_us: Vec<Option<f64>>,
) -> (JitterPair, SweepReading) {
    let voluntary = s.method == JitterMethod::Voluntary;
    let sweeps = first_us.len();
    let mut discharges = Vec::with_capacity(sweeps);
    let mut untriggered = 0;
    for i in 0..sweeps {
        let reference = if voluntary {
            first_us.get(i).copied().flatten()
        } else {
            Some(0.0)
        };
        let Some(r) = reference else {
            untriggered += usize::from(voluntary);
            continue;
        };
        discharges.push(Discharge {
            ipi_us: second_us.get(i).copied().flatten().map(|t| t - r),
            isi_ms: None,
        });
    }
    let pair = JitterPair {
        id: s.id.clone(),
        muscle: s.muscle.clone(),
        side: s.side.clone(),
        method: s.method,
        electrode: s.electrode,
        discharges,
        sweep_flags: flags,
    };
    let reading = SweepReading {
        others_us: Vec::new(),
        noise_mv,
        noise_mcd_us: None,
        first_us,
        second_us,
        window_us,
        untriggered,
    };
    (pair, reading)
}

/// The sweep less its median (the potentials are brief, so the median is
/// the baseline).
fn baseline_removed(row: ndarray::ArrayView1<f64>) -> Vec<f64> {
    let v: Vec<f64> = row.to_vec();
    let m = median(v.clone()).unwrap_or(0.0);
    v.into_iter().map(|x| x - m).collect()
}

/// Noise SD from the first differences (robust to the brief potentials):
/// 1.4826 x MAD / sqrt(2).
fn noise_sd(rows: &[Vec<f64>]) -> f64 {
    let diffs: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.windows(2).map(|w| (w[1] - w[0]).abs()))
        .collect();
    median(diffs).map_or(0.0, |m| 1.4826 * m / std::f64::consts::SQRT_2)
}

/// Local minima deeper than `threshold`, one per potential: the deepest
/// sample of each run below `-threshold / 2`.
fn find_peaks(row: &[f64], threshold: f64, time_us: &dyn Fn(usize) -> f64) -> Vec<Peak> {
    let mut out = Vec::new();
    let mut run: Option<(usize, f64)> = None;
    for (i, &v) in row.iter().enumerate() {
        if v < -threshold / 2.0 {
            if run.is_none_or(|(_, d)| -v > d) {
                run = Some((i, -v));
            }
        } else if let Some((index, depth)) = run.take() {
            if depth >= threshold {
                out.push(Peak {
                    index,
                    time_us: time_us(index),
                    depth_mv: depth,
                });
            }
        }
    }
    if let Some((index, depth)) = run {
        if depth >= threshold {
            out.push(Peak {
                index,
                time_us: time_us(index),
                depth_mv: depth,
            });
        }
    }
    out
}

fn nearest(peaks: &[Peak], at_us: f64, within_us: f64) -> Option<Peak> {
    peaks
        .iter()
        .filter(|p| (p.time_us - at_us).abs() <= within_us)
        .min_by(|a, b| {
            (a.time_us - at_us)
                .abs()
                .total_cmp(&(b.time_us - at_us).abs())
        })
        .copied()
}

/// The places potentials usually are, most often found first: the centres
/// of histogram peaks (3 bins wide) found in at least
/// `OTHER_POTENTIAL_SHARE` of the sweeps (the first always kept).
fn clusters(times: &[f64], sweeps: usize) -> Vec<f64> {
    if times.is_empty() {
        return Vec::new();
    }
    let lo = times.iter().copied().fold(f64::INFINITY, f64::min);
    let bins = ((times.iter().copied().fold(f64::NEG_INFINITY, f64::max) - lo) / CLUSTER_BIN_US)
        as usize
        + 1;
    let mut hist = vec![0usize; bins];
    for t in times {
        hist[((t - lo) / CLUSTER_BIN_US) as usize] += 1;
    }
    let mut found: Vec<(usize, f64)> = Vec::new();
    let mut taken = vec![false; bins];
    loop {
        let sum3 = |i: usize| {
            (i.saturating_sub(1)..=(i + 1).min(bins - 1))
                .filter(|&j| !taken[j])
                .map(|j| hist[j])
                .sum::<usize>()
        };
        let Some(best) = (0..bins)
            .filter(|&i| !taken[i])
            .max_by_key(|&i| (sum3(i), usize::MAX - i))
        else {
            break;
        };
        let count = sum3(best);
        if count == 0
            || (!found.is_empty() && (count as f64) < OTHER_POTENTIAL_SHARE * sweeps as f64)
        {
            break;
        }
        let members: Vec<f64> = times
            .iter()
            .copied()
            .filter(|t| {
                ((t - lo) / CLUSTER_BIN_US) as usize + 1 >= best
                    && ((t - lo) / CLUSTER_BIN_US) as usize <= best + 1
            })
            .collect();
        found.push((
            count,
            median(members).unwrap_or(lo + (best as f64 + 0.5) * CLUSTER_BIN_US),
        ));
        for t in &mut taken[best.saturating_sub(2)..=(best + 2).min(bins - 1)] {
            *t = true;
        }
    }
    found.into_iter().map(|(_, c)| c).collect()
}

/// The search window around a potential's usual place: `WINDOW_MAX_US`
/// either side (a fibre's latency scatters both ways and has long tails:
/// an end-plate potential that only just reaches threshold reaches it
/// late), but never up to another potential found in most sweeps.
fn window_of(centre: f64, clusters: &[f64]) -> (f64, f64) {
    let others = clusters.iter().copied().filter(|&c| c != centre);
    let prev = others
        .clone()
        .filter(|&c| c < centre)
        .fold(f64::NEG_INFINITY, f64::max);
    let next = others.filter(|&c| c > centre).fold(f64::INFINITY, f64::min);
    let left = (centre - WINDOW_MAX_US).max(prev + WINDOW_MIN_US);
    let right = (centre + WINDOW_MAX_US).min(next - WINDOW_MIN_US);
    (left, right.max(left))
}

/// Where the leading edge of the potential at `peak` crosses `level_pct`
/// of its depth, interpolated between the samples either side.
/// Also returns the edge's slope there (mV per µs), from which the noise
/// moves the crossing by noise / slope.
fn crossing_us(
    row: &[f64],
    peak: &Peak,
    level_pct: f64,
    time_us: &dyn Fn(usize) -> f64,
) -> (f64, f64) {
    let level = -peak.depth_mv * level_pct / 100.0;
    let mut i = peak.index;
    while i > 0 && row[i - 1] <= level {
        i -= 1;
    }
    if i == 0 {
        return (time_us(0), 0.0);
    }
    // row[i - 1] > level >= row[i]
    let (a, b) = (row[i - 1], row[i]);
    let dt = time_us(i) - time_us(i - 1);
    let frac = if a == b { 0.0 } else { (a - level) / (a - b) };
    (time_us(i - 1) + frac * dt, (a - b) / dt)
}

/// The MCD the noise alone gives a pair: each potential's crossing moves
/// by noise / slope (SD, the median over sweeps); an interval's scatter is
/// the two combined, and an MCD is 2/sqrt(pi) (1.128) times a scatter
/// without trend (Ekstedt et al. 1974: "MCD = 1.13 x SD").
fn noise_mcd_us(noise_mv: f64, slopes1: &[f64], slopes2: &[f64]) -> f64 {
    let sd = |slopes: &[f64]| {
        median(
            slopes
                .iter()
                .map(|s| {
                    if *s > 0.0 {
                        noise_mv / s
                    } else {
                        f64::INFINITY
                    }
                })
                .collect(),
        )
        .unwrap_or(0.0)
    };
    let (a, b) = (sd(slopes1), sd(slopes2));
    2.0 / std::f64::consts::PI.sqrt() * (a * a + b * b).sqrt()
}

fn median(v: Vec<f64>) -> Option<f64> {
    crate::numeric::stats::median(&v, &mut Vec::new())
}

/// Coefficient of variation (%), 0 for fewer than two values.
fn cv_pct(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
    if mean > 0.0 {
        100.0 * var.sqrt() / mean
    } else {
        0.0
    }
}
