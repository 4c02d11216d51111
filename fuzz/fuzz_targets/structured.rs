//! Valid files with extreme steps, values and settings: the generator
//! writes a well-formed wide file (metadata, header, a uniform time axis)
//! from arbitrary numbers, so the fuzzer spends its time in conditioning,
//! measurement and interpretation rather than in the tokeniser.
#![no_main]

use std::fmt::Write;
use std::path::Path;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nmjscope::pipeline::Analyzer;
use nmjscope::render::{self, Format};
use nmjscope::{ReadOptions, Settings, Study};

#[derive(Debug, Arbitrary)]
struct Input {
    protocol: u8,
    rate_hz: f64,
    dt_ms: f64,
    t0_ms: f64,
    samples: u16,
    responses: u8,
    /// Sample values, cycled over every response (scaled per response).
    values: Vec<f32>,
    scales: Vec<f32>,
    decrement_pct: f64,
    decrement_response: u8,
    smoothing_ms: f64,
    settle_window_ms: f64,
    artifact_max_ms: f64,
    filter: bool,
    highpass_hz: f64,
    lowpass_hz: f64,
}

fn file(input: &Input) -> String {
    let protocol = ["rns", "hfrns", "exercise"][usize::from(input.protocol % 3)];
    let n = usize::from(input.samples % 4000).max(1);
    let responses = usize::from(input.responses % 60).max(1);
    let mut s = format!(
        "# protocol: {protocol}\n# stim_rate_hz: {}\n",
        input.rate_hz
    );
    s.push_str("time_ms");
    for r in 0..responses {
        match (protocol, r) {
            ("exercise", 0) => s.push_str(",pre"),
            ("exercise", _) => write!(s, ",post_{}s", r * 10).unwrap_or(()),
            _ => write!(s, ",r{}", r + 1).unwrap_or(()),
        }
    }
    s.push('\n');
    for i in 0..n {
        write!(s, "{}", input.t0_ms + i as f64 * input.dt_ms).unwrap_or(());
        for r in 0..responses {
            let v = input
                .values
                .get(i % input.values.len().max(1))
                .copied()
                .unwrap_or(0.0);
            let k = input
                .scales
                .get(r % input.scales.len().max(1))
                .copied()
                .unwrap_or(1.0);
            write!(s, ",{}", v * k).unwrap_or(());
        }
        s.push('\n');
    }
    s
}

fn settings(input: &Input) -> Settings {
    let mut s = Settings::default();
    s.interpret.decrement_abnormal_pct = input.decrement_pct;
    s.train.decrement_response = usize::from(input.decrement_response);
    s.measure.smoothing_ms = input.smoothing_ms;
    s.signal.settle_window_ms = input.settle_window_ms;
    s.signal.artifact_max_ms = input.artifact_max_ms;
    s.signal.filter.enabled = input.filter;
    s.signal.filter.highpass_hz = Some(input.highpass_hz);
    s.signal.filter.lowpass_hz = Some(input.lowpass_hz);
    s
}

fuzz_target!(|input: Input| {
    let text = file(&input);
    let Ok(recording) = nmjscope::io::parse_trace(
        Path::new("fuzz.csv"),
        text.as_bytes(),
        &ReadOptions::default(),
    ) else {
        return;
    };
    // Out-of-range settings are refused; in-range ones must analyse.
    let analyzer = Analyzer::new(settings(&input)).unwrap_or_default();
    let study = Study {
        id: "fuzz".to_string(),
        path: "fuzz".into(),
        tests: vec![recording],
        jitter: None,
    };
    if let Ok(analysis) = analyzer.analyze_with_display(&study) {
        for format in Format::ALL {
            let _ = render::serialize(format, &analysis.report, &[]);
        }
    }
});
