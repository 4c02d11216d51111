//! Single-fibre potential pairs: jitter and blocking from the end-plate
//! physiology of `physiology.rs`, as interval lists and raw sweeps, with
//! the truth.
//!
//! Each pair is one motor unit of a rested muscle of the condition and
//! severity asked for. At each discharge its end plates release Poisson
//! quanta (the same release, facilitation and depletion as the CMAP
//! simulation), and each plate's end-plate potential, `S` times its
//! threshold, rises as `S (1 - exp(-t / tau))`: the fibre fires when it
//! reaches threshold, at `t = -tau ln(1 - 1/S)`, and not at all when `S <
//! 1` (block). The scatter of `S` from impulse to impulse is the jitter:
//! it grows as the safety factor falls (MG's smaller quanta; LEMS's fewer
//! quanta, which facilitation at a higher firing rate restores), and a
//! plate blocks when it falls below 1. Propagation adds a few µs, and in
//! voluntary firing the muscle-fibre velocity follows the preceding
//! inter-discharge interval (the interval-dependent jitter axonal
//! stimulation avoids: Trontelj et al. 1992).

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::physiology::Muscle;
use super::{muscle_profile, Condition};
use crate::error::{Error, Result};
use crate::model::{Discharge, Electrode, JitterMethod, JitterPair};

/// Model constants of the single-fibre simulation (`docs/jitter.md`).
pub(crate) mod constants {
    /// Time constant of the end-plate potential's rise to threshold (µs):
    /// nmjscope's calibration, so that a healthy voluntary pair's MCD is
    /// about 20 µs, under the concentric-needle limits of Stålberg et al.
    /// 2016 (30 µs mean, 43 µs pair for extensor digitorum).
    pub const EPP_TAU_US: f64 = 100.0;
    /// Propagation jitter of each fibre (µs, SD): axonal branch and
    /// muscle fibre, independent of transmission.
    pub const PROPAGATION_SD_US: f64 = 3.0;
    /// Spread between a pair's fibres of the latency change per ms of
    /// inter-discharge interval (µs/ms, SD): the interval-dependent jitter
    /// of voluntary firing.
    pub const VELOCITY_SLOPE_SD_US_PER_MS: f64 = 0.4;
    /// Single-fibre potential: the width parameter of its main phase (µs);
    /// its rise from the leading positive peak to the negative one is
    /// sqrt(3) times this (about 170 µs, under the 300 µs accepted).
    pub const SFAP_WIDTH_US: f64 = 100.0;
}

use constants as k;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JitterSimConfig {
    /// The physiology.
    pub condition: Condition,
    /// Severity 0-1 (ignored for `normal`).
    pub severity: f64,
    /// The muscle written to the files (its MG weight applies).
    pub muscle: String,
    /// Voluntary or stimulated.
    pub method: JitterMethod,
    /// The electrode written to the files.
    pub electrode: Electrode,
    /// Pairs (voluntary) or end plates (stimulated) recorded.
    pub pairs: usize,
    /// Discharges per pair.
    pub discharges: usize,
    /// Firing rate (voluntary) or stimulation rate (stimulated), Hz.
    pub rate_hz: f64,
    /// Coefficient of variation of voluntary inter-discharge intervals.
    pub rate_cv: f64,
    /// Seed: same seed, same pairs.
    pub seed: u64,
    /// Raw sweeps: sampling rate (Hz).
    pub sampling_rate_hz: f64,
    /// Raw sweeps: white noise (mV, SD).
    pub noise_mv: f64,
}

impl Default for JitterSimConfig {
    fn default() -> Self {
        JitterSimConfig {
            condition: Condition::Normal,
            severity: 0.5,
            muscle: "EDC".into(),
            method: JitterMethod::Voluntary,
            electrode: Electrode::Concentric,
            // A few more than the 20 a judgement needs: some pairs are
            // always left out (too few discharges, below the floor).
            pairs: 24,
            discharges: 100,
            rate_hz: 10.0,
            rate_cv: 0.15,
            seed: 1,
            sampling_rate_hz: 50_000.0,
            noise_mv: 0.02,
        }
    }
}

