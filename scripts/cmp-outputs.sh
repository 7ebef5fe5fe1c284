#!/usr/bin/env bash
# Byte comparison of two statecraft binaries' outputs on 15 commands (the table, CSV and JSON
# paths, forecast, compare, the adaptive run, sensitivity, 10^4 runs of the Greenland scenario
# without its hypotheses), each at --threads 1 and 2: what a "same bits" claim in
# docs/performance.md was checked with.
#
#   scripts/cmp-outputs.sh BASE_BIN NEW_BIN     # prints same/DIFF per case; exit 1 on a DIFF
set -uo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "${1:?usage: cmp-outputs.sh BASE_BIN NEW_BIN}")
B=$(realpath "${2:?usage: cmp-outputs.sh BASE_BIN NEW_BIN}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
N=$TMP/nohyp.toml
awk '/^\[/ { skip = ($0 ~ /^\[\[?hypotheses/) } !skip' scenarios/greenland-2026.toml >"$N"
cmds=(
    "run --runs 400 --format json"
    "run --format json"
    "run --runs 100 --tornado force --sobol force --sobol-n 32 --format json"
    "run --tolerance 0.03 --max-runs 5000 --discount-runs 0 --format json"
    "compare greenland-2026 --runs 300 --without uk --format json"
    "run --runs 300 --pivotal-runs 20 --format json"
    "forecast --runs 1 --format json"
    "run $N --runs 10000 --discount-runs 0 --pivotal-runs 1 --format json"
    "run"
    "run --runs 2000"
    "run --runs 500 --format csv"
    "forecast"
    "forecast --runs 1000 --format csv"
    "run $N --runs 10000"
    "run $N --runs 3000 --format csv"
)
fail=0
for t in 1 2; do
    for c in "${cmds[@]}"; do
        # shellcheck disable=SC2086
        "$A" $c --threads $t -q >"$TMP/a.out" 2>"$TMP/a.err"
        ra=$?
        # shellcheck disable=SC2086
        "$B" $c --threads $t -q >"$TMP/b.out" 2>"$TMP/b.err"
        rb=$?
        if [[ $ra != "$rb" ]] || ! cmp -s "$TMP/a.out" "$TMP/b.out"; then
            echo "DIFF t$t: ${c/$TMP\//} (rc $ra $rb)"
            fail=1
        else
            echo "same t$t: ${c/$TMP\//} ($(wc -c <"$TMP/a.out") B)"
        fi
    done
done
exit $fail
