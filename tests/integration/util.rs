//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// A temporary directory that lives as long as the value.
pub struct TempDir {
    dir: tempfile::TempDir,
}

impl TempDir {
    pub fn new() -> TempDir {
        TempDir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to `name` inside the directory and returns the path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

/// The `nmjscope` binary.
pub fn nmjscope() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("nmjscope").expect("binary")
}

/// A simulated study as the files the simulator's users write (plain
/// variant of input contract v1).
pub fn study_files(config: &nmjscope::simulate::SimConfig) -> Vec<(String, Vec<u8>)> {
    let sim = nmjscope::simulate::simulate_study(config).expect("simulate");
    nmjscope::io::write::study_csv(&sim.study, Default::default())
}

/// A simulated single test as the file `nmjscope simulate -o` writes.
pub fn test_file(config: &nmjscope::simulate::SimConfig) -> Vec<u8> {
    let sim = nmjscope::simulate::simulate_test(config).expect("simulate");
    nmjscope::io::write::trace_csv(&sim.recording, Default::default())
}

/// `nmjscope analyze --format json FLAGS PATH`, which must succeed, as
/// JSON.
pub fn analyze_json(path: &Path, flags: &[&str]) -> serde_json::Value {
    let out = nmjscope()
        .args(["analyze", "--format", "json"])
        .args(flags)
        .arg(path)
        .output()
        .expect("nmjscope runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// Checks that the document `doc` (a path from the repository's root)
/// holds `table` between `<!-- NAME -->` and `<!-- end NAME -->`; with
/// `NMJSCOPE_UPDATE_DOCS` set, writes it there instead.
pub fn doc_table(doc: &str, name: &str, table: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
    let text = std::fs::read_to_string(&path).unwrap();
    let (open, close) = (format!("<!-- {name} -->"), format!("<!-- end {name} -->"));
    if std::env::var_os("NMJSCOPE_UPDATE_DOCS").is_some() {
        let (before, rest) = text.split_once(&open).expect("the opening marker");
        let (_, after) = rest.split_once(&close).expect("the closing marker");
        std::fs::write(&path, format!("{before}{open}\n{table}{close}{after}")).unwrap();
        return;
    }
    assert!(
        text.contains(&format!("{open}\n{table}{close}")),
        "{doc} is stale: run with NMJSCOPE_UPDATE_DOCS=1"
    );
}
