//! Raw bytes as a markers sidecar (`docs/markers.md`) beside a real train:
//! whatever the bytes, the study is refused with the sidecar's file and
//! line, or read, analysed and drawn with the marks, never a panic.
#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use nmjscope::pipeline::Analyzer;
use nmjscope::render::{self, Format};
use nmjscope::{Error, ReadOptions};

const TRAIN: &[u8] = include_bytes!("../../samples/mg/1_rns_3hz.csv");

fuzz_target!(|data: &[u8]| {
    let files = vec![
        (PathBuf::from("1_rns_3hz.csv"), TRAIN.to_vec()),
        (PathBuf::from("1_rns_3hz.csv.markers.toml"), data.to_vec()),
    ];
    let study = match nmjscope::parse_study(Path::new("mg"), &files, &ReadOptions::default()) {
        Ok(study) => study,
        Err(Error::MarkersFile { at, .. }) => {
            assert_eq!(at.path, Path::new("1_rns_3hz.csv.markers.toml"));
            return;
        }
        Err(e) => panic!("a sidecar refused as something else: {e}"),
    };
    let analysis = Analyzer::default()
        .analyze_with_display(&study)
        .expect("a read study with marks is analysed");
    for format in Format::ALL {
        let _ = render::serialize(format, &analysis.report, &[]);
    }
    if data.first().is_some_and(|b| b % 8 == 0) {
        let _ = render::report_set(&analysis.report, &analysis.displays);
    }
});
