"""Median cold and warm time of UDF calls with the workbook's real arguments: the 2 x 13 rack_units range,
the ~284 x 4 assumptions range and the scenario (ad-hoc cells), and the block calls the workbook makes."""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))
import cpo_udfs

from cpo_xl.analysis.lines import line_items
from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel.functions import clear_caches
from cpo_xl.workbook.sheets import input_rows

block = [[r["key"], r["bear"], r["base"], r["bull"]] for r in input_rows("base", None)]
racks = [[float(y) for y in YEARS], list(Case().rack_series())]
names = [[item.name] for item in line_items(Case()) if item.sheet]
years = [[float(y) for y in YEARS]]
key = cpo_udfs.CPO_CASE(block, "base", racks)
calls = {"CPO_TAM (year, 2x13 racks, 284x4 assumptions, scenario)": lambda: cpo_udfs.CPO_TAM(2028.0, racks, block,
                                                                                             "base"),
         "CPO_ELASTICITY (same ranges)": lambda: cpo_udfs.CPO_ELASTICITY("AVGO", 2030.0, racks, block, "base"),
         "CPO_CASE (284x4 assumptions, 2x13 racks)": lambda: cpo_udfs.CPO_CASE(block, "base", racks),
         f"CPO_LINES ({len(names)} lines x 13 years, by case key)": lambda: cpo_udfs.CPO_LINES(key, names, years)}
for name, call in calls.items():
    cold, warm = [], []
    for _ in range(10):
        clear_caches()
        cpo_udfs.CPO_CASE(block, "base", racks)  # the key's case, as the workbook computes it first
        t = time.perf_counter()
        call()
        cold.append(time.perf_counter() - t)
        for _ in range(50):
            t = time.perf_counter()
            call()
            warm.append(time.perf_counter() - t)
    print(f"{name}: cold median {statistics.median(cold) * 1e3:.1f} ms, warm median "
          f"{statistics.median(warm) * 1e6:.0f} us (target < 50 us)")
