//! Command-line arguments, lowered in one step into typed library options:
//! [`ReadArgs::options`], [`AnalyzeArgs::settings`], [`SimulateArgs::config`].

use std::path::PathBuf;

use anyhow::Context;
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

use nmjscope::Settings;

/// Electrodiagnostic studies of the neuromuscular junction: RNS decrement,
/// exercise and high-rate increment, interpreted against published criteria.
#[derive(Debug, Parser)]
#[command(name = "nmjscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how a trace file (or each file of a study directory) was read.
    Inspect(InspectArgs),
    /// Measure, evaluate and interpret a test file or a study directory.
    Analyze(AnalyzeArgs),
    /// Simulate normal, myasthenic or Lambert-Eaton recordings.
    Simulate(SimulateArgs),
    /// Write the automatic markers of each test of a file or study as a
    /// markers file to start from (`<file>.markers.toml`, docs/markers.md).
    Markers(MarkersArgs),
    /// Analyse a built-in sample study (LEMS unless --condition says
    /// otherwise) and write the full report set.
    Demo(DemoArgs),
    /// Write the built-in sample studies (those of the source tree's
    /// samples/) into a folder, to analyse, batch or read.
    Samples(SamplesArgs),
    /// Score every study under a folder in parallel: summary.csv,
    /// measurements.csv and one JSON report per study.
    Batch(BatchArgs),
    /// Join the outputs of `batch --shard` runs into the output one
    /// unsharded run would have written.
    Merge(MergeArgs),
    /// A BIDS App: score a BIDS-EMG dataset into BIDS derivatives
    /// (`participant`: each subject's measurements and reports; `group`:
    /// the summary of all), docs/bids.md.
    Bids(BidsArgs),
    /// Measure and judge jitter (single-fibre or concentric-needle EMG)
    /// from interval lists or raw sweeps, docs/jitter.md.
    Jitter(crate::jitter::JitterArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish,
    /// powershell), e.g. `nmjscope completions bash > ~/.local/share/bash-completion/completions/nmjscope`.
    Completions(CompletionsArgs),
}

/// `I/N` with `I < N`.
fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("expected I/N (e.g. 0/4), found {text:?}"))?;
    let i: u32 = i
        .trim()
        .parse()
        .map_err(|_| format!("{i:?} is not a shard number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{n:?} is not a shard count"))?;
    if n == 0 || i >= n {
        return Err(format!(
            "shard {i}/{n}: I must be below N, and N at least 1"
        ));
    }
    Ok((i, n))
}

/// Join the outputs of sharded batch runs into one.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' output folders.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// Where to write the merged summary.csv, measurements.csv and reports/.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Replace the results already in `--out`.
    #[arg(long)]
    pub force: bool,
}

/// `nmjscope bids BIDS_DIR OUTPUT_DIR participant|group`, the BIDS Apps
/// convention (Gorgolewski et al., PLoS Comput Biol 2017;13:e1005209).
#[derive(Debug, Args)]
pub struct BidsArgs {
    /// The BIDS dataset (dataset_description.json at its root).
    pub bids_dir: PathBuf,
    /// The derivatives folder, this tool's own (by convention
    /// BIDS_DIR/derivatives/nmjscope); made when absent.
    pub output_dir: PathBuf,
    /// `participant`: each subject's measurements and reports, one folder
    /// each (one array task each); `group`: summary.csv,
    /// measurements.csv and run.json of all, in OUTPUT_DIR/group.
    #[arg(value_enum)]
    pub analysis_level: AnalysisLevel,
    /// Only these subjects (labels, with or without `sub-`).
    #[arg(long, num_args = 1.., value_name = "LABEL")]
    pub participant_label: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Worker threads for the group level (default: all cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Replace the results of an earlier run: the chosen subjects'
    /// folders (participant), the summary in OUTPUT_DIR/group (group).
    #[arg(long)]
    pub force: bool,
}

/// The BIDS Apps analysis levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalysisLevel {
    /// One subject at a time.
    Participant,
    /// The whole dataset.
    Group,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, ignore_case = true)]
    pub shell: clap_complete::Shell,
}

/// What `inspect` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    /// A readable summary.
    Text,
    /// JSON.
    Json,
}

