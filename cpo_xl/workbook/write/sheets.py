"""Writers for each sheet of the workbook; positions come from :mod:`layout`, recipes from :mod:`grid`."""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl.analysis.bridge import Bridge, Component
from cpo_xl.analysis.explain import fmt_value
from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.analysis.reconcile import anchored, reconciled
from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.assumptions import rule as assumption_rule
from cpo_xl.engine.case import run
from cpo_xl.engine.crosscheck import ANCHOR_LINES, PART_LOWEST, published
from cpo_xl.engine.inputs import SCENARIOS, shipped
from cpo_xl.engine.model import exposure_order
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR, YEARS, year_index
from cpo_xl.excel import functions as fn
from cpo_xl.excel.blocks import COMPANY_FIELDS, NOT_DEFINED
from cpo_xl.excel.catalogue import CATALOGUE, signature
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import notes
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.style import Guard, Styles, number_guard

NOTE_SIZE = {"x_scale": 2.2, "y_scale": 1.6}  # a note box that shows a source line unwrapped


def write_series_sheet(ws: Any, sheet: L.SeriesSheet, st: Styles, places: dict[str, grid.Place],
                       values: dict[str, dict[int, float]], master: float) -> None:
    ws.write_string(L.TITLE_ROW, 0, sheet.title, st.title)
    st.master_check_row(ws, master)
    for col, text in ((L.LABEL_COL, "line item"), (L.UNIT_COL, "unit"), (L.KEY_COL, "key")):
        ws.write_string(L.HEADER_ROW, col, text, st.head_left)
    for year in YEARS:
        ws.write_number(L.HEADER_ROW, L.year_col(year), year, st.head)
    ws.freeze_panes(L.HEADER_ROW + 1, L.FIRST_YEAR_COL)
    lines = [item for item in sheet.rows if isinstance(item, L.Line)]
    # label, unit and key wrap (no cut labels) in columns narrow enough that they and seven years print on one
    # page at L.PRINT_SCALE (the years split 2023-2029 / 2030-2035, the three columns repeated)
    for col, width in zip((L.LABEL_COL, L.UNIT_COL, L.KEY_COL), L.SERIES_WIDTHS, strict=True):
        ws.set_column(col, col, width)
    ws.set_column(L.FIRST_YEAR_COL, L.LAST_YEAR_COL, L.YEAR_WIDTH)
    ws.set_v_pagebreaks([L.year_col(L.SERIES_SPLIT_YEAR)])
    flag_rows = [places[ln.name].row for ln in lines if ln.kind.endswith("_flag")]
    check_rows = (min(flag_rows), max(flag_rows)) if flag_rows else None
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if isinstance(item, L.Section):
            ws.write_string(row, 0, item.title, st.section)
            continue
        ws.write_string(row, L.LABEL_COL, item.label, st.wrap_low)
        ws.write_string(row, L.UNIT_COL, item.unit, st.unit_wrap)
        if item.key:
            ws.write_string(row, L.KEY_COL, item.key, st.key_wrap)
        _fit_row(ws, row, [(text, width) for text, width in zip((item.label, item.unit, item.key), L.SERIES_WIDTHS,
                                                                 strict=True)])
        fmt = st.number(item.fmt, link=item.kind in ("link", "racks"))
        if item.kind == "case":  # one key cell, in the first year column
            st.formula(ws, row, L.FIRST_YEAR_COL, grid.formula(item, row, L.FIRST_YEAR_COL, sheet.name, places),
                       st.key, values[item.name][YEARS[0]])
        elif item.kind not in BLOCK_KINDS:
            for year in YEARS:
                col = L.year_col(year)
                st.formula(ws, row, col, grid.formula(item, row, col, sheet.name, places, check_rows), fmt,
                           values[item.name][year])
    for first_row, block in blocks(sheet):
        st.array_formula(ws, (first_row, L.FIRST_YEAR_COL), (first_row + len(block) - 1, L.LAST_YEAR_COL),
                         grid.block_formula(block, first_row, sheet.name, places),
                         [[values[ln.name][y] for y in YEARS] for ln in block],
                         [st.number(ln.fmt) for ln in block])


BLOCK_KINDS = ("lines", "pctl")


