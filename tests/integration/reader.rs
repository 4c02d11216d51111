//! Input contract v1: every variant parses into identical values, and every
//! bad input gets one error naming the file and the line.

use nmjscope::io::{parse_trace, read_trace_file};
use nmjscope::model::{Layout, Polarity, Protocol};
use nmjscope::{Error, ReadOptions};

use super::util::TempDir;

const N: usize = 200;
const LABELS: [&str; 3] = ["r1", "r2", "r3"];
const DT_MS: f64 = 0.05;
const T0_MS: f64 = -1.0;

/// Values with at most 4 decimals in mV, so every unit writes them exactly.
fn value(resp: usize, i: usize) -> f64 {
    let v = ((i * 7 + resp * 13) % 23) as f64 - 11.0;
    (v * 0.125 + resp as f64 * 0.5) / 10.0
}

fn time_ms(i: usize) -> f64 {
    T0_MS + i as f64 * DT_MS
}

/// A wide file: `sep`, decimal comma, time in s, values scaled by `scale`
/// (1 for mV, 1000 for µV), header texts and line end given.
fn wide(sep: &str, comma: bool, seconds: bool, scale: f64, head: &[&str], eol: &str) -> String {
    let num = |v: f64| {
        let s = format!("{v}");
        if comma {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let mut s = format!(
        "# protocol: rns{eol}# stim_rate_hz: 3{eol}{}{eol}",
        head.join(sep)
    );
    for i in 0..N {
        let t = if seconds {
            time_ms(i) / 1000.0
        } else {
            time_ms(i)
        };
        let mut row = vec![num(t)];
        for r in 0..LABELS.len() {
            row.push(num(value(r, i) * scale));
        }
        s.push_str(&row.join(sep));
        s.push_str(eol);
    }
    s
}

fn long(sep: &str, comma: bool, value_head: &str, scale: f64) -> String {
    let num = |v: f64| {
        let s = format!("{v}");
        if comma {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let mut s =
        format!("# protocol: rns\n# stim_rate_hz: 3\nresponse{sep}time_ms{sep}{value_head}\n");
    for (r, label) in LABELS.iter().enumerate() {
        for i in 0..N {
            s.push_str(&format!(
                "{label}{sep}{}{sep}{}\n",
                num(time_ms(i)),
                num(value(r, i) * scale)
            ));
        }
    }
    s
}

#[test]
fn every_variant_parses_into_identical_values() {
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "comma",
            wide(",", false, false, 1.0, &["time_ms", "r1", "r2", "r3"], "\n").into_bytes(),
        ),
        (
            "semicolon, decimal comma, units in brackets",
            wide(
                ";",
                true,
                false,
                1.0,
                &["Time (ms)", "R1 (mV)", "R2 (mV)", "R3 (mV)"],
                "\n",
            )
            .into_bytes(),
        ),
        (
            "tab, decimal comma",
            wide("\t", true, false, 1.0, &["t", "r1", "r2", "r3"], "\n").into_bytes(),
        ),
        (
            "time in seconds",
            wide(",", false, true, 1.0, &["Time (s)", "r1", "r2", "r3"], "\n").into_bytes(),
        ),
        (
            "time_s",
            wide(",", false, true, 1.0, &["time_s", "r1", "r2", "r3"], "\n").into_bytes(),
        ),
        (
            "microvolts in brackets",
            wide(
                ",",
                false,
                false,
                1000.0,
                &["time", "R1 (µV)", "R2 (uV)", "R3 (µV)"],
                "\n",
            )
            .into_bytes(),
        ),
        (
            "microvolts by the units key",
            format!(
                "# units: uV\n{}",
                wide(
                    ",",
                    false,
                    false,
                    1000.0,
                    &["time_ms", "r1", "r2", "r3"],
                    "\n"
                )
            )
            .into_bytes(),
        ),
        (
            "volts",
            wide(
                ",",
                false,
                false,
                0.001,
                &["time_ms", "r1 (V)", "r2 (V)", "r3 (V)"],
                "\n",
            )
            .into_bytes(),
        ),
        (
            "BOM and CRLF",
            [
                b"\xEF\xBB\xBF".as_slice(),
                wide(
                    ",",
                    false,
                    false,
                    1.0,
                    &[" Time_ms ", " R1 ", "r2", "r3"],
                    "\r\n",
                )
                .as_bytes(),
            ]
            .concat(),
        ),
        (
            "long layout",
            long(",", false, "value_mv", 1.0).into_bytes(),
        ),
        (
            "long layout, µV, semicolon, decimal comma",
            long(";", true, "value_uv", 1000.0).into_bytes(),
        ),
        (
            "long layout, value (mV)",
            long("\t", false, "value (mV)", 1.0).into_bytes(),
        ),
    ];
    for (name, bytes) in variants {
        let r = parse_trace(
            std::path::Path::new("v.csv"),
            &bytes,
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.labels, LABELS, "{name}");
        assert_eq!(r.protocol, Protocol::Rns, "{name}");
        assert_eq!(r.stim_rate_hz, Some(3.0), "{name}");
        assert!(
            (r.sampling_rate_hz - 20_000.0).abs() < 1e-6,
            "{name}: {}",
            r.sampling_rate_hz
        );
        assert!(
            approx::abs_diff_eq!(r.t0_ms, T0_MS, epsilon = 1e-9),
            "{name}: t0 {}",
            r.t0_ms
        );
        assert_eq!(r.samples_mv.dim(), (3, N), "{name}");
        for resp in 0..3 {
            for i in 0..N {
                let got = r.samples_mv[[resp, i]];
                assert!(
                    approx::abs_diff_eq!(got, value(resp, i), epsilon = 1e-9),
                    "{name}: r{} sample {i}: {got}",
                    resp + 1
                );
            }
        }
        let layout = if name.starts_with("long") {
            Layout::Long
        } else {
            Layout::Wide
        };
        assert_eq!(r.source.layout, layout, "{name}");
    }
}

#[test]
fn metadata_keys_are_normalised_and_unknown_ones_kept() {
    let text = format!(
        "# Stim-Rate Hz: 50\n# MUSCLE: ADM\n# Exercise_S: 10\n# polarity: inverted\n# Operator: J. Doe\n{}",
        wide(",", false, false, 1.0, &["time_ms", "r1", "r2", "r3"], "\n").replace("# protocol: rns\n# stim_rate_hz: 3\n", "")
    );
    let r = parse_trace(
        std::path::Path::new("m.csv"),
        text.as_bytes(),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.stim_rate_hz, Some(50.0));
    assert_eq!(r.protocol, Protocol::Hfrns, "inferred from the rate");
    assert_eq!(r.muscle.as_deref(), Some("ADM"));
    assert_eq!(r.exercise_s, Some(10.0));
    assert_eq!(r.polarity, Polarity::Inverted);
    assert_eq!(
        r.metadata.get("operator").map(String::as_str),
        Some("J. Doe")
    );
}

/// Writes `content` as `name`, reads it, and checks the error names the
/// file and `line` (and `column` when given).
fn expect_error(name: &str, content: &[u8], line: Option<u64>, column: Option<u64>, what: &str) {
    let dir = TempDir::new();
    let path = dir.write(name, content);
    let err = read_trace_file(&path, &ReadOptions::default()).expect_err(name);
    let msg = err.to_string();
    assert!(
        msg.contains(name),
        "{name}: message must name the file: {msg}"
    );
    if let Some(line) = line {
        assert!(
            msg.contains(&format!("line {line}")),
            "{name}: expected line {line}: {msg}"
        );
    }
    if let Some(col) = column {
        assert!(
            msg.contains(&format!("column {col}")),
            "{name}: expected column {col}: {msg}"
        );
    }
    assert!(
        msg.to_lowercase().contains(what),
        "{name}: expected {what:?} in: {msg}"
    );
}

fn rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("{},{},{}\n", time_ms(i), value(0, i), value(1, i)))
        .collect()
}

