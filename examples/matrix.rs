//! The recording-conditions matrix from the command line:
//!
//! - `cargo run --release --example matrix -- [SEEDS]` scores every cell
//!   over SEEDS draws (default 20) and prints the worst error per cell as a
//!   Markdown table, then the misses (`MATRIX_FILTER`, `MATRIX_SHOW`).
//! - `cargo run --release --example matrix -- show CELL SEED [RESPONSE]`
//!   prints one draw: its conditions, each response against its truth, and
//!   how one response was conditioned.

use nmjscope::measure::Measurer;
use nmjscope::signal::Conditioner;
use nmjscope::simulate::matrix::{cells, score_train, Score};
use nmjscope::{analyze_recording, Settings};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("show") {
        let n: Vec<u64> = args[1..].iter().filter_map(|s| s.parse().ok()).collect();
        show(n[0] as usize, n[1], n.get(2).map(|k| *k as usize));
        return;
    }
    let seeds = args.first().and_then(|s| s.parse().ok()).unwrap_or(20);
    score(seeds);
}

fn score(seeds: u64) {
    let settings = Settings::default();
    let mut measurer = Measurer::new();
    let mut total = Score::default();
    println!("cell | trains | responses | worst amp % | amp/allowance | onset ms | onset/allowance | area % | change pp | misses");
    println!("---|---:|---:|---:|---:|---:|---:|---:|---:|---:");
    for (i, cell) in cells().into_iter().enumerate() {
        let mut s = Score::default();
        for seed in 0..seeds {
            let draw = cell.draw(seed, false);
            let test = analyze_recording(&draw.recording(seed), &settings, &mut measurer);
            s.merge(&score_train(&draw, &test));
        }
        println!(
            "{i}: {cell} | {} | {} | {:.2} | {:.2} | {:.3} | {:.2} | {:.2} | {:.2} | {}",
            s.trains,
            s.responses,
            s.worst_amplitude_pct,
            s.worst_amplitude_use,
            s.worst_onset_ms,
            s.worst_onset_use,
            s.worst_area_pct,
            s.worst_change_pp,
            s.misses.len()
        );
        total.merge(&s);
    }
    eprintln!(
        "total: {} trains, {} responses, {} misses; worst amplitude {:.2}% ({:.2} of allowance), onset {:.3} ms ({:.2} of allowance), area {:.2}%, change {:.2} pp",
        total.trains,
        total.responses,
        total.misses.len(),
        total.worst_amplitude_pct,
        total.worst_amplitude_use,
        total.worst_onset_ms,
        total.worst_onset_use,
        total.worst_area_pct,
        total.worst_change_pp
    );
    let filter = std::env::var("MATRIX_FILTER").unwrap_or_default();
    let show = std::env::var("MATRIX_SHOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    for m in total
        .misses
        .iter()
        .filter(|m| m.contains(&filter))
        .take(show)
    {
        eprintln!("  {m}");
    }
}

fn show(index: usize, seed: u64, response: Option<usize>) {
    let cell = cells()[index];
    let draw = cell.draw(seed, std::env::var("MATRIX_OVERLAP").is_ok());
    let rec = draw.recording(seed);
    let s = Settings::default();
    println!(
        "{cell}, seed {seed}\n{:#?}\n{:?}",
        draw.conditions, draw.cmap
    );
    let t = analyze_recording(&rec, &s, &mut Measurer::new());
    for (k, (r, tr)) in t.responses.iter().zip(draw.truths()).enumerate() {
        println!(
            "r{:<3} amplitude {:8.4} (truth {:8.4})  onset {:6.3} (truth {:6.3})  {:?}",
            k + 1,
            r.amplitude_mv.unwrap_or(f64::NAN),
            tr.amplitude_mv,
            r.onset_ms.unwrap_or(f64::NAN),
            tr.onset_ms,
            r.flags
        );
    }
    // RESPONSE counts from 1, as the labels do.
    let Some(k) = response.and_then(|r| r.checked_sub(1)) else {
        return;
    };
    if k >= rec.n_responses() {
        eprintln!("the train has {} responses", rec.n_responses());
        return;
    }
    let invert = rec.polarity == nmjscope::model::Polarity::Inverted;
    let mut c = Conditioner::new();
    let (y, info) = c.condition(
        &s.signal,
        rec.trace(k).iter().copied(),
        rec.t0_ms,
        rec.dt_ms(),
        invert,
    );
    println!("{info:?}\n   t ms  conditioned       raw");
    for (i, v) in y.iter().enumerate().take(200) {
        println!("{:7.3} {:12.4} {:9.4}", rec.time_ms(i), v, rec.trace(k)[i]);
    }
}
