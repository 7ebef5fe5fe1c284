"""Type stubs of the compiled module ``statecraft._native`` (crates/statecraft-py/src/lib.rs).

Use the ``statecraft`` package's functions instead; these are its building blocks.
"""

from typing import Any

class ScenarioError(ValueError):
    """A scenario that does not load."""

    #: Every located problem: ``message, help, line, column, start, end`` (up to 100).
    errors: list[dict[str, Any]]
    #: How many problems there were in all.
    total: int

class InputError(ValueError):
    """Bad input to a call (unknown path, value out of range, damaged manifest, …)."""

class Scenario:
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def outcome_ids(self) -> list[str]: ...
    @property
    def issue_ids(self) -> list[str]: ...
    @property
    def hash(self) -> str: ...
    def parameters_json(self) -> str: ...
    def schema_json(self) -> str: ...
    def to_json(self) -> str: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def load_text(filename: str, text: str) -> Scenario: ...
def scenario_from_json(text: str) -> Scenario: ...
def builtin_text(name: str) -> str | None: ...
def builtin_names() -> list[str]: ...
def suggest_builtin(name: str) -> str | None: ...
def engine_version() -> str: ...
def defaults() -> tuple[int, int, int]: ...
def study_json(
    scenario: Scenario,
    *,
    preset: str,
    runs: int | None,
    seed: int,
    evidence_discount: float,
    set: list[tuple[str, float]],
    without: list[str],
    disable: list[str],
    tolerance: float,
    max_runs: int | None,
    hypotheses: bool,
    pivotal: bool,
    pivotal_runs: int | None,
    discount_runs: int | None,
    nested: tuple[int, int] | None,
    threads: int | None,
    pivotal_top: int | None = None,
    pivotal_cap: int | None = None,
    tornado: str | None = None,
    sobol: str | None = None,
    sobol_n: int | None = None,
    sobol_groups: str | None = None,
    hypothesis_looks: int | None = None,
) -> str: ...
def run_batch_json(
    scenario: Scenario,
    paths: list[str],
    rows: list[list[float]],
    *,
    preset: str,
    runs: int | None,
    seed: int,
    evidence_discount: float,
    set: list[tuple[str, float]],
    without: list[str],
    disable: list[str],
    tolerance: float,
    max_runs: int | None,
    vars: list[str] | None,
    threads: int | None,
) -> str: ...
def sweep_plan(
    scenario: Scenario,
    grid: list[tuple[str, list[float]]],
    *,
    runs: int | None,
    seed: int,
    evidence_discount: float,
    set: list[tuple[str, float]],
    without: list[str],
    disable: list[str],
    tolerance: float,
    max_runs: int | None,
    vars: list[str],
) -> str: ...
def sweep_points(manifest: str) -> int: ...
def shard_points(points: int, shard: int, of: int) -> list[int]: ...
def sweep_run_shard(manifest: str, shard: int, of: int, threads: int | None = None) -> str: ...
def sweep_reduce(files: list[tuple[str, str]], manifest: str | None = None) -> str: ...
def shard_file_name(shard: int, of: int) -> str: ...
