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
