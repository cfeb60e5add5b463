"""Writers for each sheet of the workbook; positions come from :mod:`layout`, recipes from :mod:`grid`."""

from __future__ import annotations

import math
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl.analysis.bridge import Bridge, Component
from cpo_xl.analysis.explain import fmt_value
from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.analysis.tables import model_value
from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.case import run
from cpo_xl.engine.crosscheck import passes, published
from cpo_xl.engine.crosscheck import ratio as ratio_to
from cpo_xl.engine.inputs import DESCRIPTIVE_FIELDS, SCENARIOS, UserFile, flatten, scenario_values, shipped
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel import functions as fn
from cpo_xl.excel.blocks import COMPANY_FIELDS, NOT_DEFINED
from cpo_xl.excel.catalogue import CATALOGUE, signature
from cpo_xl.workbook import grid
from cpo_xl.workbook import layout as L
from cpo_xl.workbook.style import Styles

MODEL_TAIL = ",rack_units,assumptions,scenario"


def input_rows(scenario: str, user: UserFile | None) -> list[dict[str, Any]]:
    """One row per numeric (or curve-choice) assumption: key, label, unit, bear/base/bull, source, date, grade."""
    _, meta, _ = shipped()
    by_scenario = {s: flatten(scenario_values(s, user)) for s in SCENARIOS}
    notes = dict(user.notes) if user else {}
    rows = []
    for key, base in by_scenario["base"].items():
        if key.rsplit(".", 1)[-1] in DESCRIPTIVE_FIELDS or base is None or isinstance(base, bool):
            continue
        m = meta.get(key)
        rows.append({"key": key, "label": m.label if m else key, "unit": m.unit if m else "",
                     **{s: _number(by_scenario[s][key]) for s in SCENARIOS},
                     "live": _number(by_scenario[scenario][key]),
                     "source": m.source if m else "user file", "date": m.date if m else "",
                     "grade": m.grade if m else "", "comment": notes.get(key, "")})
    return rows


def _number(value: Any) -> Any:
    """Numbers as floats, so a value cached from the shipped TOML and from a pulled file look alike."""
    return value if isinstance(value, str) else float(value)