class EngineArea:
    """Rows of the hidden Engine sheet below its line blocks, for the other sheets' block formulas (tornado,
    company table, cross-checks): each block is one array formula there, and its sheet links to it."""

    def __init__(self, ws: Any, st: Styles, top: int) -> None:
        self.ws, self.st, self.top = ws, st, top
        self.blocks: dict[str, tuple[int, int]] = {}  # title -> first (row, column) of its array
        self.recorded: list[tuple[int, int]] = []  # cells of the build record

    def block(self, title: str, formula: str, values: list[list[Any]], fmts: list[Any]) -> tuple[int, int]:
        """Write one array block under a title; returns its first (row, column) on the Engine sheet."""
        self.ws.write_string(self.top, 0, title, self.st.section)
        first = (self.top + 1, L.FIRST_YEAR_COL)
        last = (first[0] + len(values) - 1, first[1] + len(values[0]) - 1)
        self.st.array_formula(self.ws, first, last, formula, values, fmts)
        self.top = L.below(self.top, len(values) + 1)
        self.blocks[title] = first
        return first

    def record(self, title: str, text: str) -> None:
        """Text under a title, in cells of at most L.RECORD_CHUNK characters down column A."""
        self.ws.write_string(self.top, 0, title, self.st.section)
        for i in range(0, len(text), L.RECORD_CHUNK):
            self.ws.write_string(self.top + 1 + i // L.RECORD_CHUNK, 0, text[i:i + L.RECORD_CHUNK])
            self.recorded.append((self.top + 1 + i // L.RECORD_CHUNK, 0))
        self.top = L.below(self.top, len(text) // L.RECORD_CHUNK + 2)

    def links(self, ws: Any, at: tuple[int, int], source: tuple[int, int], values: list[list[Any]],
              fmts: list[Any]) -> None:
        """Plain links from ``ws`` (block at ``at``) to the Engine block at ``source``, with cached values."""
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                ref = xl_rowcol_to_cell(source[0] + i, source[1] + j, row_abs=True, col_abs=True)
                fmt = fmts[i][j] if isinstance(fmts[i], list) else fmts[i]
                ws.write_formula(at[0] + i, at[1] + j, f"={L.ENGINE}!{ref}", fmt, v)


def blocks(sheet: L.SeriesSheet) -> list[tuple[int, list[L.Line]]]:
    """Runs of consecutive block rows that read the same case: each becomes one array formula."""
    runs: list[tuple[int, list[L.Line]]] = []
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if not (isinstance(item, L.Line) and item.kind in BLOCK_KINDS):
            continue
        if runs and runs[-1][0] + len(runs[-1][1]) == row and (runs[-1][1][0].kind, runs[-1][1][0].case) == (
                item.kind, item.case):
            runs[-1][1].append(item)
        else:
            runs.append((row, [item]))
    return runs


def _case_cells(ws: Any, st: Styles, keys: tuple[str, str]) -> None:
    """The two CPO_CASE cells every model block reads: forecast racks (case_forecast), racks used (case_key)."""
    ws.write_string(L.INPUTS_CASE_ROW, 0, "Model case keys: forecast racks (C), racks used (D)", st.bold)
    ws.write_string(L.INPUTS_CASE_ROW, 1, "key", st.unit)
    st.formula(ws, L.INPUTS_CASE_ROW, L.CASE_FORECAST_COL, "=CPO_CASE(assumptions,scenario)", st.key, keys[0])
    st.formula(ws, L.INPUTS_CASE_ROW, L.CASE_KEY_COL, "=CPO_CASE(case_forecast,scenario,rack_units)", st.key, keys[1])


def _rack_rows(ws: Any, st: Styles, racks: dict[int, float], forecast: dict[int, float],
               overrides: dict[int, float], forecast_row: int, person_notes: dict[int, str]) -> None:
    """Years, racks used (= typed override, else the scenario forecast), the override row, and the forecast
    from the engine (one CPO_LINES block: the one implementation of the racks.* inputs)."""
    ws.write_string(L.INPUTS_YEARS_ROW - 1, 0, "NVIDIA rack-scale systems by year, NVL72-equivalents (drive every "
                    "sheet)", st.section)
    labels = {L.INPUTS_YEARS_ROW: ("Year", "year"),
              L.INPUTS_RACKS_ROW: ("NVIDIA racks used (override, else forecast)", "NVL72-eq racks"),
              L.INPUTS_RACKS_OVERRIDE_ROW: ("Racks override (fixed in this copy)" if st.static else
                                            "Racks override (optional input)", "NVL72-eq racks"),
              L.INPUTS_RACKS_FORECAST_ROW: ("Scenario rack forecast: min(demand, envelopes)", "NVL72-eq racks")}
    for row, (label, unit) in labels.items():
        ws.write_string(row, 0, label, st.head_left if row == L.INPUTS_YEARS_ROW else None)
        ws.write_string(row, 1, unit, st.head_left if row == L.INPUTS_YEARS_ROW else st.unit)
    ws.write_string(L.INPUTS_RACKS_FORECAST_ROW, L.INPUTS_RACKS_KEY_COL, "rack_forecast", st.key)
    for year in YEARS:  # a link to the Engine's forecast block
        col = L.year_col(year)
        ws.write_formula(L.INPUTS_RACKS_FORECAST_ROW, col, f"={L.ENGINE}!" + xl_rowcol_to_cell(
            forecast_row, col, row_abs=True, col_abs=True), st.number("#,##0", link=True), forecast[year])
    for year in YEARS:
        col = L.year_col(year)
        c = xl_col_to_name(col)
        ws.write_number(L.INPUTS_YEARS_ROW, col, year, st.head)
        if year in overrides:
            ws.write_number(L.INPUTS_RACKS_OVERRIDE_ROW, col, overrides[year], st.input)
        else:
            ws.write_blank(L.INPUTS_RACKS_OVERRIDE_ROW, col, None, st.input)
        st.guard(ws, L.INPUTS_RACKS_OVERRIDE_ROW, col, number_guard(
            "decimal", 0, 1e9, title=f"NVIDIA racks {year}", message=f"Unit: NVL72-eq racks in {year}. Allowed: "
            "0 to 1e9, or blank for the scenario forecast.", note=person_notes.get(year) or notes.rack_note(year)))
        over, fc = f"{c}{L.INPUTS_RACKS_OVERRIDE_ROW + 1}", f"{c}{L.INPUTS_RACKS_FORECAST_ROW + 1}"
        st.formula(ws, L.INPUTS_RACKS_ROW, col, f'=IF({over}="",{fc},{over})', st.number("#,##0"), racks[year])


def write_inputs(ws: Any, wb: Any, st: Styles, rows: list[dict[str, Any]], scenario: str,
                 racks: dict[int, float], forecast: dict[int, float], overrides: dict[int, float],
                 master: float, keys: tuple[str, str], forecast_row: int,
                 person_notes: dict[tuple[str, str], str]) -> None:
    """The Inputs sheet; ``person_notes``: (column, key or rack year) -> a note pull carried (notes.by_cell)."""
    title = ("Inputs: every assumption (PM copy: fixed values; the scenario cell C4 switches every number)"
             if st.static else "Inputs: every assumption (yellow cells are inputs)")
    ws.write_string(L.TITLE_ROW, 0, title, st.title)
    st.master_check_row(ws, master)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 0, "Scenario (bear / base / bull)", st.bold)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 2, scenario, st.control)
    st.guard(ws, L.INPUTS_SCENARIO_ROW, 2, Guard(
        {"validate": "list", "source": list(SCENARIOS)}, "Scenario", "One of bear, base, bull: the column of the "
        "assumptions every model sheet uses" + (" (this copy holds all three)." if st.static else "."),
        "Scenario shown: bear, base or bull (scenarios.toml: bear and bull are overrides of base). "
        + ("PM copy: switching it switches every number (precomputed values)." if st.static else
           "Switches every model sheet; the Scenarios sheet shows all three.")), control=True)
    _case_cells(ws, st, keys)
    _rack_rows(ws, st, racks, forecast, overrides, forecast_row,
               {int(k): t for (c, k), t in person_notes.items() if c == notes.RACKS})
    ws.write_row(L.INPUTS_TABLE_HEADER_ROW, 0, L.INPUT_COLUMNS, st.head_left)
    scen_header = xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BEAR_C, row_abs=True, col_abs=True) + ":" + \
        xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BULL_C, row_abs=True, col_abs=True)
    for i, item in enumerate(rows):
        r = L.INPUTS_FIRST_KEY_ROW + i
        ws.write_string(r, L.KEY_C, item["key"], st.key)
        number = st.input_number(L.INPUT_NUMBER)
        ws.write_formula(r, L.LIVE_C, f"=INDEX({xl_rowcol_to_cell(r, L.BEAR_C)}:{xl_rowcol_to_cell(r, L.BULL_C)},"
                                      f"MATCH(scenario,{scen_header},0))", st.number(L.INPUT_NUMBER), item["live"])
        for text_col, field in ((L.LABEL_C, "label"), (L.UNIT_C, "unit"), (L.SOURCE_C, "source"),
                                (L.DATE_C, "date"), (L.GRADE_C, "grade"), (L.COMMENT_C, "comment")):
            ws.write_string(r, text_col, str(item[field]), st.wrap_low if text_col in L.INPUT_WRAPPED else None)
        _fit_row(ws, r, [(str(item[f]), L.INPUT_WIDTHS[c]) for c, f in ((L.LABEL_C, "label"), (L.SOURCE_C, "source"))])
        for s in SCENARIOS:
            st.value(ws, r, L.SCENARIO_COLS[s], item[s], st.input if isinstance(item[s], str) else number)
            st.guard(ws, r, L.SCENARIO_COLS[s], input_guard(item, person_notes.get((s, item["key"]))))
        for c, column in enumerate(L.INPUT_COLUMNS):  # a person's notes on the row's other cells
            if column not in L.SCENARIO_COLS and (column, item["key"]) in person_notes:
                ws.write_comment(r, c, person_notes[(column, item["key"])], NOTE_SIZE)
    ws.freeze_panes(L.INPUTS_FIRST_KEY_ROW, 2)
    for col, width in enumerate(L.INPUT_WIDTHS):
        ws.set_column(col, col, width, st.wrap_low if col in L.INPUT_WRAPPED else None)
    ws.set_column(len(L.INPUT_COLUMNS), L.LAST_YEAR_COL, L.INPUT_RACK_WIDTH)


