"""Block UDFs: few, cheap calls per recalculation.

The workbook hands the assumptions range (4 x ~280 cells) to one ``CPO_CASE`` cell per case; it returns a
short key, and every model block passes that key instead of the ranges. Each block returns a whole range
(rows of lines x year columns) as one array formula, so a full recalculation makes a few dozen calls that
marshal a few thousand cells, not ~1,900 calls of ~1,000 cells each. ``=CPO_TAM(2028, rack_units)`` and the
other single-value functions keep working for ad-hoc cells.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np

from cpo_xl.analysis import lines
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import year_index
from cpo_xl.excel import args as ea
from cpo_xl.excel.functions import MORE_CACHES, _case, _simulation, _thawed, excel_safe, frozen

MAX_CASES = 256  # distinct cases kept per Python session (a workbook uses 8)
_CASES: OrderedDict[str, Case] = OrderedDict()
COMPANY_FIELDS = ("cpo_revenue", "exposure", "net_exposure", "ebit_elasticity")
NOT_DEFINED = "n/a"


@lru_cache(maxsize=256)
def case_key(case: Case) -> str:
    """A short text key for a case: its assumptions' fingerprint and a digest of its rack series."""
    series = ",".join(f"{float(r):.12g}" for r in case.rack_series())
    racks = hashlib.sha256(series.encode()).hexdigest()[:8]
    return f"case {case.scenario} {case.assumptions().fingerprint}-{racks}"


def remember(case: Case) -> str:
    """Register a case under its key and return the key (least recently used cases are dropped)."""
    key = case_key(case)
    _CASES[key] = case
    _CASES.move_to_end(key)
    while len(_CASES) > MAX_CASES:
        _CASES.popitem(last=False)
    return key


def recall(key: Any) -> Case:
    """The case behind a key; CpoError when this Python session has not seen it."""
    if not isinstance(key, str) or key not in _CASES:
        raise CpoError(f"case_key {str(key)[:40]!r} is not known to this Python session: recalculate the "
                       "workbook (Ctrl+Alt+F9) so its CPO_CASE cells run first")
    _CASES.move_to_end(key)
    return _CASES[key]


def _names(value: Any, argument: str) -> list[str]:
    """A column or row of text cells (blanks skipped)."""
    cells = value if isinstance(value, list) else [value]
    flat = [c for row in cells for c in (row if isinstance(row, list) else [row])]
    if not flat or not all(isinstance(c, str) for c in flat if not ea.is_blank(c)):
        raise CpoError(f"{argument}: a row or column of names is needed")
    return [c.strip() for c in flat if not ea.is_blank(c)]


def _flat(value: Any) -> Any:
    """A one-row or one-column range as a flat list (other shapes unchanged)."""
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        if len(value) == 1:
            return list(value[0])
        if all(len(r) == 1 for r in value):
            return [r[0] for r in value]
    return value


def _years(value: Any) -> list[int]:
    return [ea.year(y, "years") for y in ea.numbers(value, "years")]


def _cell(value: float) -> Any:
    return float(value) if math.isfinite(value) else NOT_DEFINED


@excel_safe
def CPO_CASE(assumptions: Any = None, scenario: Any = None, rack_units: Any = None, years: Any = None) -> str:
    table = rack_units
    if not ea.is_blank(rack_units) and not ea.is_blank(years):
        table = [_flat(years), _flat(rack_units)]
    return remember(_case(table, assumptions, scenario, None))


@excel_safe
def CPO_LINES(case_key: Any, line_names: Any, years: Any) -> list[list[Any]]:
    recall(case_key)
    return _lines(case_key, frozen(line_names), frozen(years))


@lru_cache(maxsize=256)
def _lines(case_key: str, line_names: Any, years: Any) -> list[list[Any]]:
    """The block of CPO_LINES for a case key (the case cannot change under its key), computed once."""
    case = recall(case_key)
    ys = _years(_thawed(years))
    result, items = run(case), {item.name: item for item in lines.line_items(case)}
    rows = []
    for name in _names(_thawed(line_names), "line_names"):
        if name not in items:
            lines.find(case, name)  # raises with suggestions
        values = lines.value(result, items[name].path)
        rows.append([_cell(values[year_index(y)]) for y in ys])
    return rows


MORE_CACHES.extend([_lines, case_key])


@excel_safe
def CPO_COMPANIES(case_key: Any, tickers: Any, year: Any) -> list[list[Any]]:
    case = recall(case_key)
    i = year_index(ea.year(year))
    companies = run(case).companies
    rows = []
    for ticker in _names(tickers, "tickers"):
        name = ea.choice(ticker, "ticker", tuple(companies))
        rows.append([_cell(getattr(companies[name], field)[i]) for field in COMPANY_FIELDS])
    return rows


@excel_safe
def CPO_TORNADO(case_key: Any, input_keys: Any, year: Any) -> list[list[float]]:
    from cpo_xl.analysis import scenarios  # pandas: loaded on the first tornado, not at import
    case, y = recall(case_key), ea.year(year)
    return [[scenarios.swing(case, key, y, "low"), scenarios.swing(case, key, y, "high")]
            for key in _names(input_keys, "input_keys")]


@excel_safe
def CPO_RATIOS(case_key: Any, sources: Any, years: Any) -> list[list[float]]:
    case = recall(case_key)
    result = run(case)
    ids, ys = _names(sources, "sources"), _years(years)
    if len(ids) != len(ys):
        raise CpoError(f"sources ({len(ids)}) and years ({len(ys)}) must pair up row by row")
    rows = []
    for source, y in zip(ids, ys, strict=True):
        point = xc.find(source, y)
        rows.append([xc.ratio(float(xc.model_line(result, point.metric)[year_index(y)]), point)])
    return rows


@excel_safe
def CPO_PERCENTILES(case_key: Any, percentiles: Any, years: Any) -> list[list[float]]:
    case = recall(case_key)
    qs = [ea.number(q, "percentiles", 0.0, 1.0) for q in ea.numbers(percentiles, "percentiles")]
    draws = _simulation(case)
    cols = [year_index(y) for y in _years(years)]
    return [[float(np.percentile(draws[:, c], 100 * q)) for c in cols] for q in qs]