def write_series_sheet(ws: Any, sheet: L.SeriesSheet, st: Styles, places: dict[str, grid.Place],
                       values: dict[str, dict[int, float]], master: float) -> None:
    ws.write_string(L.TITLE_ROW, 0, sheet.title, st.title)
    st.master_check_row(ws, master)
    for col, text in ((L.LABEL_COL, "line item"), (L.UNIT_COL, "unit"), (L.KEY_COL, "key")):
        ws.write_string(L.HEADER_ROW, col, text, st.head_left)
    for year in YEARS:
        ws.write_number(L.HEADER_ROW, L.year_col(year), year, st.head)
    ws.freeze_panes(L.HEADER_ROW + 1, L.FIRST_YEAR_COL)
    for col, width in ((L.LABEL_COL, 58), (L.UNIT_COL, 15), (L.KEY_COL, 16)):
        ws.set_column(col, col, width)
    ws.set_column(L.FIRST_YEAR_COL, L.LAST_YEAR_COL, 13)
    lines = [item for item in sheet.rows if isinstance(item, L.Line)]
    flag_rows = [places[ln.name].row for ln in lines if ln.kind.endswith("_flag")]
    check_rows = (min(flag_rows), max(flag_rows)) if flag_rows else None
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if isinstance(item, L.Section):
            ws.write_string(row, 0, item.title, st.section)
            continue
        ws.write_string(row, L.LABEL_COL, item.label)
        ws.write_string(row, L.UNIT_COL, item.unit, st.unit)
        if item.key:
            ws.write_string(row, L.KEY_COL, item.key, st.key)
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

    def block(self, title: str, formula: str, values: list[list[Any]], fmts: list[Any]) -> tuple[int, int]:
        """Write one array block under a title; returns its first (row, column) on the Engine sheet."""
        self.ws.write_string(self.top, 0, title, self.st.section)
        first = (self.top + 1, L.FIRST_YEAR_COL)
        last = (first[0] + len(values) - 1, first[1] + len(values[0]) - 1)
        self.st.array_formula(self.ws, first, last, formula, values, fmts)
        self.top = L.below(self.top, len(values) + 1)
        return first

    def record(self, title: str, text: str) -> None:
        """Text under a title, in cells of at most L.RECORD_CHUNK characters down column A."""
        self.ws.write_string(self.top, 0, title, self.st.section)
        for i in range(0, len(text), L.RECORD_CHUNK):
            self.ws.write_string(self.top + 1 + i // L.RECORD_CHUNK, 0, text[i:i + L.RECORD_CHUNK])
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
    st.formula(ws, L.INPUTS_CASE_ROW, L.CASE_KEY_COL, "=CPO_CASE(assumptions,scenario,rack_units)", st.key, keys[1])


def _rack_rows(ws: Any, st: Styles, racks: dict[int, float], forecast: dict[int, float],
               overrides: dict[int, float], forecast_row: int) -> None:
    """Years, racks used (= typed override, else the scenario forecast), the override row, and the forecast
    from the engine (one CPO_LINES block: the one implementation of the racks.* inputs)."""
    ws.write_string(L.INPUTS_YEARS_ROW - 1, 0, "NVIDIA rack-scale systems by year, NVL72-equivalents (drive every "
                    "sheet)", st.section)
    labels = {L.INPUTS_YEARS_ROW: ("Year", "year"),
              L.INPUTS_RACKS_ROW: ("NVIDIA racks used (override, else forecast)", "NVL72-eq racks"),
              L.INPUTS_RACKS_OVERRIDE_ROW: ("Racks override (optional input)", "NVL72-eq racks"),
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
        over, fc = f"{c}{L.INPUTS_RACKS_OVERRIDE_ROW + 1}", f"{c}{L.INPUTS_RACKS_FORECAST_ROW + 1}"
        st.formula(ws, L.INPUTS_RACKS_ROW, col, f'=IF({over}="",{fc},{over})', st.number("#,##0"), racks[year])


def write_inputs(ws: Any, wb: Any, st: Styles, rows: list[dict[str, Any]], scenario: str,
                 racks: dict[int, float], forecast: dict[int, float], overrides: dict[int, float],
                 master: float, keys: tuple[str, str], forecast_row: int) -> None:
    ws.write_string(L.TITLE_ROW, 0, "Inputs: every assumption (yellow cells are inputs)", st.title)
    st.master_check_row(ws, master)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 0, "Scenario (bear / base / bull)", st.bold)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 2, scenario, st.input)
    ws.data_validation(L.INPUTS_SCENARIO_ROW, 2, L.INPUTS_SCENARIO_ROW, 2,
                       {"validate": "list", "source": list(SCENARIOS)})
    _case_cells(ws, st, keys)
    _rack_rows(ws, st, racks, forecast, overrides, forecast_row)
    for col, text in enumerate(L.INPUT_COLUMNS):
        ws.write_string(L.INPUTS_TABLE_HEADER_ROW, col, text, st.head_left)
    scen_header = xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BEAR_C, row_abs=True, col_abs=True) + ":" + \
        xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BULL_C, row_abs=True, col_abs=True)
    for i, item in enumerate(rows):
        r = L.INPUTS_FIRST_KEY_ROW + i
        ws.write_string(r, L.KEY_C, item["key"], st.key)
        ws.write_formula(r, L.LIVE_C, f"=INDEX({xl_rowcol_to_cell(r, L.BEAR_C)}:{xl_rowcol_to_cell(r, L.BULL_C)},"
                                      f"MATCH(scenario,{scen_header},0))", None, item["live"])
        for text_col, field in ((L.LABEL_C, "label"), (L.UNIT_C, "unit"), (L.SOURCE_C, "source"),
                                (L.DATE_C, "date"), (L.GRADE_C, "grade"), (L.COMMENT_C, "comment")):
            ws.write_string(r, text_col, str(item[field]))
        for s in SCENARIOS:
            st.value(ws, r, L.SCENARIO_COLS[s], item[s], st.input)
    ws.freeze_panes(L.INPUTS_FIRST_KEY_ROW, 2)
    for col, width in enumerate(L.INPUT_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_column(len(L.INPUT_COLUMNS), L.LAST_YEAR_COL, 11)


def write_curve_parameters(ws: Any, st: Styles, rows: list[dict[str, Any]], top: int) -> None:
    """The penetration curve parameters, linked from the Inputs sheet's live column (green: links)."""
    ws.write_string(top, 0, "Curve parameters in force (links to Inputs; edit them there)", st.section)
    for col, text in enumerate(("parameter", "unit", "value")):
        ws.write_string(top + 1, col, text, st.head_left)
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
                       columns: tuple[str, ...]) -> str:
    """Title, master check, a year input cell and the column titles of a company/input table; returns the
    absolute reference of the year cell."""
    label, (row, col), year = year_input
    ws.write_string(L.TITLE_ROW, 0, title, st.title)
    st.master_check_row(ws, master)
    ws.write_string(row, 0, label, st.bold)
    ws.write_number(row, col, year, st.input)
    for c, text in enumerate(columns):
        ws.write_string(header_row, c, text, st.head_left)
    return xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)


