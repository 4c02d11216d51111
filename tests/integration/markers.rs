//! Markers set by hand (`<file>.markers.toml`, `docs/markers.md`): the
//! measures recomputed from them, excluded responses, refused sidecars,
//! the batch and the JSON report.

use std::f64::consts::PI;
use std::path::Path;

use nmjscope::model::{Flag, ReasonCode};
use nmjscope::{ReadOptions, Settings};

use crate::util::{analyze_json, nmjscope, TempDir};

const DT_MS: f64 = 0.05;
const T0_MS: f64 = -5.0;
const N: usize = 600;

fn time(i: usize) -> f64 {
    T0_MS + i as f64 * DT_MS
}

/// A half-sine lobe of `height` (negative for a negative phase) from `a`
/// to `b` ms.
fn lobe(t: f64, a: f64, b: f64, height: f64) -> f64 {
    if t > a && t < b {
        height * (PI * (t - a) / (b - a)).sin()
    } else {
        0.0
    }
}

/// Two negative phases without a return to baseline between them, the
/// first `first` mV deep (3-6.5 ms, peak at 4.75), the second 5 mV (6-10
/// ms, peak at 8), then a positive phase of 1.5 mV (10-14 ms).
fn double(t: f64, first: f64) -> f64 {
    lobe(t, 3.0, 6.5, -first) + lobe(t, 6.0, 10.0, -5.0) + lobe(t, 10.0, 14.0, 1.5)
}

/// One negative phase of `amp` mV (3-9 ms) and its positive phase.
fn single(t: f64, amp: f64) -> f64 {
    lobe(t, 3.0, 9.0, -amp) + lobe(t, 9.0, 14.0, 0.3 * amp)
}

/// A contract-v1 CSV of a 3 Hz train, one column per response.
fn train_csv(columns: &[Vec<f64>]) -> String {
    let mut s = String::from(
        "# protocol: rns\n# stim_rate_hz: 3\n# sampling_rate_hz: 20000\n# muscle: ADM\n# temperature_c: 33\ntime_ms",
    );
    for k in 1..=columns.len() {
        s.push_str(&format!(",r{k}"));
    }
    s.push('\n');
    for i in 0..N {
        s.push_str(&format!("{:.4}", time(i)));
        for c in columns {
            s.push_str(&format!(",{:.6}", c[i]));
        }
        s.push('\n');
    }
    s
}

fn column(f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..N).map(|i| f(time(i))).collect()
}

fn analyze(path: &Path) -> nmjscope::model::Report {
    let study = nmjscope::read_study(path, &ReadOptions::default()).expect("read");
    nmjscope::pipeline::analyze_study(&study, &Settings::default()).expect("analyze")
}

