//! Runs the physiology of one test and records it through the conditions
//! layer: the firing of every motor unit at every stimulus, the CMAP they
//! sum to, the recorded sweep, and (when asked) the exact truth of each
//! response. Returns recordings, never bytes: files are written by
//! [`crate::io::write`].

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::conditions::{Artifact, RecordingConditions, Truth};
use super::physiology::{constants as k, Muscle};
use super::{SimConfig, SimulatedTest};
use crate::error::{Error, Result};
use crate::model::{
    Layout, Polarity, Protocol, ProtocolSource, Recording, ResponseLabel, SourceInfo,
    HIGH_RATE_MIN_HZ,
};

/// One simulated test: labels, time axis, recorded sweeps (mV) and,
/// when asked for, the truth of each response.
pub(super) struct Sweeps {
    labels: Vec<ResponseLabel>,
    times_ms: Vec<f64>,
    traces: Vec<Vec<f64>>,
    /// The truth of each response (empty unless asked for).
    truths: Vec<Option<Truth>>,
    conditions: RecordingConditions,
}

/// Longest pre-stimulus span `SimConfig::pre_stimulus_ms` may ask for (ms).
const MAX_PRE_STIMULUS_MS: f64 = 5.0;

pub(super) fn check(config: &SimConfig) -> Result<()> {
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
    if let Some(pre) = config.pre_stimulus_ms {
        // Beyond 5 ms a 100 Hz sweep would have no room for its response.
        if !(0.0..=MAX_PRE_STIMULUS_MS).contains(&pre) {
            return Err(Error::Simulation(format!(
                "pre-stimulus span must be between 0 and {MAX_PRE_STIMULUS_MS} ms, found {pre}"
            )));
        }
    }
    if !(5_000.0..=100_000.0).contains(&config.sampling_rate_hz) {
        return Err(Error::Simulation(
            "sampling rate must be between 5 and 100 kHz".to_string(),
        ));
    }
    // Recording levels (mV): beyond these the file is refused by the
    // reader, or is no recording at all.
    for (name, value, max) in [
        ("noise", config.noise_mv, 1.0),
        ("hum", config.hum_mv, 5.0),
        ("drift", config.drift_mv, 10.0),
        ("artifact", config.artifact_mv, 1000.0),
    ] {
        if !(0.0..=max).contains(&value) {
            return Err(Error::Simulation(format!(
                "{name} must be between 0 and {max} mV, found {value}"
            )));
        }
    }
    if let Some(rate) = config.rate_hz {
        if !config.protocol.accepts_rate(rate) {
            return Err(Error::Simulation(format!(
                "a {rate} Hz train is not a {} train (rns is below {} Hz, hfrns at or above)",
                config.protocol.code(),
                crate::model::HIGH_RATE_MIN_HZ
            )));
        }
    }
    // Below 5% of the axons there is hardly a CMAP to read.
    if !(0.05..=1.0).contains(&config.stimulus_fraction) {
        return Err(Error::Simulation(format!(
            "the stimulus fraction must be between 0.05 and 1 (1 is supramaximal), found {}",
            config.stimulus_fraction
        )));
    }
    if let Some(t) = config.temperature_c {
        if !(20.0..=40.0).contains(&t) {
            return Err(Error::Simulation(format!(
                "limb temperature must be between 20 and 40 C, found {t}"
            )));
        }
    }
    if config.muscle.chars().any(char::is_control) || config.muscle.chars().count() > 256 {
        return Err(Error::Simulation(
            "muscle: at most 256 characters, without line breaks".to_string(),
        ));
    }
    Ok(())
}

/// What the muscle did: which fraction of each unit fired at each recorded
/// stimulus, and the MUP narrowing then.
pub(super) struct Firing {
    pub(super) labels: Vec<ResponseLabel>,
    pub(super) fired: Vec<Vec<f64>>,
    pub(super) narrowings: Vec<f64>,
    pub(super) muscle: Muscle,
    /// The end plates at each recorded stimulus.
    pub(super) endplate: Vec<super::EndplateState>,
}

/// The muscle of `config`: its condition, limb temperature and stimulus
/// (`seed` drives the stimulus's own stream).
pub(super) fn muscle_of(config: &SimConfig, seed: u64, rng: &mut ChaCha8Rng) -> Result<Muscle> {
    let profile = super::muscles::muscle_profile(&config.muscle);
    Ok(
        Muscle::new(config.condition, config.severity, &profile, rng)?
            .cooled(config.temperature_c)
            .stimulated(config.stimulus_fraction, config.submaximal_first_only, seed),
    )
}

/// Runs the physiology of one protocol at `rate` (0 for exercise).
fn fire(
    config: &SimConfig,
    protocol: Protocol,
    rate: f64,
    seed: u64,
    rng: &mut ChaCha8Rng,
) -> Result<Firing> {
    let mut f = Firing {
        labels: Vec::new(),
        fired: Vec::new(),
        narrowings: Vec::new(),
        muscle: muscle_of(config, seed, rng)?,
        endplate: Vec::new(),
    };
    let record = |f: &mut Firing, label: ResponseLabel, high: bool| {
        let fired = f.muscle.impulse(true, high);
        f.narrowings.push(f.muscle.narrowing);
        f.endplate.push(f.muscle.endplate);
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
                record(&mut f, ResponseLabel::Train(i as u32 + 1), high);
            }
        }
        Protocol::Exercise => {
            record(&mut f, ResponseLabel::Pre, false);
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
                record(&mut f, ResponseLabel::Post(Some(t as u32)), false);
            }
        }
    }
    Ok(f)
}

