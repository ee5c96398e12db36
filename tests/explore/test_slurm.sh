#!/usr/bin/env bash
# Issue 19 item 6: a sweep as a Slurm job array on a single-node Slurm started here (slurmctld + slurmd + munged,
# in a private folder, on private ports), merged and compared byte for byte with the local run (as
# test_parallel.sh does for GNU parallel). Needs root and Debian's slurm-wlm and munge (.ci/run installs them);
# otherwise skipped with one line saying why. Everything started is stopped at exit, by pid.
# usage: test_slurm.sh MCUSIM MATRIX.json WORKDIR
set -euo pipefail
mcusim=$1 matrix=$2 work=$3
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "not root: a private Slurm needs root to start slurmd"
for t in slurmctld slurmd munged sbatch sinfo scontrol; do
  command -v $t >/dev/null || PATH=$PATH:/usr/sbin command -v $t >/dev/null ||
    skip "$t is missing (apt-get install slurm-wlm munge; .ci/run does)"
done
export PATH=$PATH:/usr/sbin
[ -r /etc/munge/munge.key ] || skip "no /etc/munge/munge.key (the munge package creates it)"
rm -rf "$work" && mkdir -p "$work"/{spool,state,log,munge} && cd "$work"
fail() {
  echo "FAIL: $*"
  for f in log/*.log; do echo "--- $f"; tail -15 "$f"; done
  exit 1
}

pids=()
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && scontrol shutdown >/dev/null 2>&1 || true
  sleep 1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in slurmctld.pid slurmd.pid munged.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
}
trap cleanup EXIT

# munge: its own socket, as the munge user (munged refuses root), with the installed key
chown munge: munge && chmod 755 munge
cp /etc/munge/munge.key munge/key && chown munge: munge/key && chmod 400 munge/key
runuser -u munge -- munged --socket="$work/munge/socket" --key-file="$work/munge/key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/seed" --log-file="$work/munge/munged.log" ||
  skip "munged does not start here: $(tail -2 munge/munged.log 2>/dev/null)"
cp munge/munged.pid munged.pid

host=$(hostname -s)
cpus=$(nproc)
port=$((20000 + RANDOM % 20000))
cat >slurm.conf <<CONF
ClusterName=mcusimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=60
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=100 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF" -i || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N "$host" || fail "slurmd did not start"
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %T 2>/dev/null | head -1)
  [ "$state" = "idle" ] && break
  sleep 1
done
[ "$state" = "idle" ] || fail "the node is '$state', not idle, after 60 s"
echo "ok   single-node Slurm up ($host, $cpus CPUs, slurm $(sinfo -V | cut -d' ' -f2))"

# the job array of docs/sweep.md: one shard per array task
shards=3
cat >sweep.sbatch <<SB
#!/bin/bash
#SBATCH --job-name=mcusim-sweep
#SBATCH --array=1-$shards
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/log/array-%a.out
$mcusim sweep $matrix --shard "\${SLURM_ARRAY_TASK_ID}/\${SLURM_ARRAY_TASK_COUNT}" -j "\${SLURM_CPUS_PER_TASK}" \
  --out "$work/out/shard-\${SLURM_ARRAY_TASK_ID}" --quiet
SB
sbatch --parsable --wait sweep.sbatch >jobid.txt 2>sbatch.err || fail "the array failed: $(cat sbatch.err; cat log/array-*.out)"
n=$(ls -d out/shard-* | wc -l)
[ "$n" -eq $shards ] || fail "$n of $shards shards ran"
echo "ok   job array $(cat jobid.txt) ran $shards shards"

"$mcusim" sweep "$matrix" -j 2 --out local --quiet >local.log 2>&1 || fail "local sweep: $(tail -3 local.log)"
for fmt in csv json; do
  "$mcusim" merge local --format $fmt -o local.$fmt 2>/dev/null || fail "merge of the local sweep ($fmt)"
  "$mcusim" merge out/shard-* --format $fmt -o - >slurm.$fmt 2>merge.err || fail "merge of the shards: $(cat merge.err)"
  cmp local.$fmt slurm.$fmt || fail "the merged $fmt tables differ"
done
echo "ok   the Slurm array's shards merge to the local table byte for byte ($(grep -c '"index"' local.json) jobs, CSV and JSON)"
