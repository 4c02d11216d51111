//! A run's stimuli and protocol: `_events.tsv` read into stimuli, the
//! task label into a protocol and rate (checked against the events), and
//! the decode plan the events allow (`docs/bids.md`).

use std::path::Path;

use super::names::{read_task, BidsName};
use super::read::{note_unused, Run};
use super::sidecars::Table;
use crate::error::{show, Error, Location, Result};
use crate::io::read::signals::{Annotation, SignalFile};
use crate::io::{ChannelChoice, ReadOptions};
use crate::model::ResponseLabel;

/// Event types that are a stimulus with no response label.
const STIMULUS_TYPES: [&str; 3] = ["stimulus", "stim", "trigger"];

/// `_events.tsv` columns this tool reads.
const USED_EVENT_COLUMNS: [&str; 3] = ["onset", "duration", "trial_type"];

/// Decoded before each stimulus (s): more than the look-back for a
/// missed first stimulus (1.5 intervals of a 2 Hz train) and the longest
/// pre-stimulus span (`--pre-stimulus-ms`, 100 ms).
const DECODE_BEFORE_S: f64 = 2.0;

/// Decoded after each stimulus (s): more than the longest sweep
/// (`--sweep-ms`, 500 ms).
const DECODE_AFTER_S: f64 = 1.0;

/// What of the file to decode: when the events give the stimuli (and no
/// `--stimuli` asks for another source), the measured channel alone, and
/// only around the stimuli; else everything.
pub(super) fn decode_plan(
    run: &Run,
    stimuli: &[Annotation],
    options: &ReadOptions,
) -> crate::io::read::edf::DecodePlan {
    use crate::io::read::edf::DecodePlan;
    if stimuli.is_empty() || options.continuous.stimuli.is_some() {
        return DecodePlan::default();
    }
    let channel = match &options.continuous.channel {
        Some(ChannelChoice::Name(n)) => Some(n.clone()),
        Some(ChannelChoice::Index(_)) => None,
        None => run.channels.as_ref().and_then(|t| {
            let name = t.column("name")?;
            t.rows
                .iter()
                .find(|(_, r)| {
                    t.value(r, "type")
                        .is_some_and(|v| v.eq_ignore_ascii_case("EMG"))
                        && t.value(r, "status") != Some("bad")
                })
                .map(|(_, r)| r[name].clone())
        }),
    };
    DecodePlan {
        channels: channel.map(|c| vec![c]),
        spans_s: Some(
            stimuli
                .iter()
                .map(|a| (a.onset_s - DECODE_BEFORE_S, a.onset_s + DECODE_AFTER_S))
                .collect(),
        ),
    }
}

/// The stimuli of `_events.tsv`: each event whose `trial_type` names a
/// response (`r1`, `pre`, `post_30s`) or a stimulus (`stimulus`); events
/// of other types are counted in a note.
pub(super) fn read_events(table: &Table, notes: &mut Vec<String>) -> Result<Vec<Annotation>> {
    let onset = table.require("onset")?;
    let mut stimuli = Vec::new();
    let mut other: std::collections::BTreeMap<String, usize> = Default::default();
    for (line, row) in &table.rows {
        let t: f64 = row[onset]
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| Error::BidsFile {
                at: Location::line(&table.path, *line),
                detail: format!(
                    "onset {:?} is not a number of seconds",
                    crate::error::printable(&row[onset])
                ),
            })?;
        let kind = table.value(row, "trial_type").unwrap_or("stimulus");
        let label = ResponseLabel::parse(kind);
        if !matches!(label, ResponseLabel::Other(_))
            || STIMULUS_TYPES.iter().any(|s| kind.eq_ignore_ascii_case(s))
        {
            stimuli.push(Annotation {
                onset_s: t,
                text: kind.to_string(),
            });
        } else {
            *other.entry(kind.to_string()).or_default() += 1;
        }
    }
    note_unused(
        notes,
        "_events.tsv columns",
        table.columns.iter(),
        &USED_EVENT_COLUMNS,
    );
    if !other.is_empty() {
        let kinds: Vec<String> = other.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        notes.push(format!(
            "BIDS: events that are no stimulus, not used: {}",
            crate::error::printable(&kinds.join(", "))
        ));
    }
    if stimuli.is_empty() {
        notes
            .push("BIDS: _events.tsv gives no stimulus: the stimuli were found in the file".into());
    }
    Ok(stimuli)
}

