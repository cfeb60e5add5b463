"""Median time of a cold and a warm (cached) call of CPO_TAM and CPO_ELASTICITY."""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))
import cpo_udfs

from cpo_xl.excel.functions import clear_caches

calls = {"CPO_TAM": lambda: cpo_udfs.CPO_TAM(2028.0, 109850.0),
         "CPO_ELASTICITY": lambda: cpo_udfs.CPO_ELASTICITY("AVGO", 2030.0, 185646.5)}
for name, call in calls.items():
    cold, warm = [], []
    for _ in range(30):
        clear_caches()
        t = time.perf_counter()
        call()
        cold.append(time.perf_counter() - t)
        for _ in range(200):
            t = time.perf_counter()
            call()
            warm.append(time.perf_counter() - t)
    print(f"{name}: cold median {statistics.median(cold) * 1e3:.2f} ms (target < 10 ms), "
          f"warm median {statistics.median(warm) * 1e6:.1f} us (target < 50 us)")
