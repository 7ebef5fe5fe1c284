#!/usr/bin/env bash
# Times whole `statecraft` command-line runs and prints each one's ratio against a baseline,
# all in this one command.
#
#   scripts/bench-runs.sh                      # baseline = `statecraft models` (process start-up)
#   scripts/bench-runs.sh --baseline OTHER_BIN # baseline = the same case run by another build,
#                                              # e.g. a statecraft binary built from main
#   RUNS=20 scripts/bench-runs.sh              # runs per case (default 10)
#
# Cases: start-up (`statecraft models`), `run` with the EUM (both variants) and the compromise
# model on the BdM 1994 and KTAB CNPC tables, `run --model smp` on KTAB's 80-actor dummy data,
# `validate deu3`, and the default `statecraft` (no arguments: the built-in greenland-2026 run).
# The load average is printed first: the machine may be shared.
#
# Uses hyperfine when installed (apt-get install hyperfine), else a loop timed with date +%s%N.
# Cases that the binary cannot run yet (non-zero exit) are reported as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-10}
BASELINE=""
if [[ "${1:-}" == "--baseline" ]]; then
    BASELINE=$(realpath "${2:?--baseline needs a path to a statecraft binary}")
fi

cargo build --release -q -p statecraft-cli
BIN=$(realpath target/release/statecraft)
EX=../shared/reference/examples
KTAB=../shared/reference/ktab/inputs
DEU3=../shared/reference/deu3/deu3.tsv

# "" = `statecraft` with no arguments: the default Greenland 2026 crisis run.
CASES=(
    "models"
    "run $EX/eu_emissions_bdm1994.csv --model eum --rounds 10 --format json"
    "run $EX/eu_emissions_bdm1994.csv --model eum-printed --rounds 10 --format json"
    "run $EX/ktab_china_2014_cnpc.csv --model eum --rounds 10 --format json"
    "run $EX/ktab_china_2014_cnpc.csv --model compromise --format json"
    "run $KTAB/dummyData-a080.csv --model smp --format json"
    "validate deu3 $DEU3 --rounds 10 --format json"
    ""
)

# Mean wall time in milliseconds of `$1 $2` over $RUNS runs (after one warm-up run).
time_ms() {
    local bin=$1 args=$2
    if command -v hyperfine >/dev/null; then
        local csv
        csv=$(mktemp)
        # shellcheck disable=SC2086
        hyperfine -N --warmup 1 --runs "$RUNS" --export-csv "$csv" "$bin $args" >/dev/null 2>&1
        awk -F, 'NR==2 { printf "%.3f", $2 * 1000 }' "$csv"
        rm -f "$csv"
    else
        # shellcheck disable=SC2086
        "$bin" $args >/dev/null 2>&1
        local start end
        start=$(date +%s%N)
        for ((k = 0; k < RUNS; k++)); do
            # shellcheck disable=SC2086
            "$bin" $args >/dev/null 2>&1
        done
        end=$(date +%s%N)
        awk -v s="$start" -v e="$end" -v n="$RUNS" 'BEGIN { printf "%.3f", (e - s) / n / 1e6 }'
    fi
}

runs_ok() {
    # shellcheck disable=SC2086
    "$1" $2 >/dev/null 2>&1
}

echo "statecraft whole-run timings: $RUNS runs per case, $(command -v hyperfine >/dev/null && echo hyperfine || echo 'date +%s%N loop')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
echo "binary:   $BIN"
if [[ -n "$BASELINE" ]]; then
    echo "baseline: $BASELINE (same case)"
else
    echo "baseline: \`statecraft models\` (process start-up)"
fi
printf '%-104s %12s %12s %8s\n' "case" "ms" "baseline ms" "ratio"

BASE_MS=""
if [[ -z "$BASELINE" ]]; then
    BASE_MS=$(time_ms "$BIN" "models")
fi
label() { if [[ -z "$1" ]]; then echo "(no arguments: default greenland-2026 run)"; else echo "$1"; fi; }
for c in "${CASES[@]}"; do
    if ! runs_ok "$BIN" "$c"; then
        printf '%-104s %12s\n' "$(label "$c")" "skipped (command fails on this build)"
        continue
    fi
    if [[ -z "$BASELINE" && "$c" == "models" ]]; then
        ms=$BASE_MS
    else
        ms=$(time_ms "$BIN" "$c")
    fi
    if [[ -n "$BASELINE" ]]; then
        if runs_ok "$BASELINE" "$c"; then
            b=$(time_ms "$BASELINE" "$c")
        else
            printf '%-104s %12s %12s\n' "$(label "$c")" "$ms" "n/a"
            continue
        fi
    else
        b=$BASE_MS
    fi
    ratio=$(awk -v a="$ms" -v b="$b" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-104s %12s %12s %8s\n' "$(label "$c")" "$ms" "$b" "$ratio"
done
