#!/usr/bin/env bash
# mcusim's cycle counts against Embench IoT 1.0's published Cortex-M4 reference (STM32F4-Discovery, STM32F407 at
# 16 MHz, flash at zero wait states, GCC -O2, newlib-nano; baseline-data/speed.json, milliseconds per benchmark).
# Fetches nothing: give it a checkout of the suite at its 1.0 release (docs/accuracy.md; a 2.0 checkout works too:
# the same board with GCC 14.1 and full newlib, built with its own flags, -fdata-sections, no -march):
#
#   git clone https://github.com/embench/embench-iot && git -C embench-iot checkout embench-1.0
#   scripts/accuracy.sh embench-iot                 # M4 (reference flags), then M3
#   ACCURACY_CORES=m4 scripts/accuracy.sh embench-iot
#
# Builds each benchmark with the reference flags (-O2 -ffunction-sections -march=armv7-m -mcpu=cortex-m4
# -mfloat-abi=soft -mthumb; -mcpu=cortex-m3 for the M3 rows), the suite's support code and linker script, and
# mcusim's own board support (scripts/accuracy/board.c: DWT->CYCCNT around benchmark(), semihosting exit), with
# arm-none-eabi-gcc and newlib-nano (-specs=nano.specs -specs=nosys.specs -lm). CPU_MHZ=1 runs 1/16 of the
# reference's iterations (it used CPU_MHZ=16), so the reference cycles are ms x 16,000 / 16 = ms x 1,000.
# Runs each under `mcusim run -p scripts/accuracy/stm32f407-0ws-CORE.json` (the board's memory map: flash, SRAM1,
# SRAM2 and CCM as separate memory blocks; zero wait states) and prints, per benchmark, mcusim cycles / reference
# cycles, then the geometric mean and the spread. The M3 rows compare an M3 build against the M4 board (no M3
# reference exists): they track the model, they do not validate it. Not run by CI (needs the external checkout).
#
# Environment: MCUSIM_BUILD (default build/: uses $MCUSIM_BUILD/sim/mcusim), ACCURACY_OUT (default
# $MCUSIM_BUILD/accuracy: ELFs, logs, results.tsv), ACCURACY_CORES (default "m4 m3"), CC (arm-none-eabi-gcc),
# ACCURACY_CFLAGS (extra compiler flags), ACCURACY_EXCLUDE (benchmarks left out of the mean, default statemate on 1.0).
# Exit 0 when every benchmark ran and verified, 1 otherwise, 2 bad input.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/scripts/accuracy"

