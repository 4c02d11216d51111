//! The Markdown report: conclusion, impression, signature line, findings
//! and references, then an appendix with a table per test.

use std::fmt::Write;

use super::view::{view, Field, ReportView, TestView, SIGNATURE};
use super::{Exporter, Plot};
use crate::error::Result;
use crate::model::Report;

/// Escapes text from input files for Markdown tables and prose.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' | '\\'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Writes `report.md`.
pub(crate) struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn serialize(&self, report: &Report, plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(markdown(report, plots))
    }
}

/// Renders the Markdown report; `plots[i]` (when drawn) are linked under
/// test `i`, as `plots/<name>.svg` beside `report.md`. The order is the
/// HTML report's: what a referrer needs, the references, then the appendix.
fn markdown(report: &Report, plots: &[Vec<Plot>]) -> Vec<u8> {
    let v = view(report);
    let mut s = String::new();
    first_page(&mut s, &v);
    findings(&mut s, &v);
    let _ = writeln!(s, "## Appendix: tests\n");
    for (i, t) in v.tests.iter().enumerate() {
        test_section(&mut s, t, plots.get(i).map(Vec::as_slice).unwrap_or(&[]));
    }
    if !v.series.is_empty() {
        let _ = writeln!(s, "## Appendix: series\n");
    }
    for (i, x) in v.series.iter().enumerate() {
        let _ = writeln!(s, "### {}\n", esc(&x.heading));
        field_table(&mut s, &x.fields);
        // Post-exercise series come first, their plots after the tests'.
        for p in plots.get(v.tests.len() + i).into_iter().flatten() {
            let _ = writeln!(s, "![{}](plots/{}.svg)\n", esc(&p.title), p.name);
        }
    }
    if let Some(j) = &report.jitter {
        let _ = writeln!(s, "## Appendix: jitter");
        // The jitter's plots come after the series'.
        for p in plots
            .get(v.tests.len() + v.series.len())
            .into_iter()
            .flatten()
        {
            let _ = writeln!(s, "\n![{}](plots/{}.svg)", esc(&p.title), p.name);
        }
        s.push_str(&super::jitter::muscles_markdown(j, "###"));
        let _ = writeln!(s, "\n{}\n", esc(super::jitter::PAIR_PLOTS_ARE_IN));
    }
    let _ = writeln!(
        s,
        "---\n\n{} Every setting used is in `report.json`.",
        esc(&v.footer)
    );
    s.into_bytes()
}

/// The header, the conclusion, the impression and the signature line.
fn first_page(s: &mut String, v: &ReportView) {
    let _ = writeln!(s, "# {}\n", esc(&v.title));
    field_table(s, &v.header);
    let _ = writeln!(s, "## Conclusion\n");
    muscle_table(s, &v.muscles);
    field_table(
        s,
        &[
            Field::new("Pattern", &format!("**{}**", v.pattern)),
            Field::new("LEMS criterion", &v.lems_criterion),
            Field::new("Low CMAP", &v.low_cmap),
        ],
    );
    let _ = writeln!(s, "### Impression\n\n> {}\n", esc(&v.summary));
    let _ = writeln!(s, "{}\n", esc(SIGNATURE));
}

/// Findings with their reference numbers, recommendations, caveats, and
/// the reference list: each source once.
fn findings(s: &mut String, v: &ReportView) {
    if !v.findings.is_empty() {
        let _ = writeln!(s, "## Findings\n");
        for f in &v.findings {
            let line = format!(
                "- {}  \n  *Criterion:* {} {}",
                esc(&f.text),
                esc(&f.criterion),
                esc(&f.refs)
            );
            // A criterion citing no source ends without a stray space.
            let _ = writeln!(s, "{}", line.trim_end());
        }
        s.push('\n');
    }
    if !v.differential.is_empty() {
        let _ = writeln!(s, "## Differential diagnosis\n");
        for d in &v.differential {
            let line = format!("- {} {}", esc(&d.text), esc(&d.refs));
            let _ = writeln!(s, "{}", line.trim_end());
        }
        s.push('\n');
    }
    for (title, items) in [
        ("Recommendations", &v.recommendations),
        ("Caveats", &v.caveats),
    ] {
        if !items.is_empty() {
            let _ = writeln!(s, "## {title}\n");
            for item in items {
                let _ = writeln!(s, "- {}", esc(item));
            }
            s.push('\n');
        }
    }
    if !v.references.is_empty() {
        let _ = writeln!(s, "## References\n");
        for (n, r) in v.references.iter().enumerate() {
            let _ = writeln!(s, "{}. {}", n + 1, esc(r));
        }
        s.push('\n');
    }
}

/// The per-muscle table, a row per muscle and side.
fn muscle_table(s: &mut String, t: &super::muscles::MuscleTable) {
    if t.rows.is_empty() {
        return;
    }
    let head: Vec<String> = t.columns.iter().map(|c| esc(c)).collect();
    let _ = writeln!(s, "| {} |", head.join(" | "));
    let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s.push('\n');
}

/// A two-column table of label and value (bold labels, escaped values).
fn field_table(s: &mut String, fields: &[Field]) {
    let _ = writeln!(s, "| | |\n|---|---|");
    for f in fields {
        // The pattern arrives already in bold: its markup is ours.
        let value = if f.value.starts_with("**") {
            f.value.clone()
        } else {
            esc(&f.value)
        };
        let _ = writeln!(s, "| **{}** | {} |", esc(&f.label), value);
    }
    s.push('\n');
}

/// One test: heading, details and measures, flags, plots, then the table.
fn test_section(s: &mut String, t: &TestView, plots: &[Plot]) {
    let _ = writeln!(s, "### {}\n", esc(&t.heading));
    for f in t.details.iter().chain(&t.measures) {
        let _ = writeln!(s, "- {}: {}", esc(&f.label), esc(&f.value));
    }
    if !t.flags.is_empty() {
        let _ = writeln!(s, "- Flags: {}", esc(&t.flags.join("; ")));
    }
    s.push('\n');
    for p in plots {
        let _ = writeln!(s, "![{}](plots/{}.svg)\n", esc(&p.title), p.name);
    }
    let _ = writeln!(
        s,
        "| {} |",
        t.columns
            .iter()
            .map(|c| esc(c))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let align: Vec<&str> = (0..t.columns.len())
        .map(|i| {
            if i == 0 || i + 1 == t.columns.len() {
                "---"
            } else {
                "---:"
            }
        })
        .collect();
    let _ = writeln!(s, "|{}|", align.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
        let _ = writeln!(s, "| {} |", cells.join(" | "));
    }
    s.push('\n');
}