def input_guard(item: dict[str, Any], note: str | None = None) -> Guard:
    """Validation from the schema's type and bounds of the row's key, and its source, date and grade as a note
    (or a person's own note on the cell, carried by pull)."""
    rule = assumption_rule(item["key"])
    unit = item["unit"] or "see label"
    note = note or notes.value_note(item["key"])
    message = f"Unit: {unit}. Allowed: {rule.text()}."
    if rule.kind == "list":
        return Guard({"validate": "list", "source": list(rule.choices)}, item["key"][-32:], message, note)
    return number_guard(rule.kind, rule.low, rule.high, title=item["key"][-32:], message=message, note=note,
                        low_open=rule.low_open, high_open=rule.high_open)


def year_guard(what: str) -> Guard:
    return number_guard("integer", FIRST_YEAR, LAST_YEAR, title="Year",
                        message=f"A year {FIRST_YEAR}-{LAST_YEAR} (whole number): {what}.",
                        note=f"{what} [year]: an input of this sheet, {FIRST_YEAR}-{LAST_YEAR}.")


def write_curve_parameters(ws: Any, st: Styles, rows: list[dict[str, Any]], top: int) -> None:
    """The penetration curve parameters, linked from the Inputs sheet's live column (green: links)."""
    ws.write_string(top, 0, "Curve parameters in force (links to Inputs; edit them there)", st.section)
    ws.write_row(top + 1, 0, ("parameter", "unit", "value"), st.head_left)
    r = top + 2
    for i, item in enumerate(rows):
        if not item["key"].startswith("penetration."):
            continue
        st.value(ws, r, 0, item["label"])
        ws.write_string(r, 1, item["unit"], st.unit)
        live = "=Inputs!" + xl_rowcol_to_cell(L.INPUTS_FIRST_KEY_ROW + i, L.LIVE_C, row_abs=True, col_abs=True)
        ws.write_formula(r, 2, live, st.number("General", link=True), item["live"])
        r += 1


