#!/usr/bin/env bash
# Runs the cargo-fuzz targets, seeded from samples/ (needs the nightly
# toolchain and `cargo install cargo-fuzz`).
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(read_analyze_render structured)
mkdir -p corpus/read_analyze_render corpus/structured
for f in ../samples/*/*.csv; do
  cp "$f" "corpus/read_analyze_render/$(basename "$(dirname "$f")")_$(basename "$f")"
done
for t in "${targets[@]}"; do
  # -a: debug assertions, so an arithmetic overflow is a crash too.
  cargo +nightly fuzz run -O -a "$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=20 -print_final_stats=1 2>&1 | tail -25 > "fuzz-$t.log" &
done
wait
tail -n 25 fuzz-*.log
