"""Sweeps on a ``dask.distributed`` cluster.

:func:`sweep` maps the shards of a sweep manifest onto the cluster's workers and merges them with
the core's ``reduce`` (same manifest, same seeds, same checks as ``statecraft sweep``), so the
merged CSV is byte-for-byte what ``statecraft sweep run`` + ``statecraft sweep reduce`` write on
one machine. A shard's result depends only on the manifest and the shard's points, never on the
worker, so re-running a shard (a task that raised, or whose worker died) changes nothing.

Requires ``dask[distributed]`` (``pip install ./crates/statecraft-py[dask]``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import InputError, SweepPlan, _native

__all__ = ["SweepResult", "sweep"]


def _manifest(text: str) -> str:
    # A task (not scattered data) so the scheduler can recompute it if every worker holding it
    # dies: the text is in the graph once, on the scheduler.
    return text


def _run_shard(manifest: str, shard: int, of: int, threads: int | None) -> str:
    # Runs on a worker. The GIL is released inside; the text is the shard file's bytes.
    from statecraft import _native as native

    return native.sweep_run_shard(manifest, shard, of, threads)


class SweepResult:
    """A merged sweep: ``.csv`` (the text ``statecraft sweep reduce`` writes), ``.table`` (it as
    a DataFrame), ``.shards`` (how many tasks ran), :meth:`to_arrow` / :meth:`to_parquet`."""

    def __init__(self, csv: str, shards: int) -> None:
        self.csv = csv
        self.shards = shards

    @property
    def table(self):
        import pandas as pd

        return pd.read_csv(io.StringIO(self.csv), dtype={"scenario_hash": str,
                                                          "engine_version": str})

    def to_arrow(self):
        import pyarrow as pa

        return pa.Table.from_pandas(self.table, preserve_index=False)

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        import pyarrow.parquet as pq

        pq.write_table(self.to_arrow(), str(path))

    def write_csv(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(self.csv, encoding="utf-8")

    def __repr__(self) -> str:
        return f"<statecraft.dask.SweepResult {self.csv.count(chr(10)) - 1} points, {self.shards} shards>"


def _manifest_text(manifest_or_plan: Any) -> str:
    if isinstance(manifest_or_plan, SweepPlan):
        return manifest_or_plan.manifest
    if isinstance(manifest_or_plan, os.PathLike) or (
        isinstance(manifest_or_plan, str) and not manifest_or_plan.lstrip().startswith("{")
    ):
        return Path(manifest_or_plan).read_text(encoding="utf-8")
    if isinstance(manifest_or_plan, str):
        return manifest_or_plan
    raise TypeError("expected a SweepPlan, a manifest path or the manifest's JSON text")


def sweep(
    manifest_or_plan: SweepPlan | str | os.PathLike[str],
    client: Any,
    retries: int = 3,
    *,
    shards: int | None = None,
    threads: int | None = None,
) -> SweepResult:
    """Run a sweep on a ``dask.distributed.Client`` and merge it.

    ``manifest_or_plan``: a :class:`statecraft.SweepPlan`, a manifest file written by
    ``statecraft sweep plan``, or its JSON text. ``shards``: tasks to split it into (default:
    one per point, so a lost worker costs one point's work); shard ``i`` of ``n`` runs the
    points ``p`` with ``p mod n = i``, exactly as ``statecraft sweep run --shard i --of n``.
    ``retries``: how often a task that raised is re-run (a task whose worker *died* is
    re-scheduled by the scheduler itself, up to ``distributed.scheduler.allowed-failures``).
    ``threads``: engine threads per shard (default: all the worker machine's cores).

    The shard texts are merged by the core's ``reduce``, which checks that every point is
    present exactly once and that all shards come from this manifest.
    """
    text = _manifest_text(manifest_or_plan)
    points = _native.sweep_points(text)  # checks format, engine version and hash up front
    if shards is None:
        shards = points
    if not 1 <= shards <= points:
        raise InputError(f"shards = {shards}: need 1 ≤ shards ≤ {points} (the sweep's points)")
    if retries < 0:
        raise InputError("retries must be ≥ 0")
    tag = os.urandom(4).hex()
    m = client.submit(_manifest, text, key=f"statecraft-manifest-{tag}", pure=False)
    futures = client.map(
        _run_shard,
        [m] * shards,
        range(shards),
        [shards] * shards,
        [threads] * shards,
        retries=retries,
        pure=False,
        key=[f"statecraft-shard-{i:05}-of-{shards:05}-{tag}" for i in range(shards)],
    )
    texts: Sequence[str] = client.gather(futures)
    files = [(_native.shard_file_name(i, shards), t) for i, t in enumerate(texts)]
    merged = _native.sweep_reduce(files, text)
    return SweepResult(merged, shards)
