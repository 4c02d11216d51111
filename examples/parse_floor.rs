//! The parse floor for `scripts/bench_batch.sh`: reads every `*.csv` under
//! a folder with the `csv` crate and parses every data field as f64, on
//! `--jobs` threads, and nothing else. A batch cannot be faster than this
//! without a faster parser.
//!
//! usage: cargo run --release --example parse_floor -- ROOT [JOBS]

use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            csv_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "csv") {
            out.push(path);
        }
    }
}

/// Every numeric field of one file, summed (so nothing is optimised away).
fn parse(path: &Path) -> (usize, f64) {
    let Ok(bytes) = std::fs::read(path) else {
        return (0, 0.0);
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(bytes.as_slice());
    let (mut n, mut sum) = (0, 0.0);
    let mut record = csv::StringRecord::new();
    let mut header = true;
    while reader.read_record(&mut record).unwrap_or(false) {
        if std::mem::take(&mut header) {
            continue;
        }
        for field in record.iter() {
            if let Ok(v) = field.parse::<f64>() {
                n += 1;
                sum += v;
            }
        }
    }
    (n, sum)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(2);
    let mut files = Vec::new();
    csv_files(&root, &mut files);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .unwrap_or_else(|e| panic!("thread pool: {e}"));
    let (n, sum) = pool.install(|| {
        files
            .par_iter()
            .map(|f| parse(f))
            .reduce(|| (0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!("{} files, {n} values, sum {sum:.3}", files.len());
}
