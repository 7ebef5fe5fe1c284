#!/usr/bin/env bash
# Benchmark (not a test): the adaptive default run reaches its precision target.
# Runs the default `statecraft run` (no --runs: batches of 1,024 until every outcome's Wilson
# 95% half-width is at most 1.5 points, cap 20,480) for seeds 1-3 and prints the runs used,
# whether the target was met, the widest half-width and the wall time. Figures in
# docs/performance.md ("Adaptive precision").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p statecraft-cli
bin=target/release/statecraft
for seed in 1 2 3; do
  start=$(date +%s.%N)
  "$bin" run greenland-2026 --seed "$seed" --format json > "target/bench-adaptive-$seed.json"
  end=$(date +%s.%N)
  python3 - "$seed" "$start" "$end" "target/bench-adaptive-$seed.json" <<'PY'
import json, sys
seed, t0, t1, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
p = json.load(open(path))["mc"]["precision"]
print(f"seed {seed}: runs {p['runs']}, target ±{100*p['target']['abs']:.1f} points "
      f"{'met' if p['met'] else 'NOT met'}, widest ±{100*p['max_half_width']:.2f}, "
      f"wall {t1 - t0:.1f} s (whole default study)")
PY
done
