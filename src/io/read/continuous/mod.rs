//! Continuous recordings: one long trace (or a few segments of one) holding
//! a whole train, cut into one sweep per stimulus.
//!
//! The stimuli come from, in this order unless `--stimuli` names one:
//! annotations that name stimuli (EDF+, LabChart comments), a marker
//! channel (Spike2), a trigger channel (by its name), the stimulation rate
//! with the first stimulus's time, or the stimulus artifacts of the
//! recorded channel. Each sweep keeps a pre-stimulus span, so each response
//! is measured against its own local baseline.

mod channel;
mod checks;
mod sources;
mod survey;
mod sweeps;

pub(crate) use survey::survey;
pub use survey::{ChannelSurvey, ChannelUse, SourceSurvey, Survey};

use std::path::Path;

use channel::{channel_unit, check_values, choose_channel, waveform};
use checks::{
    check_count, check_first, check_regular, exercise_stimuli, median_interval_s, note_rate,
    note_unread_annotations, EXERCISE_MIN_INTERVAL_S,
};
use sources::{find_stimuli, whole, Found};
use sweeps::{check_cutting, cut_sweeps, window};

use super::assemble::{build, file_name, LabelsAt, Meta, Sweeps};
use super::signals::SignalFile;
use crate::error::Result;
use crate::io::options::ReadOptions;
use crate::model::{
    Delimiter, Layout, Protocol, Recording, ResponseLabel, SourceInfo, Stimuli, VoltUnit,
};

/// Cuts a continuous recording into sweeps and builds the test.
pub(crate) fn cut(
    path: &Path,
    file: SignalFile,
    mut meta: Meta,
    delimiter: Option<Delimiter>,
    options: &ReadOptions,
) -> Result<Recording> {
    let co = &options.continuous;
    let chosen = choose_channel(path, &file, options)?;
    let channel = &file.channels[chosen];
    let (fs, segments) = waveform(path, channel)?;
    let units = channel_unit(path, channel, options)?;
    check_values(path, channel, segments, fs, units.to_mv())?;
    let mut warnings = file.warnings.clone();
    take_metadata_annotations(&file, &mut meta);
    let mut found = find_stimuli(path, &file, chosen, &meta, options)?;
    note_unread_annotations(&file, &mut warnings);
    check_count(path, &found)?;
    let protocol = declared_protocol(&meta, options);
    let exercise = protocol == Some(Protocol::Exercise)
        || (protocol.is_none() && median_interval_s(&found.times_s) >= EXERCISE_MIN_INTERVAL_S);
    if exercise {
        exercise_stimuli(path, &mut found, &mut warnings)?;
    } else {
        check_regular(path, &found)?;
        check_first(path, &file, chosen, &found)?;
        note_rate(&mut meta, &found.times_s, &mut warnings, options);
    }
    let (pre_ms, sweep_ms) = window(path, &found, (segments, fs), co)?;
    let cutting = cut_sweeps(
        segments,
        fs,
        units.to_mv(),
        &found.times_s,
        pre_ms,
        sweep_ms,
    );
    check_cutting(path, &found, &cutting, (pre_ms, sweep_ms), &mut warnings)?;
    if cutting.used.len() < 2 {
        return Err(crate::error::Error::NoStimuli {
            at: crate::error::Location::file(path),
            detail: format!(
                "{} of the {} stimuli found has room for a sweep: a test needs two or more",
                cutting.used.len(),
                found.times_s.len()
            ),
        });
    }
    let labels = labels_for(&found, &cutting.used, exercise);
    let dt_ms = 1000.0 / fs;
    let n_pre = (pre_ms / dt_ms).round();
    let stimuli = Stimuli {
        source: found.source,
        times_ms: cutting
            .used
            .iter()
            .map(|&i| found.times_s[i] * 1e3)
            .collect(),
        skipped_ms: found
            .dropped_s
            .iter()
            .copied()
            .chain(cutting.skipped.iter().map(|&i| found.times_s[i]))
            .map(|t| t * 1e3)
            .collect(),
        pre_stimulus_ms: n_pre * dt_ms,
        sweep_ms: cutting.samples.ncols() as f64 * dt_ms,
    };
    let source = source_info(path, &file, chosen, delimiter, units, stimuli, warnings);
    let sweeps = Sweeps {
        t0_ms: -n_pre * dt_ms,
        dt_ms,
        labels,
        samples_mv: cutting.samples,
        labels_at: LabelsAt::Stimuli,
    };
    build(path, meta, source, sweeps, options)
}

