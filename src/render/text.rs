//! The plain-text report: the conclusion first, then the findings, then a
//! table per test.

use std::fmt::Write;

use super::{response_cells, Exporter, Plot};
use crate::error::Result;
use crate::model::{Report, TestMeasures};

/// Writes `report.txt`.
pub(crate) struct TextExporter;

impl Exporter for TextExporter {
    fn serialize(&self, report: &Report, _plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(text(report))
    }
}

/// Renders the text report.
fn text(report: &Report) -> Vec<u8> {
    let mut s = String::new();
    let i = &report.interpretation;
    let _ = writeln!(
        s,
        "nmjscope {} - study {}",
        report.tool.version, report.study.id
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "CONCLUSION");
    let _ = writeln!(s, "  pattern:        {}", i.pattern.code());
    let _ = writeln!(s, "  LEMS criterion: {}", i.lems_criterion.code());
    let _ = writeln!(
        s,
        "  low CMAP:       {}",
        match i.low_cmap {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not judged (muscle without a lower limit)",
        }
    );
    let _ = writeln!(s);
    wrap(&mut s, &i.summary, "  ");
    if !i.findings.is_empty() {
        let _ = writeln!(s, "\nFINDINGS");
        for f in &i.findings {
            wrap(&mut s, &format!("- {}", f.text), "  ");
            wrap(&mut s, &format!("criterion: {}", f.criterion), "    ");
            wrap(&mut s, &format!("source: {}", f.source), "    ");
        }
    }
    if !i.recommendations.is_empty() {
        let _ = writeln!(s, "\nRECOMMENDATIONS");
        for r in &i.recommendations {
            wrap(&mut s, &format!("- {r}"), "  ");
        }
    }
    if !i.caveats.is_empty() {
        let _ = writeln!(s, "\nCAVEATS");
        for c in &i.caveats {
            wrap(&mut s, &format!("- {c}"), "  ");
        }
    }
    let _ = writeln!(s, "\nTESTS");
    for t in &report.tests {
        test_table(&mut s, t);
    }
    s.into_bytes()
}

fn test_table(s: &mut String, t: &TestMeasures) {
    let _ = writeln!(s);
    let mut head = format!("{} - {}", t.file, t.protocol);
    if t.protocol_inferred {
        head.push_str(" (inferred)");
    }
    for part in [
        t.stim_rate_hz.map(|r| format!("{r} Hz")),
        t.muscle.clone(),
        t.nerve.clone(),
        t.side.clone(),
    ]
    .into_iter()
    .flatten()
    {
        head.push_str(", ");
        head.push_str(&part);
    }
    let _ = writeln!(s, "  {head}");
    let mut summary = Vec::new();
    if let Some(d) = t.decrement_pct {
        summary.push(format!("decrement {d:.1}%"));
    }
    if let Some(d) = t.max_decrement_pct {
        summary.push(format!("max decrement {d:.1}%"));
    }
    if let Some(d) = t.area_decrement_pct {
        summary.push(format!("area decrement {d:.1}%"));
    }
    if let Some(v) = t.increment_pct {
        summary.push(format!("increment {v:.1}%"));
    }
    if let Some(v) = t.area_increment_pct {
        summary.push(format!("area increment {v:.1}%"));
    }
    if let Some(sh) = t.shape {
        summary.push(format!("shape {}", sh.code()));
    }
    if t.pseudofacilitation == Some(true) {
        summary.push("pseudofacilitation".to_string());
    }
    let codes = t.flag_codes();
    if !codes.is_empty() {
        summary.push(format!("flags {}", codes.join(",")));
    }
    if !summary.is_empty() {
        let _ = writeln!(s, "  {}", summary.join("; "));
    }
    let _ = writeln!(
        s,
        "  {:<9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8}  flags",
        "response", "onset", "peak", "amp", "p-p", "area", "dur", "change"
    );
    let _ = writeln!(
        s,
        "  {:<9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8}",
        "", "ms", "ms", "mV", "mV", "mV.ms", "ms", "%"
    );
    for (r, change) in t.responses.iter().zip(&t.change_pct) {
        let c = response_cells(r, *change);
        let _ = writeln!(
            s,
            "  {:<9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>7} {:>8}  {}",
            r.label.to_string(),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7]
        );
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
