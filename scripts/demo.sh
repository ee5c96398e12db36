#!/usr/bin/env bash
# The main job on the bundled default: install what is missing, build mcusim and the bundled firmware,
# then simulate the MCUNet-style Visual Wake Words model on the STM32F746 (patch-based, 3x3 patches) and,
# for contrast, layer by layer (which needs more SRAM than the F746 has, so it runs on sim-large).
# Reports are written to build/demo/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
mcusim_install_packages
echo "mcusim: building (first time: about a minute)" >&2
mcusim_build
out="$MCUSIM_BUILD/demo"
mkdir -p "$out"
fw="$MCUSIM_BUILD/workloads/firmware"
"$MCUSIM_BUILD/sim/mcusim" run --profile stm32f746 --report "$out/vww_patch3_stm32f746.json" \
  "$fw/mcunet-vww-r160_patch3.elf"
echo
"$MCUSIM_BUILD/sim/mcusim" run --profile sim-large --report "$out/vww_layerwise_sim-large.json" \
  "$fw/mcunet-vww-r160_layerwise.elf"
"$MCUSIM_BUILD/sim/mcusim" export "$out/vww_layerwise_sim-large.json" "$out/vww_patch3_stm32f746.json" --format html \
  -o "$out/vww_report.html"
echo "HTML report (open in a browser): $out/vww_report.html"
