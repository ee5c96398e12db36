#!/usr/bin/env bash
# Issue 19 item 3: `cmake --install` into a temporary prefix, then everything from there and not from the source
# tree: mcusim run on a bundled firmware with a bundled profile and annotation preset (found relative to the
# installed binary), a C program compiled and linked against the installed libmcusim through pkg-config (shared
# and static), the man pages and bash completion, and the Python package (import mcusim; mcusim.run).
# usage: test_install.sh BUILD_DIR SOURCE_DIR WORKDIR FIRMWARE.elf PYTHON
set -euo pipefail
build=$1 src=$2 work=$3 fw=$4 python=$5
prefix=$work/prefix
# the library directory the build was configured with (cmake/install.cmake: Debian's multiarch lib/<triplet>)
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
[ -n "$libdir" ] || { echo "FAIL: no CMAKE_INSTALL_LIBDIR in $build/CMakeCache.txt"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || fail "cmake --install (see $work/install.log)"
for f in bin/mcusim bin/mcusim-gen $libdir/libmcusim.a $libdir/libmcusim.so include/mcusim/sim/mcusim.h \
         $libdir/pkgconfig/mcusim.pc share/mcusim/profiles/stm32f412.json share/mcusim/annotations/newlib-malloc.json \
         share/mcusim/workloads/support/cores.txt share/bash-completion/completions/mcusim \
         share/man/man1/mcusim.1 share/man/man1/mcusim-run.1 lib/python3/dist-packages/mcusim/__init__.py; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
echo "ok   installed files"

# the installed binary uses the installed data, not the source tree's
cp "$fw" "$work/fw.elf"
cd "$work"
"$prefix/bin/mcusim" profiles --json=profiles.json >/dev/null
grep -q "\"path\":[[:space:]]*\"$prefix/bin/../share/mcusim/profiles/stm32f412.json\"" profiles.json ||
  fail "mcusim profiles does not list the installed profiles: $(grep -m1 '"path"' profiles.json)"
"$prefix/bin/mcusim" run -q -p stm32f412 --annotate newlib-malloc -r run.json fw.elf >run.txt ||
  fail "installed mcusim run exited $?"
grep -q '"schema":[[:space:]]*"mcusim-report/1"' run.json || fail "no report from the installed mcusim"
grep -q "firmware exited with code 0" run.txt || fail "installed run: $(head -3 run.txt)"
echo "ok   installed mcusim run (profile and preset from $prefix/share/mcusim)"

# a C program against the installed library through pkg-config
cat >prog.c <<'C'
#include <stdio.h>
#include "sim/mcusim.h"
int main(int argc, char **argv) {
  char msg[256];
  const char *dirs[] = {argv[1], NULL};
  prof_t *p = NULL;
  mcusim_t *sim = NULL;
  mcusim_limits_t limits = {0};
  limits.accounting = 1;
  if (argc != 3 || prof_load("stm32f412", dirs, &p, msg, sizeof msg)) return fprintf(stderr, "profile: %s\n", msg), 2;
  if (mcusim_open(p, &sim) || mcusim_load_elf(sim, argv[2])) return fprintf(stderr, "load failed\n"), 2;
  mcusim_run(sim, &limits);
  const mcusim_result_t *r = mcusim_result(sim);
  printf("cycles %llu exit %d\n", (unsigned long long)r->totals.cycles, r->exit_code);
  mcusim_close(sim);
  prof_free(p);
  return 0;
}
C
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
# a sanitized build (scripts/sanitize.sh) installs a sanitized library: its users are compiled the same way
san=$(grep -q '^MCUSIM_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && echo "-fsanitize=address,undefined" || true)
cc $san -o prog prog.c $(pkg-config --cflags --libs mcusim) || fail "cannot compile/link against the installed libmcusim.so"
LD_LIBRARY_PATH="$prefix/$libdir" ./prog "$prefix/share/mcusim/profiles" fw.elf >prog.txt || fail "prog (shared) failed"
cc $san -o prog_static prog.c $(pkg-config --cflags mcusim) "$prefix/$libdir/libmcusim.a" $(pkg-config --static --libs-only-l mcusim | sed 's/-lmcusim//') ||
  fail "cannot link against the installed libmcusim.a"
./prog_static "$prefix/share/mcusim/profiles" fw.elf >prog_static.txt || fail "prog (static) failed"
want=$(grep -o '"cycles":[[:space:]]*[0-9]*' run.json | head -1 | grep -o '[0-9]*$')
grep -q "cycles $want exit 0" prog.txt || fail "libmcusim.so gave '$(cat prog.txt)', mcusim run $want cycles"
grep -q "cycles $want exit 0" prog_static.txt || fail "libmcusim.a gave '$(cat prog_static.txt)'"
echo "ok   C program via pkg-config, shared and static: $want cycles as mcusim run"
# only the public API is exported
bad=$(nm -D --defined-only "$prefix/$libdir/libmcusim.so" | awk '$2 == "T" {print $3}' | grep -Ev '^(mcusim|prof|mem)_' || true)
[ -z "$bad" ] || fail "libmcusim.so exports internal symbols: $(echo $bad | head -c 200)"
echo "ok   libmcusim.so exports only mcusim_*, prof_*, mem_*"

# man pages render; bash completion completes commands
man -l "$prefix/share/man/man1/mcusim-run.1" 2>/dev/null | grep -q -- "--profile" || fail "man page mcusim-run.1"
words=$(bash -c "source '$prefix/share/bash-completion/completions/mcusim'; COMP_WORDS=(mcusim pro); COMP_CWORD=1; _mcusim; echo \${COMPREPLY[*]}")
[ "$words" = "profiles" ] || fail "bash completion of 'mcusim pro' gave '$words'"
echo "ok   man pages, bash completion"

# the Python package from the install (PATH without the build tree: it finds BIN/mcusim beside its prefix)
PYTHONPATH="$prefix/lib/python3/dist-packages" PATH=/usr/bin:/bin "$python" -c "
import mcusim, sys
assert mcusim.__file__.startswith('$prefix'), mcusim.__file__
r = mcusim.run('fw.elf', 'stm32f412')
assert r.cycles == $want, r.cycles
print('ok   python3 -c \"import mcusim; mcusim.run(...)\" from the install:', r.cycles, 'cycles,', len(r.layers), 'layers')
" || fail "the installed Python package"
# the Python package's unit tests against the installed package and binary
PYTHONPATH="$prefix/lib/python3/dist-packages" PATH=/usr/bin:/bin MCUSIM_TEST_ELF="$work/fw.elf" \
  MCUSIM_TEST_MODEL="$prefix/share/mcusim/workloads/models/person-det-mbv1-r96.json" MCUSIM_TEST_SLOW=0 \
  "$python" "$src/tests/python/test_mcusim.py" >python.log 2>&1 || { tail -20 python.log; fail "tests/python from the install"; }
echo "ok   tests/python/test_mcusim.py against the install: $(tail -1 python.log)"
echo "install test passed"
