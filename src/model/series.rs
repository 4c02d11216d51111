//! What several low-rate trains of one muscle say together: the
//! post-exercise series (facilitation, then exhaustion) and repeated trains
//! at rest (is the decrement reproducible?).

use serde::{Deserialize, Serialize};

use super::ExercisePhase;

/// One low-rate train of a post-exercise series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// The file.
    pub file: String,
    /// When it was recorded.
    pub phase: ExercisePhase,
    /// Its decrement (%, `train.decrement_response`).
    pub decrement_pct: Option<f64>,
    /// Whether the train's decrement cannot be relied on, as its verdict
    /// (`validity`) says: a flag on the train or on a response its
    /// decrement uses, a submaximal stimulus, or no decrement at all.
    pub flagged: bool,
}

/// The post-exercise facilitation and exhaustion series of one muscle:
/// low-rate trains at rest and at times after maximal exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExhaustionSeries {
    /// The muscle, as the files name it.
    pub muscle: Option<String>,
    /// The side.
    pub side: Option<String>,
    /// Every train, at rest first, then by time after exercise.
    pub points: Vec<SeriesPoint>,
    /// Repair: the decrement at rest less the one immediately after
    /// exercise (percentage points; positive when exercise repaired it).
    pub repair_pp: Option<f64>,
    /// The largest decrement from one minute after exercise on.
    pub exhaustion_pct: Option<f64>,
    /// When it was recorded.
    pub exhaustion_phase: Option<ExercisePhase>,
    /// How much larger than at rest it is (percentage points).
    pub exhaustion_pp: Option<f64>,
}

/// Low-rate trains of one muscle repeated at rest (`train: 1`, `2`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatedTrains {
    /// The muscle, as the files name it.
    pub muscle: Option<String>,
    /// The side.
    pub side: Option<String>,
    /// The files, in train order.
    pub files: Vec<String>,
    /// Each train's decrement (%).
    pub decrements_pct: Vec<Option<f64>>,
    /// Largest less smallest decrement (percentage points).
    pub spread_pp: Option<f64>,
}

/// The series of a study; empty lists when it has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StudySeries {
    /// Post-exercise series, one per muscle.
    pub exhaustion: Vec<ExhaustionSeries>,
    /// Repeated trains at rest, one group per muscle.
    pub repeats: Vec<RepeatedTrains>,
}
