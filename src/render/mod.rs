//! The writers: pure functions from a [`Report`] (and the plots drawn for
//! it) to bytes, one file per format behind [`Exporter`], chosen by
//! [`Format`]. Nothing here measures or touches the file system: the
//! pipeline hands the plots what to draw ([`TestDisplay`]), and
//! [`crate::io::fs::write_set`] writes a set atomically.

pub mod bids;
pub(crate) mod csv;
mod html;
pub mod jitter;
mod json;
mod markdown;
pub mod muscles;
#[cfg(feature = "plot")]
pub mod plot;
mod references;
mod text;
mod view;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{Report, TestDisplay};

#[cfg(feature = "native")]
pub(crate) use self::csv::FORMULA_STARTS;
pub use self::csv::{
    measurements_csv, measurements_csv_header, measurements_tsv, text_cell, COLUMNS,
    COLUMN_MEANINGS,
};
#[cfg(feature = "native")]
pub(crate) use self::json::json as report_json;
#[cfg(feature = "native")]
pub(crate) use self::json::positive_zeros;
pub use self::view::flag_code_words;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// Plain text for the terminal (`report.txt`).
    Text,
    /// The full report as JSON, schema `nmjscope.report/3` (`report.json`).
    Json,
    /// Markdown for notes and version control (`report.md`).
    Markdown,
    /// A self-contained HTML page with inline plots (`report.html`).
    Html,
    /// One row per response, tidy long form (`measurements.csv`).
    Csv,
}

impl Format {
    /// Every format, in the order a report set lists them.
    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Markdown,
        Format::Json,
        Format::Text,
        Format::Csv,
    ];

    /// The writer of this format.
    pub fn exporter(self) -> &'static dyn Exporter {
        match self {
            Format::Text => &text::TextExporter,
            Format::Json => &json::JsonExporter,
            Format::Markdown => &markdown::MarkdownExporter,
            Format::Html => &html::HtmlExporter,
            Format::Csv => &csv::CsvExporter,
        }
    }

    /// The file name this format has in a report set.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "report.txt",
            Format::Json => "report.json",
            Format::Markdown => "report.md",
            Format::Html => "report.html",
            Format::Csv => "measurements.csv",
        }
    }
}

/// A writer: a report, and the plots drawn for each of its tests (empty
/// when plotting is off), to bytes.
pub trait Exporter {
    /// Renders the report.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Render`] when a template fails to render.
    fn serialize(&self, report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>>;
}

/// Renders `report` as `format`.
///
/// # Errors
///
/// As [`Exporter::serialize`].
pub fn serialize(format: Format, report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
    format.exporter().serialize(report, plots)
}

/// One plot: SVG, and PNG with the `png` feature (empty without it).
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// File stem, e.g. `1_rns_3hz_stack`.
    pub name: String,
    /// A caption for reports.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG file.
    pub png: Vec<u8>,
}

/// The plots of every test of a report (none without the `plot` feature):
/// `displays[i]` is what the pipeline measured on `report.tests[i]`. After
/// the tests' come one entry per post-exercise series
/// (`report.series.exhaustion`), with its decrement chart; then, for a
/// study with jitter, one entry with each muscle's jitter per pair.
///
/// # Errors
///
/// [`crate::Error::Plot`] when a plot cannot be drawn.
pub fn plots(report: &Report, displays: &[TestDisplay]) -> Result<Vec<Vec<Plot>>> {
    #[cfg(feature = "plot")]
    {
        let files: Vec<&str> = report.tests.iter().map(|t| t.file.as_str()).collect();
        let stems = plot::plot_stems(&files);
        let mut out = report
            .tests
            .iter()
            .zip(displays)
            .zip(&stems)
            .map(|((test, display), stem)| {
                plot::plots_for_test(display, test, &report.settings, stem)
            })
            .collect::<Result<Vec<_>>>()?;
        for (i, s) in report.series.exhaustion.iter().enumerate() {
            out.push(vec![plot::plot_for_series(s, i, &report.settings)?]);
        }
        // The jitter's plots come last, after the series'.
        if let Some(j) = &report.jitter {
            out.push(plot::plots_for_jitter_muscles(j)?);
        }
        Ok(out)
    }
    #[cfg(not(feature = "plot"))]
    {
        let _ = (report, displays);
        Ok(Vec::new())
    }
}

/// The report set of an analysis: [`report_set`], and for a study with
/// jitter the jitter report set beside it (`jitter.html`, `.md`, `.json`,
/// `.txt`, `jitter_pairs.csv`, and each pair's intervals and sweeps under
/// `plots/`), which the study report's jitter appendix points to.
///
/// # Errors
///
/// As [`report_set`].
pub fn analysis_set(a: &crate::pipeline::Analysis) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = report_set(&a.report, &a.displays)?;
    #[cfg(feature = "plot")]
    if let Some(j) = a.jitter() {
        for (name, bytes) in jitter::jitter_report_set(&j)? {
            // The muscles' jitter plots are in both sets, the same bytes.
            if !files.iter().any(|(n, _)| *n == name) {
                files.push((name, bytes));
            }
        }
    }
    Ok(files)
}

/// The full report set of a study as (file name, bytes): every format of
/// [`Format::ALL`], and every plot as PNG and SVG under `plots/`. Pure:
/// nothing is written here.
///
/// # Errors
///
/// [`crate::Error::Plot`] or [`crate::Error::Render`] when a plot or a
/// template fails.
pub fn report_set(report: &Report, displays: &[TestDisplay]) -> Result<Vec<(String, Vec<u8>)>> {
    let plots = plots(report, displays)?;
    let mut files = Vec::new();
    for format in Format::ALL {
        files.push((
            format.file_name().to_string(),
            serialize(format, report, &plots)?,
        ));
    }
    for plot in plots.into_iter().flatten() {
        files.push((format!("plots/{}.svg", plot.name), plot.svg.into_bytes()));
        if !plot.png.is_empty() {
            files.push((format!("plots/{}.png", plot.name), plot.png));
        }
    }
    Ok(files)
}
