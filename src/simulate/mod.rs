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
//! the fibres that fired, with latency dispersion ([`physiology`]).
//!
//! How the sweep is then recorded (pre-stimulus span, sweep length,
//! artifact, hum, drift, noise, quantisation, polarity, the previous
//! response's tail) is a separate layer, [`RecordingConditions`], usable on
//! its own from tests and benches.

mod conditions;
pub mod matrix;
mod physiology;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use conditions::{Adc, AnalyticCmap, Artifact, RecordingConditions, Truth};

use crate::error::{Error, Result};
use crate::model::{
    Delimiter, Layout, Polarity, Protocol, ProtocolSource, Recording, SourceInfo, Study, VoltUnit,
    HIGH_RATE_MIN_HZ,
};
use physiology::{constants as k, Muscle};

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
            variant: FileVariant::Plain,
            recording: None,
        }
    }
}

/// One simulated test: labels, time axis, recorded sweeps (mV) and,
/// when asked for, the truth of each response.
struct Sweeps {
    labels: Vec<String>,
    times_ms: Vec<f64>,
    traces: Vec<Vec<f64>>,
    /// The truth of each response (empty unless asked for).
    truths: Vec<Option<Truth>>,
    conditions: RecordingConditions,
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

/// What the muscle did: which fraction of each unit fired at each recorded
/// stimulus, and the MUP narrowing then.
struct Firing {
    labels: Vec<String>,
    fired: Vec<Vec<f64>>,
    narrowings: Vec<f64>,
    muscle: Muscle,
}

/// Runs the physiology of one protocol at `rate` (0 for exercise).
fn fire(config: &SimConfig, protocol: Protocol, rate: f64, rng: &mut ChaCha8Rng) -> Result<Firing> {
    let mut f = Firing {
        labels: Vec::new(),
        fired: Vec::new(),
        narrowings: Vec::new(),
        muscle: Muscle::new(config.condition, config.severity, rng)?,
    };
    let record = |f: &mut Firing, label: String, high: bool| {
        let fired = f.muscle.impulse(true, high);
        f.narrowings.push(f.muscle.narrowing);
        f.labels.push(label);
        f.fired.push(fired);
    };
    match protocol {
        Protocol::Rns | Protocol::Hfrns => {
            let count = if protocol == Protocol::Rns {
                10
            } else {
                (rate * 1.0).round().max(5.0) as usize
            };
            let high = rate >= HIGH_RATE_MIN_HZ;
            for i in 0..count {
                if i > 0 {
                    f.muscle.rest(1.0 / rate);
                }
                record(&mut f, format!("r{}", i + 1), high);
            }
        }
        Protocol::Exercise => {
            record(&mut f, "pre".to_string(), false);
            f.muscle.rest(5.0);
            // 10 s of maximal voluntary contraction: the terminal fires at
            // the MVC rate; nothing is recorded.
            let impulses = (10.0 * k::MVC_RATE_HZ) as usize;
            for _ in 0..impulses {
                f.muscle.rest(1.0 / k::MVC_RATE_HZ);
                f.muscle.impulse(false, false);
            }
            // The muscle shortening after the contraction does not narrow
            // the MUP as a train does.
            f.muscle.narrowing = 0.0;
            let mut elapsed = 0.0;
            for t in [0.0, 30.0, 60.0] {
                // The first post-exercise stimulus comes about a second after
                // the contraction ends.
                let at = t + 1.0;
                f.muscle.rest(at - elapsed);
                elapsed = at;
                record(&mut f, format!("post_{}s", t as u32), false);
            }
        }
    }
    Ok(f)
}

/// The recording conditions `config` asks for at `rate`: its own, or the
/// long-standing defaults (5 ms before the stimulus, 2 ms at high rates; 40
/// ms after, or up to the next stimulus).
fn conditions_for(config: &SimConfig, rate: f64) -> RecordingConditions {
    if let Some(rc) = &config.recording {
        // A sweep cannot outlast the stimulus interval: at high rates it ends
        // 0.5 ms before the next stimulus.
        let mut rc = rc.clone();
        if rate > 0.0 {
            let room = 1000.0 / rate - rc.pre_stimulus_ms - 0.5;
            rc.post_stimulus_ms = rc.post_stimulus_ms.min(room).max(5.0);
        }
        return rc;
    }
    let pre_ms = if rate >= HIGH_RATE_MIN_HZ { 2.0 } else { 5.0 };
    let post_ms = if rate > 0.0 {
        (1000.0 / rate - pre_ms).min(40.0)
    } else {
        40.0
    };
    RecordingConditions {
        sampling_rate_hz: config.sampling_rate_hz,
        pre_stimulus_ms: pre_ms,
        post_stimulus_ms: post_ms,
        artifact: Artifact::Monophasic {
            amplitude_mv: config.artifact_mv,
            tau_ms: 0.15,
        },
        offset_mv: 0.0,
        drift_mv: config.drift_mv,
        hum_mv: config.hum_mv,
        hum_hz: 50.0,
        noise_mv: config.noise_mv.max(0.0),
        adc: None,
        inverted: false,
        carry_over: false,
    }
}

/// Step of the fine grid the truth is computed on (ms).
const TRUTH_STEP_MS: f64 = 0.005;

fn run(config: &SimConfig, protocol: Protocol, seed: u64) -> Result<(Sweeps, f64)> {
    run_with(config, protocol, seed, false)
}

/// Runs one test; with `truth`, also evaluates each response's noise-free
/// CMAP on a 5 us grid from the stimulus, for its exact measures.
fn run_with(
    config: &SimConfig,
    protocol: Protocol,
    seed: u64,
    truth: bool,
) -> Result<(Sweeps, f64)> {
    check(config)?;
    let rate = match protocol {
        Protocol::Rns => config.rate_hz.unwrap_or(3.0),
        Protocol::Hfrns => config.rate_hz.unwrap_or(50.0),
        Protocol::Exercise => 0.0,
    };
    let rc = conditions_for(config, rate);
    rc.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut f = fire(config, protocol, rate, &mut rng)?;
    let times_ms = rc.times_ms();
    let mut physiological = Vec::with_capacity(f.fired.len());
    let mut truths = Vec::new();
    let fine: Vec<f64> = if truth {
        let n = (rc.post_stimulus_ms / TRUTH_STEP_MS) as usize + 1;
        (0..n).map(|i| i as f64 * TRUTH_STEP_MS).collect()
    } else {
        Vec::new()
    };
    for (fired, narrowing) in f.fired.iter().zip(&f.narrowings) {
        f.muscle.narrowing = *narrowing;
        physiological.push(f.muscle.cmap(fired, &times_ms));
        if truth {
            let v = f.muscle.cmap(fired, &fine);
            truths.push(Truth::of(
                |t| {
                    v.get((t / TRUTH_STEP_MS).round() as usize)
                        .copied()
                        .unwrap_or(0.0)
                },
                rc.post_stimulus_ms,
                TRUTH_STEP_MS,
            ));
        }
    }
    // The previous response seen from this sweep: its CMAP one interval
    // later (only within a train).
    let isi_ms = if rate > 0.0 { 1000.0 / rate } else { 0.0 };
    let shifted: Vec<f64> = times_ms.iter().map(|t| t + isi_ms).collect();
    let mut traces = Vec::with_capacity(physiological.len());
    for (i, physio) in physiological.iter().enumerate() {
        let previous = if rc.carry_over && i > 0 && rate > 0.0 {
            f.muscle.narrowing = f.narrowings[i - 1];
            Some(f.muscle.cmap(&f.fired[i - 1], &shifted))
        } else {
            None
        };
        traces.push(rc.record(physio, previous.as_deref(), &mut rng));
    }
    Ok((
        Sweeps {
            labels: f.labels,
            times_ms,
            traces,
            truths,
            conditions: rc,
        },
        rate,
    ))
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

fn recording_of(
    config: &SimConfig,
    protocol: Protocol,
    rate: f64,
    sw: Sweeps,
    name: &str,
) -> SimulatedTest {
    let rc = &sw.conditions;
    let n = sw.times_ms.len();
    let rows = sw.traces.len();
    let mut samples = ndarray::Array2::<f64>::zeros((rows, n));
    for (mut row, tr) in samples.rows_mut().into_iter().zip(&sw.traces) {
        for (d, s) in row.iter_mut().zip(tr) {
            *d = *s;
        }
    }
    let truth = sw.truths;
    let id = format!("sim-{}-{}", config.condition.as_str(), config.seed);
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("study_id".to_string(), id.clone());
    metadata.insert("protocol".to_string(), protocol.to_string());
    metadata.insert("muscle".to_string(), config.muscle.clone());
    let recording = Recording {
        source: SourceInfo {
            path: name.into(),
            file_name: name.to_string(),
            layout: Layout::Wide,
            delimiter: Delimiter::Comma,
            decimal_comma: false,
            units: VoltUnit::Millivolt,
            time_in_seconds: false,
        },
        sampling_rate_hz: rc.sampling_rate_hz,
        t0_ms: sw.times_ms[0],
        labels: sw.labels,
        samples_mv: samples,
        protocol,
        protocol_source: ProtocolSource::Metadata,
        stim_rate_hz: (rate > 0.0).then_some(rate),
        exercise_s: (protocol == Protocol::Exercise).then_some(10.0),
        temperature_c: None,
        polarity: Polarity::Normal,
        muscle: Some(config.muscle.clone()),
        nerve: Some("ulnar".to_string()),
        side: None,
        study_id: Some(id),
        metadata,
    };
    SimulatedTest { recording, truth }
}

/// Simulates one test (the protocol of `config`) as a recording, with the
/// truth of every response. An inverted recording is returned as recorded
/// (positive first, polarity not declared), as an unlabelled export would.
///
/// # Errors
///
/// [`Error::Simulation`] when a setting is out of range.
pub fn simulate_test_recording(config: &SimConfig) -> Result<SimulatedTest> {
    let (sweeps, rate) = run_with(config, config.protocol, config.seed, true)?;
    Ok(recording_of(
        config,
        config.protocol,
        rate,
        sweeps,
        "simulated.csv",
    ))
}

/// The three tests of a simulated study: name, protocol, rate.
const STUDY_TESTS: [(&str, Protocol, f64); 3] = [
    ("1_rns_3hz.csv", Protocol::Rns, 3.0),
    ("2_exercise_10s.csv", Protocol::Exercise, 0.0),
    ("3_hfrns_50hz.csv", Protocol::Hfrns, 50.0),
];

/// One test of a simulated study: file name, its settings, protocol, rate
/// and sweeps.
type StudyTest = (&'static str, SimConfig, Protocol, f64, Sweeps);

/// The sweeps of each test of a study (each test from a rested muscle).
fn study_sweeps(config: &SimConfig, truth: bool) -> Result<Vec<StudyTest>> {
    let mut out = Vec::new();
    for (i, (name, protocol, rate)) in STUDY_TESTS.into_iter().enumerate() {
        let mut c = config.clone();
        c.protocol = protocol;
        if protocol != Protocol::Exercise {
            c.rate_hz = Some(rate);
        }
        let seed = config.seed.wrapping_mul(31).wrapping_add(i as u64);
        let (sweeps, rate) = run_with(&c, protocol, seed, truth)?;
        out.push((name, c, protocol, rate, sweeps));
    }
    Ok(out)
}

/// Simulates a whole study as recordings (a 3 Hz train, a pre/post exercise
/// series, a 50 Hz train), with the truth of every response.
///
/// # Errors
///
/// [`Error::Simulation`] when a setting is out of range.
pub fn simulate_study_recordings(config: &SimConfig) -> Result<(Study, Vec<Vec<Option<Truth>>>)> {
    let mut tests = Vec::new();
    let mut truths = Vec::new();
    for (name, c, protocol, rate, sweeps) in study_sweeps(config, true)? {
        let t = recording_of(&c, protocol, rate, sweeps, name);
        tests.push(t.recording);
        truths.push(t.truth);
    }
    let study = Study {
        id: format!("sim-{}-{}", config.condition.as_str(), config.seed),
        path: "simulated".into(),
        tests,
    };
    Ok((study, truths))
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
        sweeps.conditions.sampling_rate_hz
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
    Ok(study_sweeps(config, false)?
        .into_iter()
        .map(|(name, c, protocol, rate, sweeps)| {
            (name.to_string(), to_csv(&c, protocol, rate, &sweeps, &id))
        })
        .collect())
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
