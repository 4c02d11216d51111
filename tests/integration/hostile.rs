//! Hostile inputs, settings and outputs (issue 13). Every case checks the
//! exit status, that the file (and line) is named, and that nothing
//! panicked; `docs/errors.md` lists each case by name with its message.

use std::path::Path;
use std::time::Duration;

use predicates::prelude::PredicateBooleanExt;

use crate::util::{nmjscope, study_files, test_file, TempDir};
use nmjscope::simulate::{Condition, SimConfig};

/// Nothing a hostile file does may take this long (a hang is a failure,
/// not a slow pass; this is no speed target).
const HANG: Duration = Duration::from_secs(60);

/// A 3 Hz train of 5 responses, 10 ms sweeps at 20 kHz, `meta` lines on
/// top, times from `time(i)`.
fn train(meta: &str, time: impl Fn(usize) -> String) -> String {
    let mut s = String::from(meta);
    s.push_str("time_ms,r1,r2,r3,r4,r5\n");
    for i in 0..200 {
        let t = i as f64 * 0.05 - 2.0;
        let v = -5.0 * (-((t - 5.0) / 1.0).powi(2)).exp();
        s.push_str(&time(i));
        for _ in 0..5 {
            s.push_str(&format!(",{v:.4}"));
        }
        s.push('\n');
    }
    s
}

fn plain(i: usize) -> String {
    format!("{:.2}", i as f64 * 0.05 - 2.0)
}

const RNS: &str = "# protocol: rns\n# stim_rate_hz: 3\n";

/// One bad input file: its name, bytes, extra flags, the exit status and
/// what stderr must say (besides the file name).
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    flags: &'static [&'static str],
    code: i32,
    says: &'static [&'static str],
}

