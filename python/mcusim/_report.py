"""Results as dicts with typed accessors."""


def _get(d, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


class Result(dict):
    """A JSON result (a dict) with attribute access to its top-level keys: plan.layers, check.verdict, ..."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def schema(self):
        return self.get("schema")


class Layer(dict):
    """One layers[] row of a report (docs/report.md): name, kind, calls, cycles, instructions, macs, ..."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def latency_ms(self):
        return self.get("latency_us", 0) / 1000.0

    @property
    def params(self):
        """Weights + biases of the layer, or None when the firmware did not say (docs/report.md)."""
        return self.get("params")

    @property
    def weight_bytes(self):
        """Bytes the layer reads from flash (weights, bias, multipliers, shifts), or None when unknown."""
        return self.get("weight_bytes")


class Report(dict):
    """An mcusim-report/1 (docs/report.md) with typed accessors; still the plain dict underneath (json.dump works).
    `exit_code` is the CLI's exit code for the run (0 exited 0, 1 exited non-zero, 3 fault, 4 limit)."""

    exit_code = 0

    # totals
    @property
    def cycles(self) -> int:
        return int(_get(self, "totals", "cycles", default=0))

    @property
    def instructions(self) -> int:
        return int(_get(self, "totals", "instructions", default=0))

    @property
    def latency_us(self) -> float:
        return float(_get(self, "totals", "latency_us", default=0.0))

    @property
    def latency_ms(self) -> float:
        return self.latency_us / 1000.0

    @property
    def energy_uj(self):
        return _get(self, "totals", "energy_uj")

    # memory
    @property
    def peak_sram_bytes(self) -> int:
        return int(_get(self, "memory", "peak_bytes", default=0))

    @property
    def arena_peak_bytes(self) -> int:
        return int(_get(self, "memory", "arena_peak_bytes", default=0))

    @property
    def stack_peak_bytes(self) -> int:
        return int(_get(self, "memory", "stack_peak_bytes", default=0))

    @property
    def static_bytes(self) -> int:
        return int(_get(self, "memory", "static_bytes", default=0))

    @property
    def sram_bytes(self) -> int:
        return int(_get(self, "memory", "sram_bytes", default=0))

    @property
    def fits(self) -> bool:
        return bool(_get(self, "memory", "fits", default=False))

    @property
    def flash_used_bytes(self) -> int:
        return int(_get(self, "firmware", "flash_used_bytes", default=0))

    # how the run ended
    @property
    def stop(self) -> str:
        return _get(self, "result", "stop", default="")

    @property
    def firmware_exit_code(self):
        return _get(self, "result", "exit_code")

    @property
    def fault(self):
        return _get(self, "result", "fault")

    @property
    def ok(self) -> bool:
        return self.stop == "exit" and self.firmware_exit_code == 0

    @property
    def stdout(self) -> str:
        return _get(self, "result", "stdout", default="")

    # identity
    @property
    def profile(self) -> str:
        return _get(self, "profile", "name", default="")

    @property
    def model(self):
        return _get(self, "marks", "model")

    @property
    def schedule(self):
        return _get(self, "marks", "schedule")

    @property
    def macs(self) -> int:
        m = self.get("marks") or {}
        if "macs_lo" in m:
            return int(m.get("macs_lo", 0)) + (int(m.get("macs_hi", 0)) << 32)
        return sum(int(x.get("macs", 0)) for x in self.layers)

    # tables
    @property
    def layers(self):
        return [Layer(x) for x in self.get("layers") or []]

    @property
    def patches(self):
        return [Layer(x) for x in self.get("patches") or []]

    def to_dataframe(self, table="layers"):
        """The per-layer (or per-patch) table as a pandas DataFrame; needs pandas (Debian python3-pandas)."""
        try:
            import pandas
        except ImportError as e:
            raise ImportError("Report.to_dataframe needs pandas (apt-get install python3-pandas)") from e
        rows = []
        for x in self.get(table) or []:
            row = dict(x)
            shape = row.pop("out_shape", None)
            if shape:
                row["out_h"], row["out_w"], row["out_c"] = (list(shape) + [None] * 3)[:3]
            rows.append(row)
        return pandas.DataFrame(rows)

    def __repr__(self):
        return (f"<mcusim.Report {self.model or self.get('firmware', {}).get('path', '?')} on {self.profile}: "
                f"{self.cycles} cycles, {self.latency_ms:.3f} ms, peak SRAM {self.peak_sram_bytes} B>")