#[test]
fn missing_file() {
    let dir = TempDir::new();
    let path = dir.path().join("absent.csv");
    let msg = read_trace_file(&path, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("absent.csv"), "{msg}");
}

#[test]
fn empty_file() {
    expect_error("empty.csv", b"", None, None, "empty");
    expect_error("only_meta.csv", b"# protocol: rns\n\n", None, None, "empty");
}

#[test]
fn header_only() {
    expect_error(
        "header.csv",
        b"# protocol: rns\ntime_ms,r1,r2\n",
        Some(2),
        None,
        "no data rows",
    );
}

#[test]
fn non_numeric_cell() {
    let mut s = format!("time_ms,r1,r2\n{}", rows(120));
    s = s.replacen(
        &format!("{},{}", time_ms(4), value(0, 4)),
        &format!("{},abc", time_ms(4)),
        1,
    );
    expect_error(
        "text.csv",
        s.as_bytes(),
        Some(6),
        Some(2),
        "expected a number",
    );
}

#[test]
fn ragged_row() {
    let mut lines: Vec<String> = format!("time_ms,r1,r2\n{}", rows(120))
        .lines()
        .map(String::from)
        .collect();
    lines[10].push_str(",9");
    expect_error(
        "ragged.csv",
        (lines.join("\n") + "\n").as_bytes(),
        Some(11),
        None,
        "expected 3 fields",
    );
}

#[test]
fn nan_and_inf() {
    let mut lines: Vec<String> = format!("time_ms,r1,r2\n{}", rows(120))
        .lines()
        .map(String::from)
        .collect();
    lines[5] = format!("{},NaN,0", time_ms(4));
    expect_error(
        "nan.csv",
        (lines.join("\n") + "\n").as_bytes(),
        Some(6),
        Some(2),
        "finite",
    );
    lines[5] = format!("{},0,-inf", time_ms(4));
    expect_error(
        "inf.csv",
        (lines.join("\n") + "\n").as_bytes(),
        Some(6),
        Some(3),
        "finite",
    );
}

