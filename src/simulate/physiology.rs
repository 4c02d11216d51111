//! The physiology: end plates, quantal release, calcium-dependent
//! facilitation and depletion, and the CMAP as the sum of the motor-unit
//! potentials of the fibres that fired. Nothing here knows how a recording
//! is made; `conditions` does that.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Poisson};

use super::Condition;
use crate::error::{Error, Result};

/// Model constants (see `docs/simulation.md` for their sources).
pub(crate) mod constants {
    /// Motor units in the muscle.
    pub const MOTOR_UNITS: usize = 150;
    /// End plates modelled per motor unit (each standing for a group of
    /// fibres with its own safety factor).
    pub const PLATES_PER_UNIT: usize = 8;
    /// Releasable quanta of a rested terminal.
    pub const STORE_QUANTA: f64 = 250.0;
    /// Release probability of a healthy terminal at rest.
    pub const P_REST: f64 = 0.2;
    /// Ceiling of the release probability.
    pub const P_MAX: f64 = 0.9;
    /// Mean safety factor of a healthy end plate (EPP / threshold).
    pub const SAFETY_FACTOR: f64 = 4.0;
    /// Spread (log SD) of quantal size and store size between end plates.
    /// Narrow enough that MG can show a 40-50% decrement with the resting
    /// CMAP still within normal limits and no post-exercise increment of
    /// 60% (Oh et al. 2005: none in 538 MG tests); 0.3 could not.
    pub const PLATE_SPREAD: f64 = 0.2;
    /// Fast residual calcium added per impulse (x influx) and its decay.
    pub const RESIDUAL_FAST: f64 = 0.12;
    pub const TAU_FAST_MS: f64 = 60.0;
    /// Slow residual (post-tetanic) calcium per impulse, ceiling, decay.
    pub const RESIDUAL_SLOW: f64 = 0.002;
    pub const RESIDUAL_SLOW_MAX: f64 = 0.15;
    pub const TAU_SLOW_S: f64 = 20.0;
    /// Store refilling: time constant at rest, and the activity-driven
    /// mobilisation that speeds it (per impulse, decaying in 1.5 s).
    pub const TAU_REFILL_S: f64 = 5.0;
    pub const MOBILISATION: f64 = 0.12;
    pub const TAU_MOBILISATION_S: f64 = 1.5;
    pub const MOBILISATION_GAIN: f64 = 6.0;
    /// Calcium-dependent refilling: rate per unit of fast residual calcium
    /// (per s).
    pub const CALCIUM_REFILL: f64 = 40.0;
    /// Severity mapping (`severity_scale`): a parameter falls geometrically
    /// from normal to its minimum along `severity ^ exponent`. An exponent
    /// below 1 front-loads the loss, because the first half of a healthy
    /// safety factor of 4 is silent, so the picture moves evenly.
    ///
    /// Quantal size left at severity 1 in MG (fraction of normal): a median
    /// safety factor of about 1.1, a 3 Hz decrement of about 45%.
    pub const MG_Q_MIN: f64 = 0.28;
    /// Exponent of the MG curve: q at 0.25 is ~0.43 of normal, the decrement
    /// just over the 10% criterion (mild).
    pub const MG_Q_EXPONENT: f64 = 0.3;
    /// Calcium influx left at severity 1 in LEMS (fraction of normal, fewer
    /// P/Q-type channels at the active zones that still release).
    pub const LEMS_INFLUX_MIN: f64 = 0.68;
    /// Exponent of the LEMS influx curve: influx carries the early disease
    /// (low CMAP, increment) so that mild LEMS is already presynaptic.
    pub const LEMS_INFLUX_EXPONENT: f64 = 0.3;
    /// Releasable store left at severity 1 in LEMS (fraction of normal):
    /// active zones lost altogether (Fukunaga et al. 1982). With fewer
    /// sites releasing at a less reduced probability, each impulse takes a
    /// larger share of the store, so plates near threshold fail during a
    /// 3 Hz train: the LEMS low-rate decrement (over 15% in most patients).
    pub const LEMS_STORE_MIN: f64 = 0.55;
    /// Exponent of the LEMS store curve: the loss of active zones comes
    /// later than the loss of influx, so the decrement grows with severity.
    pub const LEMS_STORE_EXPONENT: f64 = 0.6;
    /// Distal motor latency and its dispersion across units (ms).
    pub const LATENCY_MS: f64 = 3.0;
    pub const LATENCY_SD_MS: f64 = 0.25;
    /// Motor-unit potential: negative and positive phase durations (ms).
    pub const MUP_NEG_MS: f64 = 5.0;
    pub const MUP_POS_MS: f64 = 7.5;
    pub const MUP_POS_RATIO: f64 = 0.5;
    /// High-rate narrowing of the MUP (pseudofacilitation): largest
    /// fractional narrowing and its build-up time.
    pub const NARROWING_MAX: f64 = 0.35;
    pub const TAU_NARROWING_S: f64 = 0.5;
    /// Firing rate during maximal voluntary contraction (Hz).
    pub const MVC_RATE_HZ: f64 = 30.0;
    /// Cooling: the quantal potential grows by this fraction per degree
    /// below `WARM_C` (cholinesterase slows and the end-plate potential
    /// lasts longer). nmjscope's own calibration: cooling from 35 to 28 C
    /// made the myasthenic decrement "less marked" (Borenstein & Desmedt
    /// 1975), which gives no size; 4% per degree roughly halves a moderate
    /// 3 Hz decrement at 28 C (docs/simulation.md).
    pub const COOLING_GAIN_PER_C: f64 = 0.04;
    /// The limb temperature the model's end plates are set at (C): the
    /// skin over a tested muscle is kept at 32-34 C or above.
    pub const WARM_C: f64 = 34.0;
    /// Threshold fluctuation of a motor axon from one stimulus to the next,
    /// as a share of the stimulus range (a unit's threshold rank is
    /// uniform in 0-1): units within a few percent of the stimulus strength
    /// fire at some stimuli and not at others.
    pub const THRESHOLD_JITTER: f64 = 0.02;
    /// Post-exercise exhaustion: a depression of release that follows a
    /// long contraction with a delay, largest about 2-3 min after it and
    /// gone by about 10 min, as the MG work-up sees it (trains at 1-4 min).
    /// Drive per second of maximal contraction, onset and recovery time
    /// constants: 60 s of exercise depress release by about 8% at the
    /// peak (2.4 min), which a healthy safety factor of 4 absorbs and a
    /// myasthenic one shows as a few points more decrement. Calibrated
    /// on a generalised-MG cohort against the published mean worsening
    /// after exercise, 1.9% (ulnar, 179 MG, PubMed 17024676), and the
    /// share with a decrement only after exercise, 7% there and 11 of 32
    /// (Muscle Nerve 2014;50:413): `tests/integration/cohorts.rs`. The
    /// earlier 0.015 made it 17 points.
    pub const EXHAUSTION_PER_S: f64 = 0.004;
    pub const TAU_EXHAUSTION_ONSET_S: f64 = 90.0;
    pub const TAU_EXHAUSTION_RECOVERY_S: f64 = 240.0;
}

