//! The `nmjscope` command: maps arguments to library calls, prints, and
//! writes files. All logic lives in the library.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command, OutputFormat};
use nmjscope::{report, ReadOptions};

/// Exit codes: 0 success, 1 internal, 2 usage (clap), 3 bad input file,
/// 4 file-system error, 5 bad settings.
fn exit_code(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<nmjscope::Error>() {
        Some(nmjscope::Error::Io { .. }) | Some(nmjscope::Error::EmptyStudy { .. }) => 4,
        Some(nmjscope::Error::Settings { .. }) => 5,
        Some(e) if e.is_input() => 3,
        _ => 1,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect(args) => {
            let options = args.read.options();
            let study = nmjscope::read_study(&args.path, &options)
                .with_context(|| format!("reading {}", args.path.display()))?;
            let inspections: Vec<_> = study.tests.iter().map(nmjscope::io::inspect).collect();
            match args.format {
                OutputFormat::Json => {
                    let value = if inspections.len() == 1 && args.path.is_file() {
                        serde_json::to_value(&inspections[0])?
                    } else {
                        serde_json::to_value(&inspections)?
                    };
                    let mut bytes = serde_json::to_vec_pretty(&value)?;
                    bytes.push(b'\n');
                    stdout(&bytes)
                }
                _ => stdout(cli::inspection_text(&inspections).as_bytes()),
            }
        }
        Command::Analyze(args) => {
            let settings = args.settings()?;
            let options = args.read.options();
            let study = nmjscope::read_study(&args.path, &options)
                .with_context(|| format!("reading {}", args.path.display()))?;
            let report = nmjscope::analyze_study(&study, &settings)?;
            if let Some(dir) = &args.out {
                write_report_set(&report, &study, dir)?;
            }
            stdout(&render(&report, args.format))
        }
        Command::Simulate(args) => {
            let config = args.config();
            if let Some(dir) = &args.study {
                let files = nmjscope::simulate::simulate_study(&config)?;
                nmjscope::report::write_files(dir, &files)
                    .with_context(|| format!("writing the study to {}", dir.display()))?;
                eprintln!("wrote {} tests to {}", files.len(), dir.display());
                Ok(())
            } else {
                let bytes = nmjscope::simulate::simulate_test(&config)?;
                match &args.output {
                    Some(path) => {
                        let dir = path
                            .parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(std::path::Path::new("."));
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "simulated.csv".into());
                        nmjscope::report::write_files(dir, &[(name, bytes)])
                            .with_context(|| format!("writing {}", path.display()))?;
                        Ok(())
                    }
                    None => stdout(&bytes),
                }
            }
        }
        Command::Batch(args) => batch(args),
        Command::Demo(args) => {
            let study = demo_study()?;
            let report = nmjscope::analyze_study(&study, &nmjscope::Settings::default())?;
            write_report_set(&report, &study, &args.out)?;
            stdout(&report::text(&report))?;
            eprintln!(
                "\nfull report set (HTML, Markdown, JSON, CSV, plots) in {}",
                args.out.display()
            );
            Ok(())
        }
    }
}

fn batch(args: cli::BatchArgs) -> anyhow::Result<()> {
    let settings = match &args.thresholds {
        Some(path) => nmjscope::Settings::from_file(path)
            .with_context(|| format!("reading thresholds {}", path.display()))?,
        None => nmjscope::Settings::default(),
    };
    let options = args.read.options();
    let studies = nmjscope::batch::find_studies(&args.root)
        .with_context(|| format!("listing studies under {}", args.root.display()))?;
    let bar = progress_bar(studies.len() as u64, args.quiet);
    let items = nmjscope::batch::run_batch(&studies, &settings, &options, args.jobs, &|p| {
        bar.set_position(p.done as u64);
        if p.failed {
            bar.println(format!("failed: {}", p.path.display()));
        }
    })?;
    bar.finish_and_clear();
    let mut files = vec![
        (
            "summary.csv".to_string(),
            nmjscope::batch::summary_csv(&items),
        ),
        (
            "measurements.csv".to_string(),
            nmjscope::batch::measurements_csv(&items),
        ),
    ];
    for item in &items {
        if let Ok(r) = &item.outcome {
            let relative = item.path.strip_prefix(&args.root).unwrap_or(&item.path);
            let mut name = relative
                .with_extension("")
                .to_string_lossy()
                .replace(['/', '\\'], "__");
            if let Some(id) = &item.split_id {
                name.push_str("__");
                name.push_str(&id.replace(['/', '\\', ' '], "_"));
            }
            files.push((format!("reports/{name}.json"), report::json(r)));
        }
    }
    nmjscope::report::write_files(&args.out, &files)
        .with_context(|| format!("writing batch results to {}", args.out.display()))?;
    let failed = items.iter().filter(|i| i.outcome.is_err()).count();
    eprintln!(
        "{} studies scored, {} failed (listed in {}/summary.csv)",
        items.len() - failed,
        failed,
        args.out.display()
    );
    Ok(())
}

/// The one progress bar: on standard error, hidden when quiet or not a
/// terminal.
fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} studies, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The LEMS sample study, compiled in so the demo needs no data.
const DEMO_FILES: [(&str, &[u8]); 3] = [
    (
        "1_rns_3hz.csv",
        include_bytes!("../samples/lems/1_rns_3hz.csv"),
    ),
    (
        "2_exercise_10s.csv",
        include_bytes!("../samples/lems/2_exercise_10s.csv"),
    ),
    (
        "3_hfrns_50hz.csv",
        include_bytes!("../samples/lems/3_hfrns_50hz.csv"),
    ),
];

fn demo_study() -> anyhow::Result<nmjscope::Study> {
    let tests = DEMO_FILES
        .iter()
        .map(|(name, bytes)| {
            nmjscope::io::parse_trace(std::path::Path::new(name), bytes, &ReadOptions::default())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(nmjscope::Study {
        id: "demo-lems".to_string(),
        path: "samples/lems (built in)".into(),
        tests,
    })
}

fn write_report_set(
    report: &nmjscope::Report,
    study: &nmjscope::Study,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let files = report::report_set(report, study)?;
    nmjscope::report::write_files(dir, &files)
        .with_context(|| format!("writing the report set to {}", dir.display()))?;
    Ok(())
}

fn render(report: &nmjscope::Report, format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::Text => report::text(report),
        OutputFormat::Json => report::json(report),
        OutputFormat::Markdown => report::markdown(report),
        OutputFormat::Csv => report::measurements_csv(report),
    }
}
