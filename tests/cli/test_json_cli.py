#!/usr/bin/env python3
"""Machine-readable CLI (issue 19, item 2): `--json` on run, profiles, plan, check, search, compare puts the result
on standard output (human text on stderr) and the result validates against its documented schema
(docs/*.schema.json); every output option takes "-" for standard output.

usage: test_json_cli.py MCUSIM SOURCE_DIR WORKDIR FIRMWARE_A FIRMWARE_B PROFILE [MCUSIM_GEN]"""
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (scripts/setup.sh installs it)")
    sys.exit(77)

MCUSIM, SRC, WORK, FW_A, FW_B, PROFILE = sys.argv[1:7]
GEN = sys.argv[7] if len(sys.argv) > 7 else None
failures = []


def run(*args, expect=(0,)):
    p = subprocess.run([MCUSIM, *args], capture_output=True)
    if p.returncode not in expect:
        failures.append(f"mcusim {' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[-300:]}")
    return p


def validate(name, schema_file, doc):
    schema = json.load(open(os.path.join(SRC, "docs", schema_file)))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    for e in errors[:5]:
        failures.append(f"{name}: {'/'.join(map(str, e.path))}: {e.message}")
    print(f"{'ok  ' if not errors else 'FAIL'} {name} against {schema_file}")


def json_on_stdout(name, schema_file, *args, expect=(0,), stderr_has=None):
    p = run(*args, expect=expect)
    try:
        doc = json.loads(p.stdout)
    except ValueError as e:
        failures.append(f"{name}: standard output is not one JSON document: {e}: {p.stdout[:120]!r}")
        return None
    if stderr_has and stderr_has.encode() not in p.stderr:
        failures.append(f"{name}: the human text ({stderr_has!r}) is not on stderr")
    validate(name, schema_file, doc)
    return doc


os.makedirs(WORK, exist_ok=True)
a, b = os.path.join(WORK, "json_a.json"), os.path.join(WORK, "json_b.json")
run("run", "-q", "-p", PROFILE, "-r", a, FW_A)
run("run", "-q", "-p", PROFILE, "-r", b, FW_B)
ref = open(a, "rb").read()

# run: --json, --json -, --json=FILE and -r - all give the report, byte for byte the -r FILE one
for form in (["--json"], ["--json", "-"], ["-r", "-"]):
    p = run("run", "-q", "-p", PROFILE, *form, FW_A)
    if p.stdout != ref:
        failures.append(f"run {' '.join(form)}: standard output differs from the -r FILE report")
    if b"instructions" not in p.stderr:
        failures.append(f"run {' '.join(form)}: the summary is not on stderr")
json_on_stdout("run --json", "report.schema.json", "run", "-q", "-p", PROFILE, "--json", FW_A, stderr_has="instructions")
out = os.path.join(WORK, "json_run_file.json")
p = run("run", "-q", "-p", PROFILE, f"--json={out}", FW_A)
if open(out, "rb").read() != ref or b"instructions" not in p.stdout:
    failures.append("run --json=FILE: not the report, or the summary left standard output")

# profiles, plan (layer-wise and patch-based), check, compare, search
doc = json_on_stdout("profiles --json", "profiles.schema.json", "profiles", "--json")
if doc and not any(x["name"] == PROFILE for x in doc["profiles"]):
    failures.append(f"profiles --json: {PROFILE} is not listed")
json_on_stdout("profiles --json -", "profiles.schema.json", "profiles", "--json", "-", stderr_has="MHz")
model = os.path.join(SRC, "workloads", "models", "person-det-mbv1-r96.json")
json_on_stdout("plan --json", "plan.schema.json", "plan", model, "--json")
json_on_stdout("plan --json - (patches)", "plan.schema.json", "plan", "--json", "-", "--patches", "2", "--split-blocks",
               "4", model)
doc = json_on_stdout("check --json (pass)", "check.schema.json", "check", a, "--baseline", a, "--json", "-",
                     stderr_has="check:")
if doc and doc["verdict"] != "pass":
    failures.append("check --json: a report against itself does not pass")
doc = json_on_stdout("check --json (fail)", "check.schema.json", "check", b, "--baseline", a, "--allow-mismatch",
                     "--max", "peak_sram=1KiB", "--json", expect=(1,))
if doc and (doc["verdict"] != "fail" or not doc["regressions"]):
    failures.append("check --json: an over-budget report does not fail")
p = run("compare", a, b, "--json", "-")
try:
    if json.loads(p.stdout)["schema"] != "mcusim-compare/1":
        failures.append("compare --json -: not mcusim-compare/1")
except ValueError:
    failures.append("compare --json -: standard output is not JSON")
if os.environ.get("MCUSIM_TEST_SEARCH", "1") == "1":
    doc = json_on_stdout("search --json", "search.schema.json", "search", model, "-p", PROFILE, "--top", "0",
                         "--input", "flash", "-j", "2", "--quiet", "--out", os.path.join(WORK, "json_search"),
                         "--json", stderr_has="chosen")
    if doc and doc["chosen"] is None:
        failures.append("search --json: nothing chosen")

# "-" on every output option: the data on standard output, nothing else there
checks = [
    (("run", "-q", "-p", PROFILE, "--html", "-", FW_A), b"<!DOCTYPE html>"),
    (("run", "-q", "-p", PROFILE, "--csv", "-", FW_A), b"id,name,"),
    (("run", "-q", "-p", PROFILE, "--perfetto", "-", FW_A), b'{"displayTimeUnit"'),
    (("run", "-q", "-p", PROFILE, "--massif", "-", FW_A), b"desc:"),
    (("run", "-q", "-p", PROFILE, "--folded", "-", FW_A), b"Reset_Handler"),
    (("export", a, "-f", "html", "-o", "-"), b"<!DOCTYPE html>"),
    (("export", a, "-f", "csv", "-o", "-"), b"id,name,"),
    (("compare", a, b, "--csv", "-"), b"report,id,"),
    (("check", a, "--baseline", a, "--junit", "-"), b"<?xml"),
]
for args, start in checks:
    p = run(*args)
    ok = p.stdout.startswith(start)
    if not ok:
        failures.append(f"mcusim {' '.join(args)}: standard output starts {p.stdout[:40]!r}, not {start!r}")
    print(f"{'ok  ' if ok else 'FAIL'} mcusim {args[0]} {' '.join(x for x in args[1:] if x.startswith('-'))}")
# two outputs on standard output are refused with one line
p = run("run", "-q", "-p", PROFILE, "--json", "--csv", "-", FW_A, expect=(2,))
if b"only one output can be '-'" not in p.stderr:
    failures.append("run --json --csv -: not refused as two outputs on standard output")

# mcusim-gen --out is a prefix of three files: "-" is refused, not written as files named "-.c", "-.S", "-.bin"
if GEN:
    p = subprocess.run([GEN, "--model", model, "--out", "-"], capture_output=True, cwd=WORK)
    made = [f for f in ("-.c", "-.S", "-.bin") if os.path.exists(os.path.join(WORK, f))]
    if p.returncode != 2 or b"not '-'" not in p.stderr or made:
        failures.append(f"mcusim-gen --out -: exit {p.returncode}, wrote {made}: {p.stderr[:200]!r}")
    print(f"{'ok  ' if p.returncode == 2 and not made else 'FAIL'} mcusim-gen --out - refused")

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
