"""Supply: PIC wafer capacity x engines per wafer x yields -> engines deliverable; the supply cap."""

from __future__ import annotations

import numpy as np

from cpo_xl.engine.assumptions import Supply
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.timeline import YEAR_ARRAY

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
    top = np.maximum(cap, start)
    gap = (top - start) * (1.0 - learning) ** np.maximum(years - YIELD_BASE_YEAR, 0.0)
    return np.asarray(top - gap, dtype=float)


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


REFERENCE_ENGINE_GBPS = 3200.0  # capacity is counted in 3.2T-equivalent engines (NVIDIA's largest deployed)


def engine_capacity(supply: Supply, years: Floats = YEAR_ARRAY) -> Floats:
    """Engines the supply chain can deliver [3.2T-eq engines/yr] = into test x test yield."""
    return engines_into_test(supply, years) * supply.test_yield


def ration(curve_shares: dict[str, Floats], addressable_gbps: dict[str, Floats],
           capacity_gbps: Floats) -> tuple[dict[str, Floats], Floats]:
    """Supply-constrained shares and the binding flag (1 where supply binds).

    Demand D = sum(curve share x addressable Gb/s). Where D exceeds the capacity C [Gb/s] every segment is
    scaled by C/D (capacity rationed pro rata by bandwidth), so bandwidth shipped = min(D, C) and the
    bandwidth-weighted effective share never exceeds the capacity share C / addressable Gb/s. Rationing by
    bandwidth, not by engine count, keeps the TAM non-decreasing in racks when supply binds.
    """
    wanted = np.asarray(sum(curve_shares[s] * addressable_gbps[s] for s in curve_shares), dtype=float)
    binding = wanted > capacity_gbps
    factor = np.divide(capacity_gbps, wanted, out=np.ones_like(wanted), where=binding)
    effective = {s: share * factor for s, share in curve_shares.items()}
    return effective, binding.astype(float)


def capacity_share(capacity_gbps: Floats, addressable_gbps: Floats) -> Floats:
    """Capacity / addressable bandwidth [0-1]; 1 where capacity covers everything or nothing is addressable."""
    safe = np.where(addressable_gbps > 0, addressable_gbps, 1.0)
    return np.where(addressable_gbps > 0, np.minimum(capacity_gbps / safe, 1.0), 1.0)
