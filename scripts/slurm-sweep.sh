#!/usr/bin/env bash
# Runs the Slurm recipe of docs/sweeps.md for real on this machine: starts munge, slurmctld and
# slurmd (Debian's slurm-wlm, one node = localhost), submits a 4-task array of
# `statecraft sweep run`, reduces the shards and checks the merged CSV against a one-machine
# sweep. Opt-in (needs root, installs slurm-wlm + munge): `scripts/slurm-sweep.sh`, or
# `SLURM_TEST=1 scripts/test.sh`. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BIN="$ROOT/target/release/statecraft"
[ -x "$BIN" ] || cargo build --release -p statecraft-cli
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge
fi

W="$(mktemp -d /tmp/statecraft-slurm.XXXXXX)"
chmod 755 "$W"
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM="$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)"
mkdir -p "$W/spool/ctld" "$W/spool/d" "$W/log" "$W/munge" "$W/run"
# Slurm 22.05 keeps job state as SlurmUser (root here: a test, not a cluster).
cat > "$W/slurm.conf" <<CONF
ClusterName=statecraft-test
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmctldPidFile=$W/run/slurmctld.pid
SlurmdPidFile=$W/run/slurmd.pid
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$W/spool/ctld
SlurmdSpoolDir=$W/spool/d
SlurmctldLogFile=$W/log/slurmctld.log
SlurmdLogFile=$W/log/slurmd.log
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$W/slurm.conf"

cleanup() {
  local pids=()
  for f in "$W/run/slurmd.pid" "$W/run/slurmctld.pid" "$W/munge/munged.pid"; do
    [ -f "$f" ] && pids+=("$(cat "$f")")
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do  # up to 5 s for the daemons to exit
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
}
trap 'cleanup; rm -rf "$W"' EXIT

# munge with its own key, socket and pid file (no system service needed).
dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$W/munge" "$W/munge/munge.key"
chmod 700 "$W/munge"; chmod 400 "$W/munge/munge.key"
mkdir -p /run/munge && chown munge:munge /run/munge
runuser -u munge -- munged --key-file="$W/munge/munge.key" --pid-file="$W/munge/munged.pid" \
  --log-file="$W/munge/munged.log" --seed-file="$W/munge/seed" --force
munge -n | unmunge >/dev/null

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then break; fi
  sleep 1
done
sinfo

# The recipe: plan, a 4-task array (--shard from $SLURM_ARRAY_TASK_ID), reduce.
"$BIN" sweep plan greenland-2026 --grid stance.us.mil_rights.position=40,60,80,95 \
  --grid crisis.ally.uk.alignment=-0.5,0.5 --runs 200 --seed 7 -o "$W/sweep.json"
cat > "$W/sweep.sbatch" <<JOB
#!/bin/bash
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=$W/log/shard-%a.out
"$BIN" sweep run "$W/sweep.json" --of 4 --threads "\$SLURM_CPUS_PER_TASK" --out "$W/results"
JOB
JOB=$(sbatch --parsable --wait "$W/sweep.sbatch") || { cat "$W/log/"*; exit 1; }
echo "array job $JOB finished"
"$BIN" sweep reduce "$W/results" -o "$W/merged.csv" --manifest "$W/sweep.json"

# The same sweep on one machine, one shard: byte-identical.
"$BIN" sweep run "$W/sweep.json" --shard 0 --of 1 --out "$W/one"
"$BIN" sweep reduce "$W/one" -o "$W/one.csv"
if cmp -s "$W/merged.csv" "$W/one.csv"; then
  echo "slurm: 4-task array merged = one-machine sweep ($(($(wc -l < "$W/merged.csv") - 1)) points), byte for byte"
else
  echo "slurm: merged CSV differs from the one-machine sweep" >&2
  diff "$W/merged.csv" "$W/one.csv" | head >&2
  exit 1
fi
