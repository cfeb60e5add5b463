"""Headless recalculation: the `formulas` package recalculates every formula with the catalogue UDFs
registered, and each result is compared with the value cached in the file."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter, range_boundaries

from cpo_xl.engine.errors import CpoError
from cpo_xl.excel.catalogue import CATALOGUE, implementation
from cpo_xl.workbook import files

REL_TOL = 1e-9


def _plain(value: Any) -> Any:
    """A `formulas` argument (Ranges, arrays, sentinels) -> the shapes Excel hands a UDF."""
    import formulas
    import schedula
    from formulas.tokens.operand import XlError
    if isinstance(value, formulas.ranges.Ranges):
        value = value.value
    if isinstance(value, np.ndarray):
        rows = [[_plain(cell) for cell in row] for row in np.atleast_2d(value)]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return rows
    if value is schedula.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


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
        return sum(_size(v) for v in value)
    return 1


def cached_values(path: Path) -> dict[str, Any]:
    """'SHEET!A1' (sheet upper case, as `formulas` names cells) -> cached value of every formula cell."""
    cached = {}
    for ref, (_, value) in files.formula_cells(path).items():
        sheet, cell = ref.rsplit("!", 1)
        cached[f"{sheet.upper()}!{cell}"] = value
    return cached


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)
    return a == b


def recalculate(path: Path, counter: Counter | None = None) -> tuple[dict[str, Any], int]:
    """{'SHEET!A1': recalculated value} for every formula cell, and the number of UDF calls."""
    import formulas
    # schedula logs a traceback when it tries a cell before its inputs are ready and then retries it; the
    # results are complete (every cell is compared below), so the noise is muted
    logging.getLogger("schedula").setLevel(logging.CRITICAL)
    counter = counter or Counter()
    functions = formulas.get_functions()
    functions.update(registered(counter))
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    results: dict[str, Any] = {}
    blocks: dict[str, Any] = {}
    for ref, ranges in solution.items():
        name = ref.split("]", 1)[-1].replace("'", "")
        if name.startswith("!"):
            continue
        if ":" in name:  # an array formula's range: one value per member cell
            blocks[name] = ranges
            continue
        value = ranges.value[0, 0] if hasattr(ranges, "value") else ranges
        results[name] = _plain(value)
    for name, ranges in blocks.items():
        sheet, span = name.rsplit("!", 1)
        first_col, first_row, _, _ = range_boundaries(span)
        values = np.atleast_2d(ranges.value if hasattr(ranges, "value") else ranges)
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                results.setdefault(f"{sheet}!{get_column_letter(first_col + j)}{first_row + i}", _plain(v))
    return results, counter.calls


def check(path: Path) -> tuple[list[str], int, int]:
    """(problems, formula cells checked, UDF calls)."""
    if "Inputs" not in files.sheet_names(path):  # sheet_names runs files.check_file first
        raise CpoError(f"{path}: no Inputs sheet; not a cpo-xl workbook")
    cached = cached_values(path)
    results, calls = recalculate(path)
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
