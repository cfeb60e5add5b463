"""The validated, frozen assumption set (pydantic v2). The only module that knows pydantic.

Every field states its unit and bounds. Values come from ``cpo_xl/data/*.toml`` via :mod:`cpo_xl.sources`;
this module only validates them and turns pydantic's complaints into :class:`CpoError` messages that name the
field, the bad value and the bound.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cpo_xl.engine.errors import CpoError

LAYERS: tuple[str, ...] = ("definers", "foundry_packaging", "lasers", "fiber_connectivity", "equipment")
SEGMENTS: tuple[str, ...] = ("scale_out", "scale_up", "nic")
CURVE_MODELS: tuple[str, ...] = ("logistic", "gompertz", "bass", "linear")
Layer = Literal["definers", "foundry_packaging", "lasers", "fiber_connectivity", "equipment"]
CurveModel = Literal["logistic", "gompertz", "bass", "linear"]

Share = Field(ge=0.0, le=1.0)
Growth = Field(ge=-0.9, le=5.0)
Year = Field(ge=2000, le=2060)
Count = Field(ge=0.0, le=1e9)
Positive = Field(gt=0.0, le=1e9)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class Racks(_Frozen):
    """NVIDIA rack-scale systems in NVL72-equivalents (72 GPU packages) [racks/yr]: reported anchors, then a
    growth rate [1/yr] that fades from its 2027 value toward a terminal rate (multiplier ``fade`` per year)."""

    cy2023: float = Count
    cy2024: float = Count
    cy2025: float = Count
    cy2026: float = Count
    growth_2027: float = Growth
    growth_terminal: float = Growth
    growth_fade: float = Share


class Accelerators(_Frozen):
    """Custom-ASIC accelerators (TPU, Trainium, MTIA, ...) [units/yr]: anchors, then fading growth [1/yr]."""

    asic_2025: float = Count
    asic_2026: float = Count
    asic_growth_2027: float = Growth
    asic_growth_terminal: float = Growth
    asic_growth_fade: float = Share
    asic_scale_out_gbps_2025: float = Field(gt=0, le=1e5)
    asic_scale_out_doubling_years: float = Field(gt=0, le=20)


class Envelopes(_Frozen):
    """Physical and financial limits the demand side may not break: data-centre power added [GW/yr], CoWoS
    wafers [wafers/yr], NVIDIA data-centre revenue [US$ bn/yr], and how they convert to racks and ASICs."""

    dc_additions_gw_2026: float = Positive
    dc_additions_growth: float = Growth
    ai_share_of_additions: float = Share
    replacement_share: float = Field(ge=0.0, le=2.0)
    pue: float = Field(ge=1.0, le=3.0)
    nvidia_share_of_ai_power: float = Share
    asic_share_of_ai_power: float = Share
    rack_mw_2025: float = Positive
    rack_mw_2028: float = Positive
    rack_mw_2030: float = Positive
    asic_kw_2025: float = Positive
    asic_kw_2030: float = Positive
    cowos_wafers_2024: float = Positive
    cowos_wafers_2025: float = Positive
    cowos_wafers_2026: float = Positive
    cowos_growth: float = Growth
    nvidia_share_of_cowos_2025: float = Share
    nvidia_share_of_cowos: float = Share
    cowos_like_share: float = Share
    cowos_lead_years: float = Share
    packages_per_wafer_blackwell: float = Positive
    packages_per_wafer_rubin: float = Positive
    packages_per_wafer_kyber: float = Positive
    rack_share_of_nvidia_wafers_2025: float = Field(gt=0.0, le=1.0)
    rack_share_of_nvidia_wafers: float = Field(gt=0.0, le=1.0)
    dc_revenue_usd_bn_2023: float = Positive
    dc_revenue_usd_bn_2024: float = Positive
    dc_revenue_usd_bn_2025: float = Positive
    dc_revenue_growth_2026: float = Growth
    dc_revenue_growth_terminal: float = Growth
    dc_revenue_growth_fade: float = Share
    rack_scale_share_of_dc_revenue: float = Share
    rack_scale_share_2025: float = Share
    dc_share_of_nvidia_revenue: float = Field(gt=0.0, le=1.0)
    revenue_per_rack_gb300_usd_m: float = Positive
    revenue_per_rack_vr200_usd_m: float = Positive
    revenue_per_rack_kyber_usd_m: float = Positive
    vr200_share_2026: float = Share
    vr200_share_2027: float = Share
    kyber_share_2027: float = Share
    kyber_share_2028: float = Share
    revenue_per_rack_growth: float = Growth

    @model_validator(mode="after")
    def _mix_at_most_one(self) -> Envelopes:
        total = self.vr200_share_2027 + self.kyber_share_2027
        if total > 1.0 + 1e-9:
            raise ValueError(f"envelopes.vr200_share_2027 + envelopes.kyber_share_2027 = {total:g}, above the "
                             "maximum 1")
        return self


class Demand(_Frozen):
    """Network structure: ports and engines per GPU package, cluster size and switch radix, engine sizes."""

    nvl72_packages_per_rack: float = Positive
    nic_ports_per_package: float = Count
    port_gbps_2025: float = Field(gt=0, le=1e5)
    port_1600_year: int = Year
    port_3200_year: int = Year
    cluster_gpus_2026: float = Positive
    cluster_growth: float = Growth
    switch_radix: float = Field(ge=4, le=4096)
    scale_out_engine_gbps: float = Field(gt=0, le=1e5)
    engine_3200_year: int = Year
    engine_6400_year: int = Year
    optical_scale_up_year: int = Year
    scale_up_engines_per_package: float = Count
    scale_up_engine_gbps: float = Field(gt=0, le=1e5)
    xpu_optical_scale_up_year: int = Year
    xpu_optical_share: float = Share
    xpu_scale_up_gbps: float = Field(ge=0, le=1e6)
    nic_cpo_year: int = Year
    nic_engines_per_package: float = Count
    nic_engine_gbps: float = Field(gt=0, le=1e5)
    merchant_switch_tbps: float = Positive


class Curve(_Frozen):
    """One segment's penetration curve: share of addressable ports [0-1] by year."""

    model: CurveModel
    ceiling: float = Share
    rate: float = Field(gt=0.0, le=20.0)
    midpoint: float = Year
    innovation: float = Field(gt=0.0, le=1.0)
    ramp_years: float = Field(gt=0.0, le=40.0)


