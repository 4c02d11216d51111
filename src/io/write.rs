//! The input-contract writer: a recording (or a study) as CSV in contract v1
//! (`docs/formats.md`), in any of its variants. The simulator's files,
//! the samples and the reader tests are written here, so what is written
//! is what the readers are held to.

use serde::{Deserialize, Serialize};

use crate::model::{Polarity, Protocol, Recording, Study};

/// Which variant of input contract v1 a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileVariant {
    /// Comma-separated, time in ms, values in mV (the default).
    #[default]
    Plain,
    /// Semicolon-separated with decimal commas, `Time (ms)`, `R1 (mV)`.
    Semicolon,
    /// Values in microvolts (`R1 (µV)`).
    Microvolts,
    /// Time in seconds (`Time (s)`).
    Seconds,
    /// Long layout: response, time, value.
    Long,
}

/// Metadata keys written from the recording's own fields, in this order;
/// any other metadata follows, sorted.
pub(crate) const OWN_KEYS: [&str; 11] = [
    "generator",
    "study_id",
    "protocol",
    "exercise_s",
    "stim_rate_hz",
    "sampling_rate_hz",
    "muscle",
    "nerve",
    "side",
    "temperature_c",
    "polarity",
];

/// The header lines: the recording's fields, then the rest of its
/// metadata.
fn header(r: &Recording) -> String {
    let own: [Option<String>; 11] = [
        r.metadata.get("generator").cloned(),
        r.study_id.clone(),
        Some(r.protocol.to_string()),
        // An exercise test's length, or the exercise a post-exercise
        // train follows.
        r.exercise_s
            .filter(|_| r.protocol == Protocol::Exercise || r.record.exercise_phase.is_some())
            .map(|v| v.to_string()),
        r.stim_rate_hz
            .filter(|_| r.protocol != Protocol::Exercise)
            .map(|v| v.to_string()),
        Some(r.sampling_rate_hz.to_string()),
        r.muscle.clone(),
        r.nerve.clone(),
        r.side.clone(),
        r.temperature_c.map(|v| v.to_string()),
        (r.polarity == Polarity::Inverted).then(|| "inverted".to_string()),
    ];
    let mut out = String::new();
    for (key, value) in OWN_KEYS.iter().zip(own) {
        if let Some(v) = value {
            out.push_str(&format!("# {key}: {v}\n"));
        }
    }
    for (key, value) in &r.metadata {
        if !OWN_KEYS.contains(&key.as_str()) {
            out.push_str(&format!("# {key}: {value}\n"));
        }
    }
    out
}

/// A recording as CSV bytes in `variant` (4 decimals: 0.1 µV in mV; 7 for
/// time in seconds).
pub fn trace_csv(r: &Recording, variant: FileVariant) -> Vec<u8> {
    let delimiter = if variant == FileVariant::Semicolon {
        b';'
    } else {
        b','
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let num = |v: f64, decimals: usize| {
        let s = format!("{v:.decimals$}");
        if variant == FileVariant::Semicolon {
            s.replace('.', ",")
        } else {
            s
        }
    };
    let times: Vec<f64> = (0..r.sweep_len()).map(|i| r.time_ms(i)).collect();
    // Writing to a Vec cannot fail; a record that could not be written
    // would only be missing from bytes the caller then reads back.
    if variant == FileVariant::Long {
        let _ = w.write_record(["response", "time_ms", "value_mv"]);
        for (i, label) in r.labels.iter().enumerate() {
            for (t, v) in times.iter().zip(r.trace(i)) {
                let _ = w.write_record([label.to_string(), num(*t, 4), num(*v, 4)]);
            }
        }
    } else {
        let (time_head, time_scale, decimals) = match variant {
            FileVariant::Seconds => ("Time (s)", 1e-3, 7),
            FileVariant::Semicolon => ("Time (ms)", 1.0, 4),
            _ => ("time_ms", 1.0, 4),
        };
        let (value_scale, value_decimals) = if variant == FileVariant::Microvolts {
            (1000.0, 1)
        } else {
            (1.0, 4)
        };
        let mut head = vec![time_head.to_string()];
        head.extend(r.labels.iter().map(|l| match variant {
            FileVariant::Microvolts => format!("{} (µV)", l.to_string().to_uppercase()),
            FileVariant::Semicolon => format!("{} (mV)", l.to_string().to_uppercase()),
            _ => l.to_string(),
        }));
        let _ = w.write_record(&head);
        for (i, t) in times.iter().enumerate() {
            let mut row = vec![num(t * time_scale, decimals)];
            row.extend(
                r.samples_mv
                    .column(i)
                    .iter()
                    .map(|v| num(v * value_scale, value_decimals)),
            );
            let _ = w.write_record(&row);
        }
    }
    let mut bytes = header(r).into_bytes();
    bytes.extend(w.into_inner().unwrap_or_default());
    bytes
}

/// Every test of a study as (file name, CSV bytes).
pub fn study_csv(study: &Study, variant: FileVariant) -> Vec<(String, Vec<u8>)> {
    study
        .tests
        .iter()
        .map(|t| (t.source.file_name.clone(), trace_csv(t, variant)))
        .collect()
}
