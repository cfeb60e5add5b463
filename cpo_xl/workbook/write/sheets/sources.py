"""The Sources sheet: every default number's source, date and grade."""

from __future__ import annotations

from typing import Any

from cpo_xl.engine.crosscheck import published
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.common import fit_row
from cpo_xl.workbook.write.style import Styles


def write_sources(ws: Any, st: Styles, rows: list[dict[str, Any]]) -> None:
    ws.write_string(0, L.LABEL_COL, "Sources: every default number with source, date and grade (H/M/L)", st.title)
    ws.write_string(1, L.LABEL_COL,
                    "Grades: H vendor/official; M credible secondary or consensus; L derived, single-source, "
                    "or an explicit assumption. 'note' = the mid-2026 sell-side research note.")
    cols = T.SOURCES
    ws.write_row(3, L.LABEL_COL, cols.headers, st.head_left)
    for i, item in enumerate(rows):
        for col, column in enumerate(cols.columns):
            field = column.name
            fmt = (st.wrap_low if field in ("label", "source", "key") else
                   st.number(L.input_number_format(item[field])) if field == "base" else
                   st.unit_wrap if field == "unit" else None)
            st.value(ws, 4 + i, col, item[field], fmt)
        fit_row(ws, 4 + i, [(item[f], cols.width(f)) for f in ("key", "label", "source", "unit")])
    r = 6 + len(rows)
    forecasts = T.PUBLISHED
    st.titled_headers(ws, r, "Published forecasts used as cross-checks", forecasts.headers)
    for i, p in enumerate(published()):
        shown = {"id": p.id, "source": p.source, "year": p.year, "value": p.value, "scope": f"{p.metric}: {p.scope}",
                 "date": p.date, "grade": p.grade}
        for name, v in shown.items():
            st.value(ws, r + 2 + i, forecasts.col(name), v)
    for col, width in enumerate(cols.widths):  # one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 1)
