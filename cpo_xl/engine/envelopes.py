"""Envelopes: physical and financial limits on accelerator demand, as lines by year.

Data-centre power added, CoWoS-class packaging capacity and NVIDIA's data-centre revenue each bound how many
NVIDIA rack-scale systems (NVL72-equivalents) can ship; power also bounds the custom ASICs. The forecasts take
the minimum of demand and every envelope, so no scenario breaks them; the binding one is reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from cpo_xl.engine.demand import anchored_series, by_year
from cpo_xl.engine.timeline import YEAR_ARRAY
from cpo_xl.engine.types import EnvelopesParams, Floats

MW_PER_GW = 1000.0
KW_PER_GW = 1e6
PACKAGES_PER_RACK = 72.0  # an NVL72-equivalent
NAMES = ("demand", "power", "cowos", "spend")  # binding code 0..3


def interpolated(points: Mapping[int, Any], years: Floats = YEAR_ARRAY) -> Floats:
    """Linear between the given years, flat outside them [the points' unit]."""
    ordered = sorted(points.items())
    out = np.zeros_like(years) + np.asarray(ordered[0][1], dtype=float)
    for (y0, v0), (y1, v1) in itertools.pairwise(ordered):
        w = np.clip((years - y0) / (y1 - y0), 0.0, 1.0)
        out = by_year(out, [(years > y0, np.asarray(v0) + (np.asarray(v1) - v0) * w)], years)
    return np.asarray(out, dtype=float)


def grown(value_2026: Any, growth: Any, years: Floats = YEAR_ARRAY) -> Floats:
    """value x (1 + growth)^(t - 2026) [the value's unit]."""
    return np.asarray(value_2026 * (1.0 + np.asarray(growth)) ** (years - 2026), dtype=float)


def ai_it_power_gw(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """AI accelerator IT power that can be installed [GW/yr] = data-centre capacity added x AI share
    x (1 + replacement of older accelerators) / PUE."""
    added = grown(env.dc_additions_gw_2026, env.dc_additions_growth, years)
    return added * env.ai_share_of_additions * (1.0 + env.replacement_share) / env.pue


def rack_mw(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Power per NVL72-equivalent [MW] (GB200 ~0.13, Kyber 0.6 MW per 144 packages), interpolated."""
    return interpolated({2025: env.rack_mw_2025, 2028: env.rack_mw_2028, 2030: env.rack_mw_2030}, years)


def power_cap_racks(env: EnvelopesParams, years: Floats = YEAR_ARRAY, power: Floats | None = None) -> Floats:
    """NVIDIA racks the power envelope allows [NVL72-eq/yr] = AI IT GW x NVIDIA share / MW per rack (``power``:
    :func:`ai_it_power_gw` [GW/yr], when the caller has it: over Monte Carlo draws it is a costly line)."""
    power = ai_it_power_gw(env, years) if power is None else power
    return power * env.nvidia_share_of_ai_power * MW_PER_GW / rack_mw(env, years)


def rack_power_gw(racks: Floats, env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """IT power of the NVIDIA racks shipped [GW/yr]."""
    return racks * rack_mw(env, years) / MW_PER_GW


def cowos_wafers(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """CoWoS-class wafers [wafers/yr]: 2024-2026 from capacity reports, then x (1 + growth) a year."""
    return anchored_series({2024: env.cowos_wafers_2024, 2025: env.cowos_wafers_2025, 2026: env.cowos_wafers_2026},
                           env.cowos_growth, env.cowos_growth, 1.0, years)


def nvidia_cowos_wafers(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA's GPU CoWoS wafers [wafers/yr] = CoWoS-class wafers x TSMC's part of them (1 - the OSAT CoWoS-like
    share) x NVIDIA's share of TSMC CoWoS (the 2025 value through 2025, the steady value from 2026; its OSAT
    wafers carry Vera CPUs and automotive parts, not GPUs)."""
    share = np.where(years <= 2025, env.nvidia_share_of_cowos_2025, env.nvidia_share_of_cowos)
    return np.asarray(cowos_wafers(env, years) * (1.0 - env.cowos_like_share) * share, dtype=float)


def cowos_wafers_available(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA GPU CoWoS wafers that feed the year's shipments [wafers/yr] = (1 - lead) x this year's + lead x last
    year's (packages reach a shipped rack about a quarter after CoWoS)."""
    wafers = nvidia_cowos_wafers(env, years)
    lead = np.asarray(env.cowos_lead_years)
    last = np.concatenate([wafers[..., :1], wafers[..., :-1]], axis=-1)
    return np.asarray((1.0 - lead) * wafers + lead * last, dtype=float)


def wafers_per_rack(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """CoWoS wafers per NVL72-equivalent [wafers/NVL72-eq] = 72 x sum over generations of mix share / packages
    per wafer (Blackwell ~14, Rubin ~9, Kyber-class 4-die ~4.5)."""
    gb, vr, ky = generation_mix(env, years)
    return np.asarray(PACKAGES_PER_RACK * (gb / env.packages_per_wafer_blackwell + vr / env.packages_per_wafer_rubin
                                           + ky / env.packages_per_wafer_kyber), dtype=float)


def rack_share_of_wafers(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Share of NVIDIA's GPU CoWoS wafers that go into NVL72-eq racks [fraction]: the 2025 value (HGX boards,
    Hopper and China parts large) through 2025, the steady value from 2026."""
    return np.asarray(np.where(years <= 2025, env.rack_share_of_nvidia_wafers_2025, env.rack_share_of_nvidia_wafers)
                      + 0.0 * years, dtype=float)


def cowos_cap_racks(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA racks CoWoS allows [NVL72-eq/yr] = NVIDIA GPU wafers available x rack share of them / wafers per
    NVL72-equivalent."""
    return cowos_wafers_available(env, years) * rack_share_of_wafers(env, years) / wafers_per_rack(env, years)


def dc_revenue_usd_bn(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA data-centre revenue [US$ bn/yr]: fiscal years to Jan-2024/25/26 (~CY2023-25) reported, then
    growth fading from 2026."""
    return anchored_series({2023: env.dc_revenue_usd_bn_2023, 2024: env.dc_revenue_usd_bn_2024,
                            2025: env.dc_revenue_usd_bn_2025}, env.dc_revenue_growth_2026,
                           env.dc_revenue_growth_terminal, env.dc_revenue_growth_fade, years)


def generation_mix(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> tuple[Floats, Floats, Floats]:
    """Shares of NVIDIA's NVL72-equivalents by generation [fraction]: (GB200/GB300, VR200 NVL72, Kyber-class =
    Rubin Ultra NVL144 and Feynman). GB300 through 2025; 2026 and 2027 GB300 + VR200 (+ Kyber from H2-2027);
    2028 VR200 + Kyber; Kyber-class from 2029."""
    none = np.zeros_like(years)
    vr = by_year(none, [(years == 2026, env.vr200_share_2026), (years == 2027, env.vr200_share_2027)], years)
    ky = by_year(none, [(years == 2027, env.kyber_share_2027), (years == 2028, env.kyber_share_2028),
                        (years >= 2029, 1.0)], years)
    vr = by_year(vr, [(years == 2028, 1.0 - ky)], years)
    gb = by_year(1.0 - vr - ky, [(years > 2027, 0.0)], years)
    return np.asarray(gb, dtype=float), np.asarray(vr, dtype=float), np.asarray(ky, dtype=float)


def revenue_per_rack_usd_m(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA revenue per NVL72-equivalent [US$ M] = sum over generations of mix share x generation price; the
    Kyber-class price x (1 + growth)^(t - 2028) from 2029 (Feynman and later)."""
    gb, vr, ky = generation_mix(env, years)
    kyber = env.revenue_per_rack_kyber_usd_m * (1.0 + np.asarray(env.revenue_per_rack_growth)) ** np.maximum(
        years - 2028, 0.0)
    return np.asarray(gb * env.revenue_per_rack_gb300_usd_m + vr * env.revenue_per_rack_vr200_usd_m + ky * kyber,
                      dtype=float)


def nvidia_revenue_usd_m(env: EnvelopesParams, years: Floats = YEAR_ARRAY, revenue: Floats | None = None) -> Floats:
    """NVIDIA total revenue [US$ M/yr] = data-centre revenue / data centre's share of NVIDIA revenue: the one
    NVIDIA revenue line the envelopes and the company block share (``revenue``: :func:`dc_revenue_usd_bn`
    [US$ bn/yr], when the caller has it)."""
    revenue = dc_revenue_usd_bn(env, years) if revenue is None else revenue
    return revenue * 1000.0 / env.dc_share_of_nvidia_revenue


def rack_scale_share(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Rack-scale systems' share of NVIDIA data-centre revenue [fraction]: the 2025 value (HGX and networking
    larger while NVL72 ramped) through 2025, the steady value from 2026."""
    return np.asarray(np.where(years <= 2025, env.rack_scale_share_2025, env.rack_scale_share_of_dc_revenue)
                      + 0.0 * years, dtype=float)


def spend_cap_racks(env: EnvelopesParams, years: Floats = YEAR_ARRAY, revenue: Floats | None = None) -> Floats:
    """NVIDIA racks its data-centre revenue can pay for [NVL72-eq/yr] = revenue x rack-scale share / price
    (``revenue``: :func:`dc_revenue_usd_bn` [US$ bn/yr], when the caller has it)."""
    revenue = dc_revenue_usd_bn(env, years) if revenue is None else revenue
    return revenue * 1000.0 * rack_scale_share(env, years) / revenue_per_rack_usd_m(env, years)


def rack_caps(env: EnvelopesParams, years: Floats = YEAR_ARRAY, power: Floats | None = None,
              revenue: Floats | None = None) -> dict[str, Floats]:
    """Each envelope's cap on NVIDIA racks [NVL72-eq/yr] (``power``, ``revenue``: the AI IT power [GW/yr] and
    data-centre revenue [US$ bn/yr] lines, when the caller has them)."""
    return {"power": power_cap_racks(env, years, power), "cowos": cowos_cap_racks(env, years),
            "spend": spend_cap_racks(env, years, revenue)}


def capped(demand: Floats, caps: Mapping[str, Floats]) -> tuple[Floats, Floats]:
    """(min of demand and every cap, code of the binding one: 0 demand, 1 power, 2 cowos, 3 spend)."""
    stack = _stacked(demand, caps)
    return np.asarray(stack.min(axis=0), dtype=float), np.asarray(stack.argmin(axis=0), dtype=float)


def capped_value(demand: Floats, caps: Mapping[str, Floats]) -> Floats:
    """The min of demand and every cap alone: :func:`capped`'s first value without finding the binding one
    (over Monte Carlo draws the argmin costs 8x the min), taken pairwise in the stack's order (what the min
    along the stack's first axis does, so the same bits) without stacking copies first."""
    out = np.asarray(demand, dtype=float)
    for name in NAMES[1:]:
        out = np.minimum(out, caps[name])
    return np.asarray(out, dtype=float)


def _stacked(demand: Floats, caps: Mapping[str, Floats]) -> Floats:
    return np.stack(np.broadcast_arrays(demand, *(caps[n] for n in NAMES[1:])))


def asic_kw(env: EnvelopesParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Power per ASIC accelerator incl. its share of host and network [kW], interpolated."""
    return interpolated({2025: env.asic_kw_2025, 2030: env.asic_kw_2030}, years)


def asic_power_cap(env: EnvelopesParams, years: Floats = YEAR_ARRAY, power: Floats | None = None) -> Floats:
    """ASICs the power envelope allows [units/yr] = AI IT GW x ASIC share / kW per ASIC (``power``:
    :func:`ai_it_power_gw` [GW/yr], when the caller has it)."""
    power = ai_it_power_gw(env, years) if power is None else power
    return power * env.asic_share_of_ai_power * KW_PER_GW / asic_kw(env, years)
