//! BIDS-EMG in and out (issue 33, docs/bids.md): a simulated dataset
//! passes the schema-based BIDS validator, reads back to the measures the
//! same recordings give as CSV, and `nmjscope bids` writes derivatives
//! only into a folder of its own.

use std::collections::BTreeMap;
use std::path::Path;

use super::util::{nmjscope, TempDir};

fn run(cwd: &Path, args: &[&str]) -> std::process::Output {
    nmjscope().current_dir(cwd).args(args).output().unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `measurements.csv` rows keyed by (subject's place, protocol, response).
fn measures(path: &Path) -> BTreeMap<(usize, String, String), csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (study, protocol, response) = (col("study"), col("protocol"), col("response"));
    let mut ids: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        if !ids.iter().any(|i| i == &row[study]) {
            ids.push(row[study].to_string());
        }
        let k = ids.iter().position(|i| i == &row[study]).unwrap();
        out.insert(
            (k, row[protocol].to_string(), row[response].to_string()),
            row,
        );
    }
    out
}

fn header(path: &Path) -> csv::StringRecord {
    csv::Reader::from_path(path)
        .unwrap()
        .headers()
        .unwrap()
        .clone()
}

#[test]
fn a_simulated_dataset_reads_back_to_the_measures_of_its_csv() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let sim = ["simulate", "--cohort", "lems", "--n", "4", "--seed", "7"];
    let o = run(cwd, &[&sim[..], &["--bids", "ds"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(cwd, &[&sim[..], &["--out", "csv"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    // The BIDS App's group level over the dataset, batch over the CSV.
    let o = run(cwd, &["bids", "ds", "derived", "group", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::rename(cwd.join("derived/group"), cwd.join("from_bids")).unwrap();
    let o = run(cwd, &["batch", "-q", "csv", "--out", "from_csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let participants = std::fs::read_to_string(cwd.join("ds/participants.tsv")).unwrap();
    assert!(participants.starts_with("participant_id\tcondition\tseverity\tseed\n"));
    assert_eq!(participants.matches("\tlems\t").count(), 4);
    let bids = measures(&cwd.join("from_bids/measurements.csv"));
    let csv = measures(&cwd.join("from_csv/measurements.csv"));
    assert_eq!(bids.len(), csv.len());
    assert!(bids.len() > 4 * 60, "{} responses", bids.len());
    let h = header(&cwd.join("from_bids/measurements.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    // EDF holds 16-bit samples scaled to each file's range (about 0.4 uV
    // a step for a 12 mV CMAP); the CSV 0.1 uV. Over 3,840 responses
    // (docs/bids.md) amplitudes moved by 4.4 uV at most, and an onset
    // whose takeoff sits on its threshold by up to two samples (0.1 ms at
    // 20 kHz) in 25 of them.
    let tolerance = [
        ("onset_ms", 0.101),
        ("negative_peak_ms", 0.01),
        ("amplitude_mv", 0.005),
        ("area_mv_ms", 0.025),
        ("duration_ms", 0.101),
        ("change_pct", 0.02),
    ];
    for (key, b) in &bids {
        let c = csv
            .get(key)
            .unwrap_or_else(|| panic!("{key:?} not in the CSV run"));
        for (name, tol) in tolerance {
            let (x, y) = (&b[col(name)], &c[col(name)]);
            if x.is_empty() && y.is_empty() {
                continue;
            }
            let (x_, y_) = (x.parse::<f64>().unwrap(), y.parse::<f64>().unwrap());
            // A change is a ratio: a step on a small first response moves
            // a large increment a little more (0.02% of itself).
            let allowed = tol + 2e-4 * y_.abs();
            assert!(
                (x_ - y_).abs() <= allowed,
                "{key:?} {name}: {x} from EDF, {y} from CSV"
            );
        }
        assert_eq!(b[col("flags")], c[col("flags")], "{key:?}");
    }
    // The summaries agree on every judgement (an increment of several
    // hundred percent may differ in its last digit).
    let summary = |out: &str| {
        let mut r = csv::Reader::from_path(cwd.join(out).join("summary.csv")).unwrap();
        let h = r.headers().unwrap().clone();
        let cols: Vec<usize> = ["pattern", "lems_criterion", "decrement_pct", "low_cmap"]
            .iter()
            .map(|n| h.iter().position(|x| x == *n).unwrap())
            .collect();
        r.records()
            .map(|row| {
                let row = row.unwrap();
                cols.iter().map(|&c| row[c].to_string()).collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(summary("from_bids"), summary("from_csv"));
    let bids_summary = std::fs::read_to_string(cwd.join("from_bids/summary.csv")).unwrap();
    assert!(bids_summary.contains("sub-001_ses-01,sub-001/ses-01,ok"));
    assert!(
        bids_summary.contains("condition=lems"),
        "participants.tsv columns pass through"
    );
}

/// The schema-based BIDS validator (`bids-validator-deno` from PyPI,
/// installed by `.ci/run`), run through the `python3` on PATH.
fn validate(dataset: &Path) -> std::process::Output {
    let script = "import sys\nfrom bids_validator_deno import cli\nsys.argv = ['bids-validator-deno', sys.argv[1]]\ncli()";
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(dataset)
        .output()
        .expect("python3");
    let err = stderr(&o);
    assert!(
        !err.contains("No module named 'bids_validator_deno'"),
        "the BIDS validator is not installed: pip install bids-validator-deno (.ci/run does)"
    );
    o
}

#[test]
fn a_simulated_dataset_passes_the_bids_validator() {
    let dir = TempDir::new();
    let o = run(
        dir.path(),
        &["simulate", "--cohort", "mg", "--n", "3", "--bids", "ds"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = validate(&dir.path().join("ds"));
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(v.status.success(), "validator: {text}{}", stderr(&v));
    assert!(!text.contains("[ERROR]"), "{text}");
    assert!(
        text.contains("emg"),
        "the validator saw the EMG data: {text}"
    );
    // A dataset broken on purpose fails it: the check can fail.
    std::fs::remove_file(dir.path().join("ds/dataset_description.json")).unwrap();
    let v = validate(&dir.path().join("ds"));
    assert!(
        !v.status.success(),
        "a dataset without its description passed"
    );
}

#[test]
fn the_bids_app_writes_participant_derivatives_and_the_group_summary() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let o = run(
        cwd,
        &["simulate", "--cohort", "mg", "--n", "3", "--bids", "ds"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = "ds/derivatives/nmjscope";
    // Each array task runs one subject, as the Slurm script does.
    for label in ["001", "sub-002", "003"] {
        let o = run(
            cwd,
            &[
                "bids",
                "ds",
                out,
                "participant",
                "--participant-label",
                label,
            ],
        );
        assert!(o.status.success(), "{label}: {}", stderr(&o));
    }
    let o = run(cwd, &["bids", "ds", out, "group"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A finished subject is replaced only when asked, as a batch is.
    let again = [
        "bids",
        "ds",
        out,
        "participant",
        "--participant-label",
        "001",
    ];
    let o = run(cwd, &again);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = run(cwd, &[&again[..], &["--force"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let d = cwd.join(out);
    let description: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("dataset_description.json")).unwrap())
            .unwrap();
    assert_eq!(description["DatasetType"], "derivative");
    assert_eq!(description["GeneratedBy"][0]["Name"], "nmjscope");
    let emg = d.join("sub-002/ses-01/emg");
    let tsv = emg.join("sub-002_ses-01_task-rns3hz_desc-cmap_measurements.tsv");
    let table = std::fs::read_to_string(&tsv).unwrap();
    let mut lines = table.lines();
    let columns: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(columns, nmjscope::render::COLUMNS);
    assert_eq!(lines.clone().count(), 10, "ten responses of a 3 Hz train");
    assert!(lines.all(|l| l.split('\t').count() == columns.len() && !l.contains("\t\t")));
    let sidecar: serde_json::Value = serde_json::from_slice(
        &std::fs::read(emg.join("sub-002_ses-01_task-rns3hz_desc-cmap_measurements.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sidecar["amplitude_mv"]["Units"], "mV");
    assert!(d.join("sub-002/ses-01/report/report.html").is_file());
    // The participant tables and the group summary give the same numbers.
    let measurements = std::fs::read_to_string(d.join("group/measurements.csv")).unwrap();
    let first = table
        .lines()
        .nth(1)
        .unwrap()
        .replace('\t', ",")
        .replace("n/a", "");
    assert!(measurements.contains(&first), "{first}");
    let summary = std::fs::read_to_string(d.join("group/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 4);
    // The raw dataset still passes: derivatives are beside it.
    let v = validate(&cwd.join("ds"));
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn the_bids_app_refuses_what_is_not_its_own() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let o = run(
        cwd,
        &["simulate", "--cohort", "normal", "--n", "2", "--bids", "ds"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Another pipeline's derivatives folder.
    std::fs::create_dir_all(cwd.join("other")).unwrap();
    std::fs::write(cwd.join("other/notes.txt"), "mine").unwrap();
    let o = run(cwd, &["bids", "ds", "other", "participant"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds files"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(cwd.join("other")).unwrap().count(), 1);
    // Inside the dataset, anywhere but derivatives/: it would be raw data.
    for inside in ["ds/sub-003", "ds", "ds/derivatives"] {
        let o = run(cwd, &["bids", "ds", inside, "participant"]);
        assert_eq!(o.status.code(), Some(4), "{inside}: {}", stderr(&o));
    }
    assert!(!cwd.join("ds/sub-003").exists());
    // Not a dataset; a subject it does not hold.
    let o = run(cwd, &["bids", "other", "out", "group"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = run(
        cwd,
        &[
            "bids",
            "ds",
            "out",
            "participant",
            "--participant-label",
            "9",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("sub-001, sub-002"), "{}", stderr(&o));
    assert!(
        !cwd.join("out").exists(),
        "nothing written for a wrong label"
    );
}

#[test]
fn sidecars_decide_the_channel_and_stimuli_and_contradictions_are_refused() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let o = run(cwd, &["simulate", "--condition", "mg", "--bids", "ds"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let emg = cwd.join("ds/sub-001/ses-01/emg");
    let json = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&analyze(cwd, p).0).unwrap_or(serde_json::Value::Null)
    };
    let report = json(&cwd.join("ds/sub-001/ses-01"));
    assert_eq!(report["study"]["id"], "sub-001_ses-01");
    // In the order recorded (the session's _scans.tsv), not by name.
    let files: Vec<&str> = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "sub-001_ses-01_task-rns3hz_emg.edf",
            "sub-001_ses-01_task-exercise10s_emg.edf",
            "sub-001_ses-01_task-hfrns50hz_emg.edf"
        ]
    );
    let test = &report["tests"][0];
    assert_eq!(test["muscle"], "ADM");
    let notes = test["source"]["warnings"].to_string();
    assert!(
        notes.contains("_emg.json keys not used: EMGChannelCount"),
        "{notes}"
    );
    assert_eq!(test["source"]["stimuli"], "events");
    assert_eq!(
        test["source"]["stimulus_times_ms"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    // The trigger listed first in _channels.tsv as EMG would be measured:
    // the sidecar, not the file's order, names the channel.
    let channels = emg.join("sub-001_ses-01_task-rns3hz_channels.tsv");
    let text = std::fs::read_to_string(&channels).unwrap();
    std::fs::write(
        &channels,
        text.replace("ADM\tEMG", "ADM\tMISC")
            .replace("Trigger\tTRIG", "Trigger\tEMG"),
    )
    .unwrap();
    let (out, err, _) = analyze(cwd, &cwd.join("ds/sub-001/ses-01"));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rns = test_named(&report, "rns3hz");
    assert_eq!(rns["source"]["channel"], "Trigger", "{err}");
    assert_ne!(
        rns["validity"]["code"], "valid",
        "a trigger pulse read as a valid train"
    );
    std::fs::write(&channels, text.replace("ADM\tEMG", "XYZ\tEMG")).unwrap();
    let (_, err, code) = analyze(cwd, &cwd.join("ds/sub-001/ses-01"));
    assert_eq!(code, Some(3));
    assert!(err.contains("names channel \"XYZ\""), "{err}");
    std::fs::write(&channels, &text).unwrap();
    // A sampling rate the file does not have: the sidecar describes
    // another recording.
    let sidecar = emg.join("sub-001_ses-01_task-rns3hz_emg.json");
    let s = std::fs::read_to_string(&sidecar).unwrap();
    std::fs::write(
        &sidecar,
        s.replace(
            "\"SamplingFrequency\": 20000.0",
            "\"SamplingFrequency\": 5000",
        ),
    )
    .unwrap();
    let (_, err, code) = analyze(cwd, &cwd.join("ds/sub-001/ses-01"));
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("SamplingFrequency 5000 Hz"), "{err}");
    std::fs::write(&sidecar, &s).unwrap();
    // Events decide the stimuli: one dropped is one response fewer.
    let events = emg.join("sub-001_ses-01_task-rns3hz_events.tsv");
    let e = std::fs::read_to_string(&events).unwrap();
    let kept: Vec<&str> = e.lines().filter(|l| !l.ends_with("\tr10")).collect();
    std::fs::write(&events, kept.join("\n") + "\n").unwrap();
    let report = json(&cwd.join("ds/sub-001/ses-01"));
    let rns = test_named(&report, "rns3hz");
    assert_eq!(rns["responses"].as_array().unwrap().len(), 9);
}

/// `analyze PATH --format json`: (stdout, stderr, exit code).
fn analyze(cwd: &Path, path: &Path) -> (String, String, Option<i32>) {
    let o = nmjscope()
        .current_dir(cwd)
        .args(["analyze", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr(&o),
        o.status.code(),
    )
}

#[test]
fn links_entities_rates_and_participants_are_read_as_bids_says() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let o = run(cwd, &["simulate", "--condition", "lems", "--bids", "ds"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let session = cwd.join("ds/sub-001/ses-01");
    let emg = session.join("emg");
    let rns = "sub-001_ses-01_task-rns3hz_emg.edf";
    let tests = |out: &str| -> Vec<String> {
        let r: serde_json::Value = serde_json::from_str(out).unwrap();
        r["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["file"].as_str().unwrap().to_string())
            .collect()
    };
    // A DataLad dataset's files are links into the dataset (.git/annex):
    // followed, not dropped.
    std::fs::create_dir_all(cwd.join("ds/.git/annex")).unwrap();
    std::fs::rename(emg.join(rns), cwd.join("ds/.git/annex/object")).unwrap();
    std::os::unix::fs::symlink("../../../.git/annex/object", emg.join(rns)).unwrap();
    let (out, err, code) = analyze(cwd, &session);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(tests(&out).len(), 3, "{err}");
    // A link out of the dataset is named, and read only when asked.
    let outside = TempDir::new();
    std::fs::rename(
        cwd.join("ds/.git/annex/object"),
        outside.path().join("object"),
    )
    .unwrap();
    std::fs::remove_file(emg.join(rns)).unwrap();
    std::os::unix::fs::symlink(outside.path().join("object"), emg.join(rns)).unwrap();
    let (out, err, _) = analyze(cwd, &session);
    assert_eq!(tests(&out).len(), 2);
    assert!(err.contains(rns) && err.contains("outside"), "{err}");
    let o = nmjscope()
        .current_dir(cwd)
        .args(["analyze", "--format", "json", "--follow-links"])
        .arg(&session)
        .output()
        .unwrap();
    assert_eq!(
        tests(&String::from_utf8_lossy(&o.stdout)).len(),
        3,
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(emg.join(rns)).unwrap();
    std::fs::copy(outside.path().join("object"), emg.join(rns)).unwrap();
    // A subject folder linked in (DataLad), or out, or to nothing, is a
    // study: read, refused with a word, or an error row; never dropped.
    let o = run(
        cwd,
        &[
            "simulate", "--cohort", "normal", "--n", "3", "--bids", "three",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let three = cwd.join("three");
    std::fs::create_dir_all(three.join(".git/annex")).unwrap();
    std::fs::rename(three.join("sub-001"), three.join(".git/annex/s1")).unwrap();
    std::os::unix::fs::symlink(".git/annex/s1", three.join("sub-001")).unwrap();
    std::fs::rename(three.join("sub-002"), outside.path().join("s2")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("s2"), three.join("sub-002")).unwrap();
    std::fs::remove_dir_all(three.join("sub-003")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("gone"), three.join("sub-003")).unwrap();
    let o = run(cwd, &["batch", "-q", "three", "--out", "three_out"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let summary = std::fs::read_to_string(cwd.join("three_out/summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{summary}");
    assert!(
        rows[0].starts_with("sub-001_ses-01,sub-001/ses-01,ok"),
        "{summary}"
    );
    assert!(
        rows[1].starts_with("sub-002_ses-01,") && rows[1].contains("outside the dataset"),
        "{summary}"
    );
    assert!(
        rows[2].starts_with("sub-003,") && rows[2].contains(",error,"),
        "{summary}"
    );
    let o = run(
        cwd,
        &[
            "batch",
            "-q",
            "three",
            "--out",
            "three_follow",
            "--follow-links",
        ],
    );
    let summary = std::fs::read_to_string(cwd.join("three_follow/summary.csv")).unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(summary.matches(",ok,").count(), 2, "{summary}");
    // A run named for another subject is refused, not scored as this one.
    let stray = emg.join("sub-002_ses-01_task-rns2hz_emg.edf");
    std::fs::copy(emg.join(rns), &stray).unwrap();
    let (_, err, code) = analyze(cwd, &session);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("its name says sub-002 ses-01"), "{err}");
    std::fs::remove_file(&stray).unwrap();
    // A 3 Hz train named as a 50 Hz one is refused, not judged at 50 Hz.
    for ext in ["edf", "json", "tsv"] {
        for f in std::fs::read_dir(&emg).unwrap() {
            let p = f.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            if name.contains("rns3hz") && name.ends_with(ext) {
                std::fs::rename(
                    &p,
                    emg.join(
                        name.replace("rns3hz", "hfrns50hz")
                            .replace("hfhfrns", "hfrns"),
                    ),
                )
                .ok();
            }
        }
    }
    let (_, err, code) = analyze(cwd, &session);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("says 50 Hz") && err.contains("come at 3 Hz"),
        "{err}"
    );
}

#[test]
fn participants_columns_pass_only_when_described_and_not_identifying() {
    let dir = TempDir::new();
    let cwd = dir.path();
    let o = run(
        cwd,
        &["simulate", "--cohort", "normal", "--n", "2", "--bids", "ds"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(
        cwd.join("ds/participants.tsv"),
        "participant_id\tage\tcondition\tname\tpersonnummer\tnotes\nsub-001\t54\tnormal\tJane Doe\t19800101-1234\tlives with Mary\nsub-002\t61\tnormal\tJohn Roe\t19700101-9999\tn/a\nsub-002\t61\tnormal\tJohn Roe\t19700101-9999\tn/a\n",
    )
    .unwrap();
    // Described columns that identify: a town, a date, free text.
    let described = std::fs::read_to_string(cwd.join("ds/participants.json")).unwrap();
    let described = described.trim_end().trim_end_matches('}').to_string()
        + r#", "city": {"Description": "home town"}, "acq_date": {"Description": "day seen"}, "comment": {"Description": "remarks"}}"#;
    std::fs::write(cwd.join("ds/participants.json"), described).unwrap();
    let tsv = std::fs::read_to_string(cwd.join("ds/participants.tsv")).unwrap();
    let mut lines: Vec<String> = tsv.lines().map(str::to_string).collect();
    lines[0].push_str("\tcity\tacq_date\tcomment");
    for l in lines.iter_mut().skip(1) {
        l.push_str("\tTromsoe\t2024-05-01\tseen by Dr Who");
    }
    std::fs::write(cwd.join("ds/participants.tsv"), lines.join("\n") + "\n").unwrap();
    let o = run(cwd, &["batch", "-q", "ds", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut all = String::new();
    for f in [
        "summary.csv",
        "measurements.csv",
        "studies.jsonl",
        "run.json",
    ] {
        all.push_str(&std::fs::read_to_string(cwd.join("out").join(f)).unwrap());
    }
    for secret in [
        "Jane",
        "John",
        "19800101",
        "19700101",
        "Mary",
        "Tromsoe",
        "2024-05-01",
        "Who",
    ] {
        assert!(!all.contains(secret), "{secret} left in the outputs");
    }
    let summary = std::fs::read_to_string(cwd.join("out/summary.csv")).unwrap();
    let row1 = summary.lines().find(|l| l.starts_with("sub-001")).unwrap();
    assert!(
        row1.contains("age=54") && row1.contains("condition=normal"),
        "{row1}"
    );
    assert!(
        all.contains("withheld as identifying: name"),
        "the withheld columns are named"
    );
    assert!(
        all.contains("not described in participants.json"),
        "undescribed columns are named"
    );
    assert!(
        all.contains("2 rows for sub-002: none used"),
        "a doubled row is said"
    );
    let row2 = summary.lines().find(|l| l.starts_with("sub-002")).unwrap();
    assert!(!row2.contains("age="), "{row2}");
}

/// The test of a report (`analyze --format json`) whose file name holds
/// `fragment`.
fn test_named(report: &serde_json::Value, fragment: &str) -> serde_json::Value {
    report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"].as_str().unwrap().contains(fragment))
        .unwrap_or_else(|| panic!("no test named like {fragment}"))
        .clone()
}

/// A public BIDS-EMG dataset this tool did not write (bids-examples'
/// `emg_CustomBipolar`, `tests/data/bids/NOTICE.md`): a held weight, not a
/// nerve stimulation study. Its sidecars are read (the channel named in
/// `_channels.tsv`, typed from the dataset's own folder), and it is
/// refused with one line naming its file; never scored.
#[test]
fn a_public_bids_emg_dataset_is_read_and_refused_with_its_file_named() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bids/emg_CustomBipolar");
    let out = TempDir::new();
    let o = nmjscope()
        .args(["batch", "-q"])
        .arg(&data)
        .arg("--out")
        .arg(out.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let summary = std::fs::read_to_string(out.path().join("o/summary.csv")).unwrap();
    let row = summary.lines().nth(1).unwrap();
    assert!(row.starts_with("sub-01,sub-01,error,"), "{row}");
    assert!(
        row.contains("sub-01_task-holdWeight_emg.edf: no stimuli found"),
        "{row}"
    );
    // `sub-01` typed inside the dataset reads it as a BIDS subject.
    let o = nmjscope()
        .current_dir(&data)
        .args(["inspect", "sub-01"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sub-01/emg/sub-01_task-holdWeight_emg.edf: no stimuli found"),
        "{}",
        stderr(&o)
    );
}
