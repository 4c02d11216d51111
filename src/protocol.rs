//! Protocol measures of a test: decrement (low-rate RNS), increment
//! (high-rate RNS, exercise), the shape of a train, and train-level flags.
//!
//! Sign convention: `decrement_pct` is positive for a fall
//! ((A1 - A4) / A1 x 100); `increment_pct` and `change_pct` are positive for
//! a rise.

use serde::{Deserialize, Serialize};

use crate::io::post_time_s;
use crate::measure::{Flag, ResponseMeasures};
use crate::model::{Protocol, ProtocolSource, Recording};

/// Protocol settings, with the defaults documented per field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProtocolConfig {
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
    /// Pseudofacilitation (high rate or after exercise; nmjscope's own rule,
    /// no published threshold): the amplitude rises at least this much
    /// (%, default 10) ...
    pub pseudofacilitation_min_rise_pct: f64,
    /// ... while the area rises less than this (%, default 10).
    pub pseudofacilitation_max_area_rise_pct: f64,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        ProtocolConfig {
            decrement_response: 4,
            flat_pct: 5.0,
            progressive_fall_pct: 2.0,
            irregular_step_pct: 3.0,
            irregular_min_jumps: 2,
            pseudofacilitation_min_rise_pct: 10.0,
            pseudofacilitation_max_area_rise_pct: 10.0,
        }
    }
}

/// Shape of a train's amplitudes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainShape {
    /// Every response within `flat_pct` of the first.
    Flat,
    /// A fall to a nadir by about the 4th-5th response, then levelling or
    /// partial recovery: the myasthenic pattern.
    UShaped,
    /// Still falling at the end of the train.
    Progressive,
    /// Rising (facilitation or pseudo-facilitation).
    Incrementing,
}

impl TrainShape {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            TrainShape::Flat => "flat",
            TrainShape::UShaped => "u_shaped",
            TrainShape::Progressive => "progressive",
            TrainShape::Incrementing => "incrementing",
        }
    }
}

/// One post-exercise time point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostExercisePoint {
    /// The response label (`post`, `post_30s`).
    pub label: String,
    /// Seconds after the end of exercise, when the label says.
    pub time_s: Option<f64>,
    /// Amplitude (mV).
    pub amplitude_mv: Option<f64>,
    /// Change from the pre-exercise amplitude (%).
    pub change_pct: Option<f64>,
}

/// Everything measured on one test. Keys that do not apply to the protocol
/// are `None` (JSON `null`), never missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestMeasures {
    /// The file name.
    pub file: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Whether the protocol was inferred rather than declared.
    pub protocol_inferred: bool,
    /// Stimulation rate.
    pub stim_rate_hz: Option<f64>,
    /// Exercise duration.
    pub exercise_s: Option<f64>,
    /// Muscle.
    pub muscle: Option<String>,
    /// Nerve.
    pub nerve: Option<String>,
    /// Side.
    pub side: Option<String>,
    /// Limb temperature, when recorded.
    pub temperature_c: Option<f64>,
    /// Sampling rate.
    pub sampling_rate_hz: f64,
    /// Per-response measures.
    pub responses: Vec<ResponseMeasures>,
    /// (A1 - A4) / A1 x 100 (`rns`).
    pub decrement_pct: Option<f64>,
    /// (A1 - min(A2..A5)) / A1 x 100 (`rns`).
    pub max_decrement_pct: Option<f64>,
    /// Decrement on negative-phase areas (`rns`).
    pub area_decrement_pct: Option<f64>,
    /// Shape of the train (`rns`, `hfrns`).
    pub shape: Option<TrainShape>,
    /// (max A - A1) / A1 x 100 (`hfrns`); (max post - pre) / pre x 100
    /// (`exercise`).
    pub increment_pct: Option<f64>,
    /// Last against first (`hfrns`).
    pub last_increment_pct: Option<f64>,
    /// Increment on areas (`hfrns`, `exercise`).
    pub area_increment_pct: Option<f64>,
    /// Amplitude rises but area does not (`hfrns`, `exercise`).
    pub pseudofacilitation: Option<bool>,
    /// Each post-exercise time point (`exercise`).
    pub post_exercise: Option<Vec<PostExercisePoint>>,
    /// Index of the response that carries the increment, or the nadir of a
    /// decrement (0-based).
    pub deciding_response: Option<usize>,
    /// Flags of the responses the protocol measures use, plus train flags.
    pub flags: Vec<Flag>,
}

