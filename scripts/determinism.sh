#!/usr/bin/env bash
# Determinism: the same firmware + profile give byte-identical JSON reports across runs and across -O0 and -O2
# builds of the simulator (ARCHITECTURE.md: reports carry no timestamp or host timing).
#
# Builds the library + CLI twice (no firmware, no tests) into $MCUSIM_DET_BUILD-O0/-O2 and runs firmware from the
# main build ($MCUSIM_BUILD, made by scripts/test.sh) with each; any difference fails with a diff.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAIN_BUILD="${MCUSIM_BUILD:-$ROOT/build}"
DET_BUILD="${MCUSIM_DET_BUILD:-$ROOT/build-det}"
OUT="$DET_BUILD-reports"
jobs=$(nproc)

for opt in O0 O2; do
  cmake -S "$ROOT" -B "$DET_BUILD-$opt" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-$opt" -DMCUSIM_FIRMWARE=OFF \
    -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$DET_BUILD-$opt" -j"$jobs" --target mcusim >"$DET_BUILD-$opt.log" 2>&1 || {
    tail -30 "$DET_BUILD-$opt.log" >&2
    exit 70
  }
done

# firmware (relative to the main build) and profile; faults and limits included: partial reports too
cases=(
  "tests/firmware/hello.elf cortex-m4-0ws"
  "tests/firmware/itm_events.elf cortex-m4-0ws"
  "tests/firmware/cyccnt_1000.elf cortex-m4-0ws"
  "tests/firmware/fault_unmapped_write.elf cortex-m4-0ws"
  "tests/firmware/fault_undefined.elf cortex-m4-0ws"
  "tests/firmware/bench_dot.elf stm32f412"
  "workloads/firmware/person-det-mbv1-r96_patch2.elf stm32f412"
  "workloads/firmware/mcunet-vww-r160_patch3.elf stm32f746 --max-insns 20000000"
)
rm -rf "$OUT" && mkdir -p "$OUT"
compared=0
for c in "${cases[@]}"; do
  read -r fw profile extra <<<"$c"
  elf="$MAIN_BUILD/$fw"
  if [ ! -f "$elf" ]; then
    echo "determinism: $elf missing (run scripts/test.sh first)" >&2
    exit 2
  fi
  name=$(basename "$fw" .elf)
  for run in O0-a O0-b O2-a; do
    # shellcheck disable=SC2086
    "$DET_BUILD-${run%-*}/sim/mcusim" run -q -p "$profile" $extra -r "$OUT/report.json" "$elf" >"$OUT/$name.$run.log" 2>&1 ||
      true
    if [ ! -f "$OUT/report.json" ]; then
      echo "determinism: $name ($run) wrote no report:" >&2
      cat "$OUT/$name.$run.log" >&2
      exit 1
    fi
    mv "$OUT/report.json" "$OUT/$name.$run.json"
  done
  for run in O0-b O2-a; do
    if ! cmp -s "$OUT/$name.O0-a.json" "$OUT/$name.$run.json"; then
      echo "determinism: $name: report differs between O0-a and $run" >&2
      diff "$OUT/$name.O0-a.json" "$OUT/$name.$run.json" | head -20 >&2
      exit 1
    fi
  done
  compared=$((compared + 1))
done
echo "determinism: $compared firmware x 3 runs (-O0 twice, -O2 once): reports byte-identical"
