"""Loading: errors are exceptions carrying every located message; inputs(); pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import statecraft
from conftest import REPO

# Two independent mistakes: an unknown actor in a stance, and a capability out of range.
TWO_ERRORS = """\
[scenario]
id = "two"
title = "two mistakes"
as_of = 2026-01-11

[[actors]]
id = "a"
name = "A"
capability = -5

[[issues]]
id = "x"
name = "X"
min = 0
max = 100

[[stances]]
actor = "b"
issue = "x"
position = 50
salience = 0.5
"""


def test_every_error_is_located_in_one_exception():
    with pytest.raises(statecraft.ScenarioError) as ei:
        statecraft.load(TWO_ERRORS)
    e = ei.value
    assert isinstance(e, ValueError)
    assert e.total == len(e.errors) >= 2, e.errors
    msgs = " | ".join(x["message"] for x in e.errors)
    assert "capability" in msgs and "`b`" in msgs, msgs
    for x in e.errors:
        assert x["line"] is not None and x["column"] is not None, x
    # The stance's unknown actor is on line 18 (`actor = "b"`), the capability on line 9.
    assert {(x["line"], x["column"]) for x in e.errors} == {(9, 14), (18, 9)}, e.errors
    assert "<text>.toml:18:9: unknown actor `b` (help: did you mean `a`?)" in str(e)


def test_bad_fixture_file_names_its_file(tmp_path: Path):
    src = REPO / "tests" / "fixtures" / "bad" / "duplicate_id.toml"
    with pytest.raises(statecraft.ScenarioError) as ei:
        statecraft.load(src)
    assert str(src) in str(ei.value)
    assert ei.value.errors[0]["line"] is not None


def test_unknown_names_suggest():
    with pytest.raises(statecraft.InputError, match="did you mean 'greenland-2026'"):
        statecraft.builtin("greenland-2062")
    with pytest.raises(FileNotFoundError, match="greenland-2026"):
        statecraft.load("greenland-2062")


def test_builtin_and_file_load_the_same_scenario():
    a = statecraft.builtin("greenland-2026")
    b = statecraft.load(REPO / "scenarios" / "greenland-2026.toml")
    assert a.hash == b.hash
    assert "greenland-2026" in statecraft.builtins()
    assert a.outcome_ids[0] == "force"


def test_inputs_lists_every_uncertain_number_with_range_and_source():
    df = statecraft.builtin("greenland-2026").inputs()
    assert list(df.columns[:8]) == ["path", "value", "distribution", "dist", "low", "high",
                                    "min", "max"]
    assert "stance.us.mil_rights.position" in set(df["path"])
    assert df["distribution"].notna().all() and df["source"].notna().all()
    assert (df["low"] <= df["value"]).all() and (df["value"] <= df["high"]).all()
    assert (df["min"].fillna(-1e300) <= df["low"]).all()
    every = statecraft.builtin("greenland-2026").inputs(all=True)
    assert len(every) > len(df) and every["distribution"].isna().any()


def test_scenarios_pickle():
    a = statecraft.builtin("minimal")
    b = pickle.loads(pickle.dumps(a))
    assert b.hash == a.hash and b.name == a.name