if [ $# -eq 1 ] && [ ! -d "$1" ]; then
  echo "scripts/accuracy.sh: $1: not a directory (an embench-iot checkout)" >&2
  exit 2
fi
if [ $# -ne 1 ]; then
  echo "usage: scripts/accuracy.sh EMBENCH_IOT_CHECKOUT (git clone https://github.com/embench/embench-iot;" \
    "git checkout embench-1.0)" >&2
  exit 2
fi
embench="$(cd "$1" && pwd)"
speed="$embench/baseline-data/speed.json"
if [ -f "$embench/config/arm/boards/stm32f4-discovery/STM32F407XG.ld" ]; then
  version=1.0
  ld="$embench/config/arm/boards/stm32f4-discovery/STM32F407XG.ld"
else
  version=2.0
  ld="$embench/examples/arm/stm32f4-discovery/STM32F407IGHX_FLASH.ld"
fi
for f in "$ld" "$speed" "$embench/support/main.c" "$embench/support/beebsc.c"; do
  if [ ! -f "$f" ]; then
    echo "scripts/accuracy.sh: $f: not found (is $embench an embench-iot checkout at tag embench-1.0 or 2.0?)" >&2
    exit 2
  fi
done

build="${MCUSIM_BUILD:-$root/build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
mcusim="$build/sim/mcusim"
out="${ACCURACY_OUT:-$build/accuracy}"
cc="${CC:-arm-none-eabi-gcc}"
cores="${ACCURACY_CORES:-m4 m3}"
# statemate (1.0) compares ints converted to double: GCC 10 and later fold the conversions away, the reference's
# GCC 9.2 called soft-float routines (the suite removed them for 2.0 and raised the benchmark's scale factor
# 1964 -> 4805); a newer compiler runs it about 2.4 times faster, so it says nothing about the model
default_exclude=statemate
[ "$version" = 1.0 ] || default_exclude=
exclude="${ACCURACY_EXCLUDE-$default_exclude}"
if [ ! -x "$mcusim" ]; then
  echo "scripts/accuracy.sh: $mcusim: not built (cmake --build build --target mcusim)" >&2
  exit 2
fi
mkdir -p "$out"

# reference milliseconds per benchmark, "name ms" lines
sed -n 's/^[{ ]*"\([a-z0-9-]*\)" *: *\([0-9]*\).*/\1 \2/p' "$speed" >"$out/reference.txt"

status=0
results="$out/results.tsv"
: >"$results"
for core in $cores; do
  profile="$here/stm32f407-0ws-$core.json"
  if [ "$version" = 1.0 ]; then
    cflags=(-O2 -ffunction-sections -march=armv7-m "-mcpu=cortex-$core" -mfloat-abi=soft -mthumb -DCPU_MHZ=1)
    lflags=(-O2 -Wl,-gc-sections -march=armv7-m "-mcpu=cortex-$core" -mfloat-abi=soft -mthumb -specs=nano.specs)
  else # 2.0: the reference used GCC 14.1, full newlib 4.3.0, gsf=16 (GLOBAL_SCALE_FACTOR=1 here: 1/16 too)
    cflags=(-O2 -ffunction-sections -fdata-sections "-mcpu=cortex-$core" -mfloat-abi=soft -mthumb
      -DGLOBAL_SCALE_FACTOR=1)
    lflags=(-O2 -Wl,--gc-sections "-mcpu=cortex-$core" -mfloat-abi=soft -mthumb -static)
  fi
  cflags+=(-DWARMUP_HEAT=1 -I"$embench/support" ${ACCURACY_CFLAGS:-})
  lflags+=(-T"$ld" -nostartfiles -specs=nosys.specs)
  objdir="$out/$core"
  mkdir -p "$objdir/support"
  # the reference flags make GCC warn that -mcpu=cortex-m4 conflicts with -march=armv7-m (-march wins: the
  # ISA is ARMv7-M, the tuning the M4's), as they did for the reference; compiler output goes to cc.log
  ccl="$objdir/cc.log"
  : >"$ccl"
  compile() {
    "$cc" "${cflags[@]}" -c "$1" -o "$2" 2>>"$ccl" || {
      echo "scripts/accuracy.sh: $1: compile failed, see $ccl" >&2
      exit 1
    }
  }
  for s in main beebsc; do compile "$embench/support/$s.c" "$objdir/support/$s.o"; done
  compile "$here/board.c" "$objdir/support/board.o"
  while read -r bench ms; do
    src="$embench/src/$bench"
    [ -d "$src" ] || continue
    mkdir -p "$objdir/$bench"
    objs=()
    for c in "$src"/*.c; do
      o="$objdir/$bench/$(basename "${c%.c}").o"
      compile "$c" "$o"
      objs+=("$o")
    done
    elf="$objdir/$bench.elf"
    # link order as the suite's build_all.py: benchmark objects, then main.o, beebsc.o, the board
    "$cc" "${lflags[@]}" -o "$elf" "${objs[@]}" "$objdir/support/main.o" "$objdir/support/beebsc.o" \
      "$objdir/support/board.o" -lm 2>>"$ccl"
    rc=0
    "$mcusim" run -p "$profile" -r "$objdir/$bench.json" "$elf" >"$objdir/$bench.log" 2>&1 || rc=$?
    cycles=$(sed -n 's/^embench-cycles \([0-9]*\)$/\1/p' "$objdir/$bench.log")
    if [ "$rc" -ne 0 ] || [ -z "$cycles" ]; then
      echo "scripts/accuracy.sh: $bench ($core): mcusim exit $rc, see $objdir/$bench.log" >&2
      status=1
      continue
    fi
    printf '%s\t%s\t%s\t%s\n' "$core" "$bench" "$ms" "$cycles" >>"$results"
  done <"$out/reference.txt"
done

# ratio = mcusim cycles / (reference ms x 1,000); the geometric mean and spread leave out $ACCURACY_EXCLUDE
awk -F'\t' -v exclude=" $exclude " '
  function flush() {
    if (n == 0) return
    printf "%-4s %-16s %9s  (%d benchmarks%s)\n", core, "geomean", sprintf("%.3f", exp(logsum / n)), n, note
    printf "%-4s %-16s %9s\n\n", core, "spread", sprintf("%.3f-%.3f", lo, hi)
  }
  BEGIN { printf "%-4s %-16s %9s %12s %12s\n", "core", "benchmark", "ratio", "mcusim", "reference" }
  $1 != core { flush(); core = $1; n = 0; logsum = 0; lo = 1e9; hi = 0; note = "" }
  {
    ref = $3 * 1000; r = $4 / ref
    out = index(exclude, " " $2 " ") > 0
    printf "%-4s %-16s %9.3f %12d %12d%s\n", $1, $2, r, $4, ref, out ? "  (not in the mean)" : ""
    if (out) { note = note ", without " $2; next }
    n++; logsum += log(r); if (r < lo) lo = r; if (r > hi) hi = r
  }
  END { flush() }' "$results"
exit $status