/// The smallest sample at or after `from_ms`, negated: the amplitude of
/// the peak after it, by hand (the peaks fall on samples).
fn peak_after(c: &[f64], from_ms: f64) -> f64 {
    -(0..N)
        .filter(|&i| time(i) >= from_ms)
        .map(|i| c[i])
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn a_manual_onset_past_the_first_peak_measures_the_second() {
    let dir = TempDir::new();
    let smaller = column(|t| double(t, 2.0));
    let larger = column(|t| double(t, 7.0));
    let plain = column(|t| single(t, 6.0));
    let cols = vec![
        smaller.clone(),
        larger.clone(),
        plain.clone(),
        plain.clone(),
    ];
    let test = dir.write("1_rns_3hz.csv", train_csv(&cols));
    dir.write(
        "1_rns_3hz.csv.markers.toml",
        r#"# markers for 1_rns_3hz.csv
[[response]]
response = 1
onset_ms = 6.3
end_ms = 10.0
by = "KH"
at = "2026-12-07T10:15"

[[response]]
response = "r2"
onset_ms = 6.3
by = "KH"
at = "2026-12-07T10:15"

[[response]]
response = 3
negative_peak_ms = 5.33
by = "AB"
at = 2026-12-07T10:16:00

[[response]]
response = 4
end_ms = 8.0
by = "AB"
at = "2026-12-07T10:16"
"#,
    );
    let report = analyze(dir.path());
    let r = &report.tests[0].responses;
    // Response 1: the onset set past the first peak measures the second
    // (5 mV, at 8 ms).
    let by_hand = peak_after(&smaller, 6.3);
    assert!((by_hand - 5.0).abs() < 1e-6);
    let a1 = r[0].amplitude_mv.unwrap();
    assert!((a1 - by_hand).abs() < 0.02, "{a1} against {by_hand}");
    assert_eq!(r[0].onset_ms, Some(6.3));
    assert!((r[0].negative_peak_ms.unwrap() - 8.0).abs() < 0.06);
    let m = r[0].manual.as_ref().expect("manual record");
    assert_eq!(m.by, "KH");
    assert!(m.automatic_onset_ms.unwrap() < 6.3, "{m:?}");
    // Duration and area from the onset to the end set at 10 ms: the
    // trapezoids of the samples from 6.3 to 10 ms, by hand.
    assert!((r[0].duration_ms.unwrap() - 3.7).abs() < 1e-9);
    let (i0, i1) = (226, 300);
    assert!((time(i0) - 6.3).abs() < 1e-9 && (time(i1) - 10.0).abs() < 1e-9);
    let trapezoids: f64 = (i0..i1)
        .map(|i| -0.5 * (smaller[i] + smaller[i + 1]) * DT_MS)
        .sum();
    let area = r[0].area_mv_ms.unwrap();
    assert!(
        (area - trapezoids).abs() < 0.01,
        "area {area} against {trapezoids}"
    );
    // Response 2: the automatic measure took the larger first peak; the
    // onset past it measures the second.
    let auto = r[1]
        .manual
        .as_ref()
        .unwrap()
        .automatic_amplitude_mv
        .unwrap();
    assert!((auto - 7.0).abs() < 0.05, "automatic {auto}");
    let a2 = r[1].amplitude_mv.unwrap();
    assert!((a2 - peak_after(&larger, 6.3)).abs() < 0.02, "{a2}");
    assert!((a2 - 5.0).abs() < 0.02, "{a2}");
    // Response 3: the peak set at 5.33 ms: the trace's value there,
    // linear between the samples at 5.30 and 5.35 ms.
    let (v0, v1) = (single(5.30, 6.0), single(5.35, 6.0));
    let at = -(v0 + (v1 - v0) * (5.33 - 5.30) / DT_MS);
    let a3 = r[2].amplitude_mv.unwrap();
    assert!((a3 - at).abs() < 1e-3, "{a3} against {at}");
    assert!(a3 < 6.0 - 0.05, "the peak set before the true one");
    assert_eq!(r[2].negative_peak_ms, Some(5.33));
    // Response 4: the end set at 8 ms makes the duration from the onset.
    let (o4, d4) = (r[3].onset_ms.unwrap(), r[3].duration_ms.unwrap());
    assert!((o4 + d4 - 8.0).abs() < 1e-9, "{o4} + {d4}");
    assert!(r[3].manual.as_ref().unwrap().automatic_end_ms.unwrap() > 8.9);
    // The report says who moved what.
    let caveats = &report.interpretation.caveats;
    assert!(
        caveats.iter().any(|c| c
            == "Markers of responses 1 and 2 of 1_rns_3hz.csv adjusted by KH (2026-12-07T10:15)."),
        "{caveats:?}"
    );
    assert!(caveats
        .iter()
        .any(|c| c == "Markers of responses 3 and 4 of 1_rns_3hz.csv adjusted by AB (2026-12-07T10:16, 2026-12-07T10:16:00)."));
    // The JSON keeps both the automatic and the manual values.
    let json = analyze_json(dir.path(), &[]);
    let r1 = &json["tests"][0]["responses"][0];
    assert!((r1["amplitude_mv"].as_f64().unwrap() - 5.0).abs() < 0.02);
    assert_eq!(r1["manual"]["set"], serde_json::json!(["onset", "end"]));
    assert_eq!(r1["manual"]["at"], "2026-12-07T10:15");
    assert!(r1["manual"]["automatic_onset_ms"].as_f64().unwrap() < 6.3);
    assert!(json["tests"][0]["responses"][0]["manual"]["excluded"].is_null());
    let _ = test;
}

#[test]
fn a_baseline_window_set_by_hand_measures_the_amplitude_from_its_level() {
    // The trace sits 0.4 mV above the pre-stimulus level from 16 ms on
    // (a slow shift after the response): a window set there measures the
    // negative peak from that level, 6 + 0.4 mV by hand.
    let dir = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    let shifted = column(|t| single(t, 6.0) + if t >= 16.0 { 0.4 } else { 0.0 });
    dir.write(
        "1_rns_3hz.csv",
        train_csv(&[plain.clone(), shifted.clone(), plain.clone(), plain]),
    );
    dir.write(
        "1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 2\nbaseline_ms = [18.0, 24.0]\nby = \"KH\"\nat = \"2026-12-07T10:20\"\n",
    );
    let report = analyze(dir.path());
    let r = &report.tests[0].responses[1];
    let auto = r.manual.as_ref().unwrap().automatic_amplitude_mv.unwrap();
    assert!((auto - 6.0).abs() < 0.02, "automatic {auto}");
    let level: f64 = 0.4;
    let by_hand = peak_after(&shifted, 0.0) + level;
    let a = r.amplitude_mv.unwrap();
    assert!((a - by_hand).abs() < 0.02, "{a} against {by_hand}");
    assert_eq!(r.baseline_window_ms, [18.0, 24.0]);
    assert_eq!(r.baseline_source, nmjscope::model::BaselineSource::Manual);
    let m = r.manual.as_ref().unwrap();
    assert_eq!(m.set, vec![nmjscope::model::Mark::Baseline]);
    assert!(m.automatic_baseline_window_ms.unwrap()[1] < 16.0, "{m:?}");
    // The baseline under each sample, as the plots subtract it, is the
    // window's level there.
    assert!(
        (r.baseline_at(20.0) - level).abs() < 0.01,
        "{}",
        r.baseline_at(20.0)
    );
    // The decrement follows: the 4th response (6 mV) against the 1st.
    assert!(report.tests[0].decrement_pct.unwrap().abs() < 0.5);
    assert!(report
        .interpretation
        .caveats
        .iter()
        .any(|c| c == "Markers of response 2 of 1_rns_3hz.csv adjusted by KH (2026-12-07T10:20)."));
}

#[test]
fn the_markers_a_page_writes_read_back_to_the_same_marks() {
    use nmjscope::model::{MarkEntry, ResponseLabel, ResponseRef};
    let entries = vec![
        MarkEntry {
            response: ResponseRef::Number(2),
            line: 0,
            onset_ms: Some(2.950_000_000_1),
            negative_peak_ms: Some(6.3),
            end_ms: None,
            baseline_ms: Some([-4.5, -0.25]),
            excluded: None,
            by: "K. \"H\" \\ lab".into(),
            at: "2026-12-07T10:15".into(),
        },
        MarkEntry {
            response: ResponseRef::Label(ResponseLabel::parse("post_0s")),
            line: 0,
            onset_ms: None,
            negative_peak_ms: None,
            end_ms: None,
            baseline_ms: None,
            excluded: Some("movement artifact".into()),
            by: "KH".into(),
            at: "2026-12-07T10:16".into(),
        },
    ];
    let text = nmjscope::io::markers_toml("1_rns_3hz.csv", &entries);
    let back = nmjscope::io::parse_markers(Path::new("1_rns_3hz.csv.markers.toml"), &text).unwrap();
    assert_eq!(back.entries.len(), 2);
    for (a, b) in entries.iter().zip(&back.entries) {
        assert_eq!(
            (
                &a.response,
                a.onset_ms,
                a.negative_peak_ms,
                a.baseline_ms,
                &a.excluded,
                &a.by,
                &a.at
            ),
            (
                &b.response,
                b.onset_ms,
                b.negative_peak_ms,
                b.baseline_ms,
                &b.excluded,
                &b.by,
                &b.at
            ),
            "{text}"
        );
    }
}

/// A train of ten single-phase CMAPs scaled by `factors`.
fn decrement_study(dir: &TempDir, excluded: &[usize]) -> nmjscope::model::Report {
    let factors = [1.0, 0.9, 0.85, 0.8, 0.78, 0.79, 0.8, 0.82, 0.83, 0.84];
    let cols: Vec<Vec<f64>> = factors
        .iter()
        .map(|f| column(|t| single(t, 6.0 * f)))
        .collect();
    dir.write("1_rns_3hz.csv", train_csv(&cols));
    let mut sidecar = String::new();
    for k in excluded {
        sidecar.push_str(&format!(
            "[[response]]\nresponse = {k}\nexcluded = \"movement artifact\"\nby = \"KH\"\nat = \"2026-12-07T10:16\"\n\n"
        ));
    }
    dir.write("1_rns_3hz.csv.markers.toml", sidecar);
    analyze(dir.path())
}

#[test]
fn an_excluded_fourth_response_reads_the_decrement_to_the_fifth() {
    let dir = TempDir::new();
    let report = decrement_study(&dir, &[4]);
    let t = &report.tests[0];
    let r4 = &t.responses[3];
    assert!(r4.has(Flag::Excluded) && r4.amplitude_mv.is_none());
    assert_eq!(
        r4.manual.as_ref().unwrap().excluded.as_deref(),
        Some("movement artifact")
    );
    assert!(r4.manual.as_ref().unwrap().automatic_amplitude_mv.is_some());
    // By hand: (A1 - A5) / A1 = 1 - 0.78.
    let d = t.decrement_pct.expect("a decrement");
    assert!((d - 22.0).abs() < 0.3, "{d}");
    assert_eq!(t.decrement_read_to, Some(5));
    assert_eq!(t.decrement_4th_pct, None);
    assert!(!t
        .validity
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::NotDone));
    assert!(!t
        .validity
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::Flagged));
    let caveats = &report.interpretation.caveats;
    assert!(caveats.iter().any(|c| c.starts_with(
        "1_rns_3hz.csv: the 4th response is excluded, so the decrement is read to the 5th"
    ) && c.contains("Muscle Nerve 2001")));
    assert!(caveats.iter().any(|c| c
        == "Response 4 of 1_rns_3hz.csv excluded by KH (2026-12-07T10:16): movement artifact."));
}

