"""Supply: CPO engine capacity added toward demand, limited by a ramp and by silicon-photonics wafers; yields.

Capacity is counted in 3.2T-equivalent engine starts per year. Each year the supply chain adds starts
toward what demand needs at its target utilisation, but no faster than the ramp limit (tools, lead times,
qualification) and within the share of silicon-photonics PIC wafers that pluggables leave to CPO. Good
engines = starts x 3D-stacking yield x assembly yield x test yield. Capacity never shrinks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cpo_xl.engine.demand import by_year
from cpo_xl.engine.timeline import YEAR_ARRAY
from cpo_xl.engine.types import Floats, SupplyParams

YIELD_BASE_YEAR = 2026
STARTS_BASE_YEAR = 2025
BACKCAST_GROWTH = 3.0  # pilot capacity before 2025, backcast at 4x a year whatever the scenario's ramp
REFERENCE_ENGINE_GBPS = 3200.0  # capacity is counted in 3.2T-equivalent engines (NVIDIA's largest deployed)
SWITCH_GBPS = 102400.0  # a 102.4T-equivalent CPO switch (TH6-Davisson, Spectrum-X Photonics SN6810)
PRODUCT_YEARS = (2025, 2026, 2027)  # years with product-ramp inputs (supply.cpo_switches_YYYY)


def product_switches(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """CPO switches the disclosed product ramps ship [102.4T-eq switches/yr]: the input of each product year,
    held at the last product year's level after it (product lines keep shipping), 0 before the first."""
    out = np.zeros_like(years) + 0.0 * np.asarray(supply.cpo_switches_2025)
    return by_year(out, [(years >= year, getattr(supply, f"cpo_switches_{year}")) for year in PRODUCT_YEARS], years)


def product_gbps(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Scale-out CPO bandwidth the product ramps ship [Gb/s per yr] = switches x 102,400 Gb/s."""
    return product_switches(supply, years) * SWITCH_GBPS


def gap_left(learning: Any, years: Floats = YEAR_ARRAY) -> Floats:
    """Share of the 2026 yield gap still open [fraction] = (1 - learning)^(years after 2026)."""
    return np.asarray((1.0 - np.asarray(learning)) ** np.maximum(years - YIELD_BASE_YEAR, 0.0), dtype=float)


def learning_yield(start: Any, cap: Any, learning: Any, years: Floats = YEAR_ARRAY,
                   left: Floats | None = None) -> Floats:
    """Yield [fraction]: the 2026 value up to 2026, then closing ``learning`` of the gap to ``cap`` per year
    (``left``: :func:`gap_left` of the same learning, when the caller has it)."""
    top = np.maximum(cap, start)
    gap = (top - start) * (gap_left(learning, years) if left is None else left)
    return np.asarray(top - gap, dtype=float)


def yields(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> tuple[Floats, Floats]:
    """(3D packaging yield, assembly yield) [fraction] by year (one learning rate for both)."""
    start, cap, learning = supply.yield_3d_2026, supply.yield_3d_cap, supply.yield_learning  # read in this order
    left = gap_left(learning, years)
    return (learning_yield(start, cap, learning, years, left),
            learning_yield(supply.yield_assembly_2026, supply.yield_assembly_cap, learning, years, left))


def good_fraction(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Good engines per start [fraction] = 3D yield x assembly yield x test yield."""
    y3d, y_asm = yields(supply, years)
    return y3d * y_asm * supply.test_yield


def sip_wafers(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Silicon-photonics PIC wafers, all uses [wafers/yr] = 2026 capacity x (1 + growth)^(t - 2026)."""
    return np.asarray(supply.sip_wafers_2026 * (1.0 + np.asarray(supply.sip_wafer_growth)) ** (years - 2026),
                      dtype=float)


def wafer_cap_starts(supply: SupplyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Engine starts the PIC wafers left to CPO allow [3.2T-eq/yr] = wafers x CPO share x engines per wafer."""
    return sip_wafers(supply, years) * supply.cpo_share_of_sip_wafers * supply.engines_per_wafer


def engine_starts(demand_engines: Floats, supply: SupplyParams, years: Floats = YEAR_ARRAY,
                  good: Floats | None = None) -> Floats:
    """Engine starts capacity [3.2T-eq/yr] by year, built toward demand [3.2T-eq engines/yr].

    Before 2025 the 2025 capacity backcast at a fixed growth; from 2026: max(last year, min(demand / (utilisation x good
    fraction), last year x (1 + max ramp), wafer cap)). In 2025 and every product year, at least the starts the
    product ramps need (their engines / good fraction): those lines are disclosed, built whatever the ramp limit.
    ``good``: :func:`good_fraction`, when the caller has it.
    """
    good = good_fraction(supply, years) if good is None else good
    wafer_cap = wafer_cap_starts(supply, years)
    shape = np.broadcast_shapes(np.shape(demand_engines), np.shape(good), np.shape(wafer_cap),
                                np.shape(supply.max_ramp), np.shape(supply.starts_2025))

    def full(x: Any) -> Floats:
        return np.broadcast_to(np.asarray(x, dtype=float), shape)
    wanted = full(demand_engines) / (full(supply.target_utilisation) * full(good))
    ramp, cap = full(1.0 + np.asarray(supply.max_ramp)), full(wafer_cap)
    products = full(product_gbps(supply, years) / REFERENCE_ENGINE_GBPS) / full(good)
    base = np.maximum(full(supply.starts_2025), products)
    starts = np.zeros(shape)
    for i, year in enumerate(years):
        if year <= STARTS_BASE_YEAR:
            starts[..., i] = base[..., i] * (1.0 + BACKCAST_GROWTH) ** (year - STARTS_BASE_YEAR)
            continue
        previous = starts[..., i - 1]
        limit = np.minimum(previous * ramp[..., i], cap[..., i])
        starts[..., i] = np.maximum(np.maximum(previous, np.minimum(wanted[..., i], limit)), products[..., i])
    return starts


def ration(curve_shares: dict[str, Floats], addressable_gbps: dict[str, Floats],
           capacity_gbps: Floats) -> tuple[dict[str, Floats], Floats]:
    """Supply-constrained shares and the binding flag (1 where supply binds).

    Demand D = sum(curve share x addressable Gb/s). Where D exceeds the capacity C [Gb/s] every segment is
    scaled by C/D (capacity rationed pro rata by bandwidth), so bandwidth shipped = min(D, C). Rationing by
    bandwidth, not by engine count, keeps the TAM non-decreasing in racks when supply binds.
    """
    wanted = np.asarray(sum(curve_shares[s] * addressable_gbps[s] for s in curve_shares), dtype=float)
    binding = wanted > capacity_gbps * (1.0 + 1e-12)
    factor = np.divide(capacity_gbps, wanted, out=np.ones_like(wanted), where=binding)
    effective = {s: share * factor for s, share in curve_shares.items()}
    return effective, binding.astype(float)


def capacity_share(capacity_gbps: Floats, addressable_gbps: Floats) -> Floats:
    """Capacity / addressable bandwidth [0-1]; 1 where capacity covers everything or nothing is addressable."""
    safe = np.where(addressable_gbps > 0, addressable_gbps, 1.0)
    return np.where(addressable_gbps > 0, np.minimum(capacity_gbps / safe, 1.0), 1.0)
