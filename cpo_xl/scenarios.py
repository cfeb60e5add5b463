"""Scenarios side by side and sensitivities (tornado, two-way table) over the cached engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cpo_xl.assumptions import LAYERS, Assumptions
from cpo_xl.errors import CpoError
from cpo_xl.inputs import SCENARIOS, Overrides, UserFile, flatten, key_path, resolve, scenario_values, shipped
from cpo_xl.model import ModelResult, compute, rack_series
from cpo_xl.tables import LAYER_LABELS, ranking
from cpo_xl.timeline import YEARS, year_index


@dataclass(frozen=True)
class Range:
    """An uncertain input: its bear value, the value in force, its bull value (low <= mode <= high sorted)."""

    key: str
    bear: Any
    mode: Any
    bull: Any

    @property
    def low(self) -> float:
        return float(min(self.bear, self.bull, self.mode))

    @property
    def high(self) -> float:
        return float(max(self.bear, self.bull, self.mode))


def value_at(assumptions: Assumptions, key: str) -> Any:
    """The value of a dotted key in an assumption set."""
    node: Any = assumptions
    for part in key_path(key):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def ranges(scenario: str = "base", overrides: Overrides = (), user: UserFile | None = None) -> dict[str, Range]:
    """Every input whose bear and bull values differ, with the value in force as the mode."""
    bear, bull = (flatten(scenario_values(s, user)) for s in ("bear", "bull"))
    current = resolve(scenario, overrides, user)
    return {key: Range(key, bear[key], value_at(current, key), bull[key]) for key in bear
            if isinstance(bear[key], int | float) and not isinstance(bear[key], bool) and bear[key] != bull[key]}


def _with(scenario: str, overrides: Overrides, user: UserFile | None, key: str, value: Any) -> Assumptions:
    return resolve(scenario, (*overrides, (key, value)), user)


def rack_series_for(assumptions: Assumptions, user: UserFile | None) -> tuple[float, ...]:
    """The rack series [racks/yr]: the forecast, with the user file's typed racks where it has any."""
    return rack_series(assumptions, dict(user.racks) if user else None)


def metric(result: ModelResult, year: int, ticker: str | None = None) -> float:
    """TAM [US$ M], or a company's CPO exposure [fraction] when ``ticker`` is given, in ``year``."""
    i = year_index(year)
    if ticker is None:
        return float(result.tam[..., i])
    return float(result.companies[ticker].exposure[i])


def tornado(year: int = 2030, ticker: str | None = None, scenario: str = "base", overrides: Overrides = (),
            user: UserFile | None = None, racks: dict[int, float] | None = None) -> pd.DataFrame:
    """Each uncertain input moved alone to its bear and its bull value: the metric at each end, ranked by swing."""
    centre, ends = _ends(year, ticker, scenario, overrides, user, racks)
    rows = []
    _, meta, _ = shipped()
    for key, r in ranges(scenario, overrides, user).items():
        at_bear, at_bull = ends(key, r)
        rows.append({"key": key, "label": meta[key].label if key in meta else key, "bear_value": r.bear,
                     "bull_value": r.bull, "at_bear": at_bear, "at_bull": at_bull, "base": centre,
                     "swing": abs(at_bull - at_bear)})
    frame = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame


def swing(key: str, year: int, scenario: str = "base", overrides: Overrides = (),
          racks: dict[int, float] | None = None, side: str = "swing") -> float:
    """TAM at the input's bull value less TAM at its bear value [US$ M] ('low'/'high': change vs the centre)."""
    known = ranges(scenario, overrides)
    if key not in known:
        raise CpoError(f"input_key {key!r} has no bear/bull range; allowed: {', '.join(sorted(known))}")
    centre, ends = _ends(year, None, scenario, overrides, None, racks)
    at_bear, at_bull = ends(key, known[key])
    return {"swing": at_bull - at_bear, "low": at_bear - centre, "high": at_bull - centre}[side]


def _ends(year: int, ticker: str | None, scenario: str, overrides: Overrides, user: UserFile | None,
          racks: dict[int, float] | None) -> tuple[float, Callable[[str, Range], tuple[float, float]]]:
    """The metric with every input in force, and a function giving it with one input at its bear / bull value
    (racks held at the centre's series)."""
    series = rack_series(resolve(scenario, overrides, user), racks)

    def at(key: str, value: Any) -> float:
        return metric(compute(_with(scenario, overrides, user, key, value), series), year, ticker)

    def ends(key: str, r: Range) -> tuple[float, float]:
        return at(key, r.bear), at(key, r.bull)

    return metric(compute(resolve(scenario, overrides, user), series), year, ticker), ends


def two_way(row_key: str, row_values: Sequence[float], col_key: str, col_values: Sequence[float],
            year: int = 2030, scenario: str = "base", user: UserFile | None = None) -> pd.DataFrame:
    """TAM [US$ M] in ``year`` for every pair of values of two inputs (rows x columns)."""
    grid = np.empty((len(row_values), len(col_values)))
    for i, rv in enumerate(row_values):
        for j, cv in enumerate(col_values):
            a = resolve(scenario, ((row_key, rv), (col_key, cv)), user)
            grid[i, j] = compute(a, rack_series(a)).tam[year_index(year)]
    return pd.DataFrame(grid, index=pd.Index(row_values, name=row_key), columns=pd.Index(col_values, name=col_key))


def comparison(year: int = 2030, user: UserFile | None = None, top: int = 5) -> pd.DataFrame:
    """Bear, base and bull side by side: TAM by layer and total, penetration, top exposures (``year``)."""
    rows: dict[str, dict[str, float]] = {}
    i = year_index(year)
    for s in SCENARIOS:
        a = resolve(s, (), user)
        racks = rack_series_for(a, user)
        r = compute(a, racks)
        col = rows.setdefault
        for layer in LAYERS:
            col(f"{LAYER_LABELS[layer]} TAM {year} [US$ M]", {})[s] = float(r.layers[layer][i])
        col(f"CPO TAM {year} [US$ M]", {})[s] = float(r.tam[i])
        for y in (2027, year):
            col(f"Effective penetration, all segments {y} [share]", {})[s] = float(r.penetration("all")[y - YEARS[0]])
        for _, company in ranking(a, racks, year).head(top).iterrows():
            col(f"{company['ticker']} exposure {year} [fraction]", {})[s] = float(company["exposure"])
    return pd.DataFrame(rows).T[list(SCENARIOS)]


def tam_by_scenario(user: UserFile | None = None) -> pd.DataFrame:
    """CPO TAM [US$ M] by year (columns) for each scenario (rows)."""
    data = {}
    for s in SCENARIOS:
        a = resolve(s, (), user)
        data[s] = compute(a, rack_series_for(a, user)).tam
    return pd.DataFrame(data, index=list(YEARS)).T
