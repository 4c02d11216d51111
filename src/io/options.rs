//! What the caller may tell the reader, and the one check of it: one
//! table of every read option (its key, its flag, its range and why), one
//! [`ReadOptions::validate`]. The CLI, the Python package and the web page
//! build a [`ReadOptions`] and the reader validates it before it reads;
//! `docs/formats.md` lists the table (a test keeps them together).
//!
//! Below the readers: every reader imports its options from here.

use crate::error::{Error, Result};
use crate::io::plausible::date_problem;
use crate::io::plausible::{
    EXERCISE_RANGE_S, FIRST_SAMPLE_RANGE_MS, MAX_METADATA_CHARS, MAX_RESPONSES,
    PYRIDOSTIGMINE_RANGE_H, STIM_DURATION_RANGE_MS, STIM_INTENSITY_RANGE_MA, STIM_RATE_RANGE_HZ,
    SWEEP_RANGE_MS, TEMPERATURE_RANGE_C,
};
use crate::io::record::RecordFile;
use crate::model::{InputFormat, Polarity, Protocol, StimulusSource, VoltUnit};

/// What the caller may tell the reader.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Protocol to use when a file has no `protocol` metadata key (the
    /// `--protocol` flag). Inference applies when this is `None` too.
    pub protocol: Option<Protocol>,
    /// Values that replace the files' own metadata (command-line flags).
    pub overrides: Overrides,
    /// The format of every file (`--input-format`); detected from each
    /// file's content when `None`.
    pub format: Option<InputFormat>,
    /// How a continuous recording is cut into sweeps.
    pub continuous: ContinuousOptions,
    /// Metadata keys the lab holds identifying beyond the built-in policy
    /// ([`crate::model::is_identifying`]; `--identifying-key`): their
    /// values are withheld as a patient's name is.
    pub identifying_keys: Vec<String>,
    /// Follow symbolic links in a study folder to files outside it
    /// (`--follow-links`); by default only links to files inside it are.
    pub follow_links: bool,
    /// Record values by study, muscle and file (`--record FILE.toml`),
    /// read and checked by [`RecordFile::read`].
    pub record: Option<RecordFile>,
    /// A folder of markers files mirroring the folder read (`--markers
    /// DIR`): a test's sidecar there is used in place of the one beside it
    /// ([`crate::io::MarkersDir`], `docs/markers.md`).
    pub markers: Option<crate::io::MarkersDir>,
}

/// How a continuous recording (EDF, BDF, LabChart, Spike2, a continuous
/// CSV) is cut into one sweep per stimulus (`docs/formats.md`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContinuousOptions {
    /// The channel to measure (`--channel`); by default the first recorded
    /// voltage that is no trigger or marker.
    pub channel: Option<ChannelChoice>,
    /// Where the stimulus times come from (`--stimuli`); by default the
    /// first source that has any, in the order of [`StimulusSource`]'s
    /// variants.
    pub stimuli: Option<StimulusSource>,
    /// Time of the first stimulus from the start of the recording, with
    /// the stimulation rate (`--first-stimulus-ms`).
    pub first_stimulus_ms: Option<f64>,
    /// Use only the first this many stimuli (`--stimulus-count`).
    pub stimulus_count: Option<usize>,
    /// Span kept before each stimulus (`--pre-stimulus-ms`, 0-100 ms);
    /// by default 5 ms, or a tenth of the interval in a fast train.
    pub pre_stimulus_ms: Option<f64>,
    /// Length of each sweep (`--sweep-ms`, 5-500 ms); by default 45 ms,
    /// or the interval between stimuli in a fast train.
    pub sweep_ms: Option<f64>,
}

/// A channel of a multi-channel file (`--channel NAME|INDEX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelChoice {
    /// By name (case ignored).
    Name(String),
    /// By position, counting from 1.
    Index(usize),
}

