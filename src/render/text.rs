//! The plain-text report: the conclusion, impression and signature line
//! first, then the findings and their references, then an appendix with a
//! table per test.

use std::fmt::Write;

use super::view::{view, Field, ReportView, TestView, SIGNATURE};
use super::{Exporter, Plot};
use crate::error::Result;
use crate::model::Report;

/// Writes `report.txt`.
pub(crate) struct TextExporter;

impl Exporter for TextExporter {
    fn serialize(&self, report: &Report, _plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(text(report))
    }
}

/// Renders the text report: what a referrer needs first (the conclusion,
/// the impression, the signature, the findings and their references),
/// then the appendix of tests and series.
fn text(report: &Report) -> Vec<u8> {
    let v = view(report);
    let mut s = String::new();
    first_page(&mut s, &v);
    findings(&mut s, &v);
    let _ = writeln!(s, "\nAPPENDIX: TESTS");
    for t in &v.tests {
        test_section(&mut s, t);
    }
    if !v.series.is_empty() {
        let _ = writeln!(s, "\nAPPENDIX: SERIES");
        for x in &v.series {
            let _ = writeln!(s, "\n  {}", x.heading);
            for f in &x.fields {
                wrap(&mut s, &format!("{}: {}", f.label, f.value), "    ");
            }
        }
    }
    if let Some(j) = &report.jitter {
        let _ = writeln!(s, "\nAPPENDIX: JITTER");
        s.push_str(&super::jitter::muscles_text(j));
        let _ = writeln!(s);
        wrap(&mut s, super::jitter::PAIR_PLOTS_ARE_IN, "  ");
    }
    let _ = writeln!(s);
    wrap(&mut s, &v.footer, "");
    s.into_bytes()
}

/// The header, the conclusion, the impression and the signature line.
fn first_page(s: &mut String, v: &ReportView) {
    let _ = writeln!(s, "{}", v.title.to_uppercase());
    fields(s, &v.header);
    let _ = writeln!(s, "\nCONCLUSION");
    muscle_table(s, &v.muscles);
    fields(
        s,
        &[
            Field::new("Pattern", &v.pattern),
            Field::new("LEMS criterion", &v.lems_criterion),
            Field::new("Low CMAP", &v.low_cmap),
        ],
    );
    let _ = writeln!(s, "\nIMPRESSION");
    wrap(s, &v.summary, "  ");
    let _ = writeln!(s, "\n  {SIGNATURE}");
}

/// Findings with their reference numbers, recommendations, caveats, and
/// the reference list: each source once.
fn findings(s: &mut String, v: &ReportView) {
    if !v.findings.is_empty() {
        let _ = writeln!(s, "\nFINDINGS");
        for f in &v.findings {
            wrap(s, &format!("- {}", f.text), "  ");
            wrap(s, &format!("criterion: {} {}", f.criterion, f.refs), "    ");
        }
    }
    if !v.differential.is_empty() {
        let _ = writeln!(s, "\nDIFFERENTIAL DIAGNOSIS");
        for d in &v.differential {
            wrap(s, format!("- {} {}", d.text, d.refs).trim_end(), "  ");
        }
    }
    for (title, items) in [
        ("RECOMMENDATIONS", &v.recommendations),
        ("CAVEATS", &v.caveats),
    ] {
        if !items.is_empty() {
            let _ = writeln!(s, "\n{title}");
            for item in items {
                wrap(s, &format!("- {item}"), "  ");
            }
        }
    }
    if !v.references.is_empty() {
        let _ = writeln!(s, "\nREFERENCES");
        for (n, r) in v.references.iter().enumerate() {
            wrap(s, &format!("[{}] {r}", n + 1), "  ");
        }
    }
}

/// The per-muscle table: one block per muscle, a line per column, so that
/// it fits a terminal whatever the file names.
fn muscle_table(s: &mut String, t: &super::muscles::MuscleTable) {
    if t.rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "  By muscle:");
    for row in &t.rows {
        let mut cells = t.columns.iter().zip(row);
        if let Some((_, name)) = cells.next() {
            let _ = writeln!(s, "  - {name}");
        }
        for (c, v) in cells {
            wrap(s, &format!("{c}: {v}"), "      ");
        }
    }
    s.push('\n');
}

/// `label: value` lines, the values aligned.
fn fields(s: &mut String, fields: &[Field]) {
    let width = fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(0)
        + 1;
    for f in fields {
        let label = format!("{}:", f.label);
        let _ = writeln!(s, "  {label:<width$} {}", f.value, width = width);
    }
}

/// Short column names and their units, for a table that fits a terminal.
const HEAD: [(&str, &str); 10] = [
    ("response", ""),
    ("amp", "mV"),
    ("change", "%"),
    ("area", "mV·ms"),
    ("area chg", "%"),
    ("p-p", "mV"),
    ("onset", "ms"),
    ("peak", "ms"),
    ("dur", "ms"),
    ("flags", ""),
];

fn test_section(s: &mut String, t: &TestView) {
    let _ = writeln!(s, "\n  {}", t.heading);
    for f in t.details.iter().chain(&t.measures) {
        wrap(s, &format!("{}: {}", f.label, f.value), "    ");
    }
    if !t.flags.is_empty() {
        wrap(s, &format!("Flags: {}", t.flags.join("; ")), "    ");
    }
    let mut widths: Vec<usize> = HEAD
        .iter()
        .map(|(n, u)| n.len().max(u.chars().count()))
        .collect();
    for row in &t.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::from("    ");
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            // The first column reads left to right, the numbers align right.
            if i == 0 || i == HEAD.len() - 1 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        out.trim_end().to_string()
    };
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", line(HEAD.iter().map(|h| h.0).collect()));
    let _ = writeln!(s, "{}", line(HEAD.iter().map(|h| h.1).collect()));
    for row in &t.rows {
        let _ = writeln!(s, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// Appends `text` wrapped at 96 columns; the first line is indented by
/// `indent`, continuation lines by two more spaces.
fn wrap(s: &mut String, text: &str, indent: &str) {
    let mut line = indent.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.len() + word.len() + 1 > 96 {
            let _ = writeln!(s, "{line}");
            line = format!("{indent}  ");
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        let _ = writeln!(s, "{line}");
    }
}
