#!/usr/bin/env bash
# Every command's text for people fits 120 columns (issue 19, item 4): runs each command on the bundled inputs (help
# texts, profiles, run summaries with layers, patches, the function profile and misuse warnings, compare with the
# plan beside, check passing and failing, plan and mcusim-gen --plan of every bundled model, a search, a sweep)
# and fails on any line of standard output or error wider than 120 characters (Unicode code points: the bar
# characters of the summary count one each). CSV and JSON are for tools and are not looked at. Paths are kept short
# (links in the work folder): a path the user gives is printed whole, however long.
#   test_width.sh MCUSIM MCUSIM_GEN SOURCE_DIR WORKLOAD_FIRMWARE_DIR TEST_FIRMWARE_DIR WORK_DIR
set -uo pipefail
mcusim="$1" gen="$2" src="$3" wl="$4" tfw="$5" work="$6/width"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ln -s "$wl" fw && ln -s "$tfw" tfw && ln -s "$src/workloads/models" models && ln -s "$src/baselines" baselines
out="$work/all.txt"
: >"$out"

# Runs a command, appending "$ command" and everything it printed; exit codes are not this test's business, but
# a crash (signal) is.
step() {
  echo "\$ $*" >>"$out"
  "$@" >>"$out" 2>&1
  local rc=$?
  if [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then
    echo "FAIL: '$*' could not run (exit $rc)"
    exit 1
  fi
  if [ "$rc" -ge 128 ]; then
    echo "FAIL: '$*' ended by signal $((rc - 128))"
    exit 1
  fi
}

step "$mcusim" --help
for c in run profiles bench compare plan check export search sweep merge; do step "$mcusim" "$c" --help; done
step "$gen" --help
step "$mcusim" profiles
if [ -f fw/mcunet-vww-r160_patch2.elf ]; then
  step "$mcusim" run -q -p stm32f746 --profile-functions -r p2.json fw/mcunet-vww-r160_patch2.elf
  step "$mcusim" run -q -p stm32f746 -r lw.json fw/mcunet-vww-r160_layerwise.elf
  step "$mcusim" run -q -p stm32f746 -r p3.json fw/mcunet-vww-r160_patch3.elf
  step "$mcusim" compare lw.json p2.json --model models/mcunet-vww-r160.json
  step "$mcusim" compare p2.json p3.json
  step "$mcusim" check p3.json --baseline baselines/mcunet-vww-r160_patch3.json
  step "$mcusim" check p2.json --baseline lw.json --allow-mismatch
  step "$mcusim" check lw.json --baseline p2.json --allow-mismatch
else
  echo "note: no bundled firmware in $wl (MCUSIM_FIRMWARE=OFF?): run, compare and check not covered" >&2
fi
if [ -f tfw/misuse_overlap.elf ]; then
  step "$mcusim" run -q -p cortex-m4-0ws tfw/misuse_overlap.elf
  step "$mcusim" run -q -p cortex-m4-0ws tfw/fault_unmapped_read.elf
fi
for m in models/*.json; do
  step "$mcusim" plan "$m"
  step "$mcusim" plan "$m" --patches 4 --split-blocks 4
  step "$gen" --model "$m" --schedule patch:n=4,blocks=4 --plan
done
if [ -f fw/mcunet-vww-r160_patch2.elf ]; then # the search and the sweep build firmware (arm-none-eabi-gcc)
  step "$mcusim" search models/person-det-mbv1-r96.json --profile stm32f412 --sram-budget 50000 --input flash -j 2 \
    --out search
  printf '{"version": 1, "models": ["person-det-mbv1-r96"], "schedules": ["layerwise"], "profiles": ["stm32f412"]}\n' \
    >matrix.json
  step "$mcusim" sweep matrix.json -j 1 --out sweep
fi

"$py" - "$out" <<'EOF'
import sys
bad = 0
for number, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace").read().split("\n"), 1):
    if len(line) > 120 and not line.startswith("$ "):
        bad += 1
        print(f"{sys.argv[1]}:{number}: {len(line)} columns: {line[:140]}")
lines = number
print(f"{lines} lines checked, {bad} wider than 120 columns")
sys.exit(1 if bad else 0)
EOF
