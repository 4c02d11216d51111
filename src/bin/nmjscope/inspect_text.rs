//! The text form of `nmjscope inspect`.

use std::fmt::Write;

use nmjscope::io::Inspection;

/// The text form of `inspect`.
pub fn text(items: &[Inspection]) -> String {
    let mut s = String::new();
    for (k, i) in items.iter().enumerate() {
        if k > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "file:              {}", i.file);
        let _ = writeln!(s, "layout:            {:?}", i.layout);
        let _ = writeln!(
            s,
            "delimiter:         {:?}{}",
            i.delimiter,
            if i.decimal_comma {
                " (decimal comma accepted)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            s,
            "units:             {}",
            serde_json::to_string(&i.units)
                .unwrap_or_default()
                .trim_matches('"')
        );
        let _ = writeln!(
            s,
            "time column:       {}",
            if i.time_in_seconds {
                "seconds"
            } else {
                "milliseconds"
            }
        );
        let _ = writeln!(s, "sampling rate:     {} Hz", i.sampling_rate_hz);
        let _ = writeln!(s, "pre-stimulus:      {} ms", i.pre_stimulus_ms);
        let _ = writeln!(
            s,
            "sweep:             {} ms ({} samples)",
            i.sweep_ms, i.samples_per_response
        );
        let _ = writeln!(
            s,
            "protocol:          {}{}",
            i.protocol,
            match i.protocol_source {
                nmjscope::model::ProtocolSource::Option => " (from --protocol)",
                nmjscope::model::ProtocolSource::Inferred => " (inferred)",
                _ => " (declared)",
            }
        );
        let _ = writeln!(s, "polarity:          {:?}", i.polarity);
        let _ = writeln!(
            s,
            "responses ({}):     {}",
            i.responses.len(),
            i.responses
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !i.metadata.is_empty() {
            let _ = writeln!(s, "metadata:");
            for (k, v) in &i.metadata {
                let _ = writeln!(s, "  {k}: {v}");
            }
        }
        if !i.withheld.is_empty() {
            let _ = writeln!(s, "identifying fields withheld: {}", i.withheld.join(", "));
        }
    }
    s
}
