#!/usr/bin/env bash
# Times `nmjscope batch` against the parse floor (examples/parse_floor.rs:
# the csv crate reading every field as f64, nothing else) and the numpy peer
# (../shared/bench/peer_numpy.py), in one run, on N simulated three-test
# studies (a 3 Hz train of 10, the pre/post-exercise series, a 50 Hz train
# of 50 recorded without pre-stimulus samples, as many machines export it;
# 20 kHz; normal, MG and LEMS in turn).
# usage: scripts/bench_batch.sh [N=1000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-3}
cargo build --release --quiet
cargo build --release --quiet --example parse_floor
bin=target/release/nmjscope
floor=target/release/examples/parse_floor
peer=../shared/bench/peer_numpy.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# NMJSCOPE_BENCH_CORPUS=DIR keeps the corpus there and re-uses it.
arch=${NMJSCOPE_BENCH_CORPUS:-$work/arch}
make_study() {
  local i=$1 c s
  case $((i % 3)) in 0) c=normal;; 1) c=mg;; *) c=lems;; esac
  s="$arch/s$(printf %05d "$i")"
  [ -f "$s/3_hfrns_50hz.csv" ] && return 0
  "$bin" simulate --study "$s" --condition "$c" --severity 0.9 --seed "$i" 2>/dev/null
  "$bin" simulate --protocol hfrns --pre-stimulus-ms 0 --condition "$c" --severity 0.9 \
    --seed "$i" -o "$s/3_hfrns_50hz.csv"
}
export -f make_study
export arch bin
seq 1 "$n" | xargs -P "$(nproc)" -I{} bash -c 'make_study {}'
echo "corpus: $n studies, $(du -sh "$arch" | cut -f1)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# "wall_ms cpu_ms", each the median of $runs runs (exit status 3, some
# studies failed, is still a finished run).
stats() {
  local wall cpu
  wall=$(awk '{printf "%d\n", $1 * 1000}' "$1" | median)
  cpu=$(awk '{printf "%d\n", ($2 + $3) * 1000}' "$1" | median)
  echo "$wall $cpu"
}
# Appends one run's "wall user sys" to the log $1.
run() {
  local log=$1
  shift
  /usr/bin/env time -a -o "$log" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
}
timeit() {
  : > "$work/time.log"
  for _ in $(seq "$runs"); do run "$work/time.log" "$@"; done
  stats "$work/time.log"
}
rate() { awk -v n="$n" -v ms="$1" 'BEGIN {printf "%.0f studies/s", n / (ms / 1000)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
# Round 0 warms the page cache and is not counted; then each round runs
# all three in turn, so load that drifts during the script falls on each
# alike (one after the other, a ratio moved by 10% between runs).
for round in $(seq 0 "$runs"); do
  [ "$round" = 1 ] && : > "$work/two.log" && : > "$work/one.log" && : > "$work/floor.log"
  run "$work/two.log" "$bin" batch "$arch" --out "$work/o2" --jobs 2 -q --force
  run "$work/one.log" "$bin" batch "$arch" --out "$work/o1" --jobs 1 -q --force
  run "$work/floor.log" "$floor" "$arch" 2
done
read -r two two_cpu < <(stats "$work/two.log")
read -r one one_cpu < <(stats "$work/one.log")
read -r fl fl_cpu < <(stats "$work/floor.log")
echo "nmjscope batch, 2 jobs: ${two} ms wall, ${two_cpu} ms CPU ($(rate "$two"))"
echo "nmjscope batch, 1 job:  ${one} ms wall, ${one_cpu} ms CPU ($(rate "$one"))"
echo "parse floor, 2 threads: ${fl} ms wall, ${fl_cpu} ms CPU ($(rate "$fl"))"
echo "nmjscope/floor: wall $(ratio "$two" "$fl"), CPU $(ratio "$two_cpu" "$fl_cpu")"
if [ -f "$peer" ] && python3 -c "import numpy" 2>/dev/null; then
  read -r py py_cpu < <(timeit python3 "$peer" batch "$arch" "$work/peer.csv")
  echo "numpy peer, 1 process:  ${py} ms wall, ${py_cpu} ms CPU ($(rate "$py")); peer/nmjscope wall $(ratio "$py" "$two")"
else
  echo "numpy peer not run (python3 with numpy and $peer needed)"
fi
# Memory: peak RSS over the whole archive and over a tenth of it (studies
# linked, not copied, into a smaller archive).
mkdir -p "$work/tenth"
mapfile -t dirs < <(find "$arch" -mindepth 1 -maxdepth 1 -type d | sort)
for d in "${dirs[@]:0:$(( (n + 9) / 10 ))}"; do cp -al "$d" "$work/tenth/"; done
rss() { /usr/bin/env time -f "%M" "$bin" batch "$1" --out "$2" --jobs 2 -q --force 2>&1 >/dev/null | tail -1; }
big=$(rss "$arch" "$work/o3")
small=$(rss "$work/tenth" "$work/o4")
echo "peak RSS: ${big} KB for $n studies, ${small} KB for $(( (n + 9) / 10 )); ratio $(ratio "$big" "$small")"
