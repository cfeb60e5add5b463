"""Top-down cross-checks: published forecasts (data) against the model, as model / published ratios."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cpo_xl.engine.errors import CpoError

METRICS = {
    "tam": "CPO TAM, all layers [US$ M]",
    "optics": "CPO optics revenue: engines + lasers + fibre [US$ M]",
    "ports": "CPO ports [800G-eq]",
    "ports_1600g": "CPO ports [1.6T-eq]",
    "ai_optics": "AI data-centre optics in the model's scope [US$ M]",
}
RELATIONS = ("same", "ceiling", "floor")
VERIFIED = "verified"
STATUSES = (VERIFIED, "quoted by the note, not found", "reported by the audit, not found")


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
    relation: str = "same"  # same scope (a band), a broader scope (a ceiling) or an "at least" figure (a floor)
    reason: str = ""  # why the model departs on purpose in this year
    publisher: str = ""  # short name for tables
    status: str = ""  # verified (read at `link`) or where it was only quoted (see STATUSES)
    link: str = ""  # where the figure was read, when verified
    read_in: str = ""  # a scenario's own figure (a bull case): the scenario it is also read against ("": none)

    @property
    def verified(self) -> bool:
        """True when the figure was read in a public source (the only ones test bands may use)."""
        return self.status == VERIFIED


@lru_cache(maxsize=1)
def published() -> tuple[Published, ...]:
    """Every published forecast point shipped in ``data/published.toml``."""
    text = resources.files("cpo_xl.engine.data").joinpath("published.toml").read_text(encoding="utf-8")
    points = []
    for item in tomllib.loads(text)["forecast"]:
        for year, value in item["points"].items():
            if item["metric"] not in METRICS or item.get("relation", "same") not in RELATIONS:
                raise CpoError(f"published.toml {item['id']}: metric or relation unknown")
            if item.get("status") not in STATUSES or (item["status"] == VERIFIED) != bool(item.get("link")):
                raise CpoError(f"published.toml {item['id']}: status must be one of {STATUSES}, with a link "
                               "exactly when verified")
            # a scenario's own figure is banded like a same-scope one (the Summary's formula for it is the band's)
            if item.get("read_in", "") not in ("", "bear", "base", "bull") or (
                    item.get("read_in") and item.get("relation", "same") != "same"):
                raise CpoError(f"published.toml {item['id']}: read_in must be bear, base or bull, on a "
                               "same-scope figure")
            reasons = item.get("reason", "")
            reason = reasons.get(str(year), "") if isinstance(reasons, dict) else reasons
            points.append(Published(item["id"], item["source"], item["date"], item["metric"], item["scope"],
                                    int(year), float(value), item["grade"], item.get("relation", "same"),
                                    reason, item.get("publisher", item["id"]), item["status"], item["link"],
                                    item.get("read_in", "")))
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


ANCHOR_LINES = {
    "company_cpo_revenue": "a company's CPO revenue [US$ M]",
    "cpo_switches": "scale-out CPO shipped [102.4T-eq switches]",
    "lasers_tam": "lasers layer [US$ M]",
    "foundry_tam": "foundry & packaging layer [US$ M]",
    "optics": "CPO optics revenue: engines + lasers + fibre [US$ M]",
}
ANCHOR_KINDS = ("floor", "part", "input")
FLOOR_KINDS = ("floor", "input")  # "input": a floor whose disclosure also sets an input (named by `sets`)
PART_LOWEST = 0.2  # a 'part' anchor passes at model / disclosed in [0.2, 1]


def anchor_unit(line: str) -> str:
    """The unit of an anchor line, from its description: 'US$ M', '102.4T-eq switches'."""
    return ANCHOR_LINES[line].rsplit("[", 1)[1].rstrip("]")


@dataclass(frozen=True)
class Anchor:
    """One disclosed near-term anchor (an order, a run-rate target, a product ramp) and the model line it pins."""

    id: str
    publisher: str
    source: str
    date: str
    grade: str
    link: str
    line: str
    ticker: str
    year: int
    value: float
    kind: str
    reason: str
    sets: str = ""  # the input this disclosure sets (kind "input"): the check is not independent of it


@lru_cache(maxsize=1)
def anchors() -> tuple[Anchor, ...]:
    """Every disclosed anchor shipped in ``data/anchors.toml``."""
    text = resources.files("cpo_xl.engine.data").joinpath("anchors.toml").read_text(encoding="utf-8")
    out = []
    for item in tomllib.loads(text)["anchor"]:
        if item["line"] not in ANCHOR_LINES or item["kind"] not in ANCHOR_KINDS or not item.get("link"):
            raise CpoError(f"anchors.toml {item['id']}: line or kind unknown, or no link")
        if (item["kind"] == "input") != bool(item.get("sets")):
            raise CpoError(f"anchors.toml {item['id']}: kind 'input' and `sets` (the input it sets) go together")
        out.append(Anchor(item["id"], item["publisher"], item["source"], item["date"], item["grade"], item["link"],
                          item["line"], item.get("ticker", ""), int(item["year"]), float(item["value"]),
                          item["kind"], item.get("reason", ""), item.get("sets", "")))
    return tuple(out)


def anchor_line(result: Any, anchor: Anchor) -> Any:
    """The model line [its unit] an anchor pins (see :data:`ANCHOR_LINES`)."""
    if anchor.line == "company_cpo_revenue":
        return result.companies[anchor.ticker].cpo_revenue
    return getattr(result, anchor.line)


def anchor_passes(ratio_value: float, anchor: Anchor) -> bool:
    """A floor (or an input's floor) passes at model / disclosed >= 1; a part of a broader figure within [0.2, 1]."""
    if anchor.kind in FLOOR_KINDS:
        return ratio_value >= 1.0
    return PART_LOWEST <= ratio_value <= 1.0


def model_line(result: Any, metric: str) -> Any:
    """The model line [its unit] a published metric is compared with (see :data:`METRICS`)."""
    return {"tam": result.tam, "optics": result.optics, "ports": result.ports,
            "ports_1600g": result.ports / 2.0, "ai_optics": result.ai_optics}[metric]


def ratio(model_value: float, point: Published) -> float:
    """Model / published [x]."""
    return model_value / point.value


def passes(ratio_value: float, point: Published, band: float) -> bool:
    """A same-scope figure passes within [1/band, band]; a broader-scope one (a ceiling) while the model stays
    below it; an "at least" figure (a floor: 'exceed US$5bn', '> 24M ports') while the model reaches it."""
    if point.relation == "ceiling":
        return ratio_value <= 1.0
    if point.relation == "floor":
        return ratio_value >= 1.0
    return 1.0 / band <= ratio_value <= band


def cagr(start_value: float, end_value: float, start_year: float, end_year: float) -> float:
    """Compound annual growth rate [1/yr] = (end / start)^(1 / years) - 1."""
    if end_year == start_year:
        raise CpoError(f"end_year {end_year:g}: must differ from start_year")
    if start_value <= 0 or end_value < 0:
        raise CpoError(f"start_value {start_value:g}, end_value {end_value:g}: start must be > 0, end >= 0")
    try:
        rate = float((end_value / start_value) ** (1.0 / (end_year - start_year)) - 1.0)
    except OverflowError:
        rate = math.inf
    if not math.isfinite(rate):
        raise CpoError(f"CAGR of {start_value:g} -> {end_value:g} over {end_year - start_year:g} years is not a "
                       "finite number; use whole years or closer values")
    return rate
