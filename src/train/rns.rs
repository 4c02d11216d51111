//! Low-rate repetitive nerve stimulation (2-5 Hz): the decrement from the
//! first to the k-th response (AAEM: the 4th or 5th), the largest fall within
//! the first five, the shape of the train, and irregular steps.

use super::{pct, shape, TrainConfig};
use crate::model::{Flag, TestMeasures, TrainFlag};

/// The fall from `first` to `value` (% of `first`, positive for a fall);
/// no fall is 0, never -0.
fn fall(value: f64, first: f64) -> Option<f64> {
    pct(value, first).map(|v| 0.0 - v)
}

/// The response the decrement is read to in place of the one set
/// (`k`, 0-based) when that one is the 4th or the 5th and was excluded by
/// hand: the other of the two, when it is measured and not excluded. AAEM
/// 2001 reads the decrement "from the 1st to the 4th or 5th response"
/// ([`crate::interpret::sources::AAEM_2001`]).
fn other_for_excluded(t: &TestMeasures, amps: &[Option<f64>], k: usize) -> Option<usize> {
    let excluded = |i: usize| t.responses.get(i).is_some_and(|r| r.has(Flag::Excluded));
    let other = match k {
        3 => 4,
        4 => 3,
        _ => return None,
    };
    (excluded(k) && !excluded(other) && amps.get(other).is_some_and(Option::is_some))
        .then_some(other)
}

/// Fills the decrement measures; returns the responses they used.
pub(super) fn evaluate(
    t: &mut TestMeasures,
    amps: &[Option<f64>],
    config: &TrainConfig,
) -> Vec<usize> {
    let areas: Vec<Option<f64>> = t.responses.iter().map(|r| r.area_mv_ms).collect();
    let a1 = amps.first().copied().flatten();
    let mut k = config.decrement_response.max(2) - 1;
    if let Some(other) = other_for_excluded(t, amps, k) {
        k = other;
        t.decrement_read_to = Some(other + 1);
    }
    if let (Some(first), Some(Some(ak))) = (a1, amps.get(k)) {
        t.decrement_pct = fall(*ak, first);
    }
    let to = |k: usize| match (a1, amps.get(k)) {
        (Some(first), Some(Some(ak))) => fall(*ak, first),
        _ => None,
    };
    t.decrement_4th_pct = to(3);
    t.decrement_5th_pct = to(4);
    if let (Some(Some(first)), Some(Some(area_k))) = (areas.first(), areas.get(k)) {
        t.area_decrement_pct = fall(*area_k, *first);
    }
    // The largest fall is looked for among responses 2-5, where a
    // myasthenic decrement reaches its nadir.
    let nadir = amps
        .iter()
        .enumerate()
        .skip(1)
        .take(4)
        .filter_map(|(i, a)| a.map(|a| (i, a)))
        .min_by(|x, y| x.1.total_cmp(&y.1));
    if let (Some(first), Some((i, min))) = (a1, nadir) {
        t.max_decrement_pct = fall(min, first);
        t.deciding_response = Some(i);
    }
    t.shape = shape::shape(amps, config, true);
    if shape::irregular(amps, config) || shape::isolated_response(amps, config) {
        t.train_flags.push(TrainFlag::IrregularTrain);
    }
    if let (Some(d), Some(area_d)) = (t.decrement_pct, t.area_decrement_pct) {
        if (d - area_d).abs() > config.area_disagreement_pp {
            t.train_flags.push(TrainFlag::AreaDisagrees);
        }
    }
    let baselines: Vec<f64> = t.responses.iter().map(|r| r.baseline_mv).collect();
    if a1.is_some_and(|a1| shape::drifts(&baselines, a1, config.drift_pct)) {
        t.train_flags.push(TrainFlag::BaselineDrift);
    }
    if shape::rises_steadily(amps, config.drift_pct) {
        t.train_flags.push(TrainFlag::AmplitudeDrift);
    }
    (1..amps.len().min(5)).collect()
}
