"""`cpo-xl check`: recalculate every formula headlessly and compare with the cached values."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cpo_xl.workbook.recalc import check


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    start = time.perf_counter()
    problems, cells, calls = check(path)
    seconds = time.perf_counter() - start
    for line in problems:
        print(line)
    print(f"{path}: {cells} formula cells checked, {calls} UDF calls, {len(problems)} problems, {seconds:.1f} s")
    return 1 if problems else 0
