//! What a plot draws, as the pipeline measured it: each response's trace
//! less the baseline its measurement removed, keyed by label, with the
//! points its measures sit at. Plots draw these and compute nothing.

use serde::{Deserialize, Serialize};

use super::ResponseLabel;

/// The display traces of one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestDisplay {
    /// The test's file name.
    pub file: String,
    /// Sample times (ms after the stimulus), shared by every trace.
    pub times_ms: Vec<f64>,
    /// One trace per measured response, in the test's order.
    pub traces: Vec<DisplayTrace>,
}

impl TestDisplay {
    /// The trace of the response labelled `label`.
    pub fn trace(&self, label: &ResponseLabel) -> Option<&DisplayTrace> {
        self.traces.iter().find(|t| &t.label == label)
    }
}

/// One response as displayed: negative values are the CMAP's negative
/// phase (a plot flips them up), the baseline is zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplayTrace {
    /// The response.
    pub label: ResponseLabel,
    /// Samples (mV), less the measured baseline and drift, flipped where
    /// the measurement found the response inverted.
    pub values_mv: Vec<f64>,
    /// Where the onset was measured: (ms, mV on the trace).
    pub onset: Option<(f64, f64)>,
    /// The negative peak: (ms, mV), the amplitude below zero.
    pub negative_peak: Option<(f64, f64)>,
    /// The window the baseline was taken from (ms).
    pub baseline_window_ms: [f64; 2],
    /// The onset was set by hand (a markers sidecar): drawn in the manual
    /// style.
    #[serde(default)]
    pub manual_onset: bool,
    /// The negative peak was set by hand: drawn in the manual style.
    #[serde(default)]
    pub manual_peak: bool,
    /// The baseline window was set by hand: drawn in the manual style.
    #[serde(default)]
    pub manual_baseline: bool,
    /// The response was excluded by hand.
    #[serde(default)]
    pub excluded: bool,
}

impl DisplayTrace {
    /// Whether any mark drawn on the trace was set by hand.
    pub fn any_manual(&self) -> bool {
        self.manual_onset || self.manual_peak || self.manual_baseline
    }
}