impl ChannelChoice {
    /// A number is a position (from 1), anything else a name.
    pub fn parse(text: &str) -> ChannelChoice {
        match text.trim().parse::<usize>() {
            Ok(i) => ChannelChoice::Index(i),
            Err(_) => ChannelChoice::Name(text.trim().to_string()),
        }
    }
}

/// Metadata the caller sets for every file read, replacing what the file
/// says (or supplying what it leaves out). Each is echoed in the recording's
/// metadata, so reports and `inspect` show the value used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Stimulation rate (`--rate`).
    pub stim_rate_hz: Option<f64>,
    /// Muscle (`--muscle`).
    pub muscle: Option<String>,
    /// Nerve (`--nerve`).
    pub nerve: Option<String>,
    /// Unit of every value column, whatever the file's header or `units` key
    /// say (`--units`).
    pub units: Option<VoltUnit>,
    /// Polarity (`--polarity`).
    pub polarity: Option<Polarity>,
    /// Exercise duration (`--exercise-s`).
    pub exercise_s: Option<f64>,
    /// Limb temperature (`--temperature`).
    pub temperature_c: Option<f64>,
    /// Side (`--side`).
    pub side: Option<String>,
    /// Examiner (`--examiner`).
    pub examiner: Option<String>,
    /// Why the study was done (`--indication`).
    pub indication: Option<String>,
    /// Medication (`--medication`).
    pub medication: Option<String>,
    /// Stimulus intensity, mA (`--stim-intensity-ma`).
    pub stim_intensity_ma: Option<f64>,
    /// Stimulus duration, ms (`--stim-duration-ms`).
    pub stim_duration_ms: Option<f64>,
    /// Whether the stimulus was supramaximal (`--supramaximal yes|no`).
    pub supramaximal: Option<bool>,
    /// Hours since the last pyridostigmine dose (`--pyridostigmine-h`).
    pub pyridostigmine_last_dose_h: Option<f64>,
    /// The study date, `YYYY-MM-DD` (`--date`).
    pub date: Option<String>,
}

impl Overrides {
    /// Each value given: its metadata key, its flag and the value as the
    /// metadata holds it.
    pub(crate) fn given(&self) -> Vec<(&'static str, &'static str, String)> {
        let num = |v: Option<f64>| v.map(|x| x.to_string());
        let units = self.units.map(|u| match u {
            VoltUnit::Millivolt => "mV",
            VoltUnit::Microvolt => "uV",
            VoltUnit::Volt => "V",
        });
        let polarity = self.polarity.map(|p| match p {
            Polarity::Normal => "normal",
            Polarity::Inverted => "inverted",
        });
        let yes_no = self.supramaximal.map(|s| if s { "yes" } else { "no" });
        [
            ("stim_rate_hz", "--rate", num(self.stim_rate_hz)),
            ("exercise_s", "--exercise-s", num(self.exercise_s)),
            ("temperature_c", "--temperature", num(self.temperature_c)),
            ("muscle", "--muscle", self.muscle.clone()),
            ("nerve", "--nerve", self.nerve.clone()),
            ("side", "--side", self.side.clone()),
            ("examiner", "--examiner", self.examiner.clone()),
            ("indication", "--indication", self.indication.clone()),
            ("medication", "--medication", self.medication.clone()),
            (
                "stim_intensity_ma",
                "--stim-intensity-ma",
                num(self.stim_intensity_ma),
            ),
            (
                "stim_duration_ms",
                "--stim-duration-ms",
                num(self.stim_duration_ms),
            ),
            ("supramaximal", "--supramaximal", yes_no.map(str::to_string)),
            (
                "pyridostigmine_last_dose_h",
                "--pyridostigmine-h",
                num(self.pyridostigmine_last_dose_h),
            ),
            ("date", "--date", self.date.clone()),
            ("polarity", "--polarity", polarity.map(str::to_string)),
            ("units", "--units", units.map(str::to_string)),
        ]
        .into_iter()
        .filter_map(|(key, flag, v)| v.map(|v| (key, flag, v)))
        .collect()
    }
}

