//! Real-world inputs (issue 16): EDF+/BDF, LabChart and Spike2 text
//! exports and continuous CSV, from the fixtures of
//! `scripts/make_format_fixtures.py` (written by pyedflib and plain Python,
//! not by nmjscope).

use std::path::{Path, PathBuf};

use nmjscope::io::{read_signal_file, ChannelChoice, ReadOptions};
use nmjscope::model::{InputFormat, Report, StimulusSource};
use nmjscope::{Analyzer, Error, Settings};

use crate::util::nmjscope;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(rel)
}

/// What the CLI's flags would say of the fixtures: the muscle and the
/// exercise, which only the contract-v1 CSV writes down.
fn options() -> ReadOptions {
    let mut o = ReadOptions::default();
    o.overrides.muscle = Some("ADM".into());
    o.overrides.nerve = Some("ulnar".into());
    o.overrides.exercise_s = Some(10.0);
    o
}

fn analyse(path: &Path, options: &ReadOptions) -> Report {
    Analyzer::new(Settings::default())
        .unwrap()
        .analyze_path(path, options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Relative difference, against a floor for values near zero.
fn rel(a: f64, b: f64, floor: f64) -> f64 {
    (a - b).abs() / b.abs().max(floor)
}

#[test]
fn every_format_gives_the_measures_and_conclusion_of_the_contract_csv() {
    // Tolerance: 1% of each amplitude and area (against floors of 0.1 mV
    // and 0.1 mV·ms), one sample (0.1 ms at 10 kHz) of each time, and one
    // percentage point of each change. A time can move by a sample: EDF
    // holds 16-bit values (0.6 uV steps), and where a trace leaves its
    // baseline noise moves with them.
    const TOL: f64 = 0.01;
    const SAMPLE_MS: f64 = 0.1;
    let reference = analyse(&data("v1"), &options());
    let mut worst = (0.0f64, String::new());
    let mut worst_ms = 0.0f64;
    // CFWB holds the two trains (a continuous exercise series minutes long
    // would be megabytes): its study takes the exercise test from v1.
    let cfwb = crate::util::TempDir::new();
    for f in ["1_rns_5hz.adibin", "3_hfrns_50hz.adibin"] {
        std::fs::copy(data(&format!("cfwb/{f}")), cfwb.path().join(f)).unwrap();
    }
    std::fs::copy(
        data("v1/2_exercise.csv"),
        cfwb.path().join("2_exercise.csv"),
    )
    .unwrap();
    let dirs = [
        ("edf", data("edf")),
        ("labchart", data("labchart")),
        ("spike2", data("spike2")),
        ("csv", data("csv")),
        ("cfwb", cfwb.path().to_path_buf()),
    ];
    for (dir, path) in dirs {
        let report = analyse(&path, &options());
        assert_eq!(
            report.interpretation.pattern, reference.interpretation.pattern,
            "{dir}"
        );
        assert_eq!(
            report.interpretation.lems_criterion, reference.interpretation.lems_criterion,
            "{dir}"
        );
        assert_eq!(report.tests.len(), reference.tests.len(), "{dir}");
        for (t, r) in report.tests.iter().zip(&reference.tests) {
            assert_eq!(t.protocol, r.protocol, "{dir} {}", t.file);
            assert_eq!(t.responses.len(), r.responses.len(), "{dir} {}", t.file);
            if let Some(source) = &t.source {
                assert!(source.channel.is_some(), "{dir} {}", t.file);
            } else {
                assert!(
                    t.file.ends_with(".csv") && dir == "cfwb",
                    "{dir} {}",
                    t.file
                );
            }
            for (a, b) in t.responses.iter().zip(&r.responses) {
                assert_eq!(a.label, b.label, "{dir} {}", t.file);
                for (name, x, y) in [
                    ("onset", a.onset_ms, b.onset_ms),
                    ("duration", a.duration_ms, b.duration_ms),
                ] {
                    if let (Some(x), Some(y)) = (x, y) {
                        assert!(
                            (x - y).abs() <= SAMPLE_MS + 1e-9,
                            "{dir} {} {} {name}: {x} vs {y}",
                            t.file,
                            a.label
                        );
                        worst_ms = worst_ms.max((x - y).abs());
                    }
                }
                for (name, x, y, floor) in [
                    ("amplitude", a.amplitude_mv, b.amplitude_mv, 0.1),
                    ("peak-to-peak", a.peak_to_peak_mv, b.peak_to_peak_mv, 0.1),
                    ("area", a.area_mv_ms, b.area_mv_ms, 0.1),
                ] {
                    let (Some(x), Some(y)) = (x, y) else {
                        assert_eq!(x.is_some(), y.is_some(), "{dir} {} {name}", t.file);
                        continue;
                    };
                    let d = rel(x, y, floor);
                    if d > worst.0 {
                        worst = (d, format!("{dir} {} {} {name}", t.file, a.label));
                    }
                    assert!(d <= TOL, "{dir} {} {} {name}: {x} vs {y}", t.file, a.label);
                }
            }
            for (name, x, y) in [
                ("decrement", t.decrement_pct, r.decrement_pct),
                ("increment", t.increment_pct, r.increment_pct),
            ] {
                if let (Some(x), Some(y)) = (x, y) {
                    assert!((x - y).abs() <= 1.0, "{dir} {} {name}: {x} vs {y}", t.file);
                }
                assert_eq!(x.is_some(), y.is_some(), "{dir} {} {name}", t.file);
            }
        }
    }
    eprintln!(
        "worst relative difference: {:.5} ({}); worst time difference {worst_ms:.3} ms",
        worst.0, worst.1
    );
}

#[test]
fn the_bdf_train_reads_as_the_edf_train() {
    let edf = analyse(&data("edf/3_hfrns_50hz.edf"), &options());
    let bdf = analyse(&data("bdf/3_hfrns_50hz.bdf"), &options());
    for (a, b) in edf.tests[0].responses.iter().zip(&bdf.tests[0].responses) {
        let (x, y) = (a.amplitude_mv.unwrap(), b.amplitude_mv.unwrap());
        // 16-bit over +-20 mV is 0.6 uV a step; 24-bit is finer.
        assert!((x - y).abs() < 0.002, "{x} vs {y}");
    }
    assert_eq!(
        bdf.tests[0].source.as_ref().unwrap().format,
        InputFormat::Bdf
    );
}

/// What pyedflib reads (tests/peer/edf_samples.py).
fn pyedflib(paths: &[PathBuf]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peer/edf_samples.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(paths)
        .output()
        .expect("python3 must be installed for the EDF parity test");
    assert!(
        out.status.success(),
        "pyedflib failed (pip install pyedflib): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn edf_and_bdf_samples_equal_pyedflibs() {
    let paths = [
        data("edf/1_rns_5hz.edf"),
        data("edf/3_hfrns_50hz.edf"),
        data("bdf/3_hfrns_50hz.bdf"),
    ];
    let theirs = pyedflib(&paths);
    let mut compared = 0usize;
    let mut worst = 0.0f64;
    for p in &paths {
        let ours = read_signal_file(p, &ReadOptions::default()).unwrap();
        let signals = theirs[p.to_str().unwrap()]["signals"].as_array().unwrap();
        assert_eq!(ours.channels.len(), signals.len(), "{}", p.display());
        for (c, s) in ours.channels.iter().zip(signals) {
            assert_eq!(c.name, s["label"].as_str().unwrap().trim());
            assert_eq!(c.unit, s["unit"].as_str().unwrap().trim());
            let (sampling_rate_hz, segments) = c.waveform().unwrap();
            assert_eq!(sampling_rate_hz, s["sampling_rate_hz"].as_f64().unwrap());
            assert_eq!(segments.len(), 1, "EDF+C is one segment");
            let samples = s["samples"].as_array().unwrap();
            assert_eq!(segments[0].samples.len(), samples.len());
            for (a, b) in segments[0].samples.iter().zip(samples) {
                let b = b.as_f64().unwrap();
                // The same formula in another order: a few ulps of 20 mV.
                worst = worst.max((a - b).abs());
                assert!((a - b).abs() <= 1e-12, "{}: {a} vs {b}", p.display());
                compared += 1;
            }
        }
        let theirs_notes = theirs[p.to_str().unwrap()]["annotations"]
            .as_array()
            .unwrap();
        assert_eq!(ours.annotations.len(), theirs_notes.len());
        for (a, b) in ours.annotations.iter().zip(theirs_notes) {
            assert_eq!(a.text, b["text"].as_str().unwrap());
            assert!((a.onset_s - b["onset_s"].as_f64().unwrap()).abs() < 1e-9);
        }
    }
    eprintln!("{compared} samples equal pyedflib's, worst difference {worst:e} mV");
    assert!(compared > 40_000);
}

#[test]
fn files_pyedflib_refuses_are_read_with_a_warning_or_refused_with_a_place() {
    // pyedflib refuses every one of these (EDF+D, a Latin-1 label, a wrong
    // or unknown record count, a truncated file).
    let reference =
        read_signal_file(&data("hostile/discontinuous.edf"), &ReadOptions::default()).unwrap();
    let segments = |f: &nmjscope::io::SignalFile| f.channels[0].waveform().unwrap().1.to_vec();
    let reference_segments = segments(&reference);
    assert_eq!(reference_segments.len(), 10, "one segment per EDF+D record");
    // The script writes record starts to 0.1 ms.
    assert!((reference_segments[1].start_s - (0.05 + 1.0 / 3.0)).abs() < 1e-4);
    for (file, warning, records) in [
        ("latin1_label.edf", "non-ASCII bytes; read as Latin-1", 10),
        (
            "record_count_wrong.edf",
            "the header says 12 data records, the file holds 10",
            10,
        ),
        (
            "record_count_unknown.edf",
            "the number of data records is -1",
            10,
        ),
        ("truncated.edf", "partial data record", 9),
    ] {
        let f = read_signal_file(&data(&format!("hostile/{file}")), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            f.warnings.iter().any(|w| w.contains(warning)),
            "{file}: {:?}",
            f.warnings
        );
        assert_eq!(segments(&f), reference_segments[..records], "{file}");
    }
    assert_eq!(
        read_signal_file(&data("hostile/latin1_label.edf"), &ReadOptions::default())
            .unwrap()
            .channels[0]
            .name,
        "EMG µV ADM"
    );
    for (file, byte, words) in [
        ("header_length_wrong.edf", 184, "2 signals make it 768"),
        ("digital_range_empty.edf", 496, "cannot be scaled"),
    ] {
        let err = read_signal_file(&data(&format!("hostile/{file}")), &ReadOptions::default())
            .unwrap_err();
        let Error::BadFile { at, format, .. } = &err else {
            panic!("{file}: {err}")
        };
        assert_eq!(at.byte, Some(byte), "{file}");
        assert_eq!(*format, InputFormat::Edf);
        assert!(err.to_string().contains(words), "{err}");
        assert!(err.to_string().contains(file), "{err}");
    }
}

#[test]
fn the_exercise_series_is_read_from_discontinuous_records_and_labelled() {
    let report = analyse(&data("edf/2_exercise.edf"), &options());
    let labels: Vec<String> = report.tests[0]
        .responses
        .iter()
        .map(|r| r.label.to_string())
        .collect();
    assert_eq!(labels, ["pre", "post_0s", "post_30s", "post_60s"]);
    // The labels of the Spike2 export (no annotations) come from the
    // stimulus times: 15 s, then 30 and 60 s after the first post.
    let report = analyse(&data("spike2/2_exercise.txt"), &options());
    let labels: Vec<String> = report.tests[0]
        .responses
        .iter()
        .map(|r| r.label.to_string())
        .collect();
    assert_eq!(labels, ["pre", "post_0s", "post_30s", "post_60s"]);
}

/// The stimulus times (ms) a file is cut at, with `options`.
fn stimuli(path: &Path, options: &ReadOptions) -> (StimulusSource, Vec<f64>) {
    let r = nmjscope::io::read_trace_file(path, options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let s = r.source.stimuli.unwrap();
    (s.source, s.times_ms)
}

#[test]
fn every_stimulus_source_finds_the_same_stimuli() {
    let truth: Vec<f64> = (0..10).map(|k| 50.0 + 200.0 * k as f64).collect();
    let with = |f: &dyn Fn(&mut ReadOptions)| {
        let mut o = ReadOptions::default();
        f(&mut o);
        o
    };
    let cases = [
        (
            "edf/1_rns_5hz.edf",
            with(&|_| {}),
            StimulusSource::Annotations,
        ),
        (
            "spike2/1_rns_5hz.txt",
            with(&|_| {}),
            StimulusSource::Markers,
        ),
        (
            "labchart/1_rns_5hz.txt",
            with(&|_| {}),
            StimulusSource::Annotations,
        ),
        ("csv/1_rns_5hz.csv", with(&|_| {}), StimulusSource::Trigger),
        (
            "csv/1_rns_5hz.csv",
            with(&|o| {
                o.continuous.stimuli = Some(StimulusSource::Rate);
                o.overrides.stim_rate_hz = Some(5.0);
                o.continuous.first_stimulus_ms = Some(50.0);
                o.continuous.stimulus_count = Some(10);
            }),
            StimulusSource::Rate,
        ),
        (
            "edf/1_rns_5hz.edf",
            with(&|o| o.continuous.stimuli = Some(StimulusSource::Artifact)),
            StimulusSource::Artifact,
        ),
        (
            "spike2/1_rns_5hz.txt",
            with(&|o| o.continuous.stimuli = Some(StimulusSource::Artifact)),
            StimulusSource::Artifact,
        ),
        // CFWB: the artifacts, or the rate with the pre-trigger span as the
        // first stimulus.
        (
            "cfwb/1_rns_5hz.adibin",
            with(&|_| {}),
            StimulusSource::Artifact,
        ),
        (
            "cfwb/1_rns_5hz.adibin",
            with(&|o| {
                o.continuous.stimuli = Some(StimulusSource::Rate);
                o.overrides.stim_rate_hz = Some(5.0);
                o.continuous.stimulus_count = Some(10);
            }),
            StimulusSource::Rate,
        ),
    ];
    for (file, options, source) in cases {
        let (found, times) = stimuli(&data(file), &options);
        assert_eq!(found, source, "{file}");
        assert_eq!(times.len(), truth.len(), "{file}: {times:?}");
        for (t, want) in times.iter().zip(&truth) {
            // Within one sample at 10 kHz.
            assert!(
                (t - want).abs() <= 0.1 + 1e-9,
                "{file} {source:?}: {t} vs {want}"
            );
        }
    }
}

#[test]
fn the_channel_is_chosen_by_name_or_number_and_a_missing_one_is_named() {
    let mut o = ReadOptions::default();
    o.continuous.channel = Some(ChannelChoice::parse("emg"));
    let r = nmjscope::io::read_trace_file(&data("spike2/1_rns_5hz.txt"), &o).unwrap();
    assert_eq!(r.source.channel.as_deref(), Some("EMG"));
    o.continuous.channel = Some(ChannelChoice::parse("1"));
    assert!(nmjscope::io::read_trace_file(&data("spike2/1_rns_5hz.txt"), &o).is_ok());
    for (choice, words) in [
        ("3", "no channel 3 (channels count from 1)"),
        ("EEG", "no channel named \"EEG\""),
        ("2", "holds event times"),
    ] {
        o.continuous.channel = Some(ChannelChoice::parse(choice));
        let err = nmjscope::io::read_trace_file(&data("spike2/1_rns_5hz.txt"), &o).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(words), "{text}");
        assert!(
            text.contains("1 \"EMG\" (mV, 10000 Hz), 2 \"Stim\" (10 events)"),
            "{text}"
        );
        assert!(text.contains("1_rns_5hz.txt"), "{text}");
    }
}

#[test]
fn formats_are_detected_from_content_and_can_be_forced() {
    use nmjscope::io::detect_format;
    for (file, format) in [
        ("v1/1_rns_5hz.csv", InputFormat::Csv),
        ("csv/1_rns_5hz.csv", InputFormat::Csv),
        ("edf/1_rns_5hz.edf", InputFormat::Edf),
        ("bdf/3_hfrns_50hz.bdf", InputFormat::Bdf),
        ("labchart/1_rns_5hz.txt", InputFormat::Labchart),
        ("spike2/1_rns_5hz.txt", InputFormat::Spike2),
        ("cfwb/1_rns_5hz.adibin", InputFormat::Cfwb),
    ] {
        let bytes = std::fs::read(data(file)).unwrap();
        assert_eq!(detect_format(&bytes), format, "{file}");
    }
    // A CSV read as EDF is refused, naming the file.
    let o = ReadOptions {
        format: Some(InputFormat::Edf),
        ..ReadOptions::default()
    };
    let err = nmjscope::io::read_trace_file(&data("v1/1_rns_5hz.csv"), &o).unwrap_err();
    assert!(err.to_string().contains("not a readable EDF file"), "{err}");
}

#[test]
fn inspect_lists_the_channels_and_the_stimuli_found_and_how() {
    let out = nmjscope()
        .args(["inspect"])
        .arg(data("csv/1_rns_5hz.csv"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for words in [
        "format:            csv",
        "layout:            continuous",
        "channels:          1 \"emg\" (mV, 10000 Hz), 2 \"stim\" (V, 10000 Hz)",
        "channel measured:  \"emg\"",
        "stimuli:           10 from a trigger channel",
        "at (ms):         50.0, 250.0, 450.0",
        "protocol:          rns (inferred)",
        "stim_rate_hz: 5",
    ] {
        assert!(text.contains(words), "{words}\n{text}");
    }
    let out = nmjscope()
        .args(["analyze", "--format", "json", "--muscle", "ADM"])
        .arg(data("edf/1_rns_5hz.edf"))
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let source = &json["tests"][0]["source"];
    assert_eq!(source["format"], "edf");
    assert_eq!(source["channel"], "EMG ADM");
    assert_eq!(source["stimuli"], "annotations");
}

#[test]
fn a_directory_reads_every_trace_format_and_skips_notes() {
    let dir = crate::util::TempDir::new();
    std::fs::copy(data("edf/1_rns_5hz.edf"), dir.path().join("1_rns.edf")).unwrap();
    std::fs::copy(
        data("spike2/3_hfrns_50hz.txt"),
        dir.path().join("3_hfrns.txt"),
    )
    .unwrap();
    dir.write("notes.txt", "Patient cooperative. Hand warmed to 33 C.\n");
    let study = nmjscope::read_study(dir.path(), &options()).unwrap();
    let names: Vec<&str> = study
        .tests
        .iter()
        .map(|t| t.source.file_name.as_str())
        .collect();
    assert_eq!(names, ["1_rns.edf", "3_hfrns.txt"]);
}

#[test]
fn hostile_format_files_are_refused_with_exit_3_never_a_crash() {
    let dir = crate::util::TempDir::new();
    let mut csv = String::from("# stim_rate_hz: 1e10\n# first_stimulus_ms: 0\ntime_s,EMG [mV]\n");
    for i in 0..2000 {
        csv.push_str(&format!("{:.4},0.01\n", i as f64 / 10_000.0));
    }
    let mut edf = std::fs::read(data("hostile/discontinuous.edf")).unwrap();
    edf[244..252].copy_from_slice(b"1e-300  ");
    let mut cfwb = std::fs::read(data("cfwb/1_rns_5hz.adibin")).unwrap();
    cfwb[8..16].copy_from_slice(&1e-300f64.to_le_bytes());
    let labchart = std::fs::read_to_string(data("labchart/2_exercise.txt"))
        .unwrap()
        .replace("Interval=\t0.0001 s", "Interval=\t1e-300 s");
    let spike2 = std::fs::read_to_string(data("spike2/2_exercise.txt"))
        .unwrap()
        .replace("\t0.00010\r\n", "\t1e-300\r\n");
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "rate.csv",
            csv.into_bytes(),
            "outside the plausible 0.1-100 Hz",
        ),
        ("tick.edf", edf, "not at 1-200 kHz"),
        ("tick.adibin", cfwb, "not at 1-200 kHz"),
        (
            "tick.txt",
            labchart.into_bytes(),
            "the interval is not the rows'",
        ),
        ("tick_s2.txt", spike2.into_bytes(), "not at 1-200 kHz"),
    ];
    for (name, bytes, words) in cases {
        let path = dir.write(name, bytes);
        let out = nmjscope().arg("analyze").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(stderr.contains(words), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
}

#[test]
fn a_low_sampling_rate_is_analysed_without_a_crash() {
    // 1 kHz, the lowest rate read: every 20th sample of the LEMS train.
    // The takeoff search used to index past its smoothed span here.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems/1_rns_3hz.csv"),
    )
    .unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut out: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('#') && !l.contains("sampling_rate_hz"))
        .collect();
    out.push(rows[0]);
    out.extend(rows[1..].iter().step_by(20));
    let dir = crate::util::TempDir::new();
    let path = dir.write("lems_1khz.csv", out.join("\n") + "\n");
    let run = nmjscope().arg("analyze").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
}

/// `inspect`'s output and its one-line error, for a file it cannot cut.
fn inspect_failing(path: &Path, flags: &[&str]) -> (String, String) {
    let out = nmjscope()
        .arg("inspect")
        .args(flags)
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    (String::from_utf8_lossy(&out.stdout).to_string(), stderr)
}

#[test]
fn inspect_lists_every_channel_and_source_when_it_cannot_cut() {
    let dir = crate::util::TempDir::new();
    // Two channels, both sampled at 200 Hz: nothing to measure.
    let text = std::fs::read_to_string(data("labchart/1_rns_5hz.txt")).unwrap();
    let slow = text
        .replace("Interval=\t0.0001 s", "Interval=\t0.005 s")
        .replace("ChannelTitle=\tEMG", "ChannelTitle=\tEMG\tEEG")
        .replace("UnitName=\tmV", "UnitName=\tmV\tuV")
        .lines()
        .map(|l| {
            let (value, rest) = l.split_once('\t').unwrap_or((l, ""));
            match value.trim().parse::<f64>() {
                Ok(_) if rest.is_empty() => format!("{}\t0.5", value.trim()),
                Ok(_) => format!("{value}\t0.5\t{rest}"),
                Err(_) => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = dir.write("slow.txt", slow);
    let (out, err) = inspect_failing(&path, &[]);
    assert!(
        err.contains(
            "slow.txt: no channel can be measured (channels 1 and 2 are sampled at 200 Hz, not at 1-200 kHz)"
        ),
        "{err}"
    );
    for words in [
        "1 \"EMG\" (mV, 200 Hz,",
        "not usable: channel \"EMG\" is sampled at 200 Hz",
        "2 \"EEG\" (uV, 200 Hz,",
        "channel measured:  none",
    ] {
        assert!(out.contains(words), "{words}\n{out}");
    }
    // `analyze` refuses it with the same line.
    let run = nmjscope().arg("analyze").arg(&path).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stderr), err);
    // A source that finds nothing: every source is listed with its count.
    let (out, err) = inspect_failing(&data("labchart/1_rns_5hz.txt"), &["--stimuli", "trigger"]);
    assert!(
        err.contains("no stimuli found from a trigger channel"),
        "{err}"
    );
    for words in [
        "1 \"EMG\" (mV, 10000 Hz,",
        "): measured",
        "the file's stimulus annotations: 10 stimuli",
        "a trigger channel: 0 stimuli",
        "the stimulation rate and first stimulus time: not given",
        "the stimulus artifacts: 10 stimuli",
    ] {
        assert!(out.contains(words), "{words}\n{out}");
    }
    let json = nmjscope()
        .args(["inspect", "--format", "json", "--stimuli", "trigger"])
        .arg(data("labchart/1_rns_5hz.txt"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["channels"][0]["use"], "measured");
    assert_eq!(v["sources"][0]["source"], "annotations");
    assert_eq!(v["sources"][0]["stimuli"], 10);
}
