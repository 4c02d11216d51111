//! Runs that never lose a study (issue 33): every batch output records its
//! run (`run.json`), and `merge` takes only the shards of one run, whole,
//! with errors of their own kind.

use std::path::{Path, PathBuf};

use super::batch::archive;
use super::util::{nmjscope, TempDir};

/// `nmjscope batch ROOT [--shard I/N] [extra] --out OUT`, from `cwd`.
fn batch(
    cwd: &Path,
    root: &str,
    shard: Option<&str>,
    extra: &[&str],
    out: &Path,
) -> std::process::Output {
    let mut cmd = nmjscope();
    cmd.current_dir(cwd).args(["batch", "-q", root]);
    if let Some(s) = shard {
        cmd.args(["--shard", s]);
    }
    cmd.args(extra).arg("--out").arg(out).output().unwrap()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap()
}

fn merge(parts: &[&PathBuf], out: &Path) -> std::process::Output {
    nmjscope()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_batch_output_records_its_run() {
    let arc = archive();
    let outs = TempDir::new();
    let out = outs.path().join("full");
    let root = arc.path().to_str().unwrap();
    let o = batch(outs.path(), root, None, &["--decrement-pct", "8"], &out);
    assert_eq!(
        o.status.code(),
        Some(3),
        "one study is broken: {}",
        stderr(&o)
    );
    let m = manifest(&out);
    assert_eq!(m["schema"], "nmjscope.run/1");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["shard"], serde_json::Value::Null);
    assert_eq!(
        m["counts"],
        serde_json::json!({"in_archive": 5, "found": 5, "scored": 4, "failed": 1, "reused": 0})
    );
    assert_eq!(m["settings"]["interpret"]["decrement_abnormal_pct"], 8.0);
    let hash = m["settings_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 16);
    let command: Vec<&str> = m["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(&command[1..3], ["batch", "-q"], "{command:?}");
    assert!(command.contains(&"--decrement-pct"));
    // Option names, never values: a value may identify a patient.
    assert_eq!(command[0], "nmjscope");
    assert!(
        command.iter().all(|c| !c.contains(root) && *c != "8"),
        "{command:?}"
    );
    assert!(m["read_options_hash"].as_str().unwrap().len() == 16);
    let started = m["started"].as_str().unwrap();
    assert!(started.ends_with('Z') && started <= m["finished"].as_str().unwrap());
    // The root as a full path, however it was typed: absolute, relative,
    // with "./".
    let full = arc.path().canonicalize().unwrap();
    assert_eq!(m["root"], full.display().to_string());
    let parent = arc.path().parent().unwrap();
    let name = arc.path().file_name().unwrap().to_str().unwrap();
    for (i, typed) in [
        name.to_string(),
        format!("./{name}/"),
        format!("{name}/../{name}"),
    ]
    .iter()
    .enumerate()
    {
        let out = outs.path().join(format!("typed{i}"));
        batch(parent, typed, None, &["--decrement-pct", "8"], &out);
        let m = manifest(&out);
        assert_eq!(m["root"], full.display().to_string(), "typed {typed}");
        assert_eq!(m["settings_hash"], hash);
    }
}

#[test]
fn merge_refuses_a_forgotten_or_doubled_shard_and_other_settings() {
    let arc = archive();
    let outs = TempDir::new();
    let root = arc.path().to_str().unwrap();
    let parts: Vec<PathBuf> = (0..4)
        .map(|i| {
            let part = outs.path().join(format!("shard-{i}"));
            let o = batch(outs.path(), root, Some(&format!("{i}/4")), &[], &part);
            // A clean run, or one with the broken study: an empty shard is
            // clean too, and records itself.
            assert!(matches!(o.status.code(), Some(0 | 3)), "{}", stderr(&o));
            assert_eq!(
                manifest(&part)["shard"],
                serde_json::json!({"index": i, "count": 4})
            );
            part
        })
        .collect();
    let found: u64 = parts
        .iter()
        .map(|p| manifest(p)["counts"]["found"].as_u64().unwrap())
        .sum();
    assert_eq!(found, 5, "the shards partition the archive");
    // Shard 3 of 4 forgotten: refused as an input error (3), naming it.
    let o = merge(&[&parts[0], &parts[1], &parts[2]], &outs.path().join("m1"));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 of the run's 4 shards is missing (3/4)"),
        "{}",
        stderr(&o)
    );
    assert!(!outs.path().join("m1").exists());
    // A shard given twice.
    let o = merge(
        &[&parts[0], &parts[1], &parts[1], &parts[2], &parts[3]],
        &outs.path().join("m2"),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("it is shard 1/4, as"), "{}", stderr(&o));
    // A shard scored with other settings: a settings error (5).
    let strict = outs.path().join("strict-3");
    batch(
        outs.path(),
        root,
        Some("3/4"),
        &["--decrement-pct", "20"],
        &strict,
    );
    let o = merge(
        &[&parts[0], &parts[1], &parts[2], &strict],
        &outs.path().join("m3"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("other settings"), "{}", stderr(&o));
    // A part with no run.json (an older output, or not a batch's).
    std::fs::remove_file(strict.join("run.json")).unwrap();
    let o = merge(
        &[&parts[0], &parts[1], &parts[2], &strict],
        &outs.path().join("m4"),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("it has no run.json"), "{}", stderr(&o));
    // A shard read with other options (here --rate) is another run: exit 5.
    let rated = outs.path().join("rated-3");
    batch(outs.path(), root, Some("3/4"), &["--rate", "5"], &rated);
    let o = merge(
        &[&parts[0], &parts[1], &parts[2], &rated],
        &outs.path().join("m5"),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("read with other options"),
        "{}",
        stderr(&o)
    );
    // A shard run with --reports among shards without: refused.
    let reported = outs.path().join("reported-3");
    batch(outs.path(), root, Some("3/4"), &["--reports"], &reported);
    let o = merge(
        &[&parts[0], &parts[1], &parts[2], &reported],
        &outs.path().join("m8"),
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("it was run with --reports and"),
        "{}",
        stderr(&o)
    );
    // A part whose summary lost a row after its run.
    let lines = |p: &Path| {
        std::fs::read_to_string(p.join("summary.csv"))
            .unwrap()
            .lines()
            .count()
    };
    let full_part = (0..4)
        .find(|&i| lines(&parts[i]) > 1)
        .expect("a shard with studies");
    let cut = outs.path().join("cut");
    copy_dir(&parts[full_part], &cut);
    let summary = std::fs::read_to_string(cut.join("summary.csv")).unwrap();
    let kept: Vec<&str> = summary.lines().take(lines(&cut) - 1).collect();
    std::fs::write(cut.join("summary.csv"), kept.join("\n") + "\n").unwrap();
    let mut given: Vec<&PathBuf> = parts.iter().collect();
    given[full_part] = &cut;
    let o = merge(&given, &outs.path().join("m6"));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the summary was changed after the run"),
        "{}",
        stderr(&o)
    );
    // A part that is not there: the file system's error (4), not "no run.json".
    let o = merge(
        &[
            &parts[0],
            &parts[1],
            &parts[2],
            &outs.path().join("nowhere"),
        ],
        &outs.path().join("m7"),
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    // All four: the merged output records the run and its parts.
    let merged = outs.path().join("merged");
    let o = merge(&parts.iter().collect::<Vec<_>>(), &merged);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&merged);
    assert_eq!(m["merged_parts"], 4);
    assert_eq!(m["counts"]["found"], 5);
    assert_eq!(m["counts"]["failed"], 1);
    assert_eq!(m["root"], manifest(&parts[0])["root"]);
    assert_eq!(m["settings_hash"], manifest(&parts[0])["settings_hash"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn an_archive_that_is_not_there_writes_nothing() {
    // An unmounted share is an empty folder: no output that a merge could
    // take for a shard that found nothing.
    let outs = TempDir::new();
    std::fs::create_dir(outs.path().join("unmounted")).unwrap();
    let out = outs.path().join("u2");
    let o = batch(outs.path(), "unmounted", Some("2/4"), &[], &out);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing written"), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn shards_typed_three_ways_are_one_run() {
    let arc = archive();
    let outs = TempDir::new();
    let parent = arc.path().parent().unwrap();
    let name = arc.path().file_name().unwrap().to_str().unwrap();
    let full = outs.path().join("full");
    batch(parent, name, None, &[], &full);
    // Shard 0 typed as a relative path, 1 with "./", 2 absolute.
    let typed = [
        name.to_string(),
        format!("./{name}"),
        arc.path().display().to_string(),
    ];
    let parts: Vec<PathBuf> = typed
        .iter()
        .enumerate()
        .map(|(i, root)| {
            let part = outs.path().join(format!("p{i}"));
            batch(parent, root, Some(&format!("{i}/3")), &[], &part);
            part
        })
        .collect();
    let merged = outs.path().join("merged");
    let o = merge(&parts.iter().collect::<Vec<_>>(), &merged);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = |p: &Path| {
        std::fs::read_to_string(p.join("summary.csv"))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    assert_eq!(rows(&merged), rows(&full));
    assert_eq!(rows(&merged), 5);
    // A resume with the root typed another way re-uses every scored study.
    let o = batch(parent, &format!("./{name}/"), None, &["--resume"], &full);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(manifest(&full)["counts"]["reused"], 4, "{}", stderr(&o));
}

#[test]
fn a_write_failure_is_a_file_system_error_and_an_empty_shard_is_clean() {
    let arc = archive();
    let outs = TempDir::new();
    outs.write("file.csv", "mine");
    let root = arc.path().to_str().unwrap();
    let o = batch(
        outs.path(),
        root,
        Some("0/4"),
        &[],
        &outs.path().join("file.csv/shard-0"),
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(outs.path().join("file.csv")).unwrap(),
        "mine"
    );
    // Many shards over five studies: some find none, and exit 0.
    let mut empty = 0;
    for i in 0..12 {
        let part = outs.path().join(format!("s{i}"));
        let o = batch(outs.path(), root, Some(&format!("{i}/12")), &[], &part);
        if manifest(&part)["counts"]["found"] == 0 {
            empty += 1;
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(String::from_utf8_lossy(&o.stderr)
                .contains("holds none of the archive's 5 studies"));
        }
    }
    assert!(empty > 0, "12 shards over 5 studies leave one empty");
}
