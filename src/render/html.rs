//! The self-contained HTML report: inline CSS and SVG, no external request,
//! every text from input files escaped by the template engine.

use minijinja::{context, Environment};
use serde::Serialize;

use super::{response_cells, Exporter, Plot};
use crate::error::{Error, Result};
use crate::model::{Report, TestMeasures};

const TEMPLATE: &str = include_str!("report.html");

#[derive(Serialize)]
struct PlotView<'a> {
    title: &'a str,
    svg: String,
}

#[derive(Serialize)]
struct TestView<'a> {
    test: &'a TestMeasures,
    flags: Vec<String>,
    plots: Vec<PlotView<'a>>,
    rows: Vec<Vec<String>>,
}

/// Writes `report.html`.
pub(crate) struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn serialize(&self, report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        html(report, plots)
    }
}

/// Renders `report.html`; `plots[i]` are the plots of `report.tests[i]`.
fn html(report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
    let mut env = Environment::new();
    // The `.html` name turns on auto-escaping.
    env.add_template("report.html", TEMPLATE)
        .map_err(|e| render_err(e.to_string()))?;
    let tests: Vec<TestView> = report
        .tests
        .iter()
        .enumerate()
        .map(|(i, t)| TestView {
            test: t,
            flags: t.flag_codes(),
            plots: plots
                .get(i)
                .map(|ps| {
                    ps.iter()
                        .map(|p| PlotView {
                            title: &p.title,
                            svg: inline_svg(&p.svg),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            rows: t
                .responses
                .iter()
                .zip(&t.change_pct)
                .map(|(r, change)| {
                    let mut row = vec![r.label.to_string()];
                    row.extend(response_cells(r, *change));
                    row
                })
                .collect(),
        })
        .collect();
    let settings_json =
        serde_json::to_string_pretty(&report.settings).map_err(|e| render_err(e.to_string()))?;
    let template = env
        .get_template("report.html")
        .map_err(|e| render_err(e.to_string()))?;
    let text = template
        .render(context! { report => report, tests => tests, settings_json => settings_json })
        .map_err(|e| render_err(e.to_string()))?;
    Ok(text.into_bytes())
}

/// Inline SVG in HTML5 needs neither the XML declaration nor namespace
/// attributes, and without them the page holds no URL at all.
fn inline_svg(svg: &str) -> String {
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
