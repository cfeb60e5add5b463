"""Build time, `cpo-xl check` time and UDF calls in a full recalculation."""

import tempfile
import time
from pathlib import Path

from cpo_xl.workbook.check.recalc import check
from cpo_xl.workbook.write.build import build_workbook

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "CPO_Model.xlsx"
    t = time.perf_counter()
    build_workbook(path)
    build = time.perf_counter() - t
    t = time.perf_counter()
    problems, cells, calls = check(path)
    seconds = time.perf_counter() - t
print(f"build {build:.2f} s (target < 2 s); check {seconds:.1f} s (target < 30 s); {cells} formula cells, "
      f"{calls} UDF calls, {len(problems)} problems")
