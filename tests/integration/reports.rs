//! Report writers: snapshots of text, Markdown and JSON for a fixed study,
//! and the HTML report parsed and checked for self-containment and escaping.

use nmjscope::io::fs::write_own_file;
use nmjscope::pipeline::{display, Analyzer};
use nmjscope::render::{self, Format};
use nmjscope::{read_study, ReadOptions};

use super::util::TempDir;

fn lems_report() -> (nmjscope::Report, nmjscope::Study) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems");
    let study = read_study(&dir, &ReadOptions::default()).unwrap();
    let mut r = Analyzer::default().analyze(&study).unwrap();
    // The path differs between checkouts; the snapshot must not.
    r.study.path = "samples/lems".to_string();
    (r, study)
}

fn rendered(format: Format, r: &nmjscope::Report) -> String {
    String::from_utf8(render::serialize(format, r, &[]).unwrap()).unwrap()
}

/// Every float rounded to 6 decimals (the last bits of a float move with
/// the platform's libm), and the version redacted (it moves with releases).
fn stable(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(0.0);
            serde_json::json!((x * 1e6).round() / 1e6)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(stable).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, stable(v))).collect()),
        other => other,
    }
}

#[test]
fn text_markdown_and_json_snapshots() {
    let (r, _) = lems_report();
    insta::assert_snapshot!("lems_text", rendered(Format::Text, &r));
    insta::assert_snapshot!("lems_markdown", rendered(Format::Markdown, &r));
    let mut v: serde_json::Value = serde_json::from_str(&rendered(Format::Json, &r)).unwrap();
    v["tool"]["version"] = "[version]".into();
    insta::assert_snapshot!(
        "lems_json",
        serde_json::to_string_pretty(&stable(v)).unwrap()
    );
}

#[test]
fn json_keys_are_never_missing() {
    let (r, _) = lems_report();
    let v: serde_json::Value = serde_json::from_str(&rendered(Format::Json, &r)).unwrap();
    assert_eq!(v["schema"], "nmjscope.report/3");
    for t in v["tests"].as_array().unwrap() {
        for key in [
            "decrement_pct",
            "max_decrement_pct",
            "area_decrement_pct",
            "increment_pct",
            "last_increment_pct",
            "area_increment_pct",
            "pseudofacilitation",
            "flags",
            "train_flags",
            "change_pct",
            "file",
            "protocol_inferred",
            "stim_rate_hz",
            "muscle",
            "nerve",
        ] {
            assert!(t.get(key).is_some(), "missing {key}");
        }
        for resp in t["responses"].as_array().unwrap() {
            for key in [
                "label",
                "onset_ms",
                "negative_peak_ms",
                "amplitude_mv",
                "peak_to_peak_mv",
                "area_mv_ms",
                "duration_ms",
                "flags",
                "baseline_mv",
                "baseline_source",
                "baseline_window_ms",
                "drift_mv_per_ms",
                "artifact_end_ms",
            ] {
                assert!(resp.get(key).is_some(), "missing response key {key}");
            }
        }
    }
    assert!(v["settings"]["interpret"]["decrement_abnormal_pct"].is_number());
    assert!(v["settings"]["signal"]["artifact_max_ms"].is_number());
}

