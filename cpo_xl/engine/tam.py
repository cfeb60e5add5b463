"""TAM by value-chain layer from bandwidth shipped and separately priced CPO components.

Prices are per Gb/s (US$/(Gb/s)) unless stated. Pluggables and the CPO engine erode at a rate that fades from
its 2027 value toward a terminal rate (no hard floor); the external laser (ELS, per CW laser) and the fibre
content erode at their own rates. The all-in CPO price per bit, divided by the pluggable price, is checked
against the sourced CPO discount. Money in US$ M per year.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cpo_xl.engine.demand import LASER_GBPS, by_year, columns, cumulative_product, faded_growth
from cpo_xl.engine.timeline import YEAR_ARRAY
from cpo_xl.engine.types import EquipmentParams, Floats, PricingParams

PRICE_BASE_YEAR = 2026
USD_PER_MUSD = 1e6


def price_index(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Optics price index, 2026 = 1 [x]: compounded by the fading erosion after 2026, by the 2027 erosion
    going back before 2026."""
    if len(np.shape(years)) != 1:
        erosion = faded_growth(pricing.erosion_2027, pricing.erosion_terminal, pricing.erosion_fade,
                               PRICE_BASE_YEAR + 1, years)
        after = cumulative_product(1.0 - erosion)
        before = (1.0 - np.asarray(pricing.erosion_2027)) ** np.minimum(years - PRICE_BASE_YEAR, 0.0)
        return by_year(after, [(years < PRICE_BASE_YEAR, before)], years)
    # each part on its own years: up to 2026 the erosion is 0, each factor and running product exactly 1 (the
    # 2026 index); the power going back is kept for the years before 2026 only. The same bits as computing
    # both over every year, without the (draws, years) passes over the years thrown away.
    later, earlier = columns(years > PRICE_BASE_YEAR), columns(years < PRICE_BASE_YEAR)
    shape = np.broadcast_shapes(np.shape(years), np.shape(pricing.erosion_2027), np.shape(pricing.erosion_terminal),
                                np.shape(pricing.erosion_fade))
    index = np.ones(shape)
    erosion = faded_growth(pricing.erosion_2027, pricing.erosion_terminal, pricing.erosion_fade,
                           PRICE_BASE_YEAR + 1, years[later])
    index[..., later] = cumulative_product(1.0 - erosion)
    index[..., earlier] = (1.0 - np.asarray(pricing.erosion_2027)) ** np.minimum(years[earlier] - PRICE_BASE_YEAR,
                                                                                  0.0)
    return index


def eroded(price_2026: Any, erosion: Any, years: Floats = YEAR_ARRAY) -> Floats:
    """A 2026 price compounded down at a constant ``erosion`` [1/yr] (up, going back before 2026)."""
    return np.asarray(price_2026 * (1.0 - np.asarray(erosion)) ** (years - PRICE_BASE_YEAR), dtype=float)


def pluggable_price(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Pluggable transceiver price [US$/(Gb/s)] = 2026 price x price index."""
    return pricing.pluggable_usd_per_gbps_2026 * price_index(pricing, years)


def engine_price(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """CPO optical engine price (PIC + EIC, stacked and packaged) [US$/(Gb/s)] = 2026 price x price index."""
    return pricing.engine_usd_per_gbps_2026 * price_index(pricing, years)


def laser_price(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """External CW laser price [US$/laser]."""
    return eroded(pricing.laser_usd_2026, pricing.laser_erosion, years)


def fiber_price(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Fibre array, MPO and shuffle content [US$/(Gb/s)]."""
    return eroded(pricing.fiber_usd_per_gbps_2026, pricing.fiber_erosion, years)


def cpo_all_in_price(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """All-in CPO price [US$/(Gb/s)] = engine + laser / 800 Gb/s + fibre."""
    return engine_price(pricing, years) + laser_price(pricing, years) / LASER_GBPS + fiber_price(pricing, years)


def cpo_to_pluggable(pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """All-in CPO price / pluggable price [x]; the sourced discount puts it near 1 - discount."""
    return cpo_all_in_price(pricing, years) / pluggable_price(pricing, years)


def engine_value(gbps: Floats, price: Floats) -> Floats:
    """Optical engine value [US$ M/yr] = Gb/s shipped x engine price [US$/(Gb/s)]."""
    return gbps * price / USD_PER_MUSD


def engine_split(value: Floats, pricing: PricingParams) -> tuple[Floats, Floats]:
    """(definers, foundry & packaging) [US$ M/yr]: the engine value split by their shares of it."""
    return value * pricing.definers_share_of_engine, value * pricing.foundry_share_of_engine


def lasers_layer(lasers: Floats, pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Lasers layer [US$ M/yr] = ELS lasers shipped x laser price."""
    return lasers * laser_price(pricing, years) / USD_PER_MUSD


def fiber_layer(gbps: Floats, pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Fibre & connectivity layer [US$ M/yr] = Gb/s shipped x fibre content per Gb/s."""
    return gbps * fiber_price(pricing, years) / USD_PER_MUSD


def capacity_added(starts: Floats) -> Floats:
    """Engine starts capacity added in each year [3.2T-eq/yr per yr] (the first year: its own level)."""
    previous = np.concatenate([np.zeros_like(starts[..., :1]), starts[..., :-1]], axis=-1)
    return np.maximum(starts - previous, 0.0)


def equipment_layer(starts: Floats, equipment: EquipmentParams) -> Floats:
    """Equipment layer [US$ M/yr] = capacity added x (coupling tool price / throughput + test cell price /
    throughput): tools are sold into the capacity actually added."""
    per_engine = (equipment.coupling_tool_usd_m / equipment.coupling_engines_per_tool
                  + equipment.test_tool_usd_m / equipment.test_engines_per_tool)
    return capacity_added(starts) * per_engine


def displaced_pluggables(gbps: Floats, pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Pluggable revenue CPO displaces [US$ M/yr] = CPO Gb/s that would be pluggable x pluggable price."""
    return gbps * pluggable_price(pricing, years) / USD_PER_MUSD


def displaced_copper(gbps: Floats, pricing: PricingParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Copper scale-up cabling revenue CPO displaces [US$ M/yr] = Gb/s x copper price."""
    return gbps * eroded(pricing.copper_usd_per_gbps_2026, pricing.copper_erosion, years) / USD_PER_MUSD
