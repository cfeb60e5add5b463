"""Build time, `cpo-xl check` time and UDF calls in a full recalculation; warm builds under Python's default
garbage-collector thresholds and under the CLI's (cli.main.GC_THRESHOLDS)."""

import gc
import statistics
import tempfile
import time
from pathlib import Path

from cpo_xl.cli.main import GC_THRESHOLDS
from cpo_xl.workbook.check.recalc import check
from cpo_xl.workbook.write.build import build_workbook

WARM_BUILDS = 5


def warm_builds(path: Path, thresholds: tuple[int, int, int]) -> float:
    """Median seconds of WARM_BUILDS builds of the base case under collector ``thresholds``."""
    default = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        times = []
        for _ in range(WARM_BUILDS):
            t = time.perf_counter()
            build_workbook(path)
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    finally:
        gc.set_threshold(*default)


with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "CPO_Model.xlsx"
    t = time.perf_counter()
    build_workbook(path)
    build = time.perf_counter() - t
    t = time.perf_counter()
    problems, cells, calls = check(path)
    seconds = time.perf_counter() - t
    python_default = warm_builds(path, gc.get_threshold())
    cli = warm_builds(path, GC_THRESHOLDS)
print(f"build {build:.2f} s (target < 2 s); check {seconds:.1f} s (target < 30 s); {cells} formula cells, "
      f"{calls} UDF calls, {len(problems)} problems")
print(f"warm build, median of {WARM_BUILDS}: {python_default:.2f} s with Python's collector thresholds, "
      f"{cli:.2f} s with the CLI's {GC_THRESHOLDS}")
