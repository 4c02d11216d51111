#!/usr/bin/env bash
# Times `nmjscope batch` against the parse floor (examples/parse_floor.rs:
# the csv crate reading every field as f64, nothing else) and the numpy peer
# (../shared/bench/peer_numpy.py), in one run, on N simulated three-test
# studies (a 3 Hz train of 10, the pre/post-exercise series, a 50 Hz train
# of 50; 20 kHz; normal, MG and LEMS in turn).
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
for i in $(seq 1 "$n"); do
  case $((i % 3)) in 0) c=normal;; 1) c=mg;; *) c=lems;; esac
  "$bin" simulate --study "$work/arch/s$(printf %05d "$i")" --condition "$c" --severity 0.9 --seed "$i" 2>/dev/null
done
echo "corpus: $n studies, $(du -sh "$work/arch" | cut -f1)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Wall time in ms, median of $runs (exit status 3, some studies failed, is
# still a finished run).
timeit() {
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
  done | median
}
rate() { awk -v n="$n" -v ms="$1" 'BEGIN {printf "%.0f studies/s", n / (ms / 1000)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
two=$(timeit "$bin" batch "$work/arch" --out "$work/o2" --jobs 2 -q)
one=$(timeit "$bin" batch "$work/arch" --out "$work/o1" --jobs 1 -q)
fl=$(timeit "$floor" "$work/arch" 2)
echo "nmjscope batch, 2 jobs: ${two} ms ($(rate "$two"))"
echo "nmjscope batch, 1 job:  ${one} ms ($(rate "$one"))"
echo "parse floor, 2 threads: ${fl} ms ($(rate "$fl")); nmjscope/floor $(ratio "$two" "$fl")"
if [ -f "$peer" ] && python3 -c "import numpy" 2>/dev/null; then
  py=$(timeit python3 "$peer" batch "$work/arch" "$work/peer.csv")
  echo "numpy peer, 1 process:  ${py} ms ($(rate "$py")); peer/nmjscope $(ratio "$py" "$two")"
else
  echo "numpy peer not run (python3 with numpy and $peer needed)"
fi
/usr/bin/env time -f "nmjscope batch peak RSS: %M KB" "$bin" batch "$work/arch" --out "$work/o3" --jobs 2 -q 2>&1 | tail -1 || true
