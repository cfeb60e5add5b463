"""Cell styles (FAST: one input style, links green, calculations black) and the one cell writer.

The writer knows the two products: the live model (formula + cached value) and the PM copy (``static``:
every formula that calls a CPO_* function is replaced by its value; built-in formulas stay live).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.workbook.spec import layout as L

INPUT_FILL, INPUT_FONT, LINK_FONT, HEAD_FILL = "#FFF2CC", "#0000FF", "#007A33", "#1F3864"
UDF_CALL = re.compile(r"\bCPO_[A-Z_]+\(")


def _fmt(fmts: list[Any], i: int, j: int) -> Any:
    """A block's format: one per row, or one per cell (a list per row)."""
    return fmts[i][j] if isinstance(fmts[i], list) else fmts[i]


@dataclass(frozen=True)
class Guard:
    """What Excel itself checks and shows on an input cell: a data validation (XlsxWriter options), the input
    message naming the unit and what is allowed, and a note (comment) with the source, date and grade."""

    validation: dict[str, Any]
    title: str
    message: str
    note: str


def number_guard(kind: str, low: float | None, high: float | None, *, title: str, message: str,
                 note: str, low_open: bool = False, high_open: bool = False) -> Guard:
    """A guard for a number: 'decimal' or 'integer', within [low, high] (Excel's bounds are inclusive; an open
    bound is stated in the message and checked by cpo-xl pull)."""
    if low is not None and high is not None:
        rule: dict[str, Any] = {"criteria": "between", "minimum": low, "maximum": high}
    elif low is not None:
        rule = {"criteria": ">" if low_open else ">=", "value": low}
    elif high is not None:
        rule = {"criteria": "<" if high_open else "<=", "value": high}
    else:
        rule = {"criteria": "between", "minimum": -1e300, "maximum": 1e300}
    return Guard({"validate": kind, **rule}, title, message, note)


