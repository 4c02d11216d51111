//! The JSON report (schema `nmjscope.report/2`).

use super::{Exporter, Plot};
use crate::error::Result;
use crate::model::Report;

/// Writes `report.json`.
pub(crate) struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, report: &Report, _plots: &[Vec<Plot>]) -> Result<Vec<u8>> {
        Ok(json(report))
    }
}

/// Serialises a report as pretty-printed JSON with a final newline.
pub(crate) fn json(report: &Report) -> Vec<u8> {
    // Serialising plain structs of strings, numbers and options cannot fail;
    // an empty object would be the only fallback.
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_else(|_| b"{}".to_vec());
    bytes.push(b'\n');
    bytes
}
