#!/usr/bin/env bash
# Issue 19 item 6: a sweep fanned out with GNU parallel over --shard i/n, merged, equals the local run: the merged
# tables (CSV and JSON) byte for byte, and every job's report apart from firmware.path and the invocation's ELF
# argument (the job folder) and firmware.sha256 (the ELF's debug information names the folder it was compiled in); nothing else differs. Skipped with one line when parallel is missing.
# usage: test_parallel.sh MCUSIM MATRIX.json WORKDIR
set -euo pipefail
mcusim=$1 matrix=$2 work=$3
command -v parallel >/dev/null || { echo "SKIP: GNU parallel is not installed (apt-get install parallel; .ci/run does)"; exit 77; }
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
shards=3

"$mcusim" sweep "$matrix" -j 2 --out local --quiet >local.log 2>&1 || fail "local sweep: $(tail -3 local.log)"
parallel --will-cite --halt now,fail=1 -j 2 \
  "$mcusim sweep $matrix --shard {}/$shards -j 1 --out shards/shard-{} --quiet >shard-{}.log 2>&1" ::: $(seq $shards) ||
  fail "a shard failed under parallel: $(cat shard-*.log | tail -5)"
for fmt in csv json; do
  "$mcusim" merge local --format $fmt -o local.$fmt 2>/dev/null || fail "merge of the local sweep ($fmt)"
  "$mcusim" merge shards/shard-* --format $fmt -o - >shards.$fmt 2>merge.err || fail "merge of the shards: $(cat merge.err)"
  cmp local.$fmt shards.$fmt || fail "the merged $fmt tables differ"
done
jobs=$(grep -c '"index"' local.json)
echo "ok   $shards shards under GNU parallel merge to the local table byte for byte ($jobs jobs, CSV and JSON)"
/usr/bin/python3 - <<'PY' || fail "job reports differ"
import glob, json, os, sys
local = sorted(glob.glob("local/jobs/*/report.json"))
bad = 0
for path in local:
    job = path.split("/")[2]
    other = glob.glob(f"shards/shard-*/jobs/{job}/report.json")
    a, b = (json.load(open(p)) for p in (path, other[0]))
    for r in (a, b):
        r["firmware"].pop("path")
        r["firmware"].pop("sha256")
        r["invocation"]["argv"].pop()  # the ELF's path: the job folder
    if a != b:
        bad += 1
        print("differs:", job)
print(f"{'ok  ' if not bad else 'FAIL'} {len(local)} job reports equal apart from the ELF path and firmware.sha256")
sys.exit(1 if bad or not local else 0)
PY
