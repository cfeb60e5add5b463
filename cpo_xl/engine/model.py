"""The model: every line item as one short function of the lines it names, computed once per run.

No arithmetic of its own beyond adding up: each line calls a small function from the engine modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from cpo_xl.engine import companies as co
from cpo_xl.engine import demand as dm
from cpo_xl.engine import envelopes as ev
from cpo_xl.engine import supply as sp
from cpo_xl.engine import tam as tm
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS, Assumptions
from cpo_xl.engine.curves import segment_share
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.params import to_params
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR, YEAR_ARRAY
from cpo_xl.engine.types import AssumptionsParams, CompanyParams, Floats

Racks = tuple[float, ...]
# The line function of each value-chain layer's TAM, in LAYERS order.
LAYER_LINES = {"definers": "definers_tam", "foundry_packaging": "foundry_tam", "lasers": "lasers_tam",
               "fiber_connectivity": "fiber_tam", "equipment": "equipment_tam"}


@dataclass(frozen=True)
class CompanyLines:
    """One company's yearly lines: share [fraction], revenues [US$ M], exposures [fraction], elasticity [x]."""

    share: Floats
    total_revenue: Floats
    cpo_revenue: Floats
    displaced: Floats
    exposure: Floats
    net_exposure: Floats
    ebit_elasticity: Floats