class Penetration(_Frozen):
    scale_out: Curve
    scale_up: Curve
    nic: Curve


class Supply(_Frozen):
    """CPO engine capacity [3.2T-eq engine starts/yr] added toward demand at a target utilisation, no faster
    than a ramp limit [1/yr]; yields [fraction] on a learning curve; PIC wafers and their share of the
    silicon-photonics wafer capacity that pluggables share. The near years rest on the disclosed product ramps:
    CPO switches shipped [102.4T-eq switches/yr] in 2025-2027 (Quantum-X / Spectrum-X Photonics, TH6-Davisson)
    are a floor under scale-out CPO bandwidth, and capacity is built for them."""

    starts_2025: float = Count
    cpo_switches_2025: float = Count
    cpo_switches_2026: float = Count
    cpo_switches_2027: float = Count
    max_ramp: float = Field(ge=0.0, le=20.0)
    target_utilisation: float = Field(gt=0.0, le=1.0)
    engines_per_wafer: float = Positive
    sip_wafers_2026: float = Positive
    sip_wafer_growth: float = Growth
    cpo_share_of_sip_wafers: float = Share
    yield_3d_2026: float = Share
    yield_3d_cap: float = Share
    yield_assembly_2026: float = Share
    yield_assembly_cap: float = Share
    yield_learning: float = Share
    test_yield: float = Share


