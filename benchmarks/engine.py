"""Time to compute every table for the three scenarios, cold (caches cleared) and warm (from the cache)."""

import statistics
import time

from cpo_xl.analysis import tables
from cpo_xl.engine.case import Case
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.excel.functions import clear_caches


def all_tables() -> None:
    for s in SCENARIOS:
        tables.tables(Case(s))



cold, warm = [], []
for _ in range(20):
    clear_caches()
    t = time.perf_counter()
    all_tables()
    cold.append(time.perf_counter() - t)
    t = time.perf_counter()
    all_tables()
    warm.append(time.perf_counter() - t)
print(f"engine, 3 scenarios, every table: cold median {statistics.median(cold) * 1e3:.1f} ms (target < 50 ms), "
      f"warm median {statistics.median(warm) * 1e3:.3f} ms (target < 1 ms)")
