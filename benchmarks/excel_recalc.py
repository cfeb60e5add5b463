"""What a recalculation of workbook/CPO_Model.xlsx costs in Excel, against issue 20's budget (at most 100 UDF
calls per full recalculation; at most 1 s per input edit, the Python time of the calls included).

The UDF calls are those the headless recalculation makes, with the workbook's real arguments. Their Python time
is measured cold (clear_caches(): every call computes), warm (the same arguments again: every call is a cache
lookup) and after an edit of one Inputs cell in a warm process (the calls whose argument content changed miss
the cache, the others are lookups). After any Inputs edit Excel recalculates every call that takes the
assumptions range or a CPO_CASE key (all but CPO_VERSION()); each costs a round trip (~3.8 ms after
xlwings#1976/#1980) and its argument cells are marshalled (2.7-5.5 us a cell, xlwings#397). The estimate per
edit adds those to the Python time. Figures only, never assertions."""

import statistics
import time

from calls import WORKBOOK, read, recalculation

from cpo_xl.excel.functions import clear_caches
from cpo_xl.workbook.check.recalc import check

CALL_S, CELL_S = 3.8e-3, (2.7e-6, 5.5e-6)
MAX_CALLS, MAX_EDIT_S = 100, 1.0
EDITED = "pricing.erosion_2027"  # an input of the tornado: its base and bull cells are edited below
REPEATS = 3  # medians of 3: the first cold run also pays lazy imports (pandas, scipy), as a fresh add-in does


def verdict(low: float, high: float, target: float) -> str:
    return "PASS" if high <= target else "MISS" if low > target else "MISS at the high end"


def python_s(log: list) -> float:
    return sum(c.seconds for c in log)


def median_s(logs: list[list]) -> float:
    return statistics.median(python_s(log) for log in logs)


book = read()
colds = []
for _ in range(REPEATS):
    clear_caches()
    colds.append(recalculation(book))
cold, warm = colds[0], recalculation(book)
row = next(r for (sheet, r, c), v in book.constants.items() if sheet == "INPUTS" and c == 1 and v == EDITED)
edits = []
for column, label in ((3, "base"), (4, "bull")):
    cell, kept, runs = ("INPUTS", row, column), book.constants[("INPUTS", row, column)], []
    for step in range(1, REPEATS + 1):  # a new value each time: the warm process has not seen it
        book.constants[cell] = kept * (1 + step / 10)
        runs.append(recalculation(book))
        book.constants[cell] = kept
    changed = sum(a.args != b.args for a, b in zip(runs[0], warm, strict=True))
    edits.append((f"{EDITED} {label} x1.1-x{1 + REPEATS / 10:.1f}", changed, median_s(runs)))

dirty = [c for c in cold if c.takes_inputs]
cells = sum(c.cells for c in dirty)
print(f"{WORKBOOK.name}, one full recalculation: {len(cold)} UDF calls (target <= {MAX_CALLS}: "
      f"{'PASS' if len(cold) <= MAX_CALLS else 'MISS'}), {sum(c.cells for c in cold):,} argument cells marshalled")
print(f"Python time of the calls: cold (fresh caches) {median_s(colds):.3f} s (median of {REPEATS}: "
      f"{', '.join(f'{python_s(log):.3f}' for log in colds)}); warm (same arguments) "
      f"{python_s(warm):.3f} s, {python_s(warm) / len(warm) * 1e6:.0f} us a call")
print(f"after an edit of one cell of the assumptions table Excel recalculates the {len(dirty)} calls that take "
      f"the assumptions range or a CPO_CASE key (all but "
      f"{', '.join(sorted({c.name for c in cold if not c.takes_inputs}))}), {cells:,} argument cells")
for label, changed, seconds in edits:
    print(f"  edit {label}: {changed} of them get new arguments (cache misses), Python time {seconds:.3f} s (median)")
transfer = [len(dirty) * CALL_S + cells * c for c in CELL_S]
print(f"estimated Excel time per input edit = {len(dirty)} x {CALL_S * 1e3:.1f} ms round trip + {cells:,} cells x "
      f"{CELL_S[0] * 1e6:.1f}-{CELL_S[1] * 1e6:.1f} us = {transfer[0]:.2f}-{transfer[1]:.2f} s, plus Python time:")
for label, seconds in (("cold (fresh caches)", median_s(colds)),
                       *((f"edit {label}", s) for label, _, s in edits)):
    low, high = (t + seconds for t in transfer)
    print(f"  {label}: {low:.2f}-{high:.2f} s (target <= {MAX_EDIT_S:.0f} s: {verdict(low, high, MAX_EDIT_S)})")
t = time.perf_counter()
problems, formula_cells, udf_calls = check(WORKBOOK)
print(f"cpo-xl check: {time.perf_counter() - t:.1f} s, {formula_cells} formula cells, {udf_calls} UDF calls, "
      f"{len(problems)} problems")