def _year_table_header(ws: Any, st: Styles, title: str, master: float,
                       year_input: tuple[str, tuple[int, int], int], header_row: int,
                       columns: tuple[str, ...], control: bool = False) -> str:
    """Title, master check, a year input cell and the column titles of a company/input table; returns the
    absolute reference of the year cell."""
    label, (row, col), year = year_input
    ws.write_string(L.TITLE_ROW, 0, title, st.title)
    st.master_check_row(ws, master)
    ws.write_string(row, 0, label + (" (fixed in this copy)" if st.static and not control else ""), st.bold)
    ws.write_number(row, col, year, st.control if control else st.input)
    st.guard(ws, row, col, year_guard(label), control=control)
    for c, text in enumerate(columns):
        ws.write_string(header_row, c, text, st.head_wrap)
    ws.set_row(header_row, 30)  # column titles wrap in columns sized for print
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def write_sensitivity(ws: Any, st: Styles, engine: EngineArea, tornado: Any, two_way: Any,
                      exposure_tornado: Any, ticker: str, master: float, year: int = 2030) -> int:
    """The TAM tornado (live through CPO_SENSITIVITY) and static tables; returns the tornado's row count."""
    year_ref = _year_table_header(ws, st, "Sensitivity: each input moved alone to its bear and bull value",
                                  master, ("Tornado year", L.SENSITIVITY_YEAR_CELL, year),
                                  L.SENSITIVITY_HEADER_ROW, L.SENSITIVITY_COLUMNS)
    first = L.SENSITIVITY_HEADER_ROW + 1
    _, meta, _ = shipped()
    for i, item in enumerate(tornado.itertuples()):
        r = first + i
        ws.write_string(r, 0, item.key, st.key_wrap)
        ws.write_string(r, 1, item.label, st.wrap_low)
        _fit_row(ws, r, [(item.key, SENSITIVITY_WIDTHS[0]), (item.label, SENSITIVITY_WIDTHS[1])])
        ws.write_number(r, 2, float(item.bear_value))
        ws.write_number(r, 3, float(item.bull_value))
        ws.write_formula(r, 6, f"=ABS(F{r + 1}-E{r + 1})", st.number("#,##0"), abs(item.at_bull - item.at_bear))
        ws.write_string(r, 7, meta[item.key].unit if item.key in meta else "", st.unit)
    last = first + len(tornado) - 1
    ends = [[float(t.at_bear - t.base), float(t.at_bull - t.base)] for t in tornado.itertuples()]
    fmts = [st.number("#,##0")] * len(ends)
    source = engine.block("Sensitivity: tornado", f"{{=CPO_TORNADO(case_forecast,Sensitivity!$A${first + 1}:"
                          f"$A${last + 1},Sensitivity!{year_ref})}}", ends, fmts)
    engine.links(ws, (first, 4), source, ends, fmts)
    r = L.below_chart(L.below(first, len(tornado)), "tornado")  # under the tornado chart
    ws.write_string(r, 0, f"Two-way table: CPO TAM {year} [US$ M] (values computed by cpo-xl build)", st.section)
    ws.write_string(r + 1, 0, f"rows: {two_way.index.name}; columns: {two_way.columns.name}", st.unit)
    for j, c in enumerate(two_way.columns):
        ws.write_number(r + 2, 1 + j, float(c), st.head)
    for i, (idx, values) in enumerate(two_way.iterrows()):
        ws.write_number(r + 3 + i, 0, float(idx), st.bold)
        for j, v in enumerate(values):
            ws.write_number(r + 3 + i, 1 + j, float(v), st.number("#,##0"))
    r += 5 + len(two_way)
    # the tornado chart and the exposure tornado each start a printed page (none is cut)
    ws.set_h_pagebreaks([L.below(first, len(tornado)) - 1, r])
    ws.write_string(r, 0, f"{ticker} CPO exposure {year}: tornado (values computed by cpo-xl build)", st.section)
    ws.write_row(r + 1, 0, ("input key", "input", "exposure at bear", "exposure at bull", "swing"), st.head_left)
    for i, item in enumerate(exposure_tornado.itertuples()):
        for col, v in enumerate((item.key, item.label, item.at_bear, item.at_bull, item.swing)):
            st.value(ws, r + 2 + i, col, v if isinstance(v, str) else float(v),
                     None if isinstance(v, str) else st.number("0.00%"))
    for col, width in enumerate(SENSITIVITY_WIDTHS):
        ws.set_column(col, col, width)
    return len(tornado)


SENSITIVITY_WIDTHS = (24, 36, 9, 9, 11, 11, 10, 12)  # one page wide at L.PRINT_SCALE (key and label wrap)


def write_exposure_ranges(ws: Any, st: Styles, table: list[tuple[str, float, float, float]], top: int,
                          year: int) -> None:
    """Static table of each listed company's exposure percentiles (from the build's simulation)."""
    ws.write_string(top, 0, f"CPO exposure {year}: P10 / P50 / P90 (values computed by cpo-xl build)", st.section)
    ws.write_row(top + 1, 0, ("ticker", "unit", "key", "P10", "P50", "P90"), st.head_left)
    for i, (ticker, *values) in enumerate(table):
        ws.write_string(top + 2 + i, 0, ticker)
        ws.write_string(top + 2 + i, 1, "fraction", st.unit)
        for j, v in enumerate(values):
            ws.write_number(top + 2 + i, 3 + j, v, st.number("0.00%"))


def write_elasticity(ws: Any, st: Styles, a: Assumptions, args: grid.ModelArgs, engine: EngineArea,
                     master: float, year: int = 2030) -> int:
    """Companies ranked for a selectable year; returns the number of company rows."""
    year_ref = _year_table_header(ws, st, "Elasticity: CPO exposure by company for the selected year", master,
                                  ("Ranking year", L.ELASTICITY_YEAR_CELL, year), L.ELASTICITY_HEADER_ROW,
                                  L.ELASTICITY_COLUMNS, control=True)  # the PM copy switches it too
    ws.merge_range(L.ELASTICITY_HEADER_ROW - 1, 0, L.ELASTICITY_HEADER_ROW - 1, len(L.ELASTICITY_COLUMNS) - 1,
                   "Gross exposure = CPO revenue / total revenue (the rows are ranked by it); net exposure also "
                   "subtracts the pluggable or copper revenue CPO displaces, so transceiver and cable makers can rank "
                   "high gross and fall below zero net. The Summary ranks by net.", st.note)
    ws.set_row(L.ELASTICITY_HEADER_ROW - 1, 30)
    lines = run(args.case).companies
    # None where undefined (private, no revenue baseline)
    exposures = {t: v if math.isfinite(v := float(lines[t].exposure[year_index(year)])) else None
                 for t in a.companies}
    order = exposure_order(run(args.case), year_index(year))  # the one ranking (ties by CPO revenue)
    first = L.ELASTICITY_HEADER_ROW + 1
    exp_range = f"$E${first + 1}:$E${first + len(order)}"
    for i, ticker in enumerate(order):
        r, company = first + i, a.companies[ticker]
        st.value(ws, r, 0, ticker)
        st.value(ws, r, 1, company.name)
        st.value(ws, r, 2, LAYER_LABELS[company.layer])
        mine = exposures[ticker]
        if mine is None:
            ws.write_string(r, 7, "no revenue on file", st.right("General"))
        else:
            rank = 1 + sum(1 for e in exposures.values() if e is not None and e > mine)
            ws.write_formula(r, 7, f"=RANK(E{r + 1},{exp_range})", st.number("0"), rank)  # 1 + how many higher
    last = first + len(order) - 1
    table = company_table(args.case, order, year)
    formats = [st.right(f) for f in ("#,##0", "0.00%", "0.00%", "0.00")]  # 'n/a' lines up with the numbers
    source = engine.block("Elasticity: company table", f"{{=CPO_COMPANIES(case_key,Elasticity!$A${first + 1}:"
                          f"$A${last + 1},Elasticity!{year_ref})}}", table, [formats] * len(table))
    engine.links(ws, (first, 3), source, table, [formats] * len(table))
    for col, width in enumerate((11, 24, 20, 13, 12, 12, 12, 12)):  # one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    ws.freeze_panes(first, 1)
    return len(order)


