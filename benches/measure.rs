//! Conditioning plus measurement of a 10-response train at 20 kHz, and the
//! simulation of a whole study.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nmjscope::measure::Measurer;
use nmjscope::simulate::{simulate_study, Condition, SimConfig};
use nmjscope::{io, ReadOptions, Settings};

fn measure_train(c: &mut Criterion) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/mg/1_rns_3hz.csv"
    ))
    .unwrap();
    let rec = io::parse_trace("t.csv".as_ref(), &bytes, &ReadOptions::default()).unwrap();
    let settings = Settings::default();
    let mut measurer = Measurer::new();
    let mut group = c.benchmark_group("measure");
    group.throughput(Throughput::Elements(rec.n_responses() as u64));
    group.bench_function("train_10x_20khz", |b| {
        b.iter(|| nmjscope::analyze_recording(&rec, &settings, &mut measurer))
    });
    let mut filtered = Settings::default();
    filtered.signal.filter.enabled = true;
    filtered.signal.filter.lowpass_hz = Some(3000.0);
    group.bench_function("train_10x_20khz_filtered", |b| {
        b.iter(|| nmjscope::analyze_recording(&rec, &filtered, &mut measurer))
    });
    group.finish();
}

fn simulate(c: &mut Criterion) {
    let config = SimConfig {
        condition: Condition::Lems,
        severity: 0.8,
        ..SimConfig::default()
    };
    c.bench_function("simulate_study", |b| {
        b.iter(|| simulate_study(&config).unwrap())
    });
}

criterion_group!(benches, measure_train, simulate);
criterion_main!(benches);
