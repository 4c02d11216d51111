//! The derivatives folder `nmjscope bids` writes (BIDS Apps: the
//! OUTPUT_DIR, `derivatives/nmjscope` by convention): its
//! `dataset_description.json`, written once whichever array task comes
//! first, and the rule that it writes only into a folder of its own.

#[cfg(feature = "native")]
use std::path::{Path, PathBuf};

use serde_json::json;

#[cfg(feature = "native")]
use crate::error::{Error, Result};

/// The derivative dataset's `dataset_description.json`: `GeneratedBy`
/// this tool, at `version`, and the raw dataset it derives from.
pub fn derivatives_description(version: &str) -> Vec<u8> {
    let v = json!({
        "Name": "nmjscope: CMAP measurements and reports",
        "BIDSVersion": super::BIDS_VERSION,
        "DatasetType": "derivative",
        "GeneratedBy": [{
            "Name": "nmjscope",
            "Version": version,
            "Description": "Every CMAP measured, decrement and increment judged against published criteria (docs/bids.md)"
        }]
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// Whether a `dataset_description.json` is this tool's (its first
/// `GeneratedBy` is nmjscope): a derivatives folder it may write into.
pub fn is_our_description(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| {
        v["DatasetType"] == "derivative" && v["GeneratedBy"][0]["Name"] == "nmjscope"
    })
}

/// The name of the hidden file a description is written to before it is
/// put in place.
#[cfg(feature = "native")]
const PENDING: &str = ".dataset_description.json.";

/// A path made absolute, its `..` taken lexically, then its existing
/// part resolved (links): where a folder not made yet will be.
#[cfg(feature = "native")]
fn resolved(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let mut rest = Vec::new();
    for dir in clean.ancestors() {
        if let Ok(real) = dir.canonicalize() {
            return rest.iter().rev().fold(real, |p: PathBuf, c| p.join(c));
        }
        if let Some(name) = dir.file_name() {
            rest.push(name.to_os_string());
        }
    }
    clean
}

/// Makes `out` this tool's derivatives folder of `dataset`, or checks
/// that it is one: absent or empty, it gets `dataset_description.json`
/// (put in place whole and never over another: two array tasks starting
/// together write one, and each finds it); holding ours, it is used;
/// holding anything else, it is refused, and nothing is touched. Inside
/// the dataset it must be under `derivatives/`: anywhere else it would
/// be read as part of the raw data (`sub-03`), or be the dataset itself.
///
/// # Errors
///
/// [`Error::OutputNotOurs`] for a folder with other files or another
/// description, or one inside the dataset outside `derivatives/`;
/// [`Error::Io`] naming what could not be made.
#[cfg(feature = "native")]
pub fn prepare_derivatives(out: &Path, dataset: &Path, version: &str) -> Result<()> {
    let description = out.join(super::DESCRIPTION);
    let not_ours = |path: &Path, detail: &str| Error::OutputNotOurs {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    let (real_out, real_dataset) = (resolved(out), resolved(dataset));
    let derivatives = real_dataset.join("derivatives");
    if real_out.starts_with(&real_dataset) && !real_out.starts_with(&derivatives) {
        return Err(not_ours(out, "inside the BIDS dataset and not under its derivatives/ folder: it would be read as raw data; give BIDS_DIR/derivatives/nmjscope or a folder outside"));
    }
    if real_out == derivatives {
        return Err(not_ours(out, "the dataset's derivatives/ folder itself, which every pipeline shares: give derivatives/nmjscope"));
    }
    match std::fs::read(&description) {
        Ok(bytes) if is_our_description(&bytes) => return Ok(()),
        Ok(_) => return Err(not_ours(&description, "a dataset description this tool did not write: give nmjscope a derivatives folder of its own (derivatives/nmjscope)")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&description, e)),
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        let other = entries.filter_map(|e| e.ok()).any(|e| {
            !e.file_name().to_string_lossy().starts_with(PENDING)
                && e.file_name() != super::DESCRIPTION
        });
        if other {
            return Err(not_ours(out, "holds files, and no dataset_description.json of this tool: give an empty or new folder (derivatives/nmjscope)"));
        }
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(PENDING);
    // Readable by all as the rest of the derivatives are, not private as
    // a temporary file is made (colleagues on a cluster read it).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut pending = builder.tempfile_in(out).map_err(|e| Error::io(out, e))?;
    std::io::Write::write_all(&mut pending, &derivatives_description(version))
        .map_err(|e| Error::io(pending.path(), e))?;
    match pending.persist_noclobber(&description) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes = std::fs::read(&description).map_err(|e| Error::io(&description, e))?;
            if is_our_description(&bytes) {
                Ok(())
            } else {
                Err(not_ours(
                    &description,
                    "another program wrote a dataset description here meanwhile",
                ))
            }
        }
        Err(e) => Err(Error::io(&description, e.error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_description_is_ours() {
        assert!(is_our_description(&derivatives_description("1.0")));
        assert!(!is_our_description(
            br#"{"Name": "x", "BIDSVersion": "1.11.0"}"#
        ));
        assert!(!is_our_description(b"not json"));
    }

    #[test]
    fn a_folder_of_others_is_refused_and_ours_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("ds");
        std::fs::create_dir(&data).unwrap();
        let out = data.join("derivatives/nmjscope");
        prepare_derivatives(&out, &data, "1.0").unwrap();
        prepare_derivatives(&out, &data, "1.0").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join("dataset_description.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
        }
        for inside in ["sub-03", ".", "derivatives", "derivatives/../sub-9"] {
            let e = prepare_derivatives(&data.join(inside), &data, "1.0").unwrap_err();
            assert!(e.to_string().contains("derivatives"), "{inside}: {e}");
        }
        assert!(!data.join("sub-03").exists());
        let theirs = dir.path().join("fmriprep");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join("notes.txt"), "x").unwrap();
        let e = prepare_derivatives(&theirs, &data, "1.0").unwrap_err();
        assert!(e.to_string().contains("holds files"), "{e}");
        assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
        std::fs::write(theirs.join(crate::io::bids::DESCRIPTION), "{}").unwrap();
        assert!(prepare_derivatives(&theirs, &data, "1.0").is_err());
    }
}
