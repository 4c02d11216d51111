//! `nmjscope jitter`: a jitter study (interval lists and raw sweeps) to
//! its report; and `simulate --jitter DIR`: single-fibre pairs with their
//! truth, as an interval list and raw sweeps (docs/jitter.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::args::{codes, ConditionArg, ReadArgs, SettingsArgs};
use crate::commands::say;
use nmjscope::io::fs::write_set;
use nmjscope::model::{Electrode, JitterMethod};

/// `nmjscope jitter PATH`.
#[derive(Debug, Args)]
pub struct JitterArgs {
    /// An interval list (CSV, `# nmjscope: jitter`), one pair's sweeps (any
    /// trace format, with `# method:` and `# electrode:`), or a folder of
    /// them (one subject).
    pub path: PathBuf,
    /// The subject's age (years), in place of the files' `# age:`:
    /// single-fibre limits depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=120))]
    pub age: Option<u32>,
    /// What to print to standard output.
    #[arg(long, value_enum, default_value = "text", ignore_case = true)]
    pub format: JitterFormat,
    /// Write the report set (HTML, Markdown, JSON, text, the pairs CSV,
    /// plots) into this directory.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

/// Formats `jitter` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum JitterFormat {
    /// A readable report.
    Text,
    /// JSON, schema nmjscope.jitter/1.
    Json,
    /// Markdown.
    Markdown,
    /// One row per pair.
    Csv,
}

/// `simulate --jitter DIR` and its options.
#[derive(Debug, Args)]
pub struct JitterSimArgs {
    /// Simulate a jitter study into this directory: `ipi.csv` (the interval
    /// list), `truth.tsv`, and with --sweeps one sweeps file per pair.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["study", "output", "bids", "cohort"])]
    pub jitter: Option<PathBuf>,
    /// Voluntary activation or axonal stimulation.
    #[arg(long, value_parser = codes(JitterMethod::ALL), default_value = "voluntary", requires = "jitter")]
    pub method: JitterMethod,
    /// The electrode written to the files.
    #[arg(long, value_parser = codes(Electrode::ALL), default_value = "concentric", requires = "jitter")]
    pub electrode: Electrode,
    /// Pairs recorded (1-200); a few more than the 20 a judgement needs.
    #[arg(long, default_value_t = 24, requires = "jitter")]
    pub pairs: usize,
    /// Discharges per pair (2-2000).
    #[arg(long, default_value_t = 100, requires = "jitter")]
    pub discharges: usize,
    /// Also write each pair's raw sweeps (50 kHz CSV).
    #[arg(long, requires = "jitter")]
    pub sweeps: bool,
}

/// `nmjscope jitter`.
pub fn jitter(args: JitterArgs) -> anyhow::Result<()> {
    if let Some(flag) = cmap_only_flag(&args.read) {
        anyhow::bail!(
            "--{flag} sets a value of a CMAP test and does not apply to jitter files (nmjscope jitter); give it to `nmjscope analyze`"
        );
    }
    let settings = args.settings.settings()?;
    let options = args.read.options()?;
    let input = nmjscope::io::jitter::read_jitter(&args.path, &options)?;
    let analysis =
        nmjscope::pipeline::jitter::analyze_jitter(&input, args.age.map(f64::from), &settings)?;
    use nmjscope::render::jitter as r;
    let bytes = match args.format {
        JitterFormat::Text => r::jitter_text(&analysis.report).into_bytes(),
        JitterFormat::Json => r::jitter_json(&analysis.report),
        JitterFormat::Markdown => r::jitter_markdown(&analysis.report).into_bytes(),
        JitterFormat::Csv => r::jitter_csv(&analysis.report),
    };
    crate::commands::stdout(&bytes)?;
    if let Some(dir) = &args.out {
        let files = r::jitter_report_set(&analysis)?;
        write_set(dir, &files, "jitter report")
            .with_context(|| format!("writing the report set to {}", dir.display()))?;
        say(&format!(
            "jitter report written to {} (open {})",
            dir.display(),
            dir.join("jitter.html").display()
        ));
    }
    Ok(())
}