class Styles:
    def __init__(self, wb: xlsxwriter.Workbook, static: bool = False, scenario: str = "base") -> None:
        self.wb = wb
        self.static = static
        self.scenario = scenario  # the cached value of the scenario shown in row 2
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.head = wb.add_format({"bold": True, "font_color": "white", "bg_color": HEAD_FILL, "align": "center"})
        self.head_left = wb.add_format({"bold": True, "font_color": "white", "bg_color": HEAD_FILL})
        self.section = wb.add_format({"bold": True, "italic": True})
        self.unit = wb.add_format({"italic": True, "font_color": "#595959"})
        self.key = wb.add_format({"font_color": "#595959"})
        self.key_wrap = wb.add_format({"font_color": "#595959", "text_wrap": True})
        self.case_key = wb.add_format({"font_color": "#595959", "num_format": L.CASE_KEY_FORMAT})  # not shown
        self.unit_wrap = wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.wrap_low = wb.add_format({"text_wrap": True})  # wrapped cells in a table of bottom-aligned rows
        self.input = wb.add_format({"bg_color": INPUT_FILL, "font_color": INPUT_FONT, "border": 1,
                                    "border_color": "#BFBFBF"})
        self.check_ok = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.check_bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.bold = wb.add_format({"bold": True})
        self.bold_top = wb.add_format({"bold": True, "valign": "top"})
        self.bold_wrap = wb.add_format({"bold": True, "align": "left", "text_wrap": True, "valign": "top"})
        self.bold_left = wb.add_format({"bold": True, "align": "left"})
        self.bold_right = wb.add_format({"bold": True, "align": "right"})
        self.takeaway = wb.add_format({"text_wrap": True, "valign": "top", "bold": True, "font_color": HEAD_FILL})
        self.sentence = wb.add_format({"text_wrap": True, "valign": "top", "font_color": HEAD_FILL})
        self.head_wrap = wb.add_format({"bold": True, "font_color": "white", "bg_color": HEAD_FILL, "text_wrap": True,
                                        "valign": "top"})
        self.note = wb.add_format({"text_wrap": True, "valign": "top", "italic": True, "font_color": "#595959"})
        self.note_line = wb.add_format({"italic": True, "font_color": "#595959"})  # one line, over empty cells
        self._numbers: dict[tuple[str, bool], Any] = {}
        # the PM copy's inputs are fixed values (only the scenario cell is a control): no input fill there
        self.control = self.input
        if static:
            self.input = wb.add_format({"font_color": "#404040", "border": 1, "border_color": "#BFBFBF"})

    def guard(self, ws: Any, row: int, col: int, guard: Guard, control: bool = False) -> None:
        """Data validation with an input message on an input cell (live model, and the PM copy's controls), and
        its note (both files)."""
        if control or not self.static:
            ws.data_validation(row, col, row, col, {
                **guard.validation, "input_title": guard.title[:32], "input_message": guard.message[:255],
                "error_title": "Not allowed"[:32], "error_message": guard.message[:255]})
        ws.write_comment(row, col, guard.note, {"x_scale": 2.2, "y_scale": 1.6})  # = sheets.common.NOTE_SIZE

    def input_number(self, fmt: str) -> Any:
        """The input style with a number format (in the PM copy: a fixed value)."""
        key = (f"input:{fmt}", False)
        if key not in self._numbers:
            props = {"font_color": "#404040"} if self.static else {"bg_color": INPUT_FILL, "font_color": INPUT_FONT}
            self._numbers[key] = self.wb.add_format({**props, "border": 1, "border_color": "#BFBFBF",
                                                     "num_format": fmt})
        return self._numbers[key]

    def right(self, fmt: str) -> Any:
        """A number format aligned right, so that text in the same column ('n/a') lines up with the numbers."""
        key = (f"right:{fmt}", False)
        if key not in self._numbers:
            self._numbers[key] = self.wb.add_format({"num_format": fmt, "align": "right"})
        return self._numbers[key]

    def number(self, fmt: str, link: bool = False) -> Any:
        if (fmt, link) not in self._numbers:
            props: dict[str, Any] = {"num_format": fmt}
            if link:
                props["font_color"] = LINK_FONT
            self._numbers[(fmt, link)] = self.wb.add_format(props)
        return self._numbers[(fmt, link)]

    def formula(self, ws: Any, row: int, col: int, text: str, fmt: Any, value: Any) -> None:
        """A formula with its cached value; in the PM copy a CPO_* formula becomes its value."""
        if self.static and UDF_CALL.search(text):
            self.value(ws, row, col, value, fmt)
        else:
            ws.write_formula(row, col, text, fmt, value)

    def array_formula(self, ws: Any, first: tuple[int, int], last: tuple[int, int], text: str,
                      values: list[list[Any]], fmts: list[Any]) -> None:
        """One array formula over a block (rows x columns) with every member's cached value and each row's
        format; in the PM copy the block becomes its values. Excel stores the members as plain values."""
        (r0, c0), (r1, c1) = first, last
        if not (self.static and UDF_CALL.search(text)):
            ws.write_array_formula(r0, c0, r1, c1, text, _fmt(fmts, 0, 0), values[0][0])
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if (i, j) != (0, 0) or (self.static and UDF_CALL.search(text)):
                    self.value(ws, r0 + i, c0 + j, v, _fmt(fmts, i, j))
        if (r1 - r0 + 1, c1 - c0 + 1) != (len(values), len(values[0])):
            raise ValueError(f"array block {first}-{last} does not match {len(values)}x{len(values[0])} values")

    @staticmethod
    def value(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """A constant; text is always stored as text (a label starting with '=' never becomes a formula)."""
        if isinstance(value, str):
            ws.write_string(row, col, value, fmt)
        else:
            ws.write_number(row, col, value, fmt)

    def titled_headers(self, ws: Any, top: int, title: str, headers: tuple[str, ...] | list[str]) -> int:
        """A table's section title at row ``top`` (column A) and its column titles one row below; returns the
        row of the column titles."""
        ws.write_string(top, L.LABEL_COL, title, self.section)
        ws.write_row(top + 1, L.LABEL_COL, headers, self.head_left)
        return top + 1

    def master_check_row(self, ws: Any, master_value: float, also_at: tuple[int, ...] = ()) -> None:
        """Row 2: the master check (its value in C2, in words beside it) and the scenario in force; ``also_at``:
        first columns of later pages across that repeat the words and the scenario (C2 repeats by itself)."""
        ws.write_string(L.CHECK_ROW, L.LABEL_COL, "Master check (0 = all checks hold)", self.bold)
        ws.write_formula(L.CHECK_ROW, L.KEY_COL, "=master_check", self.number("0"), master_value)
        rng = xl_rowcol_to_cell(L.CHECK_ROW, L.KEY_COL)
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": 0, "format": self.check_ok})
        ws.conditional_format(rng, {"type": "cell", "criteria": "!=", "value": 0, "format": self.check_bad})
        words = "all hold" if master_value == 0 else "FAIL: see Checks"  # the master check in words beside it
        fixed = xl_rowcol_to_cell(L.CHECK_ROW, L.KEY_COL, row_abs=True, col_abs=True)
        for words_col, scenario_col in ((L.KEY_COL + 1, L.SCENARIO_SHOWN_COL),
                                        *((c, c + L.SCENARIO_SHOWN_COL - L.KEY_COL - 1) for c in also_at)):
            ws.write_formula(L.CHECK_ROW, words_col, f'=IF({fixed}=0,"all hold","FAIL: see Checks")',
                             self.bold_left, words)
            ws.write_string(L.CHECK_ROW, scenario_col, "Scenario:", self.bold_right)
            ws.write_formula(L.CHECK_ROW, scenario_col + 1, "=scenario", self.bold_left, self.scenario)