def write_sensitivity(ws: Any, st: Styles, engine: EngineArea, tornado: Any, two_way: Any,
                      exposure_tornado: Any, ticker: str, master: float, year: int = 2030) -> int:
    """The TAM tornado (live through CPO_SENSITIVITY) and static tables; returns the tornado's row count."""
    year_ref = _year_table_header(ws, st, "Sensitivity: each input moved alone to its bear and bull value",
                                  master, ("Tornado year", L.SENSITIVITY_YEAR_CELL, year),
                                  L.SENSITIVITY_HEADER_ROW, L.SENSITIVITY_COLUMNS)
    first = L.SENSITIVITY_HEADER_ROW + 1
    for i, item in enumerate(tornado.itertuples()):
        r = first + i
        ws.write_string(r, 0, item.key, st.key)
        ws.write_string(r, 1, item.label)
        ws.write_number(r, 2, float(item.bear_value))
        ws.write_number(r, 3, float(item.bull_value))
        ws.write_formula(r, 6, f"=ABS(F{r + 1}-E{r + 1})", st.number("#,##0"), abs(item.at_bull - item.at_bear))
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
    ws.write_string(r, 0, f"{ticker} CPO exposure {year}: tornado (values computed by cpo-xl build)", st.section)
    for col, text in enumerate(("input key", "input", "exposure at bear", "exposure at bull", "swing")):
        ws.write_string(r + 1, col, text, st.head_left)
    for i, item in enumerate(exposure_tornado.itertuples()):
        for col, v in enumerate((item.key, item.label, item.at_bear, item.at_bull, item.swing)):
            st.value(ws, r + 2 + i, col, v if isinstance(v, str) else float(v),
                     None if isinstance(v, str) else st.number("0.00%"))
    for col, width in enumerate((34, 50, 12, 12, 28, 28, 16)):
        ws.set_column(col, col, width)
    return len(tornado)


def write_exposure_ranges(ws: Any, st: Styles, table: list[tuple[str, float, float, float]], top: int,
                          year: int) -> None:
    """Static table of each listed company's exposure percentiles (from the build's simulation)."""
    ws.write_string(top, 0, f"CPO exposure {year}: P10 / P50 / P90 (values computed by cpo-xl build)", st.section)
    for col, text in enumerate(("ticker", "unit", "key", "P10", "P50", "P90")):
        ws.write_string(top + 1, col, text, st.head_left)
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
                                  L.ELASTICITY_COLUMNS)
    lines = run(args.case).companies
    # None where undefined (private, no revenue baseline)
    exposures = {t: v if math.isfinite(v := float(lines[t].exposure[year_index(year)])) else None
                 for t in a.companies}
    def by_exposure(ticker: str) -> float:  # highest first; private / unfilled last
        value = exposures[ticker]
        return -value if value is not None else 1.0

    order = sorted(a.companies, key=by_exposure)
    first = L.ELASTICITY_HEADER_ROW + 1
    exp_range = f"$E${first + 1}:$E${first + len(order)}"
    for i, ticker in enumerate(order):
        r, company = first + i, a.companies[ticker]
        st.value(ws, r, 0, ticker)
        st.value(ws, r, 1, company.name)
        st.value(ws, r, 2, LAYER_LABELS[company.layer])
        mine = exposures[ticker]
        if mine is None:
            ws.write_string(r, 7, "no revenue on file")
        else:
            rank = 1 + sum(1 for e in exposures.values() if e is not None and e > mine)
            ws.write_formula(r, 7, f'=COUNTIF({exp_range},">"&E{r + 1})+1', st.number("0"), rank)
    last = first + len(order) - 1
    table = [[_or_na(getattr(lines[t], f)[year_index(year)]) for f in COMPANY_FIELDS] for t in order]
    formats = [st.number("#,##0"), st.number("0.00%"), st.number("0.00%"), st.number("0.00")]
    source = engine.block("Elasticity: company table", f"{{=CPO_COMPANIES(case_key,Elasticity!$A${first + 1}:"
                          f"$A${last + 1},Elasticity!{year_ref})}}", table, [formats] * len(table))
    engine.links(ws, (first, 3), source, table, [formats] * len(table))
    for col, width in enumerate((11, 24, 20, 18, 18, 22, 18, 18)):
        ws.set_column(col, col, width)
    ws.freeze_panes(first, 1)
    return len(order)