#[test]
fn an_excluded_fourth_and_fifth_leave_no_decrement_and_say_why() {
    let dir = TempDir::new();
    let report = decrement_study(&dir, &[4, 5]);
    let t = &report.tests[0];
    assert_eq!(t.decrement_pct, None);
    assert_eq!(t.decrement_read_to, None);
    let why = t
        .validity
        .reasons
        .iter()
        .find(|r| r.code == ReasonCode::NotDone)
        .expect("not done");
    assert_eq!(
        why.text,
        "1_rns_3hz.csv: the 4th response is excluded by hand (movement artifact), and so is the 5th, which AAEM 2001 reads in its place"
    );
}

#[test]
fn a_bad_sidecar_is_refused_with_file_and_line() {
    let cases = [
        (
            "[[response]]\nresponse = 2\nonset = 3.0\nby = \"KH\"\nat = \"2026-12-07\"\n",
            "line 3",
            "unknown field `onset`",
        ),
        (
            "# a comment\n[[response]]\nresponse = 2\nonset_ms = 5.0\nnegative_peak_ms = 4.0\nby = \"KH\"\nat = \"2026-12-07\"\n",
            "line 2",
            "the negative peak (4 ms) is not after its onset (5 ms)",
        ),
        (
            "[[response]]\nresponse = 1\nonset_ms = 3.0\nby = \"KH\"\nat = \"2026-12-07\"\n\n[[response]]\nresponse = 99\nonset_ms = 3.0\nby = \"KH\"\nat = \"2026-12-07\"\n",
            "line 7",
            "response 99 does not exist: 1_rns_3hz.csv has 4",
        ),
        (
            "[[response]]\nresponse = 2\nonset_ms = 3.0\nby = \"KH\"\nat = \"x\"\n[[response]]\nresponse = \"r2\"\nend_ms = 9.0\nby = \"KH\"\nat = \"x\"\n",
            "line 6",
            "response 2 has an entry already, at line 1",
        ),
        (
            "[[response]]\nresponse = 2\nonset_ms = 3.0\nat = \"x\"\n",
            "line 1",
            "an entry without `by`",
        ),
        (
            "[[response]]\nresponse = 2\nonset_ms = 3.0\nexcluded = \"noise\"\nby = \"KH\"\nat = \"x\"\n",
            "line 1",
            "give `excluded` or marks, not both",
        ),
        (
            "[[response]]\nresponse = 2\nend_ms = 40.0\nby = \"KH\"\nat = \"x\"\n",
            "line 1",
            "end_ms = 40 lies outside the sweep (-5 to 24.95 ms)",
        ),
        (
            "[[response]]\nresponse = 2\nbaseline_ms = [20.0, 20.05]\nby = \"KH\"\nat = \"x\"\n",
            "line 1",
            "baseline_ms = [20, 20.05] holds fewer than 3 samples",
        ),
        (
            "[[response]]\nresponse = 2\nbaseline_ms = [22.0, 20.0]\nby = \"KH\"\nat = \"x\"\n",
            "line 3",
            "the window's start comes first",
        ),
        (
            "[[response]]\nresponse = 2\nbaseline_ms = [-9.0, 0.0]\nby = \"KH\"\nat = \"x\"\n",
            "line 1",
            "baseline_ms = -9 lies outside the sweep",
        ),
    ];
    let plain = column(|t| single(t, 6.0));
    for (text, line, what) in cases {
        let dir = TempDir::new();
        let test = dir.write("1_rns_3hz.csv", train_csv(&vec![plain.clone(); 4]));
        dir.write("1_rns_3hz.csv.markers.toml", text);
        // A folder and a single file are read alike.
        for path in [dir.path(), test.as_path()] {
            let err = nmjscope::read_study(path, &ReadOptions::default()).unwrap_err();
            let msg = err.to_string();
            let at = format!("1_rns_3hz.csv.markers.toml, {line}: ");
            assert!(msg.contains(&at) && msg.contains(what), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
        // The command line refuses it with the same line.
        let out = nmjscope().arg("analyze").arg(dir.path()).output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains(what));
    }
}

#[test]
fn batch_applies_the_sidecars_and_counts_the_manual_responses() {
    let root = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    let csv = train_csv(&vec![plain; 5]);
    root.write("a/1_rns_3hz.csv", &csv);
    root.write(
        "a/1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 2\nonset_ms = 3.5\nby = \"KH\"\nat = \"x\"\n\n[[response]]\nresponse = 4\nexcluded = \"cough\"\nby = \"KH\"\nat = \"x\"\n",
    );
    root.write("b/1_rns_3hz.csv", &csv);
    let out = root.path().join("out");
    nmjscope()
        .arg("batch")
        .arg(root.path().join("a").parent().unwrap())
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "1", "--quiet"])
        .assert()
        .success();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rows = summary.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "manual_responses")
        .unwrap();
    let counts: Vec<(String, String)> = rows
        .map(|r| {
            let cells: Vec<&str> = r.split(',').collect();
            (cells[0].to_string(), cells[col].to_string())
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("a".to_string(), "2".to_string()),
            ("b".to_string(), "0".to_string())
        ]
    );
    // The study's report names the markers file and its hash.
    let jsonl = std::fs::read_to_string(out.join("studies.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    let used = &first["study"]["markers"][0];
    assert_eq!(used["test"], "1_rns_3hz.csv");
    assert_eq!(used["file"], "1_rns_3hz.csv.markers.toml");
    assert_eq!(used["hash"].as_str().unwrap().len(), 16);
}

#[test]
fn a_markers_folder_apart_from_the_archive_is_used_by_analyze_and_batch() {
    let root = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    let csv = train_csv(&vec![plain; 5]);
    root.write("archive/a/1_rns_3hz.csv", &csv);
    root.write("archive/b/1_rns_3hz.csv", &csv);
    // Beside the test: replaced by the one in the markers folder.
    root.write(
        "archive/a/1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 2\nonset_ms = 3.5\nby = \"KH\"\nat = \"x\"\n",
    );
    root.write(
        "marks/a/1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 4\nexcluded = \"cough\"\nby = \"AB\"\nat = \"x\"\n",
    );
    let archive = root.path().join("archive");
    let marks = root.path().join("marks");
    let json = analyze_json(
        &archive.join("a"),
        &["--markers", marks.join("a").to_str().unwrap()],
    );
    let r = &json["tests"][0]["responses"];
    assert_eq!(r[3]["manual"]["by"], "AB");
    assert!(
        r[1]["manual"].is_null(),
        "the sidecar beside it is replaced"
    );
    assert_eq!(json["tests"][0]["decrement_read_to"], 5);
    let out = root.path().join("out");
    nmjscope()
        .arg("batch")
        .arg(&archive)
        .arg("--out")
        .arg(&out)
        .arg("--markers")
        .arg(&marks)
        .args(["--jobs", "1", "--quiet"])
        .assert()
        .success();
    let jsonl = std::fs::read_to_string(out.join("studies.jsonl")).unwrap();
    let hashes: Vec<String> = jsonl
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["study"]["markers"][0]["file"].to_string()
        })
        .collect();
    assert_eq!(hashes, ["\"1_rns_3hz.csv.markers.toml\"", "null"]);
    // A markers file in the folder that names no test is refused by name;
    // batch takes a folder, not a file.
    root.write("marks/a/2_typo.csv.markers.toml", "");
    let err = nmjscope()
        .arg("analyze")
        .arg(archive.join("a"))
        .arg("--markers")
        .arg(marks.join("a"))
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(5));
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(
        msg.contains("2_typo.csv.markers.toml") && msg.contains("no test file 2_typo.csv"),
        "{msg}"
    );
    let err = nmjscope()
        .arg("batch")
        .arg(&archive)
        .arg("--out")
        .arg(root.path().join("out2"))
        .arg("--markers")
        .arg(marks.join("a/1_rns_3hz.csv.markers.toml"))
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&err.stderr).contains("a folder of markers files"));
}