/// One simulated pair with its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedPair {
    /// The discharges as an interval list would give them (exact
    /// intervals, in µs to 1 ns).
    pub pair: JitterPair,
    /// Each discharge's firing time of the first (trigger) and second
    /// fibre from the discharge's time zero (µs), `None` when blocked. For
    /// a stimulated pair the first is the stimulus (0).
    pub events_us: Vec<(Option<f64>, Option<f64>)>,
    /// Mean safety factor of the pair's end plates over its discharges.
    pub mean_safety: f64,
    /// Peak amplitudes (mV) of the two potentials in the sweeps.
    pub amplitudes_mv: (f64, f64),
}

/// Simulates the pairs of one muscle.
///
/// # Errors
///
/// [`Error::Simulation`] when a setting is out of range.
pub fn simulate_pairs(config: &JitterSimConfig) -> Result<Vec<SimulatedPair>> {
    check(config)?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let profile = muscle_profile(&config.muscle);
    let muscle = Muscle::new(config.condition, config.severity, &profile, &mut rng)?;
    let units = muscle.unit_count();
    let mut next_unit = 0usize;
    (0..config.pairs)
        .map(|i| {
            let seed: u64 = rng.random();
            // An examiner records a pair that fires: a unit whose trigger
            // potential blocks at nearly every discharge gives no sweeps,
            // and the next unit is taken (up to ten).
            let mut tries = 0;
            loop {
                let mut m = muscle.clone();
                let unit = (next_unit * 7) % units;
                next_unit += 1;
                tries += 1;
                let pair = simulate_pair(config, &mut m, unit, i, seed ^ tries)?;
                if pair.events_us.len() >= config.discharges.min(10) || tries >= 10 {
                    return Ok(pair);
                }
            }
        })
        .collect()
}

fn check(c: &JitterSimConfig) -> Result<()> {
    let bad = |what: &str| Err(Error::Simulation(what.to_string()));
    if !(0.0..=1.0).contains(&c.severity) {
        return bad("severity must be 0-1");
    }
    if !(1..=200).contains(&c.pairs) || !(2..=2000).contains(&c.discharges) {
        return bad("pairs must be 1-200 and discharges 2-2000");
    }
    if !(1.0..=50.0).contains(&c.rate_hz) || !(0.0..=0.5).contains(&c.rate_cv) {
        return bad("rate_hz must be 1-50 and rate_cv 0-0.5");
    }
    if !(10_000.0..=200_000.0).contains(&c.sampling_rate_hz) || !(0.0..=1.0).contains(&c.noise_mv) {
        return bad("sampling_rate_hz must be 10-200 kHz and noise_mv 0-1");
    }
    Ok(())
}

/// The threshold crossing of an end-plate potential `safety` times its
/// threshold (µs after the impulse reaches the terminal), `None` if it
/// never reaches it.
fn crossing_us(safety: f64) -> Option<f64> {
    (safety > 1.0).then(|| -k::EPP_TAU_US * (1.0 - 1.0 / safety).ln())
}

