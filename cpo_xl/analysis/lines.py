"""The registry of line items: one record per model line says what it is (label, unit, number format), where
its values come from (a path into :class:`cpo_xl.engine.model.ModelResult`) and where it shows (its
``CPO_TABLE`` table, its workbook sheet and the formula of that row, the terminal summary).

`tables`, the workbook layout, the UDF catalogue's ``CPO_LINE`` and `diff` all read this registry, so a line
is added in one place: a record here (and, for a new quantity, one short function on the model result).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from cpo_xl.engine.assumptions import LAYERS, SEGMENTS
from cpo_xl.engine.case import Case
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import ModelResult

TABLE_NAMES: tuple[str, ...] = ("demand", "penetration", "tam", "companies", "crosscheck")
SEGMENT_LABELS = {"scale_out": "Scale-out", "scale_up": "Scale-up", "nic": "NIC", "all": "All segments"}
LAYER_LABELS = {"definers": "Definers", "foundry_packaging": "Foundry & packaging", "lasers": "Lasers",
                "fiber_connectivity": "Fiber & connectivity", "equipment": "Equipment"}
PCT = "0.0%"


@dataclass(frozen=True)
class LineItem:
    """One line of the model.

    name: unique id (the workbook row's name where it shows, and its key for ``CPO_LINE`` / ``CPO_LINES``).
    path: attributes / mapping keys into the model result. table: the ``CPO_TABLE`` it belongs to. sheet: the
    workbook sheet that shows it (None: tables only). summary: printed by ``cpo-xl summary``.
    """

    name: str
    label: str
    unit: str
    table: str
    path: tuple[str, ...]
    fmt: str = "#,##0"
    sheet: str | None = None
    sheet_label: str | None = None
    summary: bool = False

    @property
    def row_label(self) -> str:
        return self.sheet_label or self.label

    @property
    def table_label(self) -> str:
        return f"{self.label} [{self.unit}]"


def value(result: ModelResult, path: Sequence[str]) -> Floats:
    """The line at ``path`` of a model result (attributes, then mapping keys) [the line's unit]."""
    node: Any = result
    for part in path:
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return np.asarray(node, dtype=float)


def _supply(name: str, label: str, unit: str, path: str, fmt: str = "#,##0") -> LineItem:
    return LineItem(name, label, unit, "penetration", (path,), fmt, "Penetration")


# The lines that do not depend on the company list, in table and sheet order.
STATIC: list[LineItem] = [
    LineItem("racks_line", "NVIDIA racks", "NVL72-eq racks", "demand", ("racks",)),
    LineItem("rack_forecast", "NVIDIA rack forecast: min(demand, envelopes)", "NVL72-eq racks", "demand",
             ("rack_forecast",)),
    LineItem("racks_demand", "NVIDIA rack demand before the envelopes", "NVL72-eq racks", "demand",
             ("racks_demand",), sheet="Demand"),
    LineItem("rack_cap_power", "Envelope: racks the data-centre power added allows", "NVL72-eq racks", "demand",
             ("rack_caps", "power"), sheet="Demand"),
    LineItem("rack_cap_cowos", "Envelope: racks CoWoS-class capacity allows", "NVL72-eq racks", "demand",
             ("rack_caps", "cowos"), sheet="Demand"),
    LineItem("rack_cap_spend", "Envelope: racks NVIDIA data-centre revenue pays for", "NVL72-eq racks", "demand",
             ("rack_caps", "spend"), sheet="Demand"),
    LineItem("rack_binding", "Rack forecast set by: 0 demand, 1 power, 2 CoWoS, 3 spend", "code", "demand",
             ("rack_binding",), "0", sheet="Demand", summary=True),
    LineItem("ai_power", "AI accelerator IT power the data centres take", "GW", "demand", ("ai_power_gw",), "0.0",
             sheet="Demand"),
    LineItem("rack_power", "IT power of the NVIDIA racks", "GW", "demand", ("rack_power_gw",), "0.0",
             sheet="Demand"),
    LineItem("cowos_wafers", "CoWoS-class wafers", "wafers", "demand", ("cowos_wafers",), sheet="Demand"),
    LineItem("nvidia_cowos_wafers", "NVIDIA GPU CoWoS wafers feeding the year's shipments", "wafers", "demand",
             ("nvidia_cowos_wafers",)),  # off the Demand sheet, as below: its lines fill their printed page
    LineItem("packages_per_wafer", "NVIDIA GPU packages per CoWoS wafer (generation mix)", "packages/wafer",
             "demand", ("packages_per_wafer",), "0.0"),
    LineItem("cowos_packages", "NVIDIA GPU packages its CoWoS allocation makes", "packages", "demand",
             ("cowos_packages",)),
    LineItem("dc_revenue", "NVIDIA data-centre revenue", "US$ bn", "demand", ("dc_revenue",), sheet="Demand"),
    LineItem("rack_spend", "Implied spend on NVIDIA rack-scale systems", "US$ bn", "demand", ("rack_spend",),
             sheet="Demand"),
    LineItem("packages", "GPU packages", "packages", "demand", ("packages",), sheet="Demand"),
    LineItem("non_rack_packages", "NVIDIA GPU packages outside NVL72-eq racks (HGX, Hopper, China parts)",
             "packages", "demand", ("non_rack_packages",)),
    LineItem("nvidia_revenue", "NVIDIA revenue (data-centre revenue / its share): the company block's line",
             "US$ M", "demand", ("nvidia_revenue",)),
    LineItem("revenue_per_rack", "NVIDIA revenue per NVL72-eq rack (GB300 / VR200 / Kyber-class mix)",
             "US$ M", "demand", ("revenue_per_rack",), "0.00"),
    LineItem("spend_ratio", "Rack spend / (data-centre revenue x rack-scale share)", "x", "demand",
             ("spend_ratio",), "0.00", summary=True),
    LineItem("cowos_use", "NVIDIA packages (racks + outside racks) / packages its CoWoS allocation makes",
             "fraction", "demand", ("cowos_use",), PCT),
    LineItem("product_switches", "CPO switches the disclosed product ramps ship", "102.4T-eq switches", "demand",
             ("product_switches",)),
    LineItem("cpo_switches", "Scale-out CPO shipped", "102.4T-eq switches", "demand", ("cpo_switches",),
             sheet="Demand", summary=True),  # on Demand: the line the switch-ramp anchor on Checks links to
    LineItem("asic_demand", "Custom-ASIC demand before the power envelope", "accelerators", "demand",
             ("asic_demand",), sheet="Demand"),
    LineItem("asic_cap", "Envelope: ASICs the data-centre power allows", "accelerators", "demand", ("asic_cap",),
             sheet="Demand"),
    LineItem("asics", "Custom-ASIC accelerators", "accelerators", "demand", ("asics",), sheet="Demand",
             summary=True),
    LineItem("tiers", "Scale-out switch tiers (cluster size)", "tiers", "demand", ("tiers",), "0", sheet="Demand"),
    LineItem("merchant_switches", "Merchant 102.4T switches for ASIC clusters", "switches", "demand",
             ("merchant_switches",), sheet="Demand"),
    *[item for s in SEGMENTS for item in (
        LineItem(f"addressable_ports_{s}", f"{SEGMENT_LABELS[s]} addressable ports", "800G-eq ports", "demand",
                 ("addressable", s, "ports")),
        LineItem(f"addressable_engines_{s}", f"{SEGMENT_LABELS[s]} addressable engines", "engines", "demand",
                 ("addressable", s, "engines")))],
    LineItem("ports", "CPO ports shipped", "800G-eq ports", "demand", ("ports",), sheet="Demand", summary=True),
    LineItem("engines", "CPO optical engines shipped", "engines", "demand", ("engines",), sheet="Demand"),
    LineItem("lasers", "External lasers shipped", "lasers", "demand", ("lasers",)),
    LineItem("gbps", "CPO bandwidth shipped", "Gb/s", "demand", ("gbps",)),
    *[LineItem(f"curve_{s}", f"{SEGMENT_LABELS[s]} demand curve", "share", "penetration",
               ("curve_all",) if s == "all" else ("curve_share", s), PCT, "Penetration")
      for s in (*SEGMENTS, "all")],
    LineItem("demand_tbps", "CPO bandwidth the demand curves ask for", "Tb/s", "penetration", ("demand_tbps",),
             sheet="Penetration"),
    LineItem("starts", "Engine starts capacity", "3.2T-eq starts", "penetration", ("starts",), sheet="Penetration"),
    LineItem("sip_wafers", "Silicon-photonics PIC wafers, all uses", "wafers", "penetration", ("sip_wafers",),
             sheet="Penetration"),
    _supply("wafers", "PIC wafers", "wafers", "wafers"),
    _supply("yield_3d", "3D packaging yield", "fraction", "yield_3d", PCT),
    _supply("yield_assembly", "Assembly + fibre coupling yield", "fraction", "yield_assembly", PCT),
    _supply("capacity", "Engine capacity", "3.2T-eq engines", "capacity"),
    _supply("capacity_ports", "Capacity in ports", "800G-eq ports", "capacity_ports"),
    LineItem("capacity_share", "Capacity share of addressable bandwidth", "share", "penetration",
             ("capacity_share",), PCT),
    LineItem("supply_binds", "Supply binds", "1 = yes", "penetration", ("binding",), "0", summary=True),
    *[LineItem(f"pen_{s}", f"{SEGMENT_LABELS[s]} effective penetration", "share", "penetration",
               ("effective_all",) if s == "all" else ("effective_share", s), PCT, "Penetration", summary=True)
      for s in (*SEGMENTS, "all")],
    *[LineItem(f"tam_{layer}", LAYER_LABELS[layer], "US$ M", "tam", ("layers", layer), sheet="TAM")
      for layer in LAYERS],
    LineItem("tam", "CPO TAM", "US$ M", "tam", ("tam",), sheet="TAM", sheet_label="CPO TAM (CPO_TAM)",
             summary=True),
    LineItem("optics_line", "CPO optics revenue (engines + lasers + fibre)", "US$ M", "tam", ("optics",),
             summary=True),
    LineItem("pluggable_price", "Pluggable price", "US$/(Gb/s)", "tam", ("pluggable_price",), "0.000",
             sheet="TAM"),
    LineItem("cpo_price", "All-in CPO price (engine + laser + fibre)", "US$/(Gb/s)", "tam", ("cpo_price",),
             "0.000", sheet="TAM"),
    LineItem("cpo_to_pluggable", "All-in CPO price / pluggable price", "x", "tam", ("cpo_to_pluggable",), "0.00",
             sheet="TAM"),
    LineItem("discount_gap", "CPO/pluggable ratio outside 1 - discount +/- band", "x", "tam",
             ("discount_gap",), "0.00", sheet="TAM"),
    LineItem("ai_optics", "AI data-centre optics in the model's scope", "US$ M", "tam", ("ai_optics",),
             sheet="TAM", summary=True),
    LineItem("cpo_share_of_optics", "CPO share of AI data-centre optics", "share", "tam", ("cpo_share_of_optics",),
             PCT, sheet="TAM", summary=True),
]


@dataclass(frozen=True)
class CompanyRows:
    """What the registry needs of a company: its layer sheet, whether it has a revenue baseline (exposure
    rows), and what legacy business CPO displaces ('none', 'pluggables', 'copper')."""

    sheet: str
    filled: bool
    displaces: str


def company_items(companies: Mapping[str, CompanyRows]) -> list[LineItem]:
    """Each company's lines: CPO revenue, exposure, net exposure, EBIT elasticity."""
    items = []
    for ticker, c in companies.items():
        path = ("companies", ticker)
        items += [
            LineItem(f"rev_{ticker}", f"{ticker} CPO revenue", "US$ M", "companies", (*path, "cpo_revenue"),
                     sheet=c.sheet),
            LineItem(f"exp_{ticker}", f"{ticker} CPO exposure", "fraction", "companies", (*path, "exposure"), "0.00%",
                     c.sheet if c.filled else None),
            LineItem(f"net_{ticker}", f"{ticker} net exposure", "fraction", "companies", (*path, "net_exposure"),
                     "0.00%", c.sheet if c.filled and c.displaces != "none" else None,
                     f"{ticker} net exposure (less displaced {c.displaces})"),
            LineItem(f"ebit_{ticker}", f"{ticker} EBIT elasticity", "x", "companies", (*path, "ebit_elasticity"),
                     "0.00"),
        ]
    return items


LAYER_SHEETS = {"definers": "Definers", "foundry_packaging": "Foundry_Packaging", "lasers": "Lasers",
                "fiber_connectivity": "Fiber_Connectivity", "equipment": "Equipment"}


@lru_cache(maxsize=64)
def line_items(case: Case) -> list[LineItem]:
    """Every line item of a case, in table and sheet order (the company lines follow its companies). Cached
    per case: do not mutate the list."""
    companies = case.assumptions().companies
    return [*STATIC, *company_items({t: CompanyRows(LAYER_SHEETS[c.layer], c.revenue_usd_m is not None, c.displaces)
                                     for t, c in companies.items()})]


# names a line had in earlier releases, still accepted (a workbook built then keeps working)
ALIASES = {"tam_udf": "tam"}  # the TAM was `tam_udf` in the registry, `tam` in the engine, explain and bridge


def canonical(name: str) -> str:
    """A line's name as the registry spells it (an earlier release's alias resolved)."""
    return ALIASES.get(name, name)


def find(case: Case, name: str) -> LineItem:
    """The line item called ``name`` (or an alias of it); CpoError listing the names when unknown."""
    items = {item.name: item for item in line_items(case)}
    name = canonical(name)
    if name not in items:
        hint = difflib.get_close_matches(name, list(items), n=3)
        also = f"; did you mean {', '.join(hint)}?" if hint else ""
        raise CpoError(f"line {name!r} is unknown{also} (names: the key column of the model sheets, "
                       f"{len(items)} in all)")
    return items[name]
