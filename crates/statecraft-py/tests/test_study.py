"""study() equals the CLI's JSON for the same plan and seed; run_batch equals per-row study."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import statecraft
from conftest import run_cli


def test_study_equals_cli_json_byte_for_byte(cli: Path):
    args = ["--runs", "120", "--seed", "7", "--set", "stance.us.mil_rights.position=85",
            "--pivotal-runs", "8", "--discount-runs", "40"]
    expected = run_cli(cli, "run", "greenland-2026", "--format", "json", *args)
    got = statecraft.study(statecraft.builtin("greenland-2026"), runs=120, seed=7,
                           set={"stance.us.mil_rights.position": 85}, pivotal_runs=8,
                           discount_runs=40)
    assert got.json == expected
    d = json.loads(expected)
    assert list(got.outcomes["p"]) == [o["p"] for o in d["mc"]["outcomes"]]
    assert list(got.questions["probability"]) == [q["probability"] for q in d["questions"]]
    assert list(got.hypotheses["id"]) == [h["id"] for h in d["hypotheses"]]
    assert len(got.pivotal) > 0 and got.pivotal["runs"].eq(8).all()
    v = got.vars.set_index("var")
    k = next(iter(d["mc"]["vars"]))
    assert v.loc[k, "mean"] == d["mc"]["vars"][k]["mean"]


def test_study_without_and_disable_equal_cli(cli: Path):
    expected = run_cli(cli, "run", "greenland-2026", "--format", "json", "--runs", "60",
                       "--seed", "3", "--without", "uk", "--disable", "gate.jcs",
                       "--pivotal-runs", "4", "--discount-runs", "0")
    got = statecraft.study(statecraft.builtin("greenland-2026"), runs=60, seed=3, without=["uk"],
                           disable=["gate.jcs"], pivotal_runs=4, discount_runs=0)
    assert got.json == expected


def test_sensitivity_flags_equal_cli(cli: Path):
    """pivotal_top, tornado, sobol, sobol_n and sobol_groups are the CLI's flags of the same names."""
    args = ["--runs", "60", "--seed", "3", "--pivotal-runs", "4", "--pivotal-top", "2",
            "--pivotal-cap", "8", "--discount-runs", "0", "--tornado", "compromise",
            "--sobol", "compromise", "--sobol-n", "4", "--sobol-groups", "kind"]
    expected = run_cli(cli, "run", "greenland-2026", "--format", "json", *args)
    got = statecraft.study(statecraft.builtin("greenland-2026"), runs=60, seed=3,
                           pivotal_runs=4, pivotal_top=2, pivotal_cap=8, discount_runs=0,
                           tornado="compromise", sobol="compromise", sobol_n=4,
                           sobol_groups="kind")
    assert got.json == expected
    d = json.loads(expected)
    assert d["sobol"]["grouping"] == "kind"
    assert list(got.sobol["input"]) == [i["input"] for i in d["sobol"]["indices"]]
    assert got.sobol["members"].sum() == sum(len(i["members"]) for i in d["sobol"]["indices"])
    with pytest.raises(statecraft.InputError, match="sobol_groups"):
        statecraft.study(statecraft.builtin("greenland-2026"), runs=5, sobol="compromise",
                         sobol_groups="nonsense")


def test_schema_equals_check_schema(cli: Path):
    """Scenario.schema() is `statecraft check --schema --format json`, and its kinds are typed."""
    expected = run_cli(cli, "check", "greenland-2026", "--schema", "--format", "json")
    s = statecraft.builtin("greenland-2026")
    assert json.dumps(s.schema(), indent=2, sort_keys=True) == json.dumps(
        json.loads(expected), indent=2, sort_keys=True)
    kinds = {v["name"]: v["kind"] for v in s.schema()["outputs"]["vars"]}
    assert kinds["option.invasion.taken"] == "binary"
    assert kinds["alignment.uk"] == "categorical"


