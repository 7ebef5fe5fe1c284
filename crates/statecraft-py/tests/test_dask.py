"""Dask: a sweep on a LocalCluster of 2 worker processes equals `statecraft sweep` byte for
byte, also when a worker is killed (SIGKILL) while it runs a shard."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

import statecraft
import statecraft.dask
from conftest import run_cli

distributed = pytest.importorskip("distributed")

GRID = {"stance.us.mil_rights.position": [40, 65, 90], "crisis.ally.uk.alignment": [-0.5, 0.5]}
RUNS = 150
SEED = 11


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory, cli: Path) -> Path:
    d = tmp_path_factory.mktemp("sweep")
    args = []
    for k, v in GRID.items():
        args += ["--grid", f"{k}={','.join(str(x) for x in v)}"]
    run_cli(cli, "sweep", "plan", "greenland-2026", *args, "--runs", str(RUNS), "--seed",
            str(SEED), "-o", str(d / "sweep.json"))
    return d / "sweep.json"


@pytest.fixture(scope="module")
def cli_merged(manifest: Path, cli: Path) -> str:
    """`statecraft sweep run` (2 shards) + `statecraft sweep reduce` on one machine."""
    out = manifest.parent / "results"
    for i in range(2):
        run_cli(cli, "sweep", "run", str(manifest), "--shard", str(i), "--of", "2", "--out",
                str(out))
    run_cli(cli, "sweep", "reduce", str(out), "-o", str(manifest.parent / "merged.csv"),
            "--manifest", str(manifest))
    return (manifest.parent / "merged.csv").read_text()


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=0) as cluster, Client(cluster) as c:
        yield c


def test_python_plan_equals_cli_manifest(manifest: Path):
    plan = statecraft.sweep_plan("greenland-2026", GRID, runs=RUNS, seed=SEED)
    assert plan.manifest == manifest.read_text()
    assert plan.points == 6


def test_dask_sweep_equals_cli_reduce(client, manifest: Path, cli_merged: str):
    res = statecraft.dask.sweep(manifest, client, retries=3)
    assert res.csv == cli_merged
    assert res.shards == 6
    t = res.table
    assert list(t["point"]) == list(range(6))
    # Other layouts give the same bytes: shards are round-robin, rows depend on the point only.
    assert statecraft.dask.sweep(statecraft.SweepPlan.read(manifest), client,
                                 shards=4).csv == cli_merged


def test_dask_sweep_survives_a_killed_worker(client, manifest: Path, cli_merged: str):
    pids = client.run(os.getpid)
    box: dict[str, object] = {}

    def go():
        try:
            box["res"] = statecraft.dask.sweep(manifest, client, retries=3, shards=6)
        except BaseException as e:  # pragma: no cover - reported below
            box["err"] = e

    th = threading.Thread(target=go)
    th.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and th.is_alive():
        busy = {w: ks for w, ks in client.processing().items()
                if any(str(k).startswith("statecraft-shard-") for k in ks)}
        if busy:
            w = sorted(busy)[0]
            time.sleep(0.2)  # well inside a shard of 150 Greenland runs
            os.kill(pids[w], signal.SIGKILL)
            killed = w
        else:
            time.sleep(0.02)
    th.join(timeout=600)
    assert killed is not None, "no shard was ever seen running: nothing was killed"
    assert "err" not in box, box.get("err")
    assert box["res"].csv == cli_merged
    # The killed worker is gone from the scheduler (its nanny started a new process).
    deadline = time.monotonic() + 60
    while killed in client.scheduler_info()["workers"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert killed not in client.scheduler_info()["workers"]


def test_damaged_manifest_is_refused(client, manifest: Path, tmp_path: Path):
    bad = manifest.read_text().replace('"seed": 11', '"seed": 12', 1)
    assert bad != manifest.read_text()
    # The seed is outside the hash, so the manifest still loads; a hash edit does not.
    bad2 = manifest.read_text().replace('"scenario_hash": "', '"scenario_hash": "0', 1)
    with pytest.raises(statecraft.InputError, match="hash"):
        statecraft.dask.sweep(bad2, client)
    with pytest.raises(statecraft.InputError, match="shards"):
        statecraft.dask.sweep(manifest, client, shards=7)
