//! A mechanistic simulator of neuromuscular transmission and the CMAP, for
//! teaching, demos and tests with known answers. Equations and parameter
//! sources are in `docs/simulation.md`.
//!
//! Every end plate releases quanta with mean content `m = N n p` (releasable
//! store `N n`, release probability `p`); the end-plate potential is `m q`
//! and the fibre fires when it reaches threshold. `p` follows the
//! fourth-power calcium dependence of release (Dodge & Rahamimoff) of the
//! calcium present at the terminal: the influx of one action potential plus
//! a fast residue (facilitation, decays in ~60 ms) and a slow one
//! (post-tetanic potentiation, decays in ~20 s). Each release depletes the
//! store, which refills at a rate that activity speeds up (mobilisation).
//! Myasthenia gravis lowers the quantal size `q` (fewer acetylcholine
//! receptors); Lambert-Eaton lowers the calcium influx (fewer P/Q channels).
//! Decrement, U shape, low CMAP and increment are not written in: they come
//! out of these rules. The CMAP is the sum of the motor-unit potentials of
//! the fibres that fired, with latency dispersion, plus noise, hum, drift
//! and a stimulus artifact.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal, Poisson};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Protocol;

/// The physiology simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Condition {
    /// Healthy neuromuscular transmission.
    Normal,
    /// Myasthenia gravis: fewer postsynaptic acetylcholine receptors.
    Mg,
    /// Lambert-Eaton myasthenic syndrome: fewer presynaptic calcium channels.
    Lems,
}

impl Condition {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Normal => "normal",
            Condition::Mg => "mg",
            Condition::Lems => "lems",
        }
    }
}

/// Simulation settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// The physiology.
    pub condition: Condition,
    /// Severity from 0 (none) to 1 (severe); ignored for `Normal`.
    pub severity: f64,
    /// The protocol of a single test (`simulate_test`).
    pub protocol: Protocol,
    /// Stimulation rate; default 3 Hz (rns), 50 Hz (hfrns).
    pub rate_hz: Option<f64>,
    /// Muscle name written to the file (default ADM).
    pub muscle: String,
    /// Random seed: same seed, same bytes.
    pub seed: u64,
    /// Sampling rate (default 20 kHz).
    pub sampling_rate_hz: f64,
    /// White-noise SD (default 0.01 mV).
    pub noise_mv: f64,
    /// 50 Hz hum amplitude (default 0).
    pub hum_mv: f64,
    /// Linear drift across each sweep (default 0).
    pub drift_mv: f64,
    /// Stimulus artifact amplitude (default 3 mV, decaying in 0.15 ms).
    pub artifact_mv: f64,
    /// How the CSV is written (default plain).
    pub variant: FileVariant,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            condition: Condition::Normal,
            severity: 0.5,
            protocol: Protocol::Rns,
            rate_hz: None,
            muscle: "ADM".to_string(),
            seed: 1,
            sampling_rate_hz: 20_000.0,
            noise_mv: 0.01,
            hum_mv: 0.0,
            drift_mv: 0.0,
            artifact_mv: 3.0,
            variant: FileVariant::Plain,
        }
    }
}

/// Model constants (see `docs/simulation.md` for their sources).
mod constants {
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
    pub const PLATE_SPREAD: f64 = 0.3;
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
    /// Quantal size left at severity 1 in MG (fraction of normal).
    pub const MG_Q_MIN: f64 = 0.25;
    /// Calcium influx left at severity 1 in LEMS (fraction of normal).
    pub const LEMS_INFLUX_MIN: f64 = 0.55;
    /// Distal motor latency and its dispersion across units (ms).
    pub const LATENCY_MS: f64 = 3.0;
    pub const LATENCY_SD_MS: f64 = 0.25;
    /// CMAP of a fully activated ADM (mV).
    pub const FULL_CMAP_MV: f64 = 10.0;
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
}

use constants as k;

struct Plate {
    /// Quantal size in units of the firing threshold.
    q: f64,
    /// Store size (quanta).
    store: f64,
    /// Fraction of the store available.
    n: f64,
}

struct Unit {
    latency_ms: f64,
    amplitude_mv: f64,
    width: f64,
    plates: Vec<Plate>,
}

/// The terminal and muscle state.
struct Muscle {
    units: Vec<Unit>,
    influx: f64,
    fast: f64,
    slow: f64,
    mobilisation: f64,
    narrowing: f64,
    rng: ChaCha8Rng,
}