def _or_na(value: float) -> Any:
    return float(value) if math.isfinite(value) else NOT_DEFINED


def write_crosscheck_block(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea,
                           top: int) -> tuple[int, int]:
    """Published figures vs the model (ratio through CPO_CROSSCHECK); returns (first, last) data rows."""
    ws.write_string(top, 0, "Top-down cross-checks: published figure vs model", st.section)
    for col, text in enumerate(("source", "metric", "key", "year", "published", "model / published", "model")):
        ws.write_string(top + 1, col, text, st.head_left)
    points = [p for p in published() if p.metric in MONEY_METRICS]
    ratios: list[list[float]] = []
    for i, p in enumerate(points):
        r = top + 2 + i
        st.value(ws, r, 0, f"{p.source}: {p.scope}")
        ws.write_string(r, 1, p.metric, st.unit)
        ws.write_string(r, 2, p.id, st.key)
        ws.write_number(r, 3, p.year, st.input)
        ws.write_number(r, 4, p.value, st.input)
        ratio = ratio_to(float(model_value(run(args.case), p.metric)[year_index(p.year)]), p)
        ratios.append([ratio])
        ws.write_formula(r, 6, f"=E{r + 1}*F{r + 1}", st.number("#,##0"), ratio * p.value)
    first, last = top + 2, top + 1 + len(points)
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("TAM: cross-checks", f"{{=CPO_RATIOS(case_key,TAM!$C${first + 1}:$C${last + 1},"
                          f"TAM!$D${first + 1}:$D${last + 1})}}", ratios, fmts)
    engine.links(ws, (first, 5), source, ratios, fmts)
    return top + 2, top + 1 + len(points)


MONEY_METRICS = ("optics", "tam", "ai_optics")
METRIC_UNITS = {"optics": "US$ M", "tam": "US$ M", "ai_optics": "US$ M", "ports": "800G-eq ports",
                "ports_1600g": "1.6T-eq ports"}
RECONCILIATION_COLUMNS = ("source [scope]", "relation", "key", "year", "published", "model", "model/pub.",
                          "flag", "unit", "why the model departs (where flagged)")


def write_reconciliation(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea, top: int,
                         band_ref: str) -> None:
    """Every published figure against the model line of the same scope, flagged outside the band (a ceiling for
    broader scopes), with the reason where the model departs on purpose. Not part of the master check."""
    ws.write_string(top, 0, "Reconciliation with published forecasts (flags are not part of the master check)",
                    st.section)
    for col, text in enumerate(RECONCILIATION_COLUMNS):
        ws.write_string(top + 1, col, text, st.head_left)
    r = run(args.case)
    band = args.case.assumptions().crosscheck.band
    points = published()
    ratios: list[list[float]] = []
    first = top + 2
    for i, p in enumerate(points):
        row = first + i
        ratio = ratio_to(float(model_value(r, p.metric)[year_index(p.year)]), p)
        ws.write_string(row, 0, f"{p.publisher} [{p.scope}]")
        ws.write_string(row, 1, p.relation, st.unit)
        ws.write_string(row, 2, p.id, st.key)
        ws.write_number(row, 3, p.year, st.input_number("0"))
        ws.write_number(row, 4, p.value, st.input_number("#,##0"))
        ws.write_formula(row, 5, f"=E{row + 1}*G{row + 1}", st.number("#,##0"), ratio * p.value)
        ratios.append([ratio])
        flag = 0.0 if passes(ratio, p, band) else 1.0
        ws.write_formula(row, 7, f'=IF($B{row + 1}="ceiling",IF(G{row + 1}>1,1,0),'
                                 f'IF(OR(G{row + 1}<1/{band_ref},G{row + 1}>{band_ref}),1,0))', st.number("0"), flag)
        ws.write_string(row, 8, METRIC_UNITS[p.metric], st.unit)
        ws.write_string(row, 9, p.reason if flag else "")
    last = first + len(points) - 1
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("Checks: reconciliation", f"{{=CPO_RATIOS(case_key,Checks!$C${first + 1}:$C${last + 1},"
                          f"Checks!$D${first + 1}:$D${last + 1})}}", ratios, fmts)
    engine.links(ws, (first, 6), source, ratios, fmts)
    ws.write_string(last + 2, 0, "Reconciliation flags (count; see the reasons)", st.bold)
    ws.write_formula(last + 2, 7, f"=SUM(H{first + 1}:H{last + 1})", st.number("0"),
                     float(sum(0.0 if passes(ratio_to(float(model_value(r, p.metric)[year_index(p.year)]), p), p, band)
                               else 1.0 for p in points)))


