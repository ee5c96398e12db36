#!/usr/bin/env bash
# Installs the Debian packages mcusim needs (when missing) and configures + builds it into build/.
# Sourced by demo.sh and test.sh; safe to run again: it only installs what is missing.
set -euo pipefail

MCUSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MCUSIM_BUILD="${MCUSIM_BUILD:-$MCUSIM_ROOT/build}"
MCUSIM_PACKAGES=(cmake make gcc pkg-config libunicorn-dev libcapstone-dev libcjson-dev check libelf-dev libdw-dev libiberty-dev
                 nettle-dev gcc-arm-none-eabi libnewlib-arm-none-eabi python3 python3-jsonschema)
# issue 19: man pages from --help (help2man; man-db for test_install's `man -l`), the .deb (cpack runs dpkg-shlibdeps,
# and `file` to find the ELF files), libbz2-dev to link statically against libmcusim.a (libdw.pc's Libs.private has
# -lbz2). Not needed to build mcusim; a fresh Debian 12 has none of them (scripts/fresh-debian.sh: without them
# test_deb and test_install fail there). python3-pandas: test_python's to_dataframe() test (docs/python.md).
MCUSIM_TOOL_PACKAGES=(help2man dpkg-dev file libbz2-dev man-db python3-pandas)

mcusim_install_packages() {
  local missing=()
  for pkg in "${MCUSIM_PACKAGES[@]}" "${MCUSIM_TOOL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "mcusim: missing Debian packages: ${missing[*]}" >&2
    echo "mcusim: run as root:  sudo sh -c '$cmd'" >&2
    exit 2
  fi
  echo "mcusim: installing ${missing[*]}" >&2
  sh -c "$cmd" >&2
}

mcusim_build() {
  cmake -S "$MCUSIM_ROOT" -B "$MCUSIM_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$MCUSIM_BUILD" -j"$(nproc)" >"$MCUSIM_BUILD/build.log" 2>&1 || {
    tail -40 "$MCUSIM_BUILD/build.log" >&2
    echo "mcusim: build failed; full log in $MCUSIM_BUILD/build.log" >&2
    exit 70
  }
}
