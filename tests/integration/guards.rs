//! Nothing lost, nothing leaked (issue 29): every command that writes
//! replaces only what nmjscope wrote, and no patient identifier leaves.

use std::path::Path;

use crate::util::{nmjscope, TempDir};

fn simulate_to(target: &Path) -> std::process::Output {
    nmjscope()
        .args(["simulate", "--seed", "3", "-o"])
        .arg(target)
        .output()
        .unwrap()
}

fn refused_with(out: &std::process::Output, words: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains(words), "{words}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// `nmjscope COMMAND INPUT --out OUT FLAGS`.
fn run_out(command: &str, input: &Path, out: &Path, flags: &[&str]) -> std::process::Output {
    nmjscope()
        .arg(command)
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(flags)
        .output()
        .unwrap()
}

/// A run that must succeed (its standard error shown when it does not).
fn succeeded(run: std::process::Output) -> std::process::Output {
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    run
}

#[test]
fn simulate_replaces_only_a_file_it_wrote() {
    let dir = TempDir::new();
    // Absent, then its own file again: written.
    let own = dir.path().join("sim.csv");
    assert!(simulate_to(&own).status.success());
    assert!(simulate_to(&own).status.success());
    // Someone's data.
    let data = dir.write("data.csv", "# study_id: real\ntime_ms,r1\n0,1\n");
    refused_with(&simulate_to(&data), "it holds data nmjscope did not write");
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "# study_id: real\ntime_ms,r1\n0,1\n"
    );
    // A note that quotes the signature line further down.
    let notes = dir.write(
        "notes.md",
        "My notes\n\n# generator: nmjscope simulate\nPrecious\n",
    );
    refused_with(&simulate_to(&notes), "it holds data nmjscope did not write");
    // Every variant it writes is its own (semicolon files start `sep=;`).
    for variant in ["semicolon", "microvolts", "seconds", "long"] {
        let path = dir.path().join(format!("{variant}.csv"));
        for _ in 0..2 {
            let out = nmjscope()
                .args(["simulate", "--variant", variant, "-o"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{variant}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // A read-only file, even one it wrote.
    let mut perms = std::fs::metadata(&own).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&own, perms).unwrap();
    let before = std::fs::read(&own).unwrap();
    refused_with(&simulate_to(&own), "it is read-only");
    assert_eq!(std::fs::read(&own).unwrap(), before);
    // A folder.
    refused_with(&simulate_to(dir.path()), "it is a folder");
    #[cfg(unix)]
    {
        // A FIFO and a device node stay what they are.
        let fifo = dir.path().join("pipe.csv");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        refused_with(&simulate_to(&fifo), "a FIFO");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        refused_with(&simulate_to(Path::new("/dev/null")), "a device");
        assert!(std::fs::symlink_metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        // A symbolic link to its own file: the link is not followed.
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(dir.path().join("sim.csv"), &link).unwrap();
        refused_with(&simulate_to(&link), "a symbolic link");
    }
}

#[test]
fn simulate_study_replaces_only_a_study_it_wrote() {
    let dir = TempDir::new();
    let study = dir.path().join("study");
    let simulate = |seed: &str| {
        nmjscope()
            .args(["simulate", "--seed", seed, "--study"])
            .arg(&study)
            .output()
            .unwrap()
    };
    assert!(simulate("1").status.success());
    assert!(simulate("2").status.success());
    // A real study beside the user's notes: refused, nothing touched.
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("1_rns_3hz.csv"), "patient data").unwrap();
    std::fs::write(real.join("notes.txt"), "mine").unwrap();
    let out = nmjscope()
        .args(["simulate", "--study"])
        .arg(&real)
        .output()
        .unwrap();
    refused_with(&out, "nmjscope did not write");
    assert_eq!(
        std::fs::read_to_string(real.join("1_rns_3hz.csv")).unwrap(),
        "patient data"
    );
    // A note added to a simulated study keeps it from being replaced.
    std::fs::write(study.join("notes.txt"), "mine").unwrap();
    refused_with(&simulate("3"), "it holds notes.txt");
    assert!(study.join("notes.txt").exists());
}

#[test]
fn samples_replace_only_samples_they_wrote() {
    let dir = TempDir::new();
    let samples = |out: &Path| {
        nmjscope()
            .args(["samples", "lems", "--out"])
            .arg(out)
            .output()
            .unwrap()
    };
    let ours = dir.path().join("ours");
    assert!(samples(&ours).status.success());
    assert!(samples(&ours).status.success());
    // A real study: refused, exit 4, nothing touched.
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("1_rns_3hz.csv"), "patient data").unwrap();
    refused_with(&samples(&real), "nmjscope did not write");
    assert_eq!(
        std::fs::read_to_string(real.join("1_rns_3hz.csv")).unwrap(),
        "patient data"
    );
    // Another kind of output (a report set), a file, a note added to the
    // samples: each refused and kept.
    let report = dir.path().join("report");
    nmjscope()
        .args(["demo", "--out"])
        .arg(&report)
        .assert()
        .success();
    refused_with(&samples(&report), "another kind of nmjscope output");
    assert!(report.join("report.html").is_file());
    let file = dir.path().join("file");
    std::fs::write(&file, "mine").unwrap();
    refused_with(&samples(&file), "not a folder");
    std::fs::write(ours.join("notes.txt"), "mine").unwrap();
    refused_with(&samples(&ours), "it holds notes.txt");
    assert!(ours.join("notes.txt").exists());
}

/// Every file under `dir` (its bytes, and its path as a name).
fn every_output(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            every_output(&path, out);
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
}

/// Identifying values, each under a key of the policy, written into the
/// metadata of two patients' files in one folder.
const PATIENTS: [[(&str, &str); 9]; 2] = [
    [
        ("patient_id", "PX-93817"),
        ("patient_name", "Ann Zebedee"),
        ("surname", "Zebedee"),
        ("email", "ann.zebedee@example.org"),
        ("nhs_number", "943 476 5919"),
        ("insurance_id", "INS-55501"),
        ("initials", "AZQ"),
        ("dob", "1961-04-02"),
        ("hospital_no", "H-77120"),
    ],
    [
        ("patient_id", "QY-22001"),
        ("patient_name", "Bo Quixley"),
        ("surname", "Quixley"),
        ("email", "bo.quixley@example.org"),
        ("nhs_number", "485 777 3456"),
        ("insurance_id", "INS-99812"),
        ("initials", "BQX"),
        ("dob", "1948-12-30"),
        ("hospital_no", "H-55301"),
    ],
];

fn identified_archive() -> TempDir {
    let dir = TempDir::new();
    for (k, patient) in PATIENTS.iter().enumerate() {
        let config = nmjscope::simulate::SimConfig {
            seed: 7 + k as u64,
            ..Default::default()
        };
        for (name, bytes) in crate::util::study_files(&config) {
            let mut text: String = patient
                .iter()
                .map(|(key, value)| format!("# {key}: {value}\n"))
                .collect();
            // The simulator's own study_id would already tell them apart.
            let body = String::from_utf8(bytes).unwrap();
            text.extend(
                body.lines()
                    .filter(|l| !l.starts_with("# study_id"))
                    .map(|l| format!("{l}\n")),
            );
            dir.write(&format!("site/clinic/p{k}_{name}"), text);
        }
    }
    dir
}

#[test]
fn no_identifier_leaves_in_any_output_of_a_batch_split_by_patient() {
    let dir = identified_archive();
    let out = dir.path().join("out");
    let run = nmjscope()
        .arg("batch")
        .arg(dir.path().join("site"))
        .args(["--reports", "--identifying-key", "Hospital No", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut outputs = Vec::new();
    every_output(&out, &mut outputs);
    outputs.push(("stdout".into(), run.stdout.clone()));
    outputs.push(("stderr".into(), run.stderr.clone()));
    // The two patients were told apart.
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.contains("patient 1") && summary.contains("patient 2"),
        "{summary}"
    );
    // analyze refuses the folder, naming the studies without the values;
    // inspect lists the keys as withheld.
    for args in [
        vec!["analyze"],
        vec!["inspect", "--identifying-key", "hospital_no"],
    ] {
        let run = nmjscope()
            .args(&args)
            .arg(dir.path().join("site/clinic"))
            .output()
            .unwrap();
        outputs.push((format!("{args:?} stdout"), run.stdout));
        outputs.push((format!("{args:?} stderr"), run.stderr));
    }
    assert!(outputs.len() > 10, "{}", outputs.len());
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for (key, value) in PATIENTS.iter().flatten() {
            assert!(!name.contains(value), "{key} in the file name {name}");
            assert!(!text.contains(value), "{key} ({value}) in {name}");
        }
    }
}

fn summary_rows(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("studies.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn simulated(seed: u64) -> Vec<(String, Vec<u8>)> {
    crate::util::study_files(&nmjscope::simulate::SimConfig {
        seed,
        ..Default::default()
    })
}

#[test]
fn no_study_vanishes_and_every_path_not_read_is_named() {
    let dir = TempDir::new();
    let root = dir.path().join("archive");
    // A stray trace file at a site's level, above two patients' folders.
    for (name, bytes) in simulated(1) {
        dir.write(&format!("archive/site/p1/{name}"), &bytes);
        dir.write(&format!("archive/site/p2/{name}"), &bytes);
    }
    dir.write("archive/site/stray.csv", simulated(2)[0].1.clone());
    let study = root.join("site/p1");
    dir.write("archive/site/p1/notes.txt", "seen on ward 3");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", study.join("passwd.csv")).unwrap();
        std::os::unix::fs::symlink("/dev/null", study.join("null.csv")).unwrap();
        std::os::unix::fs::symlink(study.join("gone.csv"), study.join("dangling.csv")).unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(study.join("pipe.csv"))
            .status()
            .unwrap()
            .success());
    }
    let out = dir.path().join("out");
    let run = run_out("batch", &root, &out, &[]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // The site (its stray file) and both patients are scored.
    let paths: Vec<String> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(paths.len(), 3, "{summary}");
    assert!(paths.iter().any(|p| p.ends_with("site")), "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("p1")) && paths.iter().any(|p| p.ends_with("p2")));
    assert_eq!(summary_rows(&out).len(), 3);
    // Every path of p1 that is not read is named with its reason.
    for words in [
        "notes.txt (not a LabChart, Spike2 or CFWB export)",
        #[cfg(unix)]
        "passwd.csv (a symbolic link to a file outside this folder, not followed without --follow-links)",
        #[cfg(unix)]
        "null.csv (a symbolic link to something not a regular file)",
        #[cfg(unix)]
        "dangling.csv (a symbolic link to nothing)",
        #[cfg(unix)]
        "pipe.csv (a FIFO, device or socket, not a regular file)",
    ] {
        assert!(summary.contains(words), "{words}\n{summary}");
    }
    assert!(!summary.contains("root:"), "{summary}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_one_error_row_and_the_batch_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let root_user = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(true);
    let dir = TempDir::new();
    for (name, bytes) in simulated(1) {
        dir.write(&format!("archive/p1/{name}"), &bytes);
    }
    let lost = dir.path().join("archive/lost+found");
    std::fs::create_dir(&lost).unwrap();
    std::fs::set_permissions(&lost, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = dir.path().join("out");
    let run = run_out("batch", &dir.path().join("archive"), &out, &[]);
    std::fs::set_permissions(&lost, std::fs::Permissions::from_mode(0o755)).unwrap();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    if root_user {
        // Root lists any folder: an empty one is no study.
        assert_eq!(run.status.code(), Some(0), "{summary}");
        return;
    }
    assert_eq!(run.status.code(), Some(3), "{summary}");
    assert_eq!(summary.lines().count(), 3, "{summary}");
    assert!(
        summary.contains("lost+found") && summary.contains("ermission"),
        "{summary}"
    );
}

#[test]
fn finished_results_are_replaced_only_when_asked_even_mid_run() {
    use nmjscope::batch::{OutputRules, ResultsWriter};
    let dir = TempDir::new();
    for (name, bytes) in simulated(1) {
        dir.write(&format!("archive/p1/{name}"), &bytes);
        dir.write(&format!("archive/p2/{name}"), &bytes);
    }
    // Two runs into one folder at once: both begin while it is absent.
    let out = dir.path().join("out");
    let first = ResultsWriter::begin(&out, OutputRules::default()).unwrap();
    let second = ResultsWriter::begin(&out, OutputRules::default()).unwrap();
    first.finish().unwrap();
    let kept = std::fs::read(out.join("summary.csv")).unwrap();
    let e = second.finish().unwrap_err();
    assert!(
        e.to_string().contains("another run put its results here"),
        "{e}"
    );
    assert_eq!(e.kind().exit_code(), 4);
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), kept);
    // With --force the later run replaces them.
    let force = OutputRules {
        force: true,
        ..OutputRules::default()
    };
    let third = ResultsWriter::begin(&out, force.clone()).unwrap();
    let fourth = ResultsWriter::begin(&out, force).unwrap();
    third.finish().unwrap();
    fourth.finish().unwrap();
    // Shards sharing one --out by mistake: the second is refused.
    let shared = dir.path().join("shared");
    let shard = |i: &str, resume: bool| {
        let mut cmd = nmjscope();
        cmd.arg("batch")
            .arg(dir.path().join("archive"))
            .args(["-q", "--shard", i, "--out"])
            .arg(&shared);
        if resume {
            cmd.arg("--resume");
        }
        cmd.output().unwrap()
    };
    assert!(shard("0/2", true).status.success());
    let kept = std::fs::read(shared.join("summary.csv")).unwrap();
    refused_with(&shard("1/2", true), "not a batch shard 1/2 set");
    refused_with(&shard("1/2", false), "it holds finished batch results");
    assert_eq!(std::fs::read(shared.join("summary.csv")).unwrap(), kept);
    // The same shard resumes its own results.
    assert!(shard("0/2", true).status.success());
    // --resume over another archive's results, or from a root with no
    // study (unmounted), keeps them.
    for (name, bytes) in simulated(9) {
        dir.write(&format!("other/p9/{name}"), &bytes);
    }
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = dir.path().join("results");
    let batch = |root: &str, flags: &[&str]| {
        nmjscope()
            .arg("batch")
            .arg(dir.path().join(root))
            .args(["-q", "--out"])
            .arg(&out)
            .args(flags)
            .output()
            .unwrap()
    };
    assert!(batch("archive", &[]).status.success());
    let kept = std::fs::read(out.join("summary.csv")).unwrap();
    refused_with(
        &batch("other", &["--resume"]),
        "it holds the results of another archive",
    );
    // An empty (unmounted) archive writes nothing, so the results stay.
    refused_with(&batch("empty", &["--resume"]), "nothing written");
    refused_with(&batch("empty", &["--force"]), "nothing written");
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), kept);
    // --force replaces them with another archive's.
    assert!(batch("other", &["--force"]).status.success());
}

#[test]
fn every_test_has_plots_of_its_own() {
    let dir = TempDir::new();
    let bytes =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems/1_rns_3hz.csv"))
            .unwrap();
    let other =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems/3_hfrns_50hz.csv"))
            .unwrap();
    dir.write("study/a 1.csv", &bytes);
    dir.write("study/a_1.csv", &other);
    let out = dir.path().join("out");
    succeeded(run_out("analyze", &dir.path().join("study"), &out, &[]));
    let mut plots: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    plots.sort();
    // Three plots of each train, none shared.
    assert_eq!(plots.len(), 6, "{plots:?}");
    assert!(plots.contains(&"a_1_stack.svg".to_string()), "{plots:?}");
    assert!(plots.contains(&"a_1_2_stack.svg".to_string()), "{plots:?}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("plots/a_1_stack.svg") && md.contains("plots/a_1_2_stack.svg"));
    let manifest = std::fs::read_to_string(out.join(".nmjscope-set")).unwrap();
    let mut lines: Vec<&str> = manifest.lines().collect();
    let n = lines.len();
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), n, "{manifest}");
}

