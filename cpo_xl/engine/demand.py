"""Demand: accelerators -> addressable CPO bandwidth, ports and engines per segment.

NVIDIA rack-scale systems are counted in NVL72-equivalents (72 GPU packages; a Kyber rack of 144 packages is
two). Their forecast and the custom-ASIC forecast grow at rates that fade toward a terminal rate, and never
exceed the physical and financial envelopes (:mod:`cpo_xl.engine.envelopes`). Arrays run over the timeline
(:data:`cpo_xl.engine.timeline.YEARS`); with (draws, 1) inputs every line is (draws, years). Ports are
800G-equivalent, bandwidth in Gb/s per year, engines and lasers in units per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cpo_xl.engine.timeline import YEAR_ARRAY
from cpo_xl.engine.types import AcceleratorsParams, DemandParams, Floats, RacksParams

PORT_GBPS = 800.0  # the 800G-equivalent port
LASER_GBPS = 800.0  # one CW laser feeds 4 lanes of 200 Gb/s
MAX_TIERS = 6


def faded_growth(first: Any, terminal: Any, fade: Any, first_year: int, years: Floats = YEAR_ARRAY) -> Floats:
    """Growth rate [1/yr] by year: ``first`` in ``first_year``, then terminal + (first - terminal) x fade^k
    k years later; 0 before ``first_year``."""
    k = np.maximum(years - first_year, 0.0)
    if len(np.shape(years)) != 1:
        growth = terminal + (np.asarray(first) - terminal) * np.asarray(fade) ** k
        return by_year(growth, [(years < first_year, 0.0)], years)
    # the same expression on the years from first_year only (the others are 0): over (draws, years) arrays the
    # power is the costly step, and a third of the years would be thrown away
    on = columns(years >= first_year)
    shape = np.broadcast_shapes(np.shape(terminal), np.shape(first), np.shape(fade), np.shape(years))
    growth = np.zeros(shape)
    growth[..., on] = terminal + (np.asarray(first) - terminal) * np.asarray(fade) ** k[on]
    return growth


def columns(mask: Any) -> Any:
    """The years (last axis) a 1-D mask selects, as a slice when they are contiguous (a comparison of the
    sorted timeline with a year always is), else the mask: indexing (draws, years) arrays by a slice takes a
    view, by a mask a copy through numpy's slow fancy-index path (over Monte Carlo draws, 10x the arithmetic)."""
    picked = np.flatnonzero(mask)
    if len(picked) and picked[-1] - picked[0] == len(picked) - 1:
        return slice(int(picked[0]), int(picked[-1]) + 1)
    return mask


def by_year(series: Floats, picks: list[tuple[Any, Any]], years: Floats = YEAR_ARRAY) -> Floats:
    """``series`` with the years of each (mask over ``years``, value) pick set to the value, later picks
    winning: ``np.where(mask, value, series)`` pick after pick (the same values, so the same bits), written into
    the masked columns only: over (draws, years) arrays each full-size where costs as much as the model line
    it serves."""
    shape = np.broadcast_shapes(np.shape(series), np.shape(years), *(np.shape(v) for _, v in picks))
    if len(np.shape(years)) != 1:
        out = np.asarray(series, dtype=float)
        for mask, value in picks:
            out = np.where(mask, value, out)
        return np.asarray(out, dtype=float)
    out = np.array(np.broadcast_to(series, shape), dtype=float)
    for mask, value in picks:
        if np.any(mask):
            picked = columns(mask)
            out[..., picked] = np.broadcast_to(np.asarray(value, dtype=float), shape)[..., picked]
    return out


def cumulative_product(factors: Floats) -> Floats:
    """Running product along the years (last) axis [the factors' unit]: ``np.cumprod(factors, axis=-1)``, the
    same products in the same order (so the same bits), one column at a time: over a (draws, years) array
    numpy's cumprod along the short last axis is 2x slower."""
    out = np.array(factors, dtype=float)
    for i in range(1, out.shape[-1]):
        np.multiply(out[..., i - 1], out[..., i], out=out[..., i])
    return out


