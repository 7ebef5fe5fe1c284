"""EMA Workbench: the scenario as an EMA model; 200 experiments; PRIM finds a box."""

from __future__ import annotations

import numpy as np
import pytest

import statecraft
import statecraft.ema

ema = pytest.importorskip("ema_workbench")


def test_ema_model_runs_200_experiments_and_prim_finds_a_box():
    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim

    scn = statecraft.builtin("greenland-2026")
    m = statecraft.ema.model(scn, runs=40, seed=1)
    assert {u.name for u in m.uncertainties} == {
        statecraft.ema.parameter_name(p) for p in scn.inputs()["path"]}
    assert "p_force" in {o.name for o in m.outcomes}
    experiments, outcomes = perform_experiments(m, scenarios=200)
    assert len(experiments) == 200
    y = outcomes["p_compromise"]
    assert len(y) == 200 and (0 <= y).all() and (y <= 1).all() and y.std() > 0
    # One experiment equals run_batch on its values (the model adds nothing of its own).
    row = experiments.iloc[0]
    vals = {p: [row[statecraft.ema.parameter_name(p)]] for p in scn.inputs()["path"]}
    ref = statecraft.run_batch(scn, vals, runs=40, seed=1)
    assert ref["p:compromise"].iloc[0] == y[0]
    x = experiments[[u.name for u in m.uncertainties]]
    # "Which assumptions lead to force?": experiments in the top quarter of P(force) (with the
    # fitted priors force occurs in most 40-run experiments, so "any force" is not selective).
    pf = outcomes["p_force"]
    force = pf >= np.quantile(pf, 0.75)
    assert 0.05 < force.mean() < 0.95, force.mean()
    p = prim.Prim(x, force, threshold=0.5)
    box = p.find_box()
    assert box is not None and len(p.boxes) >= 1
    assert box.density > force.mean()  # the box is richer in force than the whole space
    # It restricts at least one assumption (it says something about which lead there).
    cols = list(x.columns)
    assert (box.box_lim[cols] != p.box_init[cols]).to_numpy().any(), box.box_lim
