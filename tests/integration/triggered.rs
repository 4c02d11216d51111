//! Triggered (scope-mode) recordings: one block per stimulus, its time zero
//! the trigger (issue 28). The fixtures (`tests/data/formats/triggered/`,
//! `scripts/make_triggered_fixtures.py`) are LabChart and Spike2 text
//! exports and CFWB sweep files made from the v1 CSVs beside them, which
//! are the truth.

use std::path::{Path, PathBuf};

use crate::util::{analyze_json, nmjscope};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(rel)
}

fn analyze(path: &Path) -> serde_json::Value {
    analyze_json(path, &["--exercise-s", "10"])
}

fn numbers(test: &serde_json::Value, key: &str) -> Vec<f64> {
    test["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_f64().unwrap())
        .collect()
}

/// One test read from a triggered layout against its v1 CSV original.
struct Case<'a> {
    file: &'a str,
    /// The test's index in what was read (a CFWB folder holds three).
    index: usize,
    format: &'a str,
    source: &'a str,
    /// Where the layout's time line puts the first trigger.
    offset_ms: f64,
    pretrigger: bool,
}

fn compare(case: &Case, t0: &serde_json::Value, rate: Option<f64>, first_stimuli_ms: [f64; 2]) {
    let file = case.file;
    let read = analyze(&data(file));
    let t = &read["tests"][case.index];
    assert_eq!(t["source"]["stimuli"], case.source, "{file}");
    assert_eq!(t["source"]["format"], case.format, "{file}");
    let times = t["source"]["stimulus_times_ms"].as_array().unwrap();
    for (got, want) in times.iter().zip(first_stimuli_ms) {
        assert!(
            (got.as_f64().unwrap() - want - case.offset_ms).abs() < 0.01,
            "{file}: {times:?}"
        );
    }
    assert_eq!(t["stim_rate_hz"].as_f64(), rate, "{file}");
    assert_eq!(t["protocol"], t0["protocol"], "{file}");
    for key in ["amplitude_mv", "onset_ms", "area_mv_ms"] {
        let (got, want) = (numbers(t, key), numbers(t0, key));
        assert_eq!(got.len(), want.len(), "{file}");
        for (g, w) in got.iter().zip(&want) {
            // The same samples: read alike with the pre-trigger span
            // (CFWB's as 32-bit floats). Without it the noise is estimated
            // after the stimulus, and an onset may move by a sample
            // (0.1 ms); CFWB's 16-bit samples are within 0.3 uV.
            let tolerance = match (key, case.pretrigger) {
                ("onset_ms", true) => 1e-6,
                ("onset_ms", false) => 0.15,
                (_, true) => 1e-6 * w.abs() + 1e-6,
                _ => 0.005 * w.abs() + 0.002,
            };
            assert!(
                (g - w).abs() <= tolerance,
                "{file} {key}: {got:?} vs {want:?}"
            );
        }
    }
    for key in ["decrement_pct", "increment_pct"] {
        match (t[key].as_f64(), t0[key].as_f64()) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 0.2, "{file} {key}: {g} vs {w}"),
            (g, w) => assert_eq!(g, w, "{file} {key}"),
        }
    }
    assert_eq!(t["validity"]["code"], t0["validity"]["code"], "{file}");
}

