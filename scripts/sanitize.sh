#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer build of the library, the CLI and every test (MCUSIM_SANITIZE=ON),
# then the whole ctest suite under it, leak-checked by LeakSanitizer; then the determinism check
# (scripts/determinism.sh: byte-identical reports across runs and across -O0/-O2 builds).
#
#   scripts/sanitize.sh              # build into build-asan/ (MCUSIM_ASAN_BUILD overrides), run, print timings
#   MCUSIM_SANITIZE_SKIP_DETERMINISM=1 scripts/sanitize.sh
#
# Sanitizer reports make a test fail: ASan/UBSan abort the process, LSan exits 23 at the end of a leaking run.
# Leaks inside Unicorn/glib, none of them ours, are suppressed by scripts/lsan.supp (it says which).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
mcusim_install_packages

start=$(date +%s)
ASAN_BUILD="${MCUSIM_ASAN_BUILD:-$MCUSIM_ROOT/build-asan}"
mkdir -p "$ASAN_BUILD"
# The large MobileNetV2 firmware is not needed by the tests and takes most of the firmware build.
cmake -S "$MCUSIM_ROOT" -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMCUSIM_SANITIZE=ON \
  -DMCUSIM_FIRMWARE_LARGE=OFF >/dev/null
cmake --build "$ASAN_BUILD" -j"$(nproc)" >"$ASAN_BUILD/build.log" 2>&1 || {
  tail -40 "$ASAN_BUILD/build.log" >&2
  echo "sanitize: build failed; full log in $ASAN_BUILD/build.log" >&2
  exit 70
}
built=$(date +%s)

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$MCUSIM_ROOT/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The simulator runs several times slower under the sanitizers: Check's per-test timeouts scale with it.
export CK_TIMEOUT_MULTIPLIER=4
ctest --test-dir "$ASAN_BUILD" --output-on-failure -j"$(nproc)"
tested=$(date +%s)

if [ -z "${MCUSIM_SANITIZE_SKIP_DETERMINISM:-}" ]; then
  bash "$MCUSIM_ROOT/scripts/determinism.sh"
fi
done_at=$(date +%s)
echo "sanitize: ASan+UBSan build $((built - start)) s, ctest under sanitizers $((tested - built)) s," \
  "determinism $((done_at - tested)) s, total $((done_at - start)) s"
