//! A BIDS-EMG dataset from studies (`simulate --bids`): each study one
//! subject's session, each test one run in EDF with its `_emg.json`,
//! `_channels.tsv` and `_events.tsv`; the task-wide values in one
//! `task-<label>_emg.json` at the root (the inheritance principle), and
//! the subjects' columns in `participants.tsv` described in
//! `participants.json`.

use std::collections::BTreeMap;

use serde_json::json;

use super::names::task_label;
use crate::io::write_edf::{edf_bytes, timeline};
use crate::model::{Protocol, Recording, Study};

/// A subject of the dataset: its label (`001`), its study, and its
/// `participants.tsv` columns (name, value, description).
#[derive(Debug, Clone)]
pub struct BidsSubject {
    /// The label after `sub-`: alphanumeric.
    pub label: String,
    /// The study: one session.
    pub study: Study,
    /// Its columns in `participants.tsv`: (name, value, description).
    pub columns: Vec<(String, String, String)>,
}

/// The session every study is written as.
const SESSION: &str = "01";

/// The mains frequency the simulated recordings are said to have (Hz):
/// BIDS requires one; the simulator adds no mains hum.
const POWER_LINE_HZ: u32 = 50;

/// The date the runs are said to be recorded on: shifted, as BIDS
/// advises for de-identified data ("1800-01-01" style), so it names no
/// real day.
const SHIFTED_DATE: &str = "1900-01-01";

/// Time between one run's end and the next one's start (s).
const GAP_BETWEEN_RUNS_S: f64 = 60.0;

/// A test's task label.
fn task_of(r: &Recording) -> String {
    let value = match r.protocol {
        Protocol::Exercise => r.exercise_s,
        Protocol::Rns | Protocol::Hfrns => r.stim_rate_hz,
    };
    task_label(r.protocol, value)
}

fn task_description(r: &Recording) -> String {
    match r.protocol {
        Protocol::Rns | Protocol::Hfrns => format!(
            "Repetitive nerve stimulation at {} Hz, supramaximal, recorded over the muscle belly",
            r.stim_rate_hz.map_or("?".into(), crate::error::show)
        ),
        Protocol::Exercise => format!(
            "CMAP before and after {} s of maximal voluntary exercise",
            r.exercise_s.map_or("?".into(), crate::error::show)
        ),
    }
}

fn json_bytes(v: &serde_json::Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// The dataset's files (path under its root, bytes), named `name`, with
/// `GeneratedBy` this tool at `version`. `None` when a recording's
/// sampling rate is not a whole number of hertz (EDF cannot hold it in
/// one-second records; the simulator's never are).
pub fn dataset_files(
    name: &str,
    version: &str,
    subjects: &[BidsSubject],
) -> Option<Vec<(String, Vec<u8>)>> {
    let mut files = vec![
        (
            super::DESCRIPTION.to_string(),
            json_bytes(&json!({
                "Name": name,
                "BIDSVersion": super::BIDS_VERSION,
                "DatasetType": "raw",
                "License": "CC0",
                "Authors": ["nmjscope simulator"],
                "GeneratedBy": [{
                    "Name": "nmjscope",
                    "Version": version,
                    "Description": "simulate --bids: simulated repetitive nerve stimulation and exercise tests, with their truth in participants.tsv"
                }]
            })),
        ),
        (
            "README".to_string(),
            format!("# {name}\n\nSimulated by nmjscope {version} (simulate --bids). Each subject is one simulated patient; participants.tsv holds the simulated condition and severity, the truth a reading is checked against. The recordings are EDF: the muscle's channel in mV and the stimulator's trigger in V; each run's _events.tsv gives the stimuli, trial_type naming the response each evokes (r1 the first of a train; pre, post_0s, post_30s around exercise).\n").into_bytes(),
        ),
    ];
    files.extend(participants(subjects));
    let mut tasks: BTreeMap<String, String> = BTreeMap::new();
    for s in subjects {
        for r in &s.study.tests {
            tasks
                .entry(task_of(r))
                .or_insert_with(|| task_description(r));
        }
        files.extend(subject_files(s)?);
    }
    for (task, description) in &tasks {
        files.push((
            format!("task-{task}_emg.json"),
            json_bytes(&task_json(task, description)),
        ));
        files.push((
            format!("task-{task}_events.json"),
            json_bytes(&events_json()),
        ));
    }
    Some(files)
}

/// The values every run of a task shares.
fn task_json(task: &str, description: &str) -> serde_json::Value {
    json!({
        "TaskName": task,
        "TaskDescription": description,
        "EMGPlacementScheme": "Other",
        "EMGPlacementSchemeDescription": "Belly-tendon montage: the active electrode over the motor point of the muscle, the reference over its tendon",
        "EMGReference": "The tendon of the recorded muscle (belly-tendon montage)",
        "EMGGround": "Over the dorsum of the hand",
        "PowerLineFrequency": POWER_LINE_HZ,
        "RecordingType": "continuous",
        "SoftwareFilters": "n/a",
        "Manufacturer": "nmjscope simulator"
    })
}

fn events_json() -> serde_json::Value {
    json!({
        "onset": {"Description": "Time of the stimulus from the start of the recording", "Units": "s"},
        "duration": {"Description": "Length of the stimulus pulse", "Units": "s"},
        "trial_type": {
            "Description": "The response the stimulus evokes: rN the N-th of a train; pre before exercise; post_Ns N seconds after the first stimulus after exercise"
        }
    })
}

fn participants(subjects: &[BidsSubject]) -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<(&str, &str)> = Vec::new();
    for s in subjects {
        for (n, _, d) in &s.columns {
            if !names.iter().any(|(m, _)| m == n) {
                names.push((n, d));
            }
        }
    }
    let mut tsv = String::from("participant_id");
    for (n, _) in &names {
        tsv.push('\t');
        tsv.push_str(n);
    }
    tsv.push('\n');
    for s in subjects {
        tsv.push_str(&format!("sub-{}", s.label));
        for (n, _) in &names {
            let v = s
                .columns
                .iter()
                .find(|(m, _, _)| m == n)
                .map_or("n/a", |(_, v, _)| v);
            tsv.push('\t');
            tsv.push_str(&crate::render::text_cell(v).replace('\t', " "));
        }
        tsv.push('\n');
    }
    let mut described = serde_json::Map::new();
    described.insert(
        "participant_id".into(),
        json!({"Description": "The subject's label: a pseudonym"}),
    );
    for (n, d) in names {
        described.insert(n.to_string(), json!({ "Description": d }));
    }
    vec![
        ("participants.tsv".into(), tsv.into_bytes()),
        (
            "participants.json".into(),
            json_bytes(&serde_json::Value::Object(described)),
        ),
    ]
}