/// How to read the files: what the caller knows better than the files.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Protocol for files that do not declare one.
    #[arg(long, value_parser = codes(nmjscope::Protocol::ALL))]
    pub protocol: Option<nmjscope::Protocol>,
    /// Stimulation rate (Hz), replacing the files' `stim_rate_hz`.
    #[arg(long, visible_alias = "stim-rate-hz")]
    pub rate: Option<f64>,
    /// Muscle, replacing the files' `muscle`.
    #[arg(long)]
    pub muscle: Option<String>,
    /// Nerve, replacing the files' `nerve`.
    #[arg(long)]
    pub nerve: Option<String>,
    /// Unit of every value column, whatever the files say.
    #[arg(long, ignore_case = true, value_parser = codes(nmjscope::model::VoltUnit::ALL))]
    pub units: Option<nmjscope::model::VoltUnit>,
    /// Polarity, replacing the files' `polarity`.
    #[arg(long, value_parser = codes(nmjscope::model::Polarity::ALL))]
    pub polarity: Option<nmjscope::model::Polarity>,
    /// Duration of the voluntary exercise (s), replacing `exercise_s`.
    #[arg(long)]
    pub exercise_s: Option<f64>,
    /// Limb temperature (C), replacing `temperature_c`.
    #[arg(long)]
    pub temperature: Option<f64>,
    /// Side (left, right), replacing `side`.
    #[arg(long)]
    pub side: Option<String>,
    /// Who performed the study, replacing `examiner`.
    #[arg(long)]
    pub examiner: Option<String>,
    /// The study date (YYYY-MM-DD), replacing `date`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Record values by study, muscle or file (a TOML file with [study],
    /// [muscle.NAME] and [file."name"] sections; docs/formats.md, "Record
    /// file"): the most specific wins, a [file] value over a [muscle]
    /// value over a [study] value or a flag.
    #[arg(long, value_name = "FILE.toml")]
    pub record: Option<PathBuf>,
    /// A metadata key the lab holds identifying, beyond the built-in
    /// policy (docs/privacy.md): its values are withheld from every
    /// output. Repeatable.
    #[arg(long = "identifying-key", value_name = "KEY")]
    pub identifying_keys: Vec<String>,
    /// Follow symbolic links in a study folder to files outside it (by
    /// default only links to files inside it are read; the others are
    /// named in a note).
    #[arg(long)]
    pub follow_links: bool,
    /// Why the study was done, replacing `indication`.
    #[arg(long)]
    pub indication: Option<String>,
    /// Medication, replacing `medication`.
    #[arg(long)]
    pub medication: Option<String>,
    /// Stimulus intensity (mA), replacing `stim_intensity_ma`.
    #[arg(long, value_name = "MA")]
    pub stim_intensity_ma: Option<f64>,
    /// Stimulus duration (ms), replacing `stim_duration_ms`.
    #[arg(long, value_name = "MS")]
    pub stim_duration_ms: Option<f64>,
    /// Whether the stimulus was supramaximal, replacing `supramaximal`.
    #[arg(long, value_enum, ignore_case = true)]
    pub supramaximal: Option<YesNo>,
    /// Hours since the last pyridostigmine dose, replacing
    /// `pyridostigmine_last_dose_h`.
    #[arg(long = "pyridostigmine-h", value_name = "HOURS")]
    pub pyridostigmine_last_dose_h: Option<f64>,
    /// Read every file as this format (default: detected from its content).
    #[arg(
        long,
        ignore_case = true,
        value_parser = codes(nmjscope::model::InputFormat::ALL),
        help_heading = "Formats and continuous recordings"
    )]
    pub input_format: Option<nmjscope::model::InputFormat>,
    /// The channel to measure in a multi-channel file: its name, or its
    /// number counting from 1 (default: the first recorded voltage that is
    /// no trigger).
    #[arg(
        long,
        value_name = "NAME|INDEX",
        help_heading = "Formats and continuous recordings"
    )]
    pub channel: Option<String>,
    /// Where a continuous recording's stimulus times come from (default:
    /// the first that has any, in this order; triggered blocks with a
    /// pre-trigger span first).
    #[arg(
        long,
        value_parser = codes(nmjscope::model::StimulusSource::ALL),
        help_heading = "Formats and continuous recordings"
    )]
    pub stimuli: Option<nmjscope::model::StimulusSource>,
    /// Time of the first stimulus (ms from the start of the recording),
    /// with --rate, for `--stimuli rate`.
    #[arg(
        long,
        value_name = "MS",
        help_heading = "Formats and continuous recordings"
    )]
    pub first_stimulus_ms: Option<f64>,
    /// Use only the first N stimuli of a continuous recording.
    #[arg(
        long,
        value_name = "N",
        help_heading = "Formats and continuous recordings"
    )]
    pub stimulus_count: Option<usize>,
    /// Span kept before each stimulus when a continuous recording is cut
    /// (ms; default 5, or a tenth of the interval of a fast train).
    #[arg(
        long,
        value_name = "MS",
        help_heading = "Formats and continuous recordings"
    )]
    pub pre_stimulus_ms: Option<f64>,
    /// Length of each sweep cut from a continuous recording (ms; default
    /// 45, or the interval of a fast train).
    #[arg(
        long,
        value_name = "MS",
        help_heading = "Formats and continuous recordings"
    )]
    pub sweep_ms: Option<f64>,
}