class ModelResult:
    """Every line of the model by year for one assumption set and rack series (lifelib style).

    One short function per line item, each computed once, on first use, from the lines it names. Values are
    arrays over :data:`YEARS`, or (draws, years) when the numeric assumptions hold (draws, 1) arrays (Monte
    Carlo). Units in each docstring.
    """

    def __init__(self, a: AssumptionsParams, racks: Floats | None, with_companies: bool = True) -> None:
        self.a = a  # plain frozen parameters (cpo_xl.engine.params), possibly holding draw arrays
        self._racks = racks
        self._with_companies = with_companies

    # demand: accelerators within their envelopes
    @cached_property
    def racks(self) -> Floats:
        """NVIDIA rack-scale systems shipped [NVL72-eq racks/yr] = the scenario's rack forecast, or the racks typed
        for the year."""
        return self.rack_forecast if self._racks is None else self._racks

    @cached_property
    def racks_demand(self) -> Floats:
        """NVIDIA rack-scale demand before the envelopes [NVL72-eq racks/yr] = reported 2023-2026, then x (1 + growth)
        a year, growth fading from its 2027 rate toward the terminal rate."""
        return dm.nvidia_driver(self.a.racks)

    @cached_property
    def rack_caps(self) -> Mapping[str, Floats]:
        """Each envelope's cap on NVIDIA racks [NVL72-eq racks/yr].

        - power: Envelope: racks the data-centre power added allows [NVL72-eq racks/yr] = AI IT power x NVIDIA
          share / MW per rack.
        - cowos: Envelope: racks CoWoS-class capacity allows [NVL72-eq racks/yr] = NVIDIA GPU CoWoS wafers x rack
          share of them / wafers per NVL72-eq.
        - spend: Envelope: racks NVIDIA data-centre revenue pays for [NVL72-eq racks/yr] = NVIDIA data-centre
          revenue x rack-scale share / revenue per rack.
        """
        return ev.rack_caps(self.a.envelopes, power=self.ai_power_gw, revenue=self.dc_revenue)

    @cached_property
    def rack_forecast(self) -> Floats:
        """NVIDIA rack forecast [NVL72-eq racks/yr] = min(demand, every envelope), typed racks aside."""
        return ev.capped_value(self.racks_demand, self.rack_caps)

    @cached_property
    def rack_binding(self) -> Floats:
        """Rack forecast set by: 0 demand, 1 power, 2 CoWoS, 3 spend [code]."""
        return ev.capped(self.racks_demand, self.rack_caps)[1]

    @cached_property
    def packages(self) -> Floats:
        """NVIDIA GPU packages shipped [packages/yr] = racks x GPU packages per NVL72-equivalent (72)."""
        return self.racks * self.a.demand.nvl72_packages_per_rack

    @cached_property
    def asic_demand(self) -> Floats:
        """Custom-ASIC demand before the power envelope [accelerators/yr] = reported 2025-2026, then fading
        growth."""
        return dm.asic_driver(self.a.accelerators)

    @cached_property
    def asic_cap(self) -> Floats:
        """Envelope: ASICs the data-centre power allows [accelerators/yr] = AI IT power x ASIC share of it / kW
        per ASIC."""
        return ev.asic_power_cap(self.a.envelopes, power=self.ai_power_gw)

    @cached_property
    def asics(self) -> Floats:
        """Custom-ASIC accelerators shipped [accelerators/yr] = min(demand, power envelope)."""
        return np.minimum(self.asic_demand, self.asic_cap)

    @cached_property
    def ai_power_gw(self) -> Floats:
        """AI accelerator IT power the data centres can take [GW/yr]."""
        return ev.ai_it_power_gw(self.a.envelopes)

    @cached_property
    def rack_power_gw(self) -> Floats:
        """IT power of the NVIDIA racks [GW/yr] = racks shipped x MW per rack / 1,000."""
        return ev.rack_power_gw(self.racks, self.a.envelopes)

    @cached_property
    def cowos_wafers(self) -> Floats:
        """CoWoS-class wafers [wafers/yr]."""
        return ev.cowos_wafers(self.a.envelopes)

    @cached_property
    def dc_revenue(self) -> Floats:
        """NVIDIA data-centre revenue [US$ bn/yr]."""
        return ev.dc_revenue_usd_bn(self.a.envelopes)

    @cached_property
    def nvidia_revenue(self) -> Floats:
        """NVIDIA total revenue [US$ M/yr] = data-centre revenue / data centre's share of revenue: the one NVIDIA
        line the spend envelope and the company block share."""
        return ev.nvidia_revenue_usd_m(self.a.envelopes, revenue=self.dc_revenue)

    @cached_property
    def revenue_per_rack(self) -> Floats:
        """NVIDIA revenue per NVL72-equivalent [US$ M] = generation mix (GB300 / VR200 / Kyber-class) x price."""
        return ev.revenue_per_rack_usd_m(self.a.envelopes)

    @cached_property
    def rack_spend(self) -> Floats:
        """Implied spend on NVIDIA rack-scale systems [US$ bn/yr] = racks x revenue per rack."""
        return self.racks * self.revenue_per_rack / 1000.0

    @cached_property
    def spend_ratio(self) -> Floats:
        """Rack spend / (data-centre revenue x rack-scale share) [x]: 1 where the spend envelope binds, below
        where power, CoWoS or demand does; reconciled within the stated band."""
        rack_revenue = self.dc_revenue * ev.rack_scale_share(self.a.envelopes)
        return np.divide(self.rack_spend, rack_revenue, out=np.zeros_like(self.rack_spend), where=rack_revenue > 0)

    @cached_property
    def nvidia_cowos_wafers(self) -> Floats:
        """NVIDIA GPU CoWoS wafers that feed the year's shipments [wafers/yr] = CoWoS-class wafers x (1 - OSAT
        CoWoS-like share) x NVIDIA's share of TSMC CoWoS, (1 - lead) of this year's and lead of last year's."""
        return ev.cowos_wafers_available(self.a.envelopes)

    @cached_property
    def packages_per_wafer(self) -> Floats:
        """NVIDIA GPU packages per CoWoS wafer, by the year's generation mix [packages/wafer] = 72 / wafers per
        NVL72-equivalent (Blackwell ~14, Rubin ~9, Kyber-class ~4.5 per NVL72-eq package)."""
        return ev.PACKAGES_PER_RACK / ev.wafers_per_rack(self.a.envelopes)

    @cached_property
    def cowos_packages(self) -> Floats:
        """NVIDIA GPU packages its CoWoS allocation makes [packages/yr] = NVIDIA GPU wafers x packages per wafer."""
        return self.nvidia_cowos_wafers * self.packages_per_wafer

    @cached_property
    def non_rack_packages(self) -> Floats:
        """NVIDIA GPU packages outside NVL72-eq racks [packages/yr] (HGX boards, Hopper and China parts) = rack
        packages x (1 / rack share of NVIDIA's GPU wafers - 1)."""
        return self.packages * (1.0 / ev.rack_share_of_wafers(self.a.envelopes) - 1.0)

    @cached_property
    def cowos_use(self) -> Floats:
        """NVIDIA GPU packages used / the packages its CoWoS allocation makes [fraction] = (racks x 72 + non-rack
        packages) / (NVIDIA GPU wafers x packages per wafer): at most 1 (the CoWoS envelope), within the stated
        band (crosscheck.cowos_band)."""
        used = self.packages + self.non_rack_packages
        cap = self.cowos_packages
        return np.divide(used, cap, out=np.zeros_like(used), where=cap > 0)

    @cached_property
    def tiers(self) -> Floats:
        """Scale-out switch tiers for the year's cluster size [tiers]."""
        return dm.cluster_tiers(dm.cluster_size(self.a.demand), self.a.demand.switch_radix)

    @cached_property
    def addressable(self) -> Mapping[str, dm.Segment]:
        """Addressable demand by segment [Gb/s per yr, 800G-eq ports/yr, engines/yr]: scale-out = (GPU packages x NIC
        ports x port speed + ASICs x ASIC scale-out Gb/s) x (2 x switch tiers - 1); scale-up = packages x engines
        per package x engine Gb/s from the optical scale-up year + custom-XPU optical scale-up Gb/s from its own
        first year; NIC = packages x NIC engines x engine Gb/s from
        the CPO NIC year; engines = Gb/s / engine size, ports = Gb/s / 800G.

        - scale_out.ports: Scale-out addressable ports [800G-eq ports/yr] = scale-out Gb/s / 800G.
        - scale_out.engines: Scale-out addressable engines [engines/yr] = scale-out Gb/s / engine size.
        - scale_up.ports: Scale-up addressable ports [800G-eq ports/yr] = scale-up Gb/s / 800G.
        - scale_up.engines: Scale-up addressable engines [engines/yr] = scale-up Gb/s / engine size.
        - nic.ports: NIC addressable ports [800G-eq ports/yr] = NIC Gb/s / 800G.
        - nic.engines: NIC addressable engines [engines/yr] = NIC Gb/s / engine size.
        """
        return dm.addressable(self.packages, self.asics, self.a.demand, self.a.accelerators)

    @cached_property
    def xpu_scale_up_gbps(self) -> Floats:
        """Custom-XPU optical scale-up addressable [Gb/s per yr] = custom-ASIC accelerators x share of XPUs with
        optical scale-up designed in x optical scale-up Gb/s per XPU, from the XPU optical scale-up year; part of
        the scale-up segment (its curve, its supply share)."""
        return dm.xpu_scale_up_gbps(self.asics, self.a.demand)

    @cached_property
    def merchant_switches(self) -> Floats:
        """Merchant 102.4T-class switches the ASIC clusters need [switches/yr]."""
        _, asic = dm.scale_out_gbps(self.packages, self.asics, self.a.demand, self.a.accelerators)
        return asic / (self.a.demand.merchant_switch_tbps * 1000.0)

    # penetration and supply
    @cached_property
    def product_switches(self) -> Floats:
        """CPO switches the disclosed product ramps ship [102.4T-eq switches/yr] = the 2025-2027 inputs, the 2027
        level held after."""
        return sp.product_switches(self.a.supply)

    @cached_property
    def product_share(self) -> Floats:
        """Scale-out share the product ramps take [0-1] = product switches x 102.4 Tb/s / addressable scale-out
        Gb/s (at most 1)."""
        gbps = self.addressable["scale_out"].gbps
        return np.minimum(np.divide(sp.product_gbps(self.a.supply), gbps, out=np.zeros_like(gbps), where=gbps > 0),
                          1.0)

    @cached_property
    def curve_share(self) -> Mapping[str, Floats]:
        """Demand curve by segment [share]: share of addressable ports before the supply cap = the segment's curve
        (logistic L / (1 + exp(-k (t - t0))), or Gompertz, Bass, linear) in the year; scale-out at least the
        product ramps' share.

        - scale_out: Scale-out demand curve [share] = the scale-out curve in the year, at least the product
          ramps' share.
        - scale_up: Scale-up demand curve [share] = the scale-up curve in the year.
        - nic: NIC demand curve [share] = the NIC curve in the year.
        """
        shares = {s: segment_share(getattr(self.a.penetration, s), YEAR_ARRAY) for s in SEGMENTS}
        shares["scale_out"] = np.maximum(shares["scale_out"], self.product_share)
        return shares

    @cached_property
    def product_binds(self) -> Floats:
        """1 where the product ramps, not the adoption curve, set scale-out CPO demand [flag]."""
        curve = segment_share(self.a.penetration.scale_out, YEAR_ARRAY)
        return np.asarray(self.product_share > curve, dtype=float)

    @cached_property
    def cpo_switches(self) -> Floats:
        """Scale-out CPO shipped in switches [102.4T-eq switches/yr] = effective scale-out share x addressable
        scale-out Gb/s / 102,400."""
        return self.effective_share["scale_out"] * self.addressable["scale_out"].gbps / sp.SWITCH_GBPS

    @cached_property
    def demand_gbps(self) -> Floats:
        """CPO bandwidth the demand curves ask for [Gb/s per yr] = sum over segments of curve share x addressable
        Gb/s."""
        return np.asarray(sum(self.curve_share[s] * self.addressable[s].gbps for s in SEGMENTS), dtype=float)

    @cached_property
    def demand_tbps(self) -> Floats:
        """CPO bandwidth the demand curves ask for [Tb/s per yr]."""
        return self.demand_gbps / 1000.0

    @cached_property
    def starts(self) -> Floats:
        """Engine starts capacity [3.2T-eq starts/yr] = max(last year, min(demand / (utilisation x good fraction),
        last year x (1 + max ramp), PIC wafers left to CPO x engines per wafer)); 2025 anchored, backcast before."""
        return sp.engine_starts(self.demand_gbps / sp.REFERENCE_ENGINE_GBPS, self.a.supply, good=self._good_fraction)

    @cached_property
    def wafers(self) -> Floats:
        """PIC wafers the CPO starts use [wafers/yr]."""
        return self.starts / self.a.supply.engines_per_wafer

    @cached_property
    def sip_wafers(self) -> Floats:
        """Silicon-photonics PIC wafers, all uses (pluggables too) [wafers/yr]."""
        return sp.sip_wafers(self.a.supply)

    @cached_property
    def yield_3d(self) -> Floats:
        """3D (EIC-on-PIC) packaging yield [fraction]."""
        return sp.yields(self.a.supply)[0]

    @cached_property
    def yield_assembly(self) -> Floats:
        """Assembly + fibre coupling yield [fraction]."""
        return sp.yields(self.a.supply)[1]

    @cached_property
    def _good_fraction(self) -> Floats:
        """Good engines per start [fraction] = 3D yield x assembly yield x test yield (yields on learning curves
        toward their caps)."""
        return sp.good_fraction(self.a.supply)

    @cached_property
    def capacity(self) -> Floats:
        """Engine capacity [3.2T-eq engines/yr]: good engines the supply chain can deliver = starts x 3D yield x
        assembly yield x test yield (yields on learning curves toward their caps)."""
        return self.starts * self._good_fraction

    @cached_property
    def capacity_gbps(self) -> Floats:
        """Capacity in bandwidth [Gb/s per yr] = capacity x 3,200 Gb/s."""
        return self.capacity * sp.REFERENCE_ENGINE_GBPS

    @cached_property
    def capacity_ports(self) -> Floats:
        """Capacity in ports [800G-eq ports/yr] = capacity x 3.2T / 800G."""
        return self.capacity * (sp.REFERENCE_ENGINE_GBPS / dm.PORT_GBPS)

    @cached_property
    def addressable_gbps(self) -> Floats:
        """Addressable bandwidth of all segments [Gb/s per yr]."""
        return np.asarray(sum(self.addressable[s].gbps for s in SEGMENTS))

    @cached_property
    def capacity_share(self) -> Floats:
        """Capacity as a share of the addressable bandwidth [share]."""
        return sp.capacity_share(self.capacity_gbps, self.addressable_gbps)

    @cached_property
    def _rationed(self) -> tuple[dict[str, Floats], Floats]:
        return sp.ration(dict(self.curve_share), {s: self.addressable[s].gbps for s in SEGMENTS}, self.capacity_gbps)

    @cached_property
    def effective_share(self) -> Mapping[str, Floats]:
        """Effective CPO share by segment after the supply cap [share] = curve share x min(1, capacity / demand)
        (capacity rationed pro rata by bandwidth); 0 where the segment has nothing addressable (no optical
        scale-up before its first year: nothing ships, so no penetration is shown).

        - scale_out: Scale-out effective penetration [share] = scale-out curve share x min(1, capacity / demand).
        - scale_up: Scale-up effective penetration [share] = scale-up curve share x min(1, capacity / demand); 0
          before the optical scale-up year.
        - nic: NIC effective penetration [share] = NIC curve share x min(1, capacity / demand).
        """
        return {s: np.where(self.addressable[s].gbps > 0, share, 0.0) for s, share in self._rationed[0].items()}

    @cached_property
    def binding(self) -> Floats:
        """Supply binds [flag] = 1 where supply binds, 0 where demand does."""
        return self._rationed[1]

    def penetration(self, segment: str, basis: str = "effective") -> Floats:
        """Share [0-1] of a segment's addressable ports, or 'all' weighted by bandwidth (800G-eq ports).

        basis 'effective' (after the supply cap) or 'demand' (the adoption curve alone).
        """
        shares = self.effective_share if basis == "effective" else self.curve_share
        if segment == "all":
            total = sum(self.addressable[s].ports for s in SEGMENTS)
            shipped = sum(shares[s] * self.addressable[s].ports for s in SEGMENTS)
            return np.where(total > 0, shipped / np.where(total > 0, total, 1.0), 0.0)
        return shares[segment]

    @cached_property
    def effective_all(self) -> Floats:
        """All segments effective penetration [share] = effective CPO share of all addressable ports,
        bandwidth-weighted."""
        return self.penetration("all")

    @cached_property
    def curve_all(self) -> Floats:
        """All segments demand curve [share] = demand curve share of all addressable ports, bandwidth-weighted."""
        return self.penetration("all", "demand")

    def _shipped(self, quantity: str) -> Floats:
        """A quantity shipped over all segments: effective share x addressable [per yr]."""
        return np.asarray(sum(self.effective_share[s] * getattr(self.addressable[s], quantity) for s in SEGMENTS))

    @cached_property
    def ports(self) -> Floats:
        """CPO ports shipped [800G-eq ports/yr] = sum over segments of effective share x addressable ports."""
        return self._shipped("ports")

    @cached_property
    def engines(self) -> Floats:
        """CPO optical engines shipped [engines/yr] = sum over segments of effective share x addressable engines."""
        return self._shipped("engines")

    @cached_property
    def lasers(self) -> Floats:
        """External lasers shipped [lasers/yr] = sum over segments of effective share x addressable Gb/s / 800 Gb/s
        per CW laser."""
        return self._shipped("lasers")

    @cached_property
    def gbps(self) -> Floats:
        """CPO bandwidth shipped [Gb/s per yr] = sum over segments of effective share x addressable Gb/s."""
        return self._shipped("gbps")

    @cached_property
    def xpu_scale_up_shipped(self) -> Floats:
        """Custom-XPU optical scale-up shipped [Gb/s per yr] = scale-up effective share x custom-XPU optical
        scale-up addressable Gb/s."""
        return self.effective_share["scale_up"] * self.xpu_scale_up_gbps

    # prices and TAM
    @cached_property
    def pluggable_price(self) -> Floats:
        """Pluggable transceiver price [US$/(Gb/s)]."""
        return tm.pluggable_price(self.a.pricing)

    @cached_property
    def cpo_price(self) -> Floats:
        """All-in CPO price [US$/(Gb/s)] = engine + external laser + fibre."""
        return tm.cpo_all_in_price(self.a.pricing)

    @cached_property
    def cpo_to_pluggable(self) -> Floats:
        """All-in CPO price / pluggable price [x] (the sourced discount puts it near 0.6)."""
        return tm.cpo_to_pluggable(self.a.pricing)

    @cached_property
    def discount_gap(self) -> Floats:
        """How far the CPO/pluggable ratio sits outside 1 - discount +/- band [x]; 0 inside."""
        target = 1.0 - self.a.pricing.cpo_discount
        return np.maximum(np.abs(self.cpo_to_pluggable - target) - self.a.pricing.discount_band, 0.0)

    @cached_property
    def engine_price(self) -> Floats:
        """CPO optical engine price [US$/(Gb/s)] = 2026 price x optics price index (erosion fading from its 2027
        rate toward the terminal rate)."""
        return tm.engine_price(self.a.pricing)

    @cached_property
    def engine_value(self) -> Floats:
        """Optical engine value shipped [US$ M/yr] = CPO Gb/s shipped x engine price."""
        return tm.engine_value(self.gbps, self.engine_price)

    @cached_property
    def definers_tam(self) -> Floats:
        """Definers layer TAM [US$ M/yr] = engine value x the definers' share of the engine value."""
        return tm.engine_split(self.engine_value, self.a.pricing)[0]

    @cached_property
    def foundry_tam(self) -> Floats:
        """Foundry & packaging layer TAM [US$ M/yr] = engine value x foundry's share of the engine value."""
        return tm.engine_split(self.engine_value, self.a.pricing)[1]

    @cached_property
    def lasers_tam(self) -> Floats:
        """Lasers layer TAM [US$ M/yr] = external lasers shipped x laser price (2026 price eroding yearly)."""
        return tm.lasers_layer(self.lasers, self.a.pricing)

    @cached_property
    def fiber_tam(self) -> Floats:
        """Fiber & connectivity layer TAM [US$ M/yr] = CPO Gb/s shipped x fibre content price per Gb/s (2026
        price eroding yearly)."""
        return tm.fiber_layer(self.gbps, self.a.pricing)

    @cached_property
    def equipment_tam(self) -> Floats:
        """Equipment layer TAM [US$ M/yr] = engine starts capacity added x (coupling tool price / throughput +
        test cell price / throughput)."""
        return tm.equipment_layer(self.starts, self.a.equipment)

    @cached_property
    def xpu_scale_up_definers(self) -> Floats:
        """Definers' custom-XPU optical scale-up value [US$ M/yr] = custom-XPU scale-up Gb/s shipped x engine price
        x the definers' share of the engine value (inside the definers layer; shared by the definers' custom-XPU
        scale-up shares)."""
        return tm.engine_split(tm.engine_value(self.xpu_scale_up_shipped, self.engine_price), self.a.pricing)[0]

    @cached_property
    def xpu_scale_up_optics(self) -> Floats:
        """Custom-XPU optical scale-up optics [US$ M/yr] = custom-XPU scale-up Gb/s shipped x all-in CPO price
        (engine + laser + fibre; inside the CPO optics line)."""
        return self.xpu_scale_up_shipped * self.cpo_price / tm.USD_PER_MUSD

    @cached_property
    def layers(self) -> Mapping[str, Floats]:
        """TAM by value-chain layer [US$ M/yr]."""
        return {layer: getattr(self, line) for layer, line in LAYER_LINES.items()}

    @cached_property
    def tam(self) -> Floats:
        """CPO TAM [US$ M/yr] = sum of the layers."""
        return np.asarray(sum(self.layers.values()))

    @cached_property
    def optics(self) -> Floats:
        """CPO optics revenue [US$ M/yr] = engines + lasers + fibre (all layers but equipment)."""
        return np.asarray(sum(self.layers[name] for name in LAYERS if name != "equipment"))

    @cached_property
    def pluggable_gbps(self) -> Floats:
        """Optical bandwidth CPO does not take [Gb/s per yr] = scale-out switch ports left + NIC-side ports left
        (packages x NIC ports x port speed, less CPO NICs). Scale-up links CPO does not take are not counted:
        before and beside the optical generation NVLink is copper (issue 22: counting all of them as pluggables
        from the first optical year made the AI-optics total jump in 2028 and fall in 2029)."""
        share, seg = self.effective_share, self.addressable
        out = np.maximum(seg["scale_out"].gbps * (1.0 - share["scale_out"]), 0.0)
        nic_side = dm.nic_side_gbps(self.packages, self.a.demand)
        return out + np.maximum(nic_side - share["nic"] * seg["nic"].gbps, 0.0)

    @cached_property
    def ai_optics(self) -> Floats:
        """AI data-centre optics in the model's scope [US$ M/yr] = CPO optics + the optical bandwidth CPO does
        not take at the pluggable price (pluggables, LPO and NPO together)."""
        return self.optics + self.pluggable_gbps * self.pluggable_price / tm.USD_PER_MUSD

    @cached_property
    def cpo_share_of_optics(self) -> Floats:
        """CPO's share of AI data-centre optics in the model's scope [fraction]."""
        return np.divide(self.optics, self.ai_optics, out=np.zeros_like(self.optics), where=self.ai_optics > 0)

    # companies
    @cached_property
    def displaced(self) -> Mapping[str, Floats]:
        """Legacy markets CPO displaces [US$ M/yr]: pluggables (scale-out, NIC, and the scale-up links that would
        be optical anyway), copper (the scale-up share that would otherwise be copper)."""
        share, seg, copper = self.effective_share, self.addressable, self.a.pricing.copper_displaced_fraction
        up = share["scale_up"] * seg["scale_up"].gbps
        pluggable_gbps = share["scale_out"] * seg["scale_out"].gbps + share["nic"] * seg["nic"].gbps
        return {"none": np.zeros_like(up),
                "pluggables": tm.displaced_pluggables(pluggable_gbps + up * (1.0 - copper), self.a.pricing),
                "copper": tm.displaced_copper(up * copper, self.a.pricing)}

    @cached_property
    def companies(self) -> Mapping[str, CompanyLines]:
        """Each company's lines (see :class:`CompanyLines`); empty when the run skips companies."""
        if not self._with_companies:
            return {}
        return {ticker: company_lines(company, self.layers[company.layer], self.displaced[company.displaces],
                                      self.nvidia_revenue, self._xpu_part(company.layer))
                for ticker, company in self.a.companies.items()}

    def _xpu_part(self, layer: str) -> Floats | None:
        """The custom-XPU scale-up value inside a layer [US$ M/yr]: the definers' (None for other layers)."""
        return self.xpu_scale_up_definers if layer == "definers" else None


