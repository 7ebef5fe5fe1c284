"""A statecraft scenario as an EMA Workbench model.

:func:`model` returns an ``ema_workbench.Model`` whose uncertainties are the scenario's uncertain
inputs (each a ``RealParameter`` over its distribution's support) and whose outcomes are the
probability of every outcome class and the mean of the chosen vars, so EMA's samplers
(``perform_experiments``), PRIM and feature scoring work on a statecraft scenario unchanged.
One experiment = one Monte Carlo job of ``runs`` runs with the sampled values fixed
(``--set``), the same seed for every experiment (common random numbers).

Requires ``ema_workbench`` (``pip install ./crates/statecraft-py[ema]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from . import Scenario, _scenario, run_batch

__all__ = ["model", "outcome_name", "parameter_name"]


def _ident(s: str) -> str:
    t = re.sub(r"[^0-9A-Za-z_]", "_", s)
    return t if t and not t[0].isdigit() else f"_{t}"


def parameter_name(path: str) -> str:
    """EMA name of the uncertainty for a scenario path (EMA names must be identifiers):
    ``stance.us.mil_rights.position`` → ``stance_us_mil_rights_position``."""
    return _ident(path)


def outcome_name(kind: str, ident: str) -> str:
    """EMA name of an outcome: ``outcome_name("p", "force")`` → ``p_force``;
    ``outcome_name("mean", "issue.x")`` → ``mean_issue_x``."""
    return _ident(f"{kind}_{ident}")


class _Evaluate:
    """The model function: picklable (EMA's multiprocessing evaluators ship it to workers)."""

    def __init__(self, scenario: Scenario, paths: list[str], runs: int, seed: int,
                 vars: list[str] | None, threads: int | None) -> None:  # noqa: A002
        self.scenario = scenario
        self.paths = paths
        self.runs = runs
        self.seed = seed
        self.vars = vars
        self.threads = threads

    def __call__(self, **kwargs: Any) -> dict[str, float]:
        row = {p: [float(kwargs[p])] for p in self.paths if p in kwargs}
        res = run_batch(self.scenario, row, runs=self.runs, seed=self.seed, vars=self.vars,
                        threads=self.threads)
        out: dict[str, float] = {}
        for col in res.columns:
            if col.startswith("p:"):
                out[outcome_name("p", col[2:])] = float(res[col].iloc[0])
            elif col.startswith("mean:"):
                out[outcome_name("mean", col[5:])] = float(res[col].iloc[0])
        return out


def model(
    scenario: Scenario | str,
    runs: int = 200,
    seed: int = 1,
    *,
    vars: Sequence[str] | None = None,  # noqa: A002
    name: str | None = None,
    threads: int | None = None,
):
    """An ``ema_workbench.Model`` of ``scenario`` (named ``name``, default the scenario id
    without its non-alphanumeric characters, as EMA requires: ``greenland2026``).

    Uncertainties: every uncertain input (``scenario.inputs()``), a ``RealParameter`` named
    :func:`parameter_name` of its path over ``[low, high]`` of its distribution. Outcomes:
    ``p_<outcome>`` for every outcome class and ``mean_<var>`` for every var in ``vars``
    (default ``issue.<id>`` for every issue), as ``ScalarOutcome``.
    """
    from ema_workbench import Model, RealParameter, ScalarOutcome

    scn = _scenario(scenario)
    inputs = scn.inputs()
    if inputs.empty:
        raise ValueError(f"scenario {scn.id!r} has no uncertain inputs to explore")
    paths = list(inputs["path"])
    vs = list(vars) if vars is not None else [f"issue.{i}" for i in scn.issue_ids]
    m = Model(name or (re.sub(r"[^0-9A-Za-z]", "", scn.id) or "scenario"), function=_Evaluate(scn, paths, runs, seed, vs, threads))
    m.uncertainties = [
        RealParameter(parameter_name(r.path), float(r.low), float(r.high), variable_name=r.path)
        for r in inputs.itertuples()
        if r.high > r.low
    ]
    m.outcomes = [ScalarOutcome(outcome_name("p", o)) for o in scn.outcome_ids] + [
        ScalarOutcome(outcome_name("mean", v)) for v in vs
    ]
    return m