impl TestMeasures {
    /// Whether a flag is set on the test.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }

    /// The first (or pre-exercise) amplitude.
    pub fn first_amplitude_mv(&self) -> Option<f64> {
        self.responses.first().and_then(|r| r.amplitude_mv)
    }
}

fn pct(value: f64, reference: f64) -> Option<f64> {
    (reference > 0.0).then(|| (value - reference) / reference * 100.0)
}

/// Computes the protocol measures of a test from its responses.
pub fn evaluate(
    recording: &Recording,
    mut responses: Vec<ResponseMeasures>,
    config: &ProtocolConfig,
) -> TestMeasures {
    // Exercise: the pre-exercise response goes first.
    if recording.protocol == Protocol::Exercise {
        if let Some(i) = responses.iter().position(|r| r.label == "pre") {
            let pre = responses.remove(i);
            responses.insert(0, pre);
        }
    }
    let amps: Vec<Option<f64>> = responses.iter().map(|r| r.amplitude_mv).collect();
    let areas: Vec<Option<f64>> = responses.iter().map(|r| r.area_mv_ms).collect();
    let a1 = amps.first().copied().flatten();
    for r in responses.iter_mut() {
        r.change_pct = match (r.amplitude_mv, a1) {
            (Some(a), Some(first)) => pct(a, first),
            _ => None,
        };
    }
    let mut t = TestMeasures {
        file: recording.source.file_name.clone(),
        protocol: recording.protocol,
        protocol_inferred: recording.protocol_source == ProtocolSource::Inferred,
        stim_rate_hz: recording.stim_rate_hz,
        exercise_s: recording.exercise_s,
        muscle: recording.muscle.clone(),
        nerve: recording.nerve.clone(),
        side: recording.side.clone(),
        temperature_c: recording.temperature_c,
        sampling_rate_hz: recording.sampling_rate_hz,
        responses,
        decrement_pct: None,
        max_decrement_pct: None,
        area_decrement_pct: None,
        shape: None,
        increment_pct: None,
        last_increment_pct: None,
        area_increment_pct: None,
        pseudofacilitation: None,
        post_exercise: None,
        deciding_response: None,
        flags: Vec::new(),
    };
    let mut used: Vec<usize> = vec![0];
    match recording.protocol {
        Protocol::Rns => {
            let k = config.decrement_response.max(2) - 1;
            if let (Some(first), Some(Some(ak))) = (a1, amps.get(k)) {
                t.decrement_pct = pct(*ak, first).map(|v| -v);
            }
            if let (Some(first), Some(Some(area_k))) = (areas[0], areas.get(k)) {
                t.area_decrement_pct = pct(*area_k, first).map(|v| -v);
            }
            let window: Vec<(usize, f64)> = amps
                .iter()
                .enumerate()
                .skip(1)
                .take(4)
                .filter_map(|(i, a)| a.map(|a| (i, a)))
                .collect();
            if let (Some(first), Some(&(nadir, min))) =
                (a1, window.iter().min_by(|x, y| x.1.total_cmp(&y.1)))
            {
                t.max_decrement_pct = pct(min, first).map(|v| -v);
                t.deciding_response = Some(nadir);
            }
            used.extend(1..amps.len().min(5));
            t.shape = shape(&amps, config, true);
            if irregular(&amps, config) {
                t.flags.push(Flag::IrregularTrain);
            }
        }
        Protocol::Hfrns => {
            if let Some((imax, max)) = argmax(&amps) {
                t.increment_pct = a1.and_then(|f| pct(max, f));
                t.deciding_response = Some(imax);
                used.push(imax);
            }
            if let (Some(first), Some(Some(last))) = (a1, amps.last()) {
                t.last_increment_pct = pct(*last, first);
            }
            if let (Some(first), Some((_, max_area))) = (areas[0], argmax(&areas)) {
                t.area_increment_pct = pct(max_area, first);
            }
            t.shape = shape(&amps, config, false);
        }
        Protocol::Exercise => {
            let post = &amps[1.min(amps.len())..];
            if let Some((i, max)) = argmax(post) {
                t.increment_pct = a1.and_then(|f| pct(max, f));
                t.deciding_response = Some(i + 1);
                used.push(i + 1);
            }
            if let (Some(first), Some((_, max_area))) =
                (areas[0], argmax(&areas[1.min(areas.len())..]))
            {
                t.area_increment_pct = pct(max_area, first);
            }
            t.post_exercise = Some(
                t.responses
                    .iter()
                    .skip(1)
                    .map(|r| PostExercisePoint {
                        label: r.label.clone(),
                        time_s: if r.label == "post" {
                            Some(0.0)
                        } else {
                            post_time_s(&r.label)
                        },
                        amplitude_mv: r.amplitude_mv,
                        change_pct: r.change_pct,
                    })
                    .collect(),
            );
        }
    }
    // The same amplitude-versus-area rule for both increment protocols.
    if recording.protocol != Protocol::Rns {
        if let (Some(inc), Some(area_inc)) = (t.increment_pct, t.area_increment_pct) {
            t.pseudofacilitation = Some(
                inc >= config.pseudofacilitation_min_rise_pct
                    && area_inc < config.pseudofacilitation_max_area_rise_pct,
            );
        }
    }
    for i in used {
        if let Some(r) = t.responses.get(i) {
            for f in &r.flags {
                if !t.flags.contains(f) {
                    t.flags.push(*f);
                }
            }
        }
    }
    t.flags.sort();
    t
}

