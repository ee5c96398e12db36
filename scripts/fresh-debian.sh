#!/usr/bin/env bash
# Manual check (not run by CI; needs root, debootstrap and Debian's mirror, ~15-25 min): the CI examples in
# docs/ci-examples and the README's two commands on a FRESH Debian 12. It debootstraps a minimal bookworm
# (--variant=minbase, what the debian:12 container image is), copies a clean clone of this repository in, and in a
# chroot runs exactly the commands each example runs (apt-get install, clone + configure + build mcusim, configure +
# build a small user firmware project, mcusim run, mcusim check with the example budget), each example in its own
# fresh copy of the root; then scripts/demo.sh (or scripts/test.sh with MCUSIM_FRESH_TEST=1) as a user would,
# with Debian's own /usr/bin/python3 only. Results and timings go to DIR/results.txt; docs/ci-examples/README.md
# records the last run.
#   usage: sudo scripts/fresh-debian.sh [DIR]      DIR defaults to /tmp/mcusim-fresh-debian (outside the repo)
# The example's placeholder `git clone ... https://example.invalid/mcusim.git /opt/mcusim` is replaced by a clone
# of this repository's clean clone; `actions/checkout` is the user project already in the job's directory;
# `actions/upload-artifact` and `artifacts:` are not run. The user project's baseline does not exist on a first
# run, so it is created with `mcusim check --update-baseline` just before the gate step, as the examples' header says.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
root_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-/tmp/mcusim-fresh-debian}"
mirror="${MCUSIM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian: must run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap
/usr/bin/python3 -c 'import yaml' 2>/dev/null || apt-get install -y --no-install-recommends python3-yaml
mkdir -p "$dir"
results="$dir/results.txt"
: >"$results"
log() { echo "$*" | tee -a "$results" >&2; }

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mount_root() { # /proc, /dev, /dev/pts, /sys into a root
  local r=$1 m
  for m in proc dev dev/pts sys; do
    mkdir -p "$r/$m"
    case $m in
      proc) mount -t proc proc "$r/proc" ;;
      sys) mount -t sysfs sys "$r/sys" ;;
      dev) mount --bind /dev "$r/dev" ;;
      dev/pts) mount --bind /dev/pts "$r/dev/pts" ;;
    esac
    mounted+=("$r/$m")
  done
  cp /etc/resolv.conf "$r/etc/resolv.conf"
}
umount_root() {
  local r=$1 m
  for m in sys dev/pts dev proc; do umount -l "$r/$m" 2>/dev/null || true; done
}
in_root() { # run a bash script (stdin) in the chroot as a CI job would, with a clean environment
  local r=$1
  shift
  chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@" /bin/bash -e
}
timed() { # NAME COMMAND...: run, log the result and the wall time
  local name=$1 t0 rc
  shift
  t0=$(date +%s)
  set +e
  "$@"
  rc=$?
  set -e
  log "$(printf '%-58s exit %d  %4d s' "$name" "$rc" "$(($(date +%s) - t0))")"
  return $rc
}

# 1. The base: a minimal bookworm, kept pristine and copied for each run.
base="$dir/base"
if [ ! -x "$base/bin/bash" ]; then
  timed "debootstrap --variant=minbase bookworm" debootstrap --variant=minbase bookworm "$base" "$mirror" \
    >"$dir/debootstrap.log" 2>&1
fi
rm -rf "$dir/src" && git clone -q "$root_src" "$dir/src"
log "mcusim: $(git -C "$dir/src" log -1 --format='%h %s' | cut -c1-100)"

# 2. A small user project, as the examples expect it: firmware/ builds build/app.elf, ci/budget.json is the example
# budget, ci/baseline.json is created on the first run.
make_user_project() {
  local p=$1
  mkdir -p "$p/firmware" "$p/ci"
  cp "$root_src/docs/ci-examples/budget.json" "$p/ci/budget.json"
  cat >"$p/firmware/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(app C ASM)
include(/opt/mcusim/cmake/firmware.cmake)
mcusim_add_firmware(app SOURCES main.c PROFILE /opt/mcusim/profiles/stm32f746.json)
CMAKE
  cat >"$p/firmware/main.c" <<'C'
#include <stdint.h>
#include <stdio.h>
static int8_t a[1024], b[1024];
int main(void) {
  int32_t acc = 0;
  for (int i = 0; i < 1024; i++) { a[i] = (int8_t)(i * 7); b[i] = (int8_t)(i * 13); }
  for (int r = 0; r < 16; r++)
    for (int i = 0; i < 1024; i++) acc += a[i] * b[i];
  printf("dot %ld\n", (long)acc);
  return 0;
}
C
}