/// What a read option holds, and how it is checked.
#[derive(Debug, Clone, Copy)]
pub enum OptionKind {
    /// A number within `range` (NaN never is), in `unit`.
    Number {
        /// The closed range allowed.
        range: (f64, f64),
        /// Its unit, for messages and the docs.
        unit: &'static str,
        /// The value in a set of options.
        get: fn(&ReadOptions) -> Option<f64>,
    },
    /// A whole number within `range`.
    Count {
        /// The closed range allowed.
        range: (usize, usize),
        /// The value in a set of options.
        get: fn(&ReadOptions) -> Option<usize>,
    },
    /// Free text copied into every report: at most
    /// [`MAX_METADATA_CHARS`] characters, no control characters.
    Text {
        /// The value in a set of options.
        get: fn(&ReadOptions) -> Option<&str>,
    },
    /// Metadata keys: each 1-64 characters, no control characters;
    /// compared as the readers normalise keys.
    Keys {
        /// The keys in a set of options.
        get: fn(&ReadOptions) -> &[String],
    },
    /// A study date, `YYYY-MM-DD`, a calendar date.
    Date {
        /// The value in a set of options.
        get: fn(&ReadOptions) -> Option<&str>,
    },
    /// A file the client reads with the library's reader of it (the
    /// record file: [`RecordFile::read`]), which checks it.
    File {
        /// What the file holds, for the docs.
        what: &'static str,
    },
    /// One of the codes of a library type (parsed into it by the client:
    /// an unknown code never reaches the options).
    Choice {
        /// The codes.
        codes: &'static str,
    },
}

/// One read option: its key (Python, JSON), its flag (CLI), what it holds
/// and why its range is what it is.
#[derive(Debug, Clone, Copy)]
pub struct ReadOption {
    /// The key (`stim_rate_hz`), as the metadata key where there is one.
    pub key: &'static str,
    /// The command-line flag (`--rate`).
    pub flag: &'static str,
    /// What it holds.
    pub kind: OptionKind,
    /// Why the range is what it is (or what the option does).
    pub reason: &'static str,
}

const fn number(
    key: &'static str,
    flag: &'static str,
    range: (f64, f64),
    unit: &'static str,
    get: fn(&ReadOptions) -> Option<f64>,
    reason: &'static str,
) -> ReadOption {
    ReadOption {
        key,
        flag,
        kind: OptionKind::Number { range, unit, get },
        reason,
    }
}

const fn text(
    key: &'static str,
    flag: &'static str,
    get: fn(&ReadOptions) -> Option<&str>,
) -> ReadOption {
    ReadOption {
        key,
        flag,
        kind: OptionKind::Text { get },
        reason: "copied into every report and row",
    }
}

const fn choice(
    key: &'static str,
    flag: &'static str,
    codes: &'static str,
    reason: &'static str,
) -> ReadOption {
    ReadOption {
        key,
        flag,
        kind: OptionKind::Choice { codes },
        reason,
    }
}

/// The longest pre-stimulus span a sweep may keep (ms): as much as a sweep
/// file may hold before its stimulus.
const MAX_PRE_STIMULUS_MS: f64 = -FIRST_SAMPLE_RANGE_MS.0;

