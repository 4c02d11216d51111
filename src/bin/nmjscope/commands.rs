//! One function per subcommand.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::args::{
    AnalyzeArgs, BatchArgs, Cli, Command, ConditionArg, DemoArgs, InspectArgs, InspectFormat,
    MarkersArgs, MergeArgs, SamplesArgs, SeriesArg, SimulateArgs,
};
use nmjscope::io::fs::write_set;
use nmjscope::pipeline::{Analysis, Analyzer};
use nmjscope::render::{self, Format};

/// Runs the command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect(args) => inspect(args),
        Command::Analyze(args) => analyze(args),
        Command::Simulate(args) => simulate(args),
        Command::Batch(args) => batch(args),
        Command::Markers(args) => markers(args),
        Command::Demo(args) => demo(args),
        Command::Samples(args) => samples(args),
        Command::Merge(args) => merge(args),
        Command::Bids(args) => crate::bids::bids(args),
        Command::Jitter(args) => crate::jitter::jitter(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(args.shell, &mut command, "nmjscope", &mut out);
            stdout(&out)
        }
    }
}

pub(crate) fn stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}

fn inspect(args: InspectArgs) -> anyhow::Result<()> {
    let options = args.read.options()?;
    note_not_read(&args.path, &options);
    let study = match nmjscope::read_study(&args.path, &options) {
        Ok(study) => study,
        Err(e) => {
            // What the file holds, then why it cannot be read as a test.
            if args.path.is_file() {
                if let Ok(Some(survey)) = nmjscope::io::survey_file(&args.path, &options) {
                    if args.format == InspectFormat::Json {
                        let mut bytes = serde_json::to_vec_pretty(&survey)?;
                        bytes.push(b'\n');
                        stdout(&bytes)?;
                    } else {
                        stdout(crate::inspect_text::survey(&args.path, &survey).as_bytes())?;
                    }
                }
            }
            return Err(e).with_context(|| format!("reading {}", args.path.display()));
        }
    };
    let inspections: Vec<_> = study
        .tests
        .iter()
        .map(|t| nmjscope::io::inspect(t, &options))
        .collect();
    // Jitter files are read by their own reader: named, not inspected.
    if let Some(j) = &study.jitter {
        say(&format!(
            "note: jitter files, not inspected here (`nmjscope jitter` reads them): {}",
            j.files.join(", ")
        ));
    }
    if args.format != InspectFormat::Json {
        return stdout(crate::inspect_text::text(&inspections).as_bytes());
    }
    let value = if inspections.len() == 1 && args.path.is_file() {
        serde_json::to_value(&inspections[0])?
    } else {
        serde_json::to_value(&inspections)?
    };
    let mut bytes = serde_json::to_vec_pretty(&value)?;
    bytes.push(b'\n');
    stdout(&bytes)
}

fn analyze(args: AnalyzeArgs) -> anyhow::Result<()> {
    let analyzer = Analyzer::new(args.settings.settings()?)?.identified(args.identified);
    let mut options = args.read.options()?;
    let browser = args.pdf.then(crate::pdf::find_browser).transpose()?;
    note_not_read(&args.path, &options);
    let given = args.markers.as_deref();
    if let Some(dir) = given.filter(|m| m.is_dir()) {
        options.markers = Some(nmjscope::io::MarkersDir::for_study(dir, &args.path));
    }
    let mut study = read_input(&args.path, &options)?;
    if let Some(file) = given.filter(|m| !m.is_dir()) {
        nmjscope::io::apply_markers_file(file, &mut study)?;
    }
    let analysis = analyzer.analyze_with_display(&study)?;
    stdout(&render::serialize(
        args.format.into(),
        &analysis.report,
        &[],
    )?)?;
    if let Some(dir) = &args.out {
        write_report_set(&analysis, dir, browser.as_deref())?;
        say(&format!(
            "report set written to {} (open {})",
            dir.display(),
            dir.join("report.html").display()
        ));
    }
    Ok(())
}

