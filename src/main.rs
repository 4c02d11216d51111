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
            let options = ReadOptions {
                protocol: args.protocol.map(Into::into),
            };
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
            let options = ReadOptions {
                protocol: args.protocol.map(Into::into),
            };
            let study = nmjscope::read_study(&args.path, &options)
                .with_context(|| format!("reading {}", args.path.display()))?;
            let report = nmjscope::analyze_study(&study, &settings);
            if let Some(dir) = &args.out {
                let files = report_files(&report, &study)?;
                nmjscope::report::write_files(dir, &files)
                    .with_context(|| format!("writing the report set to {}", dir.display()))?;
            }
            stdout(&render(&report, args.format))
        }
    }
}

fn render(report: &nmjscope::Report, format: OutputFormat) -> Vec<u8> {
    match format {
        OutputFormat::Text => report::text(report),
        OutputFormat::Json => report::json(report),
        OutputFormat::Markdown => report::markdown(report),
        OutputFormat::Csv => report::measurements_csv(report),
    }
}

fn report_files(
    report: &nmjscope::Report,
    _study: &nmjscope::Study,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![
        ("report.json".to_string(), report::json(report)),
        ("report.txt".to_string(), report::text(report)),
        ("report.md".to_string(), report::markdown(report)),
        (
            "measurements.csv".to_string(),
            report::measurements_csv(report),
        ),
    ])
}
