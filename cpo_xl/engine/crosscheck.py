"""Top-down cross-checks: published forecasts (data) against the model, as model / published ratios."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cpo_xl.engine.errors import CpoError

METRICS = {
    "tam_usd_m": "CPO TAM, all layers [US$ M]",
    "optics_usd_m": "Optics-only TAM: engines + lasers + fibre [US$ M]",
    "ports_800g": "CPO ports [800G-eq]",
    "ports_1600g": "CPO ports [1.6T-eq]",
}


@dataclass(frozen=True)
class Published:
    """One published figure: who, when, what it counts, the year, the value and a grade."""

    id: str
    source: str
    date: str
    metric: str
    scope: str
    year: int
    value: float
    grade: str


@lru_cache(maxsize=1)
def published() -> tuple[Published, ...]:
    """Every published forecast point shipped in ``data/published.toml``."""
    text = resources.files("cpo_xl.engine.data").joinpath("published.toml").read_text(encoding="utf-8")
    points = []
    for item in tomllib.loads(text)["forecast"]:
        for year, value in item["points"].items():
            points.append(Published(item["id"], item["source"], item["date"], item["metric"], item["scope"],
                                    int(year), float(value), item["grade"]))
    return tuple(points)


def find(source: str, year: int) -> Published:
    """The published point of ``source`` (an id such as 'yole') in ``year``; CpoError names what exists."""
    key = source.strip().lower()
    points = [p for p in published() if p.id == key]
    if not points:
        ids = sorted({p.id for p in published()})
        raise CpoError(f"source {source!r} is unknown; allowed: {', '.join(ids)}")
    for point in points:
        if point.year == year:
            return point
    years = ", ".join(str(p.year) for p in points)
    raise CpoError(f"year {year}: {key} published no figure for it; its years: {years}")


def ratio(model_value: float, point: Published) -> float:
    """Model / published [x]."""
    return model_value / point.value


def within(ratio_value: float, tolerance: float) -> bool:
    """True when the ratio lies in the band [1/tolerance, tolerance]."""
    return 1.0 / tolerance <= ratio_value <= tolerance


def cagr(start_value: float, end_value: float, start_year: float, end_year: float) -> float:
    """Compound annual growth rate [1/yr] = (end / start)^(1 / years) - 1."""
    if end_year == start_year:
        raise CpoError(f"end_year {end_year:g}: must differ from start_year")
    if start_value <= 0 or end_value < 0:
        raise CpoError(f"start_value {start_value:g}, end_value {end_value:g}: start must be > 0, end >= 0")
    return float((end_value / start_value) ** (1.0 / (end_year - start_year)) - 1.0)
