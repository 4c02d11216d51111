//! Jitter on the page: a dropped jitter study (interval lists or a pair's
//! sweeps) analysed as `nmjscope jitter` analyses it, and the teaching
//! view, where the potentials drift and block as severity rises.

use std::path::PathBuf;

use nmjscope::pipeline::jitter::{analyze_jitter, JitterAnalysis};
use nmjscope::render::jitter as r;
use nmjscope::simulate::jitter::{simulate_pairs, sweeps_of, JitterSimConfig};
use nmjscope::simulate::Condition;
use nmjscope::{ReadOptions, Settings};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A dropped jitter study's reply: shaped as a CMAP study's (an id, a
/// conclusion code and sentence, the report files) so the page shows it
/// the same way, with `kind: "jitter"`.
#[derive(Debug, Serialize)]
pub(crate) struct JitterStudyView {
    kind: &'static str,
    id: String,
    pattern: String,
    summary: String,
    tests: Vec<()>,
    skipped: Vec<String>,
    files: Vec<crate::analyse::ReportFile>,
}

/// Whether every dropped trace file is a jitter file.
pub(crate) fn is_jitter_study(files: &[(PathBuf, Vec<u8>)]) -> bool {
    let traces: Vec<_> = files
        .iter()
        .filter(|(p, _)| !nmjscope::io::is_markers_file(p))
        .collect();
    !traces.is_empty()
        && traces
            .iter()
            .all(|(_, b)| nmjscope::io::jitter::is_jitter_file(b))
}

/// The code the page shows for a jitter study: the report's one verdict.
fn verdict_code(a: &JitterAnalysis) -> String {
    format!("jitter_{}", a.report.worst_verdict().code())
}

pub(crate) fn study_view(
    name: &str,
    files: &[(PathBuf, Vec<u8>)],
    skipped: &[String],
) -> nmjscope::Result<JitterStudyView> {
    let traces: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| !nmjscope::io::is_markers_file(p))
        .cloned()
        .collect();
    let input = nmjscope::io::jitter::parse_jitter(&traces, &ReadOptions::default())?;
    let a = analyze_jitter(&input, None, &Settings::default())?;
    let set = r::jitter_report_set(&a)?;
    let files = set
        .into_iter()
        .filter(|(n, _)| !n.starts_with("plots/"))
        .map(|(name, bytes)| crate::analyse::ReportFile {
            mime: mime(&name),
            text: String::from_utf8_lossy(&bytes).into_owned(),
            name,
        })
        .collect();
    let summary = a
        .report
        .findings
        .iter()
        .filter(|f| f.code == nmjscope::model::JitterFindingCode::MuscleVerdict)
        .map(|f| f.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(JitterStudyView {
        kind: "jitter",
        id: name.to_string(),
        pattern: verdict_code(&a),
        summary,
        tests: Vec::new(),
        skipped: skipped.to_vec(),
        files,
    })
}

fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("md") => "text/markdown",
        _ => "text/plain",
    }
}

/// The teaching view of jitter.
#[derive(Debug, Serialize)]
struct TeachJitter {
    /// One pair's sweeps superimposed (SVG).
    sweeps_svg: String,
    /// Every pair's jitter against the limits (SVG).
    pairs_svg: String,
    /// The muscle's verdict sentence.
    sentence: String,
    /// Mean jitter of the counted pairs (µs).
    mean_us: Option<f64>,
    /// Pairs with any blocking, of all pairs.
    blocking: (usize, usize),
    /// The verdict code.
    verdict: String,
}

/// Simulated single-fibre pairs of EDC (concentric needle) for the
/// teaching view: `condition` normal, mg or lems; `method` voluntary or
/// stimulated; `rate_hz` the firing or stimulation rate. JSON: `sweeps_svg`,
/// `pairs_svg`, `sentence`, `mean_us`, `blocking`, `verdict`.
#[wasm_bindgen]
pub fn teach_jitter(
    condition: &str,
    severity: f64,
    method: &str,
    rate_hz: f64,
    seed: u32,
) -> String {
    crate::reply(teach_view(
        condition,
        severity,
        method,
        rate_hz,
        u64::from(seed),
    ))
}

