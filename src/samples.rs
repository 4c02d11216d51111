//! The sample studies of the source tree's `samples/`, compiled in: `nmjscope
//! demo` analyses one, and `nmjscope samples --out DIR` writes them out
//! for a user who installed the tool (`cargo install`) and has no source
//! tree.
//!
//! Embedding is cheap: the folder is 1.7 MB of CSV in all (`normal`, `mg`
//! and `lems` 0.26 MB each, `mg_exhaustion` 0.52 MB, `variants` 0.40 MB,
//! the README 1.5 kB), of which `demo` already carried `lems`; well under
//! the ~3 MB past which only the three condition studies would be worth
//! it. Only a program that uses them links them in (the Python module
//! does not), and the module is built with the `native` feature only, so
//! the WebAssembly page (`web/`) does not carry it. The bytes are the
//! files themselves (`include_bytes!`); a test
//! (`embedded_samples_are_the_samples_folder`) compares them with
//! `samples/` file by file, names too, so the two cannot drift.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::model::Study;
use crate::simulate::Condition;

/// One folder of `samples/`: its name, what it holds, and its files in
/// name order.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// The folder's name under `samples/` (`mg`, `mg_exhaustion`).
    pub name: &'static str,
    /// What the folder holds, in a line.
    pub about: &'static str,
    /// Each file's name and bytes.
    pub files: &'static [(&'static str, &'static [u8])],
}

/// `(name, bytes)` of each named file of `samples/<dir>/`.
macro_rules! files {
    ($dir:literal: $($name:literal),+ $(,)?) => {
        &[$((
            $name,
            include_bytes!(concat!("../samples/", $dir, "/", $name)).as_slice(),
        )),+]
    };
}

/// `samples/README.md`: what each sample is and how it was made.
pub const README: &[u8] = include_bytes!("../samples/README.md");

/// The name `samples/README.md` is written under.
pub const README_NAME: &str = "README.md";

/// Every folder of `samples/`, in the order of its README.
pub const ALL: [Sample; 5] = [
    Sample {
        name: "normal",
        about: "a healthy ADM study: 3 Hz train, CMAP before and after 10 s of exercise, 50 Hz train",
        files: files!("normal": "1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"),
    },
    Sample {
        name: "mg",
        about: "myasthenia gravis: a U-shaped decrement at 3 Hz, little increment",
        files: files!("mg": "1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"),
    },
    Sample {
        name: "lems",
        about: "Lambert-Eaton: a low resting CMAP, an increment over 100% after exercise and at 50 Hz",
        files: files!("lems": "1_rns_3hz.csv", "2_exercise_10s.csv", "3_hfrns_50hz.csv"),
    },
    Sample {
        name: "mg_exhaustion",
        about: "myasthenia gravis, the post-exercise series: trains at rest, then after a minute of exercise",
        files: files!(
            "mg_exhaustion":
            "1_rest_train1.csv",
            "2_rest_train2.csv",
            "3_post_0s.csv",
            "4_post_60s.csv",
            "5_post_120s.csv",
            "6_post_180s.csv",
            "7_post_240s.csv",
        ),
    },
    Sample {
        name: "variants",
        about: "four single tests in other layouts: `;` and decimal commas, microvolts, seconds, long",
        files: files!(
            "variants":
            "lems_exercise_microvolts.csv",
            "mg_rns_semicolon_decimal_comma.csv",
            "normal_hfrns_20hz_seconds.csv",
            "normal_rns_long_layout.csv",
        ),
    },
];

/// The sample named `name` (a folder of `samples/`), if there is one.
pub fn find(name: &str) -> Option<&'static Sample> {
    ALL.iter().find(|s| s.name == name)
}

/// The standard study (3 Hz train, exercise, 50 Hz train) of `condition`.
pub fn of_condition(condition: Condition) -> &'static Sample {
    let name = match condition {
        Condition::Normal => "normal",
        Condition::Mg => "mg",
        Condition::Lems => "lems",
    };
    // Each condition's folder is in `ALL` (`every_condition_has_a_sample`).
    find(name).unwrap_or(&ALL[0])
}

impl Sample {
    /// The sample read as a study, as `read_study` reads its folder
    /// (named `samples/<name> (built in)` in messages).
    ///
    /// # Errors
    ///
    /// As [`crate::parse_study`]: [`crate::Error::MixedStudies`] for
    /// `variants`, whose files are four studies.
    pub fn study(&self) -> Result<Study> {
        let files: Vec<(PathBuf, Vec<u8>)> = self
            .files
            .iter()
            .map(|(name, bytes)| (PathBuf::from(name), bytes.to_vec()))
            .collect();
        let path = PathBuf::from(format!("samples/{} (built in)", self.name));
        crate::parse_study(&path, &files, &crate::ReadOptions::default())
    }
}

/// The files a samples set holds: with `one`, that sample's files (the
/// folder is the study); else every sample as a folder of its own,
/// beside the README, as `samples/` is laid out.
pub fn set_files(one: Option<&Sample>) -> Vec<(String, Vec<u8>)> {
    match one {
        Some(sample) => sample
            .files
            .iter()
            .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
            .collect(),
        None => std::iter::once((README_NAME.to_string(), README.to_vec()))
            .chain(ALL.iter().flat_map(|s| {
                s.files
                    .iter()
                    .map(|(name, bytes)| (format!("{}/{name}", s.name), bytes.to_vec()))
            }))
            .collect(),
    }
}

/// Writes the samples ([`set_files`]) into `dir` as a set of kind
/// [`crate::io::fs::SAMPLES`]: `dir` is replaced only when nmjscope wrote
/// it ([`crate::io::fs::write_set`]). Returns the folder.
///
/// # Errors
///
/// As [`crate::io::fs::write_set`]: [`crate::Error::OutputNotASet`] for a
/// folder nmjscope did not write, [`crate::Error::Io`].
pub fn write(dir: &Path, one: Option<&Sample>) -> Result<PathBuf> {
    crate::io::fs::write_set(dir, &set_files(one), crate::io::fs::SAMPLES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_has_a_sample() {
        for (condition, name) in [
            (Condition::Normal, "normal"),
            (Condition::Mg, "mg"),
            (Condition::Lems, "lems"),
        ] {
            assert_eq!(of_condition(condition).name, name);
        }
    }

    #[test]
    fn the_standard_samples_read_as_one_study_each() {
        for name in ["normal", "mg", "lems", "mg_exhaustion"] {
            let study = find(name).unwrap().study().unwrap();
            assert_eq!(study.tests.len(), find(name).unwrap().files.len());
        }
    }
}
