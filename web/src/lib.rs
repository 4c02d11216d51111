//! nmjscope in the browser: the library compiled to WebAssembly, behind
//! the static page in `web/static/` (built into `web/dist/` by
//! `scripts/build_web.sh`).
//!
//! The entry points, each returning one JSON document so the page needs
//! no glue beyond `JSON.parse`:
//!
//! - [`StudyFiles::analyze`]: the files a user dropped, read and analysed
//!   by the same pipeline as `nmjscope analyze`, with the report set the CLI
//!   writes (HTML, Markdown, JSON, text, CSV and SVG plots).
//! - [`StudyFiles::reading`] and [`StudyFiles::set_markers`]: the marker
//!   editor's reading (report and display traces, no report set) and the
//!   markers a person set, kept as the test's `<file>.markers.toml`.
//! - [`teach`]: one simulated test of a condition, severity, protocol and
//!   rate, analysed and drawn, for the teaching view; [`teach_study`]: a
//!   patient's slow train, fast train and exercise test read together, for
//!   its quiz; [`teach_report`]: a simulated test's full report.
//!
//! Every reply is `{"ok": true, ...}` or `{"ok": false, "error": {...}}`
//! with the library's message and the file, line and column it names, so
//! the page shows the CLI's words. Nothing leaves the page: there is no
//! network code here or in the page.
#![deny(missing_docs)]

mod analyse;
mod jitter;
mod markers;
mod teach;
mod teach_series;

use serde::Serialize;
use wasm_bindgen::prelude::*;

pub use analyse::StudyFiles;
pub use jitter::teach_jitter;
pub use teach::{teach, teach_report, teach_study};

/// The version of nmjscope compiled in.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A library error as the page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorView {
    /// The message, as `nmjscope` prints it after `error: `.
    message: String,
    /// The file it names, if any.
    file: Option<String>,
    /// 1-based line, when the error belongs to a line.
    line: Option<u64>,
    /// 1-based column (field), when it belongs to a cell.
    column: Option<u64>,
    /// 0-based byte offset in a binary file.
    byte: Option<u64>,
}

impl From<&nmjscope::Error> for ErrorView {
    fn from(e: &nmjscope::Error) -> ErrorView {
        let at = e.location();
        ErrorView {
            message: e.to_string(),
            file: at.as_ref().map(|l| l.path.display().to_string()),
            line: at.as_ref().and_then(|l| l.line),
            column: at.as_ref().and_then(|l| l.column),
            byte: at.as_ref().and_then(|l| l.byte),
        }
    }
}

/// `{"ok": true, ...value}` or `{"ok": false, "error": ...}` as JSON.
pub(crate) fn reply<T: Serialize>(result: nmjscope::Result<T>) -> String {
    #[derive(Serialize)]
    struct Ok<T> {
        ok: bool,
        #[serde(flatten)]
        value: T,
    }
    #[derive(Serialize)]
    struct Failed {
        ok: bool,
        error: ErrorView,
    }
    let json = match result {
        Result::Ok(value) => serde_json::to_string(&Ok { ok: true, value }),
        Err(e) => serde_json::to_string(&Failed {
            ok: false,
            error: ErrorView::from(&e),
        }),
    };
    // Serialising plain strings and numbers cannot fail; if it ever did,
    // the page still gets a reply it can show.
    json.unwrap_or_else(|e| {
        format!(
            r#"{{"ok":false,"error":{{"message":{:?}}}}}"#,
            e.to_string()
        )
    })
}
