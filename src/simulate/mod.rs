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
//! receptors); Lambert-Eaton lowers the calcium influx (fewer P/Q channels)
//! and the releasable store (active zones lost). Severity maps to these
//! through one monotone curve, `physiology::severity_scale`.
//! Decrement, U shape, low CMAP and increment are not written in: they come
//! out of these rules. The CMAP is the sum of the motor-unit potentials of
//! the fibres that fired, with latency dispersion (`physiology.rs`).
//!
//! How the sweep is then recorded (pre-stimulus span, sweep length,
//! artifact, hum, drift, noise, quantisation, polarity, the previous
//! response's tail) is a separate layer, [`RecordingConditions`], usable on
//! its own from tests and benches.

pub mod cohort;
mod conditions;
pub mod jitter;
pub mod matrix;
mod muscles;
mod physiology;
mod runner;
mod series;

use serde::{Deserialize, Serialize};

pub use conditions::{Adc, AnalyticCmap, Artifact, RecordingConditions, Truth};

/// The `generator` metadata of every simulated recording: its written
/// files carry `# generator: nmjscope simulate`, which is how `simulate -o`
/// knows a file it may replace.
pub const GENERATOR: &str = "nmjscope simulate";
pub use muscles::{muscle_profile, MuscleProfile};
pub use series::{simulate_exhaustion_series, EXERCISE_S as SERIES_EXERCISE_S};

use crate::error::Result;
use crate::model::{Protocol, Recording, Study};

/// The physiology simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Condition {
    /// Healthy neuromuscular transmission.
    Normal,
    /// Myasthenia gravis: fewer postsynaptic acetylcholine receptors.
    Mg,
    /// Lambert-Eaton myasthenic syndrome: fewer presynaptic calcium channels.
    Lems,
}

crate::model::codes::codes!(Condition);

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
    /// Time recorded before each stimulus (ms), replacing the default (5
    /// ms, or 2 ms at high rates); 0 starts each sweep at the stimulus, as
    /// many machines export. Ignored when `recording` is given.
    pub pre_stimulus_ms: Option<f64>,
    /// The share of the motor axons the stimulus reaches (default 1:
    /// supramaximal). Below 1 the stimulus is submaximal: each unit has a
    /// threshold rank, the stimulus reaches the units below `stimulus_fraction`,
    /// and units near it fire at some stimuli and not at others, as a real
    /// submaximal stimulus does; the file records `supramaximal: no`.
    pub stimulus_fraction: f64,
    /// With a submaximal `stimulus_fraction`: only the first recorded
    /// stimulus of each test is submaximal (the pre-exercise CMAP, a
    /// train's first), as when the intensity was raised after it.
    pub submaximal_first_only: bool,
    /// Limb temperature (C; default `None`: warm, not written). Below 34 C
    /// each quantum depolarises more, so a myasthenic decrement shrinks, as
    /// cooling does (`docs/simulation.md`); the file records it.
    pub temperature_c: Option<f64>,
    /// Recording conditions of every sweep, replacing `sampling_rate_hz`,
    /// `noise_mv`, `hum_mv`, `drift_mv`, `artifact_mv` and the default
    /// sweep (5 ms before the stimulus, or 2 ms at high rates; 40 ms after,
    /// or up to the next stimulus). `None` by default.
    pub recording: Option<RecordingConditions>,
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
            pre_stimulus_ms: None,
            stimulus_fraction: 1.0,
            submaximal_first_only: false,
            temperature_c: None,
            recording: None,
        }
    }
}

/// A simulated test as the reader would produce it, with the truth of each
/// response from its noise-free physiological sweep.
#[derive(Debug, Clone)]
pub struct SimulatedTest {
    /// The recording.
    pub recording: Recording,
    /// The truth of each response (`None` when nothing fired).
    pub truth: Vec<Option<Truth>>,
}

/// A simulated study with the truth of every response of every test.
#[derive(Debug, Clone)]
pub struct SimulatedStudy {
    /// The study: a 3 Hz train, a pre/post exercise series, a 50 Hz train.
    pub study: Study,
    /// `truth[t][k]`: the truth of response `k` of test `t`.
    pub truth: Vec<Vec<Option<Truth>>>,
}

/// Simulates one test (the protocol of `config`) as a recording, with the
/// truth of every response. An inverted recording is returned as recorded
/// (positive first, polarity not declared), as an unlabelled export would.
///
/// # Errors
///
/// [`Error::Simulation`](crate::Error::Simulation) when a setting is out of range.
pub fn simulate_test(config: &SimConfig) -> Result<SimulatedTest> {
    let (sweeps, rate) = runner::run_with(config, config.protocol, config.seed, true)?;
    Ok(runner::recording_of(
        config,
        config.protocol,
        rate,
        sweeps,
        "simulated.csv",
    ))
}

/// As [`simulate_test`] without computing the truth (the noise-free sweep
/// measured on a 5 µs grid), which is most of its cost: for a display that
/// redraws as a control moves (the teaching page, `web/`).
///
/// # Errors
///
/// [`Error::Simulation`](crate::Error::Simulation) when a setting is out of range.
pub fn simulate_recording(config: &SimConfig) -> Result<Recording> {
    let (sweeps, rate) = runner::run_with(config, config.protocol, config.seed, false)?;
    let test = runner::recording_of(config, config.protocol, rate, sweeps, "simulated.csv");
    Ok(test.recording)
}

