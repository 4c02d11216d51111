//! The self-contained HTML report: inline CSS and SVG, no external request,
//! every text from input files escaped by the template engine. Laid out to
//! be printed and signed: the first page holds the conclusion, the
//! impression and the signature line; the tests, plots and settings follow
//! in an appendix that starts on a page of its own.

use minijinja::{context, Environment};
use serde::Serialize;

use super::view::{view, SeriesView, TestView, SIGNATURE};
use super::{Exporter, Plot};
use crate::error::{Error, Result};
use crate::model::Report;

const TEMPLATE: &str = include_str!("report.html");

#[derive(Serialize)]
struct TestSection {
    v: TestView,
    plots: Vec<String>,
}

#[derive(Serialize)]
struct SeriesSection {
    v: SeriesView,
    plots: Vec<String>,
}

/// One muscle's jitter in the appendix: its figures, pairs and plot.
#[derive(Serialize)]
struct JitterSection {
    v: super::jitter::MuscleView,
    plots: Vec<String>,
}

/// The jitter appendix: one section per muscle, its plot from the jitter
/// group that follows the series' plots.
fn jitter_sections(report: &Report, plots: Option<&Vec<Plot>>) -> Vec<JitterSection> {
    let Some(j) = &report.jitter else {
        return Vec::new();
    };
    j.muscles
        .iter()
        .enumerate()
        .map(|(i, m)| JitterSection {
            v: super::jitter::muscle_view(m),
            plots: plots
                .and_then(|ps| ps.get(i))
                .map(|p| vec![inline_svg(&p.svg)])
                .unwrap_or_default(),
        })
        .collect()
}

fn inline_all(plots: Option<&Vec<Plot>>) -> Vec<String> {
    plots
        .map(|ps| ps.iter().map(|p| inline_svg(&p.svg)).collect())
        .unwrap_or_default()
}

/// Writes `report.html`.
pub(crate) struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn serialize(&self, report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        html(report, plots)
    }
}

/// Renders `report.html`; `plots[i]` are the plots of `report.tests[i]`,
/// inline (each SVG carries its own title, so no caption repeats it).
fn html(report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
    let mut env = Environment::new();
    // The `.html` name turns on auto-escaping.
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| render_err(e.to_string()))?;
    let v = view(report);
    let tests: Vec<TestSection> = v
        .tests
        .iter()
        .enumerate()
        .map(|(i, t)| TestSection {
            v: t.clone(),
            plots: inline_all(plots.get(i)),
        })
        .collect();
    // Post-exercise series come first; their plots follow the tests'.
    let series: Vec<SeriesSection> = v
        .series
        .iter()
        .enumerate()
        .map(|(i, x)| SeriesSection {
            v: x.clone(),
            plots: inline_all(plots.get(v.tests.len() + i)),
        })
        .collect();
    let jitter = jitter_sections(report, plots.get(v.tests.len() + v.series.len()));
    let template = env
        .get_template("report.html")
        .map_err(|e| render_err(e.to_string()))?;
    let text = template
        .render(context! {
            v => v, tests => tests, series => series, study_id => report.study.id,
            signature => SIGNATURE, jitter => jitter, jitter_head => super::jitter::HEAD,
            jitter_more => super::jitter::PAIR_PLOTS_ARE_IN,
        })
        .map_err(|e| render_err(e.to_string()))?;
    Ok(text.into_bytes())
}

/// Inline SVG in HTML5 needs neither the XML declaration nor namespace
/// attributes, and without them the page holds no URL at all.
pub(crate) fn inline_svg(svg: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    body.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replace(" xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
}

fn render_err(detail: String) -> Error {
    Error::Render {
        format: "html".to_string(),
        detail,
    }
}
