#!/usr/bin/env bash
# Issue 11's per-run target (one run, sampling and aggregation included, <= 1.2x the model):
# callgrind instruction counts per run of the Greenland job on each output path, against the
# crisis model's own run in the same job, and optionally against a baseline binary.
#
#   scripts/callgrind-per-run.sh                       # this build (release, line tables)
#   scripts/callgrind-per-run.sh --baseline OTHER_BIN  # and the same cases of another binary
#   PATHS="table csv" scripts/callgrind-per-run.sh     # some of: table csv json forecast
#   RUNS="9216 10240" scripts/callgrind-per-run.sh     # per run past the caps (at scale)
#   REFS=1 scripts/callgrind-per-run.sh                # and the crisis bench's own model runs
#
# The job is the Greenland scenario without its [[hypotheses]] (so the evidence discount and
# the hypothesis tests do not run), `--discount-runs 0 --pivotal-runs 1 --threads 1`. Per run
# = (Ir(3,072 runs) - Ir(2,048 runs)) / 1,024, so start-up and per-job set-up cancel; "model" is
# `crisis::Compiled::run_slots` inclusive, the same difference over 1,024. The table path is what
# the default `statecraft` prints (`--format table`), the CSV path `--format csv`, the JSON path
# `--format json` (every var's summary and per-round series), the forecast path `statecraft
# forecast`. callgrind counts do not depend on the machine's load; each case takes about 15 s.
#
# RUNS sets the two run counts (default "2048 3072"). Past `mc::agg::SERIES_MAX_RUNS` (8,192) a
# run records and folds no series and the var summaries are sketched (`VAR_EXACT_CAP`), so
# "9216 10240" gives the per-run cost of a long job; each case then takes about a minute.
#
# REFS=1 also measures the crisis bench's own model-only runs (`cargo bench --bench crisis`,
# what issue 11's target names): `greenland_run` (compile and run, every var and series by
# name) and `greenland_compiled_run` (the compiled model, every var and series by name), per
# run = (Ir(1,500 iterations) - Ir(500)) / 1,000, and each path's cost against them.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=""
if [[ "${1:-}" == "--baseline" ]]; then
    BASELINE=$(realpath "${2:?--baseline needs a path to a statecraft binary}")
fi
PATHS=${PATHS:-"table csv json forecast"}
read -r N1 N2 <<<"${RUNS:-2048 3072}"
[[ "$N1" =~ ^[0-9]+$ && "$N2" =~ ^[0-9]+$ && "$N2" -gt "$N1" ]] ||
    { echo "RUNS must be two run counts, the second larger" >&2; exit 2; }
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
    for n in "$N1" "$N2"; do
        # shellcheck disable=SC2046
        valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$n" "$1" $(args "$2" "$n") \
            --threads 1 -q >/dev/null 2>"$TMP/cg.$n.log"
        grep -o 'Collected : [0-9]*' "$TMP/cg.$n.log" | awk '{ print $3 }' >"$TMP/tot.$n"
        callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$TMP/cg.$n" 2>/dev/null |
            awk '/crisis::Compiled::run_slots \[/ { gsub(",", "", $1); print $1; exit }' \
                >"$TMP/mod.$n"
    done
    awk -v a="$(cat "$TMP/tot.$N1")" -v b="$(cat "$TMP/tot.$N2")" \
        -v c="$(cat "$TMP/mod.$N1")" -v d="$(cat "$TMP/mod.$N2")" -v k="$((N2 - N1))" \
        'BEGIN { printf "%.1f %.1f", (b - a) / k / 1e3, (d - c) / k / 1e3 }'
}
printf '%-9s %12s %12s %7s' path "k Ir/run" "model k Ir" ratio
[[ -n "$BASELINE" ]] && printf ' %14s %7s %9s' "baseline k Ir" ratio "this/base"
echo
declare -A TOTAL
for p in $PATHS; do
    read -r tot mod <<<"$(per_run "$BIN" "$p")"
    TOTAL[$p]=$tot
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

[[ "${REFS:-0}" == 1 ]] || exit 0
# the crisis bench's own model-only runs, built as the CLI was (release, line tables)
EXE=$(CARGO_PROFILE_BENCH_DEBUG=line-tables-only cargo bench -q -p statecraft-core --bench crisis \
    --no-run --message-format=json 2>/dev/null |
    grep -o '"executable":"[^"]*crisis-[^"]*"' | tail -n 1 | cut -d'"' -f4)
[[ -x "$EXE" ]] || { echo "could not build the crisis bench" >&2; exit 2; }
echo
printf '%-24s %12s' "crisis bench" "k Ir/run"
for p in $PATHS; do printf ' %9s' "$p/it"; done
echo
for b in greenland_run greenland_compiled_run; do
    for n in 500 1500; do
        valgrind --tool=callgrind --callgrind-out-file="$TMP/b.$n" "$EXE" --bench "$b" \
            --sample-count 1 --sample-size "$n" --threads 1 >/dev/null 2>"$TMP/b.$n.log"
        grep -o 'Collected : [0-9]*' "$TMP/b.$n.log" | awk '{ print $3 }' >"$TMP/b.$n.tot"
    done
    ref=$(awk -v a="$(cat "$TMP/b.500.tot")" -v b="$(cat "$TMP/b.1500.tot")" \
        'BEGIN { printf "%.1f", (b - a) / 1000 / 1e3 }')
    printf '%-24s %12s' "$b" "$ref"
    for p in $PATHS; do
        printf ' %9s' "$(awk -v a="${TOTAL[$p]}" -v b="$ref" 'BEGIN { printf "%.3f", a / b }')"
    done
    echo
done
