"""The orchestrator: every line of the model for one assumption set and rack series, computed once, cached.

No arithmetic of its own beyond adding up: each line calls a small function from the engine modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cpo_xl.engine import companies as co
from cpo_xl.engine import demand as dm
from cpo_xl.engine import supply as sp
from cpo_xl.engine import tam as tm
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS, Assumptions
from cpo_xl.engine.curves import Floats, segment_share
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR, YEAR_ARRAY

Racks = tuple[float, ...]


@dataclass(frozen=True)
class CompanyLines:
    """One company's yearly lines: share [fraction], revenues [US$ M], exposures [fraction], elasticity [-]."""

    share: Floats
    total_revenue: Floats
    cpo_revenue: Floats
    displaced: Floats
    exposure: Floats
    net_exposure: Floats
    ebit_elasticity: Floats


@dataclass(frozen=True)
class ModelResult:
    """Every line of the model by year (arrays over :data:`YEARS`)."""

    racks: Floats
    kyber_share: Floats
    packages: Floats
    addressable: Mapping[str, dm.Segment]
    curve_share: Mapping[str, Floats]
    wafers: Floats
    yield_3d: Floats
    yield_assembly: Floats
    capacity: Floats  # 3.2T-equivalent engines
    capacity_share: Floats
    binding: Floats
    effective_share: Mapping[str, Floats]
    ports: Floats
    engines: Floats
    lasers: Floats
    gbps: Floats
    cpo_price: Floats
    layers: Mapping[str, Floats]
    tam: Floats
    optics: Floats
    displaced: Mapping[str, Floats]
    companies: Mapping[str, CompanyLines]

    def penetration(self, segment: str, basis: str = "effective") -> Floats:
        """Share [0-1] of a segment's addressable ports, or 'all' weighted by bandwidth (800G-eq ports).

        basis 'effective' (after the supply cap) or 'demand' (the adoption curve alone).
        """
        shares = self.effective_share if basis == "effective" else self.curve_share
        if segment == "all":
            total = sum(self.addressable[s].ports for s in SEGMENTS)
            shipped = sum(shares[s] * self.addressable[s].ports for s in SEGMENTS)
            return np.where(total > 0, shipped / np.where(total > 0, total, 1.0), 0.0)
        return shares[segment]


def check_year(year: object, argument: str = "year") -> int:
    """A whole year inside the horizon, else CpoError naming the argument."""
    if isinstance(year, bool) or not isinstance(year, int | float) or not np.isfinite(year):
        raise CpoError(f"{argument} {year!r} is not a year; allowed: a whole number {FIRST_YEAR}-{LAST_YEAR}")
    if float(year) != int(year):
        raise CpoError(f"{argument} {year!r} is not a whole year; allowed: {FIRST_YEAR}-{LAST_YEAR}")
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise CpoError(f"{argument} {int(year)} is outside the model horizon {FIRST_YEAR}-{LAST_YEAR}")
    return int(year)


def rack_series(assumptions: Assumptions, given: Mapping[int, float] | None = None) -> Racks:
    """The default rack forecast [racks/yr] with the given years replaced (racks must be >= 0)."""
    series = list(dm.rack_forecast(assumptions.racks))
    for year, racks in (given or {}).items():
        if not np.isfinite(racks) or racks < 0:
            raise CpoError(f"rack_units {racks!r} for {year} is not allowed; allowed: a number >= 0")
        series[check_year(year, "rack_units year") - FIRST_YEAR] = float(racks)
    return tuple(series)


@lru_cache(maxsize=1024)
def compute(assumptions: Assumptions, racks: Racks) -> ModelResult:
    """Run the whole model for one assumption set and one rack series [racks/yr per year of the timeline]."""
    return run(assumptions, np.asarray(racks, dtype=float))


def run(a: Assumptions, rack_arr: Floats, with_companies: bool = True) -> ModelResult:
    """The model, uncached. Broadcasts over draws: numeric assumptions may be (draws, 1) arrays (Monte Carlo),
    racks (years,) or (draws, years); every line is then (draws, years)."""
    kyber = dm.kyber_share(a.demand)
    packages, _ = dm.gpu_packages(rack_arr, kyber, a.demand)
    segments = dm.addressable(rack_arr, a.demand)
    curves = {s: segment_share(getattr(a.penetration, s), YEAR_ARRAY) for s in SEGMENTS}
    capacity = sp.engine_capacity(a.supply)
    gbps_by_segment = {s: segments[s].gbps for s in SEGMENTS}
    capacity_gbps = capacity * sp.REFERENCE_ENGINE_GBPS
    effective, binding = sp.ration(curves, gbps_by_segment, capacity_gbps)
    shipped = {s: effective[s] for s in SEGMENTS}
    gbps = sum(shipped[s] * segments[s].gbps for s in SEGMENTS)
    engines = sum(shipped[s] * segments[s].engines for s in SEGMENTS)
    lasers = sum(shipped[s] * segments[s].lasers for s in SEGMENTS)
    definers, foundry = tm.engine_layers(np.asarray(gbps), a.pricing)
    layers = {
        "definers": definers,
        "foundry_packaging": foundry,
        "lasers": tm.lasers_layer(np.asarray(lasers), a.pricing),
        "fiber_connectivity": tm.fiber_layer(np.asarray(engines), a.pricing),
        "equipment": tm.equipment_layer(a.supply, a.equipment),
    }
    legacy_gbps = shipped["scale_out"] * segments["scale_out"].gbps + shipped["nic"] * segments["nic"].gbps
    displaced = {
        "none": np.zeros_like(legacy_gbps),
        "pluggables": tm.displaced_pluggables(legacy_gbps, a.pricing),
        "copper": tm.displaced_copper(shipped["scale_up"] * segments["scale_up"].gbps, a.pricing),
    }
    y3d, y_asm = sp.yields(a.supply)
    return ModelResult(
        racks=rack_arr, kyber_share=kyber, packages=packages, addressable=segments, curve_share=curves,
        wafers=sp.wafer_capacity(a.supply), yield_3d=y3d, yield_assembly=y_asm, capacity=capacity,
        capacity_share=sp.capacity_share(capacity_gbps, np.asarray(sum(gbps_by_segment.values()))),
        binding=binding, effective_share=effective,
        ports=np.asarray(sum(shipped[s] * segments[s].ports for s in SEGMENTS)),
        engines=np.asarray(engines), lasers=np.asarray(lasers), gbps=np.asarray(gbps),
        cpo_price=tm.cpo_price(a.pricing), layers=layers, tam=np.asarray(sum(layers.values())),
        optics=np.asarray(sum(layers[name] for name in LAYERS if name != "equipment")),
        displaced=displaced, companies=_companies(a, layers, displaced) if with_companies else {},
    )


def _companies(a: Assumptions, layers: Mapping[str, Floats],
               displaced: Mapping[str, Floats]) -> dict[str, CompanyLines]:
    result = {}
    for ticker, company in a.companies.items():
        revenue = co.cpo_revenue(company, layers[company.layer])
        total = co.total_revenue(company, revenue)
        lost = displaced[company.displaces] * company.displaced_share
        exposure = co.exposure(revenue, total)
        result[ticker] = CompanyLines(
            share=co.layer_share(company), total_revenue=total, cpo_revenue=revenue, displaced=lost,
            exposure=exposure, net_exposure=co.net_exposure(revenue, lost, total),
            ebit_elasticity=co.ebit_elasticity(exposure, company),
        )
    return result