/// `yes` or `no`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum YesNo {
    /// Yes.
    #[value(alias = "y", alias = "true", alias = "1")]
    Yes,
    /// No.
    #[value(alias = "n", alias = "false", alias = "0")]
    No,
}

impl ReadArgs {
    /// How a continuous recording is cut, from the flags.
    fn continuous(&self) -> nmjscope::io::ContinuousOptions {
        nmjscope::io::ContinuousOptions {
            channel: self
                .channel
                .as_deref()
                .map(nmjscope::io::ChannelChoice::parse),
            stimuli: self.stimuli,
            first_stimulus_ms: self.first_stimulus_ms,
            stimulus_count: self.stimulus_count,
            pre_stimulus_ms: self.pre_stimulus_ms,
            sweep_ms: self.sweep_ms,
        }
    }

    /// The read options these flags ask for, checked by the library's one
    /// table of read options (a bad flag is the flag's fault, exit 5).
    pub fn options(&self) -> Result<nmjscope::ReadOptions, nmjscope::Error> {
        let options = nmjscope::ReadOptions {
            markers: None,
            protocol: self.protocol,
            overrides: nmjscope::io::Overrides {
                stim_rate_hz: self.rate,
                muscle: self.muscle.clone(),
                nerve: self.nerve.clone(),
                units: self.units,
                polarity: self.polarity,
                exercise_s: self.exercise_s,
                temperature_c: self.temperature,
                side: self.side.clone(),
                examiner: self.examiner.clone(),
                indication: self.indication.clone(),
                medication: self.medication.clone(),
                stim_intensity_ma: self.stim_intensity_ma,
                stim_duration_ms: self.stim_duration_ms,
                supramaximal: self.supramaximal.map(|s| matches!(s, YesNo::Yes)),
                pyridostigmine_last_dose_h: self.pyridostigmine_last_dose_h,
                date: self.date.clone(),
            },
            format: self.input_format,
            continuous: self.continuous(),
            identifying_keys: self.identifying_keys.clone(),
            follow_links: self.follow_links,
            record: match &self.record {
                Some(path) => Some(nmjscope::io::RecordFile::read(path)?),
                None => None,
            },
        };
        options.validate()?;
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The archive: sub-folders with CSV files are studies, CSV files
    /// directly in it are single-test studies.
    pub root: PathBuf,
    /// Where to write summary.csv, measurements.csv and studies.jsonl.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Score only the I-th of N deterministic slices of the archive
    /// (`0/4` .. `3/4`), e.g. one per task of a Slurm job array; join the
    /// outputs with `nmjscope merge`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// Re-use the results of studies whose files are unchanged since the
    /// run in `--out` (their content hash is in summary.csv); re-score the
    /// rest.
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    /// Replace the results already in `--out` (without this or `--resume`,
    /// a finished batch there is never overwritten).
    #[arg(long)]
    pub force: bool,
    /// Also write one JSON report per study under reports/ (the summary's
    /// `report` column then names each file).
    #[arg(long)]
    pub reports: bool,
    /// A folder of markers files laid out as ROOT
    /// (`DIR/<study>/<file>.markers.toml`), used in place of those beside
    /// the tests (docs/markers.md).
    #[arg(long, value_name = "DIR")]
    pub markers: Option<PathBuf>,
}

/// Conditions for `--condition`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConditionArg {
    /// Healthy neuromuscular transmission.
    Normal,
    /// Myasthenia gravis.
    Mg,
    /// Lambert-Eaton myasthenic syndrome.
    Lems,
}

