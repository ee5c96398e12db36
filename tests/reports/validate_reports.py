#!/usr/bin/env python3
"""Runs `mcusim run` on firmware that exercises every part of the report (exit, fault, limit, layers, patches,
misuse, overflow) and validates each report against docs/report.schema.json.

usage: validate_reports.py MCUSIM SCHEMA WORKDIR PROFILE:FIRMWARE[:EXTRA_ARGS] ..."""
import json
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (scripts/setup.sh installs it)", file=sys.stderr)
    sys.exit(77)


def main():
    mcusim, schema_path, workdir = sys.argv[1:4]
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for i, spec in enumerate(sys.argv[4:]):
        profile, firmware, *extra = spec.split(":")
        out = f"{workdir}/schema_{i}.json"
        cmd = [mcusim, "run", "-q", "-p", profile, "-r", out] + (extra[0].split() if extra else []) + [firmware]
        rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if rc not in (0, 1, 3, 4):
            print(f"FAIL {firmware}: mcusim exited {rc}")
            failures += 1
            continue
        errors = sorted(validator.iter_errors(json.load(open(out))), key=lambda e: list(e.path))
        for e in errors[:5]:
            print(f"FAIL {firmware}: {'/'.join(map(str, e.path))}: {e.message}")
        failures += bool(errors)
        print(f"{'ok  ' if not errors else 'FAIL'} {firmware} (exit {rc})")
    total = len(sys.argv) - 4
    print(f"{total - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
