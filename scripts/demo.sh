#!/usr/bin/env bash
# The main job: what patch-based inference buys on a real part. Installs what is missing, builds mcusim and the
# bundled firmware, picks the patch schedule of the MCUNet-style Visual Wake Words model for the STM32F746 (320 KiB
# SRAM) with `mcusim search` (fits, fewest cycles; its reasoning is printed), simulates it and layer by layer, and
# prints the comparison: peak SRAM against the device, the reduction, the MAC and cycle overhead, the latency,
# per-layer rows, with the analytic plan beside; then the naive 3x3-patches-over-5-blocks schedule as the contrast.
# Reports and the comparison are written to build/demo/.   MCUSIM_SKIP_BUILD=1 uses the existing build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
if [ "${MCUSIM_SKIP_BUILD:-0}" != 1 ]; then
  mcusim_install_packages
  echo "mcusim: building (first time: about a minute)" >&2
  mcusim_build
fi
mcusim="$MCUSIM_BUILD/sim/mcusim"
fw="${MCUSIM_FIRMWARE_DIR:-$MCUSIM_BUILD/workloads/firmware}"
out="$MCUSIM_BUILD/demo"
model="$MCUSIM_ROOT/workloads/models/mcunet-vww-r160.json"
mkdir -p "$out"

# 1. The schedule: `mcusim search` enumerates layer-wise and n x n patches over every split of the memory-heavy
# stage, prunes with the analytic plan, simulates the rest on the F746 and picks the fewest cycles that fit. Its
# output is the reasoning (candidates, Pareto front, the choice); the bundled firmware of that schedule is then run.
echo "mcusim: searching VWW schedules for stm32f746 (builds and simulates the candidates the plan keeps)" >&2
# A fresh directory: the search keeps compiled runtime objects in DIR/rt-<core>/ and reuses them when present, even
# when the runtime's sources have changed since (measured: a rebuilt runtime gave the old cycles).
rm -rf "$out/search"
"$mcusim" search "$model" --profile stm32f746 -j "${MCUSIM_JOBS:-2}" --out "$out/search" >"$out/search.txt"
chosen=$(sed -n 's/.*"schedule":[[:space:]]*"\([^"]*\)".*/\1/p' "$out/search/schedule.json" | head -1)
bundled="patch:n=2,blocks=3" # mcunet-vww-r160_patch2.elf (workloads/firmware/CMakeLists.txt)
if [ "$chosen" != "$bundled" ]; then
  echo "mcusim: the search chose $chosen, not the bundled $bundled: see $out/search.txt" >&2
  exit 1
fi

echo "mcusim: VWW, $chosen (the search's choice), on stm32f746" >&2
"$mcusim" run --quiet --profile stm32f746 --report "$out/vww_patch2.json" "$fw/mcunet-vww-r160_patch2.elf" \
  >"$out/vww_patch2.txt"
echo "mcusim: VWW, patch:n=3,blocks=5 (naive: more patches over more blocks), on stm32f746" >&2
"$mcusim" run --quiet --profile stm32f746 --report "$out/vww_patch3.json" "$fw/mcunet-vww-r160_patch3.elf" \
  >"$out/vww_patch3.txt"

# Layer by layer the model needs more than the F746's SRAM. The simulator maps overflow SRAM behind the device's
# when it can (the report then says by how much it overflows); otherwise the run goes to sim-large (same core,
# same memory bases, more SRAM) and the comparison still judges both against the F746's 320 KiB.
# Two layer-wise runs of the same network: each names the stage of the patch schedule it is compared with (3 or 5
# blocks), so `compare` puts the patch stage's rows side by side.
mismatch=()
layerwise() { # ELF-suffix report-name
  echo "mcusim: VWW, layer by layer ($1), on stm32f746" >&2
  if ! "$mcusim" run --quiet --profile stm32f746 --report "$out/$2.json" "$fw/mcunet-vww-r160_$1.elf" \
    >"$out/$2.txt" 2>"$out/$2.err"; then
    echo "mcusim: $(head -1 "$out/$2.err")" >&2
    echo "mcusim: running the layer-wise firmware on sim-large instead" >&2
    "$mcusim" run --quiet --profile sim-large --report "$out/$2.json" "$fw/mcunet-vww-r160_$1.elf" >"$out/$2.txt"
    mismatch=(--allow-mismatch)
  fi
}
layerwise layerwise3 vww_layerwise3
layerwise layerwise vww_layerwise

echo
echo "== the search (mcusim search $model --profile stm32f746) =="
echo "The demo runs the schedule the search chooses for this part (fits the SRAM, fewest cycles): patch-based"
echo "inference at its best here. The naive schedule (3x3 patches over 5 blocks) follows as the contrast."
cat "$out/search.txt"
echo
echo "== the chosen schedule, $chosen, against layer-wise =="
"$mcusim" compare "${mismatch[@]}" --model "$model" "$out/vww_layerwise3.json" "$out/vww_patch2.json" |
  tee "$out/compare.txt"
"$mcusim" compare "${mismatch[@]}" --model "$model" --json "$out/vww_layerwise3.json" "$out/vww_patch2.json" \
  >"$out/compare.json"
floor() { # layer-wise patched: what the overhead would be if every stage layer's cycles followed its MACs
  "$mcusim" compare "${mismatch[@]}" --flat "$1" "$2" >"$out/compare.flat"
  echo "if cycles followed MACs    $(awk -f "$MCUSIM_ROOT/scripts/mix-floor.awk" "$out/compare.flat") cycles" \
    "(each stage layer's layer-wise cycles x its MAC ratio: the layer mix, no executor overhead)"
}
floor "$out/vww_layerwise3.json" "$out/vww_patch2.json"
echo
echo "== the contrast: naive patch:n=3,blocks=5 against layer-wise (summary) =="
"$mcusim" compare "${mismatch[@]}" --model "$model" "$out/vww_layerwise.json" "$out/vww_patch3.json" \
  >"$out/compare_naive.txt"
sed -n '/^peak SRAM/,/^outputs/p' "$out/compare_naive.txt"
floor "$out/vww_layerwise.json" "$out/vww_patch3.json"
"$mcusim" export "$out/vww_layerwise3.json" "$out/vww_patch2.json" --format html -o "$out/vww_report.html"
echo
echo "reports: $out/vww_layerwise3.json $out/vww_patch2.json (chosen), $out/vww_layerwise.json $out/vww_patch3.json"
echo "(naive); search: $out/search/ (search.json, schedule.json, every candidate's report)"
echo "comparisons: $out/compare.txt (chosen), $out/compare_naive.txt (naive), $out/compare.json"
echo "HTML report (open in a browser): $out/vww_report.html"
