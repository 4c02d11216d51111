//! The decode floor for `scripts/bench_edf.sh`: reads every `*.edf` and
//! `*.bdf` under a folder and turns every sample of every signal into a
//! physical value (the header's digital-to-physical line, EDF's 16-bit or
//! BDF's 24-bit little-endian integers), on `--jobs` threads, and nothing
//! else: no checks, no annotations, no cutting. A batch of EDF studies
//! cannot be faster than this.
//!
//! usage: cargo run --release --example decode_floor -- ROOT [JOBS]

use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn signal_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            signal_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("edf") || e.eq_ignore_ascii_case("bdf"))
        {
            out.push(path);
        }
    }
}

/// A fixed-width header field as a number.
fn number(bytes: &[u8], at: usize, len: usize) -> f64 {
    std::str::from_utf8(&bytes[at..at + len])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Every sample of one file as a physical value, summed (so nothing is
/// optimised away), and their count.
fn decode(path: &Path) -> (usize, f64) {
    let Ok(bytes) = std::fs::read(path) else {
        return (0, 0.0);
    };
    if bytes.len() < 256 {
        return (0, 0.0);
    }
    let width = if bytes[0] == 0xff { 3 } else { 2 };
    let ns = number(&bytes, 252, 4) as usize;
    let field = |k: usize, len: usize, i: usize| 256 + ns * k + len * i;
    // Offsets of each per-signal field, as multiples of ns.
    let (pmin, pmax, dmin, dmax, spr) = (104, 112, 120, 128, 216);
    let scale: Vec<(f64, f64, usize)> = (0..ns)
        .map(|i| {
            let p0 = number(&bytes, field(pmin, 8, i), 8);
            let p1 = number(&bytes, field(pmax, 8, i), 8);
            let d0 = number(&bytes, field(dmin, 8, i), 8);
            let d1 = number(&bytes, field(dmax, 8, i), 8);
            let n = number(&bytes, field(spr, 8, i), 8) as usize;
            let gain = (p1 - p0) / (d1 - d0);
            (gain, p0 - d0 * gain, n)
        })
        .collect();
    let record: usize = scale.iter().map(|s| s.2 * width).sum();
    let data = &bytes[256 * (ns + 1)..];
    let (mut n, mut sum) = (0, 0.0);
    for rec in data.chunks_exact(record.max(1)) {
        let mut at = 0;
        for &(gain, offset, count) in &scale {
            for s in rec[at..at + count * width].chunks_exact(width) {
                let d = if width == 2 {
                    i32::from(i16::from_le_bytes([s[0], s[1]]))
                } else {
                    i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8
                };
                sum += f64::from(d) * gain + offset;
            }
            n += count;
            at += count * width;
        }
    }
    (n, sum)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(2);
    let mut files = Vec::new();
    signal_files(&root, &mut files);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .unwrap_or_else(|e| panic!("thread pool: {e}"));
    let (n, sum) = pool.install(|| {
        files
            .par_iter()
            .map(|f| decode(f))
            .reduce(|| (0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!("{} files, {n} samples, sum {sum:.3}", files.len());
}
