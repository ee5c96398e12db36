#!/usr/bin/env bash
# The regression gate on mcusim itself: runs the bundled workloads with `mcusim run` and checks each report
# against its committed baseline (baselines/NAME.json) with `mcusim check` (docs/check.md). A change that moves
# cycles or memory fails until the baselines are regenerated in the same commit:
#
#   scripts/check-baselines.sh            # check (exit 0 pass, 1 regression, 2 bad input or a failed run)
#   scripts/check-baselines.sh --update   # rewrite baselines/*.json from the current build, then commit them
#
# Needs a build (scripts/test.sh or scripts/setup.sh): $MCUSIM_BUILD (default build/) with sim/mcusim and
# workloads/firmware/*.elf. Reports, text output and JUnit files go to $MCUSIM_BUILD/baselines/.
# An optional baselines/NAME.budget.json is passed as --budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${MCUSIM_BUILD:-build}
mcusim=$build/sim/mcusim
firmware=$build/workloads/firmware
out=$build/baselines

# firmware (build/workloads/firmware/NAME.elf) and the profile it was linked for
workloads=(
  "person-det-mbv1-r96_layerwise stm32f412"
  "person-det-mbv1-r96_patch2 stm32f412"
  "mbv2-w0.35-r144_layerwise stm32h743"
  "mbv2-w0.35-r144_patch4 stm32h743"
  "mcunet-vww-r160_patch3 stm32f746"
)

update=0
case "${1:-}" in
  --update) update=1 ;;
  "") ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac
[[ -x $mcusim ]] || { echo "check-baselines: $mcusim missing: build first (scripts/test.sh)" >&2; exit 2; }
mkdir -p "$out"

status=0
for entry in "${workloads[@]}"; do
  read -r name profile <<<"$entry"
  elf=$firmware/$name.elf
  [[ -f $elf ]] || { echo "check-baselines: $elf missing: build first" >&2; status=2; continue; }
  if ! "$mcusim" run --quiet --profile "$profile" --report "$out/$name.json" "$elf" >"$out/$name.run.txt" 2>&1; then
    echo "check-baselines: $name: the run failed (see $out/$name.run.txt)" >&2
    cat "$out/$name.run.txt" >&2
    status=2
    continue
  fi
  args=(check "$out/$name.json" --baseline "baselines/$name.json" --junit "$out/$name.junit.xml")
  [[ -f baselines/$name.budget.json ]] && args+=(--budget "baselines/$name.budget.json")
  ((update)) && args+=(--update-baseline)
  rc=0
  "$mcusim" "${args[@]}" || rc=$?
  echo
  if ((rc > status)); then status=$rc; fi
done

if ((update)); then
  echo "check-baselines: baselines/ rewritten from $build; commit them with the change that moved the figures"
elif ((status == 1)); then
  echo "check-baselines: FAIL: figures moved against baselines/; if intended, run scripts/check-baselines.sh --update" \
    "and commit baselines/ in the same commit" >&2
fi
exit "$status"
