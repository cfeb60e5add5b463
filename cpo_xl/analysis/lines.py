"""The registry of line items: one record per model line says where its values come from (a path into
:class:`cpo_xl.engine.model.ModelResult`), its number format and where it shows (its ``CPO_TABLE`` table, its
workbook sheet and the formula of that row, the terminal summary). Its label and unit are the engine
docstring's (:mod:`cpo_xl.engine.docs`), the ones ``cpo-xl explain`` prints.

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
from cpo_xl.engine.docs import path_doc
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import LAYER_LINES, ModelResult

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
    workbook sheet that shows it (None: tables only). summary: printed by ``cpo-xl summary``. sheet_note: words
    the sheet's row label adds to the label.

    label and unit are not typed here: they are the engine docstring's of the value at ``path``
    (:func:`cpo_xl.engine.docs.path_doc`), the ones `cpo-xl explain` prints, so a line has one label and one
    unit wherever it shows.
    """

    name: str
    table: str
    path: tuple[str, ...]
    fmt: str = "#,##0"
    sheet: str | None = None
    sheet_note: str | None = None
    summary: bool = False

    @property
    def label(self) -> str:
        return path_doc(self.path)[0]

    @property
    def unit(self) -> str:
        return path_doc(self.path)[1]

    @property
    def row_label(self) -> str:
        return f"{self.label} {self.sheet_note}" if self.sheet_note else self.label

    @property
    def table_label(self) -> str:
        return f"{self.label} [{self.unit}]"


def value(result: ModelResult, path: Sequence[str]) -> Floats:
    """The line at ``path`` of a model result (attributes, then mapping keys) [the line's unit]."""
    node: Any = result
    for part in path:
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return np.asarray(node, dtype=float)


def _supply(name: str, path: str, fmt: str = "#,##0") -> LineItem:
    return LineItem(name, "penetration", (path,), fmt, "Penetration")


