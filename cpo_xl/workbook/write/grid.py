"""Positions and recipes: where each line sits, and its formula and cached value per year."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
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


@dataclass(frozen=True)
class FormulaAt:
    """Where a formula goes: a line in one year column (``row``, ``col``) of ``sheet``."""

    line: L.Line
    row: int
    col: int
    sheet: str
    places: dict[str, Place]
    check_rows: tuple[int, int] | None = None  # the first and last flag rows of the sheet (the Checks total)

    def ref(self, i: int) -> str:
        return cell(self.places, self.line.refs[i], self.col, self.sheet)


@dataclass(frozen=True)
class ValueAt:
    """What a cached value is computed from: a line in one year, over the values of the lines above it."""

    line: L.Line
    year: int
    args: ModelArgs
    values: dict[str, dict[int, float]]
    racks: dict[int, float]
    check_names: Sequence[str] = ()  # the sheet's flag lines (the Checks total)

    def v(self, i: int) -> float:
        return self.values[self.line.refs[i]][self.year]


class Kind:
    """A row kind: its Excel formula and its cached value side by side, and how the writer treats its rows."""

    is_flag = False  # a check: 1 when it fails, else 0; the Checks total (and the master check) sums these
    is_block = False  # a row of a run written as one array formula (:func:`block_formula`), not a cell each
    link_style = False  # shown in the link colour: it repeats a number that lives elsewhere
    one_cell = False  # written once, in the first year column (a key, not a series)

    def __init__(self, name: str) -> None:
        self.name = name

    def formula(self, at: FormulaAt) -> str:
        raise NotImplementedError(self.name)

    def value(self, at: ValueAt) -> Any:
        raise NotImplementedError(self.name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Recipe(Kind):
    """A kind whose formula and value are one expression each over the same references."""

    def __init__(self, name: str, excel: Callable[[FormulaAt], str], python: Callable[[ValueAt], Any], *,
                 link_style: bool = False) -> None:
        super().__init__(name)
        self.excel, self.python, self.link_style = excel, python, link_style

    def formula(self, at: FormulaAt) -> str:
        return f"={self.excel(at)}"

    def value(self, at: ValueAt) -> Any:
        return self.python(at)


class Indicator(Kind):
    """1 when a test holds, else 0; the test's tolerance is Checks!C3 in Excel and ``args.tolerance`` in
    Python. ``check``: a flag, 0 when the model holds (else a 0/1 reading, such as the binding constraint)."""

    def __init__(self, name: str, excel: Callable[[Callable[[int], str], str], str],
                 python: Callable[[Callable[[int], float], float], bool], *, check: bool) -> None:
        super().__init__(name)
        self.excel, self.python, self.is_flag = excel, python, check

    def formula(self, at: FormulaAt) -> str:
        return f"=IF({self.excel(at.ref, TOLERANCE_REF)},1,0)"

    def value(self, at: ValueAt) -> Any:
        return 1.0 if self.python(at.v, at.args.tolerance) else 0.0


class CaseKey(Kind):
    """A CPO_CASE cell: the scenario in column C; refs: its racks row, the key it starts from."""

    one_cell = True

    def formula(self, at: FormulaAt) -> str:
        scenario = f"${xl_col_to_name(L.KEY_COL)}${at.row + 1}"
        if not at.line.refs:
            return f"=CPO_CASE(assumptions,{scenario})"
        racks_row = at.places[at.line.refs[0]].row + 1
        first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
        # The forecast-racks key above, not the ~1,200-cell assumptions range again: the same case with these
        # racks, and one cell for Excel to hand over (the range is marshalled and hashed on every call)
        start = xl_rowcol_to_cell(at.places[at.line.refs[1]].row, L.FIRST_YEAR_COL, row_abs=True, col_abs=True)
        return (f"=CPO_CASE({start},{scenario},${first_c}${racks_row}:${last_c}${racks_row},"
                f"${first_c}${L.HEADER_ROW + 1}:${last_c}${L.HEADER_ROW + 1})")

    def value(self, at: ValueAt) -> Any:  # the racks row it refers to, if any, is above it
        line = at.line
        return case_key(at.args, line.key, [at.values[line.refs[0]][y] for y in YEARS] if line.refs else None)


class AddIn(Kind):
    """The add-in itself over the year in the header row (what a click shows); ``layer``: CPO_LAYER_TAM of
    the layer named in the key column, else CPO_TAM. The value is the function's own result on those cells."""

    def __init__(self, name: str, *, layer: bool) -> None:
        super().__init__(name)
        self.layer = layer

    def formula(self, at: FormulaAt) -> str:
        year = xl_rowcol_to_cell(L.HEADER_ROW, at.col, row_abs=True)
        if self.layer:
            layer = xl_rowcol_to_cell(at.row, L.KEY_COL, col_abs=True)
            return f"=CPO_LAYER_TAM({layer},{year},{ADDIN_TAIL})"
        return f"=CPO_TAM({year},{ADDIN_TAIL})"

    def value(self, at: ValueAt) -> Any:
        rack_units = [[float(y) for y in YEARS], [float(at.racks[y]) for y in YEARS]]
        key = case_key(at.args, at.args.case.scenario)  # case_forecast: the Inputs column as a CPO_CASE key
        if self.layer:
            return fn.CPO_LAYER_TAM(at.line.key, float(at.year), rack_units, key)
        return fn.CPO_TAM(float(at.year), rack_units, key)


