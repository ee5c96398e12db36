#!/usr/bin/env bash
# Valgrind's ms_print reads the massif export, and the peak it shows equals the report's: the snapshot marked
# peak has total = max over timeline[] of (arena_bytes + stack_bytes), heap = memory.arena_peak_bytes there.
#   export_ms_print.sh MCUSIM REPORT.json OUT_DIR
set -euo pipefail
mcusim="$1" report="$2" out="$3"
command -v ms_print >/dev/null || { echo "SKIP: ms_print (Debian package valgrind) is not installed"; exit 77; }
mkdir -p "$out"
"$mcusim" export "$report" --format massif -o "$out/export.massif"
ms_print "$out/export.massif" >"$out/ms_print.txt"
# The snapshot table row of the peak: "  n  time  total  useful-heap  extra-heap  stacks", followed by the tree.
peak_row="$(grep -B1 -E '^[0-9.]+% \(' "$out/ms_print.txt" | head -1)"
read -r _ _ total heap _ stacks <<<"$(echo "$peak_row" | tr -d ,)"
# timeline[] samples list arena_bytes before stack_bytes (docs/report.md); memory{} comes before layers[].
want_total="$(grep -oE '"(arena|stack)_bytes":[[:space:]]*[0-9]+' "$report" | awk -F: '
  /arena/ {a=$2+0} /stack/ {t=a+$2; if (t>m) m=t} END {print m+0}')"
want_heap="$(grep -oE '"arena_peak_bytes":[[:space:]]*[0-9]+' "$report" | head -1 | awk -F: '{print $2+0}')"
echo "ms_print peak: total $total B (heap $heap + stacks $stacks); report: $want_total B, arena peak $want_heap B"
[ "$total" = "$want_total" ] || { echo "FAIL: total differs"; exit 1; }
[ "$heap" = "$want_heap" ] || { echo "FAIL: heap differs from memory.arena_peak_bytes"; exit 1; }
grep -q '(peak)' "$out/ms_print.txt" || { echo "FAIL: ms_print marks no peak"; exit 1; }
