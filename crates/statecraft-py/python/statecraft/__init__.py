"""statecraft: Monte Carlo simulation of geopolitical crises, from Python.

The engine is the Rust core (``statecraft-core``) compiled into ``statecraft._native``; this
package only converts arguments and results (pandas DataFrames, Arrow tables). The numbers are the
CLI's: ``study(scenario, runs=N, seed=S)`` returns the same JSON as
``statecraft run SCENARIO --runs N --seed S --format json``.

>>> import statecraft
>>> scn = statecraft.builtin("greenland-2026")
>>> res = statecraft.study(scn, runs=500, seed=1)
>>> res.outcomes[["id", "p", "lo", "hi"]]            # doctest: +SKIP

Submodules: :mod:`statecraft.dask` (sweeps on a ``dask.distributed`` cluster) and
:mod:`statecraft.ema` (an EMA Workbench model of a scenario).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import _native
from ._native import InputError, ScenarioError

__all__ = [
    "InputError",
    "Scenario",
    "ScenarioError",
    "Study",
    "SweepPlan",
    "builtin",
    "builtins",
    "engine_version",
    "load",
    "run_batch",
    "study",
    "sweep_plan",
]

__version__ = _native.engine_version()

#: Default master seed of every preset (the core's ``plan::DEFAULT_SEED``).
DEFAULT_SEED: int
#: Runs per point of a sweep when none are given (the CLI's default ``--runs``).
DEFAULT_SWEEP_RUNS: int
#: Most Monte Carlo runs one job accepts unless ``max_runs`` raises it.
MAX_RUNS: int
DEFAULT_SEED, DEFAULT_SWEEP_RUNS, MAX_RUNS = _native.defaults()
#: The CLI's default ``--tolerance``.
DEFAULT_TOLERANCE = 0.05


def engine_version() -> str:
    """Version of the Rust engine (recorded in every study and sweep)."""
    return _native.engine_version()


def builtins() -> list[str]:
    """Names of the scenarios compiled into the engine."""
    return list(_native.builtin_names())


class Scenario:
    """A loaded, validated scenario. Create with :func:`load` or :func:`builtin`."""

    __slots__ = ("_native", "name")

    def __init__(self, native: Any, name: str) -> None:
        self._native = native
        self.name = name

    @property
    def id(self) -> str:
        return self._native.id

    @property
    def title(self) -> str:
        return self._native.title

    @property
    def outcome_ids(self) -> list[str]:
        """Ids of the outcome classes, in scenario order."""
        return list(self._native.outcome_ids)

    @property
    def issue_ids(self) -> list[str]:
        return list(self._native.issue_ids)

    @property
    def hash(self) -> str:
        """sha256 of the canonical scenario JSON (what studies and sweeps record)."""
        return self._native.hash

    def parameters(self) -> list[dict[str, Any]]:
        """Every settable number (what ``statecraft paths`` lists), as dicts."""
        return json.loads(self._native.parameters_json())

    def schema(self) -> dict[str, Any]:
        """The compiled experiment (what ``statecraft check --schema --format json`` prints):
        ``model`` (every option of the model that runs), ``inputs`` (each uncertain number's
        path, distribution, declared range and evidence basis) and ``outputs`` (outcome classes,
        questions, and every variable and series a run records with its kind: binary, count,
        day, continuous with range and unit, categorical with labels)."""
        return json.loads(self._native.schema_json())

    def inputs(self, all: bool = False):  # noqa: A002 - mirrors `statecraft paths --all`
        """A DataFrame of every uncertain number (``all=True``: every settable number).

        Columns: ``path, value, distribution`` (text form, e.g. ``pert(10, 20, 40)``), ``dist``
        (its kind), ``low, high`` (the distribution's support: what a sampler draws from),
        ``min, max`` (the declared range any value must lie in; NaN = unbounded), ``source,
        source_title, source_date, reliability, confidence``.
        """
        import pandas as pd

        rows = []
        for p in self.parameters():
            d = p.get("dist")
            if d is None and not all:
                continue
            low, high = _support(d)
            rows.append(
                {
                    "path": p["path"],
                    "value": p["value"],
                    "distribution": p.get("distribution"),
                    "dist": d["dist"] if d else None,
                    "low": low,
                    "high": high,
                    "min": _nan(p.get("min")),
                    "max": _nan(p.get("max")),
                    "source": p.get("source"),
                    "source_title": p.get("source_title"),
                    "source_date": p.get("source_date"),
                    "reliability": _nan(p.get("reliability")),
                    "confidence": _nan(p.get("confidence")),
                }
            )
        cols = ["path", "value", "distribution", "dist", "low", "high", "min", "max", "source",
                "source_title", "source_date", "reliability", "confidence"]
        return pd.DataFrame(rows, columns=cols)

    def to_json(self) -> str:
        """The scenario as JSON (what a sweep manifest embeds)."""
        return self._native.to_json()

    def __reduce__(self):
        return (_from_json, (self._native.to_json(), self.name))

    def __repr__(self) -> str:
        return f"<statecraft.Scenario {self.id!r} ({self.name}): {self.title}>"


def _from_json(text: str, name: str) -> Scenario:
    return Scenario(_native.scenario_from_json(text), name)


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def _support(d: Mapping[str, Any] | None) -> tuple[float, float]:
    if d is None:
        return float("nan"), float("nan")
    if d["dist"] == "discrete":
        return float(min(d["values"])), float(max(d["values"]))
    return float(d["min"]), float(d["max"])


def builtin(name: str) -> Scenario:
    """A built-in scenario by name (``greenland-2026``, ``minimal``, …; see :func:`builtins`)."""
    text = _native.builtin_text(name)
    if text is None:
        hint = _native.suggest_builtin(name)
        extra = f"; did you mean {hint!r}?" if hint else f"; built-in scenarios: {', '.join(builtins())}"
        raise InputError(f"no built-in scenario {name!r}{extra}")
    return Scenario(_native.load_text(f"{name}.toml", text), f"{name} (built-in)")


def load(path_or_text: str | os.PathLike[str], *, filename: str | None = None) -> Scenario:
    """Load a scenario from a file path, a built-in name, or the scenario text itself.

    A string that names an existing file is read (its extension picks the format: TOML, CSV
    ``Actor,Capability,Position,Salience``, KTAB CSV/XML); otherwise a built-in scenario name;
    otherwise a string holding a newline is taken as scenario text (TOML unless ``filename``
    says otherwise, e.g. ``filename="x.csv"``).

    Raises :class:`ScenarioError` (a ``ValueError``) when the scenario does not load: its
    message lists every problem with ``line:column``, and ``.errors`` holds them as dicts
    (``message, help, line, column, start, end``).
    """
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text
    ):
        p = Path(path_or_text)
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            return Scenario(_native.load_text(filename or str(p), text), str(p))
        s = str(path_or_text)
        if _native.builtin_text(s) is not None:
            return builtin(s)
        hint = _native.suggest_builtin(s)
        extra = f"; did you mean the built-in {hint!r}?" if hint else ""
        raise FileNotFoundError(f"{s!r} is neither a file nor a built-in scenario{extra}")
    if not isinstance(path_or_text, str):
        raise TypeError(f"expected a path or scenario text, got {type(path_or_text).__name__}")
    name = filename or "<text>.toml"
    return Scenario(_native.load_text(name, path_or_text), name)


def _scenario(s: Scenario | str | os.PathLike[str]) -> Scenario:
    return s if isinstance(s, Scenario) else load(s)


def _set_items(set: Mapping[str, float] | None) -> list[tuple[str, float]]:  # noqa: A002
    return [(str(k), float(v)) for k, v in (set or {}).items()]


class Study:
    """The result of :func:`study`: every analysis of one plan, as DataFrames.

    ``.json`` is the ``statecraft.study/1`` document exactly as
    ``statecraft run --format json`` prints it (docs/output.md); ``.data`` is it parsed.
    """

    def __init__(self, text: str) -> None:
        self.json = text
        self.data: dict[str, Any] = json.loads(text)

    @property
    def runs(self) -> int:
        """Main Monte Carlo runs."""
        return int(self.data["provenance"]["runs"])

    @property
    def outcomes(self):
        """One row per outcome class: ``id, name, when, hits, runs, p, lo, hi`` (Wilson 95%)."""
        import pandas as pd

        return pd.DataFrame(self.data["mc"]["outcomes"],
                            columns=["id", "name", "when", "hits", "runs", "p", "lo", "hi"])

    @property
    def questions(self):
        """One row per forecast question: ``id, title, by, when, probability, lo, hi, yes, runs``."""
        import pandas as pd

        return pd.DataFrame(self.data["questions"],
                            columns=["id", "title", "by", "when", "probability", "lo", "hi", "yes",
                                     "runs"])

    @property
    def hypotheses(self):
        """One row per hypothesis: ``id, claim, test, outcome, p_base, p_alt, delta, lo, hi,
        verdict, level, runs`` (paired Newcombe interval of Δ; ``rank`` for pivotal-rank claims)."""
        import pandas as pd

        cols = ["id", "claim", "test", "outcome", "expect", "p_base", "p_alt", "delta", "lo", "hi",
                "verdict", "level", "correction", "runs", "rank"]
        return pd.DataFrame([{c: h.get(c) for c in cols} for h in self.data["hypotheses"]],
                            columns=cols)

    @property
    def pivotal(self):
        """Pivotality: one row per (actor, variant, outcome) with ``p_base, p_alt, delta, lo, hi``
        (empty when the plan ran no pivotality analysis)."""
        import pandas as pd

        cols = ["actor", "variant", "outcome", "p_base", "p_alt", "delta", "lo", "hi", "runs"]
        pv = self.data.get("pivotality")
        rows = []
        if pv:
            for a in pv["actors"]:
                for v in a["variants"]:
                    for d in v["deltas"]:
                        rows.append({"actor": a["actor"], "variant": v["variant"],
                                     "outcome": d["outcome"], "p_base": d["p_base"],
                                     "p_alt": d["p_alt"], "delta": d["delta"], "lo": d["lo"],
                                     "hi": d["hi"], "runs": pv["runs"]})
        return pd.DataFrame(rows, columns=cols)

    @property
    def vars(self):
        """One row per run variable: ``var, n, mean, sd, min, max, q05, q25, q50, q75, q95``."""
        import pandas as pd

        rows = []
        for name, v in self.data["mc"]["vars"].items():
            q = v["quantiles"]
            rows.append({"var": name, "n": v["n"], "mean": v["mean"], "sd": v["sd"],
                         "min": v["min"], "max": v["max"], "q05": q[0], "q25": q[1],
                         "q50": q[2], "q75": q[3], "q95": q[4]})
        return pd.DataFrame(rows, columns=["var", "n", "mean", "sd", "min", "max", "q05", "q25",
                                           "q50", "q75", "q95"])

    @property
    def sobol(self):
        """Sobol indices: one row per input or group with ``input, s1, s1_lo, s1_hi, st, st_lo,
        st_hi, members`` (empty when the plan ran no Sobol analysis; docs/uncertainty.md)."""
        import pandas as pd

        cols = ["input", "s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi", "members"]
        s = self.data.get("sobol")
        rows = []
        if s:
            for i in s["indices"]:
                rows.append({"input": i["input"], "s1": i["first"]["value"],
                             "s1_lo": i["first"]["lo"], "s1_hi": i["first"]["hi"],
                             "st": i["total"]["value"], "st_lo": i["total"]["lo"],
                             "st_hi": i["total"]["hi"], "members": len(i.get("members", []))})
        return pd.DataFrame(rows, columns=cols)

    _TABLES = ("outcomes", "questions", "hypotheses", "pivotal", "vars", "sobol")

    def to_arrow(self, table: str = "outcomes"):
        """One table (``outcomes``, ``questions``, ``hypotheses``, ``pivotal``, ``vars``, ``sobol``) as a
        ``pyarrow.Table``, with the study's provenance in its schema metadata."""
        import pyarrow as pa

        if table not in self._TABLES:
            raise InputError(f"unknown table {table!r}; tables: {', '.join(self._TABLES)}")
        df = getattr(self, table)
        if table == "hypotheses":
            df = df.assign(rank=df["rank"].map(lambda r: None if r is None else json.dumps(r)),
                           expect=df["expect"].map(lambda r: None if r is None else json.dumps(r)))
        t = pa.Table.from_pandas(df, preserve_index=False)
        meta = dict(t.schema.metadata or {})
        meta[b"statecraft.provenance"] = json.dumps(self.data["provenance"]).encode()
        return t.replace_schema_metadata(meta)

    def to_parquet(self, path: str | os.PathLike[str], table: str = "outcomes") -> None:
        """Write one table as Parquet (via pyarrow; see docs/python.md for why not in Rust)."""
        import pyarrow.parquet as pq

        pq.write_table(self.to_arrow(table), str(path))

    def __repr__(self) -> str:
        pv = self.data["provenance"]
        return f"<statecraft.Study {pv['scenario_id']} runs={pv['runs']} seed={pv['seed']}>"


def study(
    scenario: Scenario | str | os.PathLike[str],
    runs: int | None = None,
    seed: int = 1,
    set: Mapping[str, float] | None = None,  # noqa: A002 - the CLI's --set
    without: Sequence[str] = (),
    disable: Sequence[str] = (),
    *,
    preset: str = "run",
    evidence_discount: float = 0.0,
    hypotheses: bool = False,
    pivotal: bool = False,
    pivotal_runs: int | None = None,
    pivotal_top: int | None = None,
    pivotal_cap: int | None = None,
    discount_runs: int | None = None,
    nested: tuple[int, int] | None = None,
    tornado: str | None = None,
    sobol: str | None = None,
    sobol_n: int | None = None,
    sobol_groups: str | None = None,
    hypothesis_looks: int | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_runs: int | None = None,
    threads: int | None = None,
) -> Study:
    """Run a study: what ``statecraft run SCENARIO`` runs with the same flags.

    ``runs`` fixes the main job's runs (``None``: the preset's, adaptive for crisis scenarios);
    ``set={path: value}``, ``without=[actor]``, ``disable=[id]`` are ``--set/--without/--disable``
    (applied removals, sets, disables). ``preset`` is one of ``run, forecast, report, explore``
    (docs/plans.md). ``pivotal_top``/``pivotal_cap``, ``tornado``, ``sobol``, ``sobol_n`` and
    ``sobol_groups`` (``"inputs"``, ``"kind"`` or ``"NAME=PATTERN,…;…"``) are the flags of the same
    names, and ``hypothesis_looks`` is ``--hypothesis-looks`` (1 = one fixed-sample test per
    counterfactual; default: up to 5 looks). The GIL is released while the engine runs; ``threads`` bounds its worker threads
    (results are identical for any count).
    """
    scn = _scenario(scenario)
    text = _native.study_json(
        scn._native, preset=preset, runs=runs, seed=seed, evidence_discount=evidence_discount,
        set=_set_items(set), without=list(without), disable=list(disable), tolerance=tolerance,
        max_runs=max_runs, hypotheses=hypotheses, pivotal=pivotal, pivotal_runs=pivotal_runs,
        discount_runs=discount_runs, nested=nested, threads=threads, pivotal_top=pivotal_top,
        pivotal_cap=pivotal_cap, tornado=tornado, sobol=sobol, sobol_n=sobol_n,
        sobol_groups=sobol_groups, hypothesis_looks=hypothesis_looks)
    return Study(text)


def run_batch(
    scenario: Scenario | str | os.PathLike[str],
    samples: Any,
    runs: int = 1000,
    seed: int = 1,
    *,
    vars: Sequence[str] | None = None,  # noqa: A002
    set: Mapping[str, float] | None = None,  # noqa: A002
    without: Sequence[str] = (),
    disable: Sequence[str] = (),
    preset: str = "explore",
    evidence_discount: float = 0.0,
    tolerance: float = DEFAULT_TOLERANCE,
    max_runs: int | None = None,
    threads: int | None = None,
):
    """Evaluate a design: one Monte Carlo job of ``runs`` runs per row of ``samples``.

    ``samples`` is a DataFrame (or a mapping of column → values) whose columns are scenario
    paths (``Scenario.inputs().path``); each row's values are applied as ``--set`` edits on top
    of ``set``, with the same ``seed`` for every row (common random numbers), so row ``i``
    equals ``study(scenario, runs, seed, set={…row i…}, preset="explore")``. Returns a DataFrame
    with the sample columns followed by ``p:<outcome>, lo:<outcome>, hi:<outcome>`` for every
    outcome class and ``mean:<var>`` for every var in ``vars`` (default ``issue.<id>`` for every
    issue). The GIL is released while the engine runs, so threads can evaluate batches in
    parallel; SALib and EMA designs can be passed in directly.
    """
    import pandas as pd

    scn = _scenario(scenario)
    df = samples if isinstance(samples, pd.DataFrame) else pd.DataFrame(samples)
    paths = [str(c) for c in df.columns]
    rows = df.astype(float).to_numpy().tolist()
    text = _native.run_batch_json(
        scn._native, paths, rows, preset=preset, runs=runs, seed=seed,
        evidence_discount=evidence_discount, set=_set_items(set), without=list(without),
        disable=list(disable), tolerance=tolerance, max_runs=max_runs,
        vars=None if vars is None else list(vars), threads=threads)
    out = []
    for r in json.loads(text):
        row: dict[str, Any] = {}
        for oid, p, lo, hi in r["outcomes"]:
            row[f"p:{oid}"] = p
            row[f"lo:{oid}"] = lo
            row[f"hi:{oid}"] = hi
        for name, mean in r["vars"]:
            row[f"mean:{name}"] = float("nan") if mean is None else mean
        row["runs"] = r["runs"]
        out.append(row)
    res = pd.DataFrame(out, index=df.index)
    return pd.concat([df, res], axis=1)


class SweepPlan:
    """A sweep manifest (``statecraft-sweep/1``): the bytes ``statecraft sweep plan -o`` writes."""

    def __init__(self, manifest: str) -> None:
        self.manifest = manifest
        self.points = _native.sweep_points(manifest)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> SweepPlan:
        return cls(Path(path).read_text(encoding="utf-8"))

    def write(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_text(self.manifest, encoding="utf-8")

    def __repr__(self) -> str:
        return f"<statecraft.SweepPlan {self.points} points>"


def sweep_plan(
    scenario: Scenario | str | os.PathLike[str],
    grid: Mapping[str, Sequence[float]],
    runs: int | None = None,
    seed: int = 1,
    *,
    vars: Sequence[str] = (),  # noqa: A002
    set: Mapping[str, float] | None = None,  # noqa: A002
    without: Sequence[str] = (),
    disable: Sequence[str] = (),
    evidence_discount: float = 0.0,
    tolerance: float = DEFAULT_TOLERANCE,
    max_runs: int | None = None,
) -> SweepPlan:
    """Plan a sweep, as ``statecraft sweep plan SCENARIO --grid PATH=V1,V2 … -o M.json`` does.

    ``grid`` maps a path to its values (axes in order; the last varies fastest). Run it with
    :func:`statecraft.dask.sweep` or with ``statecraft sweep run``.
    """
    scn = _scenario(scenario)
    axes = [(str(k), [float(x) for x in v]) for k, v in grid.items()]
    text = _native.sweep_plan(
        scn._native, axes, runs=runs, seed=seed, evidence_discount=evidence_discount,
        set=_set_items(set), without=list(without), disable=list(disable), tolerance=tolerance,
        max_runs=max_runs, vars=list(vars))
    return SweepPlan(text)
