"""Positions and recipes: where each line sits, and its formula and cached value per year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl.analysis import lines
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel import blocks
from cpo_xl.excel import functions as fn
from cpo_xl.workbook.spec import layout as L

CHECK_TOLERANCE = 1e-6
ADDIN_KINDS = ("addin_tam", "addin_layer")
# the workbook's names: racks as used, and the Inputs column as its CPO_CASE key (one cell, where the
# assumptions range would marshal ~1,200 cells into each of the ~80 calls of a recalculation)
ADDIN_TAIL = "rack_units,case_forecast"
TOLERANCE_REF = "Checks!" + xl_rowcol_to_cell(*L.CHECK_TOLERANCE_CELL, row_abs=True, col_abs=True)


@dataclass(frozen=True)
class Place:
    sheet: str
    row: int


def place_lines(sheets: Sequence[L.SeriesSheet]) -> dict[str, Place]:
    """Line name -> (sheet, 0-based row); raises on a duplicate name (a label cannot drift from its name)."""
    places: dict[str, Place] = {}
    for sheet in sheets:
        for offset, item in enumerate(sheet.rows):
            if isinstance(item, L.Line):
                if item.name in places:
                    raise ValueError(f"layout: line {item.name} defined twice")
                places[item.name] = Place(sheet.name, L.FIRST_LINE_ROW + offset)
    return places


@dataclass(frozen=True)
class ModelArgs:
    """The cases the workbook's CPO_CASE cells build: what the cached values are computed from."""

    case: Case  # what the model rows show: their cached values come from run(case) through the registry
    live: Case  # the forecast-racks case of the Inputs column (what CPO_CASE(assumptions, scenario) builds)
    overrides: dict[int, float]  # racks typed on Inputs
    tolerance: float = CHECK_TOLERANCE  # Checks!C3, relative: what the check rows' cached values are computed with
    table: tuple[tuple[Any, ...], ...] = ()  # the `assumptions` range as written: (key, bear, base, bull) rows


def case_key(args: ModelArgs, scenario: str, racks: Sequence[float] | None = None) -> str:
    """What ``=CPO_CASE(assumptions, scenario[, racks row, years row])`` returns for the cells the build writes:
    the cached value is the function's own result on those values."""
    table = [list(row) for row in args.table]
    if racks is None:
        return str(blocks.CPO_CASE(table, scenario))
    return str(blocks.CPO_CASE(table, scenario, [float(r) for r in racks], [float(y) for y in YEARS]))


def cell(places: dict[str, Place], name: str, col: int, from_sheet: str) -> str:
    p = places[name]
    ref = xl_rowcol_to_cell(p.row, col)
    return ref if p.sheet == from_sheet else f"{p.sheet}!{ref}"


def formula(line: L.Line, row: int, col: int, sheet: str, places: dict[str, Place],
            check_rows: tuple[int, int] | None = None) -> str:
    """The Excel formula of a line in one year column."""
    def ref(i: int) -> str:
        return cell(places, line.refs[i], col, sheet)
    if line.kind == "case":  # a CPO_CASE cell: the scenario in column C; refs: its racks row, the key it starts from
        scenario = f"${xl_col_to_name(L.KEY_COL)}${row + 1}"
        if not line.refs:
            return f"=CPO_CASE(assumptions,{scenario})"
        racks_row = places[line.refs[0]].row + 1
        first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
        # The forecast-racks key above, not the ~1,200-cell assumptions range again: the same case with these
        # racks, and one cell for Excel to hand over (the range is marshalled and hashed on every call)
        start = xl_rowcol_to_cell(places[line.refs[1]].row, L.FIRST_YEAR_COL, row_abs=True, col_abs=True)
        return (f"=CPO_CASE({start},{scenario},${first_c}${racks_row}:${last_c}${racks_row},"
                f"${first_c}${L.HEADER_ROW + 1}:${last_c}${L.HEADER_ROW + 1})")
    if line.kind in ADDIN_KINDS:  # the add-in itself, over the year in the header row: what a click shows
        year = xl_rowcol_to_cell(L.HEADER_ROW, col, row_abs=True)
        if line.kind == "addin_layer":  # the layer's name stands in the key column
            layer = xl_rowcol_to_cell(row, L.KEY_COL, col_abs=True)
            return f"=CPO_LAYER_TAM({layer},{year},{ADDIN_TAIL})"
        return f"=CPO_TAM({year},{ADDIN_TAIL})"
    if line.kind == "rack_used":
        override = f"Inputs!{xl_rowcol_to_cell(L.INPUTS_RACKS_OVERRIDE_ROW, col)}"
        return f'=IF({override}="",{ref(0)},{override})'
    if line.kind == "racks":
        return f"=Inputs!{xl_rowcol_to_cell(L.INPUTS_RACKS_ROW, col)}"
    if line.kind == "link":
        return f"={ref(0)}"
    if line.kind == "sum" and not line.refs and check_rows:
        return f"=SUM({xl_rowcol_to_cell(check_rows[0], col)}:{xl_rowcol_to_cell(check_rows[1], col)})"
    if line.kind == "sum":
        return f"=SUM({','.join(ref(i) for i in range(len(line.refs)))})" if line.refs else "=0"
    if line.kind == "ratio":
        return f"=IF({ref(1)}=0,0,{ref(0)}/{ref(1)})"
    if line.kind == "diff_flag":
        return f"=IF(ABS({ref(0)}-{ref(1)})>{TOLERANCE_REF}*MAX(1,ABS({ref(1)})),1,0)"
    if line.kind == "excess_flag":
        return f"=IF({ref(0)}>{ref(1)}*(1+{TOLERANCE_REF}),1,0)"
    if line.kind == "share_flag":
        return f"=IF(OR({ref(0)}<0,{ref(0)}>1+{TOLERANCE_REF}),1,0)"
    if line.kind == "at_capacity":
        return f"=IF({ref(0)}>=1-{TOLERANCE_REF},1,0)"
    if line.kind == "positive_flag":
        return f"=IF({ref(0)}>{TOLERANCE_REF},1,0)"
    raise ValueError(f"layout: unknown line kind {line.kind}")