#[test]
fn the_markers_command_writes_a_starting_point_and_never_a_persons_file() {
    let dir = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    let test = dir.write("1_rns_3hz.csv", train_csv(&vec![plain; 4]));
    let side = dir.path().join("1_rns_3hz.csv.markers.toml");
    nmjscope()
        .arg("markers")
        .arg(&test)
        .arg("-o")
        .arg(&side)
        .assert()
        .success();
    let text = std::fs::read_to_string(&side).unwrap();
    assert!(
        text.contains("# [[response]]\n# response = 4\n# onset_ms = "),
        "{text}"
    );
    // As written it changes nothing, and it can be written again.
    let before = analyze(dir.path());
    assert!(before.tests[0].responses.iter().all(|r| r.manual.is_none()));
    assert!(before.study.markers.len() == 1);
    nmjscope()
        .arg("markers")
        .arg(&test)
        .arg("-o")
        .arg(&side)
        .assert()
        .success();
    // An entry uncommented at its automatic marks measures the same.
    let edited: String = text
        .split("\n\n")
        .map(|block| {
            if block.starts_with("# [[response]]\n# response = 2\n") {
                block
                    .lines()
                    .map(|l| l.trim_start_matches("# "))
                    .map(|l| match l {
                        "by = \"\"" => "by = \"KH\"",
                        "at = \"\"" => "at = \"2026-12-07T10:15\"",
                        other => other,
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                block.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    std::fs::write(&side, &edited).unwrap();
    let after = analyze(dir.path());
    let (a, b) = (&before.tests[0].responses[1], &after.tests[0].responses[1]);
    assert!(b.manual.is_some());
    let (x, y) = (a.amplitude_mv.unwrap(), b.amplitude_mv.unwrap());
    assert!((x - y).abs() < 0.01, "{x} {y}");
    // A file with entries set by hand, or one it did not write, is never
    // replaced.
    for text in [edited.as_str(), "# my notes\n"] {
        std::fs::write(&side, text).unwrap();
        nmjscope()
            .arg("markers")
            .arg(&test)
            .arg("-o")
            .arg(&side)
            .assert()
            .failure();
        assert_eq!(std::fs::read_to_string(&side).unwrap(), text);
    }
}

#[test]
fn analyze_takes_a_markers_file_for_one_test() {
    let dir = TempDir::new();
    let factors = [1.0, 0.9, 0.85, 0.8, 0.78];
    let cols: Vec<Vec<f64>> = factors
        .iter()
        .map(|f| column(|t| single(t, 6.0 * f)))
        .collect();
    let test = dir.write("1_rns_3hz.csv", train_csv(&cols));
    let given = dir.write(
        "checked.toml",
        "[[response]]\nresponse = 4\nexcluded = \"cough\"\nby = \"KH\"\nat = \"x\"\n",
    );
    let json = analyze_json(&test, &["--markers", given.to_str().unwrap()]);
    let t = &json["tests"][0];
    assert_eq!(t["decrement_read_to"], 5);
    assert!((t["decrement_pct"].as_f64().unwrap() - 22.0).abs() < 0.3);
    assert_eq!(json["study"]["markers"][0]["file"], "checked.toml");
    // A folder of several tests needs each test's own beside it.
    dir.write("2_rns_3hz.csv", train_csv(&cols));
    let out = nmjscope()
        .arg("analyze")
        .arg(dir.path())
        .arg("--markers")
        .arg(&given)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("a markers file gives the markers of one test, and"));
}

#[test]
fn a_decrement_read_to_the_5th_is_named_so_in_the_finding_and_the_table() {
    let dir = crate::util::TempDir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg/1_rns_3hz.csv");
    dir.write("1_rns_3hz.csv", std::fs::read(&sample).unwrap());
    dir.write(
        "1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 4\nexcluded = \"movement artifact\"\nby = \"KH\"\nat = \"2026-12-07T10:16\"\n",
    );
    let out = crate::util::nmjscope()
        .arg("analyze")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("from the 1st to the 5th response"), "{text}");
    assert!(
        text.contains("Area decrement to the 5th response"),
        "{text}"
    );
    assert!(!text.contains("from the 1st to the 4th response"), "{text}");
}

#[test]
fn a_mark_set_by_hand_is_drawn_in_its_own_style_with_a_legend_entry() {
    let dir = crate::util::TempDir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg/1_rns_3hz.csv");
    dir.write("1_rns_3hz.csv", std::fs::read(&sample).unwrap());
    let study = nmjscope::read_study(dir.path(), &nmjscope::ReadOptions::default()).unwrap();
    let plain = nmjscope::Analyzer::default()
        .analyze_with_display(&study)
        .unwrap();
    dir.write(
        "1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 2\nonset_ms = 3.1\nby = \"KH\"\nat = \"2026-12-07T10:17\"\n[[response]]\nresponse = 4\nexcluded = \"movement artifact\"\nby = \"KH\"\nat = \"2026-12-07T10:18\"\n",
    );
    let study = nmjscope::read_study(dir.path(), &nmjscope::ReadOptions::default()).unwrap();
    let marked = nmjscope::Analyzer::default()
        .analyze_with_display(&study)
        .unwrap();
    assert!(marked.displays[0].traces[1].manual_onset);
    assert!(!marked.displays[0].traces[1].manual_peak);
    assert!(marked.displays[0].traces[3].excluded);
    let svg = |a: &nmjscope::pipeline::Analysis| {
        let files = nmjscope::render::report_set(&a.report, &a.displays).unwrap();
        let (_, bytes) = files
            .into_iter()
            .find(|(n, _)| n == "plots/1_rns_3hz_stack.svg")
            .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let (with, without) = (svg(&marked), svg(&plain));
    assert!(with.contains("set by hand") && with.contains("excluded by hand"));
    assert!(!without.contains("set by hand"));
}

/// A 3 Hz train of five single-phase CMAPs (6 mV, then 5.4 mV: a
/// decrement of 10% at the 4th) with `sidecar` beside it.
fn marked_train(dir: &TempDir, sidecar: &str) -> nmjscope::model::Report {
    let cols: Vec<Vec<f64>> = [1.0, 0.95, 0.92, 0.7, 0.7]
        .iter()
        .map(|f| column(|t| single(t, 6.0 * f)))
        .collect();
    dir.write("1_rns_3hz.csv", train_csv(&cols));
    dir.write("1_rns_3hz.csv.markers.toml", sidecar);
    analyze(dir.path())
}

#[test]
fn a_mark_the_trace_does_not_bear_out_makes_the_test_unreliable_and_both_readings_are_shown() {
    // The 1st response's peak set on its rising flank (4.2 ms; the lowest
    // point is at 6 ms, inside the phase the marks delimit): a smaller
    // reference turns a 30% decrement into none.
    let dir = TempDir::new();
    let report = marked_train(
        &dir,
        "[[response]]\nresponse = 1\nnegative_peak_ms = 4.2\nby = \"KH\"\nat = \"2026-12-07T10:15\"\n",
    );
    let t = &report.tests[0];
    assert!(
        t.responses[0].has(Flag::MarkImplausible),
        "{:?}",
        t.responses[0].flags
    );
    assert_eq!(t.validity.code, nmjscope::model::ValidityCode::Unreliable);
    let auto = t.automatic.unwrap().decrement_pct.unwrap();
    assert!((auto - 30.0).abs() < 0.3, "{auto}");
    assert!(t.decrement_pct.unwrap() < 10.0);
    let said = format!(
        "1_rns_3hz.csv: with the automatic markers the decrement is {auto:.1}%; with the marks set by hand, {:.1}%.",
        t.decrement_pct.unwrap()
    );
    assert!(
        report.interpretation.caveats.contains(&said),
        "{:?}",
        report.interpretation.caveats
    );
    // A peak set on the positive phase, an onset past the response, an end
    // before the peak: flagged, never a confident 100% decrement.
    for marks in [
        "negative_peak_ms = 10.5",
        "onset_ms = 20.0",
        "end_ms = 4.0",
        "baseline_ms = [4.0, 7.0]",
    ] {
        let dir = TempDir::new();
        let report = marked_train(
            &dir,
            &format!("[[response]]\nresponse = 4\n{marks}\nby = \"KH\"\nat = \"x\"\n"),
        );
        let t = &report.tests[0];
        assert!(
            t.responses[3].has(Flag::MarkImplausible),
            "{marks}: {:?}",
            t.responses[3].flags
        );
        assert_eq!(
            t.validity.code,
            nmjscope::model::ValidityCode::Unreliable,
            "{marks}"
        );
    }
}

#[test]
fn the_5th_response_excluded_reads_the_decrement_to_the_4th_when_the_5th_is_set() {
    let dir = TempDir::new();
    let cols: Vec<Vec<f64>> = [1.0, 0.9, 0.85, 0.8, 0.78]
        .iter()
        .map(|f| column(|t| single(t, 6.0 * f)))
        .collect();
    dir.write("1_rns_3hz.csv", train_csv(&cols));
    dir.write(
        "1_rns_3hz.csv.markers.toml",
        "[[response]]\nresponse = 5\nexcluded = \"cough\"\nby = \"KH\"\nat = \"x\"\n",
    );
    let json = analyze_json(dir.path(), &["--decrement-response", "5"]);
    let t = &json["tests"][0];
    assert_eq!(t["decrement_read_to"], 4);
    assert!((t["decrement_pct"].as_f64().unwrap() - 20.0).abs() < 0.3);
    let caveats = json["interpretation"]["caveats"].to_string();
    assert!(
        caveats.contains("the 5th response is excluded, so the decrement is read to the 4th"),
        "{caveats}"
    );
}

#[test]
fn markers_files_that_are_links_or_given_wrong_are_refused_and_a_persons_file_is_kept() {
    let dir = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    let test = dir.write("s/1_rns_3hz.csv", train_csv(&vec![plain; 4]));
    let real = dir.write(
        "elsewhere.toml",
        "[[response]]\nresponse = 4\nexcluded = \"x\"\nby = \"KH\"\nat = \"x\"\n",
    );
    let side = dir.path().join("s/1_rns_3hz.csv.markers.toml");
    std::os::unix::fs::symlink(&real, &side).unwrap();
    // A link is refused, for a folder and for a single file.
    for path in [dir.path().join("s"), test.clone()] {
        let out = nmjscope().arg("analyze").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(5), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("1_rns_3hz.csv.markers.toml") && err.contains("a symbolic link"),
            "{err}"
        );
    }
    std::fs::remove_file(&side).unwrap();
    // A study's markers folder that holds none for it (the archive's
    // layout given for one study), and a markers path that does not exist.
    dir.write("marks/s/1_rns_3hz.csv.markers.toml", "");
    for (given, code, said) in [
        ("marks", 5, "no markers file here for the tests of"),
        ("nowhere.toml", 4, "nowhere.toml"),
    ] {
        let out = nmjscope()
            .arg("analyze")
            .arg(dir.path().join("s"))
            .arg("--markers")
            .arg(dir.path().join(given))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{given}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(said),
            "{given}"
        );
    }
    // `markers -o` keeps a person's entries in any TOML form.
    let own = dir.path().join("own.toml");
    for hand in [
        "response = [{response = 1, onset_ms = 2.6, by = \"KH\", at = \"x\"}]\n",
        "[[ response ]]\nresponse = 1\nonset_ms = 2.6\nby = \"KH\"\nat = \"x\"\n",
        "unrelated text\n",
    ] {
        nmjscope()
            .arg("markers")
            .arg(&test)
            .arg("-o")
            .arg(&own)
            .assert()
            .success();
        let mut text = std::fs::read_to_string(&own).unwrap();
        text.push_str(hand);
        std::fs::write(&own, &text).unwrap();
        let out = nmjscope()
            .arg("markers")
            .arg(&test)
            .arg("-o")
            .arg(&own)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{hand}");
        assert_eq!(std::fs::read_to_string(&own).unwrap(), text, "{hand}");
        std::fs::remove_file(&own).unwrap();
    }
}

#[test]
fn a_markers_file_at_the_archives_top_naming_no_file_there_is_noted() {
    let root = TempDir::new();
    let plain = column(|t| single(t, 6.0));
    root.write("archive/loose.csv", train_csv(&vec![plain; 4]));
    root.write(
        "archive/looose.csv.markers.toml",
        "[[response]]\nresponse = 4\nexcluded = \"x\"\nby = \"KH\"\nat = \"x\"\n",
    );
    let out = nmjscope()
        .arg("batch")
        .arg(root.path().join("archive"))
        .arg("--out")
        .arg(root.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("looose.csv.markers.toml (a markers file that names no trace file here)"),
        "{err}"
    );
}