def anchored_series(anchors: Mapping[int, Any], first: Any, terminal: Any, fade: Any,
                    years: Floats = YEAR_ARRAY) -> Floats:
    """Reported values for the anchor years (the first one held before them), then the last anchor compounded
    at faded growth [per yr]."""
    last, earliest = max(anchors), min(anchors)
    picks = [(years < earliest, anchors[earliest]), *((years == y, v) for y, v in anchors.items())]
    if len(np.shape(years)) != 1:
        growth = faded_growth(first, terminal, fade, last + 1, years)
        return by_year(np.asarray(anchors[last]) * cumulative_product(1.0 + growth), picks, years)
    # compounded over the years after the last anchor only: up to it the growth is 0, each factor exactly 1 and
    # each running product exactly 1, so the value the last anchor itself (x times 1 is x); the same bits as
    # compounding every year, without the (draws, years) passes over the years the anchors overwrite
    after, upto = columns(years > last), columns(years <= last)
    growth = faded_growth(first, terminal, fade, last + 1, years[after])
    shape = np.broadcast_shapes(np.shape(years), np.shape(first), np.shape(terminal), np.shape(fade),
                                *(np.shape(v) for v in anchors.values()))
    out = np.empty(shape)
    out[..., after] = np.asarray(anchors[last]) * cumulative_product(1.0 + growth)
    out[..., upto] = anchors[last]
    for mask, value in picks:  # as by_year: later picks win
        out[..., columns(mask)] = value
    return out


