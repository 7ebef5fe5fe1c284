#!/usr/bin/env bash
# Load test of `statecraft serve` on loopback: starts the server on a free port, runs
# scripts/load-serve.mjs (CLIENTS concurrent clients re-running RUNS-run Greenland jobs for
# SECONDS seconds) and stops the server. Defaults are CI's short run; the figures in
# docs/performance.md come from `scripts/load-serve.sh 60 50 1000`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-60}
CLIENTS=${2:-50}
RUNS=${3:-1000}
BIN=target/release/statecraft
[ -x "$BIN" ] || cargo build --release -p statecraft-cli
LOG=$(mktemp)
"$BIN" serve --port 0 >"$LOG" 2>&1 &
PID=$!
trap 'kill -INT $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/' "$LOG" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
if [ -z "${URL:-}" ]; then echo "load test: the server printed no URL" >&2; cat "$LOG" >&2; exit 1; fi
node scripts/load-serve.mjs "$URL" "$PID" "$SECONDS_" "$CLIENTS" "$RUNS"
# The server must still answer after the load.
node -e "fetch('${URL}api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
echo "load test: server still healthy"
