//! The writers of a jitter study: text, Markdown, JSON (schema
//! `nmjscope.jitter/1`), a tidy CSV of pairs, and a self-contained HTML
//! page with the plots inline. Pure functions of the report (and its
//! plots); the per-muscle table comes first under the findings, as in the
//! CMAP report.

use minijinja::{context, Environment};
use serde::Serialize;

use super::Plot;
use crate::error::{Error, Result};
use crate::interpret::jitter::{electrode_words, method_words};
use crate::model::{JitterReason, JitterReport, JitterVerdict, MuscleJitter, PairMeasures};
use crate::words::{fixed1, number};

const TEMPLATE: &str = include_str!("jitter.html");

/// Where a study report's jitter appendix sends a reader for each pair's
/// pictures.
pub(crate) const PAIR_PLOTS_ARE_IN: &str = "Each pair's intervals, and the superimposed sweeps of a pair recorded as sweeps, are drawn in the jitter report: jitter.html, written beside this report by `nmjscope analyze -o` (or by `nmjscope jitter` on the jitter files).";

/// The tidy pairs table's columns, one row per pair.
pub const JITTER_COLUMNS: &[&str] = &[
    "muscle",
    "side",
    "method",
    "electrode",
    "pair",
    "discharges",
    "blocked",
    "blocking_pct",
    "mcd_us",
    "msd_us",
    "mcd_msd_ratio",
    "jitter_us",
    "jitter_value",
    "counted",
    "above_pair_limit",
    "flags",
    "verdict",
];

/// A muscle's rows as words, shared by every human format.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MuscleView {
    title: String,
    verdict: String,
    mean: String,
    limits: String,
    above: String,
    blocking: String,
    rows: Vec<[String; 9]>,
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), fixed1)
}

fn verdict_words(v: JitterVerdict) -> &'static str {
    match v {
        JitterVerdict::Normal => "normal",
        JitterVerdict::Abnormal => "abnormal",
        JitterVerdict::NotJudged => "not judged",
    }
}

fn pair_row(p: &PairMeasures) -> [String; 9] {
    let flags: Vec<String> = p.flags.iter().map(|f| f.code()).collect();
    [
        p.id.clone(),
        p.discharges.to_string(),
        format!(
            "{} ({}%)",
            p.blocked,
            number((p.blocking_pct * 10.0).round() / 10.0)
        ),
        opt(p.mcd_us),
        opt(p.msd_us),
        p.mcd_msd_ratio.map_or("-".into(), |r| format!("{r:.2}")),
        format!(
            "{}{}",
            opt(p.jitter_us),
            if p.counted { "" } else { " (not counted)" }
        ),
        match p.above_pair_limit {
            Some(true) => "above".into(),
            Some(false) => "within".into(),
            None => "-".into(),
        },
        flags.join(", "),
    ]
}

pub(crate) fn muscle_view(m: &MuscleJitter) -> MuscleView {
    MuscleView {
        title: format!(
            "{} - {}, {}",
            crate::interpret::jitter::muscle_label(m),
            electrode_words(m.electrode),
            method_words(m.method)
        ),
        verdict: verdict_words(m.verdict).to_string(),
        mean: m.mean_jitter_us.map_or("-".into(), |v| {
            let few = if m.mean_judged {
                ""
            } else {
                ", too few for the mean criterion"
            };
            format!("{} µs ({} counted pairs{few})", fixed1(v), m.counted)
        }),
        limits: m.limits.as_ref().map_or("none".into(), |l| {
            // The age band judged by, and why when no age was given.
            let band = match l.ages {
                Some((lo, hi)) if m.reasons.contains(&JitterReason::EveryAgeBand) => {
                    format!(", ages {lo}-{hi}: no age given, every band agrees")
                }
                Some((lo, hi)) => format!(", ages {lo}-{hi}"),
                None => String::new(),
            };
            format!(
                "mean {} µs, pair {} µs{band} ({})",
                number(l.mean_us),
                number(l.pair_us),
                l.source
            )
        }),
        above: match (m.pairs_above_limit, m.above_limit_pct) {
            (Some(n), Some(pct)) => format!("{n} of {} ({}%)", m.counted, number(pct.round())),
            _ => "-".into(),
        },
        blocking: format!(
            "{} of {} ({}%)",
            m.pairs_blocking,
            m.pairs.len(),
            number(m.blocking_pairs_pct.round())
        ),
        rows: m.pairs.iter().map(pair_row).collect(),
    }
}

pub(crate) const HEAD: [&str; 9] = [
    "pair",
    "discharges",
    "blocked",
    "MCD µs",
    "MSD µs",
    "MCD/MSD",
    "jitter µs",
    "pair limit",
    "flags",
];

/// The report as plain text.
pub fn jitter_text(r: &JitterReport) -> String {
    let mut out = String::from("nmjscope jitter report\n\n");
    for f in &r.findings {
        out.push_str(&format!("- {}\n  [{}]\n", f.text, f.source));
    }
    out.push_str(&muscles_text(r));
    out.push('\n');
    if !r.warnings.is_empty() {
        out.push_str("warnings:\n");
        for w in &r.warnings {
            out.push_str(&format!("- {w}\n"));
        }
    }
    out
}

