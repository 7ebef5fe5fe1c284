#!/usr/bin/env bash
# Issue 11's per-run target (one run, sampling and aggregation included, <= 1.2x the model):
# callgrind instruction counts per run of the Greenland job on each output path, against the
# crisis model's own run in the same job, and optionally against a baseline binary.
#
#   scripts/callgrind-per-run.sh                       # this build (release, line tables)
#   scripts/callgrind-per-run.sh --baseline OTHER_BIN  # and the same cases of another binary
#   PATHS="table csv" scripts/callgrind-per-run.sh     # some of: table csv json forecast
#
# The job is the Greenland scenario without its [[hypotheses]] (so the evidence discount and
# the hypothesis tests do not run), `--discount-runs 0 --pivotal-runs 1 --threads 1`. Per run
# = (Ir(3,072 runs) - Ir(2,048 runs)) / 1,024, so start-up and per-job set-up cancel; "model" is
# `crisis::Compiled::run_slots` inclusive, the same difference over 1,024. The table path is what
# the default `statecraft` prints (`--format table`), the CSV path `--format csv`, the JSON path
# `--format json` (every var's summary and per-round series), the forecast path `statecraft
# forecast`. callgrind counts do not depend on the machine's load; each case takes about 15 s.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=""
if [[ "${1:-}" == "--baseline" ]]; then
    BASELINE=$(realpath "${2:?--baseline needs a path to a statecraft binary}")
fi
PATHS=${PATHS:-"table csv json forecast"}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -q -p statecraft-cli
BIN=$(realpath target/release/statecraft)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
awk '/^\[/ { skip = ($0 ~ /^\[\[?hypotheses/) } !skip' scenarios/greenland-2026.toml \
    >"$TMP/nohyp.toml"

args() { # PATH RUNS -> the command's arguments
    case "$1" in
    table) echo "run $TMP/nohyp.toml --runs $2 --discount-runs 0 --pivotal-runs 1" ;;
    csv) echo "run $TMP/nohyp.toml --runs $2 --discount-runs 0 --pivotal-runs 1 --format csv" ;;
    json) echo "run $TMP/nohyp.toml --runs $2 --discount-runs 0 --pivotal-runs 1 --format json" ;;
    forecast) echo "forecast $TMP/nohyp.toml --runs $2" ;;
    *) echo "unknown path $1 (table csv json forecast)" >&2; exit 2 ;;
    esac
}
per_run() { # BIN PATH -> "total_k model_k"
    for n in 2048 3072; do
        # shellcheck disable=SC2046
        valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$n" "$1" $(args "$2" "$n") \
            --threads 1 -q >/dev/null 2>"$TMP/cg.$n.log"
        grep -o 'Collected : [0-9]*' "$TMP/cg.$n.log" | awk '{ print $3 }' >"$TMP/tot.$n"
        callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$TMP/cg.$n" 2>/dev/null |
            awk '/crisis::Compiled::run_slots \[/ { gsub(",", "", $1); print $1; exit }' \
                >"$TMP/mod.$n"
    done
    awk -v a="$(cat "$TMP/tot.2048")" -v b="$(cat "$TMP/tot.3072")" \
        -v c="$(cat "$TMP/mod.2048")" -v d="$(cat "$TMP/mod.3072")" \
        'BEGIN { printf "%.1f %.1f", (b - a) / 1024 / 1e3, (d - c) / 1024 / 1e3 }'
}
printf '%-9s %12s %12s %7s' path "k Ir/run" "model k Ir" ratio
[[ -n "$BASELINE" ]] && printf ' %14s %7s %9s' "baseline k Ir" ratio "this/base"
echo
for p in $PATHS; do
    read -r tot mod <<<"$(per_run "$BIN" "$p")"
    printf '%-9s %12s %12s %7s' "$p" "$tot" "$mod" "$(awk -v a="$tot" -v b="$mod" \
        'BEGIN { printf "%.3f", a / b }')"
    if [[ -n "$BASELINE" ]]; then
        read -r btot bmod <<<"$(per_run "$BASELINE" "$p")"
        printf ' %14s %7s %9s' "$btot" "$(awk -v a="$btot" -v b="$bmod" \
            'BEGIN { printf "%.3f", a / b }')" "$(awk -v a="$tot" -v b="$btot" \
            'BEGIN { printf "%.3f", a / b }')"
    fi
    echo
done
