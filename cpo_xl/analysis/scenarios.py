"""Scenarios side by side and sensitivities (tornado, two-way table) over the cached engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.analysis.ranges import Range, ranges
from cpo_xl.analysis.tables import ranking
from cpo_xl.engine.assumptions import LAYERS
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, shipped
from cpo_xl.engine.model import ModelResult
from cpo_xl.engine.timeline import YEARS, year_index


def metric(result: ModelResult, year: int, ticker: str | None = None) -> float:
    """TAM [US$ M], or a company's CPO exposure [fraction] when ``ticker`` is given, in ``year``."""
    i = year_index(year)
    if ticker is None:
        return float(result.tam[..., i])
    return float(result.companies[ticker].exposure[i])


def tornado(case: Case, year: int = 2030, ticker: str | None = None) -> pd.DataFrame:
    """Each uncertain input moved alone to its bear and its bull value: the metric at each end, ranked by swing."""
    centre, ends = _ends(case, year, ticker)
    rows = []
    _, meta, _ = shipped()
    for key, r in ranges(case).items():
        at_bear, at_bull = ends(key, r)
        rows.append({"key": key, "label": meta[key].label if key in meta else key, "bear_value": r.bear,
                     "bull_value": r.bull, "at_bear": at_bear, "at_bull": at_bull, "base": centre,
                     "swing": abs(at_bull - at_bear)})
    frame = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def swing(case: Case, key: str, year: int, side: str = "swing") -> float:
    """TAM at the input's bull value less TAM at its bear value [US$ M] ('low'/'high': change vs the centre)."""
    (low, high), = swings(case, [key], year)
    return {"swing": high - low, "low": low, "high": high}[side]


def swings(case: Case, keys: Sequence[str], year: int) -> list[tuple[float, float]]:
    """Per input key: the TAM change [US$ M] in ``year`` with the input at its bear and at its bull value, the
    others as in ``case`` (the uncertain inputs and the centre found once for all keys)."""
    known = ranges(case)
    centre, ends = _ends(case, year, None)
    out = []
    for key in keys:
        if key not in known:
            raise CpoError(f"input_key {key!r} has no bear/bull range; allowed: {', '.join(sorted(known))}")
        at_bear, at_bull = ends(key, known[key])
        out.append((at_bear - centre, at_bull - centre))
    return out


def _ends(case: Case, year: int, ticker: str | None) -> tuple[float, Callable[[str, Range], tuple[float, float]]]:
    """The metric with every input in force, and a function giving it with one input at its bear / bull value.

    Rack and accelerator inputs move the rack forecast (and so the TAM); racks typed in the case stay typed."""
    def ends(key: str, r: Range) -> tuple[float, float]:
        return metric(run(case.plus(key, r.bear)), year, ticker), metric(run(case.plus(key, r.bull)), year, ticker)

    return metric(run(case), year, ticker), ends


def two_way(case: Case, row_key: str, row_values: Sequence[float], col_key: str, col_values: Sequence[float],
            year: int = 2030) -> pd.DataFrame:
    """TAM [US$ M] in ``year`` for every pair of values of two inputs (rows x columns)."""
    grid = np.empty((len(row_values), len(col_values)))
    for i, rv in enumerate(row_values):
        for j, cv in enumerate(col_values):
            grid[i, j] = run(case.plus(row_key, rv).plus(col_key, cv)).tam[year_index(year)]
    return pd.DataFrame(grid, index=pd.Index(row_values, name=row_key), columns=pd.Index(col_values, name=col_key))


def comparison(case: Case, year: int = 2030, top: int = 5) -> pd.DataFrame:
    """Bear, base and bull side by side: TAM by layer and total, penetration, top exposures (``year``)."""
    rows: dict[str, dict[str, float]] = {}
    i = year_index(year)
    leaders = list(ranking(case, year).head(top)["ticker"])  # the same companies in every column
    for s in SCENARIOS:
        scenario_case = case.with_(scenario=s, overrides=())
        r = run(scenario_case)
        col = rows.setdefault
        for layer in LAYERS:
            col(f"{LAYER_LABELS[layer]} TAM {year} [US$ M]", {})[s] = float(r.layers[layer][i])
        col(f"CPO TAM {year} [US$ M]", {})[s] = float(r.tam[i])
        for y in (2027, year):
            col(f"Effective penetration, all segments {y} [share]", {})[s] = float(r.penetration("all")[y - YEARS[0]])
        for ticker in leaders:
            col(f"{ticker} exposure {year} [fraction]", {})[s] = float(r.companies[ticker].exposure[i])
    return pd.DataFrame(rows).T[list(SCENARIOS)]


def tam_by_scenario(case: Case) -> pd.DataFrame:
    """CPO TAM [US$ M] by year (columns) for each scenario (rows)."""
    data = {s: run(case.with_(scenario=s, overrides=())).tam for s in SCENARIOS}
    return pd.DataFrame(data, index=list(YEARS)).T


# a meaningful base for a growth rate: US$300M of CPO TAM in every scenario (reached once the disclosed product
# ramps ship, 2027; before issue 22 the 2027 base was US$0.2-0.4bn and ranked the scenarios backwards)
GROWTH_BASE_USD_M = 300.0


def growth_window(case: Case, end_year: int = YEARS[-1]) -> tuple[int, int, dict[str, float]]:
    """(start, end, CAGR of CPO TAM [1/yr] by scenario) over the window from the first year in which every
    scenario's TAM reaches US$300M to ``end_year``: a growth rate from a tiny early base ranks the scenarios
    backwards."""
    tams = tam_by_scenario(case)
    reached = (tams >= GROWTH_BASE_USD_M).all(axis=0)
    start = int(next((y for y in YEARS if reached[y] and y < end_year), end_year - 1))
    rates = {s: float((tams.loc[s, end_year] / tams.loc[s, start]) ** (1.0 / (end_year - start)) - 1.0)
             for s in tams.index}
    return start, end_year, rates
