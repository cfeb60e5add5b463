"""The Elasticity sheet: CPO exposure by company for the selected year."""

from __future__ import annotations

import math
from typing import Any

from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.case import run
from cpo_xl.engine.model import exposure_order
from cpo_xl.engine.timeline import year_index
from cpo_xl.excel.blocks import COMPANY_FIELDS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.sheets.common import EngineArea, fit_row, or_na, year_table_header
from cpo_xl.workbook.write.style import Styles


def write_elasticity(ws: Any, st: Styles, a: Assumptions, args: grid.ModelArgs, engine: EngineArea,
                     master: float, year: int = 2030) -> int:
    """Companies ranked for a selectable year; returns the number of company rows."""
    cols = T.ELASTICITY
    year_ref = year_table_header(ws, st, "Elasticity: CPO exposure by company for the selected year", master,
                                  ("Ranking year", L.ELASTICITY_YEAR_CELL, year), L.ELASTICITY_HEADER_ROW,
                                  cols, control=True)  # the PM copy switches it too
    note = ("Gross exposure = CPO revenue / total revenue (the rows are ranked by it); net exposure also "
            "subtracts the pluggable or copper revenue CPO displaces, so transceiver and cable makers can rank "
            "high gross and fall below zero net (the Summary's 'most exposed' ranks by net, its table by "
            "CPO revenue). EBIT elasticity = gross exposure x incremental margin / EBIT margin: % change in "
            "EBIT per 1% of CPO TAM (n/a: no positive EBIT margin on file).")
    ws.merge_range(L.ELASTICITY_HEADER_ROW - 1, L.LABEL_COL, L.ELASTICITY_HEADER_ROW - 1, len(cols.columns) - 1,
                   note, st.note)
    fit_row(ws, L.ELASTICITY_HEADER_ROW - 1, [(note, sum(w or 0 for w in cols.widths))])
    lines = run(args.case).companies
    # None where undefined (private, no revenue baseline)
    exposures = {t: v if math.isfinite(v := float(lines[t].exposure[year_index(year)])) else None
                 for t in a.companies}
    order = exposure_order(run(args.case), year_index(year))  # the one ranking (ties by CPO revenue)
    first = L.ELASTICITY_HEADER_ROW + 1
    all_exposures = cols.span("exposure", first, first + len(order) - 1)
    for i, ticker in enumerate(order):
        r, company = first + i, a.companies[ticker]
        st.value(ws, r, cols.col("ticker"), ticker)
        st.value(ws, r, cols.col("company"), company.name)
        st.value(ws, r, cols.col("layer"), LAYER_LABELS[company.layer])
        mine = exposures[ticker]
        if mine is None:
            ws.write_string(r, cols.col("rank"), "no revenue on file", st.right("General"))
        else:
            rank = 1 + sum(1 for e in exposures.values() if e is not None and e > mine)
            ws.write_formula(r, cols.col("rank"), cols.formula("rank", r, all_exposures=all_exposures), st.number("0"),
                             rank)  # 1 + how many higher
    last = first + len(order) - 1
    table = company_table(args.case, order, year)
    formats = [st.right(f) for f in ("#,##0", "0.00%", "0.00%", "0.00")]  # 'n/a' lines up with the numbers
    source = engine.block("Elasticity: company table", f"{{=CPO_COMPANIES(case_key,Elasticity!"
                          f"{cols.span('ticker', first, last)},Elasticity!{year_ref})}}", table, [formats] * len(table))
    engine.links(ws, (first, cols.col("cpo_revenue")), source, table, [formats] * len(table))
    for col, width in enumerate(cols.widths):  # one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    ws.freeze_panes(first, 1)
    return len(order)


def company_table(case: Any, order: list[str], year: int) -> list[list[Any]]:
    """Per ticker (in ``order``): CPO revenue, exposure, net exposure, EBIT elasticity in ``year`` (n/a where
    undefined), as CPO_COMPANIES returns them."""
    lines = run(case).companies
    return [[or_na(getattr(lines[t], f)[year_index(year)]) for f in COMPANY_FIELDS] for t in order]