def company_table(case: Any, order: list[str], year: int) -> list[list[Any]]:
    """Per ticker (in ``order``): CPO revenue, exposure, net exposure, EBIT elasticity in ``year`` (n/a where
    undefined), as CPO_COMPANIES returns them."""
    lines = run(case).companies
    return [[_or_na(getattr(lines[t], f)[year_index(year)]) for f in COMPANY_FIELDS] for t in order]


def _or_na(value: float) -> Any:
    return float(value) if math.isfinite(value) else NOT_DEFINED


def write_crosscheck_block(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea,
                           top: int) -> tuple[int, int]:
    """Published figures vs the model (ratio through CPO_CROSSCHECK); returns (first, last) data rows."""
    ws.write_string(top, 0, "Top-down cross-checks: published figure vs model", st.section)
    ws.write_row(top + 1, 0, ("source", "metric", "key", "year", "published", "model / published", "model",
                              "chart label"), st.head_left)
    checked = [c for c in reconciled(args.case) if c.point.metric in MONEY_METRICS]
    ratios: list[list[float]] = []
    for i, c in enumerate(checked):
        r, p = top + 2 + i, c.point
        st.value(ws, r, 0, f"{p.source}: {p.scope}", st.wrap_low)
        _fit_row(ws, r, [(f"{p.source}: {p.scope}", L.SERIES_WIDTHS[0])])
        ws.write_string(r, 1, p.metric, st.unit)
        ws.write_string(r, 2, p.id, st.key)
        ws.write_number(r, 3, p.year, st.input)
        ws.write_number(r, 4, p.value, st.input)
        _guard_published(ws, st, r, p)
        ratios.append([c.ratio])
        ws.write_formula(r, 6, f"=E{r + 1}*F{r + 1}", st.number("#,##0"), c.ratio * p.value)
        label = chart_label(p)  # the bar's name on the chart below: who and which year (follows column D)
        ws.write_formula(r, L.XCHECK_LABEL_COL, f'="{label} "&D{r + 1}', None, f"{label} {p.year}")
    first, last = top + 2, top + 1 + len(checked)
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("TAM: cross-checks", f"{{=CPO_RATIOS(case_key,TAM!$C${first + 1}:$C${last + 1},"
                          f"TAM!$D${first + 1}:$D${last + 1})}}", ratios, fmts)
    engine.links(ws, (first, 5), source, ratios, fmts)
    return top + 2, top + 1 + len(checked)


def chart_label(p: Any) -> str:
    """A published figure's short name on a chart: the publisher, * when it was only quoted (not verified), and
    "all AI optics" for a figure of the broader market (TrendForce publishes both in the same years)."""
    name = (p.publisher or p.id).split(" (")[0] + ("" if p.verified else "*")
    return name + (" all AI optics" if p.metric == "ai_optics" else "")


def _guard_published(ws: Any, st: Styles, row: int, p: Any) -> None:
    """The year (column D) and value (column E) of a published figure: validation and the figure's source."""
    unit = METRIC_UNITS[p.metric]
    note = f"{p.source} ({p.date}), grade {p.grade}: {p.metric}, {p.scope}, {p.year} [{unit}]"
    st.guard(ws, row, 3, number_guard("integer", 2015, 2040, title="Year of the published figure",
                                      message="Year the published figure refers to (whole number, 2015-2040).",
                                      note=note))
    st.guard(ws, row, 4, number_guard("decimal", 0, None, title="Published figure", low_open=True,
                                      message=f"Unit: {unit}. Allowed: greater than 0.", note=note))


MONEY_METRICS = ("optics", "tam", "ai_optics")
METRIC_UNITS = {"optics": "US$ M", "tam": "US$ M", "ai_optics": "US$ M", "ports": "800G-eq ports",
                "ports_1600g": "1.6T-eq ports"}
RECONCILIATION_COLUMNS = ("source [scope]", "relation", "key", "year", "published", "model", "model/pub.",
                          "flag", "unit", "", "why the model departs (where flagged)")  # the reason prints on
# the page of 2030-2035 (columns K:P), beside the repeated source, relation and key


