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
        let _ = writeln!(
            s,
            "file:              {}",
            nmjscope::error::printable(&i.file)
        );
        let _ = writeln!(s, "format:            {}", i.format);
        let _ = writeln!(s, "layout:            {}", i.layout);
        continuous(&mut s, i);
        let _ = writeln!(
            s,
            "delimiter:         {}{}",
            i.delimiter.map_or("none".to_string(), |d| format!("{d:?}")),
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
        if i.stimuli.is_none() {
            let _ = writeln!(
                s,
                "time column:       {}",
                if i.time_in_seconds {
                    "seconds"
                } else {
                    "milliseconds"
                }
            );
        }
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

/// The channels, the channel measured, the stimuli found and how, and the
/// reader's warnings.
fn continuous(s: &mut String, i: &Inspection) {
    if !i.channels.is_empty() {
        let _ = writeln!(s, "channels:          {}", i.channels.join(", "));
    }
    if let Some(c) = &i.channel {
        let _ = writeln!(s, "channel measured:  {c:?}");
    }
    if let Some(st) = &i.stimuli {
        let how = format!("from {}", st.source.describe());
        let times: Vec<String> = st.times_ms.iter().map(|t| format!("{t:.1}")).collect();
        let _ = writeln!(s, "stimuli:           {} {how}", st.times_ms.len());
        let _ = writeln!(s, "  at (ms):         {}", times.join(", "));
        if !st.skipped_ms.is_empty() {
            let skipped: Vec<String> = st.skipped_ms.iter().map(|t| format!("{t:.1}")).collect();
            let _ = writeln!(
                s,
                "  not used (no room for a whole sweep): {}",
                skipped.join(", ")
            );
        }
    }
    for w in &i.warnings {
        let _ = writeln!(s, "warning:           {w}");
    }
}

/// The text form of a file's survey: every channel and whether it can be
/// measured, and what each stimulus source found.
pub fn survey(file: &std::path::Path, survey: &nmjscope::io::Survey) -> String {
    use nmjscope::io::ChannelUse;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "file:              {}",
        nmjscope::error::printable(&file.display().to_string())
    );
    let _ = writeln!(s, "format:            {}", survey.format);
    let _ = writeln!(s, "channels:");
    for c in &survey.channels {
        let what = match &c.usable {
            ChannelUse::Measured => "measured".to_string(),
            ChannelUse::Usable => "usable (--channel picks it)".to_string(),
            ChannelUse::Trigger => "a trigger: a stimulus source".to_string(),
            ChannelUse::Events => "event times: a stimulus source".to_string(),
            ChannelUse::Unusable(why) => format!("not usable: {why}"),
        };
        let rate = c
            .sampling_rate_hz
            .map_or("events".to_string(), |r| format!("{r} Hz"));
        let unit = if c.unit.is_empty() {
            "no unit"
        } else {
            &c.unit
        };
        let _ = writeln!(
            s,
            "  {} {:?} ({unit}, {rate}, {} {} over {:.3} s): {what}",
            c.number,
            c.name,
            c.count,
            if c.sampling_rate_hz.is_some() {
                "samples"
            } else {
                "events"
            },
            c.span_s
        );
    }
    if let Some(why) = &survey.no_channel {
        let _ = writeln!(s, "channel measured:  none: {why}");
    }
    if let Some(why) = &survey.sources_error {
        let _ = writeln!(s, "stimulus sources:  not tried: {why}");
    }
    if !survey.sources.is_empty() {
        let _ = writeln!(s, "stimulus sources tried, in order:");
        for src in &survey.sources {
            if src.tried {
                let _ = writeln!(s, "  {}: {} stimuli", src.described, src.stimuli);
            } else {
                let _ = writeln!(
                    s,
                    "  {}: not given (--rate and --first-stimulus-ms)",
                    src.described
                );
            }
        }
    }
    s
}
