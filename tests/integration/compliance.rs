//! One compliance test run over every reader's output on every format
//! fixture (27 files), as python-neo checks its raw readers (issue 28): the raw
//! channels (rates, units, segments in time order, finite values) and the
//! test cut from them (sampling rate, time zero, sweep length, stimulus
//! times within one sample of the truth, labels, and every sample against
//! the v1 CSV it was made from).

use std::path::{Path, PathBuf};

use nmjscope::io::{read_signal_file, read_trace_file, ChannelData, ReadOptions};
use nmjscope::model::{Recording, ResponseLabel, VoltUnit};

const FS_HZ: f64 = 10_000.0;
const SAMPLE_S: f64 = 1.0 / FS_HZ;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(rel)
}

/// Where each test's stimuli are, in s from the start of its recording
/// (`scripts/make_format_fixtures.py`, `scripts/make_triggered_fixtures.py`).
fn truth_stimuli_s(path: &Path, test: &str, triggered: bool) -> Vec<f64> {
    // The LabChart exercise series is one 65 ms block per CMAP, its
    // stimulus 15 ms into the block.
    let labchart_blocks = path.ends_with("labchart/2_exercise.txt");
    let spike2_triggered = path.to_string_lossy().contains("_spike2_");
    let first = match (triggered, labchart_blocks) {
        (true, _) if spike2_triggered => 1.0,
        (true, _) => 0.0,
        (_, true) => 0.015,
        _ => 0.05,
    };
    match test {
        "1_rns_5hz" => (0..10).map(|k| first + k as f64 / 5.0).collect(),
        "3_hfrns_50hz" => (0..50).map(|k| first + k as f64 / 50.0).collect(),
        _ => [0.0, 15.0, 45.0, 75.0].iter().map(|t| first + t).collect(),
    }
}

/// Every fixture: (file, test name, triggered, what the raw reader gives).
fn fixtures() -> Vec<(PathBuf, &'static str, bool)> {
    let mut out = Vec::new();
    for test in ["1_rns_5hz", "2_exercise", "3_hfrns_50hz"] {
        for (dir, ext) in [
            ("edf", "edf"),
            ("labchart", "txt"),
            ("spike2", "txt"),
            ("csv", "csv"),
        ] {
            out.push((data(&format!("{dir}/{test}.{ext}")), test, false));
        }
        for form in [
            "pretrigger",
            "from_trigger",
            "spike2_pretrigger",
            "spike2_from_trigger",
        ] {
            out.push((data(&format!("triggered/{test}_{form}.txt")), test, true));
        }
    }
    out.push((data("bdf/3_hfrns_50hz.bdf"), "3_hfrns_50hz", false));
    for test in ["1_rns_5hz", "3_hfrns_50hz"] {
        out.push((data(&format!("cfwb/{test}.adibin")), test, false));
    }
    out
}

/// The raw channels: a measured channel at 10 kHz in a voltage unit, its
/// segments in time order without overlap, every value finite, every
/// annotation within the recording.
fn check_raw(path: &Path) {
    let name = path.display();
    let Ok(file) = read_signal_file(path, &ReadOptions::default()) else {
        // A CSV is read as a test; its channels are checked through it.
        assert!(path.extension().is_some_and(|e| e == "csv"), "{name}");
        return;
    };
    let emg = file
        .channels
        .iter()
        .find(|c| c.name.to_lowercase().starts_with("emg"))
        .unwrap_or_else(|| panic!("{name}: no EMG channel"));
    assert!(
        VoltUnit::parse(&emg.unit).is_some(),
        "{name}: unit {:?}",
        emg.unit
    );
    let ChannelData::Waveform {
        sampling_rate_hz,
        segments,
    } = &emg.data
    else {
        panic!("{name}: EMG holds events");
    };
    assert!(
        (sampling_rate_hz - FS_HZ).abs() < 1e-6,
        "{name}: {sampling_rate_hz}"
    );
    let mut end_s = f64::NEG_INFINITY;
    for s in segments {
        assert!(!s.samples.is_empty(), "{name}: an empty segment");
        assert!(
            s.start_s >= end_s - SAMPLE_S / 2.0,
            "{name}: segments overlap"
        );
        assert!(s.samples.iter().all(|v| v.is_finite()), "{name}");
        end_s = s.start_s + s.samples.len() as f64 / sampling_rate_hz;
    }
    let start_s = segments.first().map_or(0.0, |s| s.start_s);
    for a in &file.annotations {
        assert!(
            (start_s - SAMPLE_S..=end_s).contains(&a.onset_s),
            "{name}: {a:?}"
        );
    }
}

/// The test cut: rate, time zero, stimulus times, labels and samples.
fn check_cut(path: &Path, test: &str, triggered: bool, truth: &Recording) {
    let name = path.display();
    let r =
        read_trace_file(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!((r.sampling_rate_hz - FS_HZ).abs() < 1e-6, "{name}");
    assert_eq!(r.labels, truth.labels, "{name}");
    let stimuli = r.source.stimuli.as_ref().expect("a continuous recording");
    let want = truth_stimuli_s(path, test, triggered);
    assert_eq!(stimuli.times_ms.len(), want.len(), "{name}");
    for (got, want) in stimuli.times_ms.iter().zip(&want) {
        assert!(
            (got / 1e3 - want).abs() <= SAMPLE_S,
            "{name}: {got} ms vs {want} s"
        );
    }
    // Time zero is the stimulus: the samples the cut keeps lie on the
    // truth's grid, from its first sample or later.
    let offset = ((r.t0_ms - truth.t0_ms) * FS_HZ / 1e3).round();
    assert!(offset >= 0.0, "{name}: starts at {} ms", r.t0_ms);
    assert!(
        ((r.t0_ms - truth.t0_ms) - offset * 1e3 / FS_HZ).abs() < 1e-6,
        "{name}"
    );
    let offset = offset as usize;
    let n = r.sweep_len().min(truth.sweep_len() - offset);
    // 16-bit formats hold the values in steps of their range / 65536.
    const QUANTUM_MV: f64 = 0.002;
    for k in 0..r.n_responses() {
        let (got, want) = (r.trace(k), truth.trace(k));
        for i in 0..n {
            assert!(
                (got[i] - want[i + offset]).abs() <= QUANTUM_MV,
                "{name} {} sample {i}: {} vs {}",
                r.labels[k],
                got[i],
                want[i + offset]
            );
        }
    }
    assert!(
        r.labels
            .iter()
            .all(|l| !matches!(l, ResponseLabel::Other(_))),
        "{name}"
    );
}

#[test]
fn every_reader_gives_the_truth_on_every_fixture() {
    let mut checked = 0;
    for (path, test, triggered) in fixtures() {
        let truth =
            read_trace_file(&data(&format!("v1/{test}.csv")), &ReadOptions::default()).unwrap();
        check_raw(&path);
        check_cut(&path, test, triggered, &truth);
        checked += 1;
    }
    assert_eq!(checked, 27);
}
