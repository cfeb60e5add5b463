"""The Sources sheet: the published forecasts the cross-checks use, then every default number's source, date and
grade."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cpo_xl.engine.crosscheck import published
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.checks import METRIC_UNITS
from cpo_xl.workbook.write.sheets.common import ROW_PT, fit_row, page_starts, row_pt
from cpo_xl.workbook.write.style import Styles


def write_sources(ws: Any, st: Styles, rows: list[dict[str, Any]]) -> None:
    ws.write_string(0, L.LABEL_COL, "Sources: every default number with source, date and grade (H/M/L)", st.title)
    ws.write_string(1, L.LABEL_COL,
                    "Grades: H vendor/official; M credible secondary or consensus; L derived, single-source, "
                    "or an explicit assumption. 'note' = the mid-2026 sell-side research note.")
    breaks, after = _write_published(ws, st, published())
    cols, top = T.SOURCES, L.sources_table_row(after)
    ws.write_row(top, L.LABEL_COL, cols.headers, st.head_left)
    for i, item in enumerate(rows):
        for col, column in enumerate(cols.columns):
            field = column.name
            fmt = (st.wrap_low if field in ("label", "source", "key") else
                   st.number(L.input_number_format(item[field])) if field == "base" else
                   st.unit_wrap if field == "unit" else None)
            st.value(ws, top + 1 + i, col, item[field], fmt)
        fit_row(ws, top + 1 + i, [(item[f], cols.width(f)) for f in ("key", "label", "source", "unit")])
    for col, width in enumerate(cols.widths):  # one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    # the defaults start a page under their column titles, which repeat on each page after it (LibreOffice
    # repeats them from where they stand, so not over the published forecasts above)
    ws.set_h_pagebreaks([*breaks, top])
    ws.repeat_rows(top, top)
    ws.freeze_panes(0, 1)


def _published_row(p: Any) -> dict[str, Any]:
    """A published forecast as the table shows it: its value with its unit beside the metric and scope."""
    return {"id": p.id, "source": p.source, "year": p.year, "value": p.value,
            "scope": f"{METRIC_UNITS[p.metric]}; {p.metric}: {p.scope}", "date": p.date, "grade": p.grade}


def _write_published(ws: Any, st: Styles, forecasts: Sequence[Any]) -> tuple[list[int], int]:
    """The published forecasts in the defaults' columns: each value with separators and its unit, the source and
    scope wrapped; where they run onto another page, their column titles again at its top. Returns the page
    breaks and the number of rows below the section title."""
    table, top = T.PUBLISHED, L.SOURCES_PUBLISHED_TOP
    header = st.titled_headers(ws, top, "Published forecasts used as cross-checks", table.headers)
    value = st.number(L.INPUT_NUMBER_LARGE)
    shown = [_published_row(p) for p in forecasts]
    wrapped = [[(str(row[name]), T.SOURCES.width(T.SOURCES.columns[table.col(name)].name))
                for name in ("source", "scope")] for row in shown]
    above = 20.0 + ROW_PT * (header - L.TITLE_ROW)  # the 14 pt title row, the rows under it to the column titles
    starts = set(page_starts([row_pt(texts) for texts in wrapped], above, L.page_height_pt("Sources")))
    r, breaks = header + 1, []
    for i, (row, texts) in enumerate(zip(shown, wrapped, strict=True)):
        if i in starts:  # a new page: the column titles again
            breaks.append(r)
            ws.write_row(r, L.LABEL_COL, table.headers, st.head_left)
            r += 1
        for name, v in row.items():
            fmt = value if name == "value" else st.wrap_low if name in ("source", "scope") else None
            st.value(ws, r, table.col(name), v, fmt)
        fit_row(ws, r, texts)
        r += 1
    return breaks, r - top