/// `nmjscope markers`: the automatic markers of each test, as markers
/// files to start from.
fn markers(args: MarkersArgs) -> anyhow::Result<()> {
    let analyzer = Analyzer::new(args.settings.settings()?)?;
    let options = args.read.options()?;
    let study = nmjscope::read_study(&args.path, &options)
        .with_context(|| format!("reading {}", args.path.display()))?;
    let report = analyzer.analyze(&study)?;
    let Some(out) = &args.out else {
        let many = report.tests.len() > 1;
        let mut text = String::new();
        for t in &report.tests {
            if many {
                text.push_str(&format!(
                    "# ==> {}{} <==\n",
                    t.file,
                    nmjscope::io::MARKERS_SUFFIX
                ));
            }
            text.push_str(&nmjscope::io::automatic_markers_toml(t));
            if many {
                text.push('\n');
            }
        }
        return stdout(text.as_bytes());
    };
    let [test] = report.tests.as_slice() else {
        anyhow::bail!(
            "{} holds {} tests: --out writes the markers of one; give one test file, or leave out --out to print them all",
            args.path.display(),
            report.tests.len()
        );
    };
    let text = nmjscope::io::automatic_markers_toml(test);
    nmjscope::io::write_automatic_markers(out, &text)
        .with_context(|| format!("writing {}", out.display()))?;
    say(&format!(
        "markers of {} written to {}",
        test.file,
        out.display()
    ));
    Ok(())
}

/// Says `text` on standard error, control characters escaped (a file or
/// folder name cannot break the line or drive the terminal).
pub(crate) fn say(text: &str) {
    eprintln!("{}", nmjscope::error::printable(text));
}

/// Names, on standard error, every path in a study folder that is not
/// read, and why (`nmjscope::io::list_study`): nothing passed over
/// without a word.
fn note_not_read(path: &Path, options: &nmjscope::ReadOptions) {
    if !path.is_dir() {
        return;
    }
    // A BIDS session's files are those of its emg folder.
    let folder = match nmjscope::io::bids::dataset_of(path) {
        Some(root) => {
            nmjscope::io::bids::read_session_in(path, &root, options.follow_links).map(|(_, f)| f)
        }
        None => nmjscope::io::list_study(path, options.follow_links),
    };
    if let Some(skipped) = folder.ok().and_then(|f| f.describe_skipped()) {
        let note = format!("note: not read in {}: {skipped}", path.display());
        say(&note);
    }
}

/// The study at `path`: a file, a directory, or `-` for one test on
/// standard input. A folder of study folders gets a pointer to `batch`.
fn read_input(path: &Path, options: &nmjscope::ReadOptions) -> anyhow::Result<nmjscope::Study> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        let name = Path::new("<stdin>");
        // A folder or a closed descriptor on standard input is the input's
        // fault (exit 4), not the tool's.
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::io::stdin().lock(), nmjscope::io::MAX_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(|e| nmjscope::Error::io(name, e))
        .context("reading standard input")?;
        if bytes.len() as u64 > nmjscope::io::MAX_FILE_BYTES {
            return Err(nmjscope::Error::TooLarge {
                path: name.to_path_buf(),
                bytes: bytes.len() as u64,
                max: nmjscope::io::MAX_FILE_BYTES,
            }
            .into());
        }
        let recording = nmjscope::io::parse_trace(name, &bytes, options)?;
        return Ok(nmjscope::Study {
            id: recording
                .study_id
                .clone()
                .unwrap_or_else(|| "stdin".to_string()),
            path: name.to_path_buf(),
            tests: vec![recording],
            jitter: None,
        });
    }
    nmjscope::read_study(path, options).map_err(|e| {
        // A BIDS subject with sessions: each session is a study.
        if let Some(root) = nmjscope::io::bids::dataset_of(path) {
            let sessions: Vec<String> = nmjscope::io::bids::find_sessions(&root)
                .unwrap_or_default()
                .iter()
                .filter(|s| nmjscope::io::bids::subject_of(s) == nmjscope::io::bids::subject_of(path))
                .map(|s| s.display().to_string())
                .collect();
            if !sessions.is_empty() {
                return anyhow::Error::new(e).context(format!(
                    "{} is a BIDS subject with sessions, each a study: analyze one ({}), or score the dataset with `nmjscope batch {} --out DIR`",
                    path.display(),
                    sessions.join(", "),
                    root.display()
                ));
            }
        }
        // Studies in sub-folders (a trace file directly in `path` would
        // have been read).
        let studies = if path.is_dir() {
            nmjscope::batch::find_studies(path).map_or(0, |s| s.iter().filter(|p| p.is_dir()).count())
        } else {
            0
        };
        let err = anyhow::Error::new(e);
        if studies > 0 && matches!(err.downcast_ref(), Some(nmjscope::Error::EmptyStudy { .. })) {
            err.context(format!(
                "{} holds {studies} studies in sub-folders; score them all with `nmjscope batch {} --out DIR`",
                path.display(),
                path.display()
            ))
        } else {
            err.context(format!("reading {}", path.display()))
        }
    })
}

