"""The PM copy's scenario switch: every cell whose content depends on the scenario picks its value from a hidden
block of precomputed bear / base / bull values with built-in formulas (INDEX over the row, MATCH on the scenario
cell), which Excel and LibreOffice both evaluate without the add-in.

How: the static copy is written once per scenario (XlsxWriter keeps every cell of a sheet in ``Worksheet.table``
until the file is closed); a cell whose content is the same in all three stays as written (built-in formulas stay
live and follow the switched cells); a cell whose value or formula differs becomes
``=INDEX(Scenario_Values!$B$k:$D$k,Scenario_Values!$B$2)`` over its three values. The scenario cell itself is the
control and is left alone. So nothing half-updates: a number either is the same in every scenario or switches.

The ranking year (Elasticity!C4) is a second control: the company table's cells (``by_year``) hold a value per
scenario and year, picked by ``(scenario column - 1) * years + (year - first year + 1)``; the rows keep the
order the copy was built with, as in the live workbook, and the ranks, the chart and the Summary follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L

VALUES_SHEET = "Scenario_Values"
INDEX_ROW = 1  # B2: which column (1 bear, 2 base, 3 bull) is in force
YEAR_INDEX_ROW = 2  # B3: which column of a cell that switches by scenario and ranking year is in force
FIRST_VALUE_ROW = 4  # row 5 on: one switched cell per row (its address, then bear, base, bull; or per year too)
LABEL_COL = 0  # A: what a row is (a switched cell's address, or the label of a pick)
PICK_COL = 1  # B: the column in force (rows INDEX_ROW, YEAR_INDEX_ROW); from B on: a row's values in turn
YEARS_COL, BEFORE_FIRST_COL = 2, 3  # C3: years per scenario; D3: the year before the first (the year pick)
CONTROL = (L.INPUTS_SCENARIO_ROW, L.INPUTS_SCENARIO_COL)  # Inputs!C4


def _abs(row: int, col: int) -> str:
    """An absolute A1 reference on the values sheet ($B$2)."""
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def _picks(row: int, n: int) -> str:
    """The ``n`` cells of a values-sheet row a pick chooses among, from column B ($B$5:$D$5)."""
    return f"{_abs(row, PICK_COL)}:{_abs(row, PICK_COL + n - 1)}"


@dataclass(frozen=True)
class Content:
    """What a cell holds, comparable across workbooks: kind ('n' number, 's' text, 'f' formula, 'b' blank),
    the formula text if any, and the value it shows."""

    kind: str
    formula: str
    value: Any


def contents(wb: Any, sheets: dict[str, Any]) -> dict[str, dict[tuple[int, int], tuple[Content, Any]]]:
    """Every written cell of every sheet, before the workbook is closed: (row, col) -> (content, format)."""
    strings = {index: text for text, index in wb.str_table.string_table.items()}
    out: dict[str, dict[tuple[int, int], tuple[Content, Any]]] = {}
    for name, ws in sheets.items():
        cells: dict[tuple[int, int], tuple[Content, Any]] = {}
        for row, columns in ws.table.items():
            for col, cell in columns.items():
                kind = type(cell).__name__
                if kind == "Number":
                    content = Content("n", "", float(cell.number))
                elif kind == "String":
                    content = Content("s", "", strings[cell.string])
                elif kind in ("Formula", "ArrayFormula"):
                    content = Content("f", f"{kind}:{cell.formula}", cell.value)
                elif kind == "Blank":
                    content = Content("b", "", "")
                else:
                    raise ValueError(f"{name}: cell kind {kind} is not expected in the PM copy")
                cells[(row, col)] = (content, cell.format)
        out[name] = cells
    return out


YearCells = dict[tuple[str, tuple[int, int]], dict[str, list[Any]]]


def apply(wb: Any, sheets: dict[str, Any], shown: str,
          variants: dict[str, dict[str, dict[tuple[int, int], tuple[Content, Any]]]],
          by_year: YearCells | None = None, year_cell: str = "", shown_year: int = YEARS[-1],
          keep: frozenset[tuple[str, tuple[int, int]]] = frozenset()) -> int:
    """Turn every scenario-dependent cell of the workbook being written (scenario ``shown``) into a pick from
    the hidden values sheet; ``variants`` holds :func:`contents` of the copy in every scenario; ``by_year``:
    (sheet, cell) -> scenario -> its value in each year, picked by the year in ``year_cell`` too; ``keep``: cells
    left as written (the build record). Returns the number of switched cells."""
    by_year = by_year or {}
    mine = contents(wb, sheets)
    values = wb.add_worksheet(VALUES_SHEET)
    values.write_string(0, LABEL_COL, "cell (PM copy: the value of each scenario-dependent cell in each scenario)")
    for j, s in enumerate(SCENARIOS):
        values.write_string(0, PICK_COL + j, s)
    header = _picks(0, len(SCENARIOS))
    values.write_string(INDEX_ROW, LABEL_COL, "scenario in force (column)")
    values.write_formula(INDEX_ROW, PICK_COL, f"=MATCH(scenario,{header},0)", None, SCENARIOS.index(shown) + 1)
    pick = f"{VALUES_SHEET}!{_abs(INDEX_ROW, PICK_COL)}"
    row = FIRST_VALUE_ROW
    if by_year:
        values.write_string(YEAR_INDEX_ROW, LABEL_COL, "scenario and ranking year in force (column: (scenario - 1) "
                                                       "x years + year - the year before the first)")
        values.write_number(YEAR_INDEX_ROW, YEARS_COL, len(YEARS))
        values.write_number(YEAR_INDEX_ROW, BEFORE_FIRST_COL, YEARS[0] - 1)
        years, before_first = _abs(YEAR_INDEX_ROW, YEARS_COL), _abs(YEAR_INDEX_ROW, BEFORE_FIRST_COL)
        values.write_formula(YEAR_INDEX_ROW, PICK_COL, f"=({pick}-1)*{years}+{year_cell}-{before_first}", None,
                             SCENARIOS.index(shown) * len(YEARS) + shown_year - YEARS[0] + 1)
    pick_year = f"{VALUES_SHEET}!{_abs(YEAR_INDEX_ROW, PICK_COL)}"
    by_scenario = {**variants, shown: mine}
    for name, ws in sheets.items():
        cells = sorted(set().union(*(by_scenario[s].get(name, {}) for s in SCENARIOS)))
        for at in cells:
            if (name == "Inputs" and at == CONTROL) or (name, at) in keep:  # the control; the build record
                continue
            if (name, at) in by_year:
                per_year = [v for s in SCENARIOS for v in by_year[(name, at)][s]]
                for j, v in enumerate(per_year):
                    _value(values, row, PICK_COL + j, v)
                span = _picks(row, len(per_year))
                own = mine.get(name, {}).get(at)
                ws.write_formula(*at, f"=INDEX({VALUES_SHEET}!{span},{pick_year})",
                                 own[1] if own else None, by_year[(name, at)][shown][YEARS.index(shown_year)])
                row += 1
                continue
            found = [by_scenario[s].get(name, {}).get(at) for s in SCENARIOS]
            kinds = {(c[0].kind, c[0].formula) if c else ("b", "") for c in found}
            if len(kinds) == 1 and (next(iter(kinds))[0] == "f" or len({c[0].value if c else "" for c in found}) == 1):
                continue  # the same constant, or the same formula (live: it follows the switched cells)
            picked = [c[0].value if c else "" for c in found]
            values.write_string(row, LABEL_COL, f"{name}!{xl_rowcol_to_cell(*at)}")
            for j, v in enumerate(picked):
                _value(values, row, PICK_COL + j, v)
            own = mine.get(name, {}).get(at)
            span = _picks(row, len(SCENARIOS))
            ws.write_formula(*at, f"=INDEX({VALUES_SHEET}!{span},{pick})", own[1] if own else None,
                             picked[SCENARIOS.index(shown)])
            row += 1
    values.hide()
    return row - FIRST_VALUE_ROW


def _value(ws: Any, row: int, col: int, value: Any) -> None:
    if isinstance(value, str):
        ws.write_string(row, col, value)
    else:
        ws.write_number(row, col, float(value))