fn input_cases() -> Vec<Case> {
    let case = |name, bytes: String, code, says| Case {
        name,
        bytes: bytes.into_bytes(),
        flags: &[],
        code,
        says,
    };
    let mut long_meta = String::from("# muscle: ");
    long_meta.push_str(&"x".repeat(1_000_000));
    long_meta.push('\n');
    let mut after = train(RNS, plain);
    after.push_str("# protocol: hfrns\n");
    let good = train(RNS, plain);
    let drifting = |i: usize| format!("{:.6}", -2.0 + i as f64 * 0.05 * (1.0 + i as f64 * 2e-4));
    vec![
        case(
            "tiny_step",
            train(RNS, |i| format!("{:e}", i as f64 * 1e-20)),
            3,
            &["line 3", "sampling interval"],
        ),
        case(
            "huge_step",
            train(RNS, |i| format!("{:e}", i as f64 * 1e300)),
            3,
            &["line 3", "sampling interval"],
        ),
        case(
            "late_first_sample",
            train(RNS, |i| format!("{}", 100.0 + i as f64 * 0.05)),
            3,
            &["line 4", "first sample"],
        ),
        case(
            "seconds_labelled_ms",
            train(RNS, |i| format!("{:e}", (i as f64 * 0.05 - 2.0) / 1000.0)),
            3,
            &["line 3", "time_s"],
        ),
        case(
            "drifting_sampling",
            train(RNS, drifting),
            3,
            &["line ", "off the uniform grid"],
        ),
        case(
            "rate_tiny",
            train("# protocol: rns\n# stim_rate_hz: 1e-300\n", plain),
            3,
            &["line 2", "stim_rate_hz"],
        ),
        case(
            "rate_huge",
            train("# stim_rate_hz: 1e300\n", plain),
            3,
            &["line 1", "stim_rate_hz"],
        ),
        case(
            "rate_contradicts_protocol",
            train("# protocol: rns\n# stim_rate_hz: 50\n", plain),
            3,
            &["line 2", "contradicts"],
        ),
        case(
            "duplicate_key",
            train(
                "# protocol: rns\n# stim_rate_hz: 3\n# protocol: hfrns\n",
                plain,
            ),
            3,
            &["line 3", "given twice"],
        ),
        case(
            "metadata_after_data",
            after,
            3,
            &["line 204", "after the header"],
        ),
        case(
            "volts_overflow",
            train("# protocol: rns\n# stim_rate_hz: 3\n# units: V\n", plain)
                .replace("-0.0000", "1e306"),
            3,
            &["line ", "units"],
        ),
        case(
            "huge_values",
            train(RNS, plain).replace("-0.0000", "1e299"),
            3,
            &["line ", "units"],
        ),
        case(
            "long_metadata",
            train(&format!("# protocol: rns\n{long_meta}"), plain),
            3,
            &["line 2", "characters"],
        ),
        case("empty_file", String::new(), 3, &["empty"]),
        case(
            "header_only",
            "# protocol: rns\ntime_ms,r1\n".into(),
            3,
            &["line 2", "no data rows"],
        ),
        case(
            "not_a_number",
            good.replacen("-0.0000", "abc", 1),
            3,
            &["line 4, column 2", "expected a number"],
        ),
        case(
            "ragged_row",
            good.replacen("-0.0000,", "", 1),
            3,
            &["line 4", "fields"],
        ),
        case(
            "nan_value",
            good.replacen("-0.0000", "NaN", 1),
            3,
            &["line 4, column 2", "finite"],
        ),
        case(
            "time_backwards",
            train(RNS, |i| plain(if i == 50 { 10 } else { i })),
            3,
            &["line 54", "increase"],
        ),
        case(
            "too_few_samples",
            good.lines().take(10).collect::<Vec<_>>().join("\n"),
            3,
            &["line 3", "samples"],
        ),
        case(
            "unknown_unit",
            good.replace("time_ms,r1,", "time_ms,r1 (mA),"),
            3,
            &["line 3, column 2", "unit"],
        ),
        case(
            "duplicate_label",
            good.replace("time_ms,r1,r2,", "time_ms,r1,R1,"),
            3,
            &["line 3, column 3", "duplicate"],
        ),
        case(
            "mixed_layout",
            good.replace("time_ms,r1,", "time_ms,response,"),
            3,
            &["line 3, column 2", "layout"],
        ),
        case(
            "bad_protocol",
            good.replace("# protocol: rns", "# protocol: fast"),
            3,
            &["line 1", "protocol"],
        ),
        case(
            "rate_disagrees_with_time",
            format!("# sampling_rate_hz: 10000\n{good}"),
            3,
            &["line 1", "sampling_rate_hz"],
        ),
        case(
            "ungrouped_long",
            "response,time_ms,value_mv\n".to_string()
                + &(0..3)
                    .flat_map(|r| {
                        (0..200).map(move |i| format!("{},{},0.1\n", [1, 2, 1][r], i as f64 * 0.05))
                    })
                    .collect::<String>(),
            3,
            &["line 402", "together"],
        ),
        case(
            "too_many_responses",
            train(RNS, plain).replace(
                "time_ms,r1,r2,r3,r4,r5\n",
                &format!(
                    "time_ms,{}\n",
                    (1..=2001)
                        .map(|k| format!("r{k}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ),
            3,
            &["line 3", "2001 responses; no test has more than 2000"],
        ),
        case(
            "too_many_responses_long",
            "response,time_ms,value_mv\n".to_string()
                + &(1..=2001)
                    .flat_map(|r| {
                        (0..100).map(move |i| format!("r{r},{},-1\n", i as f64 * 0.1 - 2.0))
                    })
                    .collect::<String>(),
            3,
            &["2001 responses; no test has more than 2000"],
        ),
        case(
            "microvolts_as_millivolts",
            good.replace("-5.0000", "-5000.0")
                .replace("-4.", "-4000.")
                .replace("-3.", "-3000."),
            3,
            &["units"],
        ),
        case(
            "exercise_without_pre",
            good.replace(
                "# protocol: rns\n# stim_rate_hz: 3\n",
                "# protocol: exercise\n",
            )
            .replace(
                "time_ms,r1,r2,r3,r4,r5",
                "time_ms,post_0s,post_10s,post_20s,post_30s,post_60s",
            ),
            3,
            &["line 2", "pre"],
        ),
        case(
            "shuffled_train",
            good.replace("time_ms,r1,r2,r3,r4,r5", "time_ms,r4,r1,r2,r3,r5"),
            3,
            &["line 3, column 2", "in order"],
        ),
        case(
            "gapped_train",
            good.replace("time_ms,r1,r2,r3,r4,r5", "time_ms,r1,r2,r4,r5,r6"),
            3,
            &["line 3, column 4", "none missing"],
        ),
        case(
            "mixed_decimal_marks",
            good.replace(',', ";")
                .replacen("-0.0000", "-7.624", 1)
                .replace("-2.00;", "-2,00;"),
            3,
            &["line 4", "decimal mark"],
        ),
        case(
            "unterminated_quote",
            good.replace("time_ms,r1,", "time_ms,\"r1,"),
            3,
            &["line 3", "never closed"],
        ),
        case(
            "post_and_post_0s",
            train("# protocol: exercise\n", plain)
                .replace("r1,r2,r3,r4,r5", "pre,post,post_0s,post_30s,post_60s"),
            3,
            &["line 2, column 4", "both 0 s after exercise"],
        ),
        Case {
            name: "invalid_utf8",
            bytes: [good.as_bytes(), b"\xff\xfe\xfd,0\n"].concat(),
            flags: &[],
            code: 3,
            says: &["line 204", "UTF-8"],
        },
        Case {
            name: "rate_flag_out_of_range",
            bytes: good.clone().into_bytes(),
            flags: &["--rate", "1e300"],
            code: 5,
            says: &["--rate"],
        },
        Case {
            name: "filter_band_inverted",
            bytes: good.clone().into_bytes(),
            flags: &["--filter", "--highpass-hz", "1000", "--lowpass-hz", "100"],
            code: 5,
            says: &["highpass_hz"],
        },
        Case {
            name: "settings_flag_out_of_range",
            bytes: train(RNS, plain).into_bytes(),
            flags: &["--decrement-pct", "150"],
            code: 5,
            says: &["decrement_abnormal_pct"],
        },
    ]
}

#[test]
fn docs_list_every_case() {
    let doc = include_str!("../../docs/errors.md");
    for case in input_cases() {
        assert!(
            doc.contains(&format!("`{}`", case.name)),
            "docs/errors.md lacks {}",
            case.name
        );
    }
}

fn assert_clean_failure(stderr: &str, name: &str) {
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
}

#[test]
fn every_bad_input_is_named_and_refused() {
    let dir = TempDir::new();
    let mut worst = String::new();
    for case in input_cases() {
        let file = format!("{}.csv", case.name);
        let path = dir.write(&file, &case.bytes);
        let out = nmjscope()
            .arg("analyze")
            .arg(&path)
            .args(case.flags)
            .timeout(HANG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(case.code),
            "{}: {stderr}",
            case.name
        );
        assert_clean_failure(&stderr, case.name);
        if case.code == 3 {
            assert!(
                stderr.contains(&file),
                "{}: file not named: {stderr}",
                case.name
            );
        }
        for s in case.says {
            assert!(
                stderr.contains(s),
                "{}: expected {s:?} in {stderr}",
                case.name
            );
        }
        // `NMJSCOPE_ERRORS_DOC=1 cargo test hostile -- --nocapture` lists
        // the messages for docs/errors.md.
        if std::env::var_os("NMJSCOPE_ERRORS_DOC").is_some() {
            println!("{}\t{}\t{}", case.name, case.code, stderr.trim());
        }
        if stderr.len() > worst.len() {
            worst = stderr.to_string();
        }
    }
    assert!(worst.len() < 600, "longest message: {worst}");
}

#[test]
fn text_encodings_read_right() {
    let dir = TempDir::new();
    let lems = train("# protocol: hfrns\n# stim_rate_hz: 50\n", plain);
    let utf16: Vec<u8> = lems.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "doubled_bom",
            format!("\u{feff}\u{feff}{lems}").into_bytes(),
        ),
        ("cr_only", lems.replace('\n', "\r").into_bytes()),
        ("mixed_cr_lf", lems.replacen('\n', "\r", 2).into_bytes()),
        ("utf16_without_bom", utf16),
    ];
    for (name, bytes) in cases {
        let path = dir.write(&format!("{name}.csv"), &bytes);
        let out = nmjscope()
            .args(["inspect", "--format", "json"])
            .arg(&path)
            .timeout(HANG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["protocol"], "hfrns", "{name}: {v}");
        assert_eq!(v["protocol_source"], "metadata", "{name}");
        assert_eq!(v["responses"].as_array().map(Vec::len), Some(5), "{name}");
    }
}

#[test]
fn a_semicolon_inside_a_quoted_header_cell_is_not_the_delimiter() {
    // Read with `,` (the `;` is inside quotes), the cell is one label,
    // which a train then refuses by name: the delimiter was right.
    let dir = TempDir::new();
    let text = train(RNS, plain).replace("time_ms,r1,", "\"Time (ms)\",\"r1; left\",");
    let path = dir.write("q.csv", text);
    let out = nmjscope()
        .arg("inspect")
        .arg(&path)
        .timeout(HANG)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("\"r1; left\"") && stderr.contains("line 3, column 2"),
        "{stderr}"
    );
}

#[test]
fn pipes_devices_and_missing_files_are_refused_at_once() {
    let dir = TempDir::new();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let mut paths = vec![Path::new("/dev/zero").to_path_buf()];
    if made.is_ok_and(|s| s.success()) {
        paths.push(fifo);
    }
    for path in paths {
        let out = nmjscope()
            .arg("analyze")
            .arg(&path)
            .timeout(HANG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert_clean_failure(&stderr, "pipe");
    }
    let out = nmjscope()
        .arg("analyze")
        .arg(dir.path().join("absent.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert_eq!(
        stderr.matches("os error 2").count(),
        1,
        "OS error once: {stderr}"
    );
}

#[test]
fn bad_settings_files_exit_5_naming_the_key() {
    let dir = TempDir::new();
    let study = dir.write("t.csv", train(RNS, plain));
    let cases: &[(&str, &str, &str)] = &[
        (
            "settle.toml",
            "[signal]\nsettle_window_ms = 1e30\n",
            "signal.settle_window_ms",
        ),
        (
            "settle_inf.toml",
            "[signal]\nsettle_window_ms = inf\n",
            "signal.settle_window_ms",
        ),
        (
            "drift.toml",
            "[signal]\ndrift_window_ms = 1e30\n",
            "signal.drift_window_ms",
        ),
        (
            "notch.toml",
            "[signal.filter]\nnotch_harmonics = 4000000000\n",
            "notch_harmonics",
        ),
        (
            "negative.json",
            r#"{"interpret": {"increment_equivocal_pct": -100, "increment_suggestive_pct": -50, "increment_specific_pct": -10}}"#,
            "increment_equivocal_pct",
        ),
        (
            "limit.toml",
            "[interpret.lower_limits_mv]\nadm = -1.0\n",
            "lower_limits_mv.adm",
        ),
        (
            "positional.json",
            r#"{"interpret": [50]}"#,
            "interpret is a list",
        ),
        (
            "positional.toml",
            "interpret = [50]\n",
            "interpret is a list",
        ),
        (
            "twice.json",
            r#"{"interpret": {"lower_limits_mv": {"ADM": 20, "adm": 1}}}"#,
            "lower_limits_mv",
        ),
    ];
    for (name, text, key) in cases {
        let path = dir.write(name, text);
        let out = nmjscope()
            .arg("analyze")
            .arg(&study)
            .arg("--thresholds")
            .arg(&path)
            .timeout(HANG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(key),
            "{name}: {stderr}"
        );
        assert_clean_failure(&stderr, name);
    }
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "[interpret]\ndecrement_abnormal_pct = 8.0\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let path = dir.write("utf16.toml", utf16);
    nmjscope()
        .arg("analyze")
        .arg(&study)
        .arg("--thresholds")
        .arg(&path)
        .assert()
        .code(5);
}

#[test]
fn a_long_file_of_many_responses_reads_in_linear_time() {
    // 20,000 responses of 20 samples in the long layout: with a linear
    // search per row this took minutes; it must come back (refused: a
    // 1 ms sweep is no CMAP).
    let mut s = String::from("response,time_ms,value_mv\n");
    for r in 0..20_000 {
        for i in 0..20 {
            s.push_str(&format!("{r},{},0.0\n", i as f64 * 0.05));
        }
    }
    let dir = TempDir::new();
    let path = dir.write("many.csv", s);
    let out = nmjscope()
        .arg("inspect")
        .arg(&path)
        .timeout(HANG)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("the sweep lasts 1 ms"), "{stderr}");
}

fn archive() -> (TempDir, Vec<(String, Vec<u8>)>) {
    let dir = TempDir::new();
    let files = study_files(&SimConfig {
        condition: Condition::Normal,
        seed: 11,
        ..SimConfig::default()
    });
    (dir, files)
}

fn put_study(dir: &TempDir, folder: &str, files: &[(String, Vec<u8>)]) {
    for (name, bytes) in files {
        dir.write(&format!("{folder}/{name}"), bytes);
    }
}

#[test]
fn batch_report_names_are_unique_and_nothing_is_scored_twice() {
    let (dir, files) = archive();
    let long = "n".repeat(120);
    let folders = [
        "patient.001".to_string(),
        "patient.002".to_string(),
        "x".to_string(),
        "a/b".to_string(),
        "a__b".to_string(),
        format!("{long}/{long}/{long}"),
    ];
    for f in &folders {
        put_study(&dir, &format!("in/{f}"), &files);
    }
    dir.write("in/x.csv", &files[0].1);
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", dir.path().join("in/a/up")).unwrap();
    let out = dir.path().join("out");
    nmjscope()
        .args(["batch", "--quiet", "--reports"])
        .arg(dir.path().join("in"))
        .arg("--out")
        .arg(&out)
        .timeout(HANG)
        .assert()
        .success()
        .stderr(predicates::str::contains("7 studies scored, 0 failed"));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(summary.as_bytes());
    let column = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "report")
        .unwrap();
    let mut reports: Vec<String> = rdr
        .records()
        .map(|r| r.unwrap().get(column).unwrap().to_string())
        .collect();
    assert_eq!(reports.len(), 7, "each study once: {summary}");
    for r in &reports {
        assert!(out.join(r).is_file(), "{r} listed but not written");
        let name = Path::new(r).file_name().unwrap();
        assert!(name.len() <= 255, "{r}");
    }
    reports.sort();
    reports.dedup();
    assert_eq!(reports.len(), 7, "unique names");
    assert_eq!(std::fs::read_dir(out.join("reports")).unwrap().count(), 7);
}

#[test]
fn an_empty_archive_writes_nothing() {
    let dir = TempDir::new();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let out = dir.path().join("out");
    nmjscope()
        .args(["batch", "--quiet"])
        .arg(dir.path().join("in"))
        .arg("--out")
        .arg(&out)
        .assert()
        // "0 studies scored" is not success, and an empty (perhaps
        // unmounted) archive leaves no output a merge could mistake for a
        // shard that found nothing.
        .code(4)
        .stderr(
            predicates::str::contains("no study found under")
                .and(predicates::str::contains("nothing written")),
        );
    assert!(!out.exists());
}

#[test]
fn spreadsheet_formulas_never_reach_a_csv_cell() {
    let (dir, files) = archive();
    let poison = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .replace("# study_id: ", "# study_id: =1+2*cmd|'/C calc'!A0 ")
            .replace("# muscle: ADM", "# muscle: @SUM(1+1)")
    };
    for (name, bytes) in &files {
        dir.write(&format!("in/s/{name}"), poison(bytes));
    }
    dir.write("in/=HYPERLINK(\"x\").csv", poison(&files[0].1));
    let out = dir.path().join("out");
    nmjscope()
        .args(["batch", "--quiet"])
        .arg(dir.path().join("in"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for file in ["summary.csv", "measurements.csv"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        for record in rdr.records() {
            for cell in record.unwrap().iter() {
                let formula = cell.starts_with(['=', '+', '@', '\t', '\r'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!formula, "{file}: {cell:?}");
            }
        }
        assert!(text.contains("'=1+2") || text.contains("'@SUM"), "{file}");
    }
}

#[test]
fn two_runs_into_one_folder_never_mix_their_sets() {
    let (dir, normal) = archive();
    let mg = study_files(&SimConfig {
        condition: Condition::Mg,
        seed: 12,
        ..SimConfig::default()
    });
    put_study(&dir, "normal", &normal);
    put_study(&dir, "mg", &mg);
    let out = dir.path().join("out");
    for _ in 0..3 {
        let runs: Vec<_> = ["normal", "mg"]
            .iter()
            .map(|s| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("nmjscope"))
                    .arg("analyze")
                    .arg(dir.path().join(s))
                    .arg("--out")
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut run in runs {
            assert!(run.wait().unwrap().success());
        }
        let json = std::fs::read_to_string(out.join("report.json")).unwrap();
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let csv = std::fs::read_to_string(out.join("measurements.csv")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let id = v["study"]["id"].as_str().unwrap();
        assert!(html.contains(id) && csv.contains(id), "mixed sets");
    }
    // A folder of someone else's files is never replaced.
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "keep me").unwrap();
    let out = nmjscope()
        .arg("analyze")
        .arg(dir.path().join("mg"))
        .arg("--out")
        .arg(&theirs)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(theirs.join("notes.txt").is_file());
}

#[test]
fn a_simulated_file_still_reads_after_the_plausibility_checks() {
    let dir = TempDir::new();
    for condition in [Condition::Normal, Condition::Mg, Condition::Lems] {
        let path = dir.write(
            "t.csv",
            test_file(&SimConfig {
                condition,
                seed: 3,
                ..SimConfig::default()
            }),
        );
        nmjscope().arg("analyze").arg(&path).assert().success();
    }
}

#[test]
fn output_never_replaces_what_nmjscope_did_not_write() {
    let (dir, files) = archive();
    put_study(&dir, "arch/p1", &files);
    dir.write("arch/summary.csv", "id,name\n");
    // `batch ROOT --out ROOT`: refused, the archive untouched.
    let root = dir.path().join("arch");
    let out = nmjscope()
        .args(["batch", "-q"])
        .arg(&root)
        .arg("--out")
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(root.join("p1").join(&files[0].0).is_file(), "input deleted");
    // `analyze DIR --out DIR` with a report.json of someone else's.
    let study = root.join("p1");
    std::fs::write(study.join("report.json"), "{}").unwrap();
    nmjscope()
        .arg("analyze")
        .arg(&study)
        .arg("--out")
        .arg(&study)
        .assert()
        .code(4);
    assert!(study.join(&files[0].0).is_file(), "input deleted");
    // A note added to our own report set is kept: the set is not replaced.
    let rep = dir.path().join("rep");
    nmjscope()
        .arg("analyze")
        .arg(&study)
        .arg("--out")
        .arg(&rep)
        .assert()
        .success();
    std::fs::write(rep.join("notes.txt"), "mine").unwrap();
    let out = nmjscope()
        .arg("analyze")
        .arg(&study)
        .arg("--out")
        .arg(&rep)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt"));
    assert_eq!(
        std::fs::read_to_string(rep.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn batch_output_inside_the_archive_is_never_scored() {
    let (dir, files) = archive();
    put_study(&dir, "arch/p1", &files);
    let root = dir.path().join("arch");
    for again in [false, true] {
        nmjscope()
            .args(["batch", "-q"])
            .arg(&root)
            .arg("--out")
            .arg(root.join("out"))
            .args(again.then_some("--force"))
            .assert()
            .success()
            .stderr(predicates::str::contains("1 studies scored, 0 failed"));
    }
    // Finished results are replaced only when asked to.
    let summary = std::fs::read(root.join("out/summary.csv")).unwrap();
    nmjscope()
        .args(["batch", "-q"])
        .arg(&root)
        .arg("--out")
        .arg(root.join("out"))
        .assert()
        .code(4)
        .stderr(
            predicates::str::contains("it holds finished batch results").and(
                predicates::str::contains("--resume").and(predicates::str::contains("--force")),
            ),
        );
    assert_eq!(
        std::fs::read(root.join("out/summary.csv")).unwrap(),
        summary
    );
    nmjscope()
        .args(["batch", "-q", "--jobs", "100000"])
        .arg(&root)
        .arg("--out")
        .arg(dir.path().join("o2"))
        .assert()
        .code(2);
}
