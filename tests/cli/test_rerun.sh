#!/usr/bin/env bash
# Issue 19 item 5: a report records its invocation; `mcusim rerun REPORT.json` repeats the run and its report equals
# the original byte for byte (outputs given in any form are left out of the record); a changed firmware, profile or
# annotation file is refused (exit 2, named), or rerun with --force.
# usage: test_rerun.sh MCUSIM FIRMWARE.elf PROFILE.json WORKDIR
set -euo pipefail
mcusim=$1 fw=$2 profile=$3 work=$4
rm -rf "$work" && mkdir -p "$work/sub" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
cp "$fw" fw.elf
cp "$profile" part.json
cp "$(dirname "$profile")/../annotations/newlib-malloc.json" ann.json 2>/dev/null || echo '{"version": 1}' >ann.json

# outputs in every form: -r, -qr, --report=, --json -, --csv, --folded (recorded as --profile-functions)
"$mcusim" run -qr a.json -p part.json --annotate newlib-malloc --max-insns 500000000 --csv a.csv --json - fw.elf >a.stdout 2>a.stderr
cmp -s a.json a.stdout || fail "--json - and -r give different reports"
grep -q '"invocation"' a.json || fail "no invocation in the report"
(cd sub && "$mcusim" rerun ../a.json -r ../b.json >../b.txt) || fail "rerun exited $?"
cmp a.json b.json || fail "the rerun's report differs from the original"
grep -q "firmware exited with code 0" b.txt || fail "rerun printed no summary"
echo "ok   rerun (from another folder) gives the same report byte for byte"
"$mcusim" run -q --report=c.json --profile=part.json --folded c.folded fw.elf >/dev/null
"$mcusim" rerun c.json --json >d.json 2>d.stderr
cmp c.json d.json || fail "rerun of a --folded run differs"
grep -q '"--profile-functions"' c.json || fail "--folded not recorded as --profile-functions"
echo "ok   rerun --json of a --folded run: same report"

# changed inputs: refused, named; --force reruns
printf 'x' >>fw.elf
set +e
"$mcusim" rerun a.json -r e.json 2>e.err; rc=$?
set -e
[ $rc -eq 2 ] || fail "rerun with a changed firmware exited $rc, not 2"
grep -q "firmware fw.elf changed since the report" e.err || fail "changed firmware not named: $(cat e.err)"
[ ! -e e.json ] || fail "a refused rerun wrote a report"
"$mcusim" rerun a.json --force -r e.json >/dev/null 2>e.err || true
grep -q "rerunning anyway" e.err && [ -s e.json ] || fail "--force did not rerun"
cp "$fw" fw.elf
sed -i 's/"clock_hz"/ "clock_hz"/' part.json
set +e
"$mcusim" rerun a.json -r f.json 2>f.err; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "profile .*part.json changed" f.err || fail "changed profile: exit $rc: $(cat f.err)"
echo "ok   a changed firmware or profile is refused (exit 2, named); --force reruns"
# a report without invocation
/usr/bin/python3 -c "import json; d=json.load(open('a.json')); d.pop('invocation'); json.dump(d, open('g.json','w'))"
set +e
"$mcusim" rerun g.json 2>g.err; rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'no "invocation"' g.err || fail "report without invocation: exit $rc: $(cat g.err)"
echo "rerun test passed"
