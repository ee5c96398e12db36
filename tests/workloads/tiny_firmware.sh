#!/usr/bin/env bash
# tests/workloads/tiny_firmware.sh MCUSIM FIRMWARE_DIR — the MLPerf-Tiny-shaped graphs (workloads/gen/gen_tiny.c) as
# Cortex-M firmware (rt_graph_run): every ELF exits 0 (its output checksum, MACs and arena peak equal the native run
# the generator made), and the patch-based firmware of a model prints the same checksum as its layer-wise one.
set -u
MCUSIM="$1" FW="$2"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for spec in "vww-mbv1-0.25-r96 patch3" "kws-dscnn-49x10 patch2" "ic-resnet8-cifar patch2" "ad-fc-autoencoder -"; do
  set -- $spec
  m="$1" p="$2"
  "$MCUSIM" run -p stm32f412 "$FW/${m}_layerwise.elf" >"$T/lw" 2>&1 || { tail "$T/lw"; fail "$m layerwise"; }
  lw=$(grep -o 'checksum=0x[0-9a-f]*' "$T/lw")
  [ -n "$lw" ] || fail "$m: no checksum"
  if [ "$p" != - ]; then
    "$MCUSIM" run -p stm32f412 "$FW/${m}_$p.elf" >"$T/p" 2>&1 || { tail "$T/p"; fail "$m $p"; }
    pc=$(grep -o 'checksum=0x[0-9a-f]*' "$T/p")
    [ "$lw" = "$pc" ] || fail "$m: layer-wise $lw, $p $pc"
  fi
  echo "ok: $m $lw"
done
