"""Scenario discovery on Greenland 2026: which assumptions lead to force?

200 EMA experiments (Latin hypercube over the scenario's uncertain inputs), each a Monte Carlo job
of 100 runs with the sampled values fixed; PRIM then looks for the region of the inputs where
force is likely (P(force) ≥ 5% in the experiment). Run:

    target/pyenv/bin/python crates/statecraft-py/examples/prim_greenland.py
"""

import statecraft
import statecraft.ema
from ema_workbench import perform_experiments
from ema_workbench.analysis import prim

scn = statecraft.builtin("greenland-2026")
print(scn.inputs()[["path", "distribution", "low", "high", "source"]].to_string(index=False))

model = statecraft.ema.model(scn, runs=100, seed=1)
experiments, outcomes = perform_experiments(model, scenarios=200)

x = experiments[[u.name for u in model.uncertainties]]
force = outcomes["p_force"] >= 0.05
print(f"\n{force.sum()} of {len(force)} experiments have P(force) >= 5% (100 runs each)")

p = prim.Prim(x, force, threshold=0.6)
box = p.find_box()
print(f"\nbox: coverage {box.coverage:.2f}, density {box.density:.2f}, mass {box.mass:.2f}")
print(box.box_lim.T.to_string())
box.inspect()
