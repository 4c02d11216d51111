//! # nmjscope
//!
//! Electrodiagnostic studies of the neuromuscular junction: read the
//! waveform traces exported from EMG machines (repetitive nerve stimulation
//! at 2-5 Hz and 20-50 Hz, CMAPs before and after 10 s of maximal exercise),
//! measure every compound muscle action potential, compute decrement and
//! increment, judge them against the published criteria, and write plots and
//! a report that cites its sources.
//!
//! Data flows one way through stages, each a module named after what it
//! does: [`io`] (readers, into the [`model`]) → [`signal`] (noise,
//! artifact, baseline, drift, filters) → [`measure`] (per-response CMAP
//! measures and flags) → [`train`] (decrement, increment, shape) →
//! [`interpret`] (rules, findings, sources) → [`render`] (pure writers:
//! text, JSON, Markdown, HTML, CSV, plots). [`pipeline`] is the one place a
//! study is analysed, and hands the plots what to draw. [`simulate`] makes
//! recordings (physiology, then recording conditions); [`batch`] runs the
//! pipeline over archives. `docs/architecture.md` maps where each concern
//! lives.
//!
//! ```
//! use nmjscope::prelude::*;
//! use nmjscope::simulate::{simulate_study, Condition, SimConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Simulate a LEMS study, write it as a lab would export it, read it back
//! // and analyse it.
//! let dir = tempfile::tempdir()?;
//! let sim = SimConfig { condition: Condition::Lems, severity: 0.7, seed: 1, ..SimConfig::default() };
//! let files = nmjscope::io::write::study_csv(&simulate_study(&sim)?.study, Default::default());
//! let folder = dir.path().join("study");
//! nmjscope::io::fs::write_set(&folder, &files, nmjscope::io::fs::SIMULATED_STUDY)?;
//! let study = read_study(&folder, &ReadOptions::default())?;
//! let report = Analyzer::default().analyze(&study)?;
//! assert_eq!(report.interpretation.pattern, Pattern::Presynaptic);
//! let text = nmjscope::render::serialize(Format::Text, &report, &[])?;
//! assert!(String::from_utf8(text)?.contains("presynaptic"));
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! - `plot`: SVG plots, in the report set and inline in the HTML report.
//! - `png` (default, with `plot`): a PNG beside each SVG in the report set.
//! - `native` (default): threads and file-system writes: [`batch`] (rayon
//!   across studies), [`io::fs`] (atomic report sets) and [`samples`]
//!   (the sample studies, compiled in).
//! - `cli` (default, with `native`): the `nmjscope` command (`clap`,
//!   `indicatif`, `anyhow`).
//!
//! `cargo build --no-default-features` builds the library alone; with
//! `--features plot` it also builds for `wasm32-unknown-unknown`, as the
//! web page does (`web/`, `docs/web.md`).
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

#[cfg(feature = "native")]
pub mod batch;
pub mod error;
pub mod interpret;
pub mod io;
pub mod measure;
pub mod model;
mod numeric;
pub mod pipeline;
pub mod render;
#[cfg(feature = "native")]
pub mod samples;
pub mod settings;
pub mod signal;
pub mod simulate;
pub mod train;
mod words;

pub use error::{Error, ErrorKind, Location, Result};
pub use interpret::InterpretConfig;
pub use io::{parse_study, read_study, read_trace_file, ReadOptions};
pub use model::{
    Flag, Interpretation, LemsCriterion, Pattern, Protocol, Recording, Report, ResponseLabel,
    ResponseMeasures, Study, TestMeasures,
};
pub use pipeline::{analyze_recording, analyze_study, Analysis, Analyzer};
pub use settings::Settings;

/// What most programs need: `use nmjscope::prelude::*;`.
pub mod prelude {
    pub use crate::model::{
        Flag, Interpretation, LemsCriterion, Pattern, Protocol, Report, ResponseLabel,
        ResponseMeasures, Study, TestMeasures,
    };
    pub use crate::pipeline::{Analysis, Analyzer};
    pub use crate::render::Format;
    pub use crate::{read_study, Error, ErrorKind, ReadOptions, Settings};
}
