//! The `nmjscope` command: parses arguments, lowers them into library
//! options, runs the library, prints, and writes files. All analysis lives
//! in the library.

mod args;
mod bids;
mod commands;
mod inspect_text;
mod jitter;
mod pdf;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes: 0 success, 1 internal, 2 usage (clap), 3 bad input file,
/// 4 file-system error, 5 bad settings ([`nmjscope::ErrorKind`]).
fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(exit) = err.downcast_ref::<Exit>() {
        return exit.code;
    }
    err.downcast_ref::<nmjscope::Error>()
        .map_or(1, |e| e.kind().exit_code())
}

/// A run that did its work but must not say success (`batch` with failed
/// studies: 3; with none found: 4).
#[derive(Debug)]
pub struct Exit {
    code: u8,
    message: String,
}

impl Exit {
    pub fn new(code: u8, message: String) -> Exit {
        Exit { code, message }
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// The error and its causes on one line, each cause once: the library's
/// errors already name their source (`path: No such file`), so anyhow's
/// chain would print the OS error twice. Control characters (of a file
/// name) are escaped: one line, and no terminal escape.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    nmjscope::error::printable(&out)
}

/// A usage error on one line, as every other message: clap's lines (the
/// error, the values it takes, a tip) joined; the usage block left to
/// `--help`.
fn usage_error(err: &clap::Error) -> String {
    let text = err.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    format!(
        "{} (see --help)",
        nmjscope::error::printable(&lines.join(" "))
    )
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version, asked for or shown for a bare `nmjscope`.
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            e.exit()
        }
        Err(e) => {
            eprintln!("{}", usage_error(&e));
            return ExitCode::from(2);
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", message(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}