class Sum(Kind):
    """The sum of its refs; with none, of the sheet's flags (the Checks total: how many checks fail)."""

    def formula(self, at: FormulaAt) -> str:
        if not at.line.refs and at.check_rows:
            first, last = (xl_rowcol_to_cell(r, at.col) for r in at.check_rows)
            return f"=SUM({first}:{last})"
        return f"=SUM({','.join(at.ref(i) for i in range(len(at.line.refs)))})" if at.line.refs else "=0"

    def value(self, at: ValueAt) -> Any:
        names = at.line.refs or tuple(at.check_names)
        return float(sum(at.values[n][at.year] for n in names))


class Block(Kind):
    """A row of a run written as one array formula of ``function`` (:func:`block_formula`); its own value."""

    is_block = True

    def __init__(self, name: str, function: str, python: Callable[[ValueAt], float]) -> None:
        super().__init__(name)
        self.function, self.python = function, python

    def formula(self, at: FormulaAt) -> str:
        raise ValueError(f"layout: {at.line.name} is a {self.name} block row: its run is one array formula "
                         f"(block_formula), not a formula per cell")

    def value(self, at: ValueAt) -> Any:
        return self.python(at)


def _registry_line(at: ValueAt) -> float:  # straight from the engine
    case = at.args.case if at.line.scenario is None else in_scenario(at.args.case, at.line.scenario)
    return float(lines.value(run(case), at.line.path)[year_index(at.year)])


@lru_cache(maxsize=16)
def in_scenario(case: Case, scenario: str) -> Case:
    """``case`` in another scenario, made once: a Case computes its cache key (~280 overrides) when it is made,
    and the Scenarios sheet and a PM copy's values ask for one in each cell of their scenario rows (~5,000 in a
    PM copy: a quarter of a second)."""
    return case.with_(scenario=scenario)


def _percentile(at: ValueAt) -> float:  # Monte Carlo percentile of the TAM over the forecast-racks case
    return float(np.percentile(fn._simulation(at.args.live)[:, year_index(at.year)], 100 * float(at.line.key)))


def _inputs(row: int, at: FormulaAt) -> str:
    return f"Inputs!{xl_rowcol_to_cell(row, at.col)}"


def _rack_used(at: FormulaAt) -> str:  # the racks typed on Inputs, else the forecast
    override = _inputs(L.INPUTS_RACKS_OVERRIDE_ROW, at)
    return f'IF({override}="",{at.ref(0)},{override})'


