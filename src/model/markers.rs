//! Markers a person set by hand on a test's responses (a
//! `<file>.markers.toml` sidecar, `docs/markers.md`), and the record of
//! them each measured response keeps.

use serde::{Deserialize, Serialize};

use super::ResponseLabel;

/// The checked markers of one test, read from its sidecar.
#[derive(Debug, Clone, PartialEq)]
pub struct Markers {
    /// The sidecar's file name (for messages and the report).
    pub file: String,
    /// XXH3 of the sidecar's bytes (16 hex digits), for the report.
    pub hash: String,
    /// One entry per response, in the sidecar's order.
    pub entries: Vec<MarkEntry>,
}

/// The response an entry is for.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseRef {
    /// The 1-based number in the file's order.
    Number(usize),
    /// The response's label (`pre`, `post_0s`).
    Label(ResponseLabel),
}

/// The markers of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkEntry {
    /// The response.
    pub response: ResponseRef,
    /// The line of its `[[response]]` header.
    pub line: u64,
    /// Manual onset (ms after the stimulus).
    pub onset_ms: Option<f64>,
    /// Manual negative peak (ms after the stimulus).
    pub negative_peak_ms: Option<f64>,
    /// Manual end of the negative phase (ms after the stimulus).
    pub end_ms: Option<f64>,
    /// Manual baseline window, start and end (ms after the stimulus).
    pub baseline_ms: Option<[f64; 2]>,
    /// Why the response is excluded, when it is.
    pub excluded: Option<String>,
    /// Who set the markers.
    pub by: String,
    /// When (as written).
    pub at: String,
}

impl MarkEntry {
    /// The marks set, in the order onset, negative peak, end, baseline.
    pub fn marks(&self) -> Vec<Mark> {
        [
            (self.onset_ms.is_some(), Mark::Onset),
            (self.negative_peak_ms.is_some(), Mark::NegativePeak),
            (self.end_ms.is_some(), Mark::End),
            (self.baseline_ms.is_some(), Mark::Baseline),
        ]
        .into_iter()
        .filter_map(|(set, m)| set.then_some(m))
        .collect()
    }
}

impl Markers {
    /// The entry for the response at `index` (0-based, file order) with
    /// `label`, if any.
    pub fn entry_for(&self, index: usize, label: &ResponseLabel) -> Option<&MarkEntry> {
        self.entries.iter().find(|e| match &e.response {
            ResponseRef::Number(n) => *n == index + 1,
            ResponseRef::Label(l) => l == label,
        })
    }
}

/// One marker a person can move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mark {
    /// The onset.
    Onset,
    /// The negative peak (its time and the amplitude there).
    NegativePeak,
    /// The end of the negative phase.
    End,
    /// The baseline window (the level the amplitude is measured from).
    Baseline,
}

/// What a person changed on one response, kept beside the measures: the
/// automatic values the marks replaced, the marks set or the exclusion,
/// who and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualMarks {
    /// The automatic onset (ms).
    pub automatic_onset_ms: Option<f64>,
    /// The automatic negative peak (ms).
    pub automatic_negative_peak_ms: Option<f64>,
    /// The automatic end of the negative phase (ms).
    pub automatic_end_ms: Option<f64>,
    /// The automatic amplitude (mV).
    pub automatic_amplitude_mv: Option<f64>,
    /// The automatic baseline window (ms), when a window was set by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_baseline_window_ms: Option<[f64; 2]>,
    /// The marks set by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<Mark>,
    /// Why the response was excluded, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// Who.
    pub by: String,
    /// When.
    pub at: String,
}

/// A markers file used by an analysis: which test, which file, its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkersUsed {
    /// The test's file.
    pub test: String,
    /// The sidecar's file name.
    pub file: String,
    /// XXH3 of its bytes (16 hex digits).
    pub hash: String,
}

/// A test's decrement and increment with its automatic markers, kept
/// beside those with the marks set by hand so a report can show both.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AutomaticReading {
    /// The decrement with the automatic markers (%).
    pub decrement_pct: Option<f64>,
    /// The increment with the automatic markers (%).
    pub increment_pct: Option<f64>,
}