/// How the file was read: its format, channels, the channel measured, the
/// stimuli and the warnings.
fn source_info(
    path: &Path,
    file: &SignalFile,
    chosen: usize,
    delimiter: Option<Delimiter>,
    units: VoltUnit,
    stimuli: Stimuli,
    warnings: Vec<String>,
) -> SourceInfo {
    SourceInfo {
        path: path.to_path_buf(),
        file_name: file_name(path),
        format: file.format,
        layout: Layout::Continuous,
        delimiter,
        decimal_comma: false,
        units,
        time_in_seconds: true,
        channel: Some(file.channels[chosen].name.clone()),
        channels: file
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {}", i + 1, c.describe()))
            .collect(),
        stimuli: Some(stimuli),
        warnings,
        withheld: Vec::new(),
    }
}

/// Whether an annotation is `key: value` metadata rather than an event
/// (what a BIDS dataset's events replace, and what they keep).
pub(crate) fn is_metadata_annotation(text: &str) -> bool {
    sources::is_metadata(text)
}

/// Annotations of the form `key: value` are metadata, as `# key: value`
/// lines are in a CSV file (a key the file's header set wins).
pub(super) fn take_metadata_annotations(file: &SignalFile, meta: &mut Meta) {
    for a in &file.annotations {
        if let Some((key, value)) = a.text.split_once(':') {
            let key = super::header::normalise_key(key);
            let value = value.trim();
            if !key.is_empty() && !value.is_empty() && !meta.all.contains_key(&key) {
                meta.all.insert(key, value.to_string());
            }
        }
    }
}

fn declared_protocol(meta: &Meta, options: &ReadOptions) -> Option<Protocol> {
    meta.all
        .get("protocol")
        .and_then(|p| Protocol::parse(p))
        .or(options.protocol)
}

