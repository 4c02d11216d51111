//! Low-rate trains of one muscle read together: the post-exercise series
//! (`exercise_phase`: repair right after exercise, exhaustion minutes
//! later) and trains repeated at rest (`train`). Measures only; whether a
//! decrement is abnormal or reproducible is `interpret`'s call.

use super::{pct, pseudofacilitation, TrainConfig};
use crate::model::{
    muscle_side_key, ExercisePhase, ExhaustionSeries, Flag, Protocol, Question, RepeatedTrains,
    SeriesPoint, StudySeries, TestMeasures,
};

/// A train recorded this soon after the exercise ended (s) is the one
/// "immediately after": the first train follows the contraction within
/// seconds.
const IMMEDIATELY_S: u32 = 30;

/// Exhaustion is looked for from this long after the exercise (s): the
/// trains at 1, 2, 3 and 4 minutes of the protocol.
const EXHAUSTION_FROM_S: u32 = 60;

/// The series of a study's low-rate trains.
pub fn study_series(tests: &[TestMeasures]) -> StudySeries {
    StudySeries {
        // A train of the muscle with no phase was recorded at rest.
        exhaustion: groups(tests, |_| true)
            .into_iter()
            .filter(|g| g.iter().any(|t| is_post(t.record.exercise_phase)))
            .map(|g| exhaustion(&g))
            .collect(),
        repeats: groups(tests, |t| !is_post(t.record.exercise_phase))
            .into_iter()
            .filter(|g| g.len() > 1)
            .map(|g| repeats(&g))
            .collect(),
    }
}

/// Links each post-exercise series to its rest: the first CMAP of the
/// first train immediately after exercise against the first CMAP of the
/// first train at rest is the series' post-exercise increment (the
/// comparison the Norwegian guideline describes for LEMS: the first CMAP
/// after maximal contraction against the one before). It is stored on the
/// post-exercise train (`increment_pct`, `area_increment_pct`,
/// `pseudofacilitation`, `increment_reference`), so that it is judged
/// with that train, once, like any other increment.
pub fn link_post_exercise(tests: &mut [TestMeasures], config: &TrainConfig) {
    let keys: Vec<(String, String)> = tests.iter().map(muscle_key).collect();
    for i in 0..tests.len() {
        let post = &tests[i];
        let immediately = post
            .record
            .exercise_phase
            .and_then(ExercisePhase::seconds_after)
            .is_some_and(|s| s <= IMMEDIATELY_S);
        if post.protocol != Protocol::Rns || !immediately || !first_train_after(tests, &keys, i) {
            continue;
        }
        let Some(rest) = resting_reference(tests, &keys, i) else {
            continue;
        };
        let (amp, area) = first_cmap(&tests[rest]);
        let (post_amp, post_area) = first_cmap(&tests[i]);
        let file = tests[rest].file.clone();
        let t = &mut tests[i];
        t.increment_pct = amp.zip(post_amp).and_then(|(a, p)| pct(p, a));
        t.area_increment_pct = area.zip(post_area).and_then(|(a, p)| pct(p, a));
        t.increment_reference = Some(file);
        t.pseudofacilitation = pseudofacilitation(t, config);
    }
}

/// The amplitude and area of a train's first response, when it is one.
fn first_cmap(t: &TestMeasures) -> (Option<f64>, Option<f64>) {
    match t.responses.first() {
        Some(r) if !r.has(Flag::NoResponse) => (r.amplitude_mv, r.area_mv_ms),
        _ => (None, None),
    }
}

/// Whether test `i` is the earliest post-exercise train of its muscle.
fn first_train_after(tests: &[TestMeasures], keys: &[(String, String)], i: usize) -> bool {
    let phase = |t: &TestMeasures| {
        t.record
            .exercise_phase
            .and_then(ExercisePhase::seconds_after)
    };
    let own = phase(&tests[i]);
    !tests.iter().enumerate().any(|(j, t)| {
        j != i
            && keys[j] == keys[i]
            && t.protocol == Protocol::Rns
            && phase(t).is_some()
            && (phase(t), j) < (own, i)
    })
}

