#!/usr/bin/env bash
# Monte Carlo at scale (issue 11): the Greenland main job (`statecraft forecast`: outcomes and
# questions, no hypotheses, pivotality or evidence discount) at several run counts and thread
# counts, wall time, CPU time and max RSS from /usr/bin/time, and the same cases of a baseline
# build in the same command with the ratios; then callgrind instruction counts per run.
#
#   scripts/bench-scale.sh                         # this build only
#   scripts/bench-scale.sh --baseline OTHER_BIN    # and ratios against another statecraft binary
#   SIZES="1000 10000 100000" scripts/bench-scale.sh --baseline OTHER_BIN
#   MILLION=1 scripts/bench-scale.sh               # add 1,000,000 runs on 2 threads (minutes)
#   CALLGRIND=0 scripts/bench-scale.sh             # skip the callgrind part
#
# Per-run instructions = (Ir of a 512-run job − Ir of a 256-run job) / 256 on one thread, so
# start-up and per-job set-up cancel; "model" is the crisis model's run inclusive in the
# 512-run job, over 512: `crisis::Compiled::run_slots` (`run_into` before the slot runs;
# compiled once per job, since the perf branch), or `crisis::run::run` / `crisis::run` (compiled every run) in older builds. The load average is printed first: the machine may
# be shared, and wall times under load are not the figures to quote.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000"}
BASELINE=""
if [[ "${1:-}" == "--baseline" ]]; then
    BASELINE=$(realpath "${2:?--baseline needs a path to a statecraft binary}")
fi
cargo build --release -q -p statecraft-cli
BIN=$(realpath target/release/statecraft)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure() { # BIN RUNS THREADS -> "wall user rss_mb"
    /usr/bin/time -f "%e %U %M" -o "$TMP/t" "$1" forecast --runs "$2" --threads "$3" \
        --format json -q >"$TMP/out.json"
    awk '{ printf "%s %s %.1f", $1, $2, $3 / 1024 }' "$TMP/t"
}
printf '%-9s %-7s %-24s %-24s %s\n' runs threads "this: wall/user/RSS MB" "baseline" "ratio wall, RSS"
cases=()
for n in $SIZES; do cases+=("$n 1" "$n 2"); done
if [[ "${MILLION:-0}" == 1 ]]; then cases+=("1000000 2"); fi
for c in "${cases[@]}"; do
    read -r n t <<<"$c"
    read -r w u r <<<"$(measure "$BIN" "$n" "$t")"
    if [[ -n "$BASELINE" && "$n" -le 100000 ]]; then
        read -r bw bu br <<<"$(measure "$BASELINE" "$n" "$t")"
        ratio=$(awk -v a="$w" -v b="$bw" -v x="$r" -v y="$br" \
            'BEGIN { printf "%.2f×, %.2f×", a / b, x / y }')
        printf '%-9s %-7s %-24s %-24s %s\n' "$n" "$t" "$w s/$u s/$r" "$bw s/$bu s/$br" "$ratio"
    else
        printf '%-9s %-7s %-24s\n' "$n" "$t" "$w s/$u s/$r"
    fi
done

if [[ "${CALLGRIND:-1}" == 1 ]] && command -v valgrind >/dev/null; then
    per_run() { # BIN -> "total_per_run model_per_run"
        for n in 256 512; do
            valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$n" "$1" forecast \
                --runs "$n" --threads 1 --format json -q >/dev/null 2>"$TMP/cg.$n.log"
        done
        a=$(grep -o 'Collected : [0-9]*' "$TMP/cg.256.log" | awk '{ print $3 }')
        b=$(grep -o 'Collected : [0-9]*' "$TMP/cg.512.log" | awk '{ print $3 }')
        m=$(callgrind_annotate --inclusive=yes "$TMP/cg.512" 2>/dev/null |
            awk '/statecraft_core::crisis::(Compiled::run_slots|Compiled::run_into|run::run|run) \[/ {
                gsub(",", "", $1); print $1; exit }')
        awk -v a="$a" -v b="$b" -v m="${m:-0}" \
            'BEGIN { printf "%.3f %.3f", (b - a) / 256 / 1e6, m / 512 / 1e6 }'
    }
    read -r tot mod <<<"$(per_run "$BIN")"
    echo "callgrind, per run of the main job: ${tot} M Ir in all, ${mod} M Ir in the model" \
        "(crisis::Compiled::run_slots), ratio $(awk -v a="$tot" -v b="$mod" 'BEGIN { printf "%.2f", a / b }')"
    if [[ -n "$BASELINE" ]]; then
        read -r btot bmod <<<"$(per_run "$BASELINE")"
        echo "baseline: ${btot} M Ir in all, ${bmod} M Ir in the model; this/baseline" \
            "$(awk -v a="$tot" -v b="$btot" 'BEGIN { printf "%.2f", a / b }')"
    fi
fi
