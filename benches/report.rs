//! Writing every plot and report of a 3-test study (target: under 200 ms).

use criterion::{criterion_group, criterion_main, Criterion};
use nmjscope::pipeline::Analyzer;
use nmjscope::{analyze_study, read_study, render, ReadOptions, Settings};

fn report_set(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/lems");
    let study = read_study(dir.as_ref(), &ReadOptions::default()).unwrap();
    let analysis = Analyzer::default().analyze_with_display(&study).unwrap();
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("report_set_3_tests", |b| {
        b.iter(|| render::report_set(&analysis.report, &analysis.displays).unwrap())
    });
    group.bench_function("analyze_3_tests", |b| {
        b.iter(|| analyze_study(&study, &Settings::default()).unwrap())
    });
    // Reading included, as the Python peer's in-process figure includes it.
    group.bench_function("read_and_analyze_3_tests", |b| {
        b.iter(|| {
            let s = read_study(dir.as_ref(), &ReadOptions::default()).unwrap();
            analyze_study(&s, &Settings::default()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, report_set);
criterion_main!(benches);
