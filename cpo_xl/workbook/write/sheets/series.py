"""The time-series sheets: one row per line item, the same year columns on every sheet."""

from __future__ import annotations

from typing import Any

from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.sheets.common import fit_row
from cpo_xl.workbook.write.style import Styles


def write_series_sheet(ws: Any, sheet: L.SeriesSheet, st: Styles, places: dict[str, grid.Place],
                       values: dict[str, dict[int, float]], master: float) -> None:
    ws.write_string(L.TITLE_ROW, L.LABEL_COL, sheet.title, st.title)
    st.master_check_row(ws, master, also_at=(L.SERIES_PAGE2_CHECK_COL,))
    if sheet.note:
        ws.write_string(L.NOTE_ROW, L.LABEL_COL, sheet.note, st.note_line)
    year_header(ws, st, L.HEADER_ROW)
    ws.freeze_panes(L.HEADER_ROW + 1, L.FIRST_YEAR_COL)
    lines = [item for item in sheet.rows if isinstance(item, L.Line)]
    # label, unit and key wrap (no cut labels) in columns narrow enough that they and seven years print on one
    # page at L.PRINT_SCALE (the years split 2023-2029 / 2030-2035, the three columns repeated)
    widths = L.series_widths(sheet.name)
    for col, width in zip((L.LABEL_COL, L.UNIT_COL, L.KEY_COL), widths, strict=True):
        ws.set_column(col, col, width)
    ws.set_column(L.FIRST_YEAR_COL, L.LAST_YEAR_COL, L.YEAR_WIDTH)
    ws.set_v_pagebreaks([L.year_col(L.SERIES_SPLIT_YEAR)])
    flag_rows = [places[ln.name].row for ln in lines if grid.kind(ln).is_flag]
    check_rows = (min(flag_rows), max(flag_rows)) if flag_rows else None
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if isinstance(item, L.YearHeader):
            year_header(ws, st, row)
            continue
        if isinstance(item, L.Section):
            ws.write_string(row, L.LABEL_COL, item.title, st.section)
            continue
        ws.write_string(row, L.LABEL_COL, item.label, st.wrap_low)
        ws.write_string(row, L.UNIT_COL, item.unit, st.unit_wrap)
        if item.key:
            ws.write_string(row, L.KEY_COL, item.key, st.key_wrap)
        fit_row(ws, row, [(text, width) for text, width in zip((item.label, item.unit, item.key), widths,
                                                                 strict=True)])
        fmt = st.number(item.fmt, link=grid.kind(item).link_style)
        if grid.kind(item).one_cell:  # one key cell, in the first year column
            st.formula(ws, row, L.FIRST_YEAR_COL, grid.formula(item, row, L.FIRST_YEAR_COL, sheet.name, places),
                       st.case_key, values[item.name][YEARS[0]])
        elif not grid.kind(item).is_block:
            for year in YEARS:
                col = L.year_col(year)
                st.formula(ws, row, col, grid.formula(item, row, col, sheet.name, places, check_rows), fmt,
                           values[item.name][year])
    for first_row, block in blocks(sheet):
        st.array_formula(ws, (first_row, L.FIRST_YEAR_COL), (first_row + len(block) - 1, L.LAST_YEAR_COL),
                         grid.block_formula(block, first_row, sheet.name, places),
                         [[values[ln.name][y] for y in YEARS] for ln in block],
                         [st.number(ln.fmt) for ln in block])


def year_header(ws: Any, st: Styles, row: int) -> None:
    """The header row of the line grid: line item, unit, key and the years."""
    for col, text in ((L.LABEL_COL, "line item"), (L.UNIT_COL, "unit"), (L.KEY_COL, "key")):
        ws.write_string(row, col, text, st.head_left)
    for year in YEARS:
        ws.write_number(row, L.year_col(year), year, st.head)


def blocks(sheet: L.SeriesSheet) -> list[tuple[int, list[L.Line]]]:
    """Runs of consecutive block rows that read the same case: each becomes one array formula."""
    runs: list[tuple[int, list[L.Line]]] = []
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if not (isinstance(item, L.Line) and grid.kind(item).is_block):
            continue
        if runs and runs[-1][0] + len(runs[-1][1]) == row and (runs[-1][1][0].kind, runs[-1][1][0].case) == (
                item.kind, item.case):
            runs[-1][1].append(item)
        else:
            runs.append((row, [item]))
    return runs