impl Muscle {
    fn new(condition: Condition, severity: f64, rng: &mut ChaCha8Rng) -> Result<Muscle> {
        let s = match condition {
            Condition::Normal => 0.0,
            _ => severity,
        };
        let q_factor = match condition {
            Condition::Mg => 1.0 - (1.0 - k::MG_Q_MIN) * s,
            _ => 1.0,
        };
        let influx = match condition {
            Condition::Lems => 1.0 - (1.0 - k::LEMS_INFLUX_MIN) * s,
            _ => 1.0,
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
                        store: k::STORE_QUANTA * spread.sample(rng),
                        n: 1.0,
                    })
                    .collect(),
            })
            .collect();
        let total: f64 = units.iter().map(|u| u.amplitude_mv).sum();
        for u in &mut units {
            u.amplitude_mv *= k::FULL_CMAP_MV / total;
        }
        Ok(Muscle {
            units,
            influx,
            fast: 0.0,
            slow: 0.0,
            mobilisation: 0.0,
            narrowing: 0.0,
            rng: ChaCha8Rng::seed_from_u64(rng.random()),
        })
    }

    fn release_probability(&self) -> f64 {
        let c = self.influx + self.fast + self.slow;
        let k4 = k::P_MAX / k::P_REST - 1.0;
        let c4 = c.powi(4);
        k::P_MAX * c4 / (c4 + k4)
    }

    /// Lets `dt_s` pass without impulses.
    fn rest(&mut self, dt_s: f64) {
        // Residual calcium speeds refilling (calcium-dependent recovery):
        // its integral over the interval adds to the resting rate.
        let decay = (-dt_s * 1000.0 / k::TAU_FAST_MS).exp();
        let fast_integral = self.fast * k::TAU_FAST_MS / 1000.0 * (1.0 - decay);
        self.fast *= decay;
        self.slow *= (-dt_s / k::TAU_SLOW_S).exp();
        let rate = (1.0 + k::MOBILISATION_GAIN * self.mobilisation) / k::TAU_REFILL_S;
        let refill = 1.0 - (-dt_s * rate - k::CALCIUM_REFILL * fast_integral).exp();
        for u in &mut self.units {
            for p in &mut u.plates {
                p.n += (1.0 - p.n) * refill;
            }
        }
        self.mobilisation *= (-dt_s / k::TAU_MOBILISATION_S).exp();
        self.narrowing *= (-dt_s / k::TAU_NARROWING_S).exp();
    }

    /// One nerve impulse: release, fire, deplete. Returns the fraction of
    /// each unit's plates that fired (empty when `record` is false).
    fn impulse(&mut self, record: bool, high_rate: bool) -> Vec<f64> {
        let p = self.release_probability();
        let mut fired = Vec::with_capacity(if record { self.units.len() } else { 0 });
        for u in &mut self.units {
            let mut count = 0usize;
            for plate in &mut u.plates {
                let mean = plate.store * plate.n * p;
                let quanta = if mean > 0.0 {
                    Poisson::new(mean)
                        .map(|d| d.sample(&mut self.rng))
                        .unwrap_or(mean)
                } else {
                    0.0
                };
                if quanta * plate.q >= 1.0 {
                    count += 1;
                }
                plate.n = (plate.n - quanta / plate.store).max(0.0);
            }
            if record {
                fired.push(count as f64 / u.plates.len() as f64);
            }
        }
        self.fast += k::RESIDUAL_FAST * self.influx;
        self.slow += k::RESIDUAL_SLOW * self.influx * (1.0 - self.slow / k::RESIDUAL_SLOW_MAX);
        self.mobilisation += k::MOBILISATION * (1.0 - self.mobilisation);
        if high_rate {
            self.narrowing += 0.08 * (1.0 - self.narrowing);
        }
        fired
    }

    /// The CMAP sampled at `times_ms` for the given firing fractions.
    fn cmap(&self, fired: &[f64], times_ms: &[f64]) -> Vec<f64> {
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
            for (o, &t) in out.iter_mut().zip(times_ms) {
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

/// One simulated test: labels, time axis and sweeps (mV).
struct Sweeps {
    labels: Vec<String>,
    times_ms: Vec<f64>,
    traces: Vec<Vec<f64>>,
}

fn check(config: &SimConfig) -> Result<()> {
    if !(0.0..=1.0).contains(&config.severity) {
        return Err(Error::Simulation(format!(
            "severity must be between 0 and 1, found {}",
            config.severity
        )));
    }
    if let Some(r) = config.rate_hz {
        if !(0.1..=100.0).contains(&r) {
            return Err(Error::Simulation(format!(
                "rate must be between 0.1 and 100 Hz, found {r}"
            )));
        }
    }
    if !(5_000.0..=100_000.0).contains(&config.sampling_rate_hz) {
        return Err(Error::Simulation(
            "sampling rate must be between 5 and 100 kHz".to_string(),
        ));
    }
    Ok(())
}

fn run(config: &SimConfig, protocol: Protocol, seed: u64) -> Result<(Sweeps, f64)> {
    check(config)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut muscle = Muscle::new(config.condition, config.severity, &mut rng)?;
    let dt_ms = 1000.0 / config.sampling_rate_hz;
    let mut labels = Vec::new();
    let mut fired_sets = Vec::new();
    let mut narrowings = Vec::new();
    let rate = match protocol {
        Protocol::Rns => config.rate_hz.unwrap_or(3.0),
        Protocol::Hfrns => config.rate_hz.unwrap_or(50.0),
        Protocol::Exercise => 0.0,
    };
    let mut record = |m: &mut Muscle, label: String, high: bool| {
        let fired = m.impulse(true, high);
        narrowings.push(m.narrowing);
        labels.push(label);
        fired_sets.push(fired);
    };
    match protocol {
        Protocol::Rns | Protocol::Hfrns => {
            let count = if protocol == Protocol::Rns {
                10
            } else {
                (rate * 1.0).round().max(5.0) as usize
            };
            let high = rate >= crate::model::HIGH_RATE_MIN_HZ;
            for i in 0..count {
                if i > 0 {
                    muscle.rest(1.0 / rate);
                }
                record(&mut muscle, format!("r{}", i + 1), high);
            }
        }
        Protocol::Exercise => {
            record(&mut muscle, "pre".to_string(), false);
            muscle.rest(5.0);
            // 10 s of maximal voluntary contraction: the terminal fires at
            // the MVC rate; nothing is recorded.
            let impulses = (10.0 * k::MVC_RATE_HZ) as usize;
            for _ in 0..impulses {
                muscle.rest(1.0 / k::MVC_RATE_HZ);
                muscle.impulse(false, false);
            }
            // The muscle shortening after the contraction does not narrow
            // the MUP as a train does.
            muscle.narrowing = 0.0;
            let mut elapsed = 0.0;
            for t in [0.0, 30.0, 60.0] {
                // The first post-exercise stimulus comes about a second after
                // the contraction ends.
                let at = t + 1.0;
                muscle.rest(at - elapsed);
                elapsed = at;
                record(&mut muscle, format!("post_{}s", t as u32), false);
            }
        }
    }
    // Sweeps: 5 ms before the stimulus; 40 ms after, or less at high rates
    // (the next stimulus comes sooner).
    let pre_ms = if rate >= crate::model::HIGH_RATE_MIN_HZ {
        2.0
    } else {
        5.0
    };
    let post_ms = if rate > 0.0 {
        (1000.0 / rate - pre_ms).min(40.0)
    } else {
        40.0
    };
    let n = ((pre_ms + post_ms) / dt_ms).round() as usize;
    let times_ms: Vec<f64> = (0..n).map(|i| -pre_ms + i as f64 * dt_ms).collect();
    let noise =
        Normal::new(0.0, config.noise_mv.max(0.0)).map_err(|e| Error::Simulation(e.to_string()))?;
    let mut traces = Vec::with_capacity(fired_sets.len());
    for (fired, narrowing) in fired_sets.iter().zip(&narrowings) {
        muscle.narrowing = *narrowing;
        let mut y = muscle.cmap(fired, &times_ms);
        let phase = rng.random::<f64>() * std::f64::consts::TAU;
        for (v, &t) in y.iter_mut().zip(&times_ms) {
            if t >= 0.0 {
                *v += config.artifact_mv * (-t / 0.15).exp();
            }
            *v += config.hum_mv * (std::f64::consts::TAU * 0.05 * t + phase).sin();
            *v += config.drift_mv * (t + pre_ms) / (pre_ms + post_ms);
            if config.noise_mv > 0.0 {
                *v += noise.sample(&mut rng);
            }
        }
        traces.push(y);
    }
    Ok((
        Sweeps {
            labels,
            times_ms,
            traces,
        },
        rate,
    ))
}

/// How a simulated file is written: each is one variant of input contract
/// v1, for samples and reader tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileVariant {
    /// Comma-separated, time in ms, values in mV (the default).
    #[default]
    Plain,
    /// Semicolon-separated with decimal commas.
    Semicolon,
    /// Values in microvolts (`R1 (µV)`).
    Microvolts,
    /// Time in seconds (`Time (s)`).
    Seconds,
    /// Long layout: response, time, value.
    Long,
}

fn to_csv(
    config: &SimConfig,
    protocol: Protocol,
    rate: f64,
    sweeps: &Sweeps,
    study_id: &str,
) -> Vec<u8> {
    to_csv_variant(config, protocol, rate, sweeps, study_id, config.variant)
}

fn to_csv_variant(
    config: &SimConfig,
    protocol: Protocol,
    rate: f64,
    sweeps: &Sweeps,
    study_id: &str,
    variant: FileVariant,
) -> Vec<u8> {
    let mut out = String::new();
    out.push_str("# generator: nmjscope simulate\n");
    out.push_str(&format!("# study_id: {study_id}\n"));
    out.push_str(&format!("# protocol: {protocol}\n"));
    if protocol == Protocol::Exercise {
        out.push_str("# exercise_s: 10\n");
    } else {
        out.push_str(&format!("# stim_rate_hz: {rate}\n"));
    }
    out.push_str(&format!(
        "# sampling_rate_hz: {}\n",
        config.sampling_rate_hz
    ));
    out.push_str(&format!("# muscle: {}\n", config.muscle));
    out.push_str("# nerve: ulnar\n");
    out.push_str(&format!("# condition: {}\n", config.condition.as_str()));
    out.push_str(&format!("# severity: {}\n", config.severity));
    out.push_str(&format!("# seed: {}\n", config.seed));
    let delimiter = if variant == FileVariant::Semicolon {
        b';'
    } else {
        b','
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let num = |v: f64, decimals: usize| {
        let s = format!("{v:.decimals$}");
        if variant == FileVariant::Semicolon {
            s.replace('.', ",")
        } else {
            s
        }
    };
    if variant == FileVariant::Long {
        let _ = w.write_record(["response", "time_ms", "value_mv"]);
        for (label, tr) in sweeps.labels.iter().zip(&sweeps.traces) {
            for (t, v) in sweeps.times_ms.iter().zip(tr) {
                let _ = w.write_record([label.clone(), num(*t, 4), num(*v, 4)]);
            }
        }
    } else {
        let (time_head, time_scale, decimals) = match variant {
            FileVariant::Seconds => ("Time (s)", 1e-3, 7),
            FileVariant::Semicolon => ("Time (ms)", 1.0, 4),
            _ => ("time_ms", 1.0, 4),
        };
        let (value_scale, value_decimals) = if variant == FileVariant::Microvolts {
            (1000.0, 1)
        } else {
            (1.0, 4)
        };
        let mut header = vec![time_head.to_string()];
        header.extend(sweeps.labels.iter().map(|l| match variant {
            FileVariant::Microvolts => format!("{} (µV)", l.to_uppercase()),
            FileVariant::Semicolon => format!("{} (mV)", l.to_uppercase()),
            _ => l.clone(),
        }));
        let _ = w.write_record(&header);
        for (i, t) in sweeps.times_ms.iter().enumerate() {
            let mut row = vec![num(t * time_scale, decimals)];
            row.extend(
                sweeps
                    .traces
                    .iter()
                    .map(|tr| num(tr[i] * value_scale, value_decimals)),
            );
            let _ = w.write_record(&row);
        }
    }
    let body = w.into_inner().unwrap_or_default();
    let mut bytes = out.into_bytes();
    bytes.extend(body);
    bytes
}

/// Simulates one test (the protocol of `config`) as CSV bytes in input
/// contract v1.
pub fn simulate_test(config: &SimConfig) -> Result<Vec<u8>> {
    let (sweeps, rate) = run(config, config.protocol, config.seed)?;
    let id = format!("sim-{}-{}", config.condition.as_str(), config.seed);
    Ok(to_csv(config, config.protocol, rate, &sweeps, &id))
}

/// Simulates a whole study: a 3 Hz train, a 50 Hz train and a pre/post
/// exercise series, as (file name, CSV bytes). Each test starts from a
/// rested muscle (in the lab, minutes apart).
pub fn simulate_study(config: &SimConfig) -> Result<Vec<(String, Vec<u8>)>> {
    let id = format!("sim-{}-{}", config.condition.as_str(), config.seed);
    let mut files = Vec::new();
    for (i, (name, protocol, rate)) in [
        ("1_rns_3hz.csv", Protocol::Rns, 3.0),
        ("2_exercise_10s.csv", Protocol::Exercise, 0.0),
        ("3_hfrns_50hz.csv", Protocol::Hfrns, 50.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut c = config.clone();
        c.protocol = protocol;
        if protocol != Protocol::Exercise {
            c.rate_hz = Some(rate);
        }
        let (sweeps, rate) = run(
            &c,
            protocol,
            config.seed.wrapping_mul(31).wrapping_add(i as u64),
        )?;
        files.push((name.to_string(), to_csv(&c, protocol, rate, &sweeps, &id)));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_range_checks() {
        let c = SimConfig {
            condition: Condition::Mg,
            seed: 5,
            ..SimConfig::default()
        };
        assert_eq!(simulate_test(&c).unwrap(), simulate_test(&c).unwrap());
        let other = SimConfig {
            seed: 6,
            ..c.clone()
        };
        assert_ne!(simulate_test(&c).unwrap(), simulate_test(&other).unwrap());
        let bad = SimConfig { severity: 1.5, ..c };
        assert!(simulate_test(&bad).is_err());
    }
}
