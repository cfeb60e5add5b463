"""The one layout spec: every sheet, row, column and workbook name of CPO_Model.xlsx lives here.

Time-series sheets share one grid: A label, B unit, C key (the selector a UDF reads), D..P the years
2023-2035 in header row 4, panes frozen below and right of it; row 2 shows the master check.
Each :class:`Line` owns one row and yields both its formula and its cached value from the same recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cpo_xl.analysis.tables import LAYER_LABELS, SEGMENT_LABELS, ranking
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS
from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS

# The contract's sheets keep their positions; the scenario, sensitivity and risk sheets follow Sources.
SHEETS = ("About", "Inputs", "Demand", "Penetration", "TAM", "Definers", "Foundry_Packaging", "Lasers",
          "Fiber_Connectivity", "Equipment", "Elasticity", "Checks", "Sources", "Scenarios", "Sensitivity", "Risk",
          "xlwings.conf")
LAYER_SHEETS = dict(zip(LAYERS, ("Definers", "Foundry_Packaging", "Lasers", "Fiber_Connectivity", "Equipment"),
                        strict=True))
NAMES = ("rack_units", "assumptions", "scenario", "years", "master_check")

LABEL_COL, UNIT_COL, KEY_COL, FIRST_YEAR_COL = 0, 1, 2, 3  # A, B, C, D
TITLE_ROW, CHECK_ROW, HEADER_ROW, FIRST_LINE_ROW = 0, 1, 3, 4  # rows 1, 2, 4, 5 (0-based)
MODEL_ARGS = ("rack_units", "assumptions", "scenario")

# Inputs sheet grid
INPUTS_SCENARIO_ROW = 3            # C4: the scenario dropdown (name `scenario`)
INPUTS_YEARS_ROW = 6               # D7:P7 timeline (name `years`)
INPUTS_RACKS_ROW = 7               # D8:P8 racks used (with the years row: name `rack_units`)
INPUTS_RACKS_OVERRIDE_ROW = 8      # D9:P9 optional racks typed by the analyst (input)
INPUTS_RACKS_FORECAST_ROW = 9      # D10:P10 the scenario's rack forecast (from the racks.* assumptions)
INPUTS_TABLE_HEADER_ROW = 11       # row 12: column titles of the assumption table
INPUTS_FIRST_KEY_ROW = 12          # row 13: first assumption
INPUT_COLUMNS = ("key", "live value", "label", "unit", "bear", "base", "bull", "source", "date", "grade", "comment")
KEY_C, LIVE_C, LABEL_C, UNIT_C, BEAR_C, BASE_C, BULL_C, SOURCE_C, DATE_C, GRADE_C, COMMENT_C = range(11)
SCENARIO_COLS = {"bear": BEAR_C, "base": BASE_C, "bull": BULL_C}
# The `assumptions` name: (key, bear, base, bull) copies of the Inputs table, one contiguous 4-column range
# (a UDF argument is one range), so a UDF's scenario argument picks its column (hidden; right of D:P)
ASSUMPTIONS_BLOCK_COL = 19  # T:W
ASSUMPTIONS_BLOCK_COLUMNS = ("key", "bear", "base", "bull")

# Sensitivity sheet grid
SENSITIVITY_YEAR_CELL = (3, 2)     # C4: the tornado year (input)
SENSITIVITY_HEADER_ROW = 5
SENSITIVITY_COLUMNS = ("input key", "input", "bear value", "bull value", "TAM change at bear [US$ M]",
                       "TAM change at bull [US$ M]", "swing [US$ M]")
PERCENTILES = ("0.1", "0.5", "0.9")

# Elasticity sheet grid
ELASTICITY_YEAR_CELL = (3, 2)       # C4: the ranking year (input)
ELASTICITY_HEADER_ROW = 5
ELASTICITY_COLUMNS = ("ticker", "company", "layer", "CPO revenue [US$ M]", "exposure [fraction]",
                      "net exposure [fraction]", "EBIT elasticity [x]", "rank by exposure")

CHECK_TOLERANCE_CELL = (2, 2)      # Checks!C3: tolerance used by every check


@dataclass(frozen=True)
class Line:
    """One row of a time-series sheet.

    kind: 'udf' (func over args), 'link' (=another line), 'sum' (of lines), 'ratio' (a / b, 0 when b = 0),
    'diff_flag' (|a - b| > tolerance), 'excess_flag' (a > b + tolerance), 'share_flag' (a outside 0-1),
    'racks' (the Inputs racks row), 'year_header'. Arguments in ``args`` are tokens: 'KEY' (column C),
    'YEAR' (the column's year), a workbook name, or a quoted text literal.
    """

    name: str
    label: str
    unit: str
    kind: str
    key: str = ""
    func: str = ""
    args: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    fmt: str = "#,##0"


@dataclass(frozen=True)
class Section:
    title: str


@dataclass
class SeriesSheet:
    name: str
    title: str
    rows: list[Line | Section] = field(default_factory=list)


def _udf(name: str, label: str, unit: str, func: str, key: str = "", fmt: str = "#,##0",
         extra: tuple[str, ...] = ()) -> Line:
    args = (("KEY",) if key else ()) + ("YEAR", *MODEL_ARGS, *extra)
    return Line(name, label, unit, "udf", key=key, func=func, args=args, fmt=fmt)


PCT = "0.0%"
RATIO = "0.00"


def series_sheets(case: Case) -> list[SeriesSheet]:
    """Every time-series sheet, in workbook order (the company lines follow the case's assumption set)."""
    assumptions = case.assumptions()
    demand = SeriesSheet("Demand", "Demand: racks to CPO ports and engines", [
        Line("racks", "NVIDIA AI racks", "racks", "racks"),
        _udf("ports", "CPO ports shipped", "800G-eq ports", "CPO_PORTS"),
        _udf("engines", "CPO optical engines shipped", "engines", "CPO_ENGINES"),
        Line("ports_per_engine", "Ports per engine", "800G-eq/engine", "ratio", refs=("ports", "engines"),
             fmt=RATIO),
    ])
    supply_args = ("YEAR", "assumptions", "scenario", "KEY")
    penetration = SeriesSheet("Penetration", "Penetration: demand curves, the supply cap, effective CPO share", [
        Section("Demand curve: share of addressable ports before the supply cap (parameters on Inputs)"),
        *[Line(f"curve_{s}", f"{SEGMENT_LABELS[s]} demand curve", "share", "udf", key=s, func="CPO_PENETRATION",
               args=("YEAR", "KEY", *MODEL_ARGS, '"demand"'), fmt=PCT) for s in (*SEGMENTS, "all")],
        Section("Supply: PIC wafers x engines per wafer x yields"),
        Line("wafers", "PIC wafers", "wafers", "udf", key="wafers", func="CPO_SUPPLY", args=supply_args),
        Line("yield_3d", "3D packaging yield", "fraction", "udf", key="yield_3d", func="CPO_SUPPLY",
             args=supply_args, fmt=PCT),
        Line("yield_assembly", "Assembly + fibre coupling yield", "fraction", "udf", key="yield_assembly",
             func="CPO_SUPPLY", args=supply_args, fmt=PCT),
        Line("capacity", "Engine capacity", "3.2T-eq engines", "udf", key="engines", func="CPO_SUPPLY",
             args=supply_args),
        Line("capacity_ports", "Capacity in ports", "800G-eq ports", "udf", key="ports", func="CPO_SUPPLY",
             args=supply_args),
        Line("ports_link", "CPO ports shipped", "800G-eq ports", "link", refs=("ports",)),
        Line("utilisation", "Capacity utilisation", "fraction", "ratio", refs=("ports_link", "capacity_ports"),
             fmt=PCT),
        Line("binding", "Binding constraint: 1 = supply, 0 = demand", "flag", "at_capacity", refs=("utilisation",),
             fmt="0"),
        Section("Effective penetration of addressable ports (after the supply cap)"),
        *[Line(f"pen_{s}", f"{SEGMENT_LABELS[s]} effective penetration", "share", "udf", key=s,
               func="CPO_PENETRATION", args=("YEAR", "KEY", *MODEL_ARGS), fmt=PCT) for s in (*SEGMENTS, "all")],
    ])
    tam = SeriesSheet("TAM", "TAM by value-chain layer (US$ M)", [
        *[_udf(f"tam_{layer}", LAYER_LABELS[layer], "US$ M", "CPO_LAYER_TAM", key=layer) for layer in LAYERS],
        Line("tam_sum", "CPO TAM (sum of layers)", "US$ M", "sum", refs=tuple(f"tam_{la}" for la in LAYERS)),
        _udf("tam_udf", "CPO TAM (CPO_TAM)", "US$ M", "CPO_TAM"),
        Line("optics", "Optics-only TAM (engines + lasers + fibre)", "US$ M", "sum",
             refs=tuple(f"tam_{la}" for la in LAYERS if la != "equipment")),
    ])
    sheets = [demand, penetration, tam]
    for layer in LAYERS:
        rows: list[Line | Section] = [Line(f"layer_{layer}", f"{LAYER_LABELS[layer]} TAM", "US$ M", "link",
                                           refs=(f"tam_{layer}",))]
        share_refs = []
        for ticker, company in assumptions.companies.items():
            if company.layer != layer:
                continue
            rows.append(Section(f"{company.name} ({ticker})"))
            rows.append(_udf(f"rev_{ticker}", f"{ticker} CPO revenue", "US$ M", "CPO_SUPPLIER_REVENUE",
                             key=ticker))
            rows.append(Line(f"share_{ticker}", f"{ticker} share of layer", "fraction", "ratio",
                             refs=(f"rev_{ticker}", f"layer_{layer}"), fmt=PCT))
            share_refs.append(f"share_{ticker}")
            if company.revenue_usd_m is not None:
                rows.append(_udf(f"exp_{ticker}", f"{ticker} CPO exposure", "fraction", "CPO_ELASTICITY",
                                 key=ticker, fmt="0.00%"))
                if company.displaces != "none":
                    rows.append(_udf(f"net_{ticker}", f"{ticker} net exposure (less displaced "
                                     f"{company.displaces})", "fraction", "CPO_ELASTICITY", key=ticker,
                                     fmt="0.00%", extra=('"net_exposure"',)))
        rows.append(Section("Layer total"))
        rows.append(Line(f"shares_{layer}", "Listed shares of layer, total", "fraction", "sum",
                         refs=tuple(share_refs), fmt=PCT))
        sheets.append(SeriesSheet(LAYER_SHEETS[layer], f"{LAYER_LABELS[layer]}: layer TAM and companies", rows))
    sheets.append(scenarios_sheet(case))
    sheets.append(SeriesSheet("Risk", "Risk: Monte Carlo range of the CPO TAM (10,000 seeded draws)", [
        *[Line(f"pctl_{q}", f"CPO TAM P{round(float(q) * 100)}", "US$ M", "udf", key=q, func="CPO_TAM_PCTL",
               args=("YEAR", "KEY", '""', "assumptions", "scenario")) for q in PERCENTILES],
        Line("tam_deterministic", "CPO TAM, deterministic (this scenario)", "US$ M", "link", refs=("tam_udf",)),
    ]))
    checks = SeriesSheet("Checks", "Checks: each line is 0 when it holds", [
        Line("chk_tam", "TAM: sum of layers equals CPO_TAM", "flag", "diff_flag", refs=("tam_sum", "tam_udf"),
             fmt="0"),
        Line("chk_capacity", "Ports shipped within capacity", "flag", "excess_flag",
             refs=("ports_link", "capacity_ports"), fmt="0"),
        *[Line(f"chk_pen_{s}", f"{SEGMENT_LABELS[s]} penetration within 0-1", "flag", "share_flag",
               refs=(f"pen_{s}",), fmt="0") for s in (*SEGMENTS, "all")],
        *[Line(f"chk_shares_{la}", f"{LAYER_LABELS[la]}: company shares within 0-1", "flag", "share_flag",
               refs=(f"shares_{la}",), fmt="0") for la in LAYERS],
        Line("chk_order_low", "Scenarios: bear TAM at most base TAM", "flag", "excess_flag",
             refs=("sc_tam_bear", "sc_tam_base"), fmt="0"),
        Line("chk_order_high", "Scenarios: base TAM at most bull TAM", "flag", "excess_flag",
             refs=("sc_tam_base", "sc_tam_bull"), fmt="0"),
        Line("chk_pctl_low", "Risk: P10 at most P50", "flag", "excess_flag", refs=("pctl_0.1", "pctl_0.5"),
             fmt="0"),
        Line("chk_pctl_high", "Risk: P50 at most P90", "flag", "excess_flag", refs=("pctl_0.5", "pctl_0.9"),
             fmt="0"),
        Line("chk_total", "Checks failing", "count", "sum", refs=(), fmt="0"),
    ])
    sheets.append(checks)
    return sheets


def scenarios_sheet(case: Case, top: int = 5) -> SeriesSheet:
    """Bear, base and bull side by side, each from its own Inputs column (picked by the scenario in column C)."""
    leaders = list(ranking(case, 2030).head(top)["ticker"])
    rows: list[Line | Section] = []
    for s in ("bear", "base", "bull"):
        racks = f"LINE:sc_racks_{s}"
        tail = (racks, "assumptions", "KEY")  # the scenario in column C picks the assumptions column
        rows += [
            Section(f"{s.capitalize()} scenario (its Inputs column; racks: override, else its forecast)"),
            Line(f"sc_fc_{s}", f"Racks forecast ({s})", "racks", "rack_forecast", key=s),
            Line(f"sc_racks_{s}", f"Racks used ({s})", "racks", "rack_used", key=s, refs=(f"sc_fc_{s}",)),
            *[Line(f"sc_{s}_{layer}", f"{LAYER_LABELS[layer]} TAM ({s})", "US$ M", "udf", key=s,
                   func="CPO_LAYER_TAM", args=(f'"{layer}"', "YEAR", *tail)) for layer in LAYERS],
            Line(f"sc_tam_{s}", f"CPO TAM ({s})", "US$ M", "udf", key=s, func="CPO_TAM", args=("YEAR", *tail)),
            Line(f"sc_pen_{s}", f"Effective penetration, all segments ({s})", "share", "udf", key=s,
                 func="CPO_PENETRATION", args=("YEAR", '"all"', *tail), fmt=PCT),
            *[Line(f"sc_exp_{s}_{t}", f"{t} CPO exposure ({s})", "fraction", "udf", key=s, func="CPO_ELASTICITY",
                   args=(f'"{t}"', "YEAR", *tail), fmt="0.00%") for t in leaders],
        ]
    return SeriesSheet("Scenarios", "Scenarios: bear, base and bull side by side", rows)


def year_col(year: int) -> int:
    return FIRST_YEAR_COL + YEARS.index(year)


LAST_YEAR_COL = FIRST_YEAR_COL + len(YEARS) - 1
