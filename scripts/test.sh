#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself (Debian's chromium and
# the pinned npm packages for the browser test of the HTML report).
set -euo pipefail
cd "$(dirname "$0")/.."

# Property tests draw their cases from a fixed seed here, so a CI run is reproducible; set
# PROPTEST_RNG_SEED yourself (or run `cargo test` directly) to explore other cases.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20260111}"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --release

# ---------------------------------------------------------------------------------------------
# Sobol estimators against SALib (issue 10): the Rust test `salib_export` (run above) wrote the
# design and outputs to target/salib/sobol_design.json; SALib (pinned in
# tests/python/requirements.txt) recomputes the indices from them.
if [ ! -x target/pyenv/bin/python ]; then
  python3 -m venv target/pyenv
fi
target/pyenv/bin/pip install -q -r tests/python/requirements.txt
target/pyenv/bin/python tests/python/salib_check.py target/salib/sobol_design.json \
  target/salib/sobol_design_groups.json

# The Python package (issue 15, docs/python.md): build the wheel with maturin (pinned with the
# rest in crates/statecraft-py/tests/requirements.txt), install it into the venv, run its pytest
# suite (load errors, study() = CLI JSON, run_batch, Dask on a 2-process LocalCluster with a
# killed worker, EMA Workbench + PRIM).
target/pyenv/bin/pip install -q -r crates/statecraft-py/tests/requirements.txt
rm -f target/wheels/statecraft-*.whl
target/pyenv/bin/maturin build --release -m crates/statecraft-py/Cargo.toml -o target/wheels \
  -i target/pyenv/bin/python
target/pyenv/bin/pip install -q --force-reinstall --no-deps target/wheels/statecraft-*.whl
target/pyenv/bin/python -m pytest -q -p no:cacheprovider crates/statecraft-py/tests
# The Slurm recipe of docs/sweeps.md on a one-node cluster started here (opt-in: needs root,
# installs slurm-wlm and munge).
if [ "${SLURM_TEST:-0}" = 1 ]; then
  scripts/slurm-sweep.sh
fi

# Fuzz targets (issue 17), 10 s each, when a nightly toolchain with cargo-fuzz is present;
# otherwise a notice and a skip, not a failure. `scripts/fuzz.sh SECONDS` runs longer campaigns.
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
else
  echo "NOTICE: fuzz targets skipped: no nightly toolchain with cargo-fuzz (rustup toolchain install nightly && cargo install cargo-fuzz)" >&2
fi

# ---------------------------------------------------------------------------------------------
# Browser test of the HTML report (issue 6). Renders the report the CLI writes in Debian's
# headless Chromium, driven by the pinned playwright-core (tests/browser/package-lock.json), and
# fails on console/page errors, network requests or invisible charts. Screenshot:
# target/report-screenshot.png.
if [ ! -x /usr/bin/chromium ] && [ ! -x /usr/lib/chromium/chromium ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
fi
(cd tests/browser && npm ci --no-audit --no-fund)
cargo run --release -p statecraft-cli -- report --out target/report-test
node tests/browser/render.mjs target/report-test/report.html target/report-screenshot.png

# ---------------------------------------------------------------------------------------------
# The what-if explorer (issue 14): end-to-end in the same headless Chromium (tests/browser/serve.mjs;
# screenshots target/serve-*.png), then a 30 s load test on loopback (50 clients re-running
# 1,000-run jobs; only 200/429/503 allowed, resident memory bounded; leaks are tested exactly by
# crates/statecraft-serve/tests/leak.rs, run above). The 60 s figures in docs/performance.md come
# from `scripts/load-serve.sh 60 50 1000`.
cargo build --release -p statecraft-cli
node tests/browser/serve.mjs target/release/statecraft
scripts/load-serve.sh "${SERVE_LOAD_SECONDS:-30}" 50 1000