impl From<ConditionArg> for nmjscope::simulate::Condition {
    fn from(c: ConditionArg) -> Self {
        use nmjscope::simulate::Condition;
        match c {
            ConditionArg::Normal => Condition::Normal,
            ConditionArg::Mg => Condition::Mg,
            ConditionArg::Lems => Condition::Lems,
        }
    }
}

/// File variants for `--variant`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VariantArg {
    /// Comma-separated, ms, mV.
    Plain,
    /// Semicolons and decimal commas.
    Semicolon,
    /// Values in microvolts.
    Microvolts,
    /// Time in seconds.
    Seconds,
    /// Long layout.
    Long,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("written_to").args(["output", "bids"])))]
pub struct SimulateArgs {
    #[command(flatten)]
    pub jitter: crate::jitter::JitterSimArgs,
    /// The physiology.
    #[arg(long, value_enum, default_value = "normal")]
    pub condition: ConditionArg,
    /// Severity from 0 to 1.
    #[arg(long, default_value_t = 0.7)]
    pub severity: f64,
    /// Protocol of a single test.
    #[arg(long, value_parser = codes(nmjscope::Protocol::ALL), default_value = "rns")]
    pub protocol: nmjscope::Protocol,
    /// Stimulation rate (Hz); default 3 (rns) or 50 (hfrns).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Muscle written to the file (default ADM; EDC with --jitter, a
    /// muscle with published jitter limits).
    #[arg(long)]
    pub muscle: Option<String>,
    /// Random seed: same seed, same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// White-noise SD in mV.
    #[arg(long, default_value_t = 0.01)]
    pub noise_mv: f64,
    /// How the CSV is written.
    #[arg(long, value_enum, default_value = "plain")]
    pub variant: VariantArg,
    /// Time recorded before each stimulus (ms; default 5, or 2 at high
    /// rates); 0 starts each sweep at the stimulus.
    #[arg(long, value_name = "MS")]
    pub pre_stimulus_ms: Option<f64>,
    /// `no`: a submaximal stimulus that reaches 70% of the motor axons
    /// (`--stimulus-fraction` sets the share); the file records
    /// `supramaximal: no`.
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        conflicts_with = "stimulus_fraction"
    )]
    pub supramaximal: Option<YesNo>,
    /// The share of the motor axons the stimulus reaches, 0.05-1 (1:
    /// supramaximal); units near threshold fire at some stimuli and not at
    /// others.
    #[arg(long, value_name = "F")]
    pub stimulus_fraction: Option<f64>,
    /// With a submaximal stimulus: only the first recorded stimulus of each
    /// test (the pre-exercise CMAP, a train's first) is submaximal.
    #[arg(long)]
    pub submaximal_first: bool,
    /// Limb temperature (C, 20-40): below 34 C cooling shrinks a
    /// myasthenic decrement; the file records it.
    #[arg(long, value_name = "C")]
    pub temperature: Option<f64>,
    /// Output file (default: standard output).
    #[arg(
        short = 'o',
        long = "out",
        visible_alias = "output",
        conflicts_with = "study"
    )]
    pub output: Option<PathBuf>,
    /// Write a whole study (3 Hz train, exercise, 50 Hz train) into this directory.
    #[arg(long)]
    pub study: Option<PathBuf>,
    /// Simulate a cohort of this condition: --n patients, severities drawn
    /// from the cohort's range (docs/simulation.md, "Cohorts"), one study
    /// folder each under --out, with cohort.tsv of their truth.
    #[arg(long, value_enum, requires = "written_to", conflicts_with = "study")]
    pub cohort: Option<ConditionArg>,
    /// Write a BIDS-EMG dataset into this directory (docs/bids.md): with
    /// --cohort, one subject per patient (the condition and severity in
    /// participants.tsv); else the study --study would write, as one
    /// subject.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["study", "output"])]
    pub bids: Option<PathBuf>,
    /// Patients in a cohort (1-10000).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub n: u32,
    /// With --study: which study. `exhaustion` is the myasthenia work-up:
    /// two 3 Hz trains at rest, a minute of exercise, then 3 Hz trains
    /// immediately after and at 1, 2, 3 and 4 minutes.
    #[arg(long, value_enum, default_value = "standard", requires = "study")]
    pub series: SeriesArg,
}