class Pricing(_Frozen):
    """Prices [US$/(Gb/s), US$/laser], erosion that fades [1/yr], the engine value split [fraction].

    Pluggable and CPO components are priced separately; their ratio is checked against the sourced CPO
    discount (no hard floor: erosion fades from its 2027 rate toward a terminal rate)."""

    pluggable_usd_per_gbps_2026: float = Field(gt=0.0, le=100.0)
    erosion_2027: float = Field(ge=0.0, lt=1.0)
    erosion_terminal: float = Field(ge=0.0, lt=1.0)
    erosion_fade: float = Share
    engine_usd_per_gbps_2026: float = Field(gt=0.0, le=100.0)
    laser_usd_2026: float = Field(ge=0.0, le=1e5)
    laser_erosion: float = Field(ge=0.0, lt=1.0)
    fiber_usd_per_gbps_2026: float = Field(ge=0.0, le=100.0)
    fiber_erosion: float = Field(ge=0.0, lt=1.0)
    cpo_discount: float = Field(ge=0.0, le=0.95)
    discount_band: float = Field(ge=0.0, le=0.5)
    copper_usd_per_gbps_2026: float = Field(ge=0.0, le=100.0)
    copper_erosion: float = Field(ge=0.0, lt=1.0)
    copper_displaced_fraction: float = Share
    definers_share_of_engine: float = Share
    foundry_share_of_engine: float = Share

    @model_validator(mode="after")
    def _split_sums_to_one(self) -> Pricing:
        total = self.definers_share_of_engine + self.foundry_share_of_engine
        if abs(total - 1.0) > 1e-9:
            raise ValueError(
                f"pricing.definers_share_of_engine + pricing.foundry_share_of_engine = {total:g}, must equal 1"
            )
        return self


class Equipment(_Frozen):
    """Tool throughput [engines/tool/yr] and price [US$ M/tool]."""

    coupling_engines_per_tool: float = Positive
    coupling_tool_usd_m: float = Count
    test_engines_per_tool: float = Positive
    test_tool_usd_m: float = Count


class CrossCheck(_Frozen):
    """Reconciliation with published forecasts: a same-scope figure passes within [1/band, band] [x]."""

    band: float = Field(ge=1.0, le=100.0)
    spend_band: float = Field(ge=1.0, le=10.0)
    cowos_band: float = Field(ge=1.0, le=10.0)


class Company(_Frozen):
    """A supplier: layer share [fraction], revenue baseline [US$ M], margins [fraction]."""

    name: str = Field(min_length=1, max_length=80)
    layer: Layer
    listed: bool
    fiscal_year_end: str = Field(min_length=3, max_length=3)
    revenue_usd_m: float | None = Field(default=None, gt=0.0, le=1e7)
    revenue_year: int | None = Field(default=None, ge=2015, le=2035)
    ebit_margin: float | None = Field(default=None, ge=-1.0, le=1.0)
    legacy_usd_m: float | None = Field(default=None, ge=0.0, le=1e7)
    legacy_year: int | None = Field(default=None, ge=2015, le=2035)
    growth_driver: str = Field(default="", max_length=300)
    revenue_growth: float = Growth
    incremental_margin: float = Field(ge=-1.0, le=1.0)
    share_2026: float = Share
    share_2030: float = Share
    displaces: Literal["none", "pluggables", "copper"]
    displaced_share: float = Share
    revenue_line: Literal["own", "nvidia"] = "own"  # "nvidia": total revenue is the model's NVIDIA revenue line
    # a definer's share of the definers' custom-XPU optical scale-up value; None: no part of it
    xpu_scale_up_share: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _revenue_has_year(self) -> Company:
        if (self.revenue_usd_m is None) != (self.revenue_year is None):
            raise ValueError("revenue_usd_m and revenue_year must be given together")
        return self


class Assumptions(_Frozen):
    """Every input of the model; hashable by content so results can be cached per assumption set."""

    racks: Racks
    accelerators: Accelerators
    envelopes: Envelopes
    demand: Demand
    penetration: Penetration
    supply: Supply
    pricing: Pricing
    equipment: Equipment
    crosscheck: CrossCheck
    companies: dict[str, Company]

    @model_validator(mode="after")
    def _layer_shares_at_most_one(self) -> Assumptions:
        for layer in LAYERS:
            for field in ("share_2026", "share_2030"):
                total = sum(getattr(c, field) for c in self.companies.values() if c.layer == layer)
                if total > 1.0 + 1e-9:
                    raise ValueError(
                        f"companies in layer {layer}: {field} sums to {total:.4g}, above the maximum 1"
                    )
        # the definers' custom-XPU scale-up value is shared by the XPU shares on file (none: no part of it)
        xpu = sum(c.xpu_scale_up_share or 0.0 for c in self.companies.values() if c.layer == "definers")
        if xpu > 1.0 + 1e-9:
            raise ValueError(f"companies in layer definers: xpu_scale_up_share sums to {xpu:.4g}, above the maximum 1")
        return self

    @cached_property
    def fingerprint(self) -> str:
        """Short content hash [hex] of every value; a copy holding draw arrays (Monte Carlo) has none."""
        try:
            return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]
        except ValueError as exc:  # pydantic cannot serialise numpy arrays: never cache such a copy
            raise CpoError("an assumption set holding draw arrays has no fingerprint and cannot be cached") from exc

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Assumptions) and other.fingerprint == self.fingerprint


