#!/usr/bin/env bash
# tests/tflite/roundtrip_cli.sh GEN MCUSIM MODELS_DIR — the CLI as a user runs it (issue 16 item 5, docs/tflite.md):
# 1. the bundled VWW and MbV2 models exported with `mcusim-gen --tflite-out` and re-imported give byte-identical
#    generated C and weight blobs, layer-wise and patch-based;
# 2. `mcusim plan` takes the .tflite (recognised by content, whatever the file is called) and prints the same plan;
# 3. hostile .tflite files give one line naming the file and exit 2, from mcusim-gen and mcusim plan.
set -u
GEN="$1" MCUSIM="$2" MODELS="$3"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for spec in "mcunet-vww-r160 patch:n=3,blocks=5" "mbv2-w0.35-r144 patch:n=4,blocks=5"; do
  set -- $spec
  m="$1" sched="$2"
  "$GEN" --model "$MODELS/$m.json" --tflite-out "$T/$m.tflite" || fail "$m: export"
  cp "$T/$m.tflite" "$T/$m.model" # any name: the identifier decides
  for s in layerwise "$sched"; do
    "$GEN" --model "$MODELS/$m.json" --schedule "$s" --out "$T/a" || fail "$m $s: json"
    "$GEN" --model "$T/$m.model" --schedule "$s" --out "$T/b" || fail "$m $s: tflite"
    cmp "$T/a.c" "$T/b.c" || fail "$m $s: generated C differs"
    cmp "$T/a.bin" "$T/b.bin" || fail "$m $s: weight blob differs"
  done
  "$MCUSIM" plan "$MODELS/$m.json" >"$T/pa" 2>&1 || fail "$m: plan json"
  "$MCUSIM" plan "$T/$m.model" >"$T/pb" 2>&1 || fail "$m: plan tflite"
  sed -i "s#$T/$m.model#MODEL#g" "$T/pb"
  sed -i "s#$MODELS/$m.json#MODEL#g" "$T/pa"
  cmp "$T/pa" "$T/pb" || { diff "$T/pa" "$T/pb" | head; fail "$m: plans differ"; }
  echo "ok: $m round trip (C, blob, plan)"
done

# hostile files: a cut file, a bent root offset, a huge vector
f="$T/mcunet-vww-r160.tflite"
head -c 3000 "$f" >"$T/cut.tflite"
{ printf '\xf0\xff\xff\x7fTFL3'; tail -c +9 "$f"; } >"$T/root.tflite"
printf 'abcdTFL3' >"$T/short.tflite"
for h in cut root short; do
  for cmd in "$GEN --model $T/$h.tflite --plan" "$MCUSIM plan $T/$h.tflite"; do
    $cmd >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "$cmd: exit $rc, not 2"
    [ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err"; fail "$cmd: not one line"; }
    grep -q "$T/$h.tflite" "$T/err" || fail "$cmd: the message does not name the file"
    echo "ok: $h: $(cat "$T/err")"
  done
done