fn simulate(args: SimulateArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.jitter.jitter {
        let what = (
            args.condition,
            args.severity,
            args.muscle.as_deref().unwrap_or("EDC"),
            args.seed,
            args.noise_mv,
        );
        return crate::jitter::simulate_jitter(&args.jitter, dir, what);
    }
    if let Some(dir) = &args.bids {
        return simulate_bids(&args, dir);
    }
    if let (Some(condition), Some(dir)) = (args.cohort, &args.output) {
        return cohort(&args, condition, dir);
    }
    let config = args.config();
    if let Some(dir) = &args.study {
        let sim = match args.series {
            SeriesArg::Standard => nmjscope::simulate::simulate_study(&config)?,
            SeriesArg::Exhaustion => nmjscope::simulate::simulate_exhaustion_series(&config)?,
        };
        let files = nmjscope::io::write::study_csv(&sim.study, args.variant());
        // A simulated study is a set like any other output: it replaces
        // only a folder it wrote.
        write_set(dir, &files, nmjscope::io::fs::SIMULATED_STUDY)
            .with_context(|| format!("writing the study to {}", dir.display()))?;
        say(&format!("wrote {} tests to {}", files.len(), dir.display()));
        return Ok(());
    }
    let test = nmjscope::simulate::simulate_test(&config)?;
    let bytes = nmjscope::io::write::trace_csv(&test.recording, args.variant());
    let Some(path) = &args.output else {
        return stdout(&bytes);
    };
    let signature = format!("# generator: {}", nmjscope::simulate::GENERATOR);
    nmjscope::io::fs::write_own_file(path, &bytes, &signature)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// `simulate --bids DIR`: the cohort (or the one study) as a BIDS-EMG
/// dataset, each patient a subject, the truth in `participants.tsv`; a
/// set like any this tool writes (it replaces only a dataset it wrote).
fn simulate_bids(args: &SimulateArgs, dir: &Path) -> anyhow::Result<()> {
    use nmjscope::io::bids::BidsSubject;
    let configs = match args.cohort {
        Some(condition) => {
            nmjscope::simulate::cohort::cohort(&nmjscope::simulate::cohort::CohortSpec {
                condition: condition.into(),
                n: args.n as usize,
                muscle: args.cmap_muscle(),
                seed: args.seed,
            })
            .into_iter()
            .map(|c| nmjscope::simulate::SimConfig {
                noise_mv: args.noise_mv,
                ..c
            })
            .collect()
        }
        None => vec![args.config()],
    };
    let width = configs.len().to_string().len().max(3);
    let mut subjects = Vec::with_capacity(configs.len());
    for (i, config) in configs.iter().enumerate() {
        let sim = match args.series {
            SeriesArg::Standard => nmjscope::simulate::simulate_study(config)?,
            SeriesArg::Exhaustion => nmjscope::simulate::simulate_exhaustion_series(config)?,
        };
        let column = |name: &str, value: String, description: &str| {
            (name.to_string(), value, description.to_string())
        };
        subjects.push(BidsSubject {
            label: format!("{:0width$}", i + 1),
            study: sim.study,
            columns: vec![
                column(
                    "condition",
                    config.condition.to_string(),
                    "The simulated condition (normal, mg, lems): the truth",
                ),
                column(
                    "severity",
                    config.severity.to_string(),
                    "The simulated severity, 0 (none) to 1",
                ),
                column(
                    "seed",
                    config.seed.to_string(),
                    "The simulator's random seed: the same seed gives the same recordings",
                ),
            ],
        });
    }
    let name = match args.cohort {
        Some(c) => format!(
            "nmjscope simulated {} cohort",
            nmjscope::simulate::Condition::from(c)
        ),
        None => "nmjscope simulated study".to_string(),
    };
    let files = nmjscope::io::bids::dataset_files(&name, env!("CARGO_PKG_VERSION"), &subjects)
        .context("a simulated sampling rate is not a whole number of hertz: EDF cannot hold it")?;
    write_set(dir, &files, nmjscope::io::fs::SIMULATED_STUDY)
        .with_context(|| format!("writing the BIDS dataset to {}", dir.display()))?;
    say(&format!(
        "wrote a BIDS-EMG dataset of {} subject{} to {} (participants.tsv: their truth)",
        subjects.len(),
        if subjects.len() == 1 { "" } else { "s" },
        dir.display()
    ));
    Ok(())
}

/// `simulate --cohort`: one study folder per patient, and `cohort.csv`
/// with each patient's truth, as one set.
fn cohort(
    args: &SimulateArgs,
    condition: crate::args::ConditionArg,
    dir: &Path,
) -> anyhow::Result<()> {
    let spec = nmjscope::simulate::cohort::CohortSpec {
        condition: condition.into(),
        n: args.n as usize,
        muscle: args.cmap_muscle(),
        seed: args.seed,
    };
    let mut files = Vec::new();
    // Tab-separated, so that the cohort's own folder holds no trace-like
    // file: `batch` scores the studies in it and notes this one.
    let mut truth = String::from("study\tcondition\tseverity\tmuscle\tseed\n");
    for config in nmjscope::simulate::cohort::cohort(&spec) {
        let config = nmjscope::simulate::SimConfig {
            noise_mv: args.noise_mv,
            ..config
        };
        let sim = nmjscope::simulate::simulate_study(&config)?;
        let id = sim.study.id.clone();
        for (name, bytes) in nmjscope::io::write::study_csv(&sim.study, args.variant()) {
            files.push((format!("{id}/{name}"), bytes));
        }
        truth.push_str(&format!(
            "{id}\t{}\t{}\t{}\t{}\n",
            config.condition,
            config.severity,
            nmjscope::render::text_cell(&config.muscle),
            config.seed
        ));
    }
    files.push(("cohort.tsv".to_string(), truth.into_bytes()));
    write_set(dir, &files, nmjscope::io::fs::SIMULATED_STUDY)
        .with_context(|| format!("writing the cohort to {}", dir.display()))?;
    say(&format!(
        "wrote {} simulated {} studies to {} (cohort.tsv: their truth)",
        spec.n,
        spec.condition,
        dir.display()
    ));
    Ok(())
}

fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let browser = args.pdf.then(crate::pdf::find_browser).transpose()?;
    let analysis = Analyzer::default().analyze_with_display(&demo_study(args.condition)?)?;
    write_report_set(&analysis, &args.out, browser.as_deref())?;
    let condition = match args.condition {
        ConditionArg::Normal => "normal",
        ConditionArg::Mg => "MG",
        ConditionArg::Lems => "LEMS",
    };
    // Where the files are comes first: the report itself is long.
    say(&format!(
        "The built-in {condition} study, analysed: report set (HTML, {}Markdown, JSON, CSV, plots) in {}; open {}",
        if args.pdf { "PDF, " } else { "" },
        args.out.display(),
        args.out.join("report.html").display()
    ));
    eprintln!();
    stdout(&render::serialize(Format::Text, &analysis.report, &[])?)
}

