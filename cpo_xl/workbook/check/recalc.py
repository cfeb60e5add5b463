"""Headless recalculation: every formula is recalculated (evaluate.py: `formulas`' parser and Excel
functions, each formula shape compiled once) with the catalogue UDFs registered, and each result is compared
with the value cached in the file."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from cpo_xl.engine.errors import CpoError
from cpo_xl.excel.catalogue import CATALOGUE, implementation
from cpo_xl.workbook.check import compiled, evaluate
from cpo_xl.workbook.read import contents, files

REL_TOL = 1e-9


_SIMPLE = (float, int, str)  # exactly these types (not bool, np.float64, ...) are already the UDF's shapes


def _plain(value: Any) -> Any:
    """A `formulas` argument (Ranges, arrays, sentinels) -> the shapes Excel hands a UDF."""
    import formulas
    if isinstance(value, formulas.ranges.Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        rows = [[cell if type(cell) in _SIMPLE else _plain(cell) for cell in row]
                for row in np.atleast_2d(value).tolist()]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows
    return compiled.plain(value)


class Counter:
    """UDF calls made during one recalculation, the argument cells they marshalled and their Python time."""

    def __init__(self) -> None:
        self.calls = 0
        self.cells = 0
        self.seconds = 0.0


def registered(counter: Counter) -> dict[str, Callable[..., Any]]:
    """Every catalogue UDF as a `formulas` function (errors become Excel #VALUE!)."""
    from formulas.tokens.operand import Error

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            counter.calls += 1
            plain = [_plain(a) for a in args]
            counter.cells += sum(_size(a) for a in plain)
            start = time.perf_counter()
            try:
                result = func(*plain)
            except CpoError:
                return Error.errors["#VALUE!"]
            finally:
                counter.seconds += time.perf_counter() - start
            if isinstance(result, list):
                return np.asarray(result, dtype=object)
            return result
        return call
    return {udf.name: wrap(implementation(udf.name)) for udf in CATALOGUE}


def _size(value: Any) -> int:
    """Cells an argument spans (a scalar is one)."""
    if isinstance(value, list):
        return sum(_size(v) if isinstance(v, list) else 1 for v in value)
    return 1


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def recalculate(path: Path, counter: Counter | None = None, book: contents.Book | None = None,
                ) -> tuple[dict[str, Any], int]:
    """{'SHEET!A1': recalculated value} for every formula cell, and the number of UDF calls."""
    import formulas
    counter = counter or Counter()
    formulas.get_functions().update(registered(counter))
    return evaluate.results(book or contents.read(path)), counter.calls


def check(path: Path, phase: Callable[[str], None] = lambda _: None) -> tuple[list[str], int, int]:
    """(problems, formula cells checked, UDF calls); `phase` hears the name of each step as it starts."""
    phase("reading the workbook")
    if "Inputs" not in files.sheet_names(path):  # sheet_names runs files.check_file first
        raise CpoError(f"{path}: no Inputs sheet; not a cpo-xl workbook")
    book = contents.read(path)
    cached = evaluate.cached(book)
    phase(f"recalculating {len(book.formulas):,} formulas ({len(cached):,} cells)")
    results, calls = recalculate(path, book=book)
    phase("comparing with the cached values")
    problems = []
    for ref, expected in cached.items():
        got = results.get(ref)
        if isinstance(got, str) and got.startswith("#"):
            problems.append(f"{ref}: error {got} (cached {expected!r})")
        elif expected is None or (isinstance(expected, str) and expected.startswith("#")):
            problems.append(f"{ref}: cached value missing or an error ({expected!r})")
        elif not _same(got, expected):
            problems.append(f"{ref}: recalculated {got!r} != cached {expected!r}")
    return problems, len(cached), calls
