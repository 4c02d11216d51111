//! Triggered (scope-mode) recordings: one block per stimulus, its time zero
//! the trigger (issue 28). The fixtures (`tests/data/formats/triggered/`,
//! `scripts/make_triggered_fixtures.py`) are LabChart and Spike2 text
//! exports made from the v1 CSVs beside them, which are the truth.

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

#[test]
fn triggered_blocks_read_as_the_csv_original_in_both_forms() {
    for (name, rate, first_stimuli_ms) in [
        ("1_rns_5hz", Some(5.0), [0.0, 200.0]),
        ("2_exercise", None, [0.0, 15_000.0]),
        ("3_hfrns_50hz", Some(50.0), [0.0, 20.0]),
    ] {
        let truth = analyze(&data(&format!("v1/{name}.csv")));
        let t0 = &truth["tests"][0];
        for (file, format, source, offset_ms) in [
            (
                format!("triggered/{name}_pretrigger.txt"),
                "labchart",
                "blocks",
                0.0,
            ),
            (
                format!("triggered/{name}_from_trigger.txt"),
                "labchart",
                "blocks",
                0.0,
            ),
            // Spike2: a marker channel holds the triggers of the segments
            // with a pre-trigger span; without one, each segment's start.
            (
                format!("triggered/{name}_spike2_pretrigger.txt"),
                "spike2",
                "markers",
                1000.0,
            ),
            (
                format!("triggered/{name}_spike2_from_trigger.txt"),
                "spike2",
                "blocks",
                1000.0,
            ),
        ] {
            let form = if file.contains("pretrigger") {
                "pretrigger"
            } else {
                "from_trigger"
            };
            let read = analyze(&data(&file));
            let t = &read["tests"][0];
            assert_eq!(t["source"]["stimuli"], source, "{file}");
            assert_eq!(t["source"]["format"], format, "{file}");
            let times = t["source"]["stimulus_times_ms"].as_array().unwrap();
            for (got, want) in times.iter().zip(first_stimuli_ms) {
                assert!(
                    (got.as_f64().unwrap() - want - offset_ms).abs() < 0.01,
                    "{file}: {times:?}"
                );
            }
            assert_eq!(t["stim_rate_hz"].as_f64(), rate, "{file}");
            assert_eq!(t["protocol"], t0["protocol"], "{file}");
            for key in ["amplitude_mv", "onset_ms", "area_mv_ms"] {
                let (got, want) = (numbers(t, key), numbers(t0, key));
                assert_eq!(got.len(), want.len(), "{file}");
                for (g, w) in got.iter().zip(&want) {
                    // The same samples: read alike with the pre-trigger
                    // span. Without it the noise is estimated after the
                    // stimulus, and an onset may move by a sample (0.1 ms).
                    let tolerance = match (key, form) {
                        ("onset_ms", "pretrigger") => 1e-6,
                        ("onset_ms", _) => 0.15,
                        (_, "pretrigger") => 1e-6 * w.abs(),
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
            assert_eq!(
                read["interpretation"]["pattern"], truth["interpretation"]["pattern"],
                "{file}"
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
