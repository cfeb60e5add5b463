"""Prices and the TAM by value-chain layer [US$ M/yr]."""

from __future__ import annotations

import numpy as np

from cpo_xl.engine.assumptions import Equipment, Pricing, Supply
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.supply import engines_into_assembly, engines_into_test
from cpo_xl.engine.timeline import YEAR_ARRAY

PRICE_BASE_YEAR = 2026
USD_PER_MUSD = 1e6


def eroded(price_2026: float, erosion: float, years: Floats = YEAR_ARRAY) -> Floats:
    """A 2026 price compounded down by ``erosion`` [1/yr] (up, going back before 2026)."""
    return price_2026 * (1.0 - erosion) ** (years - PRICE_BASE_YEAR)


def pluggable_price(pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """Pluggable transceiver price [US$/(Gb/s)], eroding, floored where CPO hits its floor."""
    floor = pricing.cpo_floor_usd_per_gbps / (1.0 - pricing.cpo_discount)
    return np.maximum(eroded(pricing.pluggable_usd_per_gbps_2026, pricing.erosion, years), floor)


def cpo_price(pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """CPO engine price [US$/(Gb/s)] = pluggable x (1 - CPO discount), never below the floor."""
    return pluggable_price(pricing, years) * (1.0 - pricing.cpo_discount)


def laser_price(pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """External CW laser price [US$/laser]."""
    return eroded(pricing.laser_usd_2026, pricing.laser_erosion, years)


def fiber_price(pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """Fibre array, MPO and shuffle content [US$/engine]."""
    return eroded(pricing.fiber_usd_per_engine_2026, pricing.fiber_erosion, years)


def engine_layers(gbps: Floats, pricing: Pricing, years: Floats = YEAR_ARRAY) -> tuple[Floats, Floats]:
    """(definers, foundry & packaging) [US$ M/yr]: engine value = Gb/s shipped x CPO price, split."""
    value = gbps * cpo_price(pricing, years) / USD_PER_MUSD
    return value * pricing.definers_share_of_engine, value * pricing.foundry_share_of_engine


def lasers_layer(lasers: Floats, pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """Lasers layer [US$ M/yr] = ELS lasers shipped x laser price."""
    return lasers * laser_price(pricing, years) / USD_PER_MUSD


def fiber_layer(engines: Floats, pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """Fibre & connectivity layer [US$ M/yr] = engines shipped x fibre content per engine."""
    return engines * fiber_price(pricing, years) / USD_PER_MUSD


def tools_needed(supply: Supply, equipment: Equipment, years: Floats) -> tuple[Floats, Floats]:
    """(coupling tools, test cells) installed [tools] to run the year's capacity."""
    return (engines_into_assembly(supply, years) / equipment.coupling_engines_per_tool,
            engines_into_test(supply, years) / equipment.test_engines_per_tool)


def equipment_layer(supply: Supply, equipment: Equipment, years: Floats = YEAR_ARRAY) -> Floats:
    """Equipment layer [US$ M/yr]: tools added for the capacity added over the prior year x tool prices.

    Equipment is sold into capacity, not into demand: it does not move with racks.
    """
    coupling_now, test_now = tools_needed(supply, equipment, years)
    coupling_before, test_before = tools_needed(supply, equipment, years - 1.0)
    return (np.maximum(coupling_now - coupling_before, 0.0) * equipment.coupling_tool_usd_m
            + np.maximum(test_now - test_before, 0.0) * equipment.test_tool_usd_m)


def displaced_pluggables(gbps: Floats, pricing: Pricing, years: Floats = YEAR_ARRAY) -> Floats:
    """Pluggable revenue CPO displaces [US$ M/yr] = scale-out and NIC CPO Gb/s x pluggable price."""
    return gbps * pluggable_price(pricing, years) / USD_PER_MUSD


def displaced_copper(scale_up_gbps: Floats, pricing: Pricing) -> Floats:
    """Copper cabling revenue CPO displaces [US$ M/yr] = scale-up CPO Gb/s x fraction x copper price (flat)."""
    return scale_up_gbps * pricing.copper_displaced_fraction * pricing.copper_usd_per_gbps_2026 / USD_PER_MUSD