def write_reconciliation(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea, top: int,
                         band_ref: str) -> tuple[int, int]:
    """Every published figure against the model line of the same scope, flagged outside the band (a ceiling for
    broader scopes), with the reason where the model departs on purpose. Not part of the master check. Returns
    (first data row, the row after the block)."""
    ws.write_string(top, 0, "Reconciliation with published forecasts (flags are not part of the master check)",
                    st.section)
    ws.write_row(top + 1, 0, RECONCILIATION_COLUMNS[:-1], st.head_left)
    ws.merge_range(top + 1, REASON_START, top + 1, L.LAST_YEAR_COL, RECONCILIATION_COLUMNS[-1], st.head_left)
    checked = reconciled(args.case)
    ratios: list[list[float]] = []
    first = top + 2
    for i, c in enumerate(checked):
        row, p, ratio = first + i, c.point, c.ratio
        ws.write_string(row, 0, f"{p.publisher} [{p.scope}]", st.wrap_low)
        ws.write_string(row, 1, p.relation, st.unit)
        ws.write_string(row, 2, p.id, st.key)
        ws.write_number(row, 3, p.year, st.input_number("0"))
        ws.write_number(row, 4, p.value, st.input_number("#,##0"))
        _guard_published(ws, st, row, p)
        ws.write_formula(row, 5, f"=E{row + 1}*G{row + 1}", st.number("#,##0"), ratio * p.value)
        ratios.append([ratio])
        flag = 0.0 if c.passes else 1.0
        ws.write_formula(row, 7, f'=IF($B{row + 1}="ceiling",IF(G{row + 1}>1,1,0),'
                                 f'IF(OR(G{row + 1}<1/{band_ref},G{row + 1}>{band_ref}),1,0))', st.number("0"), flag)
        ws.write_string(row, 8, METRIC_UNITS[p.metric], st.unit)
        # the reason wraps over the year columns to the sheet's edge (it prints whole); a formula over the flag,
        # the reason on file (hidden column) and the scenario, so that every flag has a reason in every scenario
        ws.write_string(row, L.REASON_COL, p.reason)
        why = _reason(row, scenario=args.case.scenario, flagged=bool(flag), on_file=p.reason)
        ws.merge_range(row, REASON_START, row, L.LAST_YEAR_COL, "", st.wrap_low)
        ws.write_formula(row, REASON_START, why[0], st.wrap_low, why[1])
        longest = max(p.reason, *(REASON_WHEN_SCENARIO.values()), key=len)
        _fit_row(ws, row, [(longest, L.YEAR_WIDTH * (L.LAST_YEAR_COL - REASON_START + 1)),
                           (f"{p.publisher} [{p.scope}]", L.SERIES_WIDTHS[0])])
    last = first + len(checked) - 1
    ws.set_column(L.REASON_COL, L.REASON_COL, 20, None, {"hidden": True})
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("Checks: reconciliation", f"{{=CPO_RATIOS(case_key,Checks!$C${first + 1}:$C${last + 1},"
                          f"Checks!$D${first + 1}:$D${last + 1})}}", ratios, fmts)
    engine.links(ws, (first, 6), source, ratios, fmts)
    _flag_count(ws, st, "Reconciliation flags (count; see the reasons)", first, last,
                sum(not c.passes for c in checked))
    return first, last + 4  # the count row, then a blank one


ANCHOR_COLUMNS = ("publisher", "kind", "key", "year", "disclosed", "model", "model/discl.",
                  "flag", "unit", "", "why the model departs (where flagged)")
# the model line an anchor pins -> the workbook line that shows it (a link, so Excel's edits move it)
ANCHOR_PLACES = {"cpo_switches": "cpo_switches", "lasers_tam": "tam_lasers", "foundry_tam": "tam_foundry_packaging",
                 "optics": "optics"}
HOLDS = "holds"  # the reason cell of an anchor that is not flagged


def anchor_place(anchor: Any) -> str:
    """The line (grid place name) of an anchor's model line: a company's CPO revenue, or a layer / total line."""
    return f"rev_{anchor.ticker}" if anchor.line == "company_cpo_revenue" else ANCHOR_PLACES[anchor.line]


def write_anchors(ws: Any, st: Styles, args: grid.ModelArgs, places: dict[str, grid.Place], top: int) -> None:
    """Disclosed near-term anchors (orders, run-rate targets, product ramps; engine/data/anchors.toml) against
    the model line of the same scope: the model value links to its line, the ratio and the flag are formulas
    (a floor holds at model / disclosed >= 1; a part of a broader figure within [0.2, 1]), and the reason on
    file shows where one is flagged. Not part of the master check."""
    # a short title: it prints whole beside the repeated columns A:C on the page of the reasons too
    ws.write_string(top, 0, "Disclosed near-term anchors (not in the master check)", st.section)
    ws.write_comment(top, 0, "Company orders, run-rate targets and product ramps (engine/data/anchors.toml); "
                             "the note on each disclosed figure gives its source, date, grade and link.", NOTE_SIZE)
    ws.write_row(top + 1, 0, ANCHOR_COLUMNS[:-1], st.head_left)
    ws.merge_range(top + 1, REASON_START, top + 1, L.LAST_YEAR_COL, ANCHOR_COLUMNS[-1], st.head_left)
    checked = anchored(args.case)
    first = top + 2
    for i, c in enumerate(checked):
        row, excel_row, a, model, ratio, flagged = first + i, first + i + 1, c.anchor, c.model, c.ratio, not c.passes
        label = a.publisher  # what was disclosed, when and where: the note on the disclosed figure
        ws.write_string(row, 0, label, st.wrap_low)
        ws.write_string(row, 1, a.kind, st.unit)
        ws.write_string(row, 2, a.id, st.key)
        ws.write_number(row, 3, a.year, st.number("0"))
        ws.write_number(row, 4, a.value, st.number("#,##0"))
        ws.write_comment(row, 4, f"{a.source} ({a.date}), grade {a.grade}: {a.link}", NOTE_SIZE)
        p = places[anchor_place(a)]
        link = f"{p.sheet}!{xl_rowcol_to_cell(p.row, L.year_col(a.year))}"
        ws.write_formula(row, 5, f"={link}", st.number("#,##0", link=True), model)
        ws.write_formula(row, 6, f"=F{excel_row}/E{excel_row}", st.number("0.00"), ratio)
        test = (f"G{excel_row}<1" if a.kind == "floor" else
                f"OR(G{excel_row}<{PART_LOWEST},G{excel_row}>1)")
        ws.write_formula(row, 7, f"=IF({test},1,0)", st.number("0"), float(flagged))
        ws.write_string(row, 8, ANCHOR_LINES[a.line].rsplit("[", 1)[1].rstrip("]"), st.unit)
        ws.write_string(row, L.REASON_COL, a.reason)
        ws.merge_range(row, REASON_START, row, L.LAST_YEAR_COL, "", st.wrap_low)
        raw = xl_rowcol_to_cell(row, L.REASON_COL)
        ws.write_formula(row, REASON_START, f'=IF(H{excel_row}=0,"{HOLDS}",{raw})', st.wrap_low,
                         a.reason if flagged else HOLDS)
        _fit_row(ws, row, [(a.reason, L.YEAR_WIDTH * (L.LAST_YEAR_COL - REASON_START + 1)),
                           (label, L.SERIES_WIDTHS[0])])
    last = first + len(checked) - 1
    _flag_count(ws, st, "Anchor flags (count; see the reasons)", first, last, sum(not c.passes for c in checked))