def company_lines(company: CompanyParams, layer_tam: Floats, displaced: Floats,
                  nvidia: Floats | None = None, xpu: Floats | None = None) -> CompanyLines:
    """One company's lines from its layer's TAM and the legacy market CPO displaces [US$ M/yr]; ``nvidia`` is
    the model's NVIDIA revenue line [US$ M/yr], the total revenue of the company that uses it; ``xpu`` the
    custom-XPU scale-up value inside the layer [US$ M/yr] (definers)."""
    revenue = co.cpo_revenue(company, layer_tam, xpu=xpu)
    total = co.total_revenue(company, revenue, nvidia=nvidia)
    lost = co.displaced_revenue(displaced, company)
    exposure = co.exposure(revenue, total)
    return CompanyLines(share=co.layer_share(company), total_revenue=total, cpo_revenue=revenue, displaced=lost,
                        exposure=exposure, net_exposure=co.net_exposure(revenue, lost, total),
                        ebit_elasticity=co.ebit_elasticity(exposure, company))


def exposures_in_year(result: ModelResult, column: int) -> dict[str, Floats]:
    """Each company's exposure [fraction] in one year (``column`` of the timeline), computed on that column
    only: the same functions as :func:`company_lines`, 13x less work for Monte Carlo, which keeps one year."""
    years = YEAR_ARRAY[column:column + 1]
    out = {}
    for ticker, company in result.a.companies.items():
        xpu = result._xpu_part(company.layer)
        revenue = co.cpo_revenue(company, np.asarray(result.layers[company.layer])[..., column:column + 1], years,
                                 None if xpu is None else np.asarray(xpu)[..., column:column + 1])
        nvidia = np.asarray(result.nvidia_revenue)[..., column:column + 1]
        out[ticker] = co.exposure(revenue, co.total_revenue(company, revenue, years, nvidia))[..., 0]
    return out