def write_about(ws: Any, st: Styles, scenario: str, master: float, assumption_date: str) -> None:
    for col, width in enumerate((62, 110)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "CPO market model (co-packaged optics)", st.title)
    st.master_check_row(ws, master)
    if st.static:
        usage = [("This copy", "STATIC SNAPSHOT for reading: every CPO_* function was replaced by its value, so "
                               "it needs no add-in. Built-in formulas (sums, checks, ranks) stay live. "
                               "Edits to Inputs do not move the model numbers here.")]
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
        ("Legend: yellow fill, blue text", "Input (Inputs sheet, rack override, ranking year, cross-check figures)"),
        ("Legend: black text", "Calculation on this sheet"),
        ("Legend: green text", "Link to another sheet"),
        ("Master check", "Row 2 of every sheet; 0 = every line on the Checks sheet holds"),
        ("Regenerate", "cpo-xl build; inputs edited here flow back with cpo-xl pull"),
    ]
    for i, (a, b) in enumerate(lines):
        ws.write_string(3 + i, 0, a, st.bold_top)
        ws.write_string(3 + i, 1, b, st.wrap)
        ws.set_row(3 + i, _wrapped_height(b))
    r = 4 + len(lines)
    ws.write_string(r, 0, "Version", st.bold)
    st.formula(ws, r, 1, "=CPO_VERSION()", None, fn.CPO_VERSION())
    ws.write_string(r + 2, 0, "Functions (UDF catalogue)", st.section)
    for col, text in enumerate(("formula", "what it returns")):
        ws.write_string(r + 3, col, text, st.head_left)
    for i, udf in enumerate(CATALOGUE):
        ws.write_string(r + 4 + i, 0, signature(udf), st.wrap)
        ws.write_string(r + 4 + i, 1, f"{udf.doc} [{udf.returns}]", st.wrap)
        ws.set_row(r + 4 + i, _wrapped_height(udf.doc))


def _wrapped_height(text: str, chars_per_line: int = 105) -> float:
    """Row height [points] for wrapped text in the About sheet's wide column (viewers do not auto-fit)."""
    return 15.0 * max(1, -(-len(text) // chars_per_line))


def write_sources(ws: Any, st: Styles, rows: list[dict[str, Any]]) -> None:
    ws.write_string(0, 0, "Sources: every default number with source, date and grade (H/M/L)", st.title)
    ws.write_string(1, 0, "Grades: H vendor/official; M credible secondary or consensus; L derived, single-source, "
                          "or an explicit assumption. 'note' = the mid-2026 sell-side research note.")
    for col, text in enumerate(("key", "label", "base value", "unit", "source", "date", "grade")):
        ws.write_string(3, col, text, st.head_left)
    for i, item in enumerate(rows):
        for col, field in enumerate(("key", "label", "base", "unit", "source", "date", "grade")):
            st.value(ws, 4 + i, col, item[field])
    r = 6 + len(rows)
    ws.write_string(r, 0, "Published forecasts used as cross-checks", st.section)
    for col, text in enumerate(("id", "source", "year", "value", "metric / scope", "date", "grade")):
        ws.write_string(r + 1, col, text, st.head_left)
    for i, p in enumerate(published()):
        for col, v in enumerate((p.id, p.source, p.year, p.value, f"{p.metric}: {p.scope}", p.date, p.grade)):
            st.value(ws, r + 2 + i, col, v)
    for col, width in enumerate((36, 52, 12, 16, 90, 9, 6)):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 1)


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