def _flag_count(ws: Any, st: Styles, label: str, first: int, last: int, flags: int) -> None:
    """Under a table of flags in column H (rows ``first``..``last``): their count, a SUM, one row down."""
    ws.write_string(last + 2, 0, label, st.bold)
    ws.write_formula(last + 2, 7, f"=SUM(H{first + 1}:H{last + 1})", st.number("0"), float(flags))


REASON_START = L.year_col(L.SERIES_SPLIT_YEAR)
WITHIN = "within the band"  # the reason cell of a figure that is not flagged
# why a figure is flagged when nothing is on file for it: bear and bull move every input to one end at once
REASON_WHEN_SCENARIO = {
    "bear": "The bear scenario puts every uncertain input at its low end at once, so it is meant to fall below a "
            "central published forecast; the base case is the comparison that counts (no departure on file).",
    "bull": "The bull scenario puts every uncertain input at its high end at once, so it is meant to rise above a "
            "central published forecast; the base case is the comparison that counts (no departure on file).",
    "base": "No reason on file: review the published figure or the model.",
}


def _reason(row: int, scenario: str, flagged: bool, on_file: str) -> tuple[str, str]:
    """The reason cell of a reconciliation row: (formula, cached value). WITHIN when not flagged; the reason on
    file (hidden column) when there is one; else why the scenario departs."""
    r = row + 1
    raw = xl_rowcol_to_cell(row, L.REASON_COL)
    by_scenario = ",".join(f'IF(scenario="{s}","{REASON_WHEN_SCENARIO[s]}"' for s in ("bear", "bull"))
    formula = (f'=IF(H{r}=0,"{WITHIN}",IF({raw}<>"",{raw},{by_scenario},"{REASON_WHEN_SCENARIO["base"]}"))))')
    value = WITHIN if not flagged else on_file or REASON_WHEN_SCENARIO[scenario]
    return formula, value


def write_about(ws: Any, st: Styles, scenario: str, master: float, assumption_date: str) -> None:
    for col, width in enumerate(ABOUT_WIDTHS):  # A:F (the master check row) one page wide at L.PRINT_SCALE
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "CPO market model (co-packaged optics)", st.title)
    st.master_check_row(ws, master)
    if st.static:
        usage = [("This copy", "STATIC SNAPSHOT of all three scenarios for reading: every CPO_* function was "
                               "replaced by its values in bear, base and bull, so it needs no add-in. Two controls "
                               "(yellow): the scenario (Inputs!C4) switches every number, chart and check; the "
                               "ranking year (Elasticity!C4) switches the company table, its ranks and the Summary's "
                               "beneficiaries. Everything else is fixed here (no yellow): the assumptions, racks "
                               "and the tornado year were set when the copy was made."),
                 ("Start here", "The Summary sheet: TAM with the bear/base/bull band, penetration, who benefits by "
                                "net exposure, the reconciliation with published forecasts, the inputs that matter.")]
    else:
        usage = [("In Excel with Python", "Install xlwings and its add-in; UDF Modules = cpo_udfs (hidden "
                                          "xlwings.conf sheet); PYTHONPATH to the repo's udfs folder; Import "
                                          "Functions. Edit the yellow cells on Inputs."),
                 ("Without Python", "Every formula cell stores its last value, so the numbers show as cpo-xl "
                                    "calculated them. Do not force a recalculation without the add-in.")]
    lines = [
        ("Purpose", "TAM of co-packaged optics by value-chain layer, penetration curves with a supply cap, and "
                    "each supplier's CPO exposure and elasticity, 2023-2035."),
        ("Scenario shown", scenario),
        ("Assumptions dated", assumption_date),
        *usage,
        ("Legend: yellow fill, blue text",
         "A control of this copy: the scenario (Inputs!C4) and the ranking year (Elasticity!C4)" if st.static
         else "Input (Inputs sheet, rack override, ranking year, cross-check figures): each has a data validation "
              "(Excel refuses a value outside the schema's bounds), an input message with its unit, and a note "
              "with its source, date and grade"),
        ("Legend: black text", "Calculation on this sheet"),
        ("Legend: green text", "Link to another sheet"),
        ("Master check", "Row 2 of every sheet; 0 = every line on the Checks sheet holds"),
        ("Regenerate", "Ask the analyst for a new copy (cpo-xl publish): this copy is a snapshot, nothing typed "
                       "here flows back to the model" if st.static else
                       "cpo-xl build; inputs edited here flow back with cpo-xl pull"),
    ]
    for i, (a, b) in enumerate(lines):
        ws.write_string(3 + i, 0, a, st.bold_top)
        ws.write_string(3 + i, 1, b, st.wrap)
        ws.set_row(3 + i, _wrapped_height(b))
    r = 4 + len(lines)
    ws.write_string(r, 0, "Version", st.bold)
    # a link to the Summary's =CPO_VERSION() (the version fact, second of its facts): one call, not two
    st.formula(ws, r, 1, f"={L.SUMMARY}!{L.a1(*L.SUMMARY_VERSION_CELL)}", None, fn.CPO_VERSION())
    if st.static:  # a PM has no add-in: the functions are what made the numbers, not something to call
        ws.write_string(r + 2, 0, "How the numbers were made", st.bold_top)
        made = (f"In the analyst's live model every number comes from the cpo-xl add-in's {len(CATALOGUE)} Excel "
                "functions (e.g. =CPO_TAM(2028, rack_units)) over the Inputs sheet; in this copy they are fixed "
                "values, precomputed for each scenario. The Sources sheet gives each input's source, date and grade.")
        ws.write_string(r + 2, 1, made, st.wrap)
        ws.set_row(r + 2, _wrapped_height(made))
        return
    ws.write_string(r + 2, 0, "Functions (UDF catalogue)", st.section)
    ws.write_row(r + 3, 0, ("formula", "what it returns"), st.head_left)
    for i, udf in enumerate(CATALOGUE):
        ws.write_string(r + 4 + i, 0, signature(udf), st.wrap)
        ws.write_string(r + 4 + i, 1, f"{udf.doc} [{udf.returns}]", st.wrap)
        ws.set_row(r + 4 + i, max(_wrapped_height(f"{udf.doc} [{udf.returns}]"),
                                  _wrapped_height(signature(udf), ABOUT_WIDTHS[0] - 2)))