def nvidia_driver(racks: RacksParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NVIDIA rack-scale demand before the envelopes [NVL72-eq racks/yr]: 2023-2026 reported, fading growth."""
    return anchored_series({2023: racks.cy2023, 2024: racks.cy2024, 2025: racks.cy2025, 2026: racks.cy2026},
                           racks.growth_2027, racks.growth_terminal, racks.growth_fade, years)


def asic_driver(acc: AcceleratorsParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Custom-ASIC accelerators before the power envelope [units/yr]: 2025-2026 reported, fading growth; the
    2025 count held flat before (negligible for CPO then)."""
    return anchored_series({2025: acc.asic_2025, 2026: acc.asic_2026}, acc.asic_growth_2027,
                           acc.asic_growth_terminal, acc.asic_growth_fade, years)


def stepped_speed(base_gbps: Any, doubling_years: tuple[Any, ...], years: Floats = YEAR_ARRAY) -> Floats:
    """Speed [Gb/s]: the base, doubled at each listed year (from that year on)."""
    doublings = np.zeros_like(years)
    for y in doubling_years:
        doublings = doublings + (years >= y)
    return np.asarray(base_gbps * 2.0 ** doublings, dtype=float)


def cluster_tiers(cluster_gpus: Floats, radix: Any) -> Floats:
    """Clos tiers [count] for a cluster [endpoints]: the fewest T with radix^T / 2^(T-1) endpoints >= cluster
    (radix 128: 2 tiers up to 8,192, 3 up to 524,288)."""
    tiers = np.ones_like(cluster_gpus)
    for t in range(1, MAX_TIERS):
        tiers = tiers + (cluster_gpus > np.asarray(radix, dtype=float) ** t / 2.0 ** (t - 1))
    return tiers


def cluster_size(demand: DemandParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Typical AI training cluster [GPUs] = 2026 size x (1 + growth)^(t - 2026)."""
    return np.asarray(demand.cluster_gpus_2026 * (1.0 + demand.cluster_growth) ** (years - 2026), dtype=float)


def switch_ports_per_nic_port(demand: DemandParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Switch ports per endpoint port [x] = 2 x tiers - 1 (Clos), tiers from the cluster size."""
    return 2.0 * cluster_tiers(cluster_size(demand, years), demand.switch_radix) - 1.0


def asic_scale_out_gbps(acc: AcceleratorsParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Scale-out bandwidth per ASIC accelerator [Gb/s]: the 2025 figure doubling every ``doubling_years``."""
    return np.asarray(acc.asic_scale_out_gbps_2025 * 2.0 ** ((years - 2025) / acc.asic_scale_out_doubling_years),
                      dtype=float)


@dataclass(frozen=True)
class Segment:
    """Addressable quantities of one segment [per yr]: bandwidth [Gb/s] and engine size [Gb/s]; 800G-eq ports,
    engines and lasers derived from them on use (a Monte Carlo run needs only the bandwidth)."""

    gbps: Floats
    engine_gbps: Floats

    @property
    def ports(self) -> Floats:
        """800G-equivalent ports [ports/yr] = Gb/s / 800."""
        return self.gbps / PORT_GBPS

    @property
    def engines(self) -> Floats:
        """Optical engines [engines/yr] = Gb/s / engine size."""
        return self.gbps / self.engine_gbps

    @property
    def lasers(self) -> Floats:
        """External CW lasers [units/yr] = Gb/s / 800 (1 laser feeds 4 x 200G lanes)."""
        return self.gbps / LASER_GBPS


def segment(gbps: Floats, engine_gbps: Floats) -> Segment:
    """A segment from its bandwidth [Gb/s] and engine size [Gb/s]."""
    return Segment(gbps, engine_gbps)


def scale_out_gbps(packages: Floats, asics: Floats, demand: DemandParams, acc: AcceleratorsParams,
                   years: Floats = YEAR_ARRAY) -> tuple[Floats, Floats]:
    """(NVIDIA, ASIC-cluster) scale-out switch bandwidth [Gb/s per yr] = endpoint bandwidth x (2 x tiers - 1);
    the ASIC clusters' switches are the merchant (Broadcom / Marvell class) block."""
    fan = switch_ports_per_nic_port(demand, years)
    nic_gbps = stepped_speed(demand.port_gbps_2025, (demand.port_1600_year, demand.port_3200_year), years)
    return (packages * demand.nic_ports_per_package * nic_gbps * fan, asics * asic_scale_out_gbps(acc, years) * fan)


def nic_side_gbps(packages: Floats, demand: DemandParams, years: Floats = YEAR_ARRAY) -> Floats:
    """NIC-side optical bandwidth of NVIDIA's scale-out [Gb/s per yr] = packages x NIC ports x port speed (the
    transceiver at the NIC end of each link, pluggable until CPO NICs)."""
    speed = stepped_speed(demand.port_gbps_2025, (demand.port_1600_year, demand.port_3200_year), years)
    return np.asarray(packages * demand.nic_ports_per_package * speed, dtype=float)


def xpu_scale_up_gbps(asics: Floats, demand: DemandParams, years: Floats = YEAR_ARRAY) -> Floats:
    """Custom-XPU optical scale-up addressable [Gb/s per yr] = ASICs x share of XPUs with optical scale-up
    designed in x optical scale-up Gb/s per XPU, from the XPU optical scale-up year (0 before)."""
    gbps = asics * demand.xpu_optical_share * demand.xpu_scale_up_gbps
    return np.asarray(np.where(years >= demand.xpu_optical_scale_up_year, gbps, 0.0), dtype=float)


def addressable(packages: Floats, asics: Floats, demand: DemandParams, acc: AcceleratorsParams,
                years: Floats = YEAR_ARRAY) -> dict[str, Segment]:
    """Addressable demand by segment (scale_out, scale_up, nic) for GPU packages and ASICs [units/yr].

    Scale-up optics are cross-rack NVLink engines from the optical scale-up generation on (in-rack NVLink stays
    copper), plus the custom XPUs' optical scale-up (Celestial AI photonic fabric, Broadcom XPU optics) from its
    own first year: one segment, one adoption curve and one supply chain for optical scale-up; CPO NICs likewise
    from their first year."""
    nvidia, asic = scale_out_gbps(packages, asics, demand, acc, years)
    engine_gbps = stepped_speed(demand.scale_out_engine_gbps, (demand.engine_3200_year, demand.engine_6400_year),
                                years)
    optical_up = years >= demand.optical_scale_up_year
    up_gbps = np.where(optical_up, packages * demand.scale_up_engines_per_package * demand.scale_up_engine_gbps, 0.0)
    up_gbps = up_gbps + xpu_scale_up_gbps(asics, demand, years)
    nic_gbps = np.where(years >= demand.nic_cpo_year,
                        packages * demand.nic_engines_per_package * demand.nic_engine_gbps, 0.0)
    return {"scale_out": segment(nvidia + asic, engine_gbps),
            "scale_up": segment(np.asarray(up_gbps, dtype=float), 0.0 * engine_gbps + demand.scale_up_engine_gbps),
            "nic": segment(np.asarray(nic_gbps, dtype=float), 0.0 * engine_gbps + demand.nic_engine_gbps)}
