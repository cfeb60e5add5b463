"""The PM copy's scenario switch: every cell whose content depends on the scenario picks its value from a hidden
block of precomputed bear / base / bull values with built-in formulas (INDEX over the row, MATCH on the scenario
cell), which Excel and LibreOffice both evaluate without the add-in.

How: the static copy is written once per scenario (XlsxWriter keeps every cell of a sheet in ``Worksheet.table``
until the file is closed); a cell whose content is the same in all three stays as written (built-in formulas stay
live and follow the switched cells); a cell whose value or formula differs becomes
``=INDEX(Scenario_Values!$B$k:$D$k,Scenario_Values!$B$2)`` over its three values. The scenario cell itself is the
control and is left alone. So nothing half-updates: a number either is the same in every scenario or switches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.workbook import layout as L

VALUES_SHEET = "Scenario_Values"
INDEX_ROW = 1  # B2: which column (1 bear, 2 base, 3 bull) is in force
FIRST_VALUE_ROW = 3  # row 4 on: one switched cell per row (its address, then bear, base, bull)
CONTROL = (L.INPUTS_SCENARIO_ROW, 2)  # Inputs!C4


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


def apply(wb: Any, sheets: dict[str, Any], shown: str,
          variants: dict[str, dict[str, dict[tuple[int, int], tuple[Content, Any]]]]) -> int:
    """Turn every scenario-dependent cell of the workbook being written (scenario ``shown``) into a pick from
    the hidden values sheet; ``variants`` holds :func:`contents` of the copy in every scenario. Returns the
    number of switched cells."""
    mine = contents(wb, sheets)
    values = wb.add_worksheet(VALUES_SHEET)
    values.write_string(0, 0, "cell (PM copy: the value of each scenario-dependent cell in each scenario)")
    for j, s in enumerate(SCENARIOS):
        values.write_string(0, 1 + j, s)
    header = f"$B$1:${'BCD'[len(SCENARIOS) - 1]}$1"
    values.write_string(INDEX_ROW, 0, "scenario in force (column)")
    values.write_formula(INDEX_ROW, 1, f"=MATCH(scenario,{header},0)", None, SCENARIOS.index(shown) + 1)
    pick = f"{VALUES_SHEET}!$B${INDEX_ROW + 1}"
    row = FIRST_VALUE_ROW
    by_scenario = {**variants, shown: mine}
    for name, ws in sheets.items():
        cells = sorted(set().union(*(by_scenario[s].get(name, {}) for s in SCENARIOS)))
        for at in cells:
            if name == "Inputs" and at == CONTROL:
                continue
            found = [by_scenario[s].get(name, {}).get(at) for s in SCENARIOS]
            kinds = {(c[0].kind, c[0].formula) if c else ("b", "") for c in found}
            if len(kinds) == 1 and (next(iter(kinds))[0] == "f" or len({c[0].value if c else "" for c in found}) == 1):
                continue  # the same constant, or the same formula (live: it follows the switched cells)
            picked = [c[0].value if c else "" for c in found]
            values.write_string(row, 0, f"{name}!{xl_rowcol_to_cell(*at)}")
            for j, v in enumerate(picked):
                if isinstance(v, str):
                    values.write_string(row, 1 + j, v)
                else:
                    values.write_number(row, 1 + j, float(v))
            own = mine.get(name, {}).get(at)
            last = xl_rowcol_to_cell(row, len(SCENARIOS), row_abs=True, col_abs=True)
            ws.write_formula(*at, f"=INDEX({VALUES_SHEET}!$B${row + 1}:{last},{pick})", own[1] if own else None,
                             picked[SCENARIOS.index(shown)])
            row += 1
    values.hide()
    return row - FIRST_VALUE_ROW