/// Every read option, in the order the docs list them.
pub const READ_OPTIONS: &[ReadOption] = &[
    choice(
        "protocol",
        "--protocol",
        "rns, hfrns, exercise",
        "used when a file does not say",
    ),
    number(
        "stim_rate_hz",
        "--rate",
        STIM_RATE_RANGE_HZ,
        "Hz",
        |o| o.overrides.stim_rate_hz,
        "RNS protocols in use run from 0.1 Hz single shocks to 100 Hz trains",
    ),
    text("muscle", "--muscle", |o| o.overrides.muscle.as_deref()),
    text("nerve", "--nerve", |o| o.overrides.nerve.as_deref()),
    text("side", "--side", |o| o.overrides.side.as_deref()),
    choice(
        "units",
        "--units",
        "mV, uV, V",
        "the unit of every value column, whatever the file says",
    ),
    choice(
        "polarity",
        "--polarity",
        "normal, inverted",
        "a recording made negative down",
    ),
    number(
        "exercise_s",
        "--exercise-s",
        EXERCISE_RANGE_S,
        "s",
        |o| o.overrides.exercise_s,
        "10 s for LEMS, 30-60 s for exhaustion; two minutes is the longest protocol described",
    ),
    number(
        "temperature_c",
        "--temperature",
        TEMPERATURE_RANGE_C,
        "C",
        |o| o.overrides.temperature_c,
        "a limb temperature outside is a typo or another unit",
    ),
    ReadOption {
        key: "date",
        flag: "--date",
        kind: OptionKind::Date {
            get: |o| o.overrides.date.as_deref(),
        },
        reason: "the study date, replacing the files' `date`",
    },
    ReadOption {
        key: "record",
        flag: "--record",
        kind: OptionKind::File {
            what: "a TOML file of record values by study, muscle and file",
        },
        reason: "per-file and per-muscle values: docs/formats.md, \"Record file\"",
    },
    text("examiner", "--examiner", |o| {
        o.overrides.examiner.as_deref()
    }),
    text("indication", "--indication", |o| {
        o.overrides.indication.as_deref()
    }),
    text("medication", "--medication", |o| {
        o.overrides.medication.as_deref()
    }),
    number(
        "stim_intensity_ma",
        "--stim-intensity-ma",
        STIM_INTENSITY_RANGE_MA,
        "mA",
        |o| o.overrides.stim_intensity_ma,
        "constant-current stimulators deliver up to 100 mA",
    ),
    number(
        "stim_duration_ms",
        "--stim-duration-ms",
        STIM_DURATION_RANGE_MS,
        "ms",
        |o| o.overrides.stim_duration_ms,
        "pulses of 0.05-1 ms are used; 2 ms is the longest a stimulator offers",
    ),
    choice(
        "supramaximal",
        "--supramaximal",
        "yes, no (True, False in Python)",
        "whether the stimulus was supramaximal",
    ),
    number(
        "pyridostigmine_h",
        "--pyridostigmine-h",
        PYRIDOSTIGMINE_RANGE_H,
        "h",
        |o| o.overrides.pyridostigmine_last_dose_h,
        "up to 30 days; a larger value means it is not taken",
    ),
    choice(
        "input_format",
        "--input-format",
        "csv, edf, bdf, labchart, spike2, cfwb",
        "detected from each file's content when not given",
    ),
    ReadOption {
        key: "channel",
        flag: "--channel",
        kind: OptionKind::Text {
            get: |o| match &o.continuous.channel {
                Some(ChannelChoice::Name(n)) => Some(n.as_str()),
                _ => None,
            },
        },
        reason: "a name, or a number counting from 1",
    },
    choice(
        "stimuli",
        "--stimuli",
        "annotations, markers, trigger, rate, artifact, blocks",
        "where the stimulus times come from",
    ),
    number(
        "first_stimulus_ms",
        "--first-stimulus-ms",
        (0.0, 1e9),
        "ms",
        |o| o.continuous.first_stimulus_ms,
        "a time within the recording (checked against it when read)",
    ),
    ReadOption {
        key: "stimulus_count",
        flag: "--stimulus-count",
        kind: OptionKind::Count {
            range: (1, MAX_RESPONSES),
            get: |o| o.continuous.stimulus_count,
        },
        reason: "no test has more responses (40 s of a 50 Hz train)",
    },
    number(
        "pre_stimulus_ms",
        "--pre-stimulus-ms",
        (0.0, MAX_PRE_STIMULUS_MS),
        "ms",
        |o| o.continuous.pre_stimulus_ms,
        "as much baseline as a sweep file may hold before its stimulus",
    ),
    number(
        "sweep_ms",
        "--sweep-ms",
        SWEEP_RANGE_MS,
        "ms",
        |o| o.continuous.sweep_ms,
        "never under 5 ms (the CMAP itself lasts that long); over 500 ms is no sweep",
    ),
    choice(
        "follow_links",
        "--follow-links",
        "a flag (True in Python)",
        "follow links in a study folder to files outside it",
    ),
    ReadOption {
        key: "identifying_keys",
        flag: "--identifying-key",
        kind: OptionKind::Keys {
            get: |o| &o.identifying_keys,
        },
        reason: "a lab's own identifying keys, withheld from every output (docs/privacy.md)",
    },
];

