"""Figures worked by hand from the shipped inputs (issue 21): each expected number is computed here from the TOML
files the package ships (cpo_xl/engine/data/defaults.toml, scenarios.toml) with the model's line formulas written
out step by step, not read from the model line it checks. The docstrings give the arithmetic with the values
shipped when the tests were written, so a reviewer can redo it with a calculator."""

import math
import tomllib
from importlib.resources import files

import pytest

from cpo_xl.analysis import scenarios as sc
from cpo_xl.engine import envelopes as ev
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel import functions as fn

DATA = files("cpo_xl.engine") / "data"


def shipped_value(dotted: str) -> float:
    """A base value of defaults.toml by its dotted key ('envelopes.pue'; 'penetration.nic.ceiling')."""
    node = tomllib.loads((DATA / "defaults.toml").read_text(encoding="utf-8"))
    for part in dotted.split("."):
        node = node[part]
    return float(node["value"])


def scenario_value(scenario: str, dotted: str) -> float:
    """The bear or bull value of a dotted key in scenarios.toml."""
    return float(tomllib.loads((DATA / "scenarios.toml").read_text(encoding="utf-8"))[scenario][dotted])


def ai_it_power_gw(year: int) -> float:
    """AI IT power installed [GW/yr] = DC GW added 2026 x (1 + growth)^(year - 2026) x AI share x (1 + replacement)
    / PUE."""
    v = shipped_value
    added = v("envelopes.dc_additions_gw_2026") * (1 + v("envelopes.dc_additions_growth")) ** (year - 2026)
    return added * v("envelopes.ai_share_of_additions") * (1 + v("envelopes.replacement_share")) / v("envelopes.pue")


def test_power_binds_the_2028_racks_worked_by_hand():
    """Base scenario, 2028: the power envelope sets NVIDIA's racks.

    Power cap:
      DC capacity added 2028 = 25 GW x 1.12^2 = 31.36 GW
      AI IT power          = 31.36 GW x 0.8 (AI share) x 1.2 (1 + replacement 0.2) / 1.25 (PUE) = 24.08448 GW
      NVIDIA's share       = 24.08448 GW x 0.6 = 14.450688 GW = 14,450.688 MW
      MW per NVL72-eq 2028 = 0.30 (the 2028 point of the power-per-rack line)
      racks                = 14,450.688 MW / 0.30 MW = 48,168.96 NVL72-eq
    The others, all above it:
      demand = 60,000 (2026) x 1.15 (2027) x (1 + 0.05 + (0.15 - 0.05) x 0.6 = 1.11) (2028) = 76,590 racks
      CoWoS  = CoWoS-class wafers 1.3M (2026) x 1.24 = 1.612M (2027) x 1.24 = 1.99888M (2028);
               NVIDIA GPU wafers = wafers x (1 - 0.28 OSAT CoWoS-like) x 0.6 (NVIDIA's TSMC share)
               = 696,384 (2027) and 863,516.16 (2028); feeding 2028's racks (a quarter's lead)
               = 0.75 x 863,516.16 + 0.25 x 696,384 = 821,733.12 wafers; x 0.8 in racks = 657,386.50;
               wafers per NVL72-eq 2028 = 72 x (0.3 VR200 / 9 + 0.7 Kyber / 4.5 packages/wafer) = 13.6;
               657,386.50 / 13.6 = 48,337.24 racks (just above power: CoWoS nearly binds in 2028)
      spend  = DC revenue 193.7 (2025) x 1.8 (2026) x (1 + 0.08 + 0.72 x 0.4 = 1.368) (2027)
               x (1 + 0.08 + 0.72 x 0.4^2 = 1.1952) (2028) = US$570.07bn; x 0.8 (rack-scale share)
               = US$456,057M / US$8.36M per rack (0.3 x 7.8 VR200 + 0.7 x 8.6 Kyber) = 54,552 racks
    So the forecast is min(76,590, 48,169, 48,337, 54,552) = 48,169 racks, binding code 1 (power)."""
    v = shipped_value
    year = 2028
    power = ai_it_power_gw(year) * v("envelopes.nvidia_share_of_ai_power") * 1000.0 / v("envelopes.rack_mw_2028")
    g_2028 = v("racks.growth_terminal") + (v("racks.growth_2027") - v("racks.growth_terminal")) * v("racks.growth_fade")
    demand = v("racks.cy2026") * (1 + v("racks.growth_2027")) * (1 + g_2028)
    gpu_wafers = {y: v("envelopes.cowos_wafers_2026") * (1 + v("envelopes.cowos_growth")) ** (y - 2026)
                  * (1 - v("envelopes.cowos_like_share")) * v("envelopes.nvidia_share_of_cowos") for y in (2027, 2028)}
    lead = v("envelopes.cowos_lead_years")
    available = (1 - lead) * gpu_wafers[2028] + lead * gpu_wafers[2027]
    kyber = v("envelopes.kyber_share_2028")
    wafers_per_rack = 72 * ((1 - kyber) / v("envelopes.packages_per_wafer_rubin")
                            + kyber / v("envelopes.packages_per_wafer_kyber"))
    cowos = available * v("envelopes.rack_share_of_nvidia_wafers") / wafers_per_rack
    first, terminal = v("envelopes.dc_revenue_growth_2026"), v("envelopes.dc_revenue_growth_terminal")
    fade = v("envelopes.dc_revenue_growth_fade")
    revenue_bn = (v("envelopes.dc_revenue_usd_bn_2025") * (1 + first) * (1 + terminal + (first - terminal) * fade)
                  * (1 + terminal + (first - terminal) * fade ** 2))
    per_rack = ((1 - kyber) * v("envelopes.revenue_per_rack_vr200_usd_m")
                + kyber * v("envelopes.revenue_per_rack_kyber_usd_m"))
    spend = revenue_bn * 1000 * v("envelopes.rack_scale_share_of_dc_revenue") / per_rack

    assert power == pytest.approx(48168.96, rel=1e-9)  # the docstring's figure, so the arithmetic above is the test's
    assert cowos == pytest.approx(48337.24, rel=1e-7)  # the docstring's CoWoS figure
    assert power < min(demand, cowos, spend)
    r = run(Case())
    i = year_index(year)
    assert r.racks[i] == pytest.approx(power, rel=1e-12)
    assert ev.NAMES[int(r.rack_binding[i])] == "power"
    # the three caps that do not bind, as worked above
    assert r.racks_demand[i] == pytest.approx(demand, rel=1e-12)
    assert r.rack_caps["cowos"][i] == pytest.approx(cowos, rel=1e-12)
    assert r.rack_caps["spend"][i] == pytest.approx(spend, rel=1e-12)


