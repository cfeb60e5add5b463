"""Supply: PIC wafer capacity x engines per wafer x yields -> engines deliverable; the supply cap."""

from __future__ import annotations

import numpy as np

from cpo_xl.assumptions import Supply
from cpo_xl.curves import Floats
from cpo_xl.timeline import YEAR_ARRAY

YIELD_BASE_YEAR = 2026
CAPACITY_BASE_YEAR = 2027


def wafer_capacity(supply: Supply, years: Floats = YEAR_ARRAY) -> Floats:
    """PIC wafers [wafers/yr]: 12 x the 2027 monthly capacity, grown (or shrunk going back) per year."""
    before = (1.0 + supply.wafer_growth_before_2027) ** np.minimum(years - CAPACITY_BASE_YEAR, 0.0)
    after = (1.0 + supply.wafer_growth_after_2027) ** np.maximum(years - CAPACITY_BASE_YEAR, 0.0)
    return 12.0 * supply.pic_wafers_per_month_2027 * before * after


def learning_yield(start: float, cap: float, learning: float, years: Floats = YEAR_ARRAY) -> Floats:
    """Yield [fraction]: the 2026 value up to 2026, then closing ``learning`` of the gap to ``cap`` per year.

    Years before 2026 keep the 2026 value (no public earlier yields; volumes then are tiny either way).
    """
    top = max(cap, start)
    gap = (top - start) * (1.0 - learning) ** np.maximum(years - YIELD_BASE_YEAR, 0.0)
    return top - gap


def yields(supply: Supply, years: Floats = YEAR_ARRAY) -> tuple[Floats, Floats]:
    """(3D packaging yield, assembly yield) [fraction] by year."""
    return (learning_yield(supply.yield_3d_2026, supply.yield_3d_cap, supply.yield_learning, years),
            learning_yield(supply.yield_assembly_2026, supply.yield_assembly_cap, supply.yield_learning, years))


def engines_into_assembly(supply: Supply, years: Floats = YEAR_ARRAY) -> Floats:
    """Good 3D-stacked engines entering OSAT assembly [engines/yr] = wafers x engines/wafer x yield_3D."""
    y3d, _ = yields(supply, years)
    return wafer_capacity(supply, years) * supply.engines_per_wafer * y3d


def engines_into_test(supply: Supply, years: Floats = YEAR_ARRAY) -> Floats:
    """Assembled engines entering final test [engines/yr] = into assembly x yield_assembly."""
    _, y_asm = yields(supply, years)
    return engines_into_assembly(supply, years) * y_asm


def engine_capacity(supply: Supply, years: Floats = YEAR_ARRAY) -> Floats:
    """Engines the supply chain can deliver [engines/yr] = into test x test yield."""
    return engines_into_test(supply, years) * supply.test_yield


def ration(curve_shares: dict[str, Floats], addressable_engines: dict[str, Floats],
           capacity: Floats) -> tuple[dict[str, Floats], Floats]:
    """Supply-constrained shares and the binding flag.

    Demand D = sum(curve share x addressable engines). Where D exceeds capacity C every segment is scaled by
    C/D (capacity is rationed pro rata), so engines shipped = min(D, C) and the engine-weighted effective
    share never exceeds the capacity share C / addressable engines. Returns (effective shares, binding 0/1).
    """
    wanted = sum(curve_shares[s] * addressable_engines[s] for s in curve_shares)
    wanted_arr = np.asarray(wanted, dtype=float)
    binding = wanted_arr > capacity
    factor = np.divide(capacity, wanted_arr, out=np.ones_like(wanted_arr), where=binding)
    effective = {s: share * factor for s, share in curve_shares.items()}
    return effective, binding.astype(float)


def capacity_share(capacity: Floats, addressable_engines: Floats) -> Floats:
    """Capacity / addressable engines [0-1]; 1 where capacity covers everything or nothing is addressable."""
    safe = np.where(addressable_engines > 0, addressable_engines, 1.0)
    return np.where(addressable_engines > 0, np.minimum(capacity / safe, 1.0), 1.0)