/// The recording conditions `config` asks for at `rate`: its own, or the
/// long-standing defaults (5 ms before the stimulus, 2 ms at high rates; 40
/// ms after, or up to the next stimulus).
pub(super) fn conditions_for(config: &SimConfig, rate: f64) -> RecordingConditions {
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
    let pre_ms = config
        .pre_stimulus_ms
        .unwrap_or(if rate >= HIGH_RATE_MIN_HZ { 2.0 } else { 5.0 });
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

/// Runs one test; with `truth`, also evaluates each response's noise-free
/// CMAP on a 5 us grid from the stimulus, for its exact measures.
pub(super) fn run_with(
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
    let mut f = fire(config, protocol, rate, seed, &mut rng)?;
    let sweeps = sweeps(&mut f, rc, rate, truth, &mut rng);
    Ok((sweeps, rate))
}

/// The end plates at each recorded stimulus of the test `config` asks for:
/// the same muscle, seed and impulses as [`run_with`], without recording
/// the sweeps.
pub(super) fn endplate_of(config: &SimConfig) -> Result<Vec<super::EndplateState>> {
    check(config)?;
    let protocol = config.protocol;
    let rate = match protocol {
        Protocol::Rns => config.rate_hz.unwrap_or(3.0),
        Protocol::Hfrns => config.rate_hz.unwrap_or(50.0),
        Protocol::Exercise => 0.0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    Ok(fire(config, protocol, rate, config.seed, &mut rng)?.endplate)
}

/// Records what the muscle did through the recording conditions `rc`:
/// each response's noise-free CMAP (with `truth`, its exact measures), the
/// previous response's tail where the conditions carry it over, artifact,
/// noise and the rest.
pub(super) fn sweeps(
    f: &mut Firing,
    rc: RecordingConditions,
    rate: f64,
    truth: bool,
    rng: &mut ChaCha8Rng,
) -> Sweeps {
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
        traces.push(rc.record(physio, previous.as_deref(), rng));
    }
    Sweeps {
        labels: std::mem::take(&mut f.labels),
        times_ms,
        traces,
        truths,
        conditions: rc,
    }
}

pub(super) fn recording_of(
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
    let id = super::study_id(config);
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("study_id".to_string(), id.clone());
    metadata.insert("protocol".to_string(), protocol.to_string());
    metadata.insert("muscle".to_string(), config.muscle.clone());
    metadata.insert("generator".to_string(), super::GENERATOR.to_string());
    metadata.insert("condition".to_string(), config.condition.to_string());
    metadata.insert("severity".to_string(), config.severity.to_string());
    metadata.insert("seed".to_string(), config.seed.to_string());
    let submaximal = config.stimulus_fraction < 1.0;
    if submaximal {
        // The truth of the file, and what the examiner wrote down.
        metadata.insert(
            "stimulus_fraction".to_string(),
            config.stimulus_fraction.to_string(),
        );
        metadata.insert("supramaximal".to_string(), "no".to_string());
    }
    let recording = Recording {
        source: SourceInfo::contract_csv(std::path::Path::new(name), Layout::Wide),
        sampling_rate_hz: rc.sampling_rate_hz,
        t0_ms: sw.times_ms[0],
        labels: sw.labels,
        samples_mv: samples,
        protocol,
        protocol_source: ProtocolSource::Metadata,
        stim_rate_hz: (rate > 0.0).then_some(rate),
        exercise_s: (protocol == Protocol::Exercise).then_some(10.0),
        temperature_c: config.temperature_c,
        polarity: Polarity::Normal,
        muscle: Some(config.muscle.clone()),
        nerve: Some(
            super::muscles::muscle_profile(&config.muscle)
                .nerve
                .to_string(),
        ),
        side: None,
        study_id: Some(id),
        record: crate::model::TestRecord {
            supramaximal: submaximal.then_some(false),
            ..Default::default()
        },
        metadata,
        markers: None,
    };
    SimulatedTest { recording, truth }
}

/// The three tests of a simulated study: name, protocol, rate.
const STUDY_TESTS: [(&str, Protocol, f64); 3] = [
    ("1_rns_3hz.csv", Protocol::Rns, 3.0),
    ("2_exercise_10s.csv", Protocol::Exercise, 0.0),
    ("3_hfrns_50hz.csv", Protocol::Hfrns, 50.0),
];

/// One test of a simulated study: file name, its settings, protocol, rate
/// and sweeps.
pub(super) type StudyTest = (&'static str, SimConfig, Protocol, f64, Sweeps);

/// The sweeps of each test of a study (each test from a rested muscle).
pub(super) fn study_sweeps(config: &SimConfig, truth: bool) -> Result<Vec<StudyTest>> {
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
