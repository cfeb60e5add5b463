"""Demand: racks -> platform mix -> GPU packages -> addressable CPO ports and engines per segment.

Arrays are indexed by the timeline (:data:`cpo_xl.timeline.YEARS`). Ports are 800G-equivalent, bandwidth in
Gb/s, engines and lasers in units per year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cpo_xl.engine.assumptions import Demand, Racks
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.timeline import YEAR_ARRAY

PORT_GBPS = 800.0  # the 800G-equivalent port
LASER_GBPS = 800.0  # one CW laser feeds 4 lanes of 200 Gb/s


def rack_forecast(racks: Racks, years: Floats = YEAR_ARRAY) -> Floats:
    """Default NVIDIA rack forecast [racks/yr]: the 2023-2026 inputs, then 2026 x (1 + g)^(t - 2026).

    Broadcasts: with array-valued inputs of shape (draws, 1) it returns (draws, years).
    """
    grown = racks.cy2026 * (1.0 + racks.growth_after_2026) ** np.maximum(years - 2026, 0.0)
    for year, value in ((2025, racks.cy2025), (2024, racks.cy2024), (2023, racks.cy2023)):
        grown = np.where(years == year, value, grown)
    return np.asarray(grown, dtype=float)


def kyber_share(demand: Demand, years: Floats = YEAR_ARRAY) -> Floats:
    """Share of racks that are Kyber-class [0-1]: first-year share, + step per year, up to the cap."""
    ramp = demand.kyber_share_first_year + demand.kyber_share_step * (years - demand.kyber_first_year)
    return np.where(years >= demand.kyber_first_year, np.minimum(ramp, demand.kyber_share_cap), 0.0)


def gpu_packages(racks: Floats, kyber: Floats, demand: Demand) -> tuple[Floats, Floats]:
    """(all GPU packages, Kyber-class packages) [packages/yr]; NVL72 = 72 per rack, Kyber = 144."""
    kyber_packages = racks * kyber * demand.kyber_packages_per_rack
    return racks * (1.0 - kyber) * demand.nvl72_packages_per_rack + kyber_packages, kyber_packages


def stepped_speed(base_gbps: float, doubling_years: tuple[int, ...], years: Floats = YEAR_ARRAY) -> Floats:
    """Speed [Gb/s]: the base, doubled at each listed year (from that year on)."""
    doublings = np.zeros_like(years)
    for y in doubling_years:
        doublings += years >= y
    return base_gbps * 2.0 ** doublings


def scale_out_ports(packages: Floats, demand: Demand, port_gbps: Floats) -> Floats:
    """Scale-out switch ports [800G-eq/yr] = packages x NIC ports x (2 x tiers - 1) x speed / 800G."""
    switch_ports_per_nic_port = 2 * demand.scale_out_tiers - 1
    return packages * demand.nic_ports_per_package * switch_ports_per_nic_port * port_gbps / PORT_GBPS


def merchant_switches(demand: Demand, years: Floats = YEAR_ARRAY) -> Floats:
    """Merchant 102.4T-class switches addressable [switches/yr]: the 2026 count grown at g, 0 before start."""
    count = demand.merchant_switches_2026 * (1.0 + demand.merchant_growth) ** (years - 2026)
    return np.where(years >= demand.merchant_first_year, count, 0.0)


@dataclass(frozen=True)
class Segment:
    """Addressable quantities of one segment [per yr]: 800G-eq ports, engines, bandwidth [Gb/s], lasers."""

    ports: Floats
    engines: Floats
    gbps: Floats

    @property
    def lasers(self) -> Floats:
        """External CW lasers [units/yr] = Gb/s / 800 (1 laser feeds 4 x 200G lanes)."""
        return self.gbps / LASER_GBPS


def scale_out_segment(packages: Floats, demand: Demand, years: Floats = YEAR_ARRAY) -> Segment:
    """NVIDIA scale-out switch ports plus the merchant switch block."""
    port_gbps = stepped_speed(demand.port_gbps_2025, (demand.port_1600_year, demand.port_3200_year), years)
    engine_gbps = stepped_speed(demand.scale_out_engine_gbps, (demand.engine_3200_year,), years)
    nvidia_ports = scale_out_ports(packages, demand, port_gbps)
    switches = merchant_switches(demand, years)
    ports = nvidia_ports + switches * demand.merchant_ports_per_switch
    engines = nvidia_ports * PORT_GBPS / engine_gbps + switches * demand.merchant_engines_per_switch
    gbps = nvidia_ports * PORT_GBPS + switches * demand.merchant_engines_per_switch * demand.merchant_engine_gbps
    return Segment(ports, engines, gbps)


def per_package_segment(kyber_packages: Floats, engines_per_package: float, engine_gbps: float) -> Segment:
    """Scale-up or NIC engines on Kyber-class packages: engines = packages x engines per package."""
    engines = kyber_packages * engines_per_package
    gbps = engines * engine_gbps
    return Segment(gbps / PORT_GBPS, engines, gbps)


def addressable(racks: Floats, demand: Demand, years: Floats = YEAR_ARRAY) -> dict[str, Segment]:
    """Addressable demand by segment (scale_out, scale_up, nic) for a rack series [racks/yr]."""
    packages, kyber_packages = gpu_packages(racks, kyber_share(demand, years), demand)
    return {
        "scale_out": scale_out_segment(packages, demand, years),
        "scale_up": per_package_segment(kyber_packages, demand.scale_up_engines_per_package,
                                        demand.scale_up_engine_gbps),
        "nic": per_package_segment(kyber_packages, demand.nic_engines_per_package, demand.nic_engine_gbps),
    }
