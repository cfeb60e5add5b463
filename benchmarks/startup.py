"""Wall time and peak memory of what a person runs, each in a fresh process: `cpo-xl summary`, `import
cpo_udfs` (what Excel's Python imports on Import Functions; xlwings itself is already loaded by the xlwings
server, so the module's own share is printed too), `cpo-xl check` and `cpo-xl simulate` at 1e5 and 1e6 draws.
Median of REPEATS runs; figures only, never assertions.

`import cpo_udfs` is timed twice. The add-in install (`pip install cpo-xl`, no `charts` extra) has no
matplotlib, and xlwings then skips it; here that install is imitated by blocking the import (a None entry in
sys.modules makes `import matplotlib` raise ImportError, as when it is absent). The full install (`.[dev]`,
this venv) has matplotlib, which xlwings imports with pyplot.

Each command runs once untimed first, with PYTHONDONTWRITEBYTECODE removed from its environment, so Python
has cached the compiled modules (__pycache__) as it does on a person's machine; some sandboxes set that
variable, and then every start compiles the package from source.

    python benchmarks/startup.py [--quick]   (--quick: one run each, no 1e6 simulation)
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
QUICK = "--quick" in sys.argv
REPEATS = 1 if QUICK else 5


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident memory in MB) of one run of ``cmd`` in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def report(label: str, cmd: list[str], target: str) -> float:
    timed(cmd)  # untimed: writes the bytecode cache
    runs = [timed(cmd) for _ in range(REPEATS)]
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"{label}: {wall:.2f} s wall, {peak:,.0f} MB peak ({target})")
    return wall


python = str(BIN / "python")
cli = str(BIN / "cpo-xl")
with tempfile.TemporaryDirectory() as out:
    report("cpo-xl summary", [cli, "summary"], "target < 0.8 s")
    udfs = "sys.path.insert(0, 'udfs'); import cpo_udfs"
    no_charts = "import sys; sys.modules['matplotlib'] = None; "
    both = report("import cpo_udfs, add-in install (cold, xlwings included)", [python, "-c", no_charts + udfs],
                  "target < 0.6 s")
    alone = report("import xlwings alone, add-in install", [python, "-c", no_charts + "import xlwings"],
                   "loaded by the xlwings server first")
    print(f"import cpo_udfs on top of xlwings: {both - alone:.2f} s")
    report("import cpo_udfs, full install with matplotlib (cold)", [python, "-c", "import sys; " + udfs],
           "xlwings imports matplotlib")
    report("cpo-xl check", [cli, "check"], "target < 8 s")
    report("cpo-xl simulate -n 100000", [cli, "simulate", "-n", "100000", "--output-dir", out], "target < 1 s")
    if not QUICK:
        report("cpo-xl simulate -n 1000000", [cli, "simulate", "-n", "1000000", "--output-dir", out],
               "target < 8 s, < 600 MB")