/// The sample study of `condition` (`samples/<condition>`, compiled in
/// so the demo needs no data), named `demo-<condition>`.
fn demo_study(condition: ConditionArg) -> anyhow::Result<nmjscope::Study> {
    let sample = nmjscope::samples::of_condition(condition.into());
    let mut study = sample.study()?;
    study.id = format!("demo-{}", sample.name);
    Ok(study)
}

/// `nmjscope samples [NAME] --out DIR`.
fn samples(args: SamplesArgs) -> anyhow::Result<()> {
    let one = match &args.name {
        Some(name) => Some(
            nmjscope::samples::find(name)
                .with_context(|| format!("no built-in sample is named {name:?}"))?,
        ),
        None => None,
    };
    nmjscope::samples::write(&args.out, one)
        .with_context(|| format!("writing the samples to {}", args.out.display()))?;
    let out = args.out.display();
    say(&match one {
        Some(sample) => format!(
            "wrote the {} sample ({} files) to {out}; analyse it with `nmjscope analyze {out}`",
            sample.name,
            sample.files.len()
        ),
        None => format!(
            "wrote the samples ({}) and their README.md to {out}; analyse one with `nmjscope analyze {out}/mg`, or all with `nmjscope batch {out} --out DIR`",
            nmjscope::samples::ALL.map(|s| s.name).join(", ")
        ),
    });
    Ok(())
}

