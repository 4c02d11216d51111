//! Batch scoring: every study found, in a fixed order, in parallel, and a
//! broken study becomes an error row instead of stopping the run.

use nmjscope::batch::{find_studies, run_batch, summary_row, write_results};
use nmjscope::simulate::{Condition, SimConfig};
use nmjscope::{ReadOptions, Settings};
use predicates::prelude::*;

use super::util::{nmjscope, TempDir};

pub(crate) fn archive() -> TempDir {
    let dir = TempDir::new();
    for (name, condition, severity) in [
        ("a_normal", Condition::Normal, 0.0),
        ("b_mg", Condition::Mg, 0.7),
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
    let out = dir.path().join("results");
    let counts = write_results(&out, dir.path(), &items, false, Default::default()).unwrap();
    assert_eq!((counts.studies, counts.failed, counts.resumed), (5, 1, 0));
    let csv = std::fs::read_to_string(out.join("measurements.csv")).unwrap();
    assert_eq!(
        csv.matches("study,path,file,protocol").count(),
        1,
        "one header"
    );
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
        // Not success: one study failed (exit 3), though every output is
        // written.
        .code(3)
        .stderr(
            predicates::str::contains("4 studies scored, 1 failed")
                .and(predicates::str::contains("1 of 5 studies failed")),
        );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 6, "{summary}");
    assert!(summary
        .lines()
        .next()
        .unwrap()
        .starts_with("study,path,status,pattern"));
    assert!(out.join("measurements.csv").is_file());
    // Every scored study's full report is one line of studies.jsonl, which
    // the summary's `report` column points at.
    let jsonl = std::fs::read_to_string(out.join("studies.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 4);
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["schema"], "nmjscope.report/3");
    }
    assert!(summary.contains("studies.jsonl:4"), "{summary}");
    assert!(
        !out.join("reports").exists(),
        "no file per study unless asked"
    );
    // With --reports, one file per study: the path under the archive,
    // separators escaped (unique and stable), named in the `report` column.
    let out = dir.path().join("out_reports");
    let _ = nmjscope()
        .arg("batch")
        .arg(dir.path())
        .args([
            "--out".as_ref(),
            out.as_os_str(),
            "--quiet".as_ref(),
            "--reports".as_ref(),
        ])
        .output()
        .unwrap();
    for name in ["a_normal", "b_mg", "clinic2%2Fc_lems", "e_single.csv"] {
        assert!(out.join(format!("reports/{name}.json")).is_file(), "{name}");
    }
}

/// The first line where two files differ, for a short failure message.
fn same_text(a: &[u8], b: &[u8], what: &str) {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    if let Some((i, (x, y))) = a
        .lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
    {
        panic!("{what} differs at line {}:\n{x}\n{y}", i + 1);
    }
    assert_eq!(a.lines().count(), b.lines().count(), "{what}: line counts");
}

fn run(args: &[&std::ffi::OsStr]) -> std::process::Output {
    nmjscope().args(args).output().unwrap()
}

