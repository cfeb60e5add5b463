"""Time to compute every table for the three scenarios, cold (caches cleared) and warm (from the cache)."""

import statistics
import time

from cpo_xl import model, tables
from cpo_xl.functions import clear_caches
from cpo_xl.inputs import SCENARIOS, resolve


def all_tables() -> None:
    for s in SCENARIOS:
        a = resolve(s)
        tables.tables(a, model.rack_series(a))



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