# 3. Each example's commands, extracted from its YAML: one bash -e script per step (a GitHub `run:`, a GitLab line).
extract_steps() { # EXAMPLE.yml OUTDIR: writes OUTDIR/NN.sh
  /usr/bin/python3 - "$1" "$2" <<'PY'
import os, re, sys, yaml
path, out = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(path))
steps = []
if "jobs" in doc:  # GitHub Actions
    for job in doc["jobs"].values():
        steps += [s["run"] for s in job["steps"] if "run" in s]
else:  # GitLab CI: each job's extends' before_script, then its script
    for name, job in doc.items():
        if name.startswith(".") or not isinstance(job, dict) or "script" not in job:
            continue
        parents = job.get("extends", [])
        parents = [parents] if isinstance(parents, str) else parents
        for p in parents:
            steps += doc[p].get("before_script", [])
        steps += job.get("before_script", []) + job["script"]
        variables = dict(doc.get("variables", {}))
        variables.update(job.get("variables", {}))
        steps = ["".join(f"export {k}={v}\n" for k, v in variables.items()) + s for s in steps]
clone = re.compile(r"git clone (--depth 1 )?https://example\.invalid/\S+ (\S+).*")
for i, s in enumerate(steps):
    s = clone.sub(r"git clone \1file:///src/mcusim \2", s)
    with open(os.path.join(out, f"{i:02d}.sh"), "w") as f:
        f.write(s + "\n")
PY
}

run_example() { # EXAMPLE.yml: a fresh root, the example's steps in a user project
  local ex=$1 name r steps s
  name=$(basename "$ex" .yml)
  r="$dir/root-$name"
  umount_root "$r"
  rm -rf "$r" && cp -a "$base" "$r"
  mount_root "$r"
  mkdir -p "$r/src" && cp -a "$dir/src" "$r/src/mcusim"
  make_user_project "$r/job"
  steps="$dir/steps-$name" && rm -rf "$steps" && mkdir -p "$steps"
  extract_steps "$ex" "$steps"
  log "== $name ($(ls "$steps" | wc -l) steps, fresh root $r)"
  for s in "$steps"/*.sh; do
    local first
    first=$(grep -v '^export ' "$s" | head -1 | cut -c1-50)
    if grep -qE '(mcusim|MCUSIM) check' "$s"; then # first run of the gate: the baseline the user would commit
      timed "  (first run) mcusim check --update-baseline" in_root "$r" <<<"cd /job
        ${MCUSIM:-/opt/mcusim/build/sim/mcusim} check build/report.json --baseline ci/baseline.json --update-baseline
        " >>"$dir/$name.log" 2>&1 || return 1
    fi
    timed "  $first" in_root "$r" GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=/job/summary.md CI=true <<<"cd /job
      $(cat "$s")" >>"$dir/$name.log" 2>&1 || { log "  FAILED: log in $dir/$name.log"; return 1; }
  done
  umount_root "$r"
}

status=0
for ex in "$root_src"/docs/ci-examples/*.yml; do
  run_example "$ex" || status=1
done

# 4. The README's two commands in the root of the last example (packages of the example already there; demo.sh
# installs what it still misses), with Debian's python3 only. MCUSIM_FRESH_TEST=1: scripts/test.sh (long) too.
r="$dir/root-readme"
umount_root "$r"
rm -rf "$r" && cp -a "$base" "$r"
mount_root "$r"
cp -a "$dir/src" "$r/src"
log "== README (fresh root $r)"
timed "  scripts/demo.sh" in_root "$r" <<<"cd /src && scripts/demo.sh" >"$dir/demo.log" 2>&1 || status=1
if [ "${MCUSIM_FRESH_TEST:-0}" = 1 ]; then
  timed "  scripts/test.sh" in_root "$r" <<<"cd /src && scripts/test.sh" >"$dir/test.log" 2>&1 ||
    status=1
fi
umount_root "$r"
log "fresh-debian: $([ $status = 0 ] && echo PASS || echo FAIL); logs in $dir"
exit $status