fn read(path: std::path::PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn report_names(out: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("reports"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn shards_merge_into_the_unsharded_output() {
    let archive = archive();
    let outs = TempDir::new();
    let root = archive.path().as_os_str();
    let full = outs.path().join("full");
    let o = run(&[
        "batch".as_ref(),
        "-q".as_ref(),
        root,
        "--out".as_ref(),
        full.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(3), "one study is broken");
    let mut parts = Vec::new();
    for i in 0..3 {
        let part = outs.path().join(format!("part{i}"));
        let shard = format!("{i}/3");
        let o = run(&[
            "batch".as_ref(),
            "-q".as_ref(),
            root,
            "--shard".as_ref(),
            shard.as_ref(),
            "--out".as_ref(),
            part.as_os_str(),
        ]);
        // A shard may hold the broken study (3) or no study at all (4).
        assert!(matches!(o.status.code(), Some(0 | 3 | 4)), "{o:?}");
        parts.push(part);
    }
    let merged = outs.path().join("merged");
    nmjscope()
        .arg("merge")
        .args(&parts)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for file in ["summary.csv", "measurements.csv", "studies.jsonl"] {
        same_text(&read(merged.join(file)), &read(full.join(file)), file);
    }
    assert_eq!(report_names(&merged), report_names(&full));
    // Merged results are not overwritten without --force; a part given
    // twice, or parts scored with other settings, are refused.
    nmjscope()
        .arg("merge")
        .args(&parts)
        .arg("--out")
        .arg(&merged)
        .assert()
        .code(4)
        .stderr(
            predicates::str::contains("add --force to replace them")
                .and(predicates::str::contains("--resume").not()),
        );
    let twice = [&parts[..], &parts[..1]].concat();
    let has_studies = |p: &std::path::Path| {
        String::from_utf8(read(p.join("summary.csv")))
            .unwrap()
            .lines()
            .count()
            > 1
    };
    if has_studies(&parts[0]) {
        nmjscope()
            .arg("merge")
            .args(&twice)
            .arg("--out")
            .arg(outs.path().join("twice"))
            .assert()
            .code(3)
            .stderr(predicates::str::contains("give each shard once"));
    }
    let strict = outs.path().join("strict");
    let _ = run(&[
        "batch".as_ref(),
        "-q".as_ref(),
        root,
        "--decrement-pct".as_ref(),
        "20".as_ref(),
        "--out".as_ref(),
        strict.as_os_str(),
    ]);
    nmjscope()
        .arg("merge")
        .arg(&full)
        .arg(&strict)
        .arg("--out")
        .arg(outs.path().join("mixed"))
        .assert()
        .failure()
        .stderr(
            predicates::str::contains("other settings")
                .or(predicates::str::contains("each study must be in one part")),
        );
    // Shards are a partition: every study in exactly one.
    let rows = |p: &std::path::Path| {
        String::from_utf8(read(p.join("summary.csv")))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    assert_eq!(parts.iter().map(|p| rows(p)).sum::<usize>(), rows(&full));
}

#[test]
fn resume_reuses_unchanged_studies_and_rescores_changed_ones() {
    let archive = archive();
    let outs = TempDir::new();
    let root = archive.path().as_os_str();
    let out = outs.path().join("out");
    let args = |resume: bool, out: &std::path::Path| {
        let mut a = vec![
            "batch".into(),
            "-q".into(),
            root.to_os_string(),
            "--out".into(),
        ];
        a.push(out.as_os_str().to_os_string());
        if resume {
            a.push("--resume".into());
        }
        a
    };
    let first = nmjscope().args(args(false, &out)).output().unwrap();
    assert_eq!(first.status.code(), Some(3));
    // Change one study's file: its result must be computed again.
    let changed = archive.path().join("b_mg/1_rns_3hz.csv");
    let text = String::from_utf8(read(changed.clone())).unwrap();
    std::fs::write(&changed, text.replace("# muscle: ADM", "# muscle: APB")).unwrap();
    let again = nmjscope().args(args(true, &out)).output().unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(3), "{stderr}");
    // a_normal, c_lems and e_single are unchanged; b_mg changed; the
    // broken study is always scored again.
    assert!(stderr.contains("3 re-used unchanged"), "{stderr}");
    let fresh = outs.path().join("fresh");
    let _ = nmjscope().args(args(false, &fresh)).output().unwrap();
    for file in ["summary.csv", "measurements.csv", "studies.jsonl"] {
        same_text(&read(out.join(file)), &read(fresh.join(file)), file);
    }
    assert!(String::from_utf8(read(out.join("measurements.csv")))
        .unwrap()
        .contains("APB"));
    // Other thresholds, or other overrides, score every study again.
    for extra in [["--decrement-pct", "40"], ["--supramaximal", "no"]] {
        let o = nmjscope()
            .args(args(true, &out))
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("0 re-used unchanged"),
            "{extra:?}: {stderr}"
        );
    }
    // A report that is not the study's own (a tampered studies.jsonl) is
    // not re-used: the first two lines swapped.
    // (Scored again with the default options, then re-used whole.)
    let _ = nmjscope().args(args(true, &out)).output().unwrap();
    let before = nmjscope().args(args(true, &out)).output().unwrap();
    assert!(String::from_utf8_lossy(&before.stderr).contains("4 re-used unchanged"));
    let jsonl = String::from_utf8(read(out.join("studies.jsonl"))).unwrap();
    let mut lines: Vec<&str> = jsonl.lines().collect();
    lines.swap(0, 1);
    std::fs::write(out.join("studies.jsonl"), lines.join("\n") + "\n").unwrap();
    let o = nmjscope().args(args(true, &out)).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("2 re-used unchanged"), "{stderr}");
}

/// Default settings, read options and no earlier run, for a [`job`].
fn defaults() -> (Settings, ReadOptions, nmjscope::batch::Previous) {
    Default::default()
}

/// A batch on `threads` threads.
fn job<'a>(
    settings: &'a Settings,
    options: &'a ReadOptions,
    previous: &'a nmjscope::batch::Previous,
    threads: usize,
) -> nmjscope::batch::BatchJob<'a> {
    nmjscope::batch::BatchJob {
        settings,
        options,
        threads: Some(threads),
        previous,
    }
}

