"""What xlwings' Office.js argument conversion costs a recalculation of workbook/CPO_Model.xlsx in its JsNull
probe, as xlwings ships it and as the add-in runs it (cpo_xl.excel.officejs.skip_jsnull_probe). Figures only.

xlwings 0.37 (``xlwings.pro._xlofficejs._clean_value_data_element``) calls ``xlwings.utils.is_jsnull`` once per
argument cell, and that runs ``from pyodide.ffi import JsNull``. This times that open-source helper over as many
cells as the recorded calls marshal (xlwings PRO's code itself runs in the tests only, under its noncommercial
key). Run it where Pyodide is not installed."""

import statistics
import sys
import time
from types import SimpleNamespace

import xlwings.utils
from calls import read, recalculation

from cpo_xl.excel.officejs import never_jsnull, skip_jsnull_probe

SHIPPED = xlwings.utils.is_jsnull  # xlwings' own, unless something imported the add-in (checked below)


def seconds_per_cell(probe: object, repeats: int = 2000) -> float:
    """Median of 5 timings of ``repeats`` probe calls, per call (s)."""
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeats):
            probe(1.0)  # type: ignore[operator]
        samples.append((time.perf_counter() - t) / repeats)
    return statistics.median(samples)


log = recalculation(read())
cells = [c.cells for c in log]
if SHIPPED is never_jsnull:
    sys.exit("the add-in was imported before this read xlwings' own is_jsnull: nothing to compare")
as_run = SimpleNamespace(is_jsnull=SHIPPED)
if not skip_jsnull_probe(as_run):
    sys.exit("Pyodide is installed here (or xlwings has no is_jsnull): nothing to compare")
print(f"{len(log)} UDF calls, {sum(cells):,} argument cells a recalculation (largest call {max(cells):,}); "
      f"sys.path has {len(sys.path)} folders")
print(f"{'JsNull probe':<22} {'per cell':>10} {'largest call':>13} {'recalculation':>14}")
for name, probe in (("as xlwings ships it", SHIPPED), ("as the add-in runs it", as_run.is_jsnull)):
    per = seconds_per_cell(probe)
    print(f"{name:<22} {per * 1e6:>8.3f} us {per * max(cells) * 1e3:>10.3f} ms {per * sum(cells):>12.4f} s")
