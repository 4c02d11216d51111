//! Raw bytes as a jitter study's files (split at `\n\0\n`): each an
//! interval list or a pair's sweeps (`docs/jitter.md`). Whatever the
//! bytes, the study is refused with an error that names a file, or read,
//! measured, judged and written (text, JSON, CSV, HTML), never a panic or
//! a hang. Beside a CMAP test, the same files are a study, joined to its
//! reading and written.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use nmjscope::ReadOptions;

fuzz_target!(|data: &[u8]| {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(3).position(|w| w == b"\n\0\n") {
        parts.push(rest[..i].to_vec());
        rest = &rest[i + 3..];
    }
    parts.push(rest.to_vec());
    let files: Vec<(PathBuf, Vec<u8>)> = parts
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| (PathBuf::from(format!("f{i}.csv")), bytes))
        .collect();
    match nmjscope::io::jitter::parse_jitter(&files, &ReadOptions::default()) {
        Err(e) => {
            let at = e.location().map(|l| l.path.display().to_string()).unwrap_or_default();
            assert!(at.starts_with('f') || at.is_empty() || at.starts_with('<'), "{e}");
        }
        Ok(input) => {
            let a = nmjscope::pipeline::jitter::analyze_jitter(&input, None, &nmjscope::Settings::default())
                .expect("default settings");
            let _ = nmjscope::render::jitter::jitter_text(&a.report);
            let _ = nmjscope::render::jitter::jitter_json(&a.report);
            let _ = nmjscope::render::jitter::jitter_csv(&a.report);
            let _ = nmjscope::render::jitter::jitter_html(&a.report, &[]);
        }
    }
    // Beside a CMAP test the same files are a study: joined to its
    // reading, judged and written, or refused naming a file.
    let mut study = files;
    study.push((
        PathBuf::from("cmap.csv"),
        include_bytes!("../../samples/normal/1_rns_3hz.csv").to_vec(),
    ));
    let at = std::path::Path::new("fuzz-study");
    if let Ok(studies) = nmjscope::io::parse_study_groups(at, &study, &ReadOptions::default()) {
        for s in studies {
            if let Ok(a) = nmjscope::pipeline::Analyzer::default().analyze_with_display(&s) {
                for format in nmjscope::render::Format::ALL {
                    let _ = nmjscope::render::serialize(format, &a.report, &[]);
                }
            }
        }
    }
});