def price_index_2030(erosion_2027: float) -> float:
    """Optics price index 2030 (2026 = 1) [x] = product over 2027-2030 of (1 - erosion), erosion = terminal +
    (2027 rate - terminal) x fade^(year - 2027)."""
    v = shipped_value
    terminal, fade = v("pricing.erosion_terminal"), v("pricing.erosion_fade")
    return math.prod(1 - (terminal + (erosion_2027 - terminal) * fade ** k) for k in range(4))


def test_erosion_sensitivity_worked_by_hand():
    """CPO_SENSITIVITY('pricing.erosion_2027', 2030, racks): TAM 2030 at the bull erosion less at the bear one.

    The 2027 erosion moves only the engine price per Gb/s (the laser and fibre prices erode at their own rates,
    bandwidth shipped and engine starts do not depend on any price), so
      swing = CPO Gb/s shipped 2030 x 2026 engine price x (index at bull - index at bear).
    Price index 2030, erosion 0.10 + (e - 0.10) x 0.8^k for k = 0..3 (2027..2030):
      bull e = 0.15: 0.15, 0.14, 0.132, 0.1256  -> 0.85 x 0.86 x 0.868 x 0.8744   = 0.5548137952
      bear e = 0.25: 0.25, 0.22, 0.196, 0.1768  -> 0.75 x 0.78 x 0.804 x 0.8232   = 0.387183888
      difference 0.1676299072; x US$0.28/(Gb/s) = US$0.046936374/(Gb/s)
    CPO Gb/s shipped 2030 (supply does not bind in 2030: shipped = curve share x addressable):
      AI IT power = 25 GW x 1.12^4 x 0.8 x 1.2 / 1.25 = 30.2116 GW
      racks = 30.2116 GW x 0.6 x 1000 / 0.35 MW = 51,791.27 (the power cap binds); packages = x 72 = 3,728,971
      ASICs = min(demand 6.5M x 1.40 x 1.23 x 1.145 x 1.1025 = 14.13M,
                  power 30.2116 GW x 0.35 x 1e6 / 0.9 kW = 11.749M) = 11,748,945
      cluster 100k x 1.2^4 = 207,360 GPUs -> 3 Clos tiers (radix 128: up to 524,288) -> 2 x 3 - 1 = 5 switch ports
      scale-out Gb/s = (packages x 1 port x 3,200 + ASICs x 400 x 2^(5/3)) x 5 = 1.3426e11,
        share 0.5 / (1 + exp(-0.872 x (2030 - 2030.46))) = 0.200522
      scale-up  Gb/s = packages x 4.5 x 3,200 (NVIDIA) + ASICs x 0.3 x 12,800 (custom XPUs with optical
        scale-up, from 2028) = 5.3697e10 + 4.5116e10 = 9.8813e10, share 0.9 / (1 + exp(0)) = 0.45
      NIC       Gb/s = packages x 1 x 3,200 = 1.1933e10, share 0.5 / (1 + exp(-0.8 x (2030 - 2030.5))) = 0.200656
      shipped = 0.200522 x 1.3426e11 + 0.45 x 9.8813e10 + 0.200656 x 1.1933e10 = 7.3783e10 Gb/s
    swing = 7.3783e10 Gb/s x US$0.046936/(Gb/s) / 1e6 = US$3,463.1M."""
    v = shipped_value
    key, year = "pricing.erosion_2027", 2030
    bear, bull = scenario_value("bear", key), scenario_value("bull", key)
    ai_gw = ai_it_power_gw(year)
    racks = ai_gw * v("envelopes.nvidia_share_of_ai_power") * 1000.0 / v("envelopes.rack_mw_2030")
    packages = racks * v("demand.nvl72_packages_per_rack")
    g0, gt, gf = (v("accelerators.asic_growth_2027"), v("accelerators.asic_growth_terminal"),
                  v("accelerators.asic_growth_fade"))
    asic_demand = v("accelerators.asic_2026") * math.prod(1 + gt + (g0 - gt) * gf ** k for k in range(4))
    asics = min(asic_demand, ai_gw * v("envelopes.asic_share_of_ai_power") * 1e6 / v("envelopes.asic_kw_2030"))
    cluster = v("demand.cluster_gpus_2026") * (1 + v("demand.cluster_growth")) ** (year - 2026)
    radix = v("demand.switch_radix")
    assert radix ** 2 / 2 < cluster <= radix ** 3 / 4  # three tiers
    fan = 2 * 3 - 1
    doublings = sum(year >= v(f"demand.{k}") for k in ("port_1600_year", "port_3200_year"))
    port_gbps = v("demand.port_gbps_2025") * 2 ** doublings  # 800G doubled in 2027 and in 2030: 3,200
    asic_gbps = v("accelerators.asic_scale_out_gbps_2025") * 2 ** ((year - 2025)
                                                                   / v("accelerators.asic_scale_out_doubling_years"))
    scale_out = (packages * v("demand.nic_ports_per_package") * port_gbps + asics * asic_gbps) * fan
    scale_up = packages * v("demand.scale_up_engines_per_package") * v("demand.scale_up_engine_gbps")
    assert year >= v("demand.xpu_optical_scale_up_year")
    scale_up += asics * v("demand.xpu_optical_share") * v("demand.xpu_scale_up_gbps")
    nic = packages * v("demand.nic_engines_per_package") * v("demand.nic_engine_gbps")

    def logistic(segment: str) -> float:
        p = f"penetration.{segment}."
        return v(p + "ceiling") / (1 + math.exp(-v(p + "rate") * (year - v(p + "midpoint"))))

    gbps = logistic("scale_out") * scale_out + logistic("scale_up") * scale_up + logistic("nic") * nic
    expected = gbps * v("pricing.engine_usd_per_gbps_2026") * (price_index_2030(bull) - price_index_2030(bear)) / 1e6

    assert expected == pytest.approx(3463.1185, rel=1e-7)  # the docstring's figure
    rack_units = [list(map(float, YEARS)), list(Case().rack_series())]
    got = fn.CPO_SENSITIVITY(key, year, rack_units)
    assert got == pytest.approx(expected, rel=1e-12)
    # the hand-worked premises: supply does not bind in 2030 and no other layer moves with the erosion
    r = run(Case())
    assert r.binding[year_index(year)] == 0
    assert ev.NAMES[int(r.rack_binding[year_index(year)])] == "power"
    ends = [run(Case().plus(key, e)) for e in (bear, bull)]
    for layer in ("lasers", "fiber_connectivity", "equipment"):
        assert ends[0].layers[layer][year_index(year)] == ends[1].layers[layer][year_index(year)]
    # the tornado row of the same input agrees with the UDF
    row = sc.tornado(Case(), year).set_index("key").loc[key]
    assert row["at_bull"] - row["at_bear"] == pytest.approx(got, rel=1e-12)
