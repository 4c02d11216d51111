#!/usr/bin/env bash
# Times `nmjscope batch` against the Python peer (shared/bench/peer_numpy.py)
# on an archive of 60 simulated studies (20 normal, 20 MG, 20 LEMS).
# usage: scripts/bench_batch.sh [RUNS]   (needs python3 with numpy for the peer)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=target/release/nmjscope
peer=../shared/bench/peer_numpy.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 60); do
  case $((i % 3)) in 0) c=normal;; 1) c=mg;; *) c=lems;; esac
  "$bin" simulate --study "$work/arch/s$(printf %03d "$i")" --condition "$c" --severity 0.9 --seed "$i" 2>/dev/null
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))
  done | median
}
one=$(timeit "$bin" batch "$work/arch" --out "$work/o1" --jobs 1 -q)
two=$(timeit "$bin" batch "$work/arch" --out "$work/o2" --jobs 2 -q)
echo "nmjscope batch, 60 studies: ${one} ms (1 job), ${two} ms (2 jobs) - median of $runs"
if [ -f "$peer" ] && python3 -c "import numpy" 2>/dev/null; then
  py=$(timeit python3 "$peer" batch "$work/arch" "$work/peer.csv")
  echo "numpy peer batch, 60 studies: ${py} ms - median of $runs"
  python3 "$peer" batch "$work/arch" "$work/peer.csv"
  echo "peer patterns:     $(cut -d, -f2 "$work/peer.csv" | tail -n +2 | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
  echo "nmjscope patterns: $(cut -d, -f4 "$work/o1/summary.csv" | tail -n +2 | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
else
  echo "numpy peer not run (python3 with numpy and $peer needed)"
fi