fn batch(args: BatchArgs) -> anyhow::Result<()> {
    batch_of(args, &|_| true)
}

/// `batch`, of the studies under its root that `keep` keeps (`nmjscope
/// bids ... group --participant-label`).
pub(crate) fn batch_of(args: BatchArgs, keep: &dyn Fn(&Path) -> bool) -> anyhow::Result<()> {
    let settings = args.settings.settings()?;
    let archive = nmjscope::batch::survey_archive(&args.root)
        .with_context(|| format!("listing studies under {}", args.root.display()))?;
    for (folder, held) in &archive.passed_over {
        say(&format!("note: not scored in {}: {held}", folder.display()));
    }
    let mut studies = archive.studies;
    studies.retain(|s| keep(s));
    let in_archive = studies.len();
    if let Some(shard) = args.shard {
        studies.retain(|s| nmjscope::batch::in_shard(&args.root, s, shard));
    }
    let previous = if args.resume {
        nmjscope::batch::Previous::load(&args.out, &args.root)?
    } else {
        nmjscope::batch::Previous::default()
    };
    let rules = nmjscope::batch::OutputRules {
        force: args.force,
        resume: args.resume,
        shard: args.shard,
        can_resume: true,
        root: Some(args.root.clone()),
        studies: studies.len(),
        run: nmjscope::batch::RunInfo {
            command: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            settings: Some(settings.clone()),
            read_options: None,
            in_archive,
            reports: args.reports,
        },
    };
    // An archive with no study (unmounted, mistyped) writes nothing: an
    // empty output would pass for a shard that found none.
    if in_archive == 0 {
        return Err(crate::Exit::new(
            4,
            format!(
                "no study found under {}; nothing written",
                args.root.display()
            ),
        )
        .into());
    }
    let mut rules = rules;
    let bar = crate::progress::bar(studies.len() as u64, args.quiet);
    let mut options = args.read.options()?;
    if let Some(dir) = &args.markers {
        if !dir.is_dir() {
            return Err(nmjscope::Error::MarkersFile {
                at: nmjscope::Location::file(dir),
                detail: "batch takes a folder of markers files laid out as ROOT".into(),
            }
            .into());
        }
        options.markers = Some(nmjscope::io::MarkersDir::for_archive(dir, &args.root));
    }
    // Before any output is begun: a record file's [muscle] and [file]
    // sections describe one study.
    if let Some(record) = &options.record {
        record.check_for_batch()?;
    }
    rules.run.read_options = Some(format!("{options:?}"));
    let job = nmjscope::batch::BatchJob {
        settings: &settings,
        options: &options,
        threads: args.jobs.map(usize::from),
        previous: &previous,
    };
    // Each study is written as soon as it and those before it are done;
    // the results replace --out only when all are written, so a failed
    // write leaves the previous results whole.
    let mut writer = nmjscope::batch::ResultsWriter::begin(&args.out, rules)
        .with_context(|| format!("writing batch results to {}", args.out.display()))?;
    let progress = |p: nmjscope::batch::Progress<'_>| {
        bar.set_position(p.done as u64);
        if p.failed {
            let failed = format!("failed: {}", p.path.display());
            bar.println(nmjscope::error::printable(&failed));
        }
    };
    let (root, per_study) = (&args.root, args.reports);
    job.run_each(
        &studies,
        &progress,
        &|item| nmjscope::batch::Prepared::of(root, item, per_study),
        &mut |_, prepared| writer.push(prepared),
    )
    .with_context(|| format!("writing batch results to {}", args.out.display()))?;
    let counts = writer
        .finish()
        .with_context(|| format!("writing batch results to {}", args.out.display()))?;
    bar.finish_and_clear();
    batch_outcome(&args, counts, in_archive)
}

