"""The commands. Keyword options become command-line options: max_insns=1000 -> --max-insns 1000, True -> a flag,
False/None -> left out, a list or tuple -> the option repeated."""
import json
import os
import tempfile

from ._cli import call, Error
from ._report import Report, Result


def _options(options):
    args = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            args += [flag] if v is True else [flag, str(v)]
    return args


def _result(doc):
    return Result(doc) if isinstance(doc, dict) else doc


class _Inputs:
    """Reports given as dicts are written to temporary files for the command; paths pass through."""

    def __init__(self):
        self.dir = None

    def path(self, report, name):
        if isinstance(report, (str, os.PathLike)):
            return os.fspath(report)
        if self.dir is None:
            self.dir = tempfile.TemporaryDirectory(prefix="mcusim-py-")
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            json.dump(report, f)
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.dir is not None:
            self.dir.cleanup()


def run(elf, profile, *, check=False, **options) -> Report:
    """`mcusim run --profile PROFILE [options] ELF`: the report. options are run's own (max_insns, timeout,
    precise_flash, strict_sram, check_alignment, profile_functions, annotate=[...], report=PATH to keep a copy,
    html=PATH, ...). A run that ends in a firmware exit code, a fault or a limit still returns its report
    (report.exit_code says how it ended: 0, 1, 3 fault, 4 limit, 6 self-loop); with check=True anything but 0 raises Error."""
    options.setdefault("quiet", True)
    code, doc, stderr = call(["run", "--profile", profile, "--json", "-"] + _options(options) + [os.fspath(elf)],
                             ok=(0,) if check else (0, 1, 3, 4, 6))
    if doc is None:
        raise Error("mcusim: run wrote no report", code)
    report = Report(doc)
    report.exit_code = code
    return report


def rerun(report, *, check=False, **options) -> Report:
    """`mcusim rerun REPORT.json`: the run a report records (its firmware, profile, options), repeated."""
    with _Inputs() as inputs:
        code, doc, _ = call(["rerun", inputs.path(report, "report.json"), "--json", "-"] + _options(options),
                            ok=(0,) if check else (0, 1, 3, 4, 6))
    result = Report(doc)
    result.exit_code = code
    return result


def profiles():
    """`mcusim profiles --json`: every profile found, as dicts (name, core, clock_hz, sram_bytes, ...)."""
    _, doc, _ = call(["profiles", "--json", "-"])
    return [Result(p) for p in doc["profiles"]]


def plan(model, **options) -> Result:
    """`mcusim plan MODEL --json` (mcusim-plan/1): patches=N, split_blocks=K or split_layer=NAME, halo='clip'."""
    _, doc, _ = call(["plan", os.fspath(model), "--json", "-"] + _options(options))
    return _result(doc)


def analyze(model, profile, **options) -> Result:
    """`mcusim analyze MODEL --profile PROFILE --json -`: the analysis of a model (.tflite or model JSON) for a
    part, as that command documents it."""
    _, doc, _ = call(["analyze", os.fspath(model), "--profile", profile, "--json", "-"] + _options(options))
    return _result(doc)


def compare(a, b, *, model=None, **options) -> Result:
    """`mcusim compare A B --json` (mcusim-compare/1). a and b are report paths or Report dicts."""
    with _Inputs() as inputs:
        args = ["compare", inputs.path(a, "a.json"), inputs.path(b, "b.json"), "--json", "-"]
        if model is not None:
            args += ["--model", os.fspath(model)]
        _, doc, _ = call(args + _options(options))
    return _result(doc)


def check(report, baseline, *, max=None, max_growth=None, **options) -> Result:
    """`mcusim check REPORT --baseline BASE --json` (mcusim-check/1): verdict 'pass' or 'fail' (a regression is a
    result, not an Error). max={'peak_sram': '320KiB'}, max_growth={'cycles': '2%'}, budget=PATH,
    allow_mismatch=True."""
    settings = []
    for flag, table in (("--max", max), ("--max-growth", max_growth)):
        for fig, value in (table or {}).items():
            settings += [flag, f"{fig}={value}"]
    with _Inputs() as inputs:
        code, doc, _ = call(["check", inputs.path(report, "report.json"), "--baseline",
                             inputs.path(baseline, "baseline.json"), "--json", "-"] + settings + _options(options),
                            ok=(0, 1))
    result = _result(doc)
    result["passed"] = code == 0
    return result


def search(model, profile, *, out=None, **options) -> Result:
    """`mcusim search MODEL --profile PROFILE --json` (mcusim-search/1): every candidate schedule, the front and the
    choice ('chosen' is None when nothing fits the budget). out: the work folder (default: a temporary one,
    removed). options: sram_budget, max_latency_overhead, jobs, exhaustive, top, input."""
    options.setdefault("quiet", True)
    tmp = tempfile.TemporaryDirectory(prefix="mcusim-search-") if out is None else None
    try:
        _, doc, _ = call(["search", os.fspath(model), "--profile", profile, "--out", out or tmp.name,
                          "--json", "-"] + _options(options), ok=(0, 1))
    finally:
        if tmp:
            tmp.cleanup()
    return _result(doc)


def merge(*dirs) -> Result:
    """`mcusim merge DIR... --format json -o -` (mcusim-sweep-table/1): one row per job; 'missing' lists the jobs
    no shard ran."""
    _, doc, _ = call(["merge"] + [os.fspath(d) for d in dirs] + ["--format", "json", "-o", "-"], ok=(0, 1))
    return _result(doc)


def sweep(matrix, *, out=None, jobs=None, shard=None, **options) -> Result:
    """`mcusim sweep MATRIX` then `mcusim merge`: the merged table (mcusim-sweep-table/1). matrix: a path, or a dict
    ({"models": [...], "schedules": [...], "profiles": [...]}; "version": 1 is added; bundled model names or
    absolute paths). out: the sweep folder (default: a temporary one, removed after the merge)."""
    tmp = tempfile.TemporaryDirectory(prefix="mcusim-sweep-") if out is None else None
    try:
        folder = out or tmp.name
        if isinstance(matrix, dict):
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "matrix.json")
            with open(path, "w") as f:
                json.dump({"version": 1, **matrix}, f, indent=1)
            matrix = path
        args = ["sweep", os.fspath(matrix), "--out", folder, "--quiet"]
        if jobs:
            args += ["-j", str(jobs)]
        if shard:
            args += ["--shard", shard]
        call(args + _options(options), ok=(0, 1), want_json=False)
        return merge(folder)
    finally:
        if tmp:
            tmp.cleanup()