use constants as k;

/// The severity mapping: a parameter that is 1 in health and `min` at
/// severity 1 falls geometrically along `severity ^ exponent` (monotone,
/// 1 at severity 0, `min` at 1).
pub(crate) fn severity_scale(min: f64, severity: f64, exponent: f64) -> f64 {
    min.powf(severity.clamp(0.0, 1.0).powf(exponent))
}

/// One end plate's release at release probability `p`: Poisson quanta
/// when the impulse is recorded, the expected number otherwise (see
/// [`Muscle::impulse`]); the store is depleted by what was released.
fn release(plate: &mut Plate, p: f64, depression: f64, record: bool, rng: &mut ChaCha8Rng) -> f64 {
    let mean = plate.store * plate.n * p * (1.0 - EXHAUSTION_RELEASE_SHARE * depression);
    let quanta = if !record {
        mean.max(0.0)
    } else if mean > 0.0 {
        Poisson::new(mean).map(|d| d.sample(rng)).unwrap_or(mean)
    } else {
        0.0
    };
    plate.n = (plate.n - quanta / plate.store).max(0.0);
    quanta
}

/// The share of exhaustion's depression that lowers release directly (the
/// rest slows refilling).
const EXHAUSTION_RELEASE_SHARE: f64 = 0.3;

#[derive(Clone)]
pub(crate) struct Plate {
    /// Quantal size in units of the firing threshold.
    q: f64,
    /// Store size (quanta).
    store: f64,
    /// Fraction of the store available.
    n: f64,
}

#[derive(Clone)]
pub(crate) struct Unit {
    latency_ms: f64,
    amplitude_mv: f64,
    width: f64,
    plates: Vec<Plate>,
}