/// Each muscle's verdict, figures and pairs table as plain text: the
/// jitter report's body, and the CMAP report's jitter appendix.
pub(crate) fn muscles_text(r: &JitterReport) -> String {
    let mut out = String::new();
    for m in r.muscles.iter().map(muscle_view) {
        out.push_str(&format!(
            "\n{}\n  verdict: {}\n  mean jitter: {}\n  limits: {}\n  pairs above the pair limit: {}\n  pairs with blocking: {}\n\n",
            m.title, m.verdict, m.mean, m.limits, m.above, m.blocking
        ));
        let widths: Vec<usize> = (0..9)
            .map(|c| {
                m.rows
                    .iter()
                    .map(|r| r[c].chars().count())
                    .chain([HEAD[c].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            format!("  {}\n", parts.join("  ").trim_end())
        };
        out.push_str(&line(&HEAD.map(String::from)));
        for row in &m.rows {
            out.push_str(&line(row));
        }
    }
    out
}

/// Markdown cell: no pipe or line break from a file's text.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The report as Markdown.
pub fn jitter_markdown(r: &JitterReport) -> String {
    let mut out = String::from("# Jitter report\n\n## Findings\n\n");
    for f in &r.findings {
        out.push_str(&format!("- {} *({})*\n", md(&f.text), md(&f.source)));
    }
    out.push_str(&muscles_markdown(r, "##"));
    out
}

/// Each muscle's verdict, figures and pairs table as Markdown, under
/// headings of `level` (`##`).
pub(crate) fn muscles_markdown(r: &JitterReport, level: &str) -> String {
    let mut out = String::new();
    for m in r.muscles.iter().map(muscle_view) {
        out.push_str(&format!(
            "\n{level} {}\n\n- Verdict: **{}**\n- Mean jitter: {}\n- Limits: {}\n- Pairs above the pair limit: {}\n- Pairs with blocking: {}\n\n| {} |\n|{}\n",
            md(&m.title), m.verdict, m.mean, md(&m.limits), m.above, m.blocking,
            HEAD.join(" | "),
            "---|".repeat(9)
        ));
        for row in &m.rows {
            let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
    }
    out
}

/// The report as JSON (schema `nmjscope.jitter/1`).
pub fn jitter_json(r: &JitterReport) -> Vec<u8> {
    // Plain structs of strings, numbers and options always serialise.
    let mut bytes = serde_json::to_vec_pretty(r).unwrap_or_else(|_| b"{}".to_vec());
    super::json::positive_zeros(&mut bytes);
    bytes.push(b'\n');
    bytes
}

/// One row per pair ([`JITTER_COLUMNS`]), empty cells for missing values.
pub fn jitter_csv(r: &JitterReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(JITTER_COLUMNS);
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    for m in &r.muscles {
        for p in &m.pairs {
            let flags: Vec<String> = p.flags.iter().map(|f| f.code()).collect();
            let _ = w.write_record([
                super::text_cell(&m.muscle),
                super::text_cell(m.side.as_deref().unwrap_or_default()),
                m.method.code(),
                m.electrode.code(),
                super::text_cell(&p.id),
                p.discharges.to_string(),
                p.blocked.to_string(),
                format!("{:.3}", p.blocking_pct),
                f(p.mcd_us),
                f(p.msd_us),
                f(p.mcd_msd_ratio),
                f(p.jitter_us),
                p.jitter_value.code(),
                p.counted.to_string(),
                p.above_pair_limit.map_or(String::new(), |b| b.to_string()),
                flags.join(";"),
                m.verdict.code(),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}

/// The report as a self-contained HTML page, the plots inline.
///
/// # Errors
///
/// [`Error::Render`] when the template cannot be rendered.
pub fn jitter_html(r: &JitterReport, plots: &[Plot]) -> Result<Vec<u8>> {
    let fail = |e: minijinja::Error| Error::Render {
        format: "html".into(),
        detail: e.to_string(),
    };
    let mut env = Environment::new();
    env.add_template("jitter.html", TEMPLATE).map_err(fail)?;
    let muscles: Vec<MuscleView> = r.muscles.iter().map(muscle_view).collect();
    let svgs: Vec<String> = plots
        .iter()
        .map(|p| super::html::inline_svg(&p.svg))
        .collect();
    let text = env
        .get_template("jitter.html")
        .map_err(fail)?
        .render(context! { r => r, muscles => muscles, head => HEAD, plots => svgs, version => r.tool.version })
        .map_err(fail)?;
    Ok(text.into_bytes())
}

/// The jitter report set: `jitter.html`, `.md`, `.json`, `.txt`,
/// `jitter_pairs.csv` and every plot as SVG (and PNG with the `png`
/// feature) under `plots/`.
///
/// # Errors
///
/// As [`jitter_html`], and [`Error::Plot`] for a plot that cannot be drawn.
#[cfg(feature = "plot")]
pub fn jitter_report_set(
    a: &crate::pipeline::jitter::JitterAnalysis,
) -> Result<Vec<(String, Vec<u8>)>> {
    let plots = super::plot::plots_for_jitter(a)?;
    let r = &a.report;
    let mut files = vec![
        ("jitter.html".to_string(), jitter_html(r, &plots)?),
        ("jitter.md".to_string(), jitter_markdown(r).into_bytes()),
        ("jitter.json".to_string(), jitter_json(r)),
        ("jitter.txt".to_string(), jitter_text(r).into_bytes()),
        ("jitter_pairs.csv".to_string(), jitter_csv(r)),
    ];
    for p in plots {
        files.push((format!("plots/{}.svg", p.name), p.svg.into_bytes()));
        if !p.png.is_empty() {
            files.push((format!("plots/{}.png", p.name), p.png));
        }
    }
    Ok(files)
}
