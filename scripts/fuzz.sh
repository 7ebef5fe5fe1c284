#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other, with seed corpora
# built from the sample files and a dictionary per format (fuzz/dict/). Needs a nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Exits non-zero on the first crash,
# timeout or out-of-memory; prints each target's executions. See docs/reliability.md.
#
#   scripts/fuzz.sh 60            # all targets, 60 s each
#   TARGETS="predicate" scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
ALL="toml_scenario plain_csv ktab_csv ktab_xml predicate set_value sweep_manifest score_inputs simulate"
TARGETS="${TARGETS:-$ALL}"
KTAB_INPUTS="../shared/reference/ktab/inputs"
CORPUS_ROOT="target/fuzz-corpus"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: needs a nightly toolchain with cargo-fuzz (rustup toolchain install nightly; cargo install cargo-fuzz)" >&2
  exit 3
fi

seed() { # seed TARGET FILES...
  local dir="$CORPUS_ROOT/$1"
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"
  done
  return 0
}

shopt -s nullglob
TOMLS=(scenarios/*.toml scenarios/examples/*.toml tests/fixtures/bad/*.toml crates/statecraft-core/tests/fixtures/*.toml)
seed toml_scenario "${TOMLS[@]}"
seed simulate scenarios/examples/*.toml tests/fixtures/bad/crisis_*.toml tests/fixtures/bad/*.csv
seed plain_csv tests/fixtures/bad/*.csv crates/statecraft-core/tests/fixtures/*.csv
seed ktab_csv "$KTAB_INPUTS"/*.csv
seed ktab_xml "$KTAB_INPUTS"/*.xml
mkdir -p "$CORPUS_ROOT/predicate" "$CORPUS_ROOT/set_value" "$CORPUS_ROOT/sweep_manifest" "$CORPUS_ROOT/score_inputs"
# Predicates and --set values: every `when = "..."` of the sample scenarios, and a few edits.
n=0
for f in "${TOMLS[@]}"; do
  { grep -ho 'when = "[^"]*"' "$f" || true; } | sed 's/^when = "//; s/"$//' | while IFS= read -r w; do
    printf '%s' "$w" > "$CORPUS_ROOT/predicate/seed-$(printf '%s' "$w" | sha1sum | cut -c1-12)"
  done
done
printf 'issue.budget >= 2026-06-30 and not (option.x.taken or cohesion < 0.5)' > "$CORPUS_ROOT/predicate/seed-dates"
for e in "stance.a.budget.position=80" "actor.b.capability = 3" "stance.c.budget.salience=0.5"; do
  n=$((n + 1)); printf '%s' "$e" > "$CORPUS_ROOT/set_value/seed-$n"
done
printf '{"scenario":"s","scenario_hash":"h","seed":1,"runs":2,"engine_version":"0","questions":[{"id":"a","title":"t","probability":0.5,"lo":0,"hi":1,"yes":1,"runs":2}]}' \
  > "$CORPUS_ROOT/score_inputs/seed-forecast.json"
printf 'id,outcome\na,1\nb,0\n' > "$CORPUS_ROOT/score_inputs/seed-res.csv"
printf '[resolutions]\na = true\n' > "$CORPUS_ROOT/score_inputs/seed-res.toml"
# A real manifest when the binary is built (else the dictionary has to do).
if [ -x target/release/statecraft ]; then
  target/release/statecraft sweep plan minimal --grid "stance.a.budget.position=10,50" --runs 5 \
    --output "$CORPUS_ROOT/sweep_manifest/seed-manifest.json" 2>/dev/null || true
fi

total=0
for t in $TARGETS; do
  log="target/fuzz-$t.log"
  echo "== fuzz $t for ${SECONDS_EACH}s"
  if ! cargo +nightly fuzz run "$t" "$CORPUS_ROOT/$t" -- \
      -max_total_time="$SECONDS_EACH" -dict="fuzz/dict/$t.dict" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz.sh: target $t FAILED (crash, timeout or OOM); reproducer under fuzz/artifacts/$t/" >&2
    exit 1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  echo "   $t: ${execs:-?} executions, 0 crashes"
  total=$((total + ${execs:-0}))
done
echo "fuzz.sh: all targets passed; $total executions in total"
