"""The Bridge sheet: what moves the TAM between two assumption sets (Shapley attribution)."""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.analysis.bridge import Bridge, Component
from cpo_xl.analysis.explain import fmt_value
from cpo_xl.engine.inputs import shipped
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.sheets.common import fit_row
from cpo_xl.workbook.write.style import Styles


def write_bridge(ws: Any, st: Styles, bridges: list[Bridge], blocks: list[L.BridgeBlock], master: float) -> None:
    """Static Shapley bridges of the CPO TAM (values written by the build): per bridge the start, each
    component and the end; the running level, the waterfall's helper series and a check are live formulas."""
    ws.write_string(L.TITLE_ROW, L.LABEL_COL,
                    f"Bridge: why the CPO TAM {L.BRIDGE_YEAR} differs between scenarios", st.title)
    st.master_check_row(ws, master)
    # the note wraps over the printed columns (it ran past the page's edge, and over itself where column A
    # repeated on a second page across)
    note = ("Static values computed by cpo-xl build (cpo-xl bridge A B --year Y): exact Shapley attribution over "
            "the inputs that differ, grouped by section when more than 12 differ; the components add up to the "
            "change. Editing Inputs does not move them.")
    ws.merge_range(L.BRIDGE_NOTE_ROW, L.LABEL_COL, L.BRIDGE_NOTE_ROW, L.BRIDGE_PRINT_LAST_COL, note, st.note)
    fit_row(ws, L.BRIDGE_NOTE_ROW, [(note, sum(L.BRIDGE_WIDTHS[:L.BRIDGE_PRINT_LAST_COL + 1]))])
    indent = st.wb.add_format({"indent": 1, "text_wrap": True})
    for b, block in zip(bridges, blocks, strict=True):
        _bridge_table(ws, st, b, block, indent)
    # each bridge's table, then its chart, on a printed page of its own (the table's wrapped inputs leave no room
    # for the chart under it)
    ws.set_h_pagebreaks(sorted({*(block.title for block in blocks[1:]),
                                *(L.chart_page_break(block.chart) for block in blocks)}))
    for col, width in enumerate(L.BRIDGE_WIDTHS):
        ws.set_column(col, col, width)


def _bridge_table(ws: Any, st: Styles, b: Bridge, block: L.BridgeBlock, indent: Any) -> None:
    ws.write_string(block.title, L.LABEL_COL,
                    f"{b.a.capitalize()} -> {b.b}: CPO TAM {b.year} [US$ M] ({len(b.components)} "
                    f"steps, {b.changed} inputs differ; static values)", st.section)
    for col, text in enumerate(L.BRIDGE_COLUMNS):
        if not text:  # the scenario's column: no title
            continue
        ws.write_string(block.header, col, text, st.head_left if col in (L.BR_STEP_C, L.BR_INPUTS_C) else st.head)
    money, change = st.number("#,##0"), st.number("+#,##0;-#,##0;0")
    steps = [(f"{b.a}: CPO TAM", None, ""), *[(c.label, c.value, _inputs_text(c)) for c in b.components],
             (f"{b.b}: CPO TAM", None, "")]
    level = b.start
    for i, (label, value, inputs) in enumerate(steps):
        r = block.first + i
        cell = {c: xl_rowcol_to_cell(r, c) for c in range(len(L.BRIDGE_COLUMNS))}
        above = xl_rowcol_to_cell(r - 1, L.BR_LEVEL_C)
        ws.write_string(r, L.BR_STEP_C, label, st.bold if value is None else None)
        ws.write_string(r, L.BR_UNIT_C, "US$ M", st.unit)
        if value is None:  # the two ends: the line in each scenario
            end = b.start if i == 0 else b.end
            ws.write_number(r, L.BR_LEVEL_C, end, money)
            ws.write_formula(r, L.BR_BASE_C, "=0", money, 0.0)
            ws.write_formula(r, L.BR_UP_C, "=0", money, 0.0)
            ws.write_formula(r, L.BR_DOWN_C, "=0", money, 0.0)
            ws.write_formula(r, L.BR_TOTAL_C, f"={cell[L.BR_LEVEL_C]}", money, end)
            continue
        before, level = level, level + value
        ws.write_number(r, L.BR_CHANGE_C, value, change)
        ws.write_formula(r, L.BR_LEVEL_C, f"={above}+{cell[L.BR_CHANGE_C]}", money, level)
        ws.write_string(r, L.BR_INPUTS_C, inputs, indent)
        fit_row(ws, r, [(label, L.BRIDGE_WIDTHS[L.BR_STEP_C]), (inputs, L.BRIDGE_WIDTHS[L.BR_INPUTS_C] - 2)])
        ws.write_formula(r, L.BR_BASE_C, f"={above}-MAX(-{cell[L.BR_CHANGE_C]},0)", money,
                         before - max(-value, 0.0))  # the lower of the two levels
        ws.write_formula(r, L.BR_UP_C, f"=MAX({cell[L.BR_CHANGE_C]},0)", money, max(value, 0.0))
        ws.write_formula(r, L.BR_DOWN_C, f"=MAX(-{cell[L.BR_CHANGE_C]},0)", money, max(-value, 0.0))
        ws.write_formula(r, L.BR_TOTAL_C, "=0", money, 0.0)
    first, last = xl_rowcol_to_cell(block.first + 1, L.BR_CHANGE_C), xl_rowcol_to_cell(block.last - 1, L.BR_CHANGE_C)
    start, end = (xl_rowcol_to_cell(r, L.BR_LEVEL_C) for r in (block.first, block.last))
    ws.write_string(block.check, L.BR_STEP_C, "Check: steps add up (0 = holds)")
    ws.write_string(block.check, L.BR_UNIT_C, "flag", st.unit)
    total = math.fsum(c.value for c in b.components)
    flag = 0.0 if abs(total - (b.end - b.start)) <= grid.CHECK_TOLERANCE * max(1.0, abs(b.start)) else 1.0
    ws.write_formula(block.check, L.BR_LEVEL_C, f"=IF(ABS(SUM({first}:{last})-({end}-{start}))>"
                                                f"{grid.TOLERANCE_REF}*MAX(1,ABS({start})),1,0)", st.number("0"), flag)


def _inputs_text(component: Component) -> str:
    """'key from -> to; ...' for one step of a bridge."""
    _, meta, _ = shipped()
    return "; ".join(f"{k} {fmt_value(x, meta[k].unit if k in meta else '')} -> "
                     f"{fmt_value(y, meta[k].unit if k in meta else '')}"
                     for k, x, y in zip(component.keys, component.before, component.after, strict=True))