/// A stimulus that reaches only part of the motor axons: each unit's
/// threshold rank (uniform, drawn from its own stream so that a
/// supramaximal simulation is unchanged), the share of the range the
/// stimulus reaches, and whether only the first recorded stimulus is
/// submaximal.
#[derive(Clone)]
pub(crate) struct Reach {
    ranks: Vec<f64>,
    fraction: f64,
    first_only: bool,
    given: usize,
    rng: ChaCha8Rng,
}

impl Reach {
    /// Which units the next recorded stimulus reaches (`None`: all).
    fn next_mask(&mut self) -> Option<Vec<bool>> {
        self.given += 1;
        if self.first_only && self.given > 1 {
            return None;
        }
        let jitter = Normal::new(0.0, k::THRESHOLD_JITTER).ok()?;
        Some(
            self.ranks
                .iter()
                .map(|r| r + jitter.sample(&mut self.rng) < self.fraction)
                .collect(),
        )
    }
}

/// The terminal and muscle state.
#[derive(Clone)]
pub(crate) struct Muscle {
    units: Vec<Unit>,
    influx: f64,
    fast: f64,
    slow: f64,
    mobilisation: f64,
    pub(crate) narrowing: f64,
    /// Exhaustion building up after a long contraction, and the depression
    /// of release it has become (fraction).
    exhaustion_pending: f64,
    depression: f64,
    rng: ChaCha8Rng,
    /// The axons a submaximal stimulus reaches (`None`: supramaximal).
    reach: Option<Reach>,
    /// The end plates at the last recorded impulse, averaged over the
    /// plates it reached (read from what the impulse computed anyway).
    pub(crate) endplate: super::EndplateState,
}

impl Muscle {
    pub(crate) fn new(
        condition: Condition,
        severity: f64,
        profile: &super::muscles::MuscleProfile,
        rng: &mut ChaCha8Rng,
    ) -> Result<Muscle> {
        let s = match condition {
            Condition::Normal => 0.0,
            // A muscle's end plates take their own share of the loss.
            Condition::Mg => (severity * profile.mg_weight).min(1.0),
            _ => severity,
        };
        let (q_factor, influx, store_factor) = match condition {
            Condition::Mg => (severity_scale(k::MG_Q_MIN, s, k::MG_Q_EXPONENT), 1.0, 1.0),
            Condition::Lems => (
                1.0,
                severity_scale(k::LEMS_INFLUX_MIN, s, k::LEMS_INFLUX_EXPONENT),
                severity_scale(k::LEMS_STORE_MIN, s, k::LEMS_STORE_EXPONENT),
            ),
            _ => (1.0, 1.0, 1.0),
        };
        let spread =
            LogNormal::new(0.0, k::PLATE_SPREAD).map_err(|e| Error::Simulation(e.to_string()))?;
        let size = LogNormal::new(0.0, 0.5).map_err(|e| Error::Simulation(e.to_string()))?;
        let latency = Normal::new(k::LATENCY_MS, k::LATENCY_SD_MS)
            .map_err(|e| Error::Simulation(e.to_string()))?;
        // Quantal size so that a healthy rested plate has the mean safety
        // factor: m q = SF with m = STORE x P_REST.
        let q0 = k::SAFETY_FACTOR / (k::STORE_QUANTA * k::P_REST);
        let mut units: Vec<Unit> = (0..k::MOTOR_UNITS)
            .map(|_| Unit {
                latency_ms: latency.sample(rng),
                amplitude_mv: size.sample(rng),
                width: 1.0 + 0.1 * (rng.random::<f64>() - 0.5),
                plates: (0..k::PLATES_PER_UNIT)
                    .map(|_| Plate {
                        q: q0 * q_factor * spread.sample(rng),
                        store: k::STORE_QUANTA * store_factor * spread.sample(rng),
                        n: 1.0,
                    })
                    .collect(),
            })
            .collect();
        let total: f64 = units.iter().map(|u| u.amplitude_mv).sum();
        for u in &mut units {
            u.amplitude_mv *= profile.cmap_mv / total;
        }
        Ok(Muscle {
            units,
            influx,
            fast: 0.0,
            slow: 0.0,
            mobilisation: 0.0,
            narrowing: 0.0,
            exhaustion_pending: 0.0,
            depression: 0.0,
            rng: ChaCha8Rng::seed_from_u64(rng.random()),
            reach: None,
            endplate: super::EndplateState::default(),
        })
    }