/// The first low-rate train of the same muscle at rest (the lowest
/// `train` number, then file order) whose first response was measured.
fn resting_reference(tests: &[TestMeasures], keys: &[(String, String)], i: usize) -> Option<usize> {
    (0..tests.len())
        .filter(|&j| keys[j] == keys[i] && tests[j].protocol == Protocol::Rns)
        .filter(|&j| !is_post(tests[j].record.exercise_phase))
        .filter(|&j| first_cmap(&tests[j]).0.is_some())
        .min_by_key(|&j| (tests[j].record.train.unwrap_or(u32::MAX), j))
}

fn is_post(phase: Option<ExercisePhase>) -> bool {
    matches!(phase, Some(ExercisePhase::Post { .. }))
}

/// The muscle and side of a test, as one key.
fn muscle_key(t: &TestMeasures) -> (String, String) {
    muscle_side_key(t.muscle.as_deref(), t.side.as_deref())
}

/// The low-rate trains passing `keep`, grouped by muscle and side, in
/// order of first appearance.
fn groups(tests: &[TestMeasures], keep: impl Fn(&TestMeasures) -> bool) -> Vec<Vec<&TestMeasures>> {
    let mut out: Vec<((String, String), Vec<&TestMeasures>)> = Vec::new();
    for t in tests
        .iter()
        .filter(|t| t.protocol == Protocol::Rns && keep(t))
    {
        let key = muscle_key(t);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.push(t),
            None => out.push((key, vec![t])),
        }
    }
    out.into_iter().map(|(_, g)| g).collect()
}

/// Whether the train's decrement cannot be relied on, as its verdict
/// says (the series is read after every test is judged).
fn flagged(t: &TestMeasures) -> bool {
    !t.validity.has_value(Question::Decrement)
}

fn exhaustion(group: &[&TestMeasures]) -> ExhaustionSeries {
    let mut points: Vec<SeriesPoint> = group
        .iter()
        .map(|t| SeriesPoint {
            file: t.file.clone(),
            phase: t.record.exercise_phase.unwrap_or(ExercisePhase::Rest),
            decrement_pct: t.decrement_pct,
            flagged: flagged(t),
        })
        .collect();
    points.sort_by_key(|p| p.phase);
    let usable = |p: &&SeriesPoint| !p.flagged && p.decrement_pct.is_some();
    let rest = points
        .iter()
        .filter(usable)
        .find(|p| p.phase == ExercisePhase::Rest)
        .and_then(|p| p.decrement_pct);
    let immediately = points
        .iter()
        .filter(usable)
        .find(|p| p.phase.seconds_after().is_some_and(|s| s <= IMMEDIATELY_S))
        .and_then(|p| p.decrement_pct);
    let worst = points
        .iter()
        .filter(usable)
        .filter(|p| {
            p.phase
                .seconds_after()
                .is_some_and(|s| s >= EXHAUSTION_FROM_S)
        })
        .filter_map(|p| Some((p.phase, p.decrement_pct?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    ExhaustionSeries {
        muscle: group.first().and_then(|t| t.muscle.clone()),
        side: group.first().and_then(|t| t.side.clone()),
        repair_pp: rest.zip(immediately).map(|(r, i)| r - i),
        exhaustion_pct: worst.map(|w| w.1),
        exhaustion_phase: worst.map(|w| w.0),
        exhaustion_pp: rest.zip(worst).map(|(r, w)| w.1 - r),
        points,
    }
}

fn repeats(group: &[&TestMeasures]) -> RepeatedTrains {
    let mut trains: Vec<&TestMeasures> = group.to_vec();
    // Numbered repeats in their order, unnumbered ones after, by file.
    trains.sort_by(|a, b| {
        (a.record.train.unwrap_or(u32::MAX), &a.file)
            .cmp(&(b.record.train.unwrap_or(u32::MAX), &b.file))
    });
    let decrements: Vec<Option<f64>> = trains.iter().map(|t| t.decrement_pct).collect();
    let usable: Vec<f64> = trains
        .iter()
        .filter(|t| !flagged(t))
        .filter_map(|t| t.decrement_pct)
        .collect();
    let spread_pp = (usable.len() > 1).then(|| {
        let max = usable.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = usable.iter().copied().fold(f64::INFINITY, f64::min);
        max - min
    });
    RepeatedTrains {
        muscle: group.first().and_then(|t| t.muscle.clone()),
        side: group.first().and_then(|t| t.side.clone()),
        files: trains.iter().map(|t| t.file.clone()).collect(),
        decrements_pct: decrements,
        spread_pp,
    }
}
