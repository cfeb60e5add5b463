"""What one full recalculation of the built workbook costs in Excel: UDF calls, argument cells marshalled,
the Python time of the calls with the workbook's real arguments (cold: caches cleared; warm: again), and the
estimated Excel time from published xlwings figures (per call ~3.8 ms round trip after xlwings#1976/#1980;
argument transfer 2.7-5.5 us per cell, xlwings#397). Figures only, never assertions."""

import tempfile
import time
from pathlib import Path

from cpo_xl.excel.functions import clear_caches
from cpo_xl.workbook.build import build_workbook
from cpo_xl.workbook.recalc import Counter, check, recalculate

CALL_S, CELL_S = 3.8e-3, (2.7e-6, 5.5e-6)

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "CPO_Model.xlsx"
    build_workbook(path)
    runs = []
    for label in ("cold", "warm"):
        if label == "cold":
            clear_caches()
        counter = Counter()
        recalculate(path, counter)
        runs.append((label, counter))
    t = time.perf_counter()
    problems, cells, calls = check(path)
    check_s = time.perf_counter() - t
_, cold = runs[0]
low, high = (cold.calls * CALL_S + cold.cells * c for c in CELL_S)
print(f"full recalculation: {cold.calls} UDF calls (target <= 60), {cold.cells:,} argument cells marshalled "
      f"(target <= 30,000)")
for label, counter in runs:
    print(f"Python time of the UDF calls, {label}: {counter.seconds:.3f} s (target < 1 s cold; warm call "
          f"{counter.seconds / max(counter.calls, 1) * 1e6:.0f} us)")
print(f"estimated Excel time per input edit: {low:.2f}-{high:.2f} s (target < 1.5 s)")
print(f"cpo-xl check: {check_s:.1f} s, {cells} formula cells, {calls} UDF calls, {len(problems)} problems")
