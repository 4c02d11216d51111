//! `nmjscope bids BIDS_DIR OUTPUT_DIR participant|group`: the BIDS App
//! (docs/bids.md). The participant level writes each subject's folder of
//! derivatives as one set; the group level is `batch` of the dataset into
//! OUTPUT_DIR/group.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::args::{AnalysisLevel, BatchArgs, BidsArgs};
use crate::commands::{batch_of, say};
use nmjscope::io::bids;

/// The kind of set each subject's derivatives folder is.
const DERIVATIVES_SET: &str = "bids derivatives";

pub fn bids(args: BidsArgs) -> anyhow::Result<()> {
    let root = &args.bids_dir;
    if !bids::is_dataset(root) {
        return Err(nmjscope::Error::BidsFile {
            at: nmjscope::Location::file(&root.join(bids::DESCRIPTION)),
            detail:
                "not found: BIDS_DIR is no BIDS dataset (its root holds dataset_description.json)"
                    .into(),
        }
        .into());
    }
    let sessions = bids::find_sessions(root)?;
    let wanted = chosen_subjects(&args.participant_label, &sessions)?;
    let keep = |p: &Path| wanted.is_empty() || wanted.contains(&bids::subject_of(p));
    bids::prepare_derivatives(&args.output_dir, &args.bids_dir, env!("CARGO_PKG_VERSION"))
        .with_context(|| format!("preparing {}", args.output_dir.display()))?;
    match args.analysis_level {
        AnalysisLevel::Group => {
            let batch = BatchArgs {
                root: args.bids_dir.clone(),
                out: args.output_dir.join("group"),
                jobs: args.jobs,
                read: args.read,
                settings: args.settings,
                quiet: args.quiet,
                shard: None,
                resume: false,
                force: args.force,
                reports: false,
                markers: None,
            };
            batch_of(batch, &keep)
        }
        AnalysisLevel::Participant => {
            let chosen: Vec<PathBuf> = sessions.into_iter().filter(|s| keep(s)).collect();
            participant(&args, &chosen)
        }
    }
}

/// The subjects `--participant-label` names (`01` or `sub-01`), each
/// one the dataset holds; none named: all.
fn chosen_subjects(labels: &[String], sessions: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut present: Vec<String> = sessions.iter().map(|s| bids::subject_of(s)).collect();
    present.dedup();
    let mut out = Vec::new();
    for label in labels {
        let subject = if label.starts_with("sub-") {
            label.clone()
        } else {
            format!("sub-{label}")
        };
        if !present.contains(&subject) {
            return Err(crate::Exit::new(
                3,
                format!(
                    "--participant-label {}: no such subject with EMG data (the dataset has {})",
                    nmjscope::error::printable(label),
                    present.join(", ")
                ),
            )
            .into());
        }
        out.push(subject);
    }
    Ok(out)
}

/// Each chosen subject's derivatives, one set per subject folder: a
/// subject whose session cannot be read is named and left unwritten, and
/// the others are written (exit 3 at the end).
fn participant(args: &BidsArgs, sessions: &[PathBuf]) -> anyhow::Result<()> {
    let analyzer = nmjscope::pipeline::Analyzer::new(args.settings.settings()?)?;
    let options = args.read.options()?;
    let mut subjects: Vec<(String, Vec<&PathBuf>)> = Vec::new();
    for s in sessions {
        let subject = bids::subject_of(s);
        match subjects.last_mut() {
            Some((name, list)) if *name == subject => list.push(s),
            _ => subjects.push((subject, vec![s])),
        }
    }
    // As `batch`: a finished result is replaced only when asked.
    let done: Vec<&str> = subjects
        .iter()
        .map(|(s, _)| s.as_str())
        .filter(|s| args.output_dir.join(s).exists())
        .collect();
    if !done.is_empty() && !args.force {
        return Err(crate::Exit::new(
            4,
            format!(
                "{} already holds the derivatives of {} from an earlier run; --force replaces them (nothing written)",
                args.output_dir.display(),
                done.join(", ")
            ),
        )
        .into());
    }
    let mut failed = Vec::new();
    for (subject, list) in &subjects {
        let files = subject_files(&analyzer, &options, &args.bids_dir, list);
        let files = match files {
            Ok(f) => f,
            Err(e) => {
                let kept = args.output_dir.join(subject);
                let earlier = if kept.exists() {
                    format!(
                        " (its derivatives in {} are an earlier run's, kept)",
                        kept.display()
                    )
                } else {
                    String::new()
                };
                say(&format!("failed: {subject}: {e}{earlier}"));
                failed.push(subject.clone());
                continue;
            }
        };
        let dir = args.output_dir.join(subject);
        nmjscope::io::fs::write_set(&dir, &files, DERIVATIVES_SET)
            .with_context(|| format!("writing {}", dir.display()))?;
    }
    let written = subjects.len() - failed.len();
    say(&format!(
        "derivatives of {written} subject{} written to {}, {} failed",
        if written == 1 { "" } else { "s" },
        args.output_dir.display(),
        failed.len()
    ));
    if !failed.is_empty() {
        return Err(crate::Exit::new(
            3,
            format!(
                "{} of {} subjects failed: {}",
                failed.len(),
                subjects.len(),
                failed.join(", ")
            ),
        )
        .into());
    }
    if subjects.is_empty() {
        return Err(crate::Exit::new(
            4,
            format!("no EMG session found in {}", args.bids_dir.display()),
        )
        .into());
    }
    Ok(())
}

/// One subject's derivative files, every session's; the first session
/// that cannot be read or analysed stops it.
fn subject_files(
    analyzer: &nmjscope::pipeline::Analyzer,
    options: &nmjscope::ReadOptions,
    root: &Path,
    sessions: &[&PathBuf],
) -> nmjscope::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for session in sessions {
        let dir = match session.file_name() {
            Some(n) if n.to_string_lossy().starts_with("ses-") => n.to_string_lossy().into_owned(),
            _ => String::new(),
        };
        let study = nmjscope::read_study(session, options)?;
        let a = analyzer.analyze_with_display(&study)?;
        let path = nmjscope::batch::relative_path(root, session);
        files.extend(nmjscope::render::bids::session_derivatives(
            &a.report,
            &a.displays,
            &dir,
            &path,
        )?);
    }
    Ok(files)
}
