"""The model: every line item as one short function of the lines it names, computed once per run.

No arithmetic of its own beyond adding up: each line calls a small function from the engine modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from cpo_xl.engine import companies as co
from cpo_xl.engine import demand as dm
from cpo_xl.engine import supply as sp
from cpo_xl.engine import tam as tm
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS, Assumptions, Company
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


class ModelResult:
    """Every line of the model by year for one assumption set and rack series (lifelib style).

    One short function per line item, each computed once, on first use, from the lines it names. Values are
    arrays over :data:`YEARS`, or (draws, years) when the numeric assumptions hold (draws, 1) arrays (Monte
    Carlo). Units in each docstring.
    """

    def __init__(self, a: Assumptions, racks: Floats, with_companies: bool = True) -> None:
        self.a = a
        self._racks = racks
        self._with_companies = with_companies

    # demand
    @cached_property
    def racks(self) -> Floats:
        """NVIDIA rack-scale systems shipped [racks/yr]."""
        return self._racks

    @cached_property
    def kyber_share(self) -> Floats:
        """Kyber-class share of racks [fraction]."""
        return dm.kyber_share(self.a.demand)

    @cached_property
    def packages(self) -> Floats:
        """GPU packages shipped [packages/yr] = racks x packages per rack (by platform mix)."""
        return dm.gpu_packages(self.racks, self.kyber_share, self.a.demand)[0]

    @cached_property
    def addressable(self) -> Mapping[str, dm.Segment]:
        """Addressable ports [800G-eq/yr], engines [engines/yr] and bandwidth [Gb/s per yr] by segment."""
        return dm.addressable(self.racks, self.a.demand)

    # penetration and supply
    @cached_property
    def curve_share(self) -> Mapping[str, Floats]:
        """Demand curve by segment: share of addressable ports before the supply cap [0-1]."""
        return {s: segment_share(getattr(self.a.penetration, s), YEAR_ARRAY) for s in SEGMENTS}

    @cached_property
    def wafers(self) -> Floats:
        """PIC wafers available to CPO [wafers/yr]."""
        return sp.wafer_capacity(self.a.supply)

    @cached_property
    def yield_3d(self) -> Floats:
        """3D (EIC-on-PIC) packaging yield [fraction]."""
        return sp.yields(self.a.supply)[0]

    @cached_property
    def yield_assembly(self) -> Floats:
        """Assembly + fibre coupling yield [fraction]."""
        return sp.yields(self.a.supply)[1]

    @cached_property
    def capacity(self) -> Floats:
        """Engines the supply chain can deliver [3.2T-eq engines/yr] = wafers x engines/wafer x yields."""
        return sp.engine_capacity(self.a.supply)

    @cached_property
    def capacity_gbps(self) -> Floats:
        """Capacity in bandwidth [Gb/s per yr] = capacity x 3.2T."""
        return self.capacity * sp.REFERENCE_ENGINE_GBPS

    @cached_property
    def capacity_ports(self) -> Floats:
        """Capacity in ports [800G-eq ports/yr] = capacity x 3.2T / 800G."""
        return self.capacity * (sp.REFERENCE_ENGINE_GBPS / dm.PORT_GBPS)

    @cached_property
    def addressable_gbps(self) -> Floats:
        """Addressable bandwidth of all segments [Gb/s per yr]."""
        return np.asarray(sum(self.addressable[s].gbps for s in SEGMENTS))

    @cached_property
    def capacity_share(self) -> Floats:
        """Capacity as a share of the addressable bandwidth [share]."""
        return sp.capacity_share(self.capacity_gbps, self.addressable_gbps)

    @cached_property
    def _rationed(self) -> tuple[dict[str, Floats], Floats]:
        return sp.ration(dict(self.curve_share), {s: self.addressable[s].gbps for s in SEGMENTS}, self.capacity_gbps)

    @cached_property
    def effective_share(self) -> Mapping[str, Floats]:
        """Effective CPO share by segment after the supply cap [0-1] = min(curve, capacity), pro rata."""
        return self._rationed[0]

    @cached_property
    def binding(self) -> Floats:
        """1 where supply binds, 0 where demand does [flag]."""
        return self._rationed[1]

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

    @cached_property
    def effective_all(self) -> Floats:
        """Effective CPO share of all addressable ports, bandwidth-weighted [0-1]."""
        return self.penetration("all")

    @cached_property
    def curve_all(self) -> Floats:
        """Demand curve share of all addressable ports, bandwidth-weighted [0-1]."""
        return self.penetration("all", "demand")

    def _shipped(self, quantity: str) -> Floats:
        """A quantity shipped over all segments: effective share x addressable [per yr]."""
        return np.asarray(sum(self.effective_share[s] * getattr(self.addressable[s], quantity) for s in SEGMENTS))

    @cached_property
    def ports(self) -> Floats:
        """CPO ports shipped [800G-eq ports/yr]."""
        return self._shipped("ports")

    @cached_property
    def engines(self) -> Floats:
        """CPO optical engines shipped [engines/yr]."""
        return self._shipped("engines")

    @cached_property
    def lasers(self) -> Floats:
        """External lasers shipped [lasers/yr]."""
        return self._shipped("lasers")

    @cached_property
    def gbps(self) -> Floats:
        """CPO bandwidth shipped [Gb/s per yr]."""
        return self._shipped("gbps")

    # TAM
    @cached_property
    def cpo_price(self) -> Floats:
        """CPO engine price [US$/(Gb/s)]."""
        return tm.cpo_price(self.a.pricing)

    @cached_property
    def layers(self) -> Mapping[str, Floats]:
        """TAM by value-chain layer [US$ M/yr]."""
        definers, foundry = tm.engine_layers(self.gbps, self.a.pricing)
        return {"definers": definers, "foundry_packaging": foundry,
                "lasers": tm.lasers_layer(self.lasers, self.a.pricing),
                "fiber_connectivity": tm.fiber_layer(self.engines, self.a.pricing),
                "equipment": tm.equipment_layer(self.a.supply, self.a.equipment)}

    @cached_property
    def tam(self) -> Floats:
        """CPO TAM [US$ M/yr] = sum of the layers."""
        return np.asarray(sum(self.layers.values()))

    @cached_property
    def optics(self) -> Floats:
        """Optics-only TAM [US$ M/yr] = engines + lasers + fibre (all layers but equipment)."""
        return np.asarray(sum(self.layers[name] for name in LAYERS if name != "equipment"))

    # companies
    @cached_property
    def displaced(self) -> Mapping[str, Floats]:
        """Legacy revenue CPO displaces [US$ M/yr]: pluggables (scale-out and NIC), copper (scale-up)."""
        share, seg = self.effective_share, self.addressable
        legacy_gbps = share["scale_out"] * seg["scale_out"].gbps + share["nic"] * seg["nic"].gbps
        return {"none": np.zeros_like(legacy_gbps),
                "pluggables": tm.displaced_pluggables(legacy_gbps, self.a.pricing),
                "copper": tm.displaced_copper(share["scale_up"] * seg["scale_up"].gbps, self.a.pricing)}

    @cached_property
    def companies(self) -> Mapping[str, CompanyLines]:
        """Each company's lines (see :class:`CompanyLines`); empty when the run skips companies."""
        if not self._with_companies:
            return {}
        return {ticker: company_lines(company, self.layers[company.layer], self.displaced[company.displaces])
                for ticker, company in self.a.companies.items()}


def company_lines(company: Company, layer_tam: Floats, displaced: Floats) -> CompanyLines:
    """One company's lines from its layer's TAM and the legacy market CPO displaces [US$ M/yr]."""
    revenue = co.cpo_revenue(company, layer_tam)
    total = co.total_revenue(company, revenue)
    lost = displaced * company.displaced_share
    exposure = co.exposure(revenue, total)
    return CompanyLines(share=co.layer_share(company), total_revenue=total, cpo_revenue=revenue, displaced=lost,
                        exposure=exposure, net_exposure=co.net_exposure(revenue, lost, total),
                        ebit_elasticity=co.ebit_elasticity(exposure, company))


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
    """The model for one validated assumption set and one rack series [racks/yr per year], cached."""
    return run(assumptions, np.asarray(racks, dtype=float))


def run(a: Assumptions, rack_arr: Floats, with_companies: bool = True) -> ModelResult:
    """The model, uncached. Broadcasts over draws: numeric assumptions may be (draws, 1) arrays (Monte Carlo),
    racks (years,) or (draws, years); every line is then (draws, years)."""
    return ModelResult(a, rack_arr, with_companies)