/// Studies `simulate --study` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeriesArg {
    /// A 3 Hz train, a 10 s exercise test and a 50 Hz train.
    Standard,
    /// The post-exercise facilitation and exhaustion series.
    Exhaustion,
}

/// The share of axons `simulate --supramaximal no` reaches: a CMAP about
/// 30% smaller, well beyond the variation of a repeat.
const SUBMAXIMAL_FRACTION: f64 = 0.7;

impl SimulateArgs {
    /// The muscle of a simulated CMAP test: `--muscle`, else ADM.
    pub fn cmap_muscle(&self) -> String {
        self.muscle.clone().unwrap_or_else(|| "ADM".to_string())
    }

    /// The simulation these flags ask for.
    pub fn config(&self) -> nmjscope::simulate::SimConfig {
        use nmjscope::simulate::SimConfig;
        SimConfig {
            condition: self.condition.into(),
            severity: self.severity,
            protocol: self.protocol,
            rate_hz: self.rate,
            muscle: self.cmap_muscle(),
            seed: self.seed,
            noise_mv: self.noise_mv,
            pre_stimulus_ms: self.pre_stimulus_ms,
            stimulus_fraction: match (self.stimulus_fraction, self.supramaximal) {
                (Some(f), _) => f,
                (None, Some(YesNo::No)) => SUBMAXIMAL_FRACTION,
                (None, _) => 1.0,
            },
            submaximal_first_only: self.submaximal_first,
            temperature_c: self.temperature,
            ..SimConfig::default()
        }
    }

    /// How the files are written.
    pub fn variant(&self) -> nmjscope::io::write::FileVariant {
        use nmjscope::io::write::FileVariant;
        match self.variant {
            VariantArg::Plain => FileVariant::Plain,
            VariantArg::Semicolon => FileVariant::Semicolon,
            VariantArg::Microvolts => FileVariant::Microvolts,
            VariantArg::Seconds => FileVariant::Seconds,
            VariantArg::Long => FileVariant::Long,
        }
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Which condition's sample study to analyse (samples/normal, mg or
    /// lems); the default, lems, shows an increment over 100%.
    #[arg(long, value_enum, default_value = "lems", ignore_case = true)]
    pub condition: ConditionArg,
    /// Where to write the report set.
    #[arg(short = 'o', long, default_value = "nmjscope-demo")]
    pub out: PathBuf,
    /// Also print the HTML report to report.pdf in the set, with a local
    /// Chromium (chromium, chromium-browser or google-chrome on PATH).
    #[arg(long)]
    pub pdf: bool,
}

/// `nmjscope samples`.
#[derive(Debug, Args)]
pub struct SamplesArgs {
    /// Write only this sample, its files directly in --out (a study
    /// folder to analyse); without it, every sample as a folder of
    /// --out, beside their README.
    #[arg(value_name = "NAME", value_parser = sample_names())]
    pub name: Option<String>,
    /// Where to write them: a new folder, or one this command wrote
    /// (anything else is refused and kept).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
}

/// The names of the built-in samples, each with what it holds (shown by
/// `--help`), from the library's list.
fn sample_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        nmjscope::samples::ALL
            .iter()
            .map(|s| clap::builder::PossibleValue::new(s.name).help(s.about)),
    )
}

/// What goes to standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable report.
    Text,
    /// JSON (schema nmjscope.report/3 for analyze).
    Json,
    /// Markdown.
    Markdown,
    /// The tidy per-response CSV.
    Csv,
}

