#!/usr/bin/env bash
# tests/workloads/tiny_firmware.sh MCUSIM FIRMWARE_DIR MODELS_DIR — the MLPerf-Tiny-shaped graphs
# (workloads/gen/gen_tiny.c) as Cortex-M firmware (rt_graph_run): every ELF exits 0 (its output checksum, MACs and
# arena peak equal the native run the generator made), the patch-based firmware of a model prints the same checksum as
# its layer-wise one, and each firmware's arena peak equals `mcusim plan`'s live peak to the byte.
set -u
MCUSIM="$1" FW="$2" MODELS="$3"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# arena peak of a run's output against the plan's live peak (layerwise or patch)
same_peak() {
  local fw plan
  fw=$(grep -o 'arena_peak=[0-9]*' "$1" | cut -d= -f2)
  plan=$("$MCUSIM" plan "$MODELS/$2.tflite" $3 --flat | awk -v k="$4.peak_live_bytes" '$1 == k {print $2}')
  [ -n "$fw" ] && [ "$fw" = "$plan" ] || fail "$2 $3: firmware arena peak $fw, plan $plan"
}
for spec in "vww-mbv1-0.25-r96 patch3 3 5" "kws-dscnn-49x10 patch2 2 3" "ic-resnet8-cifar patch2 2 1" \
            "ad-fc-autoencoder - 0 0"; do
  set -- $spec
  m="$1" p="$2" n="$3" k="$4"
  "$MCUSIM" run -p stm32f412 "$FW/${m}_layerwise.elf" >"$T/lw" 2>&1 || { tail "$T/lw"; fail "$m layerwise"; }
  lw=$(grep -o 'checksum=0x[0-9a-f]*' "$T/lw")
  [ -n "$lw" ] || fail "$m: no checksum"
  same_peak "$T/lw" "$m" "" layerwise
  if [ "$p" != - ]; then
    "$MCUSIM" run -p stm32f412 "$FW/${m}_$p.elf" >"$T/p" 2>&1 || { tail "$T/p"; fail "$m $p"; }
    pc=$(grep -o 'checksum=0x[0-9a-f]*' "$T/p")
    [ "$lw" = "$pc" ] || fail "$m: layer-wise $lw, $p $pc"
    same_peak "$T/p" "$m" "--patches $n --split-blocks $k" patch
  fi
  echo "ok: $m $lw"
done
