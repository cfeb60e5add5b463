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

import hashlib
import json
import math
from functools import lru_cache
from typing import Any

import numpy as np

from cpo_xl.analysis import lines
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, flatten, scenario_values
from cpo_xl.engine.timeline import year_index
from cpo_xl.excel import args as ea
from cpo_xl.excel.functions import MORE_CACHES, _case, _simulation, excel_safe

KEY_PREFIX = "cpo-case/1"
COMPANY_FIELDS = ("cpo_revenue", "exposure", "net_exposure", "ebit_elasticity")
NOT_DEFINED = "n/a"


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, dict[str, dict[str, Any]]]:
    """(digest, flattened values by scenario) of the shipped assumptions a key's differences are taken from."""
    values = {s: flatten(scenario_values(s)) for s in SCENARIOS}
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12], values


def _racks_text(value: float) -> float:
    """Racks as 12 significant digits: the key is the same text on every machine (the engine's forecast may
    differ in the last bit between machines); the model moves by < 1e-12 relative."""
    return float(f"{float(value):.12g}")


def case_key(case: Case) -> str:
    """The text key of a case (no user file): 'cpo-case/1 SCENARIO DIGEST {json}' where the JSON holds the
    overrides and bear/bull bounds that differ from the shipped values and the typed racks."""
    if case.user is not None:
        raise ValueError("a case key holds cell values only; a case with an assumptions file has none")
    digest, shipped = _shipped()
    own, bear, bull = shipped[case.scenario], shipped["bear"], shipped["bull"]
    payload = {
        "overrides": [[k, v] for k, v in case.overrides if k not in own or own[k] != v],
        "bounds": [[k, lo, hi] for k, lo, hi in case.bounds
                   if k not in bear or bear[k] != lo or bull.get(k) != hi],
        "racks": [[y, _racks_text(r)] for y, r in case.racks],
    }
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return f"{KEY_PREFIX} {case.scenario} {digest} {text}"


def recall(key: Any) -> Case:
    """The case a key describes (decoded by content: no earlier call needed); CpoError for anything else."""
    if not isinstance(key, str) or not key.startswith(KEY_PREFIX + " "):
        raise CpoError(f"case_key {str(key)[:40]!r} is not a CPO_CASE key; point it at a CPO_CASE cell")
    return _decoded(key)


@lru_cache(maxsize=256)
def _decoded(key: str) -> Case:
    try:
        _, scenario, digest, text = key.split(" ", 3)
        payload = json.loads(text)
        case = Case(scenario, tuple((str(k), v) for k, v in payload["overrides"]),
                    racks=tuple((int(y), float(r)) for y, r in payload["racks"]),
                    bounds=tuple((str(k), lo, hi) for k, lo, hi in payload["bounds"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CpoError(f"case_key {key[:40]!r}... is damaged ({exc}); point it at a CPO_CASE cell") from None
    if digest != _shipped()[0]:
        raise CpoError(f"case_key was made with assumptions {digest}, this add-in ships {_shipped()[0]}: "
                       "recalculate its CPO_CASE cell, or rebuild the workbook (cpo-xl build)")
    return case


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
    for name in _names(line_names, "line_names"):
        if name not in items:
            lines.find(case, name)  # raises with suggestions
        values = lines.value(result, items[name].path)
        rows.append([_cell(values[year_index(y)]) for y in ys])
    return rows


MORE_CACHES.extend([_decoded, _shipped])


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

