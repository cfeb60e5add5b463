"""Write CPO_Model.xlsx from the layout spec with XlsxWriter (formula + cached value in every formula cell)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl import __version__
from cpo_xl import functions as fn
from cpo_xl.assumptions import Assumptions
from cpo_xl.catalogue import CATALOGUE, signature
from cpo_xl.crosscheck import published
from cpo_xl.errors import CpoError
from cpo_xl.inputs import (
    DESCRIPTIVE_FIELDS,
    SCENARIOS,
    UserFile,
    flatten,
    read_user_file,
    scenario_values,
    shipped,
)
from cpo_xl.model import rack_series
from cpo_xl.tables import LAYER_LABELS
from cpo_xl.timeline import YEARS
from cpo_xl.workbook import grid
from cpo_xl.workbook import layout as L

FIXED_DATE = dt.datetime(2026, 1, 1)
INPUT_FILL, INPUT_FONT, LINK_FONT, HEAD_FILL = "#FFF2CC", "#0000FF", "#007A33", "#1F3864"


def input_rows(scenario: str, user: UserFile | None) -> list[dict[str, Any]]:
    """One row per numeric (or curve-choice) assumption: key, label, unit, bear/base/bull, source, date, grade."""
    _, meta, _ = shipped()
    by_scenario = {s: flatten(scenario_values(s, user)) for s in SCENARIOS}
    rows = []
    for key, base in by_scenario["base"].items():
        if key.rsplit(".", 1)[-1] in DESCRIPTIVE_FIELDS or base is None or isinstance(base, bool):
            continue
        m = meta.get(key)
        rows.append({"key": key, "label": m.label if m else key, "unit": m.unit if m else "",
                     **{s: by_scenario[s][key] for s in SCENARIOS}, "live": by_scenario[scenario][key],
                     "source": m.source if m else "user file", "date": m.date if m else "",
                     "grade": m.grade if m else "", "comment": ""})
    return rows


class Styles:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.head = wb.add_format({"bold": True, "font_color": "white", "bg_color": HEAD_FILL, "align": "center"})
        self.head_left = wb.add_format({"bold": True, "font_color": "white", "bg_color": HEAD_FILL})
        self.section = wb.add_format({"bold": True, "italic": True})
        self.label = wb.add_format({})
        self.unit = wb.add_format({"italic": True, "font_color": "#595959"})
        self.key = wb.add_format({"font_color": "#595959", "font_size": 9})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.input = wb.add_format({"bg_color": INPUT_FILL, "font_color": INPUT_FONT, "border": 1,
                                    "border_color": "#BFBFBF"})
        self.check_ok = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.check_bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.bold = wb.add_format({"bold": True})
        self._nums: dict[tuple[str, bool], Any] = {}
        self.wb = wb

    def number(self, fmt: str, link: bool = False) -> Any:
        if (fmt, link) not in self._nums:
            props: dict[str, Any] = {"num_format": fmt}
            if link:
                props["font_color"] = LINK_FONT
            self._nums[(fmt, link)] = self.wb.add_format(props)
        return self._nums[(fmt, link)]


def _master_check_row(ws: Any, st: Styles, master_value: float) -> None:
    ws.write_string(L.CHECK_ROW, 0, "Master check (0 = all checks hold)", st.bold)
    ws.write_formula(L.CHECK_ROW, L.KEY_COL, "=master_check", st.number("0"), master_value)
    rng = xl_rowcol_to_cell(L.CHECK_ROW, L.KEY_COL)
    ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": 0, "format": st.check_ok})
    ws.conditional_format(rng, {"type": "cell", "criteria": "!=", "value": 0, "format": st.check_bad})


def _year_header(ws: Any, st: Styles) -> None:
    for col, text in ((L.LABEL_COL, "line item"), (L.UNIT_COL, "unit"), (L.KEY_COL, "key")):
        ws.write_string(L.HEADER_ROW, col, text, st.head_left)
    for year in YEARS:
        ws.write_number(L.HEADER_ROW, L.year_col(year), year, st.head)
    ws.freeze_panes(L.HEADER_ROW + 1, L.FIRST_YEAR_COL)
    ws.set_column(L.LABEL_COL, L.LABEL_COL, 46)
    ws.set_column(L.UNIT_COL, L.UNIT_COL, 13)
    ws.set_column(L.KEY_COL, L.KEY_COL, 16)
    ws.set_column(L.FIRST_YEAR_COL, L.LAST_YEAR_COL, 11)


def write_series_sheet(ws: Any, sheet: L.SeriesSheet, st: Styles, places: dict[str, grid.Place],
                       values: dict[str, dict[int, float]], master: float) -> None:
    ws.write_string(L.TITLE_ROW, 0, sheet.title, st.title)
    _master_check_row(ws, st, master)
    _year_header(ws, st)
    lines = [item for item in sheet.rows if isinstance(item, L.Line)]
    flag_rows = [places[ln.name].row for ln in lines if ln.kind.endswith("_flag")]
    check_rows = (min(flag_rows), max(flag_rows)) if flag_rows else None
    for offset, item in enumerate(sheet.rows):
        row = L.FIRST_LINE_ROW + offset
        if isinstance(item, L.Section):
            ws.write_string(row, 0, item.title, st.section)
            continue
        ws.write_string(row, L.LABEL_COL, item.label, st.label)
        ws.write_string(row, L.UNIT_COL, item.unit, st.unit)
        if item.key:
            ws.write_string(row, L.KEY_COL, item.key, st.key)
        style = st.number(item.fmt, link=item.kind in ("link", "racks"))
        for year in YEARS:
            col = L.year_col(year)
            ws.write_formula(row, col, grid.formula(item, row, col, sheet.name, places, check_rows), style,
                             values[item.name][year])


def write_inputs(ws: Any, wb: Any, st: Styles, rows: list[dict[str, Any]], scenario: str,
                 racks: dict[int, float], master: float) -> None:
    ws.write_string(L.TITLE_ROW, 0, "Inputs: every assumption (yellow cells are inputs)", st.title)
    _master_check_row(ws, st, master)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 0, "Scenario (bear / base / bull)", st.bold)
    ws.write_string(L.INPUTS_SCENARIO_ROW, 2, scenario, st.input)
    ws.data_validation(L.INPUTS_SCENARIO_ROW, 2, L.INPUTS_SCENARIO_ROW, 2,
                       {"validate": "list", "source": list(SCENARIOS)})
    ws.write_string(L.INPUTS_YEARS_ROW - 1, 0, "NVIDIA AI racks shipped by year (drives every sheet)", st.section)
    ws.write_string(L.INPUTS_YEARS_ROW, 0, "Year", st.head_left)
    ws.write_string(L.INPUTS_YEARS_ROW, 1, "year", st.head_left)
    ws.write_string(L.INPUTS_RACKS_ROW, 0, "NVIDIA AI racks")
    ws.write_string(L.INPUTS_RACKS_ROW, 1, "racks", st.unit)
    for year in YEARS:
        ws.write_number(L.INPUTS_YEARS_ROW, L.year_col(year), year, st.head)
        ws.write_number(L.INPUTS_RACKS_ROW, L.year_col(year), racks[year], st.input)
    for col, text in enumerate(L.INPUT_COLUMNS):
        ws.write_string(L.INPUTS_TABLE_HEADER_ROW, col, text, st.head_left)
    scen_header = xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BEAR_C, row_abs=True, col_abs=True) + ":" + \
        xl_rowcol_to_cell(L.INPUTS_TABLE_HEADER_ROW, L.BULL_C, row_abs=True, col_abs=True)
    for i, item in enumerate(rows):
        r = L.INPUTS_FIRST_KEY_ROW + i
        ws.write_string(r, L.KEY_C, item["key"], st.key)
        live = f"=INDEX({xl_rowcol_to_cell(r, L.BEAR_C)}:{xl_rowcol_to_cell(r, L.BULL_C)}," \
               f"MATCH(scenario,{scen_header},0))"
        ws.write_formula(r, L.LIVE_C, live, None, item["live"])
        for text_col, field in ((L.LABEL_C, "label"), (L.UNIT_C, "unit"), (L.SOURCE_C, "source"),
                                (L.DATE_C, "date"), (L.GRADE_C, "grade"), (L.COMMENT_C, "comment")):
            ws.write_string(r, text_col, str(item[field]))
        for s in SCENARIOS:
            v = item[s]
            if isinstance(v, str):
                ws.write_string(r, L.SCENARIO_COLS[s], v, st.input)
            else:
                ws.write_number(r, L.SCENARIO_COLS[s], v, st.input)
    last = L.INPUTS_FIRST_KEY_ROW + len(rows) - 1
    wb.define_name("assumptions", f"=Inputs!$A${L.INPUTS_FIRST_KEY_ROW + 1}:$B${last + 1}")
    first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
    wb.define_name("years", f"=Inputs!${first_c}${L.INPUTS_YEARS_ROW + 1}:${last_c}${L.INPUTS_YEARS_ROW + 1}")
    wb.define_name("rack_units",
                   f"=Inputs!${first_c}${L.INPUTS_YEARS_ROW + 1}:${last_c}${L.INPUTS_RACKS_ROW + 1}")
    wb.define_name("scenario", f"=Inputs!$C${L.INPUTS_SCENARIO_ROW + 1}")
    ws.freeze_panes(L.INPUTS_FIRST_KEY_ROW, 2)
    for col, width in enumerate((34, 11, 52, 16, 9, 9, 9, 70, 9, 6, 20)):
        ws.set_column(col, col, width)
    ws.set_column(L.FIRST_YEAR_COL + len(L.INPUT_COLUMNS) - L.FIRST_YEAR_COL, L.LAST_YEAR_COL, 9)


def write_elasticity(ws: Any, st: Styles, a: Assumptions, args: grid.ModelArgs, master: float,
                     year: int = 2030) -> int:
    """Companies ranked for a selectable year; returns the number of company rows."""
    ws.write_string(L.TITLE_ROW, 0, "Elasticity: CPO exposure by company for the selected year", st.title)
    _master_check_row(ws, st, master)
    ws.write_string(L.ELASTICITY_YEAR_CELL[0], 0, "Ranking year", st.bold)
    ws.write_number(*L.ELASTICITY_YEAR_CELL, year, st.input)
    for col, text in enumerate(L.ELASTICITY_COLUMNS):
        ws.write_string(L.ELASTICITY_HEADER_ROW, col, text, st.head_left)
    year_ref = xl_rowcol_to_cell(*L.ELASTICITY_YEAR_CELL, row_abs=True, col_abs=True)
    tail = ",rack_units,assumptions,scenario"
    order = sorted(a.companies, key=lambda t: -_exposure_or_nan(t, year, args))
    first = L.ELASTICITY_HEADER_ROW + 1
    last = first + len(order) - 1
    exp_range = f"$E${first + 1}:$E${last + 1}"
    for i, ticker in enumerate(order):
        r, company = first + i, a.companies[ticker]
        ws.write_string(r, 0, ticker)
        ws.write_string(r, 1, company.name)
        ws.write_string(r, 2, LAYER_LABELS[company.layer])
        tick = f"$A{r + 1}"
        rev = fn.CPO_SUPPLIER_REVENUE(ticker, float(year), args.rack_units, args.assumptions, args.scenario)
        ws.write_formula(r, 3, f"=CPO_SUPPLIER_REVENUE({tick},{year_ref}{tail})", st.number("#,##0"), rev)
        for col, measure in ((4, "exposure"), (5, "net_exposure"), (6, "ebit")):
            try:
                v = fn.CPO_ELASTICITY(ticker, float(year), args.rack_units, args.assumptions, args.scenario,
                                      measure)
            except CpoError:
                ws.write_string(r, col, "n/a")
                continue
            fmt = "0.00" if measure == "ebit" else "0.00%"
            ws.write_formula(r, col, f'=CPO_ELASTICITY({tick},{year_ref}{tail},"{measure}")', st.number(fmt), v)
        if company.revenue_usd_m is not None:
            exposures = [_exposure_or_nan(t, year, args) for t in order]
            mine = exposures[i]
            rank = 1 + sum(1 for e in exposures if e == e and e > mine)
            ws.write_formula(r, 7, f'=COUNTIF({exp_range},">"&E{r + 1})+1', st.number("0"), rank)
        else:
            ws.write_string(r, 7, "private / not filled")
    for col, width in enumerate((11, 24, 20, 18, 18, 22, 18, 18)):
        ws.set_column(col, col, width)
    ws.freeze_panes(first, 1)
    return len(order)


def _exposure_or_nan(ticker: str, year: int, args: grid.ModelArgs) -> float:
    try:
        return fn.CPO_ELASTICITY(ticker, float(year), args.rack_units, args.assumptions, args.scenario)
    except CpoError:
        return float("-inf")


def write_crosscheck_block(ws: Any, st: Styles, args: grid.ModelArgs, top: int) -> tuple[int, int]:
    """Published figures vs the model (ratio through CPO_CROSSCHECK); returns (first, last) data rows."""
    ws.write_string(top, 0, "Top-down cross-checks: published figure vs model", st.section)
    for col, text in enumerate(("source", "metric", "key", "year", "published", "model / published",
                                "model")):
        ws.write_string(top + 1, col, text, st.head_left)
    points = [p for p in published() if p.metric.endswith("usd_m")]
    for i, p in enumerate(points):
        r = top + 2 + i
        ws.write_string(r, 0, f"{p.source}: {p.scope}")
        ws.write_string(r, 1, p.metric, st.unit)
        ws.write_string(r, 2, p.id, st.key)
        ws.write_number(r, 3, p.year, st.input)
        ws.write_number(r, 4, p.value, st.input)
        ratio = fn.CPO_CROSSCHECK(p.id, float(p.year), args.rack_units, args.assumptions, args.scenario)
        ws.write_formula(r, 5, f"=CPO_CROSSCHECK($C{r + 1},$D{r + 1},rack_units,assumptions,scenario)",
                         st.number("0.00"), ratio)
        ws.write_formula(r, 6, f"=E{r + 1}*F{r + 1}", st.number("#,##0"), ratio * p.value)
    return top + 2, top + 1 + len(points)


def write_about(ws: Any, st: Styles, scenario: str, master: float) -> None:
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, "CPO market model (co-packaged optics)", st.title)
    _master_check_row(ws, st, master)
    lines = [
        ("Purpose", "TAM of co-packaged optics by value-chain layer, penetration curves with a supply cap, and "
                    "each supplier's CPO exposure and elasticity, 2023-2035."),
        ("Scenario shown", scenario),
        ("In Excel with Python", "Install xlwings and its add-in; set UDF Modules = cpo_udfs and PYTHONPATH to "
                                 "the repo's udfs folder; Import Functions. Edit yellow cells on Inputs."),
        ("Without Python", "Every formula cell stores its last value: the numbers show as calculated by cpo-xl. "
                           "Do not recalculate with the add-in missing (UDF cells would show #NAME?)."),
        ("Legend: yellow fill, blue text", "Input: edit these (Inputs, rack forecast, ranking year)"),
        ("Legend: black text", "Calculation on this sheet"),
        ("Legend: green text", "Link to another sheet"),
        ("Master check", "Row 2 of every sheet; 0 = every line on Checks holds"),
        ("Regenerate", "cpo-xl build (never edit formulas by hand; inputs flow back with the Inputs sheet)"),
    ]
    for i, (a, b) in enumerate(lines):
        ws.write_string(3 + i, 0, a, st.bold)
        ws.write_string(3 + i, 1, b, st.wrap)
    r = 4 + len(lines)
    ws.write_string(r, 0, "Version", st.bold)
    ws.write_formula(r, 1, "=CPO_VERSION()", None, fn.CPO_VERSION())
    ws.write_string(r + 2, 0, "Functions (UDF catalogue)", st.section)
    for col, text in enumerate(("formula", "returns", "what it does")):
        ws.write_string(r + 3, col, text, st.head_left)
    for i, udf in enumerate(CATALOGUE):
        ws.write_string(r + 4 + i, 0, signature(udf))
        ws.write_string(r + 4 + i, 1, udf.returns)
        ws.write_string(r + 4 + i, 2, udf.doc, st.wrap)


def write_sources(ws: Any, st: Styles, rows: list[dict[str, Any]]) -> None:
    ws.write_string(0, 0, "Sources: every default number with source, date and grade (H/M/L)", st.title)
    ws.write_string(1, 0, "Grades: H vendor/official; M credible secondary or consensus; L derived, single-source, "
                          "or an explicit assumption. 'note' = the mid-2026 sell-side research note.")
    for col, text in enumerate(("key", "label", "base value", "unit", "source", "date", "grade")):
        ws.write_string(3, col, text, st.head_left)
    for i, item in enumerate(rows):
        cells = (item["key"], item["label"], item["base"], item["unit"], item["source"], item["date"], item["grade"])
        for col, v in enumerate(cells):
            if isinstance(v, str):
                ws.write_string(4 + i, col, v)
            else:
                ws.write_number(4 + i, col, v)
    r = 6 + len(rows)
    ws.write_string(r, 0, "Published forecasts used as cross-checks", st.section)
    for col, text in enumerate(("id", "source", "year", "value", "metric / scope", "date", "grade")):
        ws.write_string(r + 1, col, text, st.head_left)
    for i, p in enumerate(published()):
        for col, v in enumerate((p.id, p.source, p.year, p.value, f"{p.metric}: {p.scope}", p.date, p.grade)):
            if isinstance(v, str):
                ws.write_string(r + 2 + i, col, v)
            else:
                ws.write_number(r + 2 + i, col, v)
    for col, width in enumerate((36, 52, 12, 16, 90, 9, 6)):
        ws.set_column(col, col, width)
    ws.freeze_panes(4, 1)


def _series_range(places: dict[str, grid.Place], name: str) -> list[Any]:
    p = places[name]
    return [p.sheet, p.row, L.FIRST_YEAR_COL, p.row, L.LAST_YEAR_COL]


def _years_range(sheet: str) -> list[Any]:
    return [sheet, L.HEADER_ROW, L.FIRST_YEAR_COL, L.HEADER_ROW, L.LAST_YEAR_COL]


def add_charts(wb: Any, sheets: dict[str, Any], places: dict[str, grid.Place], below: dict[str, int],
               n_companies: int, xcheck_rows: tuple[int, int]) -> None:
    tam = wb.add_chart({"type": "column", "subtype": "stacked"})
    for layer, label in LAYER_LABELS.items():
        tam.add_series({"name": label, "categories": _years_range("TAM"),
                        "values": _series_range(places, f"tam_{layer}")})
    tam.set_title({"name": "CPO TAM by layer (US$ M)"})
    tam.set_size({"width": 900, "height": 360})
    sheets["TAM"].insert_chart(below["TAM"], 0, tam)
    pen = wb.add_chart({"type": "line"})
    for s in ("scale_out", "scale_up", "nic", "all"):
        pen.add_series({"name": ["Penetration", places[f"pen_{s}"].row, 0],
                        "categories": _years_range("Penetration"), "values": _series_range(places, f"pen_{s}")})
    pen.set_title({"name": "Effective CPO penetration by segment"})
    pen.set_y_axis({"num_format": "0%"})
    pen.set_size({"width": 900, "height": 340})
    sheets["Penetration"].insert_chart(below["Penetration"], 0, pen)
    first, last = xcheck_rows
    xc = wb.add_chart({"type": "bar"})
    for col, name in ((4, "Published"), (6, "Model")):
        xc.add_series({"name": name, "categories": ["TAM", first, 2, last, 3],
                       "values": ["TAM", first, col, last, col]})
    xc.set_title({"name": "Bottom-up model vs published (US$ M)"})
    xc.set_x_axis({"log_base": 10})
    xc.set_size({"width": 900, "height": 380})
    sheets["TAM"].insert_chart(last + 3, 0, xc)
    ex = wb.add_chart({"type": "bar"})
    top = L.ELASTICITY_HEADER_ROW + 1
    ex.add_series({"name": "CPO exposure", "categories": ["Elasticity", top, 0, top + n_companies - 1, 0],
                   "values": ["Elasticity", top, 4, top + n_companies - 1, 4]})
    ex.set_title({"name": "CPO exposure ranking (selected year)"})
    ex.set_x_axis({"num_format": "0%"})
    ex.set_y_axis({"reverse": True})
    ex.set_legend({"none": True})
    ex.set_size({"width": 760, "height": 520})
    sheets["Elasticity"].insert_chart(top + n_companies + 2, 0, ex)


def build_workbook(path: Path, scenario: str = "base", user: UserFile | None = None) -> None:
    """Write the whole workbook to ``path`` (deterministic: same inputs, same bytes)."""
    from cpo_xl.inputs import resolve
    a = resolve(scenario, (), user)
    rows = input_rows(scenario, user)
    racks = dict(zip(YEARS, rack_series(a), strict=True))
    args = grid.ModelArgs([[float(y) for y in YEARS], [racks[y] for y in YEARS]],
                          [[r["key"], r["live"]] for r in rows], scenario)
    series = L.series_sheets(a)
    places = grid.place_lines(series)
    values = grid.evaluate(series, args, racks)
    master = float(sum(values["chk_total"].values()))
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "CPO market model", "author": "cpo-xl", "created": FIXED_DATE,
                       "comments": f"cpo-xl {__version__}"})
    st = Styles(wb)
    sheets = {name: wb.add_worksheet(name) for name in L.SHEETS}
    write_about(sheets["About"], st, scenario, master)
    write_inputs(sheets["Inputs"], wb, st, rows, scenario, racks, master)
    below = {}
    for sheet in series:
        write_series_sheet(sheets[sheet.name], sheet, st, places, values, master)
        below[sheet.name] = L.FIRST_LINE_ROW + len(sheet.rows) + 2
    n = write_elasticity(sheets["Elasticity"], st, a, args, master)
    ck = sheets["Checks"]
    ck.write_string(L.CHECK_TOLERANCE_CELL[0], 0, "Check tolerance (relative)", st.bold)
    ck.write_number(*L.CHECK_TOLERANCE_CELL, grid.CHECK_TOLERANCE, st.input)
    total_row = places["chk_total"].row
    first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
    wb.define_name("master_check", f"=Checks!${first_c}${L.TITLE_ROW + 1}")
    ck.write_string(L.TITLE_ROW, L.KEY_COL, "master_check", st.bold)
    ck.write_formula(L.TITLE_ROW, L.FIRST_YEAR_COL, f"=SUM({first_c}{total_row + 1}:{last_c}{total_row + 1})",
                     st.number("0"), master)
    xrows = write_crosscheck_block(sheets["TAM"], st, args, below["TAM"] + 20)
    add_charts(wb, sheets, places, below, n, xrows)
    write_sources(sheets["Sources"], st, rows)
    conf = sheets["xlwings.conf"]
    conf.write_string(0, 0, "UDF Modules")
    conf.write_string(0, 1, "cpo_udfs")
    conf.hide()
    for ws in sheets.values():
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide: the PM's PDF keeps every year column together
    sheets["About"].activate()
    wb.close()


def atomic_build(target: Path, scenario: str, user: UserFile | None) -> None:
    """Build into a temporary file beside ``target``, then rename over it (never a half-written file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cpo-build-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    try:
        build_workbook(Path(tmp), scenario, user)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a workbook is meant to be shared
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_command(args: Any) -> int:
    from cpo_xl.cli import headline, load_assumptions
    from cpo_xl.inputs import check_scenario
    scenario = check_scenario(args.scenario)
    user = read_user_file(args.assumptions) if args.assumptions else None
    target = Path(args.output)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "fresh.xlsx"
            build_workbook(fresh, scenario, user)
            if not target.exists() or target.read_bytes() != fresh.read_bytes():
                print(f"cpo-xl: {target} differs from a fresh build; run cpo-xl build")
                return 1
        print(f"{target}: identical to a fresh build")
        return 0
    if target.name.startswith("~$") or (target.parent / f"~${target.name}").exists():
        raise CpoError(f"{target} is open in Excel (lock file ~${target.name}); close it first")
    atomic_build(target, scenario, user)
    print(f"wrote {target} (scenario {scenario})")
    print(headline(load_assumptions(scenario, args.assumptions)))
    return 0