ABOUT_WIDTHS = (30, 66, 5, 9, 9, 6)


def _wrapped_height(text: str, chars_per_line: int = ABOUT_WIDTHS[1]) -> float:
    """Row height [points] for wrapped text in the About sheet's wide column (viewers do not auto-fit)."""
    return 15.0 * max(1, -(-len(text) // chars_per_line))


def write_sources(ws: Any, st: Styles, rows: list[dict[str, Any]]) -> None:
    ws.write_string(0, 0, "Sources: every default number with source, date and grade (H/M/L)", st.title)
    ws.write_string(1, 0, "Grades: H vendor/official; M credible secondary or consensus; L derived, single-source, "
                          "or an explicit assumption. 'note' = the mid-2026 sell-side research note.")
    ws.write_row(3, 0, ("key", "label", "base value", "unit", "source", "date", "grade"), st.head_left)
    for i, item in enumerate(rows):
        for col, field in enumerate(("key", "label", "base", "unit", "source", "date", "grade")):
            st.value(ws, 4 + i, col, item[field], st.wrap_low if field in ("label", "source", "key") else
                     st.number(L.INPUT_NUMBER) if field == "base" else st.unit_wrap if field == "unit" else None)
        _fit_row(ws, 4 + i, [(item["key"], SOURCES_WIDTHS[0]), (item["label"], SOURCES_WIDTHS[1]),
                             (item["source"], SOURCES_WIDTHS[4]), (item["unit"], SOURCES_WIDTHS[3])])
    r = 6 + len(rows)
    ws.write_string(r, 0, "Published forecasts used as cross-checks", st.section)
    ws.write_row(r + 1, 0, ("id", "source", "year", "value", "metric / scope", "date", "grade"), st.head_left)
    for i, p in enumerate(published()):
        for col, v in enumerate((p.id, p.source, p.year, p.value, f"{p.metric}: {p.scope}", p.date, p.grade)):
            st.value(ws, r + 2 + i, col, v)
    for col, width in enumerate(SOURCES_WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 1)


SOURCES_WIDTHS = (28, 28, 10, 11, 36, 8, 5)  # one page wide at L.PRINT_SCALE


def _fit_row(ws: Any, row: int, texts: list[tuple[str, float]]) -> None:
    """Height of a row whose cells wrap (viewers do not auto-fit rows): the most lines any text needs in its
    column, at about 1.1 characters per unit of column width."""
    lines = max(-(-len(text) // max(1, int(width * 1.05))) for text, width in texts)
    if lines > 1:
        ws.set_row(row, 15.0 * lines)


def write_bridge(ws: Any, st: Styles, bridges: list[Bridge], blocks: list[L.BridgeBlock], master: float) -> None:
    """Static Shapley bridges of the CPO TAM (values written by the build): per bridge the start, each
    component and the end; the running level, the waterfall's helper series and a check are live formulas."""
    ws.write_string(L.TITLE_ROW, 0, f"Bridge: why the CPO TAM {L.BRIDGE_YEAR} differs between scenarios", st.title)
    st.master_check_row(ws, master)
    ws.write_string(L.BRIDGE_NOTE_ROW, 0, "Static values computed by cpo-xl build (cpo-xl bridge A B --year Y): exact "
                    "Shapley attribution over the inputs that differ, grouped by section when more than 12 differ; "
                    "the components add up to the change. Editing Inputs does not move them.", st.unit)
    indent = st.wb.add_format({"indent": 1})
    for b, block in zip(bridges, blocks, strict=True):
        _bridge_table(ws, st, b, block, indent)
    ws.set_h_pagebreaks([block.title for block in blocks[1:]])  # one bridge and its chart per printed page
    for col, width in enumerate(L.BRIDGE_WIDTHS):
        ws.set_column(col, col, width)


def _bridge_table(ws: Any, st: Styles, b: Bridge, block: L.BridgeBlock, indent: Any) -> None:
    ws.write_string(block.title, 0, f"{b.a.capitalize()} -> {b.b}: CPO TAM {b.year} [US$ M] ({len(b.components)} "
                    f"steps, {b.changed} inputs differ; static values)", st.section)
    for col, text in enumerate(L.BRIDGE_COLUMNS):
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
