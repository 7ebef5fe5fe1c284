"""Benchmark (docs/performance.md, "Python and Dask"): a 64-point × 1,000-run Greenland sweep,
`statecraft sweep run` on one machine (all cores, one process) vs statecraft.dask.sweep on a
LocalCluster of 2 worker processes × 1 thread. One measurement each (not a loop); prints both
wall times, the ratio, and checks the merged CSVs are byte-identical.

    target/pyenv/bin/python crates/statecraft-py/bench/dask_vs_cli.py [RUNS]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import statecraft
import statecraft.dask

REPO = Path(__file__).resolve().parents[3]
BIN = REPO / "target" / "release" / "statecraft"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    grid = {"stance.us.mil_rights.position": [30, 40, 50, 60, 70, 80, 90, 100],
            "crisis.ally.uk.alignment": [-0.9, -0.6, -0.3, 0.0, 0.2, 0.4, 0.6, 0.9]}
    plan = statecraft.sweep_plan("greenland-2026", grid, runs=runs, seed=1)
    with tempfile.TemporaryDirectory() as d:
        m = Path(d) / "sweep.json"
        plan.write(m)
        t0 = time.perf_counter()
        subprocess.run([str(BIN), "sweep", "run", str(m), "--shard", "0", "--of", "1", "--out",
                        f"{d}/r"], check=True, capture_output=True)
        subprocess.run([str(BIN), "sweep", "reduce", f"{d}/r", "-o", f"{d}/cli.csv"], check=True,
                       capture_output=True)
        cli = time.perf_counter() - t0
        cli_csv = Path(f"{d}/cli.csv").read_text()

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as c:
        t0 = time.perf_counter()
        res = statecraft.dask.sweep(plan, c, threads=1)
        dk = time.perf_counter() - t0
    same = res.csv == cli_csv
    print(f"{plan.points} points x {runs} runs: CLI {cli:.1f} s, Dask (2 workers) {dk:.1f} s, "
          f"ratio Dask/CLI {dk / cli:.2f}; merged CSV identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
