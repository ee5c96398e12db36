"""Finding and calling the mcusim binary; errors."""
import json
import os
import shutil
import subprocess

# README "Exit codes"
EXIT_CLASSES = {0: "ok", 1: "firmware_failed", 2: "bad_input", 3: "fault", 4: "limit", 5: "interrupted",
                6: "self_loop", 70: "internal"}


class Error(Exception):
    """A command mcusim could not carry out. `message` is the CLI's one-line message, `exit_code` its exit code,
    `exit_class` the code's name (bad_input, internal, interrupted, ...), `command` the argv run."""

    def __init__(self, message, exit_code, command=None, stderr=""):
        self.message = message
        self.exit_code = exit_code
        self.exit_class = EXIT_CLASSES.get(exit_code, "unknown")
        self.command = command
        self.stderr = stderr
        super().__init__(f"{message} (exit {exit_code}, {self.exit_class})")


def _candidates():
    env = os.environ.get("MCUSIM")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    # installed: PREFIX/lib/python3/dist-packages/mcusim -> PREFIX/bin/mcusim
    yield os.path.normpath(os.path.join(here, "..", "..", "..", "..", "bin", "mcusim"))
    # in the source tree: python/mcusim -> build/sim/mcusim (or $MCUSIM_BUILD/sim/mcusim)
    root = os.path.normpath(os.path.join(here, "..", ".."))
    yield os.path.join(os.environ.get("MCUSIM_BUILD", os.path.join(root, "build")), "sim", "mcusim")
    found = shutil.which("mcusim")
    if found:
        yield found


def binary():
    """The mcusim binary this package runs."""
    for path in _candidates():
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise Error("mcusim: no mcusim binary found (set MCUSIM to its path, install it, or build the tree)", 2)


def one_line(stderr):
    """The CLI's own message: the last line naming mcusim, else the last non-empty line."""
    lines = [x.strip() for x in stderr.splitlines() if x.strip()]
    for line in reversed(lines):
        if line.startswith("mcusim"):
            return line
    return lines[-1] if lines else "mcusim failed without a message"


def call(args, ok=(0,), want_json=True, cwd=None):
    """Runs `mcusim ARGS`; returns (exit code, parsed JSON from stdout or None, stderr text). Raises Error when the
    exit code is not in `ok`."""
    cmd = [binary()] + [str(a) for a in args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)
    stderr = p.stderr.decode("utf-8", "replace")
    if p.returncode not in ok:
        raise Error(one_line(stderr), p.returncode, cmd, stderr)
    doc = None
    if want_json:
        try:
            doc = json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError as e:
            raise Error(f"mcusim: {args[0]}: standard output is not JSON: {e}", 70, cmd, stderr)
    return p.returncode, doc, stderr
