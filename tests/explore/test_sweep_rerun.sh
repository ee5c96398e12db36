#!/usr/bin/env bash
# Issue 19: a sweep job's report records the invocation `mcusim run` would (workloads/explore/fwrun.c), so
# `mcusim rerun` repeats the job through the CLI and writes the same report byte for byte, from any folder; the
# recorded profile is checked like a run's (a changed one is refused).
# usage: test_sweep_rerun.sh MCUSIM MATRIX.json WORKDIR
set -euo pipefail
mcusim=$1 matrix=$2 work=$3
rm -rf "$work" && mkdir -p "$work/sub" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

# one job of the matrix (--shard 2/6: layer-wise on cortex-m4-0ws), into a relative folder
"$mcusim" sweep "$matrix" --shard 2/6 -j 1 --out out --quiet >sweep.log 2>&1 || fail "sweep: $(tail -3 sweep.log)"
report=$(ls out/jobs/*/report.json)
[ "$(echo "$report" | wc -l)" -eq 1 ] || fail "expected one job report, got: $report"
grep -q '"invocation"' "$report" || fail "the job report has no invocation"
(cd sub && "$mcusim" rerun "../$report" -r ../again.json >../rerun.txt) || fail "rerun exited $?: $(cat rerun.txt)"
cmp "$report" again.json || fail "the rerun's report differs from the sweep job's"
grep -q "firmware exited with code 0" rerun.txt || fail "rerun printed no summary"
echo "ok   rerun of a sweep job ($(dirname "$report")) gives its report byte for byte"
/usr/bin/python3 - "$report" <<'PY' || fail "the invocation is not what mcusim run records"
import json, sys
inv = json.load(open(sys.argv[1]))["invocation"]
assert inv["argv"][:2] == ["--quiet", "--profile"] and inv["argv"][3].endswith("/fw.elf"), inv["argv"]
assert inv["profile"]["arg"] == inv["argv"][2] and len(inv["profile"]["sha256"]) == 64, inv["profile"]
assert inv["annotations"] == [], inv["annotations"]
print("ok   invocation:", " ".join(inv["argv"]))
PY
echo "sweep rerun test passed"