def exposure_order(result: ModelResult, column: int) -> list[str]:
    """Tickers ranked by CPO exposure [fraction] in one year (``column`` of the timeline), highest first; ties
    by CPO revenue [US$ M/yr], highest first; companies with no exposure (no revenue on file) last, by CPO
    revenue too. The one ranking every table, the Elasticity sheet and the Monte Carlo output use."""
    def key(ticker: str) -> tuple[bool, float, float]:
        lines = result.companies[ticker]
        exposure, revenue = float(lines.exposure[column]), float(lines.cpo_revenue[column])
        return np.isnan(exposure), -np.nan_to_num(exposure), -np.nan_to_num(revenue, nan=-np.inf)
    return sorted(result.companies, key=key)


def net_exposure_order(result: ModelResult, column: int) -> list[str]:
    """Tickers ranked by net CPO exposure [fraction] in one year (``column``), highest first; ties by gross
    exposure, then as :func:`exposure_order`; no net exposure (no revenue on file) last. The one net ranking
    the command line and the Summary's cannibalised list use."""
    gross = {t: i for i, t in enumerate(exposure_order(result, column))}

    def key(ticker: str) -> tuple[bool, float, float, int]:
        lines = result.companies[ticker]
        net, exposure = float(lines.net_exposure[column]), float(lines.exposure[column])
        return np.isnan(net), -np.nan_to_num(net), -np.nan_to_num(exposure, nan=-np.inf), gross[ticker]
    return sorted(result.companies, key=key)