/// The first flag given that only a CMAP test reads (a stimulation rate,
/// a protocol, a temperature...): `jitter` refuses it rather than ignore
/// it. The flags of how a trace is read (units, polarity, format,
/// channel, stimuli) apply to sweeps files and are kept.
fn cmap_only_flag(r: &ReadArgs) -> Option<&'static str> {
    let given = [
        ("protocol", r.protocol.is_some()),
        ("rate", r.rate.is_some()),
        ("nerve", r.nerve.is_some()),
        ("exercise-s", r.exercise_s.is_some()),
        ("temperature", r.temperature.is_some()),
        ("examiner", r.examiner.is_some()),
        ("date", r.date.is_some()),
        ("record", r.record.is_some()),
        ("indication", r.indication.is_some()),
        ("medication", r.medication.is_some()),
        ("stim-intensity-ma", r.stim_intensity_ma.is_some()),
        ("stim-duration-ms", r.stim_duration_ms.is_some()),
        ("supramaximal", r.supramaximal.is_some()),
        ("pyridostigmine-h", r.pyridostigmine_last_dose_h.is_some()),
    ];
    given
        .into_iter()
        .find(|(_, set)| *set)
        .map(|(flag, _)| flag)
}

/// `simulate --jitter DIR`.
pub fn simulate_jitter(
    j: &JitterSimArgs,
    dir: &Path,
    (condition, severity, muscle, seed, noise_mv): (ConditionArg, f64, &str, u64, f64),
) -> anyhow::Result<()> {
    use nmjscope::simulate::jitter::{simulate_pairs, sweeps_of, JitterSimConfig};
    let config = JitterSimConfig {
        condition: condition.into(),
        severity,
        muscle: muscle.to_string(),
        method: j.method,
        electrode: j.electrode,
        pairs: j.pairs,
        discharges: j.discharges,
        seed,
        noise_mv: noise_mv.max(0.02),
        ..JitterSimConfig::default()
    };
    let pairs = simulate_pairs(&config)?;
    let generator = ("generator", nmjscope::simulate::GENERATOR.to_string());
    let list: Vec<_> = pairs.iter().map(|p| p.pair.clone()).collect();
    let mut files = vec![(
        "ipi.csv".to_string(),
        nmjscope::io::jitter::ipi_csv(&list, &truth_keys(&config, generator.clone())).into_bytes(),
    )];
    let mut truth = String::from("pair\tdischarges\tblocked\tmcd_us\tmean_safety\n");
    for p in &pairs {
        let m = nmjscope::train::jitter::measure_pair(&p.pair, &Default::default());
        truth.push_str(&format!(
            "{}\t{}\t{}\t{}\t{:.3}\n",
            p.pair.id,
            m.discharges,
            m.blocked,
            m.mcd_us.map_or("n/a".into(), |v| format!("{v:.3}")),
            p.mean_safety
        ));
    }
    files.push(("truth.tsv".to_string(), truth.into_bytes()));
    if j.sweeps {
        for (i, p) in pairs.iter().enumerate() {
            let (t0_ms, samples) = sweeps_of(&config, p, seed ^ (i as u64 + 1))?;
            let header = nmjscope::io::jitter::SweepsHeader {
                pair: &p.pair.id,
                muscle: &config.muscle,
                method: config.method,
                electrode: config.electrode,
                sampling_rate_hz: config.sampling_rate_hz,
                extra: std::slice::from_ref(&generator),
            };
            let bytes = nmjscope::io::jitter::sweeps_csv(&header, t0_ms, &samples);
            files.push((format!("sweeps/pair{:02}.csv", i + 1), bytes));
        }
    }
    write_set(dir, &files, nmjscope::io::fs::SIMULATED_STUDY)
        .with_context(|| format!("writing the jitter study to {}", dir.display()))?;
    say(&format!("wrote {} pairs to {}", pairs.len(), dir.display()));
    Ok(())
}

/// The metadata lines of a simulated interval list: the generator, the
/// condition and (for a disease) its severity.
fn truth_keys(
    c: &nmjscope::simulate::jitter::JitterSimConfig,
    generator: (&'static str, String),
) -> Vec<(&'static str, String)> {
    let mut keys = vec![generator, ("condition", c.condition.to_string())];
    if c.condition != nmjscope::simulate::Condition::Normal {
        keys.push(("severity", c.severity.to_string()));
    }
    keys.push(("seed", c.seed.to_string()));
    keys
}
