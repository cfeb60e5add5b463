"""Block UDFs: few, cheap calls per recalculation.

The workbook hands the assumptions range (4 x ~280 cells) to one ``CPO_CASE`` cell per case; it returns a
text key that *is* the case: the scenario, the inputs that differ from the shipped assumptions it names by
digest, and the typed racks, as JSON. Every model block passes that key instead of the ranges, and any Python
process decodes it alone: a block's result depends on its argument values only (Excel's rule for a function),
in any calculation order, after a restart, on Office.js where nothing recalculates on open. Each block returns a
whole range (rows of lines x year columns) as one array formula, so a full recalculation makes a few dozen calls
that marshal a few thousand cells. ``=CPO_TAM(2028, rack_units)`` and the other single-value functions take the
ranges themselves.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cpo_xl.analysis import lines
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import year_index
from cpo_xl.excel import args as ea
from cpo_xl.excel.case_keys import case_key, recall
from cpo_xl.excel.functions import _case, _simulation, excel_safe

COMPANY_FIELDS = ("cpo_revenue", "exposure", "net_exposure", "ebit_elasticity")
NOT_DEFINED = "n/a"


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
    case = _case(table, assumptions, scenario, None)
    case.assumptions()  # a bad key or value is named here, in the CPO_CASE cell, not in every block
    return case_key(case)


@excel_safe
def CPO_LINES(case_key: Any, line_names: Any, years: Any) -> list[list[Any]]:
    case = recall(case_key)
    ys = _years(years)
    result, items = run(case), {item.name: item for item in lines.line_items(case)}
    rows = []
    for name in map(lines.canonical, _names(line_names, "line_names")):
        if name not in items:
            lines.find(case, name)  # raises with suggestions
        values = lines.value(result, items[name].path)
        rows.append([_cell(values[year_index(y)]) for y in ys])
    return rows


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
    return [[low, high] for low, high in scenarios.swings(case, _names(input_keys, "input_keys"), y)]


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