impl ReadOptions {
    /// Checks every option against [`READ_OPTIONS`], and the pre-stimulus
    /// span against the sweep. The readers call it before they read.
    ///
    /// # Errors
    ///
    /// [`Error::ReadOption`] naming the key and the flag.
    pub fn validate(&self) -> Result<()> {
        for option in READ_OPTIONS {
            if let Some(detail) = option.problem(self) {
                return Err(option.error(detail));
            }
        }
        let (pre, sweep) = (self.continuous.pre_stimulus_ms, self.continuous.sweep_ms);
        if let (Some(pre), Some(sweep)) = (pre, sweep) {
            if pre >= sweep {
                let option = READ_OPTIONS.iter().find(|o| o.key == "sweep_ms");
                if let Some(o) = option {
                    return Err(o.error(format!("{sweep} ms leaves no time after the stimulus: the pre-stimulus span is {pre} ms")));
                }
            }
        }
        if let Some(record) = &self.record {
            let flags: Vec<(&str, &str)> = self
                .overrides
                .given()
                .into_iter()
                .map(|(key, flag, _)| (key, flag))
                .collect();
            record.check_flags(&flags)?;
        }
        Ok(())
    }
}

impl ReadOption {
    /// What is wrong with this option's value, if anything.
    fn problem(&self, options: &ReadOptions) -> Option<String> {
        let show = |v: f64| {
            if v.abs() < 1e7 {
                v.to_string()
            } else {
                format!("{v:e}")
            }
        };
        match self.kind {
            OptionKind::Number { range, unit, get } => get(options)
                .filter(|v| !(range.0..=range.1).contains(v))
                .map(|v| format!("{} is outside the plausible {}-{} {unit}: {}", show(v), range.0, range.1, self.reason)),
            OptionKind::Count { range, get } => get(options)
                .filter(|v| !(range.0..=range.1).contains(v))
                .map(|v| format!("{v} is outside {}-{}: {}", range.0, range.1, self.reason)),
            OptionKind::Text { get } => get(options)
                .filter(|v| v.chars().count() > MAX_METADATA_CHARS || v.chars().any(char::is_control))
                .map(|_| format!("at most {MAX_METADATA_CHARS} characters, without line breaks or control characters")),
            OptionKind::Keys { get } => get(options)
                .iter()
                .find(|k| !is_metadata_key(k))
                .map(|_| format!("a key is 1-{MAX_KEY_CHARS} characters, without control characters")),
            OptionKind::Date { get } => get(options).and_then(date_problem),
            OptionKind::File { .. } | OptionKind::Choice { .. } => None,
        }
    }

    fn error(&self, detail: String) -> Error {
        Error::ReadOption {
            key: self.key,
            flag: self.flag,
            detail,
        }
    }

    /// The option's range (or codes) as the docs write it.
    pub fn range_text(&self) -> String {
        match self.kind {
            OptionKind::Number { range, unit, .. } => format!("{}-{} {unit}", range.0, range.1),
            OptionKind::Count { range, .. } => format!("{}-{}", range.0, range.1),
            OptionKind::Text { .. } => format!("text, at most {MAX_METADATA_CHARS} characters"),
            OptionKind::Keys { .. } => "metadata keys, repeatable".to_string(),
            OptionKind::Date { .. } => "a date, YYYY-MM-DD".to_string(),
            OptionKind::File { what } => what.to_string(),
            OptionKind::Choice { codes } => codes.to_string(),
        }
    }
}

