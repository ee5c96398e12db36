#!/usr/bin/env python3
"""The house plan, checked (ARCHITECTURE.md "Layers"): run by ctest (test_layers) and by CI.

1. Libraries never print, exit or parse argv: `nm -u` of every product library must not name getopt_long,
   printf, puts, putchar, vprintf, exit, stdout or stderr. Writing to a FILE * the caller passes is allowed.
2. Only the CLI folder (sim/cli/) includes CLI headers.
3. Includes follow the layers: a folder includes only folders of a lower layer, or of its own layer that are
   listed as allowed (one way only), and common/, which includes nothing of ours; so there is no folder-level
   include cycle. The firmware ABI header
   workloads/mcusim_trace.h is the one documented exception (firmware and engine share it).

usage: check-layers.py SOURCE_DIR BUILD_DIR    exit 0 when the plan holds, 1 with one line per breach
"""
import os
import re
import subprocess
import sys

# folder -> layer; a folder may include its own files and those of lower layers (plus SAME_LAYER_OK).
LAYERS = {
    "common": 0, "isa": 0, "profiles": 0, "memory": 0, "workloads/runtime": 0, "sim/elf": 0, "tflite": 0,
    "workloads/gen": 1, "sim": 1, "sim/devices": 1, "sim/probes": 1,
    "reports": 2,
    "workloads/explore": 3,
    "sim/cli": 4,
}
# same-layer includes that are part of the plan (no cycle: each pair goes one way only)
SAME_LAYER_OK = {("profiles", "isa"), ("sim", "sim/devices"), ("sim", "sim/probes")}
# workloads/gen (L1) includes workloads/runtime (L0): lower layer, allowed by the rule itself.
ABI_HEADERS = {"workloads/mcusim_trace.h"}
FORBIDDEN = {"getopt_long", "printf", "puts", "putchar", "vprintf", "exit", "stdout", "stderr"}
LIBRARIES = ["mcusim_common", "mcusim_isa", "mcusim_profiles", "mcusim_memory", "mcusim_rt", "mcusim_gen", "mcusim",
             "mcusim_elf", "mcusim_devices", "mcusim_probes", "mcusim_reports", "mcusim_explore", "mcusim_tflite"]


def folder_of(path):
    best = None
    for f in LAYERS:
        if path == f or path.startswith(f + "/"):
            if best is None or len(f) > len(best):
                best = f
    return best


def check_libraries(build):
    breaches, found = [], []
    for root, _, files in os.walk(build):
        if "/tests" in root[len(build):] or "firmware" in root:
            continue
        for name in files:
            if name.endswith(".a") and name[3:-2] in LIBRARIES:
                found.append(os.path.join(root, name))
    for lib in sorted(found):
        out = subprocess.run(["nm", "-u", lib], capture_output=True, text=True, check=True).stdout
        bad = sorted({line.split()[-1] for line in out.splitlines() if line.split() and line.split()[-1] in FORBIDDEN})
        if bad:
            breaches.append(f"{os.path.relpath(lib, build)}: a library must not print, exit or parse argv, "
                            f"but it uses {', '.join(bad)}")
    if len(found) < 8:
        breaches.append(f"{build}: found only {len(found)} product libraries; build first")
    return breaches


def check_includes(src):
    breaches = []
    for folder in LAYERS:
        top = os.path.join(src, folder)
        for name in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            if not name.endswith((".c", ".h")):
                continue
            path = f"{folder}/{name}"
            with open(os.path.join(src, path), encoding="utf-8") as fh:
                for lineno, line in enumerate(fh, 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    inc = m.group(1)
                    # as the compiler finds it: beside the file, then the include roots (the tree, workloads/)
                    tries = [f"{folder}/{inc}", inc, f"workloads/{inc}"]
                    target = next((t for t in tries if os.path.exists(os.path.join(src, t))), tries[0])
                    if target in ABI_HEADERS:
                        continue
                    to = folder_of(target)
                    if to is None or to == folder or to == "common":  # common/ is below every layer
                        continue
                    where = f"{path}:{lineno}"
                    if to == "sim/cli":
                        breaches.append(f"{where}: includes the CLI header {inc}; only sim/cli/ may")
                    elif LAYERS[to] > LAYERS[folder] or (LAYERS[to] == LAYERS[folder] and
                                                         (folder, to) not in SAME_LAYER_OK):
                        breaches.append(f"{where}: {folder} (layer {LAYERS[folder]}) includes {inc} of {to} "
                                        f"(layer {LAYERS[to]}): against the layers in ARCHITECTURE.md")
    return breaches


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    src, build = sys.argv[1], sys.argv[2]
    breaches = check_includes(src) + check_libraries(build)
    for b in breaches:
        print(f"check-layers: {b}")
    print(f"check-layers: {'FAIL' if breaches else 'ok'}: {len(breaches)} breaches")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
