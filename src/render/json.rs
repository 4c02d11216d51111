//! The JSON report (schema `nmjscope.report/3`).

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
    positive_zeros(&mut bytes);
    bytes.push(b'\n');
    bytes
}

/// Drops the sign of every negative zero number in JSON text (`-0.0`
/// becomes `0.0`): a sample read from "-0.0000" is a negative zero, and no
/// reader should see "-0.0". Text inside strings is left as it is.
pub(crate) fn positive_zeros(bytes: &mut Vec<u8>) {
    let mut out = 0;
    let mut in_string = false;
    let mut escaped = false;
    for i in 0..bytes.len() {
        let b = bytes[i];
        let drop_sign = !in_string && b == b'-' && zero_number(&bytes[i + 1..]);
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        if !drop_sign {
            bytes[out] = b;
            out += 1;
        }
    }
    bytes.truncate(out);
}

/// Whether `rest` starts with a JSON number whose value is zero (`0`,
/// `0.0`, `0.000e5`).
fn zero_number(rest: &[u8]) -> bool {
    let end = rest
        .iter()
        .position(|c| !(c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')))
        .unwrap_or(rest.len());
    let token = &rest[..end];
    // Only zeros before the exponent: the value is zero whatever follows.
    let mantissa = token
        .split(|c| *c == b'e' || *c == b'E')
        .next()
        .unwrap_or_default();
    !mantissa.is_empty()
        && mantissa.first() == Some(&b'0')
        && mantissa.iter().all(|c| *c == b'0' || *c == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zeros_lose_their_sign_outside_strings() {
        let mut text =
            br#"{"a":-0.0,"b":[-0.0,-0.05,-0],"c":"x:-0.0,","d":-0.0e0,"e":"\"-0.0","f":-1e-300}"#
                .to_vec();
        positive_zeros(&mut text);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"{"a":0.0,"b":[0.0,-0.05,0],"c":"x:-0.0,","d":0.0e0,"e":"\"-0.0","f":-1e-300}"#
        );
    }
}
