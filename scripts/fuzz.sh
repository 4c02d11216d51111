#!/usr/bin/env bash
# Runs the cargo-fuzz targets, seeded from samples/ and the small format
# fixtures of tests/data/formats/ (EDF, BDF, CFWB, LabChart, Spike2;
# needs the nightly toolchain and `cargo install cargo-fuzz`).
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read_analyze_render structured markers bids jitter)
mkdir -p corpus/read_analyze_render corpus/structured corpus/markers corpus/bids corpus/jitter
# A BIDS run's sidecars, valid, split as the target splits them.
printf 'name\ttype\tunits\ttarget_muscle\tstatus\nADM\tEMG\tmV\tADM\tgood\nTrigger\tTRIG\tV\tn/a\tgood\n\n\0\nonset\tduration\ttrial_type\n1.0\t0.0002\tr1\n1.33335\t0.0002\tr2\n1.6667\t0.0002\tr3\n2.0\t0.0002\tr4\n\n\0\n{"SamplingFrequency": 20000, "TaskName": "rns3hz"}\n' \
  > corpus/bids/valid
# Jitter: an interval list, and a list beside a pair's sweeps (the
# target splits files at a line holding NUL).
printf '# nmjscope: jitter\n# muscle: EDC\n# method: voluntary\n# electrode: concentric\n# age: 45\npair,ipi_us,isi_ms\n1,812.4,98.2\n1,799.0,104.9\n1,blocked,101.0\n2,1204.7,\n2,1210.2,\n' \
  > corpus/jitter/list
{
  cat corpus/jitter/list
  printf '\n\0\n# method: stimulated\n# electrode: concentric\n# sampling_rate_hz: 50000\ntime_ms,r1,r2\n'
  for i in $(seq 0 99); do printf '%s,0.0,%s\n' "$(echo "scale=2; $i/50" | bc)" "$([ "$i" = 60 ] && echo -1.0 || echo 0.0)"; done
} > corpus/jitter/list_and_sweeps
# Markers sidecars: the examples of docs/markers.md and the tests' own.
for f in ../tests/data/markers/*.toml; do
  cp "$f" "corpus/markers/$(basename "$f")"
done
for f in ../samples/*/*.csv; do
  cp "$f" "corpus/read_analyze_render/$(basename "$(dirname "$f")")_$(basename "$f")"
done
# Fixtures under 64 KB: larger ones slow every mutation.
find ../tests/data/formats -type f -size -64k | while read -r f; do
  cp "$f" "corpus/read_analyze_render/formats_$(basename "$(dirname "$f")")_$(basename "$f")"
done
for t in "${targets[@]}"; do
  # -a: debug assertions, so an arithmetic overflow is a crash too.
  cargo +nightly fuzz run -O -a "$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=20 -print_final_stats=1 2>&1 | tail -25 > "fuzz-$t.log" &
done
wait
tail -n 25 fuzz-*.log
