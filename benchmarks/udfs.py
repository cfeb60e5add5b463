"""Cold and warm time of every UDF that workbook/CPO_Model.xlsx calls, each call with the workbook's real
arguments (recorded from one headless recalculation), through udfs/cpo_udfs.py as Excel calls it. Issue 20's
budget: every warm call <= 50 us; CPO_TORNADO and CPO_PERCENTILES <= 1 ms warm (cached by content).

Cold: clear_caches() before every sample (content caches, case parsing, model runs, decoded CPO_CASE keys,
tables, simulations), so the call computes all it needs; no cold sample follows a warm call uncleared.
Warm: the identical call again, right after one untimed call, with fresh copies of the arguments (Excel hands
over new objects each recalculation, so no hash a string object cached is reused). Figures only."""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))
import cpo_udfs
from calls import read, recalculation

from cpo_xl.excel.functions import clear_caches

WARM_TARGET_US = {"CPO_TORNADO": 1000.0, "CPO_PERCENTILES": 1000.0}  # every other function: 50 us
COLD_SAMPLES, WARM_REPEATS = 5, 50


def fresh(args: list) -> list:
    """New objects with the same values, as Excel marshals them for every call."""
    return json.loads(json.dumps(args))


def timed(func: object, args: list) -> float:
    t = time.perf_counter()
    func(*args)
    return time.perf_counter() - t


log = recalculation(read())
names = list(dict.fromkeys(c.name for c in log))  # workbook order
print(f"{COLD_SAMPLES} cold samples a function; {WARM_REPEATS} warm samples a call; 'slowest call': the largest "
      "median of one workbook call warm, which the target (warm, every call) is checked against")
print(f"{'function':<16} {'calls':>5} {'cold median':>12} {'warm median':>12} {'slowest call':>12} {'target':>9}")
for name in names:
    calls, func = [c.args for c in log if c.name == name], getattr(cpo_udfs, name)
    cold = []
    for i in range(COLD_SAMPLES):  # the function's calls in turn
        args = fresh(calls[i % len(calls)])
        clear_caches()
        cold.append(timed(func, args))
    warm, per_call = [], []
    for args in calls:
        func(*fresh(args))  # untimed: fills the caches
        samples = [timed(func, fresh_args) for fresh_args in [fresh(args) for _ in range(WARM_REPEATS)]]
        warm += samples
        per_call.append(statistics.median(samples))
    target, worst = WARM_TARGET_US.get(name, 50.0), max(per_call) * 1e6
    cold_ms, warm_us = statistics.median(cold) * 1e3, statistics.median(warm) * 1e6
    print(f"{name:<16} {len(calls):>5} {cold_ms:>9.1f} ms {warm_us:>9.0f} us {worst:>9.0f} us {target:>6.0f} us  "
          f"{'PASS' if worst <= target else 'MISS'}")