fn argmax(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Changes from the first response in % of it.
fn changes(amps: &[Option<f64>]) -> Option<Vec<f64>> {
    let first = amps.first().copied().flatten().filter(|a| *a > 0.0)?;
    amps.iter()
        .map(|a| a.map(|a| (a - first) / first * 100.0))
        .collect()
}

fn shape(amps: &[Option<f64>], config: &ProtocolConfig, low_rate: bool) -> Option<TrainShape> {
    let c = changes(amps)?;
    if c.len() < 3 {
        return None;
    }
    if c.iter().all(|v| v.abs() < config.flat_pct) {
        return Some(TrainShape::Flat);
    }
    let (nadir, min) = c
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let max = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max >= config.flat_pct && max >= -min {
        return Some(TrainShape::Incrementing);
    }
    if !low_rate {
        return Some(TrainShape::Progressive);
    }
    let last = c[c.len() - 1];
    let fifth = c[4.min(c.len() - 1)];
    let still_falling = nadir == c.len() - 1 && fifth - last >= config.progressive_fall_pct;
    if still_falling || c.len() <= 5 && nadir == c.len() - 1 {
        Some(TrainShape::Progressive)
    } else {
        Some(TrainShape::UShaped)
    }
}

/// A rise then a fall, each at least `irregular_step_pct` of A1, happening
/// `irregular_min_jumps` times: steps a true decrement never shows.
fn irregular(amps: &[Option<f64>], config: &ProtocolConfig) -> bool {
    let Some(c) = changes(amps) else {
        return false;
    };
    let steps: Vec<f64> = c.windows(2).map(|w| w[1] - w[0]).collect();
    let jumps = steps
        .windows(2)
        .filter(|s| s[0] >= config.irregular_step_pct && s[1] <= -config.irregular_step_pct)
        .count();
    jumps >= config.irregular_min_jumps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amps(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&a| Some(a)).collect()
    }

    #[test]
    fn shapes() {
        let c = ProtocolConfig::default();
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert_eq!(shape(&mg, &c, true), Some(TrainShape::UShaped));
        let prog = amps(&[10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5]);
        assert_eq!(shape(&prog, &c, true), Some(TrainShape::Progressive));
        let flat = amps(&[10.0, 9.9, 10.1, 9.8, 9.9, 10.0, 9.9, 10.0, 10.1, 10.0]);
        assert_eq!(shape(&flat, &c, true), Some(TrainShape::Flat));
        let up = amps(&[2.0, 2.5, 3.0, 3.5, 4.0]);
        assert_eq!(shape(&up, &c, false), Some(TrainShape::Incrementing));
    }

    #[test]
    fn irregular_trains() {
        let c = ProtocolConfig::default();
        let jumpy = amps(&[10.0, 9.0, 9.6, 8.8, 9.5, 8.7, 9.4, 8.9, 9.3, 8.8]);
        assert!(irregular(&jumpy, &c));
        let mg = amps(&[10.0, 8.5, 7.8, 7.5, 7.4, 7.6, 7.8, 7.9, 8.0, 8.0]);
        assert!(!irregular(&mg, &c));
    }
}