def validate(values: dict[str, Any]) -> Assumptions:
    """Nested plain values -> :class:`Assumptions`; any problem -> one :class:`CpoError`."""
    try:
        return Assumptions.model_validate(values)
    except ValidationError as exc:
        key, message = _describe(exc)
        raise CpoError(message, key=key or None) from None


BOUND_WORDS = {"greater_than_equal": ("ge", "is below the minimum"), "less_than_equal": ("le", "is above the maximum"),
               "greater_than": ("gt", "must be greater than"), "less_than": ("lt", "must be less than")}


def _describe(exc: ValidationError) -> tuple[str, str]:
    """(dotted key, 'assumption a.b.c: value is below the minimum 0') for the first error; more are counted."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    key = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    value = first.get("input")
    if first["type"] == "extra_forbidden":
        return key, f"assumption {key}: unknown key{more}"
    if first["type"] == "missing":
        return key, f"assumption {key}: missing{more}"
    if first["type"] in BOUND_WORDS:
        bound, words = BOUND_WORDS[first["type"]]
        return key, f"assumption {key}: {value!r} {words} {first['ctx'][bound]}{more}"
    if key and first["type"] != "value_error":
        return key, f"assumption {key}: {value!r} is not allowed: {message.lower()}{more}"
    return key, f"assumption {key or 'set'}: {message}{more}"


@dataclass(frozen=True)
class Rule:
    """What a dotted key accepts, for a spreadsheet's data validation: ``kind`` is 'decimal', 'integer' or
    'list' (``choices``); bounds are inclusive unless ``low_open`` / ``high_open`` (None: unbounded)."""

    key: str
    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()

    def text(self) -> str:
        """'0 to 1', 'greater than 0, at most 1e+09', 'one of logistic, gompertz': the allowed values in words."""
        if self.kind == "list":
            return "one of " + ", ".join(self.choices)
        whole = " (whole number)" if self.kind == "integer" else ""
        if self.low is not None and self.high is not None and not (self.low_open or self.high_open):
            return f"{self.low:g} to {self.high:g}{whole}"
        parts = []
        if self.low is not None:
            parts.append(f"{'greater than' if self.low_open else 'at least'} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'less than' if self.high_open else 'at most'} {self.high:g}")
        return ", ".join(parts) + whole


def rule(key: str) -> Rule:
    """The type and bounds the schema sets for a dotted key (``companies.AVGO.share_2030`` -> Company)."""
    model: Any = Assumptions
    # a company ticker may itself hold a dot (companies.6857.T.share_2030), as in inputs.key_path
    parts = ["companies", *key.removeprefix("companies.").rsplit(".", 1)] if key.startswith("companies.") \
        else key.split(".")
    info = None
    i = 0
    while i < len(parts):
        fields = model.model_fields
        if parts[i] not in fields:
            raise CpoError(f"assumption {key}: unknown key", key=key)
        info = fields[parts[i]]
        annotation = info.annotation
        i += 1
        if get_origin(annotation) is dict:  # companies.<ticker>.<field>
            model, i = get_args(annotation)[1], i + 1
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    if info is None:
        raise CpoError(f"assumption {key}: unknown key", key=key)
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return Rule(key, "list", choices=tuple(str(c) for c in get_args(annotation)))
    types = set(get_args(annotation)) or {annotation}
    kind = "integer" if int in types and float not in types else "decimal"
    low = high = None
    low_open = high_open = False
    for bound in info.metadata:
        if isinstance(bound, annotated_types.Ge):
            low = _number(bound.ge)
        elif isinstance(bound, annotated_types.Gt):
            low, low_open = _number(bound.gt), True
        elif isinstance(bound, annotated_types.Le):
            high = _number(bound.le)
        elif isinstance(bound, annotated_types.Lt):
            high, high_open = _number(bound.lt), True
    return Rule(key, kind, low, high, low_open, high_open)


def _number(bound: Any) -> float:
    return float(bound)