/// Simulates a whole study: a 3 Hz train, a pre/post exercise series and a
/// 50 Hz train, each from a rested muscle (in the lab, minutes apart), with
/// the truth of every response. Write it with
/// [`crate::io::write::study_csv`].
///
/// # Errors
///
/// [`Error::Simulation`](crate::Error::Simulation) when a setting is out of range.
pub fn simulate_study(config: &SimConfig) -> Result<SimulatedStudy> {
    let mut tests = Vec::new();
    let mut truth = Vec::new();
    for (name, c, protocol, rate, sweeps) in runner::study_sweeps(config, true)? {
        let t = runner::recording_of(&c, protocol, rate, sweeps, name);
        tests.push(t.recording);
        truth.push(t.truth);
    }
    let study = Study {
        id: study_id(config),
        path: "simulated".into(),
        tests,
        jitter: None,
    };
    Ok(SimulatedStudy { study, truth })
}

/// The end plates at one recorded stimulus, averaged over the end plates
/// the stimulus reached (each modelled plate stands for a group of
/// fibres): what the simulator holds behind a CMAP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EndplateState {
    /// Mean quanta released per end plate by this impulse (quantal content).
    pub quantal_content: f64,
    /// Mean fraction (0-1) of the releasable store available just before
    /// this impulse.
    pub store_fraction: f64,
    /// Mean safety factor: end-plate potential over the firing threshold
    /// (below 1 the fibre does not fire).
    pub safety_factor: f64,
    /// Fraction (0-1) of the end plates that failed to reach threshold.
    pub failed_fraction: f64,
}

/// The end plates at each recorded stimulus of the test [`simulate_test`]
/// simulates for the same `config` (its protocol, rate and seed), in
/// response order. The recordings are unchanged: the state is read from
/// what each impulse computes, no random number is drawn for it.
///
/// # Errors
///
/// [`Error::Simulation`](crate::Error::Simulation) when a setting is out of range.
pub fn simulate_endplate(config: &SimConfig) -> Result<Vec<EndplateState>> {
    runner::endplate_of(config)
}

/// The study id of a simulated study: `sim-<condition>-<seed>`.
pub(crate) fn study_id(config: &SimConfig) -> String {
    format!("sim-{}-{}", config.condition, config.seed)
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
        let recording = |c: &SimConfig| simulate_test(c).unwrap().recording;
        assert_eq!(recording(&c), recording(&c));
        let other = SimConfig {
            seed: 6,
            ..c.clone()
        };
        assert_ne!(recording(&c), recording(&other));
        let bad = SimConfig { severity: 1.5, ..c };
        assert!(simulate_test(&bad).is_err());
    }
}

#[cfg(test)]
mod endplate_tests {
    use super::*;

    fn states(
        condition: Condition,
        severity: f64,
        protocol: Protocol,
        rate: f64,
    ) -> Vec<EndplateState> {
        let c = SimConfig {
            condition,
            severity,
            protocol,
            rate_hz: Some(rate),
            seed: 7,
            ..SimConfig::default()
        };
        simulate_endplate(&c).unwrap()
    }

    #[test]
    fn endplate_state_through_a_train() {
        // Normal at 3 Hz: a wide margin, nothing fails.
        let normal = states(Condition::Normal, 0.0, Protocol::Rns, 3.0);
        assert_eq!(normal.len(), 10);
        for s in &normal {
            assert!(s.safety_factor > 2.0, "{s:?}");
            assert!(s.failed_fraction < 0.01, "{s:?}");
        }
        // MG at 3 Hz: the margin falls as the store runs down, failures
        // rise to their most by the 4th-5th response.
        let mg = states(Condition::Mg, 0.8, Protocol::Rns, 3.0);
        assert!(mg[4].safety_factor < mg[0].safety_factor * 0.85, "{mg:?}");
        assert!(mg[4].store_fraction < mg[0].store_fraction, "{mg:?}");
        assert!(
            mg[4].failed_fraction > mg[0].failed_fraction + 0.1,
            "{mg:?}"
        );
        let worst = mg
            .iter()
            .map(|s| s.failed_fraction)
            .fold(f64::MIN, f64::max);
        assert!(
            mg[3].failed_fraction.max(mg[4].failed_fraction) > worst - 0.03,
            "{mg:?}"
        );
        // LEMS at 50 Hz: calcium builds up, the quantal content rises.
        let lems = states(Condition::Lems, 0.8, Protocol::Hfrns, 50.0);
        let last = lems.last().unwrap();
        assert!(
            last.quantal_content > lems[0].quantal_content * 1.3,
            "{lems:?}"
        );
        assert!(last.failed_fraction < lems[0].failed_fraction, "{lems:?}");
    }

    #[test]
    fn endplate_state_leaves_the_recording_unchanged() {
        // The same seed gives the same recording whether or not the end
        // plates are read (they draw nothing).
        let c = SimConfig {
            condition: Condition::Mg,
            seed: 3,
            ..SimConfig::default()
        };
        let before = simulate_recording(&c).unwrap();
        let _ = simulate_endplate(&c).unwrap();
        assert_eq!(before, simulate_recording(&c).unwrap());
    }
}
