//! The Markdown report: conclusion, findings, then a table per test.

use std::fmt::Write;

use super::{response_cells, Exporter, Plot};
use crate::error::Result;
use crate::model::{Report, TestMeasures};

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
    fn serialize(&self, report: &Report, _plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(markdown(report))
    }
}

/// Renders the Markdown report.
fn markdown(report: &Report) -> Vec<u8> {
    let mut s = String::new();
    let i = &report.interpretation;
    let _ = writeln!(s, "# nmjscope report: {}\n", esc(&report.study.id));
    let _ = writeln!(s, "## Conclusion\n");
    let _ = writeln!(s, "| pattern | LEMS criterion | low CMAP |");
    let _ = writeln!(s, "|---|---|---|");
    let low = match i.low_cmap {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not judged",
    };
    let _ = writeln!(
        s,
        "| **{}** | {} | {} |\n",
        i.pattern.code(),
        i.lems_criterion.code(),
        low
    );
    let _ = writeln!(s, "{}\n", esc(&i.summary));
    if !i.findings.is_empty() {
        let _ = writeln!(s, "## Findings\n");
        for f in &i.findings {
            let _ = writeln!(
                s,
                "- {}  \n  *Criterion:* {}.  \n  *Source:* {}.",
                esc(&f.text),
                esc(&f.criterion),
                esc(&f.source)
            );
        }
        s.push('\n');
    }
    for (title, items) in [
        ("Recommendations", &i.recommendations),
        ("Caveats", &i.caveats),
    ] {
        if !items.is_empty() {
            let _ = writeln!(s, "## {title}\n");
            for item in items {
                let _ = writeln!(s, "- {}", esc(item));
            }
            s.push('\n');
        }
    }
    let _ = writeln!(s, "## Tests\n");
    for t in &report.tests {
        test_section(&mut s, t);
    }
    let _ = writeln!(
        s,
        "---\n\n{} {}, schema `{}`. Settings are in `report.json`.",
        report.tool.name, report.tool.version, report.schema
    );
    s.into_bytes()
}

/// One test: its heading, measures, flags and the table of responses.
fn test_section(s: &mut String, t: &TestMeasures) {
    let _ = writeln!(
        s,
        "### {} ({}{})\n",
        esc(&t.file),
        t.protocol,
        if t.protocol_inferred {
            ", inferred"
        } else {
            ""
        }
    );
    let meta: Vec<String> = [
        t.stim_rate_hz.map(|r| format!("stimulation {r} Hz")),
        t.muscle.as_ref().map(|m| format!("muscle {}", esc(m))),
        t.nerve.as_ref().map(|m| format!("nerve {}", esc(m))),
        t.side.as_ref().map(|m| format!("side {}", esc(m))),
        t.decrement_pct.map(|v| format!("decrement {v:.1}%")),
        t.max_decrement_pct
            .map(|v| format!("max decrement {v:.1}%")),
        t.area_decrement_pct
            .map(|v| format!("area decrement {v:.1}%")),
        t.increment_pct.map(|v| format!("increment {v:.1}%")),
        t.area_increment_pct
            .map(|v| format!("area increment {v:.1}%")),
        t.shape.map(|v| format!("shape {}", v.code())),
        t.pseudofacilitation
            .filter(|p| *p)
            .map(|_| "pseudofacilitation".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !meta.is_empty() {
        let _ = writeln!(s, "{}\n", meta.join(" · "));
    }
    let codes = t.flag_codes();
    if !codes.is_empty() {
        let _ = writeln!(s, "Flags: `{}`\n", codes.join("`, `"));
    }
    let _ = writeln!(s, "| response | onset (ms) | peak (ms) | amplitude (mV) | peak-to-peak (mV) | area (mV·ms) | duration (ms) | change (%) | flags |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (r, change) in t.responses.iter().zip(&t.change_pct) {
        let c = response_cells(r, *change);
        let _ = writeln!(s, "| {} | {} |", esc(&r.label.to_string()), c.join(" | "));
    }
    s.push('\n');
}