KINDS: dict[str, Kind] = {k.name: k for k in (
    Block("lines", "CPO_LINES", _registry_line),
    Block("pctl", "CPO_PERCENTILES", _percentile),
    CaseKey("case"),
    AddIn("addin_tam", layer=False),
    AddIn("addin_layer", layer=True),
    Recipe("rack_used", _rack_used, lambda at: at.args.overrides.get(at.year, at.v(0))),
    Recipe("racks", lambda at: _inputs(L.INPUTS_RACKS_ROW, at), lambda at: at.racks[at.year], link_style=True),
    Recipe("link", lambda at: at.ref(0), lambda at: at.v(0), link_style=True),
    Sum("sum"),
    Recipe("ratio", lambda at: f"IF({at.ref(1)}=0,0,{at.ref(0)}/{at.ref(1)})",
           lambda at: 0.0 if at.v(1) == 0 else at.v(0) / at.v(1)),
    Indicator("diff_flag", lambda r, t: f"ABS({r(0)}-{r(1)})>{t}*MAX(1,ABS({r(1)}))",
              lambda v, t: abs(v(0) - v(1)) > t * max(1.0, abs(v(1))), check=True),
    Indicator("excess_flag", lambda r, t: f"{r(0)}>{r(1)}*(1+{t})",
              lambda v, t: v(0) > v(1) * (1 + t), check=True),
    Indicator("share_flag", lambda r, t: f"OR({r(0)}<0,{r(0)}>1+{t})",
              lambda v, t: v(0) < 0 or v(0) > 1 + t, check=True),
    Indicator("positive_flag", lambda r, t: f"{r(0)}>{t}", lambda v, t: v(0) > t, check=True),
    Indicator("at_capacity", lambda r, t: f"{r(0)}>=1-{t}",  # the binding constraint: a reading, not a check
              lambda v, t: v(0) >= 1 - t, check=False),
)}


def kind(line: L.Line) -> Kind:
    """The kind of a line; raises naming an unknown kind."""
    try:
        return KINDS[line.kind]
    except KeyError:
        raise ValueError(f"layout: unknown line kind {line.kind!r} (line {line.name}); known: "
                         f"{', '.join(KINDS)}") from None


def formula(line: L.Line, row: int, col: int, sheet: str, places: dict[str, Place],
            check_rows: tuple[int, int] | None = None) -> str:
    """The Excel formula of a line in one year column."""
    return kind(line).formula(FormulaAt(line, row, col, sheet, places, check_rows))


def value(line: L.Line, year: int, args: ModelArgs, values: dict[str, dict[int, float]],
          racks: dict[int, float], check_names: Sequence[str] = ()) -> Any:
    """The cached value of a line in one year: the same recipe as :func:`formula`, evaluated in Python."""
    return kind(line).value(ValueAt(line, year, args, values, racks, check_names))


def _block_kind(line: L.Line) -> Block:
    found = kind(line)
    if not isinstance(found, Block):
        raise ValueError(f"layout: {line.name} is a {line.kind} row, not a block row")
    return found


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
    return f"{{={_block_kind(block[0]).function}({case},{keys},{years})}}"


def evaluate(sheets: Sequence[L.SeriesSheet], args: ModelArgs,
             racks: dict[int, float]) -> dict[str, dict[int, float]]:
    """Every line's value per year, in layout order (a line only refers to lines above it)."""
    values: dict[str, dict[int, float]] = {}
    for sheet in sorted(sheets, key=lambda s: s.name != L.ENGINE):  # the Engine's blocks first: others link
        lines = [item for item in sheet.rows if isinstance(item, L.Line)]
        flags = [ln.name for ln in lines if kind(ln).is_flag]
        for line in lines:
            values[line.name] = {y: value(line, y, args, values, racks, flags) for y in YEARS}
    return values