def value(line: L.Line, year: int, args: ModelArgs, values: dict[str, dict[int, float]],
          racks: dict[int, float], check_names: Sequence[str] = ()) -> Any:
    """The cached value of a line in one year: the same recipe as :func:`formula`, evaluated in Python."""
    def v(i: int) -> float:
        return values[line.refs[i]][year]
    if line.kind == "lines":  # a registry line: straight from the engine
        case = args.case if line.scenario is None else args.case.with_(scenario=line.scenario)
        return float(lines.value(run(case), line.path)[year_index(year)])
    if line.kind == "pctl":  # Monte Carlo percentile of the TAM over the forecast-racks case
        return float(np.percentile(fn._simulation(args.live)[:, year_index(year)], 100 * float(line.key)))
    if line.kind in ADDIN_KINDS:  # the function's own result on the cells the formula reads
        rack_units = [[float(y) for y in YEARS], [float(racks[y]) for y in YEARS]]
        key = case_key(args, args.case.scenario)  # case_forecast: the Inputs column as a CPO_CASE key
        if line.kind == "addin_layer":
            return fn.CPO_LAYER_TAM(line.key, float(year), rack_units, key)
        return fn.CPO_TAM(float(year), rack_units, key)
    if line.kind == "case":  # the racks row it refers to, if any, is above it
        return case_key(args, line.key, [values[line.refs[0]][y] for y in YEARS] if line.refs else None)
    if line.kind == "rack_used":
        return args.overrides.get(year, v(0))
    if line.kind == "racks":
        return racks[year]
    if line.kind == "link":
        return v(0)
    if line.kind == "sum":
        names = line.refs or tuple(check_names)
        return float(sum(values[n][year] for n in names))
    if line.kind == "ratio":
        return 0.0 if v(1) == 0 else v(0) / v(1)
    if line.kind == "diff_flag":
        return 1.0 if abs(v(0) - v(1)) > args.tolerance * max(1.0, abs(v(1))) else 0.0
    if line.kind == "excess_flag":
        return 1.0 if v(0) > v(1) * (1 + args.tolerance) else 0.0
    if line.kind == "share_flag":
        return 1.0 if v(0) < 0 or v(0) > 1 + args.tolerance else 0.0
    if line.kind == "at_capacity":
        return 1.0 if v(0) >= 1 - args.tolerance else 0.0
    if line.kind == "positive_flag":
        return 1.0 if v(0) > args.tolerance else 0.0
    raise ValueError(f"layout: unknown line kind {line.kind}")


def block_formula(block: Sequence[L.Line], first_row: int, sheet: str, places: dict[str, Place]) -> str:
    """The one array formula of a run of block rows (registry lines or percentiles) over the year columns."""
    last_row = first_row + len(block) - 1
    keys = f"${xl_col_to_name(L.KEY_COL)}${first_row + 1}:${xl_col_to_name(L.KEY_COL)}${last_row + 1}"
    first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
    years = f"${first_c}${L.HEADER_ROW + 1}:${last_c}${L.HEADER_ROW + 1}"
    case = block[0].case
    if case.startswith("LINE:"):
        p = places[case.removeprefix("LINE:")]
        case = xl_rowcol_to_cell(p.row, L.FIRST_YEAR_COL, row_abs=True, col_abs=True)
        case = case if p.sheet == sheet else f"{p.sheet}!{case}"
    func = "CPO_PERCENTILES" if block[0].kind == "pctl" else "CPO_LINES"
    return f"{{={func}({case},{keys},{years})}}"


def evaluate(sheets: Sequence[L.SeriesSheet], args: ModelArgs,
             racks: dict[int, float]) -> dict[str, dict[int, float]]:
    """Every line's value per year, in layout order (a line only refers to lines above it)."""
    values: dict[str, dict[int, float]] = {}
    for sheet in sorted(sheets, key=lambda s: s.name != L.ENGINE):  # the Engine's blocks first: others link
        lines = [item for item in sheet.rows if isinstance(item, L.Line)]
        flags = [ln.name for ln in lines if ln.kind.endswith("_flag")]
        for line in lines:
            values[line.name] = {y: value(line, y, args, values, racks, flags) for y in YEARS}
    return values
