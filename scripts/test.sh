#!/usr/bin/env bash
# The whole test suite: install what is missing, build (simulator, firmware, tests), run ctest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
mcusim_install_packages
mcusim_build
ctest --test-dir "$MCUSIM_BUILD" --output-on-failure -j"$(nproc)"
