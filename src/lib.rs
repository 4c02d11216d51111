//! # nmjscope
//!
//! Electrodiagnostic studies of the neuromuscular junction: read the
//! waveform traces exported from EMG machines (repetitive nerve stimulation
//! at 2-5 Hz and 20-50 Hz, CMAPs before and after 10 s of maximal exercise),
//! measure every compound muscle action potential, compute decrement and
//! increment, judge them against the published criteria, and write plots and
//! a report that cites its sources.
//!
//! Data flows one way through stages, each a module:
//! [`io`] (readers) → [`signal`] (baseline, artifact, filters) →
//! [`measure`] (per-response measures and flags) → [`protocol`] (decrement,
//! increment, train shape) → [`interpret`] (rules, findings, sources) →
//! [`report`] (pure writers) and [`plot`]. [`simulate`] produces recordings;
//! [`batch`] runs the pipeline over many studies in parallel.
//!
//! ```
//! use nmjscope::{analyze_study, read_study, ReadOptions, Settings};
//! use nmjscope::simulate::{simulate_study, Condition, SimConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Simulate a LEMS study, write it, read it back and analyse it.
//! let dir = tempfile::tempdir()?;
//! let sim = SimConfig { condition: Condition::Lems, severity: 0.7, seed: 1, ..SimConfig::default() };
//! for (name, bytes) in simulate_study(&sim)? {
//!     std::fs::write(dir.path().join(name), bytes)?;
//! }
//! let study = read_study(dir.path(), &ReadOptions::default())?;
//! let report = analyze_study(&study, &Settings::default())?;
//! assert_eq!(report.interpretation.pattern.code(), "presynaptic");
//! # Ok(())
//! # }
//! ```
//!
//! ## Conventions
//!
//! - **Units** are in the names: `_mv`, `_ms`, `_hz`, `_pct`, `_s`. All
//!   samples are held in millivolts; all times in milliseconds relative to
//!   the stimulus (time 0), negative before it.
//! - **Polarity**: the CMAP's first major phase is negative, and negative is
//!   displayed up (EMG convention). Amplitudes and areas of the negative
//!   phase are reported as positive numbers. A file declared
//!   `polarity: inverted` is flipped on reading; a trace that looks inverted
//!   without the declaration is measured flipped and flagged
//!   `polarity_inverted`.
//! - **Decrement** is positive for a fall: `(A1 - A4) / A1 x 100`.
//!   **Increment** and `change_pct` are positive for a rise:
//!   `(A - A1) / A1 x 100`.
//! - **Flags** are stable snake_case codes ([`Flag`]).
//! - Every threshold lives in a config struct of its stage, gathered in
//!   [`Settings`], and is echoed in each report.
//! - The library never prints, never exits and draws no progress.
#![deny(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod error;
pub mod interpret;
pub mod io;
pub mod measure;
pub mod model;
pub mod plot;
pub mod protocol;
pub mod report;
pub mod settings;
pub mod signal;
pub mod simulate;

pub use analysis::{analyze_recording, analyze_study};
pub use error::{Error, Location, Result};
pub use interpret::{Interpretation, LemsCriterion, Pattern};
pub use io::{read_study, read_trace_file, ReadOptions};
pub use measure::{Flag, ResponseMeasures};
pub use model::{Protocol, Recording, Study};
pub use protocol::TestMeasures;
pub use report::Report;
pub use settings::Settings;
