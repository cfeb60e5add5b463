"""What xlwings' Office.js argument conversion costs a recalculation of workbook/CPO_Model.xlsx, with Pyodide
unmarked (the add-in before cpo_xl.excel.officejs) and marked absent (udfs/cpo_udfs.py now). Figures only.

xlwings 0.37 (``xlwings.pro._xlofficejs.clean_value_data``) calls ``xlwings.utils.is_jsnull`` once per argument
cell, and that runs ``from pyodide.ffi import JsNull``. This times that open-source helper over as many cells as
each recorded call marshals (xlwings PRO's code itself runs in the tests only, under its noncommercial key)."""

import statistics
import sys
import time

from calls import read, recalculation
from xlwings.utils import is_jsnull

from cpo_xl.excel.officejs import mark_pyodide_absent


def seconds_per_cell(repeats: int = 2000) -> float:
    """Median of 5 timings of ``repeats`` is_jsnull calls, per call (s)."""
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeats):
            is_jsnull(1.0)
        samples.append((time.perf_counter() - t) / repeats)
    return statistics.median(samples)


log = recalculation(read())
cells = [c.cells for c in log]
sys.modules.pop("pyodide", None)
unmarked = seconds_per_cell()
assert mark_pyodide_absent(), "Pyodide is installed here: nothing to compare"
marked = seconds_per_cell()
print(f"{len(log)} UDF calls, {sum(cells):,} argument cells a recalculation (largest call {max(cells):,}); "
      f"sys.path has {len(sys.path)} folders")
print(f"{'Pyodide':<10} {'per cell':>10} {'largest call':>13} {'recalculation':>14}")
for name, per in (("unmarked", unmarked), ("marked", marked)):
    print(f"{name:<10} {per * 1e6:>8.2f} us {per * max(cells) * 1e3:>10.2f} ms {per * sum(cells):>12.3f} s")
