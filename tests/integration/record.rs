//! `--date` and the record file (`--record FILE.toml`): values by study,
//! muscle and file, a bilateral study described without editing files,
//! and every refusal naming the record file's line.

use std::path::{Path, PathBuf};

use crate::util::{analyze_json, nmjscope, TempDir};

/// Two 3 Hz trains of ADM (the LEMS sample's) in one folder, `a.csv` and
/// `b.csv`: a bilateral study whose files do not say their side.
fn bilateral() -> TempDir {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems/1_rns_3hz.csv");
    let bytes = std::fs::read(sample).expect("the sample");
    let dir = TempDir::new();
    dir.write("study/a.csv", &bytes);
    dir.write("study/b.csv", &bytes);
    dir
}

fn record(dir: &TempDir, text: &str) -> PathBuf {
    dir.write("record.toml", text)
}

/// `analyze` with `args`, which must fail with exit 5 and one line.
fn refused(dir: &TempDir, args: &[&str]) -> String {
    let out = nmjscope()
        .arg("analyze")
        .args(args)
        .arg(dir.path().join("study"))
        .output()
        .expect("nmjscope runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_bilateral_study_is_described_by_file_and_compared_side_to_side() {
    let dir = bilateral();
    let rec = record(
        &dir,
        r#"# the whole study
[study]
date = "2026-11-30"
examiner = "KH"
indication = "suspected LEMS"
[muscle."abductor digiti minimi"]
temperature_c = 33.5
[file."a.csv"]
side = "left"
[file."b.csv"]
side = "right"
"#,
    );
    let rec = rec.to_str().unwrap();
    let report = analyze_json(&dir.path().join("study"), &["--record", rec]);
    let tests = report["tests"].as_array().unwrap();
    let read: Vec<(&str, &str, f64)> = tests
        .iter()
        .map(|t| {
            (
                t["file"].as_str().unwrap(),
                t["side"].as_str().unwrap(),
                t["temperature_c"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(read, [("a.csv", "left", 33.5), ("b.csv", "right", 33.5)]);
    assert_eq!(report["study"]["date"], "2026-11-30");
    assert_eq!(report["study"]["examiner"], "KH");
    assert_eq!(report["study"]["indication"], "suspected LEMS");
    let findings = report["interpretation"]["findings"].as_array().unwrap();
    let side = findings
        .iter()
        .find(|f| f["code"] == "side_to_side")
        .expect("a side-to-side finding");
    let text = side["text"].as_str().unwrap();
    assert!(
        text.starts_with("Resting CMAP of ADM: left 2.37 mV (a.csv), right 2.37 mV (b.csv)"),
        "{text}"
    );
    // Without the record file the files give no side: no comparison.
    let plain = analyze_json(&dir.path().join("study"), &[]);
    let codes = plain["interpretation"]["findings"].to_string();
    assert!(!codes.contains("side_to_side"), "{codes}");
}

#[test]
fn a_file_entry_wins_over_its_muscle_and_the_study_and_a_flag() {
    let dir = bilateral();
    let rec = record(
        &dir,
        "[study]\ntemperature_c = 31\n[muscle.ADM]\ntemperature_c = 32\n[file.\"b.csv\"]\ntemperature_c = 34\n",
    );
    let report = analyze_json(
        &dir.path().join("study"),
        &["--record", rec.to_str().unwrap(), "--side", "left"],
    );
    let temps: Vec<f64> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["temperature_c"].as_f64().unwrap())
        .collect();
    assert_eq!(temps, [32.0, 34.0]);
    assert_eq!(report["tests"][1]["side"], "left");
}

#[test]
fn the_date_flag_is_in_the_header_and_a_date_that_is_none_is_refused() {
    let dir = bilateral();
    let out = nmjscope()
        .args(["analyze", "--date", "2026-11-30"])
        .arg(dir.path().join("study"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.trim() == "Date:             2026-11-30"),
        "{text}"
    );
    let json = analyze_json(&dir.path().join("study"), &["--date", "2026-11-30"]);
    assert_eq!(json["study"]["date"], "2026-11-30");
    for (date, words) in [
        (
            "2026-02-30",
            "error: --date (date): 2026-02-30 is no calendar date (YYYY-MM-DD)",
        ),
        (
            "30.11.2026",
            "error: --date (date): \"30.11.2026\" is not a date written YYYY-MM-DD",
        ),
    ] {
        let err = refused(&dir, &["--date", date]);
        assert!(err.starts_with(words), "{err}");
    }
}

#[test]
fn a_record_file_that_would_describe_the_study_wrong_is_refused_with_its_line() {
    let dir = bilateral();
    for (text, extra, words) in [
        (
            "[study]\nexaminer = \"KH\"\ncolour = \"red\"\n",
            None,
            "record.toml, line 3: unknown key \"colour\"",
        ),
        (
            "[file.\"a.csv\"]\nside = \"left\"\n[file.\"c.csv\"]\nside = \"right\"\n",
            None,
            "record.toml, line 3: [file.\"c.csv\"] names no file of the study (its files: a.csv, b.csv)",
        ),
        (
            "[muscle.APB]\nside = \"left\"\n",
            None,
            "record.toml, line 1: [muscle.\"APB\"] matches no test's muscle",
        ),
        (
            "[muscle.ADM]\nmuscle = \"APB\"\n",
            None,
            "record.toml, line 2: [muscle.\"ADM\"] sets muscle = \"APB\": which tests it describes is ambiguous",
        ),
        (
            "[file.\"b.csv\"]\ntemperature_c = 50\n",
            None,
            "record.toml, line 2: temperature_c: 50 C is outside the plausible 15-45 C (applied to b.csv)",
        ),
        (
            "[study]\ndate = \"2026-02-30\"\n",
            None,
            "record.toml, line 2: date: 2026-02-30 is no calendar date",
        ),
        (
            "[study]\nside = \"left\"\n",
            Some(["--side", "right"]),
            "record.toml, line 2: [study] side is given by --side too",
        ),
    ] {
        let rec = record(&dir, text);
        let mut args = vec!["--record", rec.to_str().unwrap()];
        args.extend(extra.iter().flatten());
        let err = refused(&dir, &args);
        assert!(err.contains(words), "{text}: {err}");
    }
}

#[test]
fn a_batch_takes_study_values_only() {
    let dir = bilateral();
    let rec = record(
        &dir,
        "[study]\nexaminer = \"KH\"\n[file.\"a.csv\"]\nside = \"left\"\n",
    );
    let out_dir = dir.path().join("out");
    let out = nmjscope()
        .args(["batch", "-q", "--record", rec.to_str().unwrap(), "-o"])
        .arg(&out_dir)
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("record.toml, line 3: [file.\"a.csv\"] describes tests of one study"),
        "{stderr}"
    );
    assert!(!out_dir.exists());
    let rec = record(&dir, "[study]\nexaminer = \"KH\"\ndate = 2026-11-30\n");
    nmjscope()
        .args([
            "batch",
            "-q",
            "--reports",
            "--record",
            rec.to_str().unwrap(),
            "-o",
        ])
        .arg(&out_dir)
        .arg(dir.path())
        .assert()
        .success();
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.lines().nth(1).unwrap().contains(",ok,"),
        "{summary}"
    );
}
