"""Times a distributed batch (`nmjscope.batch_on` on a `dask.distributed`
LocalCluster of worker processes) against `nmjscope.batch` on the same
archive, and the cluster's own start and stop, in one run: the figures of
docs/cluster.md and docs/performance.md ("Run manifests and complete
merges").

usage: python scripts/bench_dask.py [N_STUDIES=200] [RUNS=3]
(needs the package and dask.distributed: pip install './python[test]';
the archive is simulated with target/release/nmjscope into a temporary
folder.)
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import distributed
import nmjscope

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "nmjscope"


def archive(folder: Path, n: int) -> None:
    for i in range(n):
        condition = ["normal", "mg", "lems"][i % 3]
        subprocess.run(
            [str(BIN), "simulate", "--study", str(folder / f"p{i:04d}"), "--condition", condition,
             "--severity", "0.5", "--seed", str(i)],
            check=True, capture_output=True,
        )


def median_s(run, runs: int) -> float:
    times = []
    for k in range(runs):
        t0 = time.perf_counter()
        run(k)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        archive(root, n)
        whole = median_s(lambda k: nmjscope.batch(root, progress=False, out=f"{tmp}/b{k}", jobs=2), runs)
        t0 = time.perf_counter()
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
            with distributed.Client(c) as client:
                started = time.perf_counter() - t0
                two = median_s(lambda k: nmjscope.batch_on(client, root, f"{tmp}/d{k}", shards=2), runs)
                eight = median_s(lambda k: nmjscope.batch_on(client, root, f"{tmp}/e{k}", shards=8), runs)
            t1 = time.perf_counter()
        stopped = time.perf_counter() - t1
        print(f"{n} studies, medians of {runs}: batch(jobs=2) {whole:.2f} s; "
              f"batch_on 2 shards {two:.2f} s, 8 shards {eight:.2f} s "
              f"({two / whole:.1f}x, {eight / whole:.1f}x); LocalCluster start {started:.2f} s, stop {stopped:.2f} s")


if __name__ == "__main__":  # worker processes import this file
    main()