# The lines that do not depend on the company list, in table and sheet order.
STATIC: list[LineItem] = [
    LineItem("racks_line", "demand", ("racks",)),
    LineItem("rack_forecast", "demand", ("rack_forecast",)),
    LineItem("racks_demand", "demand", ("racks_demand",), sheet="Demand"),
    LineItem("rack_cap_power", "demand", ("rack_caps", "power"), sheet="Demand"),
    LineItem("rack_cap_cowos", "demand", ("rack_caps", "cowos"), sheet="Demand"),
    LineItem("rack_cap_spend", "demand", ("rack_caps", "spend"), sheet="Demand"),
    LineItem("rack_binding", "demand", ("rack_binding",), "0", sheet="Demand", summary=True),
    LineItem("ai_power", "demand", ("ai_power_gw",), "0.0", sheet="Demand"),
    LineItem("rack_power", "demand", ("rack_power_gw",), "0.0", sheet="Demand"),
    LineItem("cowos_wafers", "demand", ("cowos_wafers",), sheet="Demand"),
    # off the Demand sheet, as below: its lines fill their printed page
    LineItem("nvidia_cowos_wafers", "demand", ("nvidia_cowos_wafers",)),
    LineItem("packages_per_wafer", "demand", ("packages_per_wafer",), "0.0"),
    LineItem("cowos_packages", "demand", ("cowos_packages",)),
    LineItem("dc_revenue", "demand", ("dc_revenue",), sheet="Demand"),
    LineItem("rack_spend", "demand", ("rack_spend",), sheet="Demand"),
    LineItem("packages", "demand", ("packages",), sheet="Demand"),
    LineItem("non_rack_packages", "demand", ("non_rack_packages",)),
    LineItem("nvidia_revenue", "demand", ("nvidia_revenue",)),
    LineItem("revenue_per_rack", "demand", ("revenue_per_rack",), "0.00"),
    LineItem("spend_ratio", "demand", ("spend_ratio",), "0.00", summary=True),
    LineItem("cowos_use", "demand", ("cowos_use",), PCT),
    LineItem("product_switches", "demand", ("product_switches",)),
    LineItem("cpo_switches", "demand", ("cpo_switches",), sheet="Demand", summary=True),  # on Demand: the line
    # the switch-ramp anchor on Checks links to
    LineItem("asic_demand", "demand", ("asic_demand",), sheet="Demand"),
    LineItem("asic_cap", "demand", ("asic_cap",), sheet="Demand"),
    LineItem("asics", "demand", ("asics",), sheet="Demand", summary=True),
    LineItem("xpu_scale_up_gbps", "demand", ("xpu_scale_up_gbps",)),  # tables only: Demand prints on 3 pages
    LineItem("xpu_scale_up_shipped", "demand", ("xpu_scale_up_shipped",)),
    LineItem("tiers", "demand", ("tiers",), "0", sheet="Demand"),
    LineItem("merchant_switches", "demand", ("merchant_switches",), sheet="Demand"),
    *[item for s in SEGMENTS for item in (
        LineItem(f"addressable_ports_{s}", "demand", ("addressable", s, "ports")),
        LineItem(f"addressable_engines_{s}", "demand", ("addressable", s, "engines")))],
    LineItem("ports", "demand", ("ports",), sheet="Demand", summary=True),
    LineItem("engines", "demand", ("engines",), sheet="Demand"),
    LineItem("lasers", "demand", ("lasers",)),
    LineItem("gbps", "demand", ("gbps",)),
    *[LineItem(f"curve_{s}", "penetration", ("curve_all",) if s == "all" else ("curve_share", s), PCT, "Penetration")
      for s in (*SEGMENTS, "all")],
    LineItem("demand_tbps", "penetration", ("demand_tbps",), sheet="Penetration"),
    LineItem("starts", "penetration", ("starts",), sheet="Penetration"),
    LineItem("sip_wafers", "penetration", ("sip_wafers",), sheet="Penetration"),
    _supply("wafers", "wafers"),
    _supply("yield_3d", "yield_3d", PCT),
    _supply("yield_assembly", "yield_assembly", PCT),
    _supply("capacity", "capacity"),
    _supply("capacity_ports", "capacity_ports"),
    LineItem("capacity_share", "penetration", ("capacity_share",), PCT),
    LineItem("supply_binds", "penetration", ("binding",), "0", summary=True),
    *[LineItem(f"pen_{s}", "penetration", ("effective_all",) if s == "all" else ("effective_share", s), PCT,
               "Penetration", summary=True)
      for s in (*SEGMENTS, "all")],
    *[LineItem(f"tam_{layer}", "tam", (LAYER_LINES[layer],), sheet="TAM") for layer in LAYERS],
    LineItem("tam", "tam", ("tam",), sheet="TAM", sheet_note="(CPO_TAM)", summary=True),
    LineItem("optics_line", "tam", ("optics",), summary=True),
    LineItem("xpu_scale_up_optics", "tam", ("xpu_scale_up_optics",)),
    LineItem("xpu_scale_up_definers", "tam", ("xpu_scale_up_definers",)),
    LineItem("pluggable_price", "tam", ("pluggable_price",), "0.000", sheet="TAM"),
    LineItem("cpo_price", "tam", ("cpo_price",), "0.000", sheet="TAM"),
    LineItem("cpo_to_pluggable", "tam", ("cpo_to_pluggable",), "0.00", sheet="TAM"),
    LineItem("discount_gap", "tam", ("discount_gap",), "0.00", sheet="TAM"),
    LineItem("ai_optics", "tam", ("ai_optics",), sheet="TAM", summary=True),
    LineItem("cpo_share_of_optics", "tam", ("cpo_share_of_optics",), PCT, sheet="TAM", summary=True),
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
            LineItem(f"rev_{ticker}", "companies", (*path, "cpo_revenue"), sheet=c.sheet),
            LineItem(f"exp_{ticker}", "companies", (*path, "exposure"), "0.00%", c.sheet if c.filled else None),
            LineItem(f"net_{ticker}", "companies", (*path, "net_exposure"), "0.00%",
                     c.sheet if c.filled and c.displaces != "none" else None, f"(less displaced {c.displaces})"),
            LineItem(f"ebit_{ticker}", "companies", (*path, "ebit_elasticity"), "0.00"),
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
