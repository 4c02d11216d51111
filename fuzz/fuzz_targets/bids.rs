//! Raw bytes as a BIDS run's sidecars (`_channels.tsv`, `_events.tsv`,
//! `_emg.json`, split at `\n\0\n`) beside a real EDF recording
//! (`docs/bids.md`): whatever the bytes, the session is refused with an
//! error that names a file, or read and analysed, never a panic or a
//! hang.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nmjscope::pipeline::Analyzer;
use nmjscope::ReadOptions;

/// A simulated 3 Hz train as the EDF `simulate --bids` writes, made once.
fn edf() -> &'static [u8] {
    static EDF: OnceLock<Vec<u8>> = OnceLock::new();
    EDF.get_or_init(|| {
        let sim = nmjscope::simulate::simulate_test(&nmjscope::simulate::SimConfig::default())
            .expect("the default simulation");
        let t = nmjscope::io::write_edf::timeline(&sim.recording);
        nmjscope::io::write_edf::edf_bytes(&t, "ADM").expect("a whole-hertz rate")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(3).position(|w| w == b"\n\0\n") {
        parts.push(rest[..i].to_vec());
        rest = &rest[i + 3..];
    }
    parts.push(rest.to_vec());
    let emg = Path::new("/d/sub-01/emg");
    let base = "sub-01_task-rns3hz";
    let mut files = vec![(emg.join(format!("{base}_emg.edf")), edf().to_vec())];
    for (part, name) in parts.into_iter().zip(["channels.tsv", "events.tsv", "emg.json"]) {
        files.push((emg.join(format!("{base}_{name}")), part));
    }
    let session = Path::new("/d/sub-01");
    match nmjscope::io::bids::parse_session(session, Path::new("/d"), &files, &ReadOptions::default()) {
        Ok(study) => {
            assert_eq!(study.id, "sub-01");
            let _ = Analyzer::default().analyze_with_display(&study);
        }
        Err(e) => {
            let at = e.location().map(|l| l.path).unwrap_or_default();
            assert!(
                files.iter().any(|(f, _)| *f == at) || at == PathBuf::new(),
                "an error naming no file of the session: {e}"
            );
        }
    }
});
