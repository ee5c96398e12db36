"""mcusim from Python: run, plan, analyze, compare, check, search and sweep through the mcusim command line's JSON
(docs/python.md).

    import mcusim
    r = mcusim.run("fw.elf", "stm32f746")
    print(r.cycles, r.latency_ms, r.peak_sram_bytes)
    for layer in r.layers:
        print(layer.name, layer.cycles, layer.arena_peak_bytes)

Every function spawns the `mcusim` binary (found as MCUSIM, then beside this package's install prefix, then in the
build tree this package sits in, then on PATH) and reads the JSON it prints with --json / -r -. A failure the CLI
reports (bad input, an internal error, an interrupt) raises mcusim.Error with the CLI's one-line message and its
exit code and class. Results are dicts (the documented JSON, docs/*.schema.json) with typed accessors.
"""
from ._cli import Error, binary, EXIT_CLASSES
from ._api import run, rerun, profiles, plan, analyze, compare, check, search, sweep, merge
from ._report import Report, Layer, Result

__all__ = ["Error", "binary", "EXIT_CLASSES", "run", "rerun", "profiles", "plan", "analyze", "compare", "check",
           "search", "sweep", "merge", "Report", "Layer", "Result"]
__version__ = "0.1.0"