impl From<OutputFormat> for nmjscope::render::Format {
    fn from(f: OutputFormat) -> Self {
        use nmjscope::render::Format;
        match f {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Markdown => Format::Markdown,
            OutputFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A CSV trace file or a study directory.
    pub path: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text", ignore_case = true)]
    pub format: InspectFormat,
}

/// `nmjscope markers`.
#[derive(Debug, Args)]
pub struct MarkersArgs {
    /// A trace file (one test) or a study directory.
    pub path: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Write the markers file here (one test only) instead of standard
    /// output; a file is replaced only when this command wrote it and no
    /// entry of it was set by hand.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

/// Thresholds and signal settings, the same for `analyze` and `batch`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Thresholds and settings file (TOML or JSON); flags below override it.
    #[arg(long)]
    pub thresholds: Option<PathBuf>,
    /// The lab's lower limits of normal CMAP amplitude (TOML: a table per
    /// muscle with `lower_limit_mv` and `source`); they win over the
    /// built-in ones and are echoed in the report.
    #[arg(long, value_name = "FILE.toml")]
    pub limits: Option<PathBuf>,
    /// Low-rate decrement above this is abnormal (%, default 10).
    #[arg(long)]
    pub decrement_pct: Option<f64>,
    /// Increment suggestive of LEMS at or above this (%, default 60).
    #[arg(long)]
    pub increment_suggestive_pct: Option<f64>,
    /// Increment specific for LEMS at or above this (%, default 100).
    #[arg(long)]
    pub increment_specific_pct: Option<f64>,
    /// Which response the decrement compares with the first (default 4).
    #[arg(long)]
    pub decrement_response: Option<usize>,
    /// Turn on zero-phase filtering with these settings' corners.
    #[arg(long)]
    pub filter: bool,
    /// Low-pass corner (Hz) when filtering.
    #[arg(long)]
    pub lowpass_hz: Option<f64>,
    /// High-pass corner (Hz) when filtering.
    #[arg(long)]
    pub highpass_hz: Option<f64>,
    /// Mains frequency to notch (50 or 60) when filtering.
    #[arg(long)]
    pub notch_hz: Option<f64>,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// A CSV trace file (one test), a directory (a study), or `-` for one
    /// test read from standard input.
    pub path: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    /// What to print to standard output.
    #[arg(long, value_enum, default_value = "text", ignore_case = true)]
    pub format: OutputFormat,
    /// Markers set by hand (docs/markers.md), in place of the
    /// `<file>.markers.toml` beside each test: a file for a single test, or
    /// a folder laid out as PATH (`DIR/<file>.markers.toml`).
    #[arg(long, value_name = "FILE.toml|DIR")]
    pub markers: Option<PathBuf>,
    /// Put identifying metadata (patient name, record number, birth date)
    /// in the reports; without it they are kept out of every output.
    #[arg(long)]
    pub identified: bool,
    /// Write the full report set (HTML, Markdown, JSON, text, CSV, plots)
    /// into this directory.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Also print the HTML report to report.pdf in the report set, with a
    /// local Chromium (chromium, chromium-browser or google-chrome on
    /// PATH, run headless); refused when none is found. Needs --out.
    #[arg(long, requires = "out")]
    pub pdf: bool,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

impl SettingsArgs {
    /// The settings: defaults, then the thresholds file, then the flags.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut s = match &self.thresholds {
            Some(path) => Settings::from_file(path)
                .with_context(|| format!("reading thresholds {}", path.display()))?,
            None => Settings::default(),
        };
        if let Some(path) = &self.limits {
            s.interpret.lab_limits = nmjscope::settings::lab_limits_from_file(path)
                .with_context(|| format!("reading limits {}", path.display()))?;
        }
        if let Some(v) = self.decrement_pct {
            s.interpret.decrement_abnormal_pct = v;
        }
        if let Some(v) = self.increment_suggestive_pct {
            s.interpret.increment_suggestive_pct = v;
        }
        if let Some(v) = self.increment_specific_pct {
            s.interpret.increment_specific_pct = v;
        }
        if let Some(v) = self.decrement_response {
            s.train.decrement_response = v;
        }
        if self.filter
            || self.lowpass_hz.is_some()
            || self.highpass_hz.is_some()
            || self.notch_hz.is_some()
        {
            s.signal.filter.enabled = true;
        }
        if let Some(v) = self.lowpass_hz {
            s.signal.filter.lowpass_hz = Some(v);
        }
        if let Some(v) = self.highpass_hz {
            s.signal.filter.highpass_hz = Some(v);
        }
        if let Some(v) = self.notch_hz {
            s.signal.filter.notch_hz = Some(v);
        }
        s.validate(std::path::Path::new("<flags>"))?;
        Ok(s)
    }
}

/// A flag whose values are a library type's codes, parsed straight into
/// it: the possible values are listed from the library, so a new variant
/// needs no edit here.
pub(crate) fn codes<T>(all: &'static [T]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: Copy + std::fmt::Display + std::str::FromStr + Send + Sync + 'static,
{
    clap::builder::PossibleValuesParser::new(
        all.iter()
            .map(|v| clap::builder::PossibleValue::new(v.to_string())),
    )
    .try_map(|text: String| {
        text.parse::<T>()
            .map_err(|_| format!("{text:?} is not one of the values"))
    })
}
