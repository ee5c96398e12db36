#!/usr/bin/env bash
# The main job: what patch-based inference buys on a real part. Installs what is missing, builds mcusim and the
# bundled firmware, simulates the MCUNet-style Visual Wake Words model on the STM32F746 (320 KiB SRAM) layer by
# layer and with 3x3 patches over its first 5 blocks, and prints the comparison: peak SRAM against the device,
# the reduction, the MAC and cycle overhead, the latency, per-layer rows, with the analytic plan beside.
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

echo "mcusim: VWW, 3x3 patches, on stm32f746" >&2
"$mcusim" run --quiet --profile stm32f746 --report "$out/vww_patch3.json" "$fw/mcunet-vww-r160_patch3.elf" \
  >"$out/vww_patch3.txt"

# Layer by layer the model needs more than the F746's SRAM. The simulator maps overflow SRAM behind the device's
# when it can (the report then says by how much it overflows); otherwise the run goes to sim-large (same core,
# same memory bases, more SRAM) and the comparison still judges both against the F746's 320 KiB.
echo "mcusim: VWW, layer by layer, on stm32f746" >&2
mismatch=()
if ! "$mcusim" run --quiet --profile stm32f746 --report "$out/vww_layerwise.json" \
  "$fw/mcunet-vww-r160_layerwise.elf" >"$out/vww_layerwise.txt" 2>"$out/vww_layerwise.err"; then
  echo "mcusim: $(head -1 "$out/vww_layerwise.err")" >&2
  echo "mcusim: running the layer-wise firmware on sim-large instead" >&2
  "$mcusim" run --quiet --profile sim-large --report "$out/vww_layerwise.json" \
    "$fw/mcunet-vww-r160_layerwise.elf" >"$out/vww_layerwise.txt"
  mismatch=(--allow-mismatch)
fi

echo
"$mcusim" compare "${mismatch[@]}" --model "$model" "$out/vww_layerwise.json" "$out/vww_patch3.json" |
  tee "$out/compare.txt"
"$mcusim" compare "${mismatch[@]}" --model "$model" --json "$out/vww_layerwise.json" "$out/vww_patch3.json" \
  >"$out/compare.json"
"$mcusim" export "$out/vww_layerwise.json" "$out/vww_patch3.json" --format html -o "$out/vww_report.html"
echo
echo "reports: $out/vww_layerwise.json $out/vww_patch3.json; comparison: $out/compare.txt, $out/compare.json"
echo "HTML report (open in a browser): $out/vww_report.html"