def check_year(year: object, argument: str = "year") -> int:
    """A whole year inside the horizon, else CpoError naming the argument."""
    if isinstance(year, bool) or not isinstance(year, int | float) or (isinstance(year, float)
                                                                       and not np.isfinite(year)):
        raise CpoError(f"{argument} {year!r} is not a year; allowed: a whole number {FIRST_YEAR}-{LAST_YEAR}")
    if isinstance(year, float) and not year.is_integer():  # ints are whole, however large
        raise CpoError(f"{argument} {year!r} is not a whole year; allowed: {FIRST_YEAR}-{LAST_YEAR}")
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise CpoError(f"{argument} {int(year)} is outside the model horizon {FIRST_YEAR}-{LAST_YEAR}")
    return int(year)


def rack_forecast(a: AssumptionsParams) -> Floats:
    """The scenario's NVIDIA rack forecast [NVL72-eq racks/yr] = min(demand, every envelope)."""
    return ev.capped_value(dm.nvidia_driver(a.racks), ev.rack_caps(a.envelopes))


def rack_series(assumptions: Assumptions, given: Mapping[int, float] | None = None) -> Racks:
    """The rack forecast [NVL72-eq racks/yr] with the given years replaced (racks must be >= 0)."""
    series = list(rack_forecast(assumptions))
    for year, racks in (given or {}).items():
        if not np.isfinite(racks) or racks < 0:
            raise CpoError(f"rack_units {racks!r} for {year} is not allowed; allowed: a number >= 0")
        series[check_year(year, "rack_units year") - FIRST_YEAR] = float(racks)
    return tuple(series)


@lru_cache(maxsize=1024)
def compute(assumptions: Assumptions, racks: Racks) -> ModelResult:
    """The model for one validated assumption set and one rack series [racks/yr per year], cached."""
    if not isinstance(assumptions, Assumptions):
        raise CpoError("a parameter set (e.g. with draw arrays) cannot be cached: only a validated assumption set")
    return run(to_params(assumptions), np.asarray(racks, dtype=float))


def run(a: AssumptionsParams, rack_arr: Floats | None, with_companies: bool = True) -> ModelResult:
    """The model, uncached. Broadcasts over draws: numeric assumptions may be (draws, 1) arrays (Monte Carlo),
    racks (years,) or (draws, years); every line is then (draws, years). ``rack_arr`` None: racks follow the
    run's own rack forecast line (:func:`rack_forecast` of ``a``, computed from the lines the run shares)."""
    return ModelResult(a, rack_arr, with_companies)
