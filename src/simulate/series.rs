//! One muscle followed through the myasthenia work-up: two 3 Hz trains at
//! rest a minute apart (is the decrement reproducible?), a minute of
//! maximal exercise, then 3 Hz trains immediately after it and at 1, 2, 3
//! and 4 minutes (post-exercise facilitation, then exhaustion). Unlike a
//! study's tests, which each start from a rested muscle, these trains share
//! one muscle and its history.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::physiology::{constants as k, Muscle};
use super::runner::{self, Firing};
use super::{SimConfig, SimulatedStudy};
use crate::error::Result;
use crate::model::{ExercisePhase, Protocol, ResponseLabel, Study};

/// Stimuli per train and their rate (Hz): the 3 Hz train of 10.
const TRAIN_STIMULI: usize = 10;
const TRAIN_RATE_HZ: f64 = 3.0;

/// Rest between the trains at rest, and before the exercise (s): the
/// guideline's minute for the terminal to recover.
const REST_BETWEEN_S: f64 = 60.0;

/// Length of the maximal contraction (s): the 50-60 s of the protocol.
pub const EXERCISE_S: f64 = 60.0;

/// When each post-exercise train starts, in seconds after the contraction
/// ends ("immediately" is the 2 s it takes to start the train).
const POST_TRAINS_S: [(u32, f64); 5] = [
    (0, 2.0),
    (60, 60.0),
    (120, 120.0),
    (180, 180.0),
    (240, 240.0),
];

/// Fires one train on `muscle`; the firing keeps a copy of the muscle to
/// draw its CMAPs from (the motor units do not change).
fn train(muscle: &mut Muscle) -> Firing {
    let (mut labels, mut fired, mut narrowings, mut endplate) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..TRAIN_STIMULI {
        if i > 0 {
            muscle.rest(1.0 / TRAIN_RATE_HZ);
        }
        fired.push(muscle.impulse(true, false));
        narrowings.push(muscle.narrowing);
        endplate.push(muscle.endplate);
        labels.push(ResponseLabel::Train(i as u32 + 1));
    }
    Firing {
        labels,
        fired,
        narrowings,
        muscle: muscle.clone(),
        endplate,
    }
}

/// Seconds one train takes.
fn train_s() -> f64 {
    (TRAIN_STIMULI - 1) as f64 / TRAIN_RATE_HZ
}

/// Simulates the post-exercise series of `config`'s condition: 7 low-rate
/// trains of one muscle, each a test with its `exercise_phase` (and `train`
/// for the two at rest), with the truth of every response.
///
/// # Errors
///
/// [`crate::Error::Simulation`] when a setting is out of range.
pub fn simulate_exhaustion_series(config: &SimConfig) -> Result<SimulatedStudy> {
    let mut c = config.clone();
    c.protocol = Protocol::Rns;
    c.rate_hz = Some(TRAIN_RATE_HZ);
    runner::check(&c)?;
    let rc = runner::conditions_for(&c, TRAIN_RATE_HZ);
    rc.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut muscle = runner::muscle_of(&c, config.seed, &mut rng)?;
    let mut firings: Vec<(String, ExercisePhase, Option<u32>, Firing)> = Vec::new();
    for n in 1..=2 {
        let f = train(&mut muscle);
        firings.push((
            format!("{n}_rest_train{n}.csv"),
            ExercisePhase::Rest,
            Some(n),
            f,
        ));
        muscle.rest(REST_BETWEEN_S);
    }
    // A minute of maximal voluntary contraction at the MVC firing rate.
    let impulses = (EXERCISE_S * k::MVC_RATE_HZ) as usize;
    for _ in 0..impulses {
        muscle.rest(1.0 / k::MVC_RATE_HZ);
        muscle.impulse(false, false);
    }
    muscle.exhaust(EXERCISE_S);
    muscle.narrowing = 0.0;
    let mut elapsed = 0.0;
    for (i, (seconds, start_s)) in POST_TRAINS_S.into_iter().enumerate() {
        muscle.rest(start_s - elapsed);
        let f = train(&mut muscle);
        elapsed = start_s + train_s();
        let name = format!("{}_post_{seconds}s.csv", i + 3);
        firings.push((name, ExercisePhase::Post { seconds }, None, f));
    }
    let mut tests = Vec::new();
    let mut truth = Vec::new();
    for (name, phase, train_no, mut f) in firings {
        let sweeps = runner::sweeps(&mut f, rc.clone(), TRAIN_RATE_HZ, true, &mut rng);
        let mut t = runner::recording_of(&c, Protocol::Rns, TRAIN_RATE_HZ, sweeps, &name);
        mark(&mut t.recording, phase, train_no);
        tests.push(t.recording);
        truth.push(t.truth);
    }
    let study = Study {
        id: super::study_id(config),
        path: "simulated".into(),
        tests,
        jitter: None,
    };
    Ok(SimulatedStudy { study, truth })
}

/// Writes the train's place in the protocol into the recording, as the
/// reader would read it from the file's metadata.
fn mark(r: &mut crate::model::Recording, phase: ExercisePhase, train_no: Option<u32>) {
    r.record.exercise_phase = Some(phase);
    r.metadata
        .insert("exercise_phase".to_string(), phase.code());
    if let Some(n) = train_no {
        r.record.train = Some(n);
        r.metadata.insert("train".to_string(), n.to_string());
    }
    if phase != ExercisePhase::Rest {
        r.exercise_s = Some(EXERCISE_S);
        r.metadata
            .insert("exercise_s".to_string(), EXERCISE_S.to_string());
    }
}