fn teach_view(
    condition: &str,
    severity: f64,
    method: &str,
    rate_hz: f64,
    seed: u64,
) -> nmjscope::Result<TeachJitter> {
    let bad = |what: String| nmjscope::Error::Simulation(what);
    let condition: Condition = condition
        .parse()
        .map_err(|_| bad(format!("unknown condition {condition:?}")))?;
    let method = nmjscope::io::jitter::parse_method(method)
        .ok_or_else(|| bad(format!("unknown method {method:?}")))?;
    let config = JitterSimConfig {
        condition,
        severity,
        method,
        rate_hz,
        seed,
        ..JitterSimConfig::default()
    };
    let pairs = simulate_pairs(&config)?;
    // The first pair is also shown as its sweeps: a pair as the examiner
    // sees it on the screen.
    let (t0_ms, samples_mv) = sweeps_of(&config, &pairs[0], seed)?;
    let sweeps = nmjscope::measure::jitter::JitterSweeps {
        id: pairs[0].pair.id.clone(),
        muscle: config.muscle.clone(),
        side: None,
        method,
        electrode: config.electrode,
        sampling_rate_hz: config.sampling_rate_hz,
        t0_ms,
        samples_mv,
    };
    let mut list: Vec<_> = pairs.into_iter().map(|p| p.pair).collect();
    list.remove(0);
    let input = nmjscope::io::jitter::JitterInput {
        sweeps: vec![sweeps],
        ..nmjscope::io::jitter::JitterInput::of_pairs(list)
    };
    let a = analyze_jitter(&input, None, &Settings::default())?;
    let plots = nmjscope::render::plot::plots_for_jitter(&a)?;
    let find = |suffix: &str| {
        plots
            .iter()
            .find(|p| p.name.ends_with(suffix))
            .map(|p| p.svg.clone())
            .unwrap_or_default()
    };
    let m = &a.report.muscles[0];
    let sentence = a
        .report
        .findings
        .first()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    Ok(TeachJitter {
        sweeps_svg: find("_sweeps"),
        pairs_svg: find("_pairs"),
        sentence,
        mean_us: m.mean_jitter_us,
        blocking: (m.pairs_blocking, m.pairs.len()),
        verdict: m.verdict.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_teaching_view_moves_from_normal_to_blocking() {
        let normal: serde_json::Value =
            serde_json::from_str(&teach_jitter("normal", 0.0, "voluntary", 10.0, 1)).unwrap();
        let mg: serde_json::Value =
            serde_json::from_str(&teach_jitter("mg", 0.6, "voluntary", 10.0, 1)).unwrap();
        assert_eq!(normal["verdict"], "normal");
        assert_eq!(mg["verdict"], "abnormal");
        assert!(mg["mean_us"].as_f64().unwrap() > 2.0 * normal["mean_us"].as_f64().unwrap());
        assert!(mg["blocking"][0].as_u64().unwrap() > normal["blocking"][0].as_u64().unwrap());
        assert!(normal["sweeps_svg"].as_str().unwrap().contains("<svg"));
    }

    #[test]
    fn a_dropped_interval_list_is_a_jitter_study() {
        let c = JitterSimConfig {
            condition: Condition::Mg,
            ..Default::default()
        };
        let list: Vec<_> = simulate_pairs(&c)
            .unwrap()
            .into_iter()
            .map(|p| p.pair)
            .collect();
        let csv = nmjscope::io::jitter::ipi_csv(&list, &[]);
        let mut files = crate::StudyFiles::new("edc".into());
        files.add("ipi.csv".into(), csv.into_bytes());
        let reply: serde_json::Value = serde_json::from_str(&files.analyze()).unwrap();
        assert_eq!(reply["ok"], true, "{reply}");
        assert_eq!(
            (reply["kind"].as_str(), reply["pattern"].as_str()),
            (Some("jitter"), Some("jitter_abnormal"))
        );
        assert_eq!(reply["files"][0]["name"], "jitter.html");
    }
}