    /// The muscle with its limb at `temperature_c`: below `WARM_C` each
    /// quantum depolarises more (cooling improves transmission).
    pub(crate) fn cooled(mut self, temperature_c: Option<f64>) -> Muscle {
        let below = temperature_c.map_or(0.0, |t| (k::WARM_C - t).max(0.0));
        let gain = 1.0 + k::COOLING_GAIN_PER_C * below;
        for u in &mut self.units {
            for p in &mut u.plates {
                p.q *= gain;
            }
        }
        self
    }

    /// The muscle stimulated at `fraction` of the strength that reaches
    /// every axon (1: supramaximal, unchanged), for every recorded
    /// stimulus or only the first; `seed` drives its own stream.
    pub(crate) fn stimulated(mut self, fraction: f64, first_only: bool, seed: u64) -> Muscle {
        if fraction >= 1.0 {
            return self;
        }
        // Its own stream: the muscle's is untouched.
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_57a1_u64);
        let ranks = self.units.iter().map(|_| rng.random::<f64>()).collect();
        self.reach = Some(Reach {
            ranks,
            fraction,
            first_only,
            given: 0,
            rng,
        });
        self
    }

    fn release_probability(&self) -> f64 {
        let c = self.influx + self.fast + self.slow;
        let k4 = k::P_MAX / k::P_REST - 1.0;
        let c4 = c.powi(4);
        k::P_MAX * c4 / (c4 + k4)
    }

    /// Lets `dt_s` pass without impulses.
    pub(crate) fn rest(&mut self, dt_s: f64) {
        // Residual calcium speeds refilling (calcium-dependent recovery):
        // its integral over the interval adds to the resting rate.
        let decay = (-dt_s * 1000.0 / k::TAU_FAST_MS).exp();
        let fast_integral = self.fast * k::TAU_FAST_MS / 1000.0 * (1.0 - decay);
        self.fast *= decay;
        self.slow *= (-dt_s / k::TAU_SLOW_S).exp();
        let rate = (1.0 + k::MOBILISATION_GAIN * self.mobilisation) / k::TAU_REFILL_S;
        // Exhaustion slows the refilling of the store (the terminal cannot
        // keep up during a train), which deepens the decrement more than it
        // lowers the first response.
        let slowed = 1.0 - self.depression;
        let refill = 1.0 - (-(dt_s * rate + k::CALCIUM_REFILL * fast_integral) * slowed).exp();
        for u in &mut self.units {
            for p in &mut u.plates {
                p.n += (1.0 - p.n) * refill;
            }
        }
        self.mobilisation *= (-dt_s / k::TAU_MOBILISATION_S).exp();
        self.narrowing *= (-dt_s / k::TAU_NARROWING_S).exp();
        self.advance_exhaustion(dt_s);
    }

    /// Starts the exhaustion that `seconds` of maximal contraction leave.
    pub(crate) fn exhaust(&mut self, seconds: f64) {
        self.exhaustion_pending += k::EXHAUSTION_PER_S * seconds;
    }

    /// Two compartments in series: the pending drive flows into the
    /// depression (onset), which recovers; solved exactly over `dt_s`.
    fn advance_exhaustion(&mut self, dt_s: f64) {
        if self.exhaustion_pending == 0.0 && self.depression == 0.0 {
            return;
        }
        let (t1, t2) = (k::TAU_EXHAUSTION_ONSET_S, k::TAU_EXHAUSTION_RECOVERY_S);
        let (e1, e2) = ((-dt_s / t1).exp(), (-dt_s / t2).exp());
        self.depression =
            self.depression * e2 + self.exhaustion_pending * t2 / (t2 - t1) * (e2 - e1);
        self.exhaustion_pending *= e1;
    }

    /// One nerve impulse: release, fire, deplete. Returns the fraction of
    /// each unit's plates that fired (empty when `record` is false).
    ///
    /// An impulse that is not recorded (a voluntary contraction's) depletes
    /// each store by its expected release: what it leaves behind is the sum
    /// of hundreds of impulses, whose Poisson scatter averages out, and
    /// sampling it was most of the cost of an exercise test.
    pub(crate) fn impulse(&mut self, record: bool, high_rate: bool) -> Vec<f64> {
        let p = self.release_probability();
        let mut fired = Vec::with_capacity(if record { self.units.len() } else { 0 });
        // A recorded stimulus may not reach every axon; a voluntary
        // impulse does.
        let mask = if record {
            self.reach.as_mut().and_then(Reach::next_mask)
        } else {
            None
        };
        // The end plates' state, summed over the plates reached: no random
        // number is drawn for it.
        let (mut plates, mut quanta_sum, mut store_sum, mut safety_sum, mut failed) =
            (0usize, 0.0, 0.0, 0.0, 0usize);
        for (i, u) in self.units.iter_mut().enumerate() {
            if mask.as_ref().is_some_and(|m| !m[i]) {
                // Not reached: no impulse, no release.
                fired.push(0.0);
                continue;
            }
            let mut count = 0usize;
            for plate in &mut u.plates {
                let quanta = release(plate, p, self.depression, record, &mut self.rng);
                let safety = quanta * plate.q;
                if safety >= 1.0 {
                    count += 1;
                } else {
                    failed += 1;
                }
                plates += 1;
                quanta_sum += quanta;
                store_sum += plate.n;
                safety_sum += safety;
            }
            if record {
                fired.push(count as f64 / u.plates.len() as f64);
            }
        }
        if record && plates > 0 {
            let n = plates as f64;
            self.endplate = super::EndplateState {
                quantal_content: quanta_sum / n,
                store_fraction: store_sum / n,
                safety_factor: safety_sum / n,
                failed_fraction: failed as f64 / n,
            };
        } else if record {
            self.endplate = super::EndplateState::default();
        }
        self.after_impulse(high_rate);
        fired
    }

    /// What an impulse leaves in the terminal: residual calcium,
    /// mobilisation, and (at a high rate) the narrowing of the potentials.
    fn after_impulse(&mut self, high_rate: bool) {
        self.fast += k::RESIDUAL_FAST * self.influx;
        self.slow += k::RESIDUAL_SLOW * self.influx * (1.0 - self.slow / k::RESIDUAL_SLOW_MAX);
        self.mobilisation += k::MOBILISATION * (1.0 - self.mobilisation);
        if high_rate {
            self.narrowing += 0.08 * (1.0 - self.narrowing);
        }
    }

    /// One impulse of one motor unit alone (a single-fibre recording: the
    /// unit firing voluntarily, or its axon stimulated): each of its end
    /// plates' end-plate potential in units of its firing threshold (the
    /// safety factor of this impulse; below 1 the fibre is blocked).
    pub(crate) fn impulse_unit(&mut self, unit: usize) -> Vec<f64> {
        let p = self.release_probability();
        let depression = self.depression;
        let rng = &mut self.rng;
        let safeties = self.units[unit]
            .plates
            .iter_mut()
            .map(|plate| release(plate, p, depression, true, rng) * plate.q)
            .collect();
        self.after_impulse(false);
        safeties
    }

    /// Motor units modelled.
    pub(crate) fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// The CMAP sampled at `times_ms` (ascending) for the given firing
    /// fractions.
    pub(crate) fn cmap(&self, fired: &[f64], times_ms: &[f64]) -> Vec<f64> {
        let narrowing = 1.0 - k::NARROWING_MAX * self.narrowing;
        let mut out = vec![0.0; times_ms.len()];
        let pos_peak = (1.0f64 / 3.0).powi(2) * (2.0f64 / 3.0).powi(4);
        for (u, &f) in self.units.iter().zip(fired) {
            if f <= 0.0 {
                continue;
            }
            let neg = k::MUP_NEG_MS * u.width * narrowing;
            let pos = k::MUP_POS_MS * u.width * narrowing;
            // Narrowing keeps the area: the amplitude grows as the width shrinks.
            let amp = u.amplitude_mv * f / narrowing;
            // Only the samples within this unit's potential (times are in
            // ascending order): the sum is the same, the work a fraction.
            let from = times_ms.partition_point(|&t| t < u.latency_ms);
            let to = times_ms.partition_point(|&t| t <= u.latency_ms + neg + pos);
            let span = from..to.max(from);
            for (o, &t) in out[span.clone()].iter_mut().zip(&times_ms[span]) {
                let x = (t - u.latency_ms) / neg;
                if (0.0..=1.0).contains(&x) {
                    *o -= amp * x * x * (1.0 - x).powi(3) / 0.034_56;
                } else {
                    let v = (t - u.latency_ms - neg) / pos;
                    if (0.0..=1.0).contains(&v) {
                        *o += amp * k::MUP_POS_RATIO * v * v * (1.0 - v).powi(4) / pos_peak;
                    }
                }
            }
        }
        out
    }
}