/// What the run says at the end, and its exit status: 0 when every study
/// was scored (or a shard holds none of an archive's studies: a clean
/// run), 3 when some failed, 4 when the archive holds none.
fn batch_outcome(
    args: &BatchArgs,
    counts: nmjscope::batch::Counts,
    in_archive: usize,
) -> anyhow::Result<()> {
    let failed = counts.failed;
    say(&format!(
        "{} studies scored, {} failed (listed in {}/summary.csv){}",
        counts.studies - failed,
        failed,
        args.out.display(),
        if args.resume {
            format!(
                "; {} re-used unchanged from the previous run",
                counts.resumed
            )
        } else {
            String::new()
        }
    ));
    // Shards split an archive by a hash of each study's path: a small
    // archive can leave one empty, and its run is whole.
    if let (0, Some((i, n))) = (counts.studies, args.shard) {
        if in_archive > 0 {
            say(&format!(
                "shard {i}/{n} holds none of the archive's {in_archive} studies; its output records that (run.json)"
            ));
            return Ok(());
        }
    }
    if counts.studies == 0 {
        return Err(
            crate::Exit::new(4, format!("no study found under {}", args.root.display())).into(),
        );
    }
    if failed > 0 {
        return Err(crate::Exit::new(
            3,
            format!(
                "{failed} of {} studies failed; their errors are in {}/summary.csv",
                counts.studies,
                args.out.display()
            ),
        )
        .into());
    }
    Ok(())
}

fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let command = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let counts = nmjscope::batch::merge(&args.parts, &args.out, args.force, command)
        .with_context(|| format!("merging into {}", args.out.display()))?;
    say(&format!(
        "{} shard output{} ({} studies) merged into {}",
        args.parts.len(),
        if args.parts.len() == 1 { "" } else { "s" },
        counts.studies,
        args.out.display()
    ));
    Ok(())
}

/// Writes the report set; with a `browser` (`--pdf`), its HTML report
/// printed to `report.pdf` joins the set before it is written, so the PDF
/// is guarded, listed and replaced like every other file of the set.
fn write_report_set(analysis: &Analysis, dir: &Path, browser: Option<&Path>) -> anyhow::Result<()> {
    let mut files = render::analysis_set(analysis)?;
    if let Some(browser) = browser {
        let html = files
            .iter()
            .find(|(name, _)| name == Format::Html.file_name())
            .map(|(_, bytes)| bytes.as_slice())
            .unwrap_or_default();
        let pdf = crate::pdf::print(browser, html).context("printing report.pdf")?;
        files.push(("report.pdf".to_string(), pdf));
    }
    write_set(dir, &files, "report")
        .with_context(|| format!("writing the report set to {}", dir.display()))?;
    Ok(())
}