/// The responses' labels: the annotations' own, else `r1, r2, ...` for a
/// train and `pre`, `post_0s`, `post_<N>s` for an exercise series (N the
/// whole seconds after the first post-exercise stimulus).
fn labels_for(found: &Found, used: &[usize], exercise: bool) -> Vec<ResponseLabel> {
    if let Some(labels) = &found.labels {
        return used.iter().map(|&i| labels[i].clone()).collect();
    }
    if !exercise {
        return (1..=used.len() as u32).map(ResponseLabel::Train).collect();
    }
    let t_post = used.get(1).map_or(0.0, |&i| found.times_s[i]);
    used.iter()
        .enumerate()
        .map(|(k, &i)| match k {
            0 => ResponseLabel::Pre,
            _ => ResponseLabel::Post(whole(found.times_s[i] - t_post)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::options::ContinuousOptions;
    use crate::io::read::signals::{Annotation, Channel, ChannelData, Segment};
    use crate::model::StimulusSource;
    use sources::edges;

    const FS: f64 = 10_000.0;

    /// A recording at 10 kHz: a 1 mV biphasic stimulus artifact and a
    /// -5 mV CMAP 3 ms later at each stimulus (times in s), 0.01 mV of
    /// alternating "noise", and a TTL channel.
    fn recording(stimuli: &[f64], seconds: f64, artifact_mv: &[f64]) -> SignalFile {
        let n = (seconds * FS) as usize;
        let mut emg: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { 0.01 } else { -0.01 })
            .collect();
        let mut ttl = vec![0.0; n];
        for (k, t) in stimuli.iter().enumerate() {
            let i = (t * FS).round() as usize;
            let a = artifact_mv.get(k).copied().unwrap_or(1.0);
            emg[i] += a;
            emg[i + 1] -= a;
            for (j, v) in emg.iter_mut().enumerate().skip(i).take(200) {
                let ms = (j - i) as f64 / 10.0;
                *v -= 5.0 * (-((ms - 5.0) / 1.5).powi(2)).exp();
            }
            ttl[i] = 5.0;
            ttl[i + 1] = 5.0;
        }
        let wave = |name: &str, unit: &str, samples: Vec<f64>| Channel {
            name: name.into(),
            unit: unit.into(),
            data: ChannelData::Waveform {
                sampling_rate_hz: FS,
                segments: vec![Segment {
                    start_s: 0.0,
                    samples,
                }],
            },
        };
        SignalFile {
            format: InputFormat::Edf,
            channels: vec![wave("EMG", "mV", emg), wave("Trigger", "V", ttl)],
            annotations: Vec::new(),
            warnings: Vec::new(),
            blocks: None,
            events: None,
        }
    }

    use crate::model::InputFormat;

    fn read(file: SignalFile, options: &ReadOptions) -> Result<Recording> {
        cut(Path::new("r.edf"), file, Meta::default(), None, options)
    }

    fn train(rate: f64, n: usize) -> Vec<f64> {
        (0..n).map(|k| 0.02 + k as f64 / rate).collect()
    }

    #[test]
    fn a_trigger_channel_cuts_a_train_and_gives_its_rate() {
        let r = read(
            recording(&train(3.0, 10), 3.5, &[]),
            &ReadOptions::default(),
        )
        .unwrap();
        let s = r.source.stimuli.as_ref().unwrap();
        assert_eq!(s.source, StimulusSource::Trigger);
        assert_eq!(r.n_responses(), 10);
        assert_eq!(r.protocol, Protocol::Rns);
        assert_eq!(r.metadata["stim_rate_hz"], "3");
        assert_eq!((r.t0_ms, r.sweep_ms()), (-5.0, 45.0));
        // The CMAP is 5 ms after the stimulus in every sweep.
        let peak = (0..r.sweep_len())
            .min_by(|&a, &b| r.trace(3)[a].total_cmp(&r.trace(3)[b]))
            .unwrap();
        assert!((r.time_ms(peak) - 5.0).abs() < 0.11, "{}", r.time_ms(peak));
    }

    #[test]
    fn a_fast_train_gets_short_sweeps() {
        let r = read(
            recording(&train(50.0, 20), 0.5, &[]),
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(r.protocol, Protocol::Hfrns);
        assert_eq!((r.t0_ms, r.sweep_ms()), (-2.0, 20.0));
    }

    #[test]
    fn artifacts_of_different_sizes_are_all_found() {
        let stimuli = train(3.0, 10);
        let mut file = recording(
            &stimuli,
            3.5,
            &[8.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.5, 1.0, 1.0],
        );
        file.channels.truncate(1);
        let r = read(file, &ReadOptions::default()).unwrap();
        let s = r.source.stimuli.unwrap();
        assert_eq!(s.source, StimulusSource::Artifact);
        assert_eq!(s.times_ms.len(), 10);
        for (t, want) in s.times_ms.iter().zip(&stimuli) {
            // The first sample of the artifact.
            assert!(
                (t - (want * FS).round() / FS * 1e3).abs() < 1e-6,
                "{t} vs {want}"
            );
        }
    }

    #[test]
    fn a_missing_stimulus_is_refused_not_misnumbered() {
        let mut stimuli = train(3.0, 10);
        stimuli.remove(4);
        let err = read(recording(&stimuli, 3.5, &[]), &ReadOptions::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("stimuli 4 and 5"), "{text}");
        assert!(text.contains("a stimulus is missing or doubled"), "{text}");
        assert!(text.starts_with("r.edf: "), "{text}");
    }

    #[test]
    fn a_recording_starting_at_its_first_stimulus_keeps_what_it_has() {
        let mut stimuli = train(3.0, 10);
        stimuli[0] = 0.002; // 2 ms from the start: not 5 ms before it
        let mut file = recording(&stimuli[1..], 3.5, &[]);
        file.annotations = stimuli
            .iter()
            .map(|t| Annotation {
                onset_s: *t,
                text: "Stim".into(),
            })
            .collect();
        let mut o = ReadOptions {
            protocol: Some(Protocol::Rns),
            ..ReadOptions::default()
        };
        o.overrides.stim_rate_hz = Some(3.0);
        let r = read(file.clone(), &o).unwrap();
        assert_eq!(r.n_responses(), 10, "no stimulus lost, none renumbered");
        assert!((r.t0_ms + 2.0).abs() < 1e-9, "{}", r.t0_ms);
        // Asked for 5 ms before each stimulus, the first has no room: the
        // train would be misnumbered, so it is refused.
        o.continuous.pre_stimulus_ms = Some(5.0);
        let err = read(file, &o).unwrap_err().to_string();
        assert!(err.contains("stimulus 1 (at 2 ms"), "{err}");
        assert!(err.contains("misnumbered"), "{err}");
    }

    #[test]
    fn stimuli_at_the_end_without_room_are_reported() {
        let stimuli = train(3.0, 10);
        let file = recording(&stimuli, 3.5, &[]);
        let mut o = ReadOptions::default();
        o.overrides.stim_rate_hz = Some(3.0);
        let mut file3 = file;
        // An 11th stimulus 10 ms before the recording ends.
        let last = stimuli[9] + 1.0 / 3.0;
        file3.channels[0] = match &file3.channels[0].data {
            ChannelData::Waveform { segments, .. } => {
                let mut seg = segments[0].clone();
                seg.samples.truncate(((last + 0.01) * FS) as usize);
                Channel {
                    data: ChannelData::Waveform {
                        sampling_rate_hz: FS,
                        segments: vec![seg],
                    },
                    ..file3.channels[0].clone()
                }
            }
            ChannelData::Events { .. } => unreachable!(),
        };
        file3.annotations = stimuli[..10]
            .iter()
            .chain([last].iter())
            .map(|t| Annotation {
                onset_s: *t,
                text: "stim".into(),
            })
            .collect();
        let r = read(file3, &o).unwrap();
        assert_eq!(r.n_responses(), 10);
        assert!(
            r.source.warnings[0].contains("1 stimuli at the end of the recording"),
            "{:?}",
            r.source.warnings
        );
        assert_eq!(r.source.stimuli.unwrap().skipped_ms.len(), 1);
    }

    #[test]
    fn doubled_single_and_too_many_stimuli_are_refused() {
        let mut stimuli = train(3.0, 10);
        stimuli.insert(3, stimuli[2] + 0.001);
        let err = read(recording(&stimuli, 3.5, &[]), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("stimuli 3 and 4"), "{err}");
        let err = read(recording(&[0.1], 0.5, &[]), &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("one stimulus found (at 100 ms"), "{err}");
        let mut o = ReadOptions::default();
        o.continuous.stimuli = Some(StimulusSource::Rate);
        o.overrides.stim_rate_hz = Some(1e10);
        o.continuous.first_stimulus_ms = Some(0.0);
        let err = read(recording(&[0.1], 0.5, &[]), &o)
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the plausible 0.1-100 Hz"), "{err}");
        o.overrides.stim_rate_hz = Some(100.0);
        o.continuous.first_stimulus_ms = Some(900.0);
        let err = read(recording(&[0.1], 0.5, &[]), &o)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the first stimulus at 900 ms is outside the recording (0-500 ms)"),
            "{err}"
        );
    }

    #[test]
    fn implausible_channels_are_refused() {
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        if let ChannelData::Waveform {
            sampling_rate_hz, ..
        } = &mut file.channels[0].data
        {
            *sampling_rate_hz = 500.0;
        }
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(
            err.contains("channel 1 \"EMG\" is sampled at 500 Hz, not at 1-200 kHz"),
            "{err}"
        );
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        if let ChannelData::Waveform { segments, .. } = &mut file.channels[0].data {
            segments[0].samples[1000] = f64::INFINITY;
        }
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("holds inf at 100 ms"), "{err}");
    }

    #[test]
    fn exercise_stimuli_are_labelled_by_their_times_or_annotations() {
        let stimuli = [0.02, 12.02, 42.02];
        let r = read(recording(&stimuli, 43.0, &[]), &ReadOptions::default()).unwrap();
        assert_eq!(r.protocol, Protocol::Exercise);
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post_0s", "post_30s"]);
        let mut file = recording(&stimuli, 43.0, &[]);
        annotated(&mut file, &stimuli, &["pre", "post", "post_30s"]);
        let r = read(file, &ReadOptions::default()).unwrap();
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post", "post_30s"]);
        assert!(r.source.warnings.is_empty(), "{:?}", r.source.warnings);
        // A label its time contradicts is reported.
        let mut file = recording(&stimuli, 43.0, &[]);
        annotated(&mut file, &stimuli, &["pre", "post", "post_60s"]);
        let r = read(file, &ReadOptions::default()).unwrap();
        assert_eq!(
            r.source.warnings,
            ["the CMAP labelled \"post_60s\" was recorded 30 s after the first post-exercise CMAP; its label says 60 s"]
        );
        // Two CMAPs before the exercise: the last is the pre-exercise one.
        let stimuli = [0.02, 3.02, 15.02, 45.02];
        let r = read(recording(&stimuli, 46.0, &[]), &ReadOptions::default()).unwrap();
        let labels: Vec<String> = r.labels.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["pre", "post_0s", "post_30s"]);
        assert!(r.source.warnings[0].contains("the last (at 3020 ms) is the pre-exercise CMAP"));
        assert_eq!(r.source.stimuli.unwrap().skipped_ms, [20.0]);
    }

    #[test]
    fn a_given_rate_the_stimuli_contradict_is_reported() {
        let mut o = ReadOptions::default();
        o.overrides.stim_rate_hz = Some(5.0);
        let r = read(recording(&train(3.0, 10), 3.5, &[]), &o).unwrap();
        assert!(
            r.source.warnings[0].contains("the stimuli come at 3 Hz, the given rate is 5 Hz"),
            "{:?}",
            r.source.warnings
        );
    }

    #[test]
    fn ttl_edges_are_found_on_lines_that_rest_high() {
        let x = [5.0, 5.0, 0.0, 0.0, 5.0, 5.0, 5.0, 0.0, 5.0];
        assert_eq!(edges(&x), [2, 7]);
        assert_eq!(edges(&[0.0, 0.0, 5.0, 0.0, 0.0]), [2]);
        assert!(edges(&[1.0; 5]).is_empty());
        // Pulses wider than their gaps, on a line that rests low at both
        // ends: still the rising edges.
        let wide = [0.0, 5.0, 5.0, 5.0, 0.0, 5.0, 5.0, 5.0, 0.0];
        assert_eq!(edges(&wide), [1, 5]);
    }

    /// Splits every channel into two segments at `split_s`, the second
    /// starting `back_s` earlier than the first ends.
    fn overlapped(mut file: SignalFile, split_s: f64, back_s: f64) -> SignalFile {
        for c in &mut file.channels {
            if let ChannelData::Waveform { segments, .. } = &mut c.data {
                let all = std::mem::take(&mut segments[0].samples);
                let i = (split_s * FS) as usize;
                let (a, b) = all.split_at(i);
                segments[0].samples = a.to_vec();
                segments.push(Segment {
                    start_s: split_s - back_s,
                    samples: b.to_vec(),
                });
            }
        }
        file
    }

    #[test]
    fn overlapping_segments_are_refused_naming_them() {
        let file = overlapped(recording(&train(3.0, 10), 3.5, &[]), 1.0, 0.4);
        let e = read(file, &ReadOptions::default()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("r.edf"), "{text}");
        assert!(
            text.contains("segment 2 starts at 600 ms, before segment 1 ends (1000 ms)"),
            "{text}"
        );
        // Contiguous segments (one starting where the other ends) read.
        let file = overlapped(recording(&train(3.0, 10), 3.5, &[]), 1.0, 0.0);
        assert_eq!(
            read(file, &ReadOptions::default()).unwrap().n_responses(),
            10
        );
    }

    fn train_from(start_s: f64, rate: f64, n: usize) -> Vec<f64> {
        (0..n).map(|k| start_s + k as f64 / rate).collect()
    }

    fn annotated(file: &mut SignalFile, stimuli: &[f64], texts: &[&str]) {
        file.annotations = stimuli
            .iter()
            .zip(texts.iter().chain(std::iter::repeat(&"stim")))
            .map(|(t, text)| Annotation {
                onset_s: *t,
                text: (*text).into(),
            })
            .collect();
    }

    #[test]
    fn a_missed_first_trigger_pulse_is_refused_not_renumbered() {
        let stimuli = train_from(0.4, 3.0, 10);
        let mut file = recording(&stimuli, 3.8, &[]);
        // The trigger line misses the first pulse; its artifact is there.
        if let ChannelData::Waveform { segments, .. } = &mut file.channels[1].data {
            segments[0].samples[4000..4010].fill(0.0);
        }
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("a stimulus artifact at 400 ms"), "{err}");
        assert!(
            err.contains("first stimulus found (at 733.3 ms, from a trigger channel)"),
            "{err}"
        );
        assert!(err.contains("may have been missed"), "{err}");
        // The same train with its first pulse reads.
        let r = read(recording(&stimuli, 3.8, &[]), &ReadOptions::default()).unwrap();
        assert_eq!(r.n_responses(), 10);
        assert!(r.source.warnings.is_empty(), "{:?}", r.source.warnings);
        // A first stimulus given by time is the user's word.
        let mut file = recording(&stimuli, 3.8, &[]);
        file.channels.truncate(1);
        let options = ReadOptions {
            continuous: ContinuousOptions {
                stimuli: Some(StimulusSource::Rate),
                first_stimulus_ms: Some(733.3),
                stimulus_count: Some(9),
                ..Default::default()
            },
            ..ReadOptions::default()
        };
        let options = ReadOptions {
            overrides: crate::io::options::Overrides {
                stim_rate_hz: Some(3.0),
                ..Default::default()
            },
            ..options
        };
        assert_eq!(read(file, &options).unwrap().n_responses(), 9);
    }

    #[test]
    fn a_mistyped_first_annotation_is_refused_and_unread_ones_listed() {
        let stimuli = train_from(0.4, 3.0, 10);
        let mut file = recording(&stimuli, 3.8, &[]);
        file.channels.truncate(1);
        annotated(&mut file, &stimuli, &["stmi"]);
        let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("the annotation \"stmi\" at 400 ms"), "{err}");
        assert!(
            err.contains("from the file's stimulus annotations"),
            "{err}"
        );
        // Without the artifact or the annotation there is nothing to see:
        // an annotation elsewhere is listed, not taken for a stimulus.
        let mut file = recording(&stimuli, 3.8, &[]);
        file.channels.truncate(1);
        annotated(&mut file, &stimuli, &[]);
        file.annotations.push(Annotation {
            onset_s: 3.7,
            text: "electrode moved".into(),
        });
        file.annotations.push(Annotation {
            onset_s: 0.1,
            text: "muscle: ADM".into(),
        });
        let r = read(file, &ReadOptions::default()).unwrap();
        assert_eq!(r.n_responses(), 10);
        assert_eq!(
            r.source.warnings,
            ["annotations not read as stimuli or labels: \"electrode moved\" at 3700 ms"]
        );
    }

    #[test]
    fn a_channel_not_sampled_as_emg_is_passed_over() {
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        let eeg = Channel {
            name: "EEG".into(),
            unit: "uV".into(),
            data: ChannelData::Waveform {
                sampling_rate_hz: 200.0,
                segments: vec![Segment {
                    start_s: 0.0,
                    samples: vec![0.0; 700],
                }],
            },
        };
        file.channels.insert(0, eeg);
        let r = read(file, &ReadOptions::default()).unwrap();
        assert_eq!(r.source.channel.as_deref(), Some("EMG"));
    }

    #[test]
    fn exercise_labels_out_of_time_order_and_ambiguous_channels_are_refused() {
        let stimuli = [0.02, 12.02, 42.02];
        for (labels, words) in [
            (
                ["post_0s", "post_30s", "pre"],
                "\"pre\" (at 42020 ms) comes after \"post_30s\"",
            ),
            (
                ["pre", "post_30s", "post_0s"],
                "\"post_0s\" (at 42020 ms) comes after \"post_30s\"",
            ),
        ] {
            let mut file = recording(&stimuli, 43.0, &[]);
            annotated(&mut file, &stimuli, &labels);
            let err = read(file, &ReadOptions::default()).unwrap_err().to_string();
            assert!(err.contains(words), "{err}");
        }
        let mut file = recording(&train(3.0, 10), 3.5, &[]);
        file.channels[1].name = "EMG".into();
        let options = ReadOptions {
            continuous: ContinuousOptions {
                channel: Some(crate::io::options::ChannelChoice::parse("emg")),
                ..Default::default()
            },
            ..ReadOptions::default()
        };
        let err = read(file, &options).unwrap_err().to_string();
        assert!(
            err.contains("2 channels are named \"emg\" (1, 2): give its number"),
            "{err}"
        );
    }
}
