#!/usr/bin/env bash
# The CI examples in docs/ci-examples install by hand what scripts/setup.sh installs; a library missing there makes
# the user's pipeline fail at configure (issue 21: libdw-dev was). Every build dependency of setup.sh (the -dev
# libraries, Check, the cross toolchain) must be in each example's apt-get line.
# usage: ci_examples_packages.sh SOURCE_DIR
set -euo pipefail
root=$1
packages=$(sed -n '/^MCUSIM_PACKAGES=(/,/)/p' "$root/scripts/setup.sh" | tr -d '()' | sed 's/MCUSIM_PACKAGES=//' |
  tr ' ' '\n' | grep -E -- '-dev$|^check$|arm-none-eabi')
status=0
for example in "$root"/docs/ci-examples/*.yml; do
  for pkg in $packages; do
    grep -qE "(^|[[:space:]])$pkg([[:space:]]|\\\\|$)" "$example" ||
      { echo "FAIL $(basename "$example"): installs no $pkg (scripts/setup.sh needs it)"; status=1; }
  done
done
n=$(echo $packages | wc -w)
echo "ci examples: $n build packages checked in $(ls "$root"/docs/ci-examples/*.yml | wc -l) examples"
exit $status