#[test]
fn triggered_blocks_read_as_the_csv_original_in_both_forms() {
    for (index, (name, rate, first_stimuli_ms)) in [
        ("1_rns_5hz", Some(5.0), [0.0, 200.0]),
        ("2_exercise", None, [0.0, 15_000.0]),
        ("3_hfrns_50hz", Some(50.0), [0.0, 20.0]),
    ]
    .into_iter()
    .enumerate()
    {
        let truth = analyze(&data(&format!("v1/{name}.csv")));
        let t0 = &truth["tests"][0];
        for pretrigger in [true, false] {
            let form = if pretrigger {
                "pretrigger"
            } else {
                "from_trigger"
            };
            let files = [
                format!("triggered/{name}_{form}.txt"),
                format!("triggered/{name}_spike2_{form}.txt"),
                format!("triggered/cfwb_{form}"),
            ];
            let cases = [
                (&files[0], 0, "labchart", "blocks", 0.0),
                // Spike2: a marker channel holds the triggers of the
                // segments with a pre-trigger span; without one, each
                // segment's start.
                (
                    &files[1],
                    0,
                    "spike2",
                    if pretrigger { "markers" } else { "blocks" },
                    1000.0,
                ),
                // CFWB: a folder of one file per sweep, three tests.
                (&files[2], index, "cfwb", "blocks", 0.0),
            ];
            for (file, index, format, source, offset_ms) in cases {
                let case = Case {
                    file,
                    index,
                    format,
                    source,
                    offset_ms,
                    pretrigger,
                };
                compare(&case, t0, rate, first_stimuli_ms);
                if index == 0 && format != "cfwb" {
                    let read = analyze(&data(file));
                    assert_eq!(
                        read["interpretation"]["pattern"], truth["interpretation"]["pattern"],
                        "{file}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_cfwb_sweep_series_is_one_test_with_the_pattern_of_the_original() {
    let truth = analyze(&data("v1"));
    for form in ["cfwb_pretrigger", "cfwb_from_trigger"] {
        let read = analyze(&data(&format!("triggered/{form}")));
        let names: Vec<&str> = read["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["file"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "1_rns_5hz_01-10.adibin",
                "2_exercise_01-04.adibin",
                "3_hfrns_50hz_01-50.adibin"
            ],
            "{form}"
        );
        for key in ["pattern", "lems_criterion"] {
            assert_eq!(
                read["interpretation"][key], truth["interpretation"][key],
                "{form} {key}"
            );
        }
    }
}

#[test]
fn inspect_reports_the_blocks_as_the_stimulus_source() {
    let out = nmjscope()
        .arg("inspect")
        .arg(data("triggered/1_rns_5hz_pretrigger.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for words in [
        "stimuli:           10 from the triggered blocks' time zeros (a sweep each)",
        "pre-stimulus:      5 ms",
        "stim_rate_hz: 5",
        "muscle: ADM",
    ] {
        assert!(text.contains(words), "{words}\n{text}");
    }
    // Blocks that start at the trigger give sweeps that start there.
    let out = nmjscope()
        .arg("inspect")
        .arg(data("triggered/1_rns_5hz_from_trigger.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("pre-stimulus:      0 ms"), "{text}");
}

/// The 5 Hz train's CFWB sweep files, each through `change` (file number,
/// bytes), in a folder of their own; `None` leaves a file out.
fn cfwb_train(change: impl Fn(usize, Vec<u8>) -> Option<Vec<u8>>) -> crate::util::TempDir {
    let dir = crate::util::TempDir::new();
    for n in 1..=10 {
        let name = format!("1_rns_5hz_{n:02}.adibin");
        let bytes = std::fs::read(data(&format!("triggered/cfwb_pretrigger/{name}"))).unwrap();
        if let Some(bytes) = change(n, bytes) {
            dir.write(&name, bytes);
        }
    }
    dir
}

fn refusal(dir: &Path, flags: &[&str]) -> String {
    let out = nmjscope()
        .arg("analyze")
        .arg(dir)
        .args(flags)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    err
}

#[test]
fn a_cfwb_sweep_series_that_cannot_be_placed_is_refused_naming_the_file() {
    // A lost sweep would renumber the train: refused, naming the gap.
    let dir = cfwb_train(|n, b| (n != 4).then_some(b));
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("1_rns_5hz_05.adibin"), "{err}");
    assert!(
        err.contains("sweep 4 of 1_rns_5hz_01-10.adibin is missing"),
        "{err}"
    );
    // The first sweep lost: the numbers start at 2.
    let dir = cfwb_train(|n, b| (n != 1).then_some(b));
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("start at number 2"), "{err}");
    // One number twice.
    let dir = cfwb_train(|_, b| Some(b));
    std::fs::copy(
        dir.path().join("1_rns_5hz_03.adibin"),
        dir.path().join("1_rns_5hz_3.adibin"),
    )
    .unwrap();
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("both hold sweep 3"), "{err}");
    // Files numbered out of recording order.
    let dir = cfwb_train(|n, mut b| {
        let second = 0.2
            * (if n == 3 {
                4
            } else if n == 4 {
                3
            } else {
                n
            } - 1) as f64;
        b[36..44].copy_from_slice(&second.to_le_bytes());
        Some(b)
    });
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("1_rns_5hz_04.adibin"), "{err}");
    assert!(
        err.contains("not numbered in the order they were recorded"),
        "{err}"
    );
    // Another channel in one sweep.
    let dir = cfwb_train(|n, mut b| {
        if n == 7 {
            b[68..71].copy_from_slice(b"ECG");
        }
        Some(b)
    });
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("1_rns_5hz_07.adibin"), "{err}");
    assert!(err.contains("\"ECG\""), "{err}");
}

#[test]
fn undated_cfwb_sweeps_need_the_rate_and_read_right_with_it() {
    let undated = |_: usize, mut b: Vec<u8>| {
        b[16..20].copy_from_slice(&0i32.to_le_bytes());
        Some(b)
    };
    let dir = cfwb_train(undated);
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("1_rns_5hz_01.adibin"), "{err}");
    assert!(err.contains("give the stimulation rate (--rate)"), "{err}");
    let read = analyze_json(dir.path(), &["--rate", "5"]);
    let truth = analyze(&data("v1/1_rns_5hz.csv"));
    let (t, t0) = (&read["tests"][0], &truth["tests"][0]);
    // The same samples, as 32-bit floats.
    for (g, w) in numbers(t, "amplitude_mv")
        .iter()
        .zip(numbers(t0, "amplitude_mv"))
    {
        assert!((g - w).abs() < 1e-6 * w, "{g} vs {w}");
    }
    assert_eq!(t["stim_rate_hz"], 5.0);
    let (g, w) = (
        t["decrement_pct"].as_f64().unwrap(),
        t0["decrement_pct"].as_f64().unwrap(),
    );
    assert!((g - w).abs() < 1e-4, "{g} vs {w}");
}

#[test]
fn a_single_sweep_file_and_a_long_numbered_file_are_read_on_their_own() {
    // One numbered sweep file is no series: a test of one sweep, refused
    // as every test of fewer than two sweeps is.
    let dir = cfwb_train(|n, b| (n == 1).then_some(b));
    let err = refusal(dir.path(), &[]);
    assert!(err.contains("1_rns_5hz_01.adibin"), "{err}");
    // A continuous CFWB train named with a number stays its own test
    // beside a series.
    let dir = cfwb_train(|_, b| Some(b));
    std::fs::copy(
        data("cfwb/1_rns_5hz.adibin"),
        dir.path().join("train_2.adibin"),
    )
    .unwrap();
    let read = analyze_json(dir.path(), &[]);
    let files: Vec<&str> = read["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["1_rns_5hz_01-10.adibin", "train_2.adibin"]);
}

#[test]
fn a_cfwb_sweep_series_takes_the_markers_named_after_it_and_refuses_a_sweeps() {
    let dir = cfwb_train(|_, b| Some(b));
    let entry = "[[response]]\nresponse = 4\nexcluded = \"movement\"\nby = \"KH\"\nat = \"x\"\n";
    // Named after the series (the test's name in the report).
    dir.write("1_rns_5hz_01-10.adibin.markers.toml", entry);
    let json = analyze(dir.path());
    let test = &json["tests"][0];
    assert_eq!(test["file"], "1_rns_5hz_01-10.adibin");
    assert_eq!(test["responses"][3]["manual"]["excluded"], "movement");
    assert_eq!(test["decrement_read_to"], 5);
    // Named after one sweep file: refused with its name, never passed over.
    std::fs::remove_file(dir.path().join("1_rns_5hz_01-10.adibin.markers.toml")).unwrap();
    dir.write("1_rns_5hz_04.adibin.markers.toml", entry);
    let out = nmjscope().arg("analyze").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1_rns_5hz_04.adibin.markers.toml")
            && err.contains("no test file 1_rns_5hz_04.adibin"),
        "{err}"
    );
}
