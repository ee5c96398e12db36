#!/usr/bin/env bash
# Issue 19 item 3: the .deb through CPack (cpack -G DEB) from the build, and the files it carries (dpkg-deb -c).
# usage: test_deb.sh BUILD_DIR WORKDIR
set -euo pipefail
build=$1 work=$2
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb is not installed"; exit 77; }
rm -rf "$work" && mkdir -p "$work"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work" >"$work/cpack.log" 2>&1 || { tail -20 "$work/cpack.log"; echo "FAIL: cpack -G DEB"; exit 1; }
deb=$(ls "$work"/mcusim_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's,^\./,/,' >"$work/contents.txt"
missing=0
for f in /usr/bin/mcusim /usr/bin/mcusim-gen /usr/include/mcusim/sim/mcusim.h /usr/share/mcusim/profiles/stm32f746.json \
         /usr/share/mcusim/annotations/cmsis-nn.json /usr/share/mcusim/workloads/runtime/rt.h \
         /usr/share/bash-completion/completions/mcusim /usr/share/man/man1/mcusim-run.1 \
         /usr/lib/python3/dist-packages/mcusim/__init__.py; do
  grep -qx "$f" "$work/contents.txt" || { echo "FAIL: $deb lacks $f"; missing=1; }
done
# Debian's multiarch library directory (cmake/install.cmake), as debhelper would install it, unless the build was
# configured with MCUSIM_MULTIARCH_LIBDIR=OFF
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
if ! grep -q '^MCUSIM_MULTIARCH_LIBDIR:BOOL=OFF' "$build/CMakeCache.txt" && [ "$libdir" != "lib/$arch" ]; then
  echo "FAIL: the build installs libraries to $libdir, not Debian's lib/$arch"
  missing=1
fi
for pat in "/usr/$libdir/libmcusim\.so\.0\.1\.0" "/usr/$libdir/libmcusim\.a" "/usr/$libdir/pkgconfig/mcusim\.pc"; do
  grep -qE "^$pat$" "$work/contents.txt" || { echo "FAIL: $deb lacks $pat"; missing=1; }
done
dpkg-deb -f "$deb" Package Version Architecture Depends
[ $missing -eq 0 ] || exit 1
echo "ok   $(basename "$deb"): $(wc -l <"$work/contents.txt") entries, $(du -k "$deb" | cut -f1) KiB"