def test_every_bad_edit_at_once():
    with pytest.raises(statecraft.InputError, match="2 problems"):
        statecraft.study("greenland-2026", runs=5, set={"actor.us.capabilty": 3},
                         disable=["gate.jcss"])


def test_bad_set_path_is_an_input_error():
    with pytest.raises(statecraft.InputError, match="did you mean"):
        statecraft.study("minimal", runs=10, set={"stance.a.budget.positoin": 3})
    with pytest.raises(statecraft.InputError):
        statecraft.study("minimal", runs=10, preset="fastest")


def test_arrow_and_parquet_round_trip(tmp_path: Path):
    r = statecraft.study("greenland-2026", runs=50, seed=2, pivotal_runs=2, discount_runs=0)
    t = r.to_arrow("outcomes")
    assert t.column("p").to_pylist() == list(r.outcomes["p"])
    assert json.loads(t.schema.metadata[b"statecraft.provenance"])["seed"] == 2
    r.to_parquet(tmp_path / "o.parquet")
    back = pq.read_table(tmp_path / "o.parquet").to_pandas()
    pd.testing.assert_frame_equal(back, r.outcomes)
    for name in ("questions", "hypotheses", "pivotal", "vars"):
        assert r.to_arrow(name).num_rows == len(getattr(r, name))


def test_run_batch_equals_per_row_study():
    scn = statecraft.builtin("greenland-2026")
    samples = pd.DataFrame({
        "stance.us.mil_rights.position": [40.0, 60.0, 90.0],
        "crisis.ally.uk.alignment": [-0.5, 0.0, 0.5],
    })
    out = statecraft.run_batch(scn, samples, runs=80, seed=5)
    assert len(out) == 3 and list(out.columns[:2]) == list(samples.columns)
    for i, row in samples.iterrows():
        st = statecraft.study(scn, runs=80, seed=5, set=row.to_dict(), preset="explore")
        for o in st.data["mc"]["outcomes"]:
            assert out.loc[i, f"p:{o['id']}"] == o["p"]
            assert out.loc[i, f"lo:{o['id']}"] == o["lo"]
        for var in [f"issue.{x}" for x in scn.issue_ids]:
            assert out.loc[i, f"mean:{var}"] == st.data["mc"]["vars"][var]["mean"]
    # Rows differ (the design matters) and the same row twice gives the same numbers.
    assert out["p:compromise"].nunique() > 1
    again = statecraft.run_batch(scn, samples.iloc[[2, 2]], runs=80, seed=5)
    assert again["p:compromise"].nunique() == 1


def test_run_batch_rejects_bad_columns():
    with pytest.raises(statecraft.InputError, match="did you mean"):
        statecraft.run_batch("greenland-2026", {"stance.us.mil_rights.positon": [50.0]}, runs=5)
    with pytest.raises(statecraft.InputError, match="unknown var"):
        statecraft.run_batch("greenland-2026", {"stance.us.mil_rights.position": [50.0]},
                             runs=5, vars=["issue.nope"])


def test_hypothesis_looks_equal_cli(cli: Path):
    """hypothesis_looks is --hypothesis-looks: the same JSON, a look per test, bad counts refused."""
    args = ["--runs", "512", "--seed", "2", "--pivotal-runs", "2", "--discount-runs", "0",
            "--hypothesis-looks", "2"]
    expected = run_cli(cli, "run", "greenland-2026", "--format", "json", *args)
    got = statecraft.study(statecraft.builtin("greenland-2026"), runs=512, seed=2,
                           pivotal_runs=2, discount_runs=0, hypothesis_looks=2)
    assert got.json == expected
    d = json.loads(expected)
    seq = [h for h in d["hypotheses"] if h["test"] == "counterfactual"]
    assert seq and all(h["sequential"]["schedule"] == [256, 512] for h in seq)
    with pytest.raises(statecraft.InputError, match="hypothesis-looks"):
        statecraft.study(statecraft.builtin("greenland-2026"), runs=5, hypothesis_looks=0)
