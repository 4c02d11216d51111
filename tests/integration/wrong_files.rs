//! Files that are well formed and wrong (issue 28): each is refused with
//! one line naming the file and what is wrong, or read with a flag that
//! makes the test unreliable. Made from the format fixtures by the one
//! change each case names.

use std::path::{Path, PathBuf};

use crate::util::{analyze_json, nmjscope, TempDir};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/formats")
        .join(rel)
}

fn text(rel: &str) -> String {
    String::from_utf8_lossy(&std::fs::read(data(rel)).unwrap()).into_owned()
}

/// Every line of `text` that starts with a digit (a data row) through `f`.
fn rows(text: &str, mut f: impl FnMut(&str) -> String) -> String {
    text.split('\n')
        .map(|l| {
            if l.starts_with(|c: char| c.is_ascii_digit()) {
                f(l)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The refused cases: a file name, its bytes, and what the one line says.
fn refused() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let edf = std::fs::read(data("edf/1_rns_5hz.edf")).unwrap();
    let signals: usize = String::from_utf8_lossy(&edf[252..256])
        .trim()
        .parse()
        .unwrap();
    let mut digital_max = edf.clone();
    let at = 256 + signals * 128;
    digital_max[at..at + 8].copy_from_slice(b"99999   ");
    let labchart = text("labchart/1_rns_5hz.txt");
    let mut extra = false;
    let one_more = rows(&labchart, |l| {
        if std::mem::replace(&mut extra, true) {
            return l.to_string();
        }
        format!(
            "{}\t1.0{}",
            l.trim_end_matches('\r'),
            if l.ends_with('\r') { "\r" } else { "" }
        )
    });
    let undated: String = text("labchart/2_exercise.txt")
        .split('\n')
        .filter(|l| !l.starts_with("ExcelDateTime"))
        .collect::<Vec<_>>()
        .join("\n");
    let csv = text("csv/1_rns_5hz.csv");
    // The trigger's first pulse (at 50 ms) lost; its artifact is there.
    let first_missed = rows(&csv, |l| {
        if l.starts_with("0.0500,") || l.starts_with("0.0501,") {
            let (head, _) = l.rsplit_once(',').unwrap();
            return format!("{head},0");
        }
        l.to_string()
    });
    let triggered = text("triggered/1_rns_5hz_pretrigger.txt");
    let twice = triggered.replacen(
        "BottomValue=\t*\r\n",
        "BottomValue=\t*\r\nInterval=\t0.000125 s\r\n",
        1,
    );
    let mut lines: Vec<&str> = triggered.split('\n').collect();
    lines.remove(60);
    let row_missing = lines.join("\n");
    let mut nth = 0;
    let unit_changes = triggered
        .split('\n')
        .map(|l| {
            if l.starts_with("Range=") {
                nth += 1;
                if nth == 5 {
                    return l.replace("mV", "uV");
                }
            }
            l.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let from_trigger = text("triggered/1_rns_5hz_from_trigger.txt");
    let mut commented = false;
    let one_comment = rows(&from_trigger, |l| {
        if l.starts_with("0.0100") && !std::mem::replace(&mut commented, true) {
            return format!("{}\t#* Stim 5 Hz\r", l.trim_end_matches('\r'));
        }
        l.to_string()
    });
    // The recording starts at its first stimulus: the trigger pulse's
    // leading edge and the artifact's jump fall before the first sample.
    let at_pulse: String = csv
        .split('\n')
        .filter_map(|l| {
            let Some((t, rest)) = l.split_once(',') else {
                return Some(l.to_string());
            };
            match t.parse::<f64>() {
                Ok(t) if t < 0.05 => None,
                Ok(t) => Some(format!("{:.4},{rest}", t - 0.05)),
                Err(_) => Some(l.to_string()),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    vec![
        (
            "interval_twice.txt",
            twice.into_bytes(),
            "Interval= is given twice in the block",
        ),
        (
            "row_missing.txt",
            row_missing.into_bytes(),
            "a row is missing, or the interval is not the rows'",
        ),
        (
            "unit_changes.txt",
            unit_changes.into_bytes(),
            "this block's units are [\"uV\"]",
        ),
        (
            "one_comment.txt",
            one_comment.into_bytes(),
            "read them with --stimuli blocks",
        ),
        (
            "starts_at_pulse.csv",
            at_pulse.into_bytes(),
            "a response-sized deflection",
        ),
        (
            "cut_in_header.edf",
            edf[..720].to_vec(),
            "ends inside the header",
        ),
        (
            "digital_max.edf",
            digital_max,
            "digital maximum 99999, beyond the 16-bit samples",
        ),
        (
            "one_value_more.txt",
            one_more.into_bytes(),
            "2 values on a row of a block with 1 channel",
        ),
        (
            "undated_blocks.txt",
            undated.into_bytes(),
            "no ExcelDateTime= line",
        ),
        (
            "first_missed.csv",
            first_missed.into_bytes(),
            "the first stimulus may have been missed",
        ),
        (
            "no_unit.csv",
            csv.replace("EMG [mV]", "EMG").into_bytes(),
            "has no unit; pass --units",
        ),
    ]
}

#[test]
fn well_formed_wrong_files_are_refused_in_one_line() {
    let dir = TempDir::new();
    for (name, bytes, says) in refused() {
        let path = dir.write(name, bytes);
        let out = nmjscope().arg("analyze").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
    }
}

/// The test's validity code and every flag of its responses.
fn judged(path: &Path, flags: &[&str]) -> (String, Vec<String>) {
    let json = analyze_json(path, flags);
    let test = &json["tests"][0];
    let flags = test["responses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["flags"].as_array().unwrap().iter())
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    (
        test["validity"]["code"].as_str().unwrap().to_string(),
        flags,
    )
}

#[test]
fn a_cmap_cut_off_by_its_sweep_makes_the_test_unreliable() {
    let path = data("csv/1_rns_5hz.csv");
    let (code, flags) = judged(&path, &[]);
    assert_eq!(code, "valid");
    assert!(flags.is_empty(), "{flags:?}");
    let (code, flags) = judged(&path, &["--sweep-ms", "5", "--pre-stimulus-ms", "0.5"]);
    assert_eq!(code, "unreliable");
    assert!(flags.iter().any(|f| f == "peak_at_sweep_end"), "{flags:?}");
}

#[test]
fn a_trailing_tab_on_every_labchart_row_reads_as_the_file_without_it() {
    let dir = TempDir::new();
    let tabbed = rows(&text("labchart/1_rns_5hz.txt"), |l| {
        format!(
            "{}\t{}",
            l.trim_end_matches('\r'),
            if l.ends_with('\r') { "\r" } else { "" }
        )
    });
    let path = dir.write("tabbed.txt", tabbed);
    let amplitudes = |p: &Path| {
        let json = analyze_json(p, &[]);
        json["tests"][0]["responses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["amplitude_mv"].as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        amplitudes(&path),
        amplitudes(&data("labchart/1_rns_5hz.txt"))
    );
}

#[test]
fn a_sweep_longer_than_the_interval_is_refused() {
    let out = nmjscope()
        .args(["analyze", "--sweep-ms", "45"])
        .arg(data("edf/3_hfrns_50hz.edf"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(
            "--sweep-ms (sweep_ms): 45 ms is longer than the 20 ms between this file's stimuli"
        ),
        "{stderr}"
    );
}