/// Longest metadata key a lab may name.
const MAX_KEY_CHARS: usize = 64;

/// Whether `key` can be a metadata key.
fn is_metadata_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.trim().chars().count()) && !key.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl Fn(&mut ReadOptions)) -> ReadOptions {
        let mut o = ReadOptions::default();
        f(&mut o);
        o
    }

    #[test]
    fn every_option_out_of_range_is_refused_naming_its_key_and_flag() {
        assert!(ReadOptions::default().validate().is_ok());
        for (options, words) in [
            (
                with(|o| o.overrides.stim_rate_hz = Some(1e300)),
                "--rate (stim_rate_hz): 1e300 is outside the plausible 0.1-100 Hz",
            ),
            (
                with(|o| o.overrides.temperature_c = Some(f64::NAN)),
                "--temperature (temperature_c): NaN is outside",
            ),
            (
                with(|o| o.overrides.muscle = Some("A\nB".into())),
                "--muscle (muscle): at most 256 characters",
            ),
            (
                with(|o| o.overrides.date = Some("2026-02-30".into())),
                "--date (date): 2026-02-30 is no calendar date (YYYY-MM-DD)",
            ),
            (
                with(|o| o.overrides.date = Some("30.11.2026".into())),
                "--date (date): \"30.11.2026\" is not a date written YYYY-MM-DD",
            ),
            (
                with(|o| o.continuous.stimulus_count = Some(0)),
                "--stimulus-count (stimulus_count): 0 is outside 1-2000",
            ),
            (
                with(|o| o.continuous.sweep_ms = Some(1000.0)),
                "--sweep-ms (sweep_ms): 1000 is outside the plausible 5-500 ms",
            ),
            (
                with(|o| o.continuous.pre_stimulus_ms = Some(101.0)),
                "--pre-stimulus-ms (pre_stimulus_ms): 101 is outside the plausible 0-100 ms",
            ),
            (
                with(|o| {
                    o.continuous.pre_stimulus_ms = Some(10.0);
                    o.continuous.sweep_ms = Some(8.0);
                }),
                "--sweep-ms (sweep_ms): 8 ms leaves no time after the stimulus",
            ),
        ] {
            let err = options.validate().unwrap_err();
            assert!(err.to_string().starts_with(words), "{err}");
            assert_eq!(err.kind(), crate::error::ErrorKind::Settings);
        }
        let fine = with(|o| {
            o.continuous.pre_stimulus_ms = Some(10.0);
            o.continuous.sweep_ms = Some(50.0);
        });
        assert!(fine.validate().is_ok());
    }

    #[test]
    fn keys_and_flags_are_unique() {
        let mut keys: Vec<&str> = READ_OPTIONS.iter().map(|o| o.key).collect();
        let mut flags: Vec<&str> = READ_OPTIONS.iter().map(|o| o.flag).collect();
        keys.sort_unstable();
        flags.sort_unstable();
        keys.dedup();
        flags.dedup();
        assert_eq!(
            (keys.len(), flags.len()),
            (READ_OPTIONS.len(), READ_OPTIONS.len())
        );
    }

    #[test]
    fn docs_list_every_read_option() {
        let doc = include_str!("../../docs/formats.md");
        for o in READ_OPTIONS {
            let row = format!("| `{}` | `{}` | {} |", o.key, o.flag, o.range_text());
            // `NMJSCOPE_OPTIONS_DOC=1 cargo test docs_list_every_read_option
            // -- --nocapture` prints the table's rows.
            if std::env::var_os("NMJSCOPE_OPTIONS_DOC").is_some() {
                println!("{row} {} |", o.reason);
                continue;
            }
            assert!(doc.contains(&row), "docs/formats.md lacks {row}");
        }
    }
}
