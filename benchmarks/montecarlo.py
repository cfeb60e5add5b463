"""Monte Carlo speed: 100,000 draws x 13 years vectorised, against the same draws in a plain Python loop, and
the path `cpo-xl simulate` runs (the same draws with each company's exposure in 2030 kept), in this process
after a warm-up. `benchmarks/startup.py` times the whole command (interpreter, imports, chart).

The loop is timed on 2,000 draws and scaled to 100,000 (a full loop takes about a minute); both paths compute
the same numbers (tests/test_scenarios.py checks that).
"""

import statistics
import time

from cpo_xl.analysis import montecarlo as mc
from cpo_xl.engine.case import Case

N, LOOP_N = 100_000, 2_000
mc.simulate(Case(), 1000)  # warm imports and caches
vector = []
for _ in range(5):
    t = time.perf_counter()
    mc.simulate(Case(), N)
    vector.append(time.perf_counter() - t)
with_companies = []
for _ in range(5):
    t = time.perf_counter()
    mc.simulate(Case(), N, companies=True, exposure_year=2030)
    with_companies.append(time.perf_counter() - t)
t = time.perf_counter()
mc.loop_simulate(Case(), LOOP_N)
loop = (time.perf_counter() - t) * N / LOOP_N
best = statistics.median(vector)
print(f"Monte Carlo {N:,} draws x 13 years: vectorised median {best:.2f} s (target < 1 s); "
      f"plain Python loop {loop:.1f} s (timed on {LOOP_N:,} draws, scaled); ratio {loop / best:.0f}x "
      f"(target >= 50x)")
print(f"Monte Carlo {N:,} draws with companies (the path of cpo-xl simulate): median "
      f"{statistics.median(with_companies):.2f} s (target < 1 s)")
