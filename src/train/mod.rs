//! The train stage: from the measures of every response to the measures of
//! the test: decrement (low-rate RNS, `rns.rs`), increment (high-rate RNS,
//! `hfrns.rs`; exercise, `exercise.rs`), the shape of a train and its flags
//! ([`shape`]). Each response's change from the first is computed here, and
//! the train owns it.
//!
//! Sign convention: `decrement_pct` is positive for a fall
//! ((A1 - A4) / A1 x 100); `increment_pct` and `change_pct` are positive for
//! a rise.

mod exercise;
mod hfrns;
pub mod jitter;
mod rns;
pub mod series;
pub mod shape;

use serde::{Deserialize, Serialize};

use crate::model::{
    Flag, Protocol, ProtocolSource, Recording, ResponseLabel, ResponseMeasures, TestMeasures,
};

/// Train settings, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// The response compared with the first for `decrement_pct` (default 4:
    /// AAEM; some labs use the 5th).
    pub decrement_response: usize,
    /// A train changing less than this (% of A1) at every response is
    /// `flat` (default 5).
    pub flat_pct: f64,
    /// A low-rate train still falling after the 5th response by this much
    /// (% of A1) is `progressive`, else `u_shaped` (default 2).
    pub progressive_fall_pct: f64,
    /// A rise then a fall of at least this much (% of A1) is one jump
    /// (default 3).
    pub irregular_step_pct: f64,
    /// This many jumps make a train `irregular_train` (default 2).
    pub irregular_min_jumps: usize,
    /// One response above or below both its neighbours by more than this
    /// (% of their mean) makes a train `irregular_train` (default 20;
    /// nmjscope's own rule: a myasthenic decrement's largest step is its
    /// first, it never comes back within one response, and a facilitating
    /// train builds smoothly).
    pub outlier_pct: f64,
    /// The area decrement and the amplitude decrement disagreeing by more
    /// than this (percentage points) flag the train `area_disagrees`
    /// (nmjscope's own rule; default 10).
    pub area_disagreement_pp: f64,
    /// A baseline moving one way through a low-rate train by more than
    /// this (% of A1), or amplitudes rising steadily by more than this,
    /// flag the train `baseline_drift` or `amplitude_drift` (nmjscope's own
    /// rule; default 10).
    pub drift_pct: f64,
    /// Pseudofacilitation (high rate or after exercise; nmjscope's own rule,
    /// no published threshold): the amplitude rises at least this much
    /// (%, default 10) ...
    pub pseudofacilitation_min_rise_pct: f64,
    /// ... while the area rises less than this (%, default 10).
    pub pseudofacilitation_max_area_rise_pct: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            decrement_response: 4,
            flat_pct: 5.0,
            progressive_fall_pct: 2.0,
            irregular_step_pct: 3.0,
            irregular_min_jumps: 2,
            outlier_pct: 20.0,
            area_disagreement_pp: 10.0,
            drift_pct: 10.0,
            pseudofacilitation_min_rise_pct: 10.0,
            pseudofacilitation_max_area_rise_pct: 10.0,
        }
    }
}

/// `(value - reference) / reference x 100`, when the reference is positive.
pub(crate) fn pct(value: f64, reference: f64) -> Option<f64> {
    (reference > 0.0).then(|| (value - reference) / reference * 100.0)
}

/// The measures of a test from its responses' measures.
pub fn evaluate(
    recording: &Recording,
    mut responses: Vec<ResponseMeasures>,
    config: &TrainConfig,
) -> TestMeasures {
    // Exercise: the pre-exercise response is the reference, so it goes
    // first; everything downstream follows labels, not file columns.
    if recording.protocol == Protocol::Exercise {
        if let Some(i) = responses.iter().position(|r| r.label == ResponseLabel::Pre) {
            let pre = responses.remove(i);
            responses.insert(0, pre);
        }
    }
    let mut amps: Vec<Option<f64>> = responses.iter().map(|r| r.amplitude_mv).collect();
    // A first response that is no response is no reference: a change
    // against noise is a ratio of noise (+269,757% for a flat `pre`).
    if responses
        .first()
        .is_some_and(|r| r.flags.contains(&Flag::NoResponse))
    {
        amps[0] = None;
    }
    let a1 = amps.first().copied().flatten();
    let change_pct = amps
        .iter()
        .map(|a| a.zip(a1).and_then(|(a, first)| pct(a, first)))
        .collect();
    let mut t = blank(recording, responses, change_pct);
    let used = match recording.protocol {
        Protocol::Rns => rns::evaluate(&mut t, &amps, config),
        Protocol::Hfrns => hfrns::evaluate(&mut t, &amps, config),
        Protocol::Exercise => exercise::evaluate(&mut t, &amps),
    };
    // The same amplitude-versus-area rule for both increment protocols.
    if recording.protocol != Protocol::Rns {
        t.pseudofacilitation = pseudofacilitation(&t, config);
    }
    t.flags = flags_of(&t.responses, &used);
    t
}

/// Whether an increment is an amplitude rise without an area rise: the
/// one rule for high-rate trains, exercise tests and the post-exercise
/// increment of a series.
pub(crate) fn pseudofacilitation(t: &TestMeasures, config: &TrainConfig) -> Option<bool> {
    let (inc, area_inc) = (t.increment_pct?, t.area_increment_pct?);
    Some(
        inc >= config.pseudofacilitation_min_rise_pct
            && area_inc < config.pseudofacilitation_max_area_rise_pct,
    )
}

/// A test with its responses and changes, and no measures yet.
fn blank(
    recording: &Recording,
    responses: Vec<ResponseMeasures>,
    change_pct: Vec<Option<f64>>,
) -> TestMeasures {
    TestMeasures {
        file: recording.source.file_name.clone(),
        source: crate::model::TestSource::of(&recording.source),
        protocol: recording.protocol,
        protocol_inferred: recording.protocol_source == ProtocolSource::Inferred,
        stim_rate_hz: recording.stim_rate_hz,
        exercise_s: recording.exercise_s,
        muscle: recording.muscle.clone(),
        nerve: recording.nerve.clone(),
        side: recording.side.clone(),
        temperature_c: recording.temperature_c,
        record: recording.record.clone(),
        sampling_rate_hz: recording.sampling_rate_hz,
        responses,
        change_pct,
        decrement_pct: None,
        decrement_4th_pct: None,
        decrement_5th_pct: None,
        decrement_read_to: None,
        automatic: None,
        max_decrement_pct: None,
        area_decrement_pct: None,
        shape: None,
        increment_pct: None,
        increment_reference: None,
        last_increment_pct: None,
        area_increment_pct: None,
        pseudofacilitation: None,
        post_exercise: None,
        deciding_response: None,
        flags: Vec::new(),
        train_flags: Vec::new(),
        validity: Default::default(),
    }
}

/// The flags of the responses a test's measures use (the first always),
/// sorted, each once.
fn flags_of(responses: &[ResponseMeasures], used: &[usize]) -> Vec<Flag> {
    let mut flags: Vec<Flag> = std::iter::once(0)
        .chain(used.iter().copied())
        .filter_map(|i| responses.get(i))
        .flat_map(|r| r.flags.iter().copied())
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

/// The index and value of the largest measured value.
pub(crate) fn argmax(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}
