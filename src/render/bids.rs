//! A BIDS derivative of a session (`nmjscope bids ... participant`,
//! `docs/bids.md`): per run, the measurements as a BIDS table with a JSON
//! sidecar describing each column and its unit; per session, the report
//! set. Pure: the files as (path, bytes), written by the caller.

use serde_json::json;

use super::csv::{measurements_tsv, COLUMN_MEANINGS};
use crate::error::Result;
use crate::io::bids::BidsName;
use crate::model::{Report, TestDisplay};

/// The column descriptions of a measurements table, BIDS style.
fn columns_json() -> Vec<u8> {
    let mut map = serde_json::Map::new();
    for (name, description, units) in COLUMN_MEANINGS {
        let mut col = serde_json::Map::new();
        col.insert("Description".into(), json!(description));
        if let Some(u) = units {
            col.insert("Units".into(), json!(u));
        }
        map.insert((*name).to_string(), serde_json::Value::Object(col));
    }
    let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// A run's measurements table name: its entities, `desc-cmap`, suffix
/// `measurements` (`sub-01_ses-01_task-rns3hz_desc-cmap_measurements.tsv`);
/// a file that is no BIDS name keeps its stem.
fn table_name(file: &str, extension: &str) -> String {
    match BidsName::parse(file) {
        Some(mut n) => {
            n.entities.retain(|(k, _)| k != "desc");
            n.entities.push(("desc".into(), "cmap".into()));
            n.with("measurements", extension)
        }
        None => {
            let stem = file.split('.').next().unwrap_or(file);
            format!("{stem}_desc-cmap_measurements{extension}")
        }
    }
}

/// A session's derivative files under `dir` (`ses-01`, or empty for a
/// subject without sessions): `emg/<run>_desc-cmap_measurements.tsv`
/// and `.json` per run, and the report set under `report/`; `path` is
/// the session's path in the dataset (`sub-01/ses-01`), the tables' `path`
/// column, as the group level's summary gives it.
///
/// # Errors
///
/// As [`super::report_set`].
pub fn session_derivatives(
    report: &Report,
    displays: &[TestDisplay],
    dir: &str,
    path: &str,
) -> Result<Vec<(String, Vec<u8>)>> {
    let at = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let mut files = Vec::new();
    for (i, t) in report.tests.iter().enumerate() {
        files.push((
            at(&format!("emg/{}", table_name(&t.file, ".tsv"))),
            measurements_tsv(report, i, path),
        ));
        files.push((
            at(&format!("emg/{}", table_name(&t.file, ".json"))),
            columns_json(),
        ));
    }
    for (name, bytes) in super::report_set(report, displays)? {
        files.push((at(&format!("report/{name}")), bytes));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_named_for_their_run() {
        assert_eq!(
            table_name("sub-01_ses-01_task-rns3hz_emg.edf", ".tsv"),
            "sub-01_ses-01_task-rns3hz_desc-cmap_measurements.tsv"
        );
        assert_eq!(
            table_name("1_rns_3hz.csv", ".json"),
            "1_rns_3hz_desc-cmap_measurements.json"
        );
    }
}
