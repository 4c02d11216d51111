//! Raw bytes through the reader, the analysis and every writer: whatever
//! the bytes, the result is a report or an error, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nmjscope::pipeline::Analyzer;
use nmjscope::render::{self, Format};
use nmjscope::{ReadOptions, Study};

fuzz_target!(|data: &[u8]| {
    let Ok(recording) =
        nmjscope::io::parse_trace(Path::new("fuzz.csv"), data, &ReadOptions::default())
    else {
        return;
    };
    let study = Study {
        id: "fuzz".to_string(),
        path: "fuzz".into(),
        tests: vec![recording],
        jitter: None,
    };
    let Ok(analysis) = Analyzer::default().analyze_with_display(&study) else {
        return;
    };
    for format in Format::ALL {
        let _ = render::serialize(format, &analysis.report, &[]);
    }
    // Plots are slow to draw: one input in eight draws them all.
    if data.first().is_some_and(|b| b % 8 == 0) {
        let _ = render::report_set(&analysis.report, &analysis.displays);
    }
});
