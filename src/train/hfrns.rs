//! High-rate repetitive nerve stimulation (10-50 Hz): the increment to the
//! largest response, the last against the first, the area increment and the
//! shape of the train.

use super::{argmax, pct, shape, TrainConfig};
use crate::model::{TestMeasures, TrainFlag};

/// Fills the increment measures; returns the responses they used.
pub(super) fn evaluate(
    t: &mut TestMeasures,
    amps: &[Option<f64>],
    config: &TrainConfig,
) -> Vec<usize> {
    let areas: Vec<Option<f64>> = t.responses.iter().map(|r| r.area_mv_ms).collect();
    let a1 = amps.first().copied().flatten();
    let mut used = Vec::new();
    if let Some((imax, max)) = argmax(amps) {
        t.increment_pct = a1.and_then(|f| pct(max, f));
        t.deciding_response = Some(imax);
        used.push(imax);
    }
    if let (Some(first), Some(Some(last))) = (a1, amps.last()) {
        t.last_increment_pct = pct(*last, first);
    }
    if let (Some(Some(first)), Some((_, max_area))) = (areas.first(), argmax(&areas)) {
        t.area_increment_pct = pct(max_area, *first);
    }
    t.shape = shape::shape(amps, config, false);
    // A facilitating train builds and plateaus: one sweep out of line is
    // not an increment.
    if shape::isolated_response(amps, config) {
        t.train_flags.push(TrainFlag::IrregularTrain);
    }
    used
}