#[test]
fn a_batch_holds_only_the_studies_in_flight() {
    // 120 small studies (one 3 Hz train each, linked copies of one file):
    // each result reaches the writer while later studies are still being
    // scored, never all at the end, so memory does not grow with the
    // archive. (Peak RSS over 100 and 10,000 studies is measured by
    // scripts/bench_batch.sh and quoted in docs/performance.md.)
    let dir = TempDir::new();
    let file = super::util::test_file(&SimConfig {
        condition: Condition::Mg,
        severity: 0.8,
        seed: 9,
        ..SimConfig::default()
    });
    let total = 120;
    for i in 0..total {
        dir.write(&format!("s{i:03}/1_rns.csv"), &file);
    }
    let studies = find_studies(dir.path()).unwrap();
    let (settings, options, previous) = defaults();
    let job = job(&settings, &options, &previous, 2);
    let scored = std::sync::atomic::AtomicUsize::new(0);
    let (mut handed, mut most_waiting) = (0usize, 0usize);
    let mut order = Vec::new();
    job.run_each(
        &studies,
        &|_| {
            scored.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
        &|item| item.path.clone(),
        &mut |item, path| {
            assert_eq!(item.path, path, "prepared with its own study");
            handed += 1;
            let done = scored.load(std::sync::atomic::Ordering::SeqCst);
            most_waiting = most_waiting.max(done - handed);
            order.push(path);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(order, studies, "handed over in archive order");
    // Collecting everything first would hold all 120 (119 waiting at the
    // first hand-over); two workers keep a handful waiting. Half the
    // archive leaves room for a slow machine.
    eprintln!("most studies finished but not yet written: {most_waiting} of {total}");
    assert!(most_waiting < total / 2, "{most_waiting} of {total} held");
}

#[test]
fn a_failed_write_stops_the_batch_and_keeps_the_old_results() {
    let dir = archive();
    let studies = find_studies(dir.path()).unwrap();
    let (settings, options, previous) = defaults();
    let job = job(&settings, &options, &previous, 1);
    let mut calls = 0;
    let e = job
        .run_each(&studies, &|_| {}, &|_| (), &mut |_, ()| {
            calls += 1;
            Err(nmjscope::Error::io(
                std::path::Path::new("out/summary.csv"),
                std::io::Error::other("disk full"),
            ))
        })
        .unwrap_err();
    assert!(e.to_string().contains("out/summary.csv"), "{e}");
    assert_eq!(calls, 1, "nothing is handed over after a failed write");
    // A run that stops part-way (an error, a panic) drops its writer: the
    // earlier results stay whole and no partial folder is left.
    let items = job.run(&studies, &|_| {}).unwrap();
    let out = dir.path().join("results");
    write_results(&out, dir.path(), &items, false, Default::default()).unwrap();
    let before = std::fs::read(out.join("summary.csv")).unwrap();
    {
        let force = nmjscope::batch::OutputRules {
            force: true,
            ..Default::default()
        };
        let mut writer = nmjscope::batch::ResultsWriter::begin(&out, force).unwrap();
        let first = nmjscope::batch::Prepared::of(dir.path(), &items[0], false);
        writer.push(first).unwrap();
    }
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
