"""Time of the base -> bull bridge of the 2030 CPO TAM: the attribution alone (caches cleared, one process) and
the whole command `cpo-xl bridge base bull --year 2030` (a fresh Python process: imports, table, waterfall PNG).
Target: the command under 2 s on the 2-core development machine."""

import statistics
import subprocess
import sys
import tempfile
import time

from cpo_xl.analysis.bridge import bridge
from cpo_xl.engine.case import Case
from cpo_xl.excel.functions import clear_caches

compute = []
for _ in range(10):
    clear_caches()
    t = time.perf_counter()
    b = bridge(Case("base"), Case("bull"), 2030)
    compute.append(time.perf_counter() - t)
command = []
with tempfile.TemporaryDirectory() as out:
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cpo_xl.cli", "bridge", "base", "bull", "--year", "2030",
                        "--output-dir", out], check=True, capture_output=True)
        command.append(time.perf_counter() - t)
print(f"bridge base -> bull, CPO TAM 2030 ({len(b.components)} players, {b.coalitions} coalitions): attribution "
      f"cold median {statistics.median(compute) * 1e3:.0f} ms; whole command median {statistics.median(command):.2f} s "
      f"(target < 2 s)")