/// The events' stimuli in place of any the file marks itself (the
/// dataset's events are its word on them: the file's own would be read
/// as a missed first stimulus, or noted as unread).
pub(super) fn apply_events(
    stimuli: Vec<Annotation>,
    file: &mut SignalFile,
    notes: &mut Vec<String>,
) {
    if stimuli.is_empty() {
        return;
    }
    let before = file.annotations.len();
    file.annotations
        .retain(|a| crate::io::read::continuous::is_metadata_annotation(&a.text));
    if file.annotations.len() < before {
        notes.push(format!(
            "BIDS: the file's own {} annotations were set aside for _events.tsv",
            before - file.annotations.len()
        ));
    }
    // The stimuli's source names where they came from (`StimulusSource::Events`).
    file.events = Some(stimuli);
}

/// The protocol and its rate or exercise length from the task label,
/// where the file does not say them.
pub(super) fn take_task(
    data: &Path,
    stimuli: &[Annotation],
    meta: &mut std::collections::BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    let name = data
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(BidsName::parse);
    let Some(task) = name.as_ref().and_then(|n| n.get("task")) else {
        return Ok(());
    };
    match read_task(task) {
        Some((protocol, value)) => {
            if let (Some(rate), false) = (value, protocol == crate::model::Protocol::Exercise) {
                check_rate(data, task, rate, stimuli)?;
            }
            meta.entry("protocol".into()).or_insert_with(|| protocol.code());
            if let Some(v) = value {
                let key = match protocol {
                    crate::model::Protocol::Exercise => "exercise_s",
                    _ => "stim_rate_hz",
                };
                meta.entry(key.into()).or_insert_with(|| show(v));
            }
        }
        None => notes.push(format!(
            "BIDS: task {:?} names no protocol this tool knows (rns3hz, hfrns50hz, exercise10s): the protocol was found from the stimuli",
            crate::error::printable(task)
        )),
    }
    Ok(())
}

/// The task label's rate may differ from the events' by this fraction:
/// a stimulator set to 3 Hz delivers 2.9-3.1 Hz as its clock allows.
const RATE_TOLERANCE: f64 = 0.1;

/// Refuses a run whose events come at another rate than its task label
/// says (a 3 Hz train named `task-hfrns50hz` would be judged as a 50 Hz
/// train): one of them is wrong, and the test would be read as the other.
fn check_rate(data: &Path, task: &str, rate_hz: f64, stimuli: &[Annotation]) -> Result<()> {
    let mut times: Vec<f64> = stimuli.iter().map(|a| a.onset_s).collect();
    times.sort_by(f64::total_cmp);
    let mut gaps: Vec<f64> = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .collect();
    if gaps.len() < 2 {
        return Ok(());
    }
    gaps.sort_by(f64::total_cmp);
    let seen_hz = 1.0 / gaps[gaps.len() / 2];
    if (seen_hz - rate_hz).abs() > RATE_TOLERANCE * rate_hz {
        return Err(Error::BidsFile {
            at: Location::file(data),
            detail: format!(
                "its task label {:?} says {} Hz, and its _events.tsv stimuli come at {} Hz: one of them is wrong, and the test would be judged as the other",
                crate::error::printable(task),
                show(rate_hz),
                show((seen_hz * 100.0).round() / 100.0)
            ),
        });
    }
    Ok(())
}
