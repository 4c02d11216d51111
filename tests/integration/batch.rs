//! Batch scoring: every study found, in a fixed order, in parallel, and a
//! broken study becomes an error row instead of stopping the run.

use nmjscope::batch::{find_studies, measurements_csv, run_batch, summary_row};
use nmjscope::simulate::{Condition, SimConfig};
use nmjscope::{ReadOptions, Settings};

use super::util::{nmjscope, TempDir};

fn archive() -> TempDir {
    let dir = TempDir::new();
    for (name, condition, severity) in [
        ("a_normal", Condition::Normal, 0.0),
        ("b_mg", Condition::Mg, 0.9),
        ("clinic2/c_lems", Condition::Lems, 0.85),
    ] {
        let sim = SimConfig {
            condition,
            severity,
            seed: 21,
            ..SimConfig::default()
        };
        for (file, bytes) in super::util::study_files(&sim) {
            dir.write(&format!("{name}/{file}"), bytes);
        }
    }
    dir.write("d_broken/1_rns.csv", "time_ms,r1\n0,1\n0.05,oops\n");
    let single = SimConfig {
        condition: Condition::Mg,
        severity: 0.95,
        seed: 4,
        ..SimConfig::default()
    };
    dir.write("e_single.csv", super::util::test_file(&single));
    dir.write("notes.txt", "not a study");
    dir
}

#[test]
fn every_study_is_scored_in_order_and_none_is_lost() {
    let dir = archive();
    let studies = find_studies(dir.path()).unwrap();
    let names: Vec<String> = studies
        .iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "a_normal",
            "b_mg",
            "clinic2/c_lems",
            "d_broken",
            "e_single.csv"
        ]
    );
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let items = run_batch(
        &studies,
        &Settings::default(),
        &ReadOptions::default(),
        Some(2),
        &|p| {
            assert_eq!(p.total, 5);
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
    )
    .unwrap();
    assert_eq!(calls.into_inner(), 5, "progress after every study");
    let rows: Vec<_> = items.iter().map(|i| summary_row(dir.path(), i)).collect();
    let patterns: Vec<Option<&str>> = rows.iter().map(|r| r.pattern.as_deref()).collect();
    assert_eq!(
        patterns,
        [
            Some("normal"),
            Some("postsynaptic"),
            Some("presynaptic"),
            None,
            Some("nmj_unspecified")
        ]
    );
    assert_eq!(rows[3].status, "error");
    let error = rows[3].error.as_deref().unwrap();
    assert!(
        error.contains("1_rns.csv") && error.contains("line 3"),
        "{error}"
    );
    // One thread or two: the same answer.
    let serial = run_batch(
        &studies,
        &Settings::default(),
        &ReadOptions::default(),
        Some(1),
        &|_| {},
    )
    .unwrap();
    let serial_rows: Vec<_> = serial.iter().map(|i| summary_row(dir.path(), i)).collect();
    assert_eq!(rows, serial_rows);
    let csv = String::from_utf8(measurements_csv(&items)).unwrap();
    assert_eq!(csv.matches("study,file,protocol").count(), 1, "one header");
    let lines = csv.lines().count() - 1;
    let expected: usize = items
        .iter()
        .filter_map(|i| i.outcome.as_ref().ok())
        .flat_map(|r| r.tests.iter().map(|t| t.responses.len()))
        .sum();
    assert_eq!(lines, expected);
}

#[test]
fn batch_command_writes_summary_measurements_and_reports() {
    let dir = archive();
    let out = dir.path().join("out");
    nmjscope()
        .arg("batch")
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "2", "--quiet"])
        .assert()
        .success()
        .stderr(predicates::str::contains("4 studies scored, 1 failed"));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 6, "{summary}");
    assert!(summary
        .lines()
        .next()
        .unwrap()
        .starts_with("study,path,status,pattern"));
    assert!(out.join("measurements.csv").is_file());
    // Names are the path under the archive, separators escaped (unique and
    // stable), and listed in the summary's `report` column.
    for name in ["a_normal", "b_mg", "clinic2%2Fc_lems", "e_single.csv"] {
        assert!(out.join(format!("reports/{name}.json")).is_file(), "{name}");
    }
}
