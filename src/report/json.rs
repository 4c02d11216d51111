//! The JSON report (schema `nmjscope.report/1`).

use super::Report;

/// Serialises a report as pretty-printed JSON with a final newline.
pub fn json(report: &Report) -> Vec<u8> {
    // Serialising plain structs of strings, numbers and options cannot fail;
    // an empty object would be the only fallback.
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_else(|_| b"{}".to_vec());
    bytes.push(b'\n');
    bytes
}
