"""`cpo-xl check`'s own evaluation time on the model workbook and on a PM copy (issue 21: at least 3x faster).

The figure is the recalculation of every formula (`evaluate.evaluate` on a workbook already read, the catalogue
UDFs registered): total, the time spent inside the UDF bodies (the engine, the same code whatever the
evaluator; the PM copy calls none), and the evaluator's own time = total - UDF time. Reading the file and the
comparison with the cached values are left out (the same code before and after).

With `--before DIR` (a checkout of another commit, e.g. `git worktree add /tmp/main main`) the same timing
runs with that code (PYTHONPATH=DIR), interleaved with this code's runs, and the recalculated values of both
are compared. Each timing runs in a fresh process; medians of `--repeat`. The PM copy is written by this
code's `cpo-xl publish` into a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _worker(path: Path) -> dict[str, Any]:
    import formulas

    try:
        from cpo_xl.workbook.check import evaluate, recalc
        from cpo_xl.workbook.read import contents
    except ImportError:  # a --before checkout from before the workbook package was arranged by role
        from cpo_xl.workbook import evaluate, recalc
        contents = evaluate  # Book and read() lived in evaluate then
    counter = recalc.Counter()
    udf_cpu = [0.0]  # CPU time inside the UDF bodies (counter.seconds is their wall time)
    implementation = recalc.implementation

    def timed(name: str) -> Any:
        func = implementation(name)

        def call(*args: Any) -> Any:
            start = time.process_time()
            try:
                return func(*args)
            finally:
                udf_cpu[0] += time.process_time() - start
        return call
    recalc.implementation = timed  # type: ignore[attr-defined]
    formulas.get_functions().update(recalc.registered(counter))
    book = contents.read(path)
    t, cpu = time.perf_counter(), time.process_time()
    values = evaluate.evaluate(book)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    digest = hashlib.sha256(repr(sorted((repr(k), repr(v)) for k, v in values.items())).encode()).hexdigest()
    return {"seconds": seconds, "cpu": cpu, "udf": counter.seconds, "udf_cpu": udf_cpu[0], "cells": len(values),
            "formulas": len(book.formulas), "digest": digest}


def _run(path: Path, code: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, __file__, "--worker", str(path)], env=env, cwd=code, check=True,
                         capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with (e.g. main)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker)))
        return
    variants = {"this code": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    with tempfile.TemporaryDirectory() as tmp:
        pm = Path(tmp) / "pm.xlsx"
        subprocess.run([sys.executable, "-m", "cpo_xl.cli", "publish", "--output", str(pm)], cwd=ROOT,
                       check=True, capture_output=True)
        books = {"model workbook/CPO_Model.xlsx": ROOT / "workbook" / "CPO_Model.xlsx", "PM copy": pm}
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for _ in range(args.repeat):
            for book, path in books.items():
                for name, code in variants.items():
                    runs.setdefault((book, name), []).append(_run(path, code))
    print(f"cpo-xl check's evaluation (seconds, medians of {args.repeat}, each run in a fresh process):")
    for book in books:
        own: dict[str, float] = {}
        own_cpu: dict[str, float] = {}
        for name in variants:
            rs = runs[(book, name)]
            total = statistics.median(r["seconds"] for r in rs)
            udf = statistics.median(r["udf"] for r in rs)
            own[name] = statistics.median(r["seconds"] - r["udf"] for r in rs)
            cpu = statistics.median(r["cpu"] for r in rs)
            own_cpu[name] = statistics.median(r["cpu"] - r["udf_cpu"] for r in rs)
            each = ", ".join(f"{r['seconds'] - r['udf']:.2f}" for r in rs)
            print(f"  {book}, {name}: {rs[0]['formulas']:,} formulas, {rs[0]['cells']:,} cells: total {total:.2f}, "
                  f"in UDF bodies {udf:.2f}, own {own[name]:.2f} [own per run: {each}]; CPU: total {cpu:.2f}, "
                  f"own {own_cpu[name]:.2f}")
        if args.before:
            same = len({r["digest"] for name in variants for r in runs[(book, name)]}) == 1
            print(f"  {book}: own time before / this code = {own['before'] / own['this code']:.1f}x wall, "
                  f"{own_cpu['before'] / own_cpu['this code']:.1f}x CPU (target >= 3x); recalculated values "
                  f"{'identical' if same else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