fn simulate_pair(
    c: &JitterSimConfig,
    muscle: &mut Muscle,
    unit: usize,
    index: usize,
    seed: u64,
) -> Result<SimulatedPair> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let err = |e: rand_distr::NormalError| Error::Simulation(e.to_string());
    let prop = Normal::new(0.0, k::PROPAGATION_SD_US).map_err(err)?;
    let slope = Normal::new(0.0, k::VELOCITY_SLOPE_SD_US_PER_MS).map_err(err)?;
    let isi_noise = Normal::new(0.0, c.rate_cv).map_err(err)?;
    let mean_isi_ms = 1000.0 / c.rate_hz;
    let voluntary = c.method == JitterMethod::Voluntary;
    // Base latencies (µs): the second fibre 0.6-2 ms after the first, or the
    // stimulated fibre 2-4 ms after the stimulus.
    let base2 = if voluntary { 600.0 } else { 2000.0 } + 1400.0 * rng.random::<f64>();
    let dslope = if voluntary {
        slope.sample(&mut rng)
    } else {
        0.0
    };
    let (mut events, mut discharges) = (Vec::new(), Vec::new());
    let mut safety_sum = 0.0;
    for d in 0..c.discharges {
        let isi_ms = if voluntary {
            (mean_isi_ms * (1.0 + isi_noise.sample(&mut rng)))
                .clamp(mean_isi_ms * 0.4, mean_isi_ms * 2.5)
        } else {
            mean_isi_ms
        };
        if d > 0 {
            muscle.rest(isi_ms / 1000.0);
        }
        let s = muscle.impulse_unit(unit);
        safety_sum += s[0] + if voluntary { s[1] } else { 0.0 };
        let rate_shift = dslope * (isi_ms - mean_isi_ms);
        let t1 = if voluntary {
            crossing_us(s[1]).map(|t| t + prop.sample(&mut rng))
        } else {
            Some(0.0)
        };
        let t2 = crossing_us(s[0]).map(|t| base2 + t + prop.sample(&mut rng) + rate_shift);
        // A blocked trigger potential leaves no sweep: the machine is not
        // triggered, and the discharge is not recorded.
        let Some(t1) = t1 else { continue };
        let ipi_us = t2.map(|t2| ((t2 - t1) * 1000.0).round() / 1000.0);
        events.push((Some(t1), t2));
        discharges.push(Discharge {
            ipi_us,
            isi_ms: voluntary.then_some((isi_ms * 1000.0).round() / 1000.0),
        });
    }
    let plates = if voluntary { 2.0 } else { 1.0 };
    Ok(SimulatedPair {
        pair: JitterPair {
            id: format!("{}", index + 1),
            muscle: c.muscle.clone(),
            side: None,
            method: c.method,
            electrode: c.electrode,
            discharges,
            sweep_flags: Vec::new(),
        },
        events_us: events,
        mean_safety: safety_sum / (plates * c.discharges as f64),
        amplitudes_mv: (
            0.4 + 1.6 * rng.random::<f64>(),
            0.3 + 1.2 * rng.random::<f64>(),
        ),
    })
}

/// A single-fibre potential at `t_us` µs from its centre (mV per mV of
/// amplitude): a main negative phase between two positive ones.
fn sfap(t_us: f64) -> f64 {
    let x = t_us / k::SFAP_WIDTH_US;
    -(1.0 - x * x) * (-0.5 * x * x).exp()
}

/// Where a potential's centre lies from its firing time: the simulated
/// firing time is the 50% crossing of the main phase's leading edge, so
/// the sweeps' level crossings have a known answer.
fn centre_after_crossing_us() -> f64 {
    // Solve sfap(-d) = -0.5 on the leading edge by bisection.
    let (mut lo, mut hi) = (0.0, k::SFAP_WIDTH_US * 1.7);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if -sfap(-mid) > 0.5 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A pair's raw sweeps: one row per recorded discharge, time zero the
/// trigger (the first potential's 50% crossing, to the nearest sample as a
/// machine's trigger finds it) or the stimulus; 1 ms before, 5 ms after
/// (voluntary) or 7 ms (stimulated). Returns the first sample's time (ms)
/// and the samples (mV).
pub fn sweeps_of(c: &JitterSimConfig, p: &SimulatedPair, seed: u64) -> Result<(f64, Array2<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise =
        Normal::new(0.0, c.noise_mv.max(1e-12)).map_err(|e| Error::Simulation(e.to_string()))?;
    let dt_us = 1e6 / c.sampling_rate_hz;
    let (pre_us, post_us) = (
        1000.0,
        if c.method == JitterMethod::Voluntary {
            5000.0
        } else {
            7000.0
        },
    );
    let n = ((pre_us + post_us) / dt_us).round() as usize;
    let shift = centre_after_crossing_us();
    let mut out = Array2::zeros((p.events_us.len(), n));
    for (row, &(t1, t2)) in p.events_us.iter().enumerate() {
        // The trigger fires on the sample at or after the crossing.
        let t1 = t1.unwrap_or(0.0);
        let zero = if c.method == JitterMethod::Voluntary {
            (t1 / dt_us).ceil() * dt_us
        } else {
            0.0
        };
        for (j, v) in out.row_mut(row).iter_mut().enumerate() {
            let t = -pre_us + j as f64 * dt_us + zero;
            let mut x = if c.noise_mv > 0.0 {
                noise.sample(&mut rng)
            } else {
                0.0
            };
            if c.method == JitterMethod::Voluntary {
                x += p.amplitudes_mv.0 * sfap(t - t1 - shift);
            }
            if let Some(t2) = t2 {
                x += p.amplitudes_mv.1 * sfap(t - t2 - shift);
            }
            *v = x;
        }
    }
    Ok((-pre_us / 1000.0, out))
}
