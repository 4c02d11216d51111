//! CMAPs before and after brief maximal exercise: the increment from the
//! pre-exercise response to the largest post-exercise one, the area
//! increment, and each post-exercise time point.

use super::{argmax, pct};
use crate::model::{PostExercisePoint, TestMeasures};

/// Fills the increment measures (the pre-exercise response is first);
/// returns the responses they used.
pub(super) fn evaluate(t: &mut TestMeasures, amps: &[Option<f64>]) -> Vec<usize> {
    let areas: Vec<Option<f64>> = t.responses.iter().map(|r| r.area_mv_ms).collect();
    let a1 = amps.first().copied().flatten();
    let mut used = Vec::new();
    if let Some((i, max)) = argmax(amps.get(1..).unwrap_or_default()) {
        t.increment_pct = a1.and_then(|f| pct(max, f));
        t.deciding_response = Some(i + 1);
        used.push(i + 1);
    }
    if let (Some(Some(first)), Some((_, max_area))) =
        (areas.first(), argmax(areas.get(1..).unwrap_or_default()))
    {
        t.area_increment_pct = pct(max_area, *first);
    }
    let points = t
        .responses
        .iter()
        .zip(&t.change_pct)
        .skip(1)
        .map(|(r, change)| PostExercisePoint {
            label: r.label.clone(),
            time_s: r.label.post_time_s(),
            amplitude_mv: r.amplitude_mv,
            change_pct: *change,
        })
        .collect();
    t.post_exercise = Some(points);
    used
}