#[test]
fn non_increasing_and_non_uniform_time() {
    let mut lines: Vec<String> = format!("# a: b\ntime_ms,r1,r2\n{}", rows(120))
        .lines()
        .map(String::from)
        .collect();
    let saved = lines[12].clone();
    lines[12] = format!("{},0,0", time_ms(5));
    expect_error(
        "backwards.csv",
        (lines.join("\n") + "\n").as_bytes(),
        Some(13),
        None,
        "increase",
    );
    lines[12] = saved;
    lines.remove(20);
    expect_error(
        "gap.csv",
        (lines.join("\n") + "\n").as_bytes(),
        None,
        None,
        "uniform",
    );
    let err = parse_trace(
        std::path::Path::new("gap.csv"),
        (lines.join("\n") + "\n").as_bytes(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NonUniformTime { .. }), "{err}");
    assert!(err.to_string().contains("line "), "{err}");
}

#[test]
fn too_few_samples() {
    expect_error(
        "short.csv",
        format!("time_ms,r1,r2\n{}", rows(5)).as_bytes(),
        Some(1),
        None,
        "samples",
    );
}

#[test]
fn unknown_unit() {
    expect_error(
        "unit.csv",
        format!("time_ms,r1 (mA),r2\n{}", rows(120)).as_bytes(),
        Some(1),
        Some(2),
        "unknown unit",
    );
    expect_error(
        "tunit.csv",
        format!("time (min),r1,r2\n{}", rows(120)).as_bytes(),
        Some(1),
        Some(1),
        "unknown unit",
    );
    expect_error(
        "kunit.csv",
        format!(
            "# protocol: rns\n# units: furlong\ntime_ms,r1,r2\n{}",
            rows(120)
        )
        .as_bytes(),
        Some(2),
        None,
        "unknown unit",
    );
}

#[test]
fn duplicate_labels() {
    expect_error(
        "dup.csv",
        format!("time_ms,r1,R1 (mV)\n{}", rows(120)).as_bytes(),
        Some(1),
        Some(3),
        "duplicate",
    );
}

#[test]
fn no_response_columns() {
    let s: String = (0..120).map(|i| format!("{}\n", time_ms(i))).collect();
    expect_error(
        "noresp.csv",
        format!("# x: y\ntime_ms\n{s}").as_bytes(),
        Some(2),
        None,
        "no response columns",
    );
}

#[test]
fn mixed_layouts() {
    expect_error(
        "mixed.csv",
        format!("time_ms,response,r2\n{}", rows(120)).as_bytes(),
        Some(1),
        Some(2),
        "mixed layouts",
    );
    expect_error(
        "mixed2.csv",
        format!("response,time_ms,value_mv,r2\n{}", rows(120)).as_bytes(),
        Some(1),
        None,
        "mixed layouts",
    );
}

#[test]
fn invalid_utf8() {
    let mut bytes = format!("time_ms,r1,r2\n{}", rows(120)).into_bytes();
    let pos = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(3)
        .unwrap()
        .0
        + 2;
    bytes[pos] = 0xFF;
    expect_error("latin.csv", &bytes, Some(5), None, "utf-8");
}

#[test]
fn bad_metadata_values() {
    expect_error(
        "proto.csv",
        format!("# protocol: fast\ntime_ms,r1,r2\n{}", rows(120)).as_bytes(),
        Some(1),
        None,
        "protocol",
    );
    expect_error(
        "fs.csv",
        format!("# sampling_rate_hz: 10000\ntime_ms,r1,r2\n{}", rows(120)).as_bytes(),
        Some(1),
        None,
        "disagrees",
    );
    expect_error(
        "pol.csv",
        format!("\n# polarity: upside\ntime_ms,r1,r2\n{}", rows(120)).as_bytes(),
        Some(2),
        None,
        "polarity",
    );
}

#[test]
fn long_layout_errors() {
    let mut s = long(",", false, "value_mv", 1.0);
    // Move one row of r1 to the end: rows not grouped.
    let lines: Vec<&str> = s.lines().collect();
    let moved = lines[4].to_string();
    let mut rest: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 4)
        .map(|(_, l)| l.to_string())
        .collect();
    rest.push(moved);
    s = rest.join("\n") + "\n";
    expect_error(
        "ungrouped.csv",
        s.as_bytes(),
        Some(s.lines().count() as u64),
        None,
        "together",
    );
}

#[test]
fn a_directory_is_a_study_in_name_order() {
    let dir = TempDir::new();
    let body = wide(",", false, false, 1.0, &["time_ms", "r1", "r2", "r3"], "\n");
    dir.write("b_second.csv", &body);
    dir.write("a_first.CSV", &body);
    dir.write("notes.txt", "not a test");
    let study = nmjscope::read_study(dir.path(), &ReadOptions::default()).unwrap();
    let names: Vec<&str> = study
        .tests
        .iter()
        .map(|t| t.source.file_name.as_str())
        .collect();
    assert_eq!(names, ["a_first.CSV", "b_second.csv"]);
    let empty = TempDir::new();
    let err = nmjscope::read_study(empty.path(), &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no trace files"), "{err}");
}
