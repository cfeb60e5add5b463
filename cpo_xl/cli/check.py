"""`cpo-xl check`: recalculate every formula headlessly and compare with the cached values; a master check
that is not 0 is a problem too."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from cpo_xl.cli.checks import check_problem
from cpo_xl.workbook.check.recalc import check

SHOWN = 20  # problems listed one per line; the rest are counted per sheet


def _phase(name: str) -> None:
    """Progress on a terminal only: piped or in CI, stderr carries nothing but a failure's one line."""
    if sys.stderr.isatty():
        print(f"check: {name}...", file=sys.stderr, flush=True)


def summary(problems: list[str]) -> list[str]:
    """The first SHOWN problems, then how many there are per sheet."""
    lines = problems[:SHOWN]
    if len(problems) > SHOWN:
        per_sheet = Counter(p.split("!", 1)[0] for p in problems)
        lines.append(f"... {len(problems) - SHOWN:,} more; per sheet: "
                     + ", ".join(f"{sheet} {n:,}" for sheet, n in per_sheet.most_common()))
    return lines


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    start = time.perf_counter()
    problems, cells, calls = check(path, _phase)
    master = check_problem(path)  # the model's own checks, beside the formula mismatches
    problems = [master, *problems] if master else problems
    seconds = time.perf_counter() - start
    for line in summary(problems):
        print(line)
    plural = "" if len(problems) == 1 else "s"
    print(f"{path}: {cells:,} formula cells checked, {calls} UDF calls, {len(problems):,} problem{plural}, "
          f"{seconds:.1f} s")
    return 1 if problems else 0
