#!/usr/bin/env bash
# Times `nmjscope batch` on BIDS-EMG datasets (EDF) against the decode
# floor (examples/decode_floor.rs: every sample of every signal of every
# EDF turned into a physical value, nothing else), in one run, on N
# simulated three-test studies a cohort (normal, MG and LEMS: 3N studies,
# each a 3 Hz train, an exercise test recorded for 75 s, a 50 Hz train;
# 20 kHz; the muscle's channel and a trigger channel).
# usage: scripts/bench_edf.sh [N=100] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
runs=${2:-3}
cargo build --release --quiet
cargo build --release --quiet --example decode_floor
bin=target/release/nmjscope
floor=target/release/examples/decode_floor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in normal mg lems; do
  "$bin" simulate --cohort "$c" --n "$n" --seed 11 --bids "$work/data/$c" 2>/dev/null
done
echo "corpus: $((3 * n)) studies in 3 datasets, $(du -sh "$work/data" | cut -f1) of EDF and sidecars"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {
  local log=$1
  shift
  /usr/bin/env time -a -o "$log" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
}
batches() {
  for c in normal mg lems; do
    "$bin" batch "$work/data/$c" --out "$work/out-$c" --jobs 2 -q --force || true
  done
}
export -f batches
export bin work
# Round 0 warms the page cache and is not counted; each round then runs
# both in turn, so drifting load falls on each alike.
for round in $(seq 0 "$runs"); do
  [ "$round" = 1 ] && : > "$work/batch.log" && : > "$work/floor.log"
  run "$work/batch.log" bash -c batches
  run "$work/floor.log" "$floor" "$work/data" 2
done
stats() {
  local wall cpu
  wall=$(awk '{printf "%d\n", $1 * 1000}' "$1" | median)
  cpu=$(awk '{printf "%d\n", ($2 + $3) * 1000}' "$1" | median)
  echo "$wall $cpu"
}
read -r b b_cpu < <(stats "$work/batch.log")
read -r f f_cpu < <(stats "$work/floor.log")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
echo "nmjscope batch, 2 jobs: ${b} ms wall, ${b_cpu} ms CPU"
echo "decode floor, 2 threads: ${f} ms wall, ${f_cpu} ms CPU ($("$floor" "$work/data" 2))"
echo "nmjscope/floor: wall $(ratio "$b" "$f"), CPU $(ratio "$b_cpu" "$f_cpu")"
