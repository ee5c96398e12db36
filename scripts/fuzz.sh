#!/usr/bin/env bash
# Runs one libFuzzer target (tests/fuzz/fuzz_TARGET.c) for a given time, with ASan + UBSan (clang's, which holds
# float-cast-overflow: a report number converted to an integer out of range) and leak detection.
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]     TARGET: elf | profile | model | tflite | report | budget | render | merge | all
#   scripts/fuzz.sh elf 300
#
# Builds with clang into build-fuzz/ (MCUSIM_FUZZ_BUILD overrides), installing clang and its runtime
# (Debian: clang libclang-rt-14-dev) when missing. The committed seeds (tests/fuzz/corpus/TARGET/) are copied into
# a working corpus build-fuzz/corpus/TARGET/ that grows between runs; crashes, leaks, timeouts and out-of-memory
# inputs go to build-fuzz/findings/TARGET/. To keep a finding: fix it, then copy the input into
# tests/fuzz/corpus/TARGET/ (ctest replays that folder in every build, fuzz_corpus_TARGET).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_BUILD="${MCUSIM_FUZZ_BUILD:-$ROOT/build-fuzz}"
TARGETS=(elf profile model tflite report budget render merge)

usage() {
  echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]  (TARGET: ${TARGETS[*]} | all)" >&2
  exit 2
}
[ $# -ge 2 ] || usage
target="$1"
seconds="$2"
shift 2
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
if [ "$target" = all ]; then
  for t in "${TARGETS[@]}"; do "$0" "$t" "$seconds" "$@"; done
  exit 0
fi
[[ " ${TARGETS[*]} " == *" $target "* ]] || usage

source "$ROOT/scripts/setup.sh"
MCUSIM_PACKAGES+=(clang libclang-rt-14-dev)
mcusim_install_packages

if [ ! -f "$FUZZ_BUILD/CMakeCache.txt" ]; then
  CC=clang cmake -S "$ROOT" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCUSIM_SANITIZE=ON \
    -DMCUSIM_LIBFUZZER=ON -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,float-cast-overflow" -DMCUSIM_FIRMWARE_LARGE=OFF >/dev/null
fi
cmake --build "$FUZZ_BUILD" -j"$(nproc)" --target "fuzz_$target" >"$FUZZ_BUILD/build-$target.log" 2>&1 || {
  tail -30 "$FUZZ_BUILD/build-$target.log" >&2
  exit 70
}

corpus="$FUZZ_BUILD/corpus/$target"
findings="$FUZZ_BUILD/findings/$target"
mkdir -p "$corpus" "$findings"
cp -n "$ROOT/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true

# Limits: an input that takes more than 10 s or 1 GiB is a finding (bounded time and memory), as is any leak.
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
"$FUZZ_BUILD/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
  -artifact_prefix="$findings/" -print_final_stats=1 "$@" "$corpus" >"$FUZZ_BUILD/fuzz-$target.log" 2>&1 || status=$?
grep -E "^(#[0-9]+ +(INITED|DONE)|==[0-9]+==ERROR|SUMMARY|stat::number_of_executed_units|stat::peak_rss_mb|artifact_prefix)" \
  "$FUZZ_BUILD/fuzz-$target.log" || true
echo "fuzz: $target: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$FUZZ_BUILD/fuzz-$target.log" | awk '{print $2}') executions" \
  "in $seconds s, corpus $(ls "$corpus" | wc -l) inputs, findings $(ls "$findings" | wc -l) (log $FUZZ_BUILD/fuzz-$target.log)"
exit "$status"