#[test]
fn measurement_rows_name_their_study_by_path() {
    let dir = TempDir::new();
    // Two sites' p1, the same files (so the same study_id).
    for (name, bytes) in simulated(1) {
        dir.write(&format!("archive/siteA/p1/{name}"), &bytes);
        dir.write(&format!("archive/siteB/p1/{name}"), &bytes);
    }
    let out = dir.path().join("out");
    succeeded(run_out("batch", &dir.path().join("archive"), &out, &[]));
    let text = std::fs::read_to_string(out.join("measurements.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let first: Vec<&str> = header.iter().take(3).collect();
    assert_eq!(first, ["study", "path", "file"]);
    let paths: std::collections::BTreeSet<String> =
        rows.records().map(|r| r.unwrap()[1].to_string()).collect();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(paths.len(), 2, "{paths:?}");
    for p in &paths {
        assert!(p.ends_with("siteA/p1") || p.ends_with("siteB/p1"), "{p}");
        // The key of a summary row.
        assert!(summary.contains(&format!(",{p},")), "{p}\n{summary}");
    }
}

/// Runs `nmjscope ARGS` (standard input from `stdin` when given) and checks
/// the exit code and that standard error is one line without control
/// characters holding `words`.
fn one_line_error(args: &[&str], stdin: Option<&Path>, code: i32, words: &str) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("nmjscope"));
    cmd.args(args);
    if let Some(p) = stdin {
        cmd.stdin(std::fs::File::open(p).unwrap());
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    let line = err.strip_suffix('\n').unwrap_or(&err);
    assert!(!line.chars().any(char::is_control), "{args:?}: {line:?}");
    assert!(line.contains(words), "{args:?}: {words} not in {line}");
    assert!(line.len() < 400, "{args:?}: {line}");
}

#[test]
fn every_message_is_one_line_naming_what_is_wrong() {
    let dir = TempDir::new();
    let text = |p: &Path| p.to_str().unwrap().to_string();
    let sample = text(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems"));
    let train = format!("{sample}/1_rns_3hz.csv");
    let toml = text(&dir.write("t.toml", "[train]\ndecrement_response = 4.5\n"));
    let json = text(&dir.write(
        "d.json",
        r#"{"interpret": {"decrement_abnormal_pct": 8, "decrement_abnormal_pct": 30}}"#,
    ));
    // A file name with a line break and a terminal escape.
    let evil = text(&dir.write("a\nb\u{1b}[31m.csv", "x\n"));
    let cases: [(&[&str], i32, &str); 6] = [
        (&["analyze", &evil], 3, "a\\nb\\u{1b}[31m.csv"),
        // A flag that contradicts the file is the flag's fault.
        (
            &["analyze", &train, "--rate", "50"],
            5,
            "--rate (stim_rate_hz): 50 Hz contradicts the protocol rns of",
        ),
        // Settings files: a TOML type error on one line; a JSON key twice.
        (
            &["analyze", &sample, "--thresholds", &toml],
            5,
            "expected usize in `train.decrement_response`",
        ),
        (
            &["analyze", &sample, "--thresholds", &json],
            5,
            "the key \"decrement_abnormal_pct\" is given twice",
        ),
        // `--out /` has no folder name (and is never listed).
        (
            &["analyze", &sample, "--out", "/"],
            4,
            "it has no folder name",
        ),
        (
            &["analyze", &train, "--first-stimulus-ms", "1e308"],
            5,
            "--first-stimulus-ms (first_stimulus_ms): 1e308 is outside",
        ),
    ];
    for (args, code, words) in cases {
        one_line_error(args, None, code, words);
    }
    // A folder on standard input is the input's fault.
    let folder = Path::new(&sample);
    one_line_error(
        &["analyze", "-"],
        Some(folder),
        4,
        "<stdin>: Is a directory",
    );
}

#[test]
fn a_recording_at_a_bound_is_read_and_no_response_is_no_reference() {
    let dir = TempDir::new();
    // 200 kHz, the top of the plausible range, from a 0.005 ms step.
    let mut text = String::from("# protocol: rns\n# stim_rate_hz: 3\ntime_ms,r1,r2,r3,r4,r5\n");
    for i in -1000..9000 {
        let t = f64::from(i) * 0.005;
        let v = if t > 0.0 {
            -5.0 * (-((t - 5.0) / 1.0).powi(2)).exp()
        } else {
            0.0
        };
        text.push_str(&format!("{t:.3},{v:.4},{v:.4},{v:.4},{v:.4},{v:.4}\n"));
    }
    let fast = dir.write("fast.csv", text);
    let report = crate::util::analyze_json(&fast, &[]);
    let fs = report["tests"][0]["sampling_rate_hz"].as_f64().unwrap();
    assert!((fs - 200_000.0).abs() < 1e-6, "{fs}");
    // An exercise test whose `pre` is no response: no percentage against it.
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems/2_exercise_10s.csv"),
    )
    .unwrap();
    let mut header = true;
    let flat: String = original
        .lines()
        .map(|l| {
            if l.starts_with('#') || std::mem::replace(&mut header, false) {
                return format!("{l}\n");
            }
            let mut cells: Vec<&str> = l.split(',').collect();
            cells[1] = "0.0010";
            format!("{}\n", cells.join(","))
        })
        .collect();
    let nopre = dir.write("nopre.csv", flat);
    let report = crate::util::analyze_json(&nopre, &[]);
    let t = &report["tests"][0];
    assert!(t["increment_pct"].is_null(), "{}", t["increment_pct"]);
    assert!(t["change_pct"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c.is_null()));
    let text = String::from_utf8(
        nmjscope()
            .arg("analyze")
            .arg(&nopre)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(!text.contains("Increment after exercise"), "{text}");
}

#[cfg(unix)]
#[test]
fn links_out_of_a_study_are_followed_only_when_asked() {
    let dir = TempDir::new();
    let lems = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/lems");
    let study = dir.path().join("archive/linked");
    std::fs::create_dir_all(&study).unwrap();
    for name in ["1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"] {
        std::os::unix::fs::symlink(lems.join(name), study.join(name)).unwrap();
    }
    let batch = |follow: bool, out: &str| {
        let mut cmd = nmjscope();
        cmd.arg("batch")
            .arg(dir.path().join("archive"))
            .arg("--out")
            .arg(dir.path().join(out));
        if follow {
            cmd.arg("--follow-links");
        }
        let run = cmd.output().unwrap();
        (
            run.status.code(),
            std::fs::read_to_string(dir.path().join(out).join("summary.csv")).unwrap(),
        )
    };
    // Not followed: the study is an error row that names every link.
    let (code, summary) = batch(false, "out1");
    assert_eq!(code, Some(3), "{summary}");
    assert!(summary.contains("no trace files"), "{summary}");
    // Followed when asked: scored as the sample is.
    let (code, summary) = batch(true, "out2");
    assert_eq!(code, Some(0), "{summary}");
    assert!(summary.contains(",ok,presynaptic,"), "{summary}");
    let out = nmjscope().arg("analyze").arg(&study).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1_rns_3hz.csv (a symbolic link to a file outside this folder, not followed without --follow-links)"), "{err}");
}

#[cfg(unix)]
#[test]
fn links_to_folders_and_folders_without_traces_are_named() {
    let dir = TempDir::new();
    for (name, bytes) in simulated(1) {
        dir.write(&format!("ar/site/p1/{name}"), &bytes);
        dir.write(&format!("ext/pz/{name}"), &bytes);
    }
    dir.write("ar/site/p3/x.tsv", simulated(1)[0].1.clone());
    std::os::unix::fs::symlink(dir.path().join("ext/pz"), dir.path().join("ar/site/pz")).unwrap();
    // A loop inside the archive is no study: its target is scored where it is.
    std::os::unix::fs::symlink("..", dir.path().join("ar/site/up")).unwrap();
    let out = dir.path().join("out");
    let run = run_out("batch", &dir.path().join("ar"), &out, &[]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{err}");
    assert!(
        err.contains("note: not scored in") && err.contains("x.tsv (not a trace file)"),
        "{err}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3, "{summary}");
    assert!(
        summary.contains("a symbolic link to a folder, not followed"),
        "{summary}"
    );
    assert!(!summary.contains("site/up"), "{summary}");
}

#[test]
fn a_labs_own_keys_reach_no_report() {
    let dir = TempDir::new();
    let secrets = [
        ("examiner", "DrLeaky"),
        ("date", "2024-01-02"),
        ("side", "SideSecret"),
        ("medication", "MedSecret"),
        ("indication", "AccNoSecret"),
    ];
    for (name, bytes) in simulated(3) {
        let mut text: String = secrets
            .iter()
            .map(|(k, v)| format!("# {k}: {v}\n"))
            .collect();
        text.push_str(&String::from_utf8(bytes).unwrap());
        dir.write(&format!("lk/st/{name}"), text);
    }
    let keys: Vec<&str> = secrets
        .iter()
        .flat_map(|(k, _)| ["--identifying-key", *k])
        .collect();
    let mut outputs = Vec::new();
    for format in ["text", "json", "markdown", "csv"] {
        let run = nmjscope()
            .args(["analyze", "--format", format, "--out"])
            .arg(dir.path().join(format!("set_{format}")))
            .arg(dir.path().join("lk/st"))
            .args(&keys)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        outputs.push((format.to_string(), run.stdout));
    }
    let out = dir.path().join("out");
    let run = nmjscope()
        .arg("batch")
        .arg(dir.path().join("lk"))
        .args(&keys)
        .args(["--reports", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    every_output(&out, &mut outputs);
    // The report set: HTML, Markdown, JSON, CSV and the plots.
    every_output(&dir.path().join("set_text"), &mut outputs);
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for (key, value) in secrets {
            assert!(!text.contains(value), "{key} in {name}");
        }
    }
    // Asked for, an identified report shows them.
    let run = nmjscope()
        .args(["analyze", "--identified"])
        .arg(dir.path().join("lk/st"))
        .args(&keys)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&run.stdout).contains("DrLeaky"));
}

#[cfg(unix)]
#[test]
fn a_set_keeps_the_users_folder_mode_and_empty_folders() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mg");
    let out = dir.path().join("private");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();
    let analyze = || {
        nmjscope()
            .arg("analyze")
            .arg(&sample)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    assert!(analyze().status.success());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    // An empty folder the user added keeps the set from being replaced.
    std::fs::create_dir(out.join("mine")).unwrap();
    refused_with(&analyze(), "it holds mine/");
    assert!(out.join("mine").is_dir());
}

#[test]
fn of_runs_finishing_at_once_exactly_one_puts_its_results_in_place() {
    use nmjscope::batch::{OutputRules, ResultsWriter};
    let dir = TempDir::new();
    for round in 0..10 {
        let out = dir.path().join(format!("out{round}"));
        let writers: Vec<ResultsWriter> = (0..4)
            .map(|_| ResultsWriter::begin(&out, OutputRules::default()).unwrap())
            .collect();
        let ok = std::thread::scope(|s| {
            let handles: Vec<_> = writers
                .into_iter()
                .map(|w| s.spawn(move || w.finish().is_ok()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .filter(|ok| *ok)
                .count()
        });
        assert_eq!(ok, 1, "round {round}");
        assert!(out.join("summary.csv").is_file());
        let hidden = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count();
        assert_eq!(hidden, 0, "round {round}: a hidden folder or lock left");
    }
}

#[test]
fn merge_takes_the_shards_of_one_run_and_writes_only_inside_its_set() {
    let dir = TempDir::new();
    for s in 1..=4 {
        for (name, bytes) in simulated(s) {
            dir.write(&format!("arc/p{s}/{name}"), &bytes);
        }
    }
    for (name, bytes) in simulated(9) {
        dir.write(&format!("arc2/q1/{name}"), &bytes);
    }
    let p = |n: &str| dir.path().join(n);
    let shard = |root: &str, i: &str, out: &str| {
        let run = nmjscope()
            .arg("batch")
            .arg(p(root))
            .args(["-q", "--shard", i, "--out"])
            .arg(p(out))
            .output()
            .unwrap();
        assert!(
            matches!(run.status.code(), Some(0 | 4)),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    };
    shard("arc", "0/2", "s0");
    shard("arc", "1/2", "s1");
    shard("arc", "0/3", "s03");
    shard("arc2", "1/2", "z1");
    let merge = |parts: &[&str], out: &str| {
        let mut cmd = nmjscope();
        cmd.arg("merge");
        for part in parts {
            cmd.arg(p(part));
        }
        cmd.arg("--out").arg(p(out)).output().unwrap()
    };
    // Parts that are not one run are an input error (3), not a file-system one.
    let input_refused = |out: &std::process::Output, words: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains(words), "{words}: {err}");
    };
    input_refused(
        &merge(&["s03", "s1"], "m1"),
        "shards of one run share their count",
    );
    input_refused(&merge(&["s0", "z1"], "m2"), "it scored another archive");
    // A part whose summary points a report out of its folder.
    std::fs::create_dir(p("evil")).unwrap();
    for f in [
        "summary.csv",
        "measurements.csv",
        "studies.jsonl",
        ".nmjscope-set",
        ".nmjscope-run",
        "run.json",
    ] {
        std::fs::copy(p("s0").join(f), p("evil").join(f)).unwrap();
    }
    let summary = std::fs::read_to_string(p("evil/summary.csv")).unwrap();
    std::fs::write(
        p("evil/summary.csv"),
        summary.replacen("studies.jsonl:1", "reports/../../notes.txt", 1),
    )
    .unwrap();
    std::fs::write(p("notes.txt"), "precious").unwrap();
    let run = merge(&["evil", "s1"], "m3");
    assert_eq!(
        run.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("leads out of the output folder"));
    assert_eq!(std::fs::read_to_string(p("notes.txt")).unwrap(), "precious");
    // The shards of one run merge, and the merged set records the archive.
    assert!(merge(&["s0", "s1"], "m").status.success());
    assert!(std::fs::read_to_string(p("m/.nmjscope-run"))
        .unwrap()
        .contains("arc"));
}

#[cfg(unix)]
#[test]
fn hidden_work_folders_are_never_scored_and_a_broken_link_is_a_row() {
    let dir = TempDir::new();
    for (name, bytes) in simulated(1) {
        dir.write(&format!("arc/p1/{name}"), &bytes);
        // Left by a run killed mid-write inside the archive.
        dir.write(&format!("arc/.out.partial-x1/{name}"), &bytes);
        // A `.nmjscope-set` that is no manifest hides nothing.
        dir.write(&format!("arc/p2/{name}"), &bytes);
    }
    dir.write("arc/p2/.nmjscope-set", "garbage");
    std::os::unix::fs::symlink("/nonexistent/share/p9", dir.path().join("arc/p9")).unwrap();
    let out = dir.path().join("out");
    let run = nmjscope()
        .arg("batch")
        .arg(dir.path().join("arc"))
        .args(["-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(run.status.code(), Some(3), "{summary}");
    assert!(!summary.contains("partial"), "{summary}");
    assert!(summary.contains(",p2,ok"), "{summary}");
    assert!(summary.contains("a symbolic link to nothing"), "{summary}");
}
