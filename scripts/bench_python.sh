#!/usr/bin/env bash
# Times the same corpus through the Python package (nmjscope.batch, and a
# loop of nmjscope.analyze on a thread pool), through the command line
# (`nmjscope batch`), and through the numpy peer (../shared/bench/peer_numpy.py),
# in one run, medians of RUNS. The corpus is scripts/bench_batch.sh's
# (NMJSCOPE_BENCH_CORPUS=DIR re-uses one).
# usage: PYTHON=.venv/bin/python scripts/bench_python.sh [N=1000] [RUNS=3]
#   PYTHON must have the package installed (pip install ./python).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-3}
py=${PYTHON:-python3}
"$py" -c "import nmjscope" || { echo "install the package first: pip install ./python" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/nmjscope
peer=../shared/bench/peer_numpy.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
arch=${NMJSCOPE_BENCH_CORPUS:-$work/arch}
if [ ! -d "$arch" ] || [ "$(ls "$arch" | wc -l)" -lt "$n" ]; then
  NMJSCOPE_BENCH_CORPUS=$arch bash scripts/bench_batch.sh "$n" 1 >/dev/null
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {
  local log=$work/time.log
  : > "$log"
  for _ in $(seq "$runs"); do
    /usr/bin/env time -a -o "$log" -f "%e" "$@" >/dev/null 2>&1 || true
  done
  awk '{printf "%d\n", $1 * 1000}' "$log" | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
cli=$(timeit "$bin" batch "$arch" --out "$work/cli" --jobs 2 -q --force)
pyb=$(timeit "$py" -c "import nmjscope; nmjscope.batch('$arch', jobs=2, progress=False, out='$work/py')")
# In the interpreter, as a notebook runs it: the call alone, without
# Python's start and the imports of numpy and pandas (medians of RUNS).
inproc=$("$py" -c "
import nmjscope, os, time, statistics
from concurrent.futures import ThreadPoolExecutor
def batch():
    t = time.perf_counter(); nmjscope.batch('$arch', jobs=2, progress=False, out='$work/py2')
    return (time.perf_counter() - t) * 1000
def threads():
    folders = sorted(os.path.join('$arch', d) for d in os.listdir('$arch'))
    t = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda f: nmjscope.analyze(f).pattern, folders))
    return (time.perf_counter() - t) * 1000
print(int(statistics.median(batch() for _ in range($runs))), int(statistics.median(threads() for _ in range($runs))))
")
read -r pyb_in pyt_in <<< "$inproc"
echo "corpus: $n studies ($arch)"
echo "nmjscope batch (CLI), 2 jobs:          ${cli} ms"
echo "nmjscope.batch (Python process), 2 jobs: ${pyb} ms ($(ratio "$pyb" "$cli") the CLI; Python's start and imports included)"
echo "nmjscope.batch (in the interpreter):    ${pyb_in} ms ($(ratio "$pyb_in" "$cli") the CLI)"
echo "nmjscope.analyze on 2 Python threads:   ${pyt_in} ms ($(ratio "$pyt_in" "$cli") the CLI)"
if [ -f "$peer" ]; then
  peer_ms=$(runs=1 timeit python3 "$peer" batch "$arch" "$work/peer.csv")
  echo "numpy peer, 1 process:                  ${peer_ms} ms (peer/Python process $(ratio "$peer_ms" "$pyb"), peer/in-interpreter $(ratio "$peer_ms" "$pyb_in"))"
fi
