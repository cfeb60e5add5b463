"""What several sheet writers share: the engine area, year-table headers, row heights, guards."""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR
from cpo_xl.excel.blocks import NOT_DEFINED
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec.tables import Table
from cpo_xl.workbook.write.style import Guard, Styles, number_guard

NOTE_SIZE = {"x_scale": 2.2, "y_scale": 1.6}  # a note box that shows a source line unwrapped


class EngineArea:
    """Rows of the hidden Engine sheet below its line blocks, for the other sheets' block formulas (tornado,
    company table, cross-checks): each block is one array formula there, and its sheet links to it."""

    def __init__(self, ws: Any, st: Styles, top: int) -> None:
        self.ws, self.st, self.top = ws, st, top
        self.blocks: dict[str, tuple[int, int]] = {}  # title -> first (row, column) of its array
        self.recorded: list[tuple[int, int]] = []  # cells of the build record

    def block(self, title: str, formula: str, values: list[list[Any]], fmts: list[Any]) -> tuple[int, int]:
        """Write one array block under a title; returns its first (row, column) on the Engine sheet."""
        self.ws.write_string(self.top, L.LABEL_COL, title, self.st.section)
        first = (self.top + 1, L.FIRST_YEAR_COL)
        last = (first[0] + len(values) - 1, first[1] + len(values[0]) - 1)
        self.st.array_formula(self.ws, first, last, formula, values, fmts)
        self.top = L.below(self.top, len(values) + 1)
        self.blocks[title] = first
        return first

    def record(self, title: str, text: str) -> None:
        """Text under a title, in cells of at most L.RECORD_CHUNK characters down column A."""
        self.ws.write_string(self.top, L.LABEL_COL, title, self.st.section)
        for i in range(0, len(text), L.RECORD_CHUNK):
            at = (self.top + 1 + i // L.RECORD_CHUNK, L.LABEL_COL)
            self.ws.write_string(*at, text[i:i + L.RECORD_CHUNK])
            self.recorded.append(at)
        self.top = L.below(self.top, len(text) // L.RECORD_CHUNK + 2)

    def links(self, ws: Any, at: tuple[int, int], source: tuple[int, int], values: list[list[Any]],
              fmts: list[Any]) -> None:
        """Plain links from ``ws`` (block at ``at``) to the Engine block at ``source``, with cached values."""
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                ref = xl_rowcol_to_cell(source[0] + i, source[1] + j, row_abs=True, col_abs=True)
                fmt = fmts[i][j] if isinstance(fmts[i], list) else fmts[i]
                ws.write_formula(at[0] + i, at[1] + j, f"={L.ENGINE}!{ref}", fmt, v)


def year_guard(what: str) -> Guard:
    return number_guard("integer", FIRST_YEAR, LAST_YEAR, title="Year",
                        message=f"A year {FIRST_YEAR}-{LAST_YEAR} (whole number): {what}.",
                        note=f"{what} [year]: an input of this sheet, {FIRST_YEAR}-{LAST_YEAR}.")


def year_table_header(ws: Any, st: Styles, title: str, master: float,
                       year_input: tuple[str, tuple[int, int], int], header_row: int,
                       table: Table, control: bool = False) -> str:
    """Title, master check, a year input cell and the column titles of a company/input table; returns the
    absolute reference of the year cell."""
    label, (row, col), year = year_input
    ws.write_string(L.TITLE_ROW, L.LABEL_COL, title, st.title)
    st.master_check_row(ws, master)
    ws.write_string(row, L.LABEL_COL, label + (" (fixed in this copy)" if st.static and not control else ""), st.bold)
    ws.write_number(row, col, year, st.control if control else st.input)
    st.guard(ws, row, col, year_guard(label), control=control)
    wrapped_headers(ws, st, header_row, table)
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def wrapped_headers(ws: Any, st: Styles, row: int, table: Table, widths: tuple[float | None, ...] = ()) -> None:
    """A table's column titles, wrapped in columns sized for print (the table's widths, or ``widths`` where the
    sheet's columns are another table's): the row is as tall as the longest title needs, two lines at least."""
    for c, text in enumerate(table.headers):
        ws.write_string(row, c, text, st.head_wrap)
    sized = [(text, width or 0) for text, width in zip(table.headers, widths or table.widths, strict=False)]
    ws.set_row(row, ROW_PT * max(2, lines_needed(sized)))


def or_na(value: float) -> Any:
    return float(value) if math.isfinite(value) else NOT_DEFINED


def flag_count(ws: Any, st: Styles, table: Table, label: str, first: int, last: int, flags: int) -> None:
    """Under a table's flag column (rows ``first``..``last``): their count, a SUM, one row down."""
    ws.write_string(last + 2, L.LABEL_COL, label, st.bold)
    flag = table.col("flag")
    ws.write_formula(last + 2, flag, f"=SUM({xl_rowcol_to_cell(first, flag)}:{xl_rowcol_to_cell(last, flag)})",
                     st.number("0"), float(flags))


def lines_needed(texts: list[tuple[str, float]]) -> int:
    """The most lines any text needs in its column, at about 1.1 characters per unit of column width."""
    return max(-(-len(text) // max(1, int(width * 1.05))) for text, width in texts)


def fit_row(ws: Any, row: int, texts: list[tuple[str, float]]) -> None:
    """Height of a row whose cells wrap (viewers do not auto-fit rows): :func:`lines_needed`."""
    lines = lines_needed(texts)
    if lines > 1:
        ws.set_row(row, ROW_PT * lines)


ROW_PT = 15.0  # a row's default height [pt]; a wrapped row is this per line (fit_row)


def row_pt(texts: list[tuple[str, float]]) -> float:
    """The height [pt] :func:`fit_row` gives a row of these texts in these column widths."""
    return ROW_PT * max(1, lines_needed(texts))


def page_starts(heights: list[float], used: float, page: float) -> list[int]:
    """Which rows of a table (their heights [pt]) start a new printed page, filling each page to L.PAGE_FILL of
    ``page`` [pt]; ``used``: the height above the first row on its page. Each later page starts with a copy of
    the table's column titles (one row)."""
    starts, filled = [], used
    for i, h in enumerate(heights):
        if filled + h > page * L.PAGE_FILL and i:
            starts.append(i)
            filled = ROW_PT
        filled += h
    return starts
