"""Recompute statecraft's Sobol indices with SALib from the same design and outputs.

Reads target/salib/sobol_design.json and sobol_design_groups.json (written by the Rust tests
`crates/statecraft-core/tests/mc_sensitivity.rs::salib_export` and `::salib_export_groups`; the
second uses SALib's `groups` problem key): the outputs Y in SALib's row
order (A, A_B^(1..k), B per base row) and statecraft's first-order (Saltelli 2010) and total
(Jansen 1999) indices. SALib's `sobol.analyze` with `calc_second_order=False` uses the same
estimators and the same denominator (Var over A and B) and standardises Y first; statecraft
centres Y on the mean of all outputs (the scale cancels in the ratios), so both give the same
indices: agreement to 1e-9 on the raw outputs and on the standardised ones.
"""

import json
import sys

import numpy as np
from SALib.analyze import sobol

TOL = 1e-9


def check(path):
    with open(path) as f:
        d = json.load(f)
    k = d["k"]
    problem = {"num_vars": k, "names": [f"x{i + 1}" for i in range(k)],
               "bounds": [[0.0, 1.0]] * k}
    if "groups" in d:
        # grouped design: one column per group, in order of first appearance (SALib's order)
        problem["groups"] = d["groups"]
    cols = len(d["statecraft"]["S1"])
    print(f"{path}: {cols} columns" + (" (groups)" if "groups" in d else ""))
    y = np.asarray(d["Y"], dtype=float)
    res = sobol.analyze(problem, y, calc_second_order=False, num_resamples=10,
                        print_to_console=False, seed=1)
    ours = d["statecraft"]
    worst = 0.0
    for name in ("S1", "ST"):
        for i in range(cols):
            a, b = float(res[name][i]), float(ours[name][i])
            worst = max(worst, abs(a - b))
            print(f"{name}[{i + 1}]: SALib {a:.5f}  statecraft {b:.5f}  diff {a - b:+.5f}")
    exact = 0.0
    for name in ("S1", "ST"):
        for i in range(cols):
            exact = max(exact, abs(float(res[name][i]) - d["statecraft_standardised"][name][i]))
    print(f"on standardised Y (SALib's own convention): largest difference {exact:.2e}")
    if exact > 1e-9:
        print("FAIL: the estimators differ on identical inputs")
        return 1
    if worst > TOL:
        print(f"FAIL: largest difference {worst:.3e} > {TOL}")
        return 1
    print(f"OK: largest difference {worst:.3e} <= {TOL}")
    return 0


def main(paths):
    return max(check(p) for p in paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["target/salib/sobol_design.json"]))
