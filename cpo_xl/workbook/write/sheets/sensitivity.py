"""The Sensitivity sheet: each input alone to its bear and bull value, the two-way table, ranges."""

from __future__ import annotations

from typing import Any

from cpo_xl.engine.inputs import shipped
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.common import EngineArea, fit_row, wrapped_headers, year_table_header
from cpo_xl.workbook.write.style import Styles


def write_sensitivity(ws: Any, st: Styles, engine: EngineArea, tornado: Any, two_way: Any,
                      exposure_tornado: Any, ticker: str, master: float, year: int = 2030) -> int:
    """The TAM tornado (live through CPO_SENSITIVITY) and static tables; returns the tornado's row count."""
    cols = T.TORNADO
    year_ref = year_table_header(ws, st, "Sensitivity: each input moved alone to its bear and bull value",
                                  master, ("Tornado year", L.SENSITIVITY_YEAR_CELL, year),
                                  L.SENSITIVITY_HEADER_ROW, cols)
    for row, note in L.SENSITIVITY_NOTES:
        ws.write_string(row, L.LABEL_COL, note, st.note_line)
    first = L.SENSITIVITY_HEADER_ROW + 1
    _, meta, _ = shipped()
    for i, item in enumerate(tornado.itertuples()):
        r = first + i
        ws.write_string(r, cols.col("key"), item.key, st.key_wrap)
        ws.write_string(r, cols.col("label"), item.label, st.wrap_low)
        fit_row(ws, r, [(item.key, cols.width("key")),
                        (item.label, cols.width("label"))])
        for end in ("bear_value", "bull_value"):  # as the Inputs sheet shows them (1,000,000, 0.25)
            value = float(getattr(item, end))
            ws.write_number(r, cols.col(end), value, st.number(L.input_number_format(value)))
        ws.write_formula(r, cols.col("swing"), cols.formula("swing", r), st.number("#,##0"),
                         abs(item.at_bull - item.at_bear))
        ws.write_string(r, cols.col("unit"), meta[item.key].unit if item.key in meta else "", st.unit)
    last = first + len(tornado) - 1
    ends = [[float(t.at_bear - t.base), float(t.at_bull - t.base)] for t in tornado.itertuples()]
    fmts = [st.number("#,##0")] * len(ends)
    source = engine.block("Sensitivity: tornado", f"{{=CPO_TORNADO(case_forecast,Sensitivity!"
                          f"{cols.span('key', first, last)},Sensitivity!{year_ref})}}", ends, fmts)
    engine.links(ws, (first, cols.col("at_bear")), source, ends, fmts)
    r = two_way_top = L.below_chart(L.below(first, len(tornado)), "tornado")  # under the tornado chart
    ws.write_string(r, L.LABEL_COL,
                    f"Two-way table: CPO TAM {year} [US$ M] (values computed by cpo-xl build)", st.section)
    ws.write_string(r + 1, L.LABEL_COL, f"rows: {two_way.index.name}; columns: {two_way.columns.name}", st.unit)
    for j, c in enumerate(two_way.columns):
        ws.write_number(r + 2, 1 + j, float(c), st.head)
    for i, (idx, values) in enumerate(two_way.iterrows()):
        ws.write_number(r + 3 + i, L.LABEL_COL, float(idx), st.bold)
        for j, v in enumerate(values):
            ws.write_number(r + 3 + i, 1 + j, float(v), st.number("#,##0"))
    r += 5 + len(two_way)
    # the tornado chart starts a printed page (it is not cut), and the two-way table the next one, its header
    # with its rows, the exposure tornado below it
    ws.set_h_pagebreaks([L.below(first, len(tornado)) - 1, two_way_top])
    exposure = T.EXPOSURE_TORNADO
    ws.write_string(r, L.LABEL_COL, f"{ticker} gross CPO exposure {year}: tornado (values computed by cpo-xl build)",
                    st.section)
    wrapped_headers(ws, st, r + 1, exposure, cols.widths)  # in the tornado's columns
    wrap = {"key": st.key_wrap, "label": st.wrap_low}  # key and label wrap in the tornado's columns, as above
    for i, item in enumerate(exposure_tornado.itertuples()):
        for column in exposure.columns:
            v = getattr(item, column.name)
            st.value(ws, r + 2 + i, exposure.col(column.name), v if isinstance(v, str) else float(v),
                     wrap.get(column.name) if isinstance(v, str) else st.number("0.00%"))
        fit_row(ws, r + 2 + i, [(item.key, cols.width("key")), (item.label, cols.width("label"))])
    for col, width in enumerate(cols.widths):  # one page wide at L.PRINT_SCALE (key and label wrap)
        ws.set_column(col, col, width)
    return len(tornado)


def write_exposure_ranges(ws: Any, st: Styles, table: list[tuple[str, float, float, float]], top: int,
                          year: int) -> None:
    """Static table of each listed company's exposure percentiles (from the build's simulation)."""
    cols = T.EXPOSURE_RANGES
    st.titled_headers(ws, top, f"Gross CPO exposure {year}: P10 / P50 / P90 (values computed by cpo-xl build)",
                      cols.headers)
    for i, (ticker, *values) in enumerate(table):
        ws.write_string(top + 2 + i, cols.col("ticker"), ticker)
        ws.write_string(top + 2 + i, cols.col("unit"), "fraction", st.unit)
        for name, v in zip(("p10", "p50", "p90"), values, strict=True):
            ws.write_number(top + 2 + i, cols.col(name), v, st.number("0.00%"))