/// One subject's runs: `sub-<label>/ses-01/emg/`, a run number where a
/// task repeats.
fn subject_files(s: &BidsSubject) -> Option<Vec<(String, Vec<u8>)>> {
    let dir = format!("sub-{0}/ses-{SESSION}/emg", s.label);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &s.study.tests {
        *counts.entry(task_of(r)).or_default() += 1;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    let mut scans = String::from("filename\tacq_time\n");
    // The runs are said to start at 09:00 on a shifted date (BIDS shifts
    // dates to keep them from identifying), a minute apart after each
    // ends: the order they were recorded in.
    let mut clock_s = 9.0 * 3600.0;
    for r in &s.study.tests {
        let task = task_of(r);
        let n = seen.entry(task.clone()).or_default();
        *n += 1;
        let run = if counts[&task] > 1 {
            format!("_run-{n}")
        } else {
            String::new()
        };
        let base = format!("{dir}/sub-{}_ses-{SESSION}_task-{task}{run}", s.label);
        let t = timeline(r);
        let whole = clock_s as u64;
        scans.push_str(&format!(
            "emg/sub-{}_ses-{SESSION}_task-{task}{run}_emg.edf\t{SHIFTED_DATE}T{:02}:{:02}:{:02}\n",
            s.label,
            whole / 3600,
            whole / 60 % 60,
            whole % 60
        ));
        clock_s += t.duration_s().ceil() + GAP_BETWEEN_RUNS_S;
        let channel = r.muscle.clone().unwrap_or_else(|| "EMG".to_string());
        let channel: String = channel
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        out.push((format!("{base}_emg.edf"), edf_bytes(&t, &channel)?));
        out.push((
            format!("{base}_emg.json"),
            json_bytes(&json!({
                "SamplingFrequency": r.sampling_rate_hz,
                // The file's length: whole one-second records.
                "RecordingDuration": t.duration_s().ceil(),
                "EMGChannelCount": 1,
                "TriggerChannelCount": 1
            })),
        ));
        let muscle = r.muscle.as_deref().unwrap_or("n/a");
        out.push((
            format!("{base}_channels.tsv"),
            format!(
                "name\ttype\tunits\ttarget_muscle\tstatus\n{channel}\tEMG\tmV\t{}\tgood\nTrigger\tTRIG\tV\tn/a\tgood\n",
                crate::render::text_cell(muscle).replace('\t', " ")
            )
            .into_bytes(),
        ));
        let pulse_s = crate::io::write_edf::TRIGGER_MS / 1e3;
        let mut events = String::from("onset\tduration\ttrial_type\n");
        for (onset, label) in &t.stimuli {
            events.push_str(&format!("{onset:.6}\t{pulse_s}\t{label}\n"));
        }
        out.push((format!("{base}_events.tsv"), events.into_bytes()));
    }
    out.push((
        format!(
            "sub-{0}/ses-{SESSION}/sub-{0}_ses-{SESSION}_scans.tsv",
            s.label
        ),
        scans.into_bytes(),
    ));
    Some(out)
}
