"""Excel argument shapes -> plain, hashable Python values, or a CpoError naming the argument.

Excel (through xlwings or the headless recalculation) passes numbers as floats, empty cells as None, a row or
column as a flat list, a 2-D range as a list of lists, and error cells as strings such as '#N/A' (the UDF module
asks xlwings for ``err_to_str`` on every argument: by default both the classic and the Office.js path turn an
error cell into None, which would silently read as a blank).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from cpo_xl.engine.assumptions import Rule
from cpo_xl.engine.case import Bounds
from cpo_xl.engine.errors import CpoError, number_text
from cpo_xl.engine.inputs import SCENARIOS, python_value, short
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR

RackKey = tuple[tuple[int, float], ...]
EXCEL_ERRORS = ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!")
_ERROR_SET = frozenset(EXCEL_ERRORS)


QUOTED = 40  # characters of a person's value a UDF's message quotes; the rest is only counted


def quoted(value: Any) -> str:
    """A value as a UDF's message quotes it: its repr, cut after QUOTED characters with its length given
    (:func:`inputs.short`), so a pasted 100,000-character cell cannot flood the message."""
    return short(value, QUOTED)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _error_text(value: Any) -> str | None:
    """The Excel error a cell holds ('#N/A', ...), or None."""
    if isinstance(value, str) and value.strip().upper() in _ERROR_SET:
        return value.strip().upper()
    return None


def _excel_error(value: Any, argument: str) -> None:
    if error := _error_text(value):
        raise CpoError(f"{argument} holds the Excel error {error}; fix the cell it points to")


def reject_errors(value: Any, argument: str) -> None:
    """CpoError naming the argument (and the cell of a range) when any cell holds an Excel error value."""
    if not isinstance(value, list | tuple):
        _excel_error(value, argument)
        return
    for i, row in enumerate(value):
        cells = row if isinstance(row, list | tuple) else (row,)
        for j, cell in enumerate(cells):
            if error := _error_text(cell):
                where = f"row {i + 1}, column {j + 1}" if isinstance(row, list | tuple) else f"cell {i + 1}"
                raise CpoError(f"{argument} holds the Excel error {error} ({where} of the range); "
                               "fix the cell it points to")


def number(value: Any, argument: str, low: float = -math.inf, high: float = math.inf, *, low_open: bool = False,
           high_open: bool = False) -> float:
    """A finite number in [low, high] (an end excluded when ``low_open`` / ``high_open``); numeric text is
    accepted, booleans are not."""
    _excel_error(value, argument)
    if isinstance(value, list | tuple) and len(value) == 1:
        return number(value[0], argument, low, high, low_open=low_open, high_open=high_open)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise CpoError(f"{argument} {quoted(value)} is not a number") from None
    value = python_value(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CpoError(f"{argument} {quoted(value)} is not a number")
    if not math.isfinite(value):
        raise CpoError(f"{argument} {value!r} is not a finite number")
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):
        allowed = Rule(argument, "decimal", None if math.isinf(low) else low, None if math.isinf(high) else high,
                       low_open, high_open)  # the schema's words for a range: '0 to 1', 'greater than 0'
        raise CpoError(f"{argument} {number_text(value)} is outside the allowed range: {allowed.text()}")
    return float(value)


def bounded(value: Any, argument: str, rule: Rule) -> float:
    """A number within the bounds the assumption schema sets for a key (:func:`assumptions.rule`), so a function
    argument that is an assumption by another name accepts exactly what the assumption accepts."""
    return number(value, argument, -math.inf if rule.low is None else rule.low,
                  math.inf if rule.high is None else rule.high, low_open=rule.low_open, high_open=rule.high_open)


def year(value: Any, argument: str = "year") -> int:
    """A whole calendar year inside the horizon (Excel sends 2028.0)."""
    if is_blank(value):
        raise CpoError(f"{argument} is empty; allowed: a whole year {FIRST_YEAR}-{LAST_YEAR}")
    y = number(value, argument)
    if not y.is_integer():
        raise CpoError(f"{argument} {number_text(y)} is not a whole year; allowed: {FIRST_YEAR}-{LAST_YEAR}")
    if not FIRST_YEAR <= y <= LAST_YEAR:
        raise CpoError(f"{argument} {int(y)} is outside the model horizon {FIRST_YEAR}-{LAST_YEAR}")
    return int(y)


def choice(value: Any, argument: str, allowed: Sequence[str], default: str | None = None) -> str:
    """One of ``allowed`` (case and stray spaces forgiven); blank -> default when there is one."""
    _excel_error(value, argument)
    if is_blank(value) and default is not None:
        return default
    if not isinstance(value, str):
        raise CpoError(f"{argument} {quoted(value)} is not allowed; allowed: {', '.join(allowed)}")
    lookup = {a.lower(): a for a in allowed}
    key = value.strip().lower()
    if key not in lookup:
        raise CpoError(f"{argument} {quoted(value)} is unknown; allowed: {', '.join(allowed)}")
    return lookup[key]


def _rows(value: Any, argument: str) -> list[list[Any]]:
    """A range as a list of rows; a flat list is one row."""
    if not isinstance(value, list | tuple) or not value:
        raise CpoError(f"{argument} {quoted(value)} is not a range")
    if all(isinstance(row, list | tuple) for row in value):
        widths = {len(row) for row in value}
        if len(widths) != 1:
            raise CpoError(f"{argument} is ragged: rows of {sorted(widths)} cells")
        return [list(row) for row in value]
    if any(isinstance(row, list | tuple) for row in value):
        raise CpoError(f"{argument} mixes cells and rows")
    return [list(value)]


def racks(value: Any, at_year: int | None, argument: str = "rack_units") -> RackKey:
    """Racks by year: a number (racks in ``at_year``) or a 2-row / 2-column table of (year, racks)."""
    if isinstance(value, list | tuple) and len(value) == 1 and not isinstance(value[0], list | tuple):
        value = value[0]
    if isinstance(value, list | tuple) and len(value) == 1 and isinstance(value[0], list | tuple) \
            and len(value[0]) == 1:
        value = value[0][0]  # one cell as a 1x1 range (Office.js sends every argument as rows): its number
    if not isinstance(value, list | tuple):
        if at_year is None:
            raise CpoError(f"{argument}: a single number needs a year; give a table of years and racks")
        return ((at_year, number(value, argument, 0.0, 1e9)),)
    rows = _rows(value, argument)
    if len(rows) == 2 and len(rows[0]) >= 1:
        pairs = list(zip(rows[0], rows[1], strict=True))
    elif len(rows[0]) == 2:
        pairs = [(row[0], row[1]) for row in rows]
    else:
        raise CpoError(f"{argument} is {len(rows)}x{len(rows[0])}; allowed: a number, 2 rows or 2 columns "
                       "of (year, racks)")
    table: dict[int, float] = {}
    for raw_year, raw_racks in pairs:
        if is_blank(raw_year) and is_blank(raw_racks):
            continue
        y = year(raw_year, f"{argument} year")
        if is_blank(raw_racks):
            raise CpoError(f"{argument} racks for {y} is empty; give a number of racks or clear the year too")
        if y in table:  # the last one would win: which one depends on the range's order
            raise CpoError(f"{argument} gives {y} twice; one value per year")
        table[y] = number(raw_racks, f"{argument} racks", 0.0, 1e9)
    if at_year is not None and at_year not in table:
        raise CpoError(f"{argument} has no racks for {at_year}; years given: {sorted(table) or 'none'}")
    return tuple(sorted(table.items()))


def table(value: Any, argument: str = "assumptions") -> list[list[Any]]:
    """An assumptions range as rows of (key, value) or (key, bear, base, bull), keys stripped; [] when blank.

    Pull's rules: fully blank rows are skipped; a key with a blank value cell, a non-text key, a non-finite
    number or a key given twice is a CpoError naming the key (the last one would silently win, depending on
    the range's order). A range laid out in rows (2 or 4 rows) is read as columns.
    """
    if is_blank(value):
        return []
    rows = _rows(value, argument)
    while len(rows[0]) > 2 and len(rows[0]) != 4 and all(is_blank(row[-1]) for row in rows):
        rows = [row[:-1] for row in rows]  # a range selected one empty column too wide, as an empty row is read
    if len(rows[0]) not in (2, 4):
        if len(rows) in (2, 4) and len(rows[0]) >= 1:  # a range laid out in rows
            rows = [list(pair) for pair in zip(*rows, strict=True)]
        else:
            raise CpoError(f"{argument} is {len(rows)}x{len(rows[0])}; allowed: 2 columns (key, value) or "
                           "4 columns (key, bear, base, bull)")
    heads = ("value",) if len(rows[0]) == 2 else SCENARIOS
    seen: dict[str, int] = {}
    out = []
    for n, row in enumerate(rows, start=1):
        key = row[0]
        if all(is_blank(c) for c in row):
            continue
        if not isinstance(key, str) or is_blank(key):
            raise CpoError(f"{argument} key {quoted(key)} in row {n} is not a text key (values {quoted(row[1:])})")
        name = key.strip()
        if name in seen:
            raise CpoError(f"{argument} {name} is given twice (rows {seen[name]} and {n}); one row per key")
        seen[name] = n
        for head, cell in zip(heads, row[1:], strict=True):
            _excel_error(cell, f"{argument} {name} ({head})")
            if is_blank(cell):
                raise CpoError(f"{argument} {name}: the {head} cell is empty; type a value or clear the row")
            if isinstance(cell, float) and not math.isfinite(cell):
                raise CpoError(f"{argument} {name} ({head}): {cell!r} is not a finite number")
        out.append([name, *row[1:]])
    return out


def case_inputs(value: Any, scenario: str = "base",
                argument: str = "assumptions") -> tuple[tuple[tuple[str, Any], ...], Bounds]:
    """An assumptions range, read once -> (((key, value), ...) for ``scenario``, (key, bear, bull) bounds);
    None -> ((), ()).

    2 columns (key, value): overrides of the scenario's defaults, no bounds. 4 columns (key, bear, base, bull),
    as the workbook's ``assumptions`` name: the scenario picks its column, so the same range gives bear, base or
    bull values by the scenario argument alone, and the bear and bull columns are what the tornado and Monte
    Carlo move each input between.
    """
    rows = table(value, argument)
    if not rows:
        return (), ()
    column = 1 if len(rows[0]) == 2 else 1 + SCENARIOS.index(scenario)  # columns 2-4: bear, base, bull
    overrides = tuple((row[0], row[column]) for row in rows)
    bounds = tuple((row[0], row[1], row[3]) for row in rows) if len(rows[0]) == 4 else ()
    return overrides, bounds


def numbers(value: Any, argument: str) -> list[float]:
    """A row or column of numbers (blanks skipped)."""
    rows = _rows(value if isinstance(value, list | tuple) else [value], argument)
    flat = [cell for row in rows for cell in row] if len(rows) > 1 else rows[0]
    if len(rows) > 1 and len(rows[0]) > 1:
        raise CpoError(f"{argument} is {len(rows)}x{len(rows[0])}; allowed: one row or one column")
    return [number(cell, argument) for cell in flat if not is_blank(cell)]
