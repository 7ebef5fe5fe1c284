"""Shared fixtures: the CLI binary the Python results are compared with, and a temp dir."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `statecraft` binary built from this checkout (`$STATECRAFT_BIN` overrides)."""
    p = Path(os.environ.get("STATECRAFT_BIN", REPO / "target" / "release" / "statecraft"))
    if not p.is_file():
        subprocess.run(["cargo", "build", "--release", "-p", "statecraft-cli"], cwd=REPO,
                       check=True)
    return p


def run_cli(cli: Path, *args: str, cwd: Path | None = None) -> str:
    r = subprocess.run([str(cli), *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, f"statecraft {' '.join(args)} failed: {r.stderr}"
    return r.stdout