/// Text as the HTML template escapes it.
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[test]
fn html_prints_each_source_once_and_is_signed_before_the_appendix() {
    let (r, _) = lems_report();
    let html = rendered(Format::Html, &r);
    let list_start = html
        .find("<ol class=\"references\">")
        .expect("a reference list");
    let list = &html[list_start..list_start + html[list_start..].find("</ol>").unwrap()];
    let items: Vec<&str> = list
        .split("<li id=\"ref-")
        .skip(1)
        .map(|li| &li[li.find('>').unwrap() + 1..li.find("</li>").unwrap()])
        .collect();
    assert!(items.len() >= 2, "{items:?}");
    for item in &items {
        assert_eq!(html.matches(item).count(), 1, "printed once: {item}");
    }
    // Every finding's and validity reason's source is the references it
    // cites, joined: nothing dropped by the splitting, nothing split inside
    // a source (the AAEM one holds "; " of its own).
    let cited = r
        .interpretation
        .findings
        .iter()
        .map(|f| f.source.clone())
        .chain(
            r.tests
                .iter()
                .flat_map(|t| t.validity.reasons.iter().filter_map(|x| x.source.clone())),
        );
    for source in cited {
        let escaped = html_escaped(&source);
        let mut parts: Vec<(usize, &str)> = items
            .iter()
            .filter_map(|i| escaped.find(i).map(|at| (at, *i)))
            .collect();
        parts.sort();
        let joined: Vec<&str> = parts.into_iter().map(|(_, i)| i).collect();
        assert_eq!(joined.join("; "), escaped, "all of a source is listed");
    }
    assert_eq!(
        html.matches("AAEM Quality Assurance Committee; Chiou-Tan FY")
            .count(),
        1
    );
    let at = |what: &str| html.find(what).unwrap_or_else(|| panic!("{what} missing"));
    let appendix = at("<section class=\"appendix\"");
    assert!(at("<table class=\"muscles\"") < at("<p class=\"pattern\">"));
    assert!(at("<h2>Conclusion</h2>") < at("<table class=\"muscles\""));
    assert!(at("<section class=\"impression\"") < at("<p class=\"signature\""));
    assert!(at("<p class=\"signature\"") < at("id=\"findings\""));
    assert!(at("Signed: ___") < appendix);
    assert!(at("id=\"references\"") < appendix);
    assert!(appendix < at("id=\"tests\"") && appendix < at("id=\"settings\""));
    assert!(html.contains("break-before: page"));
}

#[test]
fn measurements_csv_is_tidy() {
    let (r, _) = lems_report();
    let bytes = render::measurements_csv(&r);
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(headers.get(0), Some("study"));
    assert!(headers.iter().any(|h| h == "amplitude_mv"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let expected: usize = r.tests.iter().map(|t| t.responses.len()).sum();
    assert_eq!(rows.len(), expected);
}

#[test]
fn html_is_self_contained_and_escaped() {
    let (mut r, study) = lems_report();
    // Hostile metadata must come out as text.
    r.tests[0].muscle = Some("<script>alert(1)</script>ADM".to_string());
    r.study.id = "<b>id</b>".to_string();
    let displays: Vec<_> = study
        .tests
        .iter()
        .zip(&r.tests)
        .map(|(rec, t)| display(rec, t))
        .collect();
    let files = render::report_set(&r, &displays).unwrap();
    let html = String::from_utf8(
        files
            .iter()
            .find(|f| f.0 == "report.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "metadata must be escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external references"
    );
    let doc = scraper::Html::parse_document(&html);
    for (tag, attr) in [
        ("img", "src"),
        ("script", "src"),
        ("link", "href"),
        ("iframe", "src"),
        ("image", "href"),
    ] {
        let sel = scraper::Selector::parse(tag).unwrap();
        for el in doc.select(&sel) {
            if let Some(v) = el.value().attr(attr) {
                assert!(
                    !v.starts_with("//") && !v.contains("://"),
                    "external {tag} {v}"
                );
            }
        }
    }
    assert_eq!(
        doc.select(&scraper::Selector::parse("script").unwrap())
            .count(),
        0
    );
    let plots = files.iter().filter(|f| f.0.ends_with(".svg")).count();
    let inline = doc
        .select(&scraper::Selector::parse("figure svg").unwrap())
        .count();
    assert_eq!(inline, plots, "one inline SVG per plot");
    assert_eq!(plots, 9);
    let pngs = files.iter().filter(|f| f.0.ends_with(".png")).count();
    assert_eq!(pngs, 9);
    // Conclusion first.
    let conclusion = html.find("id=\"conclusion\"").unwrap();
    let findings = html.find("id=\"findings\"").unwrap();
    let tests = html.find("id=\"tests\"").unwrap();
    assert!(conclusion < findings && findings < tests);
}

#[test]
fn writing_keeps_what_was_there_when_a_write_fails() {
    let dir = TempDir::new();
    let first = dir.path().join("a.csv");
    write_own_file(&first, b"# generator: x\none", "# generator: x").unwrap();
    // A folder where the file should go makes the write fail; the earlier
    // file is untouched and no temporary file is left behind.
    std::fs::create_dir_all(dir.path().join("b.csv/inner")).unwrap();
    let err = write_own_file(&dir.path().join("b.csv"), b"two", "# generator: x");
    assert!(err.is_err());
    assert_eq!(std::fs::read(&first).unwrap(), b"# generator: x\none");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}
