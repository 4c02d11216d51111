//! The command line: exit codes, formats and the files it writes.

use predicates::prelude::*;

use super::util::{nmjscope, TempDir};

fn sample(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(path)
}

#[test]
fn inspect_text_and_json() {
    nmjscope()
        .args(["inspect"])
        .arg(sample("variants/mg_rns_semicolon_decimal_comma.csv"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Semicolon").and(predicate::str::contains("rns (declared)")),
        );
    let out = nmjscope()
        .args(["inspect", "--format", "json"])
        .arg(sample("variants/normal_rns_long_layout.csv"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["layout"], "long");
    assert_eq!(v["sampling_rate_hz"], 20000.0);
    assert_eq!(v["responses"].as_array().unwrap().len(), 10);
}

#[test]
fn analyze_writes_the_report_set() {
    let dir = TempDir::new();
    nmjscope()
        .arg("analyze")
        .arg(sample("mg"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("NEUROMUSCULAR TRANSMISSION STUDY").and(
                predicate::str::contains("Pattern:        postsynaptic, as in myasthenia gravis"),
            ),
        )
        .stderr(predicate::str::contains("report set written to"));
    for f in [
        "report.html",
        "report.md",
        "report.json",
        "report.txt",
        "measurements.csv",
        "plots/1_rns_3hz_stack.png",
        "plots/1_rns_3hz_stack.svg",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
    let out = nmjscope()
        .arg("analyze")
        .arg(sample("lems/2_exercise_10s.csv"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["interpretation"]["lems_criterion"], "specific");
}

#[test]
fn thresholds_file_and_flags_are_echoed() {
    let dir = TempDir::new();
    let t = dir.write("t.toml", "[interpret]\nincrement_suggestive_pct = 50.0\n");
    let out = nmjscope()
        .arg("analyze")
        .arg(sample("normal"))
        .arg("--thresholds")
        .arg(&t)
        .args(["--decrement-pct", "8", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["settings"]["interpret"]["increment_suggestive_pct"], 50.0);
    assert_eq!(v["settings"]["interpret"]["decrement_abnormal_pct"], 8.0);
    let bad = dir.write("bad.json", "{\"interpret\": {\"nonsense\": 1}}");
    nmjscope()
        .arg("analyze")
        .arg(sample("normal"))
        .arg("--thresholds")
        .arg(&bad)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("bad.json"));
}

#[test]
fn bad_input_exit_codes_and_nothing_lost() {
    let dir = TempDir::new();
    let bad = dir.write("broken.csv", "time_ms,r1\n0,1\n0.05,x\n");
    nmjscope()
        .arg("analyze")
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("broken.csv").and(predicate::str::contains("line 3")));
    nmjscope()
        .arg("analyze")
        .arg(dir.path().join("missing.csv"))
        .assert()
        .code(4);
    // An earlier report set survives a failed run into the same directory.
    let out = dir.path().join("out");
    nmjscope()
        .arg("analyze")
        .arg(sample("normal"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let before = std::fs::read(out.join("report.json")).unwrap();
    nmjscope()
        .arg("analyze")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    assert_eq!(std::fs::read(out.join("report.json")).unwrap(), before);
}

#[test]
fn simulate_is_reproducible_and_demo_runs() {
    let dir = TempDir::new();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    for p in [&a, &b] {
        nmjscope()
            .args([
                "simulate",
                "--condition",
                "lems",
                "--severity",
                "0.8",
                "--protocol",
                "hfrns",
                "--seed",
                "9",
                "-o",
            ])
            .arg(p)
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    nmjscope()
        .args(["simulate", "--study"])
        .arg(dir.path().join("study"))
        .assert()
        .success();
    // Three tests and the set's manifest.
    assert_eq!(
        std::fs::read_dir(dir.path().join("study")).unwrap().count(),
        4
    );
    assert!(dir.path().join("study/.nmjscope-set").is_file());
    nmjscope()
        .args(["simulate", "--severity", "2"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("severity"));
    let demo = dir.path().join("demo");
    nmjscope()
        .args(["demo", "--out"])
        .arg(&demo)
        .assert()
        .success()
        .stdout(predicate::str::contains("presynaptic"));
    assert!(demo.join("report.html").is_file());
}

#[test]
fn one_study_is_one_patient() {
    // samples/variants holds four studies: analyze refuses to merge them.
    let variants = sample("variants");
    nmjscope()
        .arg("analyze")
        .arg(&variants)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("different studies")
                .and(predicate::str::contains(
                    "lems_exercise_microvolts.csv (sim-lems-405)",
                ))
                .and(predicate::str::contains(
                    "mg_rns_semicolon_decimal_comma.csv (sim-mg-404)",
                ))
                .and(predicate::str::contains("nmjscope batch")),
        );
    // batch splits them and says so.
    let dir = TempDir::new();
    for entry in std::fs::read_dir(&variants).unwrap() {
        let p = entry.unwrap().path();
        dir.write(
            &format!("mixed/{}", p.file_name().unwrap().to_string_lossy()),
            std::fs::read(&p).unwrap(),
        );
    }
    let out = dir.path().join("out");
    nmjscope()
        .args(["batch", "--quiet", "--reports", "--out"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(summary.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert_eq!(
        ids,
        [
            "sim-lems-405",
            "sim-mg-404",
            "sim-normal-406",
            "sim-normal-407"
        ]
    );
    let note_column = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "note")
        .unwrap();
    for r in &rows {
        let note = r.get(note_column).unwrap();
        assert!(note.contains("split into 4 studies"), "{note}");
    }
    assert!(out.join("reports/mixed@sim-mg-404.json").is_file());
}

#[test]
fn missing_metadata_is_never_guessed_silently() {
    // A 50 Hz train without its header lines: 50 responses of 20 ms cannot
    // be a 3 Hz train, and the rate is asked for.
    let text = std::fs::read_to_string(sample("lems").join("3_hfrns_50hz.csv")).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = TempDir::new();
    let bare = dir.write("bare.csv", body);
    nmjscope()
        .arg("analyze")
        .arg(&bare)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("bare.csv, line 1")
                .and(predicate::str::contains("cannot be a low-rate"))
                .and(predicate::str::contains("--rate")),
        );
    let out = nmjscope()
        .arg("analyze")
        .arg(&bare)
        .args(["--rate", "50", "--format", "json", "--muscle", "ADM"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tests"][0]["protocol"], "hfrns");
    assert!(v["tests"][0]["increment_pct"].as_f64().unwrap() > 200.0);
    assert!(v["tests"][0]["decrement_pct"].is_null());
    // Values no CMAP can have stop with a hint at the units.
    let uv = sample("variants").join("lems_exercise_microvolts.csv");
    nmjscope()
        .arg("analyze")
        .arg(&uv)
        .args(["--units", "mV"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("lems_exercise_microvolts.csv")
                .and(predicate::str::contains("larger than any CMAP"))
                .and(predicate::str::contains("--units uV")),
        );
    nmjscope()
        .arg("analyze")
        .arg(&uv)
        .args(["--units", "uv", "--temperature", "30.5"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "limb temperature 30.5 °C, below 32 °C",
        ));
}

#[test]
fn pdf_is_refused_without_chromium_and_joins_the_set_with_it() {
    let dir = TempDir::new();
    let out = dir.path().join("out");
    // No browser on PATH: one line, a usage error, nothing written.
    nmjscope()
        .env("PATH", dir.path())
        .arg("analyze")
        .arg(sample("lems"))
        .arg("--out")
        .arg(&out)
        .arg("--pdf")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--pdf needs Chromium on PATH"));
    assert!(!out.exists());
    nmjscope()
        .args(["analyze", "--pdf"])
        .arg(sample("lems"))
        .assert()
        .code(2);
    let has_chromium = std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .any(|b| d.join(b).is_file())
        })
    });
    if !has_chromium {
        return;
    }
    nmjscope()
        .arg("analyze")
        .arg(sample("lems"))
        .arg("--out")
        .arg(&out)
        .arg("--pdf")
        .assert()
        .success();
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let manifest = std::fs::read_to_string(out.join(".nmjscope-set")).unwrap();
    assert!(manifest.lines().any(|l| l == "report.pdf"), "{manifest}");
    // Without --pdf the next set replaces it whole: no stale PDF stays.
    nmjscope()
        .arg("analyze")
        .arg(sample("lems"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("report.pdf").exists());
}

/// `demo --condition`: each condition's sample study, analysed, its report
/// set written; the default is the LEMS study, as before the flag.
#[test]
fn demo_shows_each_condition() {
    let dir = TempDir::new();
    for (condition, pattern) in [
        (Some("normal"), "normal"),
        (Some("mg"), "postsynaptic"),
        (Some("lems"), "presynaptic"),
        (None, "presynaptic"),
    ] {
        let out = dir.path().join(condition.unwrap_or("default"));
        let mut demo = nmjscope();
        demo.arg("demo").arg("--out").arg(&out);
        if let Some(c) = condition {
            demo.args(["--condition", c]);
        }
        demo.assert()
            .success()
            .stdout(predicate::str::contains("NEUROMUSCULAR TRANSMISSION STUDY"));
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        assert_eq!(
            report["interpretation"]["pattern"], pattern,
            "{condition:?}"
        );
        let id = format!("demo-{}", condition.unwrap_or("lems"));
        assert_eq!(report["study"]["id"], id.as_str(), "{condition:?}");
        assert!(out.join("report.html").is_file());
    }
    nmjscope()
        .args(["demo", "--condition", "cidp", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2);
}

/// Every file under `dir` but the set's manifest, by its `/`-separated
/// path, with its bytes, in name order.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &std::path::Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            } else if name != ".nmjscope-set" {
                out.push((name, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

/// The compiled-in samples are `samples/` byte for byte: every file, and
/// nothing else.
#[test]
fn embedded_samples_are_the_samples_folder() {
    let mut embedded = nmjscope::samples::set_files(None);
    embedded.sort();
    let on_disk = tree(&sample(""));
    let names = |set: &[(String, Vec<u8>)]| set.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&embedded), names(&on_disk));
    for ((name, bytes), (_, disk)) in embedded.iter().zip(&on_disk) {
        assert!(bytes == disk, "{name} differs from samples/{name}");
    }
}

/// `samples --out DIR` writes `samples/` as it is (and `samples NAME`
/// one study folder); each reads as the original does.
#[test]
fn samples_writes_the_samples_folder() {
    let dir = TempDir::new();
    let all = dir.path().join("all");
    nmjscope()
        .args(["samples", "--out"])
        .arg(&all)
        .assert()
        .success()
        .stderr(predicate::str::contains("nmjscope analyze"));
    assert_eq!(tree(&all), tree(&sample("")));
    // Written again: the set it wrote is replaced.
    nmjscope()
        .args(["samples", "-o"])
        .arg(&all)
        .assert()
        .success();
    let mg = dir.path().join("mg");
    nmjscope()
        .args(["samples", "mg", "--out"])
        .arg(&mg)
        .assert()
        .success();
    assert_eq!(tree(&mg), tree(&sample("mg")));
    for (written, original) in [(all.join("lems"), sample("lems")), (mg, sample("mg"))] {
        let a = super::util::analyze_json(&written, &[]);
        let b = super::util::analyze_json(&original, &[]);
        assert_eq!(
            a["interpretation"],
            b["interpretation"],
            "{}",
            written.display()
        );
    }
    // A batch of the written samples scores them (they are input).
    let results = dir.path().join("results");
    nmjscope()
        .args(["batch", "-q"])
        .arg(dir.path())
        .arg("--out")
        .arg(&results)
        .assert()
        .success();
    let summary = std::fs::read_to_string(results.join("summary.csv")).unwrap();
    assert!(summary.contains("mg_exhaustion"), "{summary}");
    nmjscope()
        .args(["samples", "nonesuch", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .code(2);
}
