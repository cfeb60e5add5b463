"""Companies: CPO revenue from layer shares, exposure, net exposure and elasticities (per year)."""

from __future__ import annotations

import numpy as np

from cpo_xl.engine.timeline import YEAR_ARRAY
from cpo_xl.engine.types import CompanyParams, Floats

NAN = float("nan")


def layer_share(company: CompanyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Share of its layer [fraction] = the 2026 value until 2026, linear to the 2030 value, flat after."""
    weight = np.clip((years - 2026.0) / 4.0, 0.0, 1.0)
    return company.share_2026 + (company.share_2030 - company.share_2026) * weight


def other_revenue(company: CompanyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Revenue outside CPO [US$ M/yr] = baseline x (1 + growth)^(t - baseline year); NaN when not filled.

    The baseline (2024-2026 filings) holds next to no CPO revenue, so all of it counts as non-CPO.
    """
    if company.revenue_usd_m is None or company.revenue_year is None:
        return np.full(years.shape, NAN)
    return company.revenue_usd_m * (1.0 + company.revenue_growth) ** (years - company.revenue_year)


def total_revenue(company: CompanyParams, revenue_cpo: Floats, years: Floats = YEAR_ARRAY,
                  nvidia: Floats | None = None) -> Floats:
    """Total revenue [US$ M/yr] = non-CPO revenue + CPO revenue, so exposure stays within 0-1; for the company
    whose revenue line is the model's NVIDIA line, that line (its CPO revenue sits inside data centre), never
    below the CPO revenue."""
    if company.revenue_line == "nvidia" and nvidia is not None:
        return np.maximum(nvidia, revenue_cpo)
    return other_revenue(company, years) + revenue_cpo


def cpo_revenue(company: CompanyParams, layer_tam: Floats, years: Floats = YEAR_ARRAY,
                xpu: Floats | None = None) -> Floats:
    """CPO revenue [US$ M/yr] = layer TAM x company share of the layer; a definer: (layer TAM - the definers'
    custom-XPU scale-up value) x share of the layer + that value x its custom-XPU scale-up share (0 where none
    is on file)."""
    share = layer_share(company, years)
    if xpu is None:
        return layer_tam * share
    return (layer_tam - xpu) * share + xpu * (company.xpu_scale_up_share or 0.0)


def exposure(revenue_cpo: Floats, revenue_total: Floats) -> Floats:
    """CPO exposure [fraction] = CPO revenue / total revenue; also the revenue elasticity to CPO TAM at constant
    shares."""
    return revenue_cpo / revenue_total


def net_exposure(revenue_cpo: Floats, displaced: Floats, revenue_total: Floats) -> Floats:
    """Net exposure [fraction] = (CPO revenue - displaced legacy revenue) / total revenue."""
    return (revenue_cpo - displaced) / revenue_total


def ebit_elasticity(revenue_elasticity: Floats, company: CompanyParams) -> Floats:
    """EBIT elasticity [x] = revenue elasticity x incremental margin / EBIT margin; NaN without a positive
    margin (a loss-making company's EBIT elasticity has no meaning)."""
    if company.ebit_margin is None or company.ebit_margin <= 0:
        return np.full(np.shape(revenue_elasticity), NAN)
    return revenue_elasticity * company.incremental_margin / company.ebit_margin


def legacy_revenue(company: CompanyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """The legacy business CPO can displace [US$ M/yr] = its baseline grown at the company's revenue growth;
    infinite (no cap) where the company has none on file."""
    if company.legacy_usd_m is None or company.legacy_year is None:
        return np.full(years.shape, np.inf)
    return company.legacy_usd_m * (1.0 + company.revenue_growth) ** (years - company.legacy_year)


def displaced_revenue(market: Floats, company: CompanyParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Legacy revenue the company loses to CPO [US$ M/yr] = its share of the displaced market, capped at the
    legacy business it has (so net exposure stays above -100%)."""
    return np.minimum(market * company.displaced_share, legacy_revenue(company, years))
