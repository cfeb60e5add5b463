"""Assemble CPO_Model.xlsx from the layout spec with XlsxWriter (formula + cached value in every formula cell)
and write it safely; the same builder makes the PM copy (``static``)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl import __version__
from cpo_xl.analysis import bridge as br
from cpo_xl.analysis import montecarlo
from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.engine.case import Case
from cpo_xl.engine.inputs import SCENARIOS, shipped
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel import functions as fn
from cpo_xl.excel.blocks import recall
from cpo_xl.workbook.read import snapshot
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import notes
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.spec.input_rows import input_rows
from cpo_xl.workbook.write import grid, summary, switch
from cpo_xl.workbook.write.fastbook import FastWorkbook
from cpo_xl.workbook.write.sheets import about, bridge, checks, common, elasticity, inputs, sensitivity, sources
from cpo_xl.workbook.write.sheets import series as series_sheets
from cpo_xl.workbook.write.style import Styles, number_guard

FIXED_DATE = dt.datetime(2026, 1, 1)  # document properties are fixed so builds are byte-identical
DIGEST_PROPERTY = "cpo_inputs_digest"
# Excel fully recalculates on open when a file asks for it (fullCalcOnLoad, XlsxWriter's default) or when its
# calcId is older than Excel's own calculation engine; without the add-in every CPO_* cell would then show
# #NAME?. 191029 is the engine id Excel 2019, 2021 and Microsoft 365 write (2016 writes a lower one).
EXCEL_CALC_ID = 191029
SENSITIVITY_YEAR = 2030  # the tornado year unless the file's [workbook] says otherwise
DEFAULT_RANKING_YEAR = 2030
EXPOSURE_TICKER = "AVGO"
TWO_WAY_CEILINGS = (0.4, 0.5, 0.6, 0.7, 0.8)  # scale-out ceiling L
TWO_WAY_EROSIONS = (0.10, 0.15, 0.20, 0.25, 0.30)  # optics price erosion in 2027 [1/yr]


def _series_range(places: dict[str, grid.Place], name: str) -> list[Any]:
    p = places[name]
    return [p.sheet, p.row, L.FIRST_YEAR_COL, p.row, L.LAST_YEAR_COL]


def _years_range(sheet: str) -> list[Any]:
    return [sheet, L.HEADER_ROW, L.FIRST_YEAR_COL, L.HEADER_ROW, L.LAST_YEAR_COL]


def _place(ws: dict[str, Any], name: str, row: int, chart: Any) -> None:
    """Size a chart from the layout spec and insert it at ``row`` of its sheet."""
    spec = L.CHARTS[name]
    chart.set_size({"width": spec.width, "height": spec.height})
    ws[spec.sheet].insert_chart(row, spec.col, chart)


AXIS_FONT = {"size": 10}  # chart text at 10 pt prints at 8 pt (L.PRINT_SCALE)
GRIDLINES = {"visible": True, "line": {"color": "#D9D9D9"}}
SCENARIO_LOOKS = {"bear": {"color": "#C00000", "dash_type": "dash"}, "base": {"color": "#1F3864", "width": 2.5},
                  "bull": {"color": "#00B050", "dash_type": "dash"}}  # the Summary's and the Scenarios sheet's


def add_demand_chart(wb: Any, ws: dict[str, Any], places: dict[str, grid.Place], below: dict[str, int]) -> None:
    """Under the Demand sheet's lines: NVIDIA rack demand, each envelope and the rack forecast (the least of
    them; the racks used when racks are typed) by year."""
    chart = wb.add_chart({"type": "line"})
    looks = {"racks": {"color": "#1F3864", "width": 7, "transparency": 55},  # first: a wide band under the rest
             "racks_demand": {"color": "#7F7F7F", "width": 2, "dash_type": "dash"},
             "rack_cap_power": {"color": "#C00000", "width": 1.5}, "rack_cap_cowos": {"color": "#ED7D31", "width": 1.5},
             "rack_cap_spend": {"color": "#00B050", "width": 1.5}}
    for name, label in L.DEMAND_CHART_LINES:
        chart.add_series({"name": label, "categories": _years_range("Demand"), "values": _series_range(places, name),
                          "line": looks[name], "marker": {"type": "none"}})
    chart.set_title({"name": "NVIDIA racks: demand, each envelope and the forecast (NVL72-eq racks/yr)",
                     "name_font": {"size": 12}})
    chart.set_x_axis({"name": "Year", "name_font": AXIS_FONT, "num_font": AXIS_FONT})
    chart.set_y_axis({"name": "NVL72-eq racks/yr", "name_font": AXIS_FONT, "num_font": AXIS_FONT,
                      "num_format": "#,##0", "min": 0, "major_gridlines": GRIDLINES})
    chart.set_legend({"position": "bottom", "font": AXIS_FONT})
    _place(ws, "demand", below["Demand"], chart)


def add_charts(wb: Any, sheets: dict[str, Any], places: dict[str, grid.Place], below: dict[str, int],
               n_companies: int, xcheck_rows: tuple[int, int]) -> None:
    add_demand_chart(wb, sheets, places, below)
    tam = wb.add_chart({"type": "column", "subtype": "stacked"})
    for layer, label in LAYER_LABELS.items():
        tam.add_series({"name": label, "categories": _years_range("TAM"),
                        "values": _series_range(places, f"tam_{layer}")})
    tam.set_title({"name": "CPO TAM by layer (US$ M)"})
    _place(sheets, "tam", below["TAM"], tam)
    pen = wb.add_chart({"type": "line"})
    for s in ("scale_out", "scale_up", "nic", "all"):
        pen.add_series({"name": ["Penetration", places[f"pen_{s}"].row, 0],
                        "categories": _years_range("Penetration"), "values": _series_range(places, f"pen_{s}")})
    pen.set_title({"name": "Effective CPO penetration by segment"})
    pen.set_y_axis({"num_format": "0%"})
    _place(sheets, "penetration", below["Penetration"], pen)
    first, last = xcheck_rows
    xc = wb.add_chart({"type": "bar"})
    x_labels = T.CROSSCHECK.col("chart_label")
    for column, name in (("published", "Published"), ("model", "Model")):
        col = T.CROSSCHECK.col(column)
        xc.add_series({"name": name, "categories": ["TAM", first, x_labels, last, x_labels],
                       "values": ["TAM", first, col, last, col]})
    xc.set_title({"name": "Bottom-up model vs published (US$ M; * quoted, not verified)"})
    xc.set_y_axis({"reverse": True, "num_font": AXIS_FONT})  # the table's order, top to bottom
    xc.set_x_axis({"log_base": 10})
    _place(sheets, "crosscheck", crosscheck_chart_row(xcheck_rows), xc)
    ex = wb.add_chart({"type": "bar"})
    top = L.ELASTICITY_HEADER_ROW + 1
    tickers = T.ELASTICITY.col("ticker")
    for column, name, color in (("exposure", "gross exposure (CPO revenue / revenue)", "#A6A6A6"),
                                ("net_exposure", "net exposure (less the legacy revenue CPO displaces)", "#1F3864")):
        col = T.ELASTICITY.col(column)
        ex.add_series({"name": name, "categories": ["Elasticity", top, tickers, top + n_companies - 1, tickers],
                       "values": ["Elasticity", top, col, top + n_companies - 1, col], "fill": {"color": color}})
    ex.set_title({"name": "CPO exposure by company, gross and net (selected year)"})
    ex.set_x_axis({"num_format": "0%"})
    ex.set_y_axis({"reverse": True, "label_position": "low"})
    ex.set_legend({"position": "bottom"})
    _place(sheets, "ranking", L.below(top, n_companies), ex)
    # the chart prints whole, on its own page (the break sits in the blank row above it)
    sheets["Elasticity"].set_h_pagebreaks([L.below(top, n_companies) - 1])


def crosscheck_chart_row(xcheck_rows: tuple[int, int]) -> int:
    """The TAM cross-check chart's row: under its table (first and last data rows)."""
    first, last = xcheck_rows
    return L.below(first, last - first + 1)


def _tam_by_year_axes(chart: Any) -> None:
    """The axes and legend of a CPO TAM line chart by year (the Scenarios and Risk charts): named axes at the
    print standard, a linear TAM axis from 0 with separators and gridlines, the legend below."""
    chart.set_x_axis({"name": "Year", "name_font": AXIS_FONT, "num_font": AXIS_FONT})
    chart.set_y_axis({"name": "CPO TAM [US$ M]", "name_font": AXIS_FONT, "num_font": AXIS_FONT, "num_format": "#,##0",
                      "min": 0, "major_gridlines": GRIDLINES})
    chart.set_legend({"position": "bottom", "font": AXIS_FONT})


def add_risk_charts(wb: Any, ws: dict[str, Any], places: dict[str, grid.Place], below: dict[str, int],
                    n_keys: int) -> None:
    """Scenario TAM lines, the Monte Carlo fan chart and the tornado."""
    # a linear axis with separators and the Summary's colours (a log axis squeezed the bear-bull band into lines)
    scen = wb.add_chart({"type": "line"})
    for s in SCENARIOS:
        scen.add_series({"name": f"CPO TAM ({s})", "categories": _years_range("Scenarios"),
                         "values": _series_range(places, f"sc_tam_{s}"), "line": SCENARIO_LOOKS[s],
                         "marker": {"type": "none"}})
    scen.set_title({"name": "CPO TAM by scenario: bear / base / bull (US$ M)", "name_font": {"size": 12}})
    _tam_by_year_axes(scen)
    _place(ws, "scenarios", below["Scenarios"], scen)
    # a linear axis with separators, as on the Summary (a log axis squeezed the P10-P90 band into a line): P10
    # and P90 are the band's edges in one colour, P50 thick inside; Excel also shades the band (up/down bars
    # between the first series and the last), which LibreOffice does not draw
    fan = wb.add_chart({"type": "line"})
    edge = {"color": "#2E75B6", "width": 2}
    for name, label, look in (("pctl_0.1", "P10 (bottom of the band)", edge),
                              ("pctl_0.5", "P50", {"color": "#1F3864", "width": 3}),
                              ("tam_deterministic", "Deterministic", {"color": "#C00000", "width": 1.5,
                                                                      "dash_type": "dash"}),
                              ("pctl_0.9", "P90 (top of the band)", edge)):
        fan.add_series({"name": label, "categories": _years_range("Risk"), "values": _series_range(places, name),
                        "line": look, "marker": {"type": "none"}})
    band = {"fill": {"color": "#DEEBF7"}, "border": {"none": True}}
    fan.set_up_down_bars({"up": band, "down": band})
    fan.set_title({"name": "CPO TAM, Monte Carlo: P50 inside the P10-P90 band (US$ M)", "name_font": {"size": 12}})
    _tam_by_year_axes(fan)
    _place(ws, "fan", below["Risk"], fan)
    tornado = wb.add_chart({"type": "bar"})
    top = L.SENSITIVITY_HEADER_ROW + 1
    labels = T.TORNADO.col("label")
    for column, name in (("at_bear", "at bear value"), ("at_bull", "at bull value")):
        col = T.TORNADO.col(column)
        tornado.add_series({"name": name, "categories": ["Sensitivity", top, labels, top + n_keys - 1, labels],
                            "values": ["Sensitivity", top, col, top + n_keys - 1, col], "overlap": 100})
    tornado.set_title({"name": "Tornado: change in CPO TAM (US$ M)"})
    # every input named (LibreOffice otherwise labels every other bar); the swing axis with separators
    tornado.set_y_axis({"reverse": True, "label_position": "low", "interval_unit": 1, "num_font": AXIS_FONT})
    tornado.set_x_axis({"num_format": "#,##0", "num_font": AXIS_FONT, "major_gridlines": GRIDLINES})
    _place(ws, "tornado", L.below(top, n_keys), tornado)


def add_summary_chart(wb: Any, ws: dict[str, Any], places: dict[str, grid.Place]) -> None:
    """The Summary's chart: CPO TAM by year in bear, base and bull (the band), under the facts on the right."""
    chart = wb.add_chart({"type": "line"})
    for s in SCENARIOS:
        chart.add_series({"name": f"CPO TAM, {s}", "categories": _years_range("Scenarios"),
                          "values": _series_range(places, f"sc_tam_{s}"), "line": SCENARIO_LOOKS[s]})
    chart.set_title({"name": "CPO TAM by scenario: bear / base / bull (US$ M)", "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": GRIDLINES, "num_font": AXIS_FONT})
    chart.set_x_axis({"num_font": AXIS_FONT})
    chart.set_legend({"position": "bottom", "font": AXIS_FONT})
    spec = L.CHARTS["summary"]
    chart.set_size({"width": spec.width, "height": spec.height})
    ws[spec.sheet].insert_chart(L.SUMMARY_FACTS_ROW + len(L.SUMMARY_FACTS_LABELS) + 1, L.SUMMARY_CHART_COL, chart)


def add_bridge_charts(wb: Any, ws: dict[str, Any], bridges: list[br.Bridge], blocks: list[L.BridgeBlock]) -> None:
    """One waterfall per bridge: stacked columns of an invisible base, the increase, the decrease and the two
    ends, from the helper columns of its table."""
    # light fills, so that the black data labels read on every bar (they were unreadable on navy and dark red)
    series = ((L.BR_BASE_C, "base", {"fill": {"none": True}, "border": {"none": True}}),
              (L.BR_UP_C, "increase", {"fill": {"color": "#A9D18E"}}),
              (L.BR_DOWN_C, "decrease", {"fill": {"color": "#F4A6A6"}}),
              (L.BR_TOTAL_C, "CPO TAM", {"fill": {"color": "#9DC3E6"}}))
    for b, block in zip(bridges, blocks, strict=True):
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        for col, name, look in series:
            # a decrease bar's height is positive: its label carries the minus ("-378", not "378")
            shown = "-#,##0;-#,##0;;" if col == L.BR_DOWN_C else "#,##0;#,##0;;"
            labels = {"data_labels": {"value": True, "num_format": shown, "position": "inside_end",
                                      "font": {"size": 10}}} if col != L.BR_BASE_C else {}
            chart.add_series({"name": name, "categories": [L.BRIDGE, block.first, L.BR_STEP_C, block.last, L.BR_STEP_C],
                              "values": [L.BRIDGE, block.first, col, block.last, col], "gap": 60, **look, **labels})
        chart.set_title({"name": f"CPO TAM {b.year}: {b.a} -> {b.b} (US$ M, Shapley bridge, static)"})
        chart.set_legend({"position": "bottom", "delete_series": [0]})
        chart.set_y_axis({"num_format": "#,##0", "major_gridlines": GRIDLINES})
        chart.set_x_axis({"num_font": {"rotation": -30, "size": 10}})
        _place(ws, "bridge", block.chart, chart)


def assumption_date() -> str:
    """The newest source date among the shipped assumptions (YYYY-MM)."""
    return max(m.date for m in shipped()[1].values())


def build_workbook(path: Path, case: Case | None = None, static: bool = False) -> str:
    """Write the whole workbook of a case to ``path``; returns the digest of the inputs it holds. The ranking
    year, tornado year and check tolerance come from the case's file ([workbook]), else the defaults.

    ``static``: the PM copy, every CPO_* formula replaced by its value; the copy is also written in the other
    scenarios so that its scenario cell switches every number (:mod:`cpo_xl.workbook.write.switch`)."""
    case = case or Case()
    wb = FastWorkbook(str(path), WORKBOOK_OPTIONS)
    written = _write(wb, case, static)
    if static:
        variants = {s: _static_contents(case.with_(scenario=s)) for s in SCENARIOS if s != case.scenario}
        by_scenario = {**variants, case.scenario: switch.contents(wb, written.sheets)}
        year_ref = "Elasticity!" + xl_rowcol_to_cell(*L.ELASTICITY_YEAR_CELL, row_abs=True, col_abs=True)
        switch.apply(wb, written.sheets, case.scenario, variants, _company_years(case, written, by_scenario),
                     year_ref, written.ranking_year, keep=written.record_cells)
    wb.close()
    return written.digest


@dataclass(frozen=True)
class Written:
    """A workbook's sheets before it is closed, its inputs' digest and where its company table sits."""

    digest: str
    sheets: dict[str, Any]
    company_block: tuple[int, int]  # first (row, column) of the CPO_COMPANIES array on the Engine sheet
    n_companies: int
    ranking_year: int
    record_cells: frozenset[tuple[str, tuple[int, int]]]  # the build record: never switched


def _company_years(case: Case, written: Written,
                   by_scenario: dict[str, dict[str, dict[tuple[int, int], tuple[switch.Content, Any]]]]
                   ) -> switch.YearCells:
    """The company table's values on the Engine sheet in every scenario and year, each scenario in the row
    order its copy was built with (the Elasticity sheet's tickers)."""
    first_row = L.ELASTICITY_HEADER_ROW + 1
    cells: switch.YearCells = {}
    r0, c0 = written.company_block
    for s, cells_of in by_scenario.items():
        order = [str(cells_of["Elasticity"][(first_row + i, 0)][0].value) for i in range(written.n_companies)]
        tables = [elasticity.company_table(case.with_(scenario=s), order, y) for y in YEARS]
        for i in range(written.n_companies):
            for j in range(len(tables[0][0])):
                cells.setdefault((L.ENGINE, (r0 + i, c0 + j)), {})[s] = [t[i][j] for t in tables]
    return cells


# in_memory: XlsxWriter assembles each part in memory instead of a temporary file per part (~240 files a build)
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                    "in_memory": True}


def model_args(case: Case, rows: list[dict[str, Any]], tolerance: float) -> grid.ModelArgs:
    """What the line recipes read: ``case``, the case CPO_CASE(assumptions, scenario) builds from the Inputs
    table ``rows`` (forecast racks, no user file), the typed racks and the Inputs table as written."""
    table = tuple((r["key"], r["bear"], r["base"], r["bull"]) for r in rows)
    live = recall(grid.case_key(grid.ModelArgs(case, case, {}, table=table), case.scenario))
    return grid.ModelArgs(case, live, overrides=case.typed_racks(), tolerance=tolerance, table=table)


def _static_contents(case: Case) -> dict[str, dict[tuple[int, int], tuple[switch.Content, Any]]]:
    """Every cell of the PM copy in another scenario (written in memory, then dropped)."""
    wb = FastWorkbook(io.BytesIO(), WORKBOOK_OPTIONS)
    written = _write(wb, case, True)
    return switch.contents(wb, written.sheets)  # never closed: only its cells are wanted, not its XML (~0.5 s)


def _write(wb: Any, case: Case, static: bool) -> Written:
    """Every sheet of the workbook of ``case`` into ``wb`` (not closed)."""
    settings = dict(case.user.workbook) if case.user else {}
    ranking_year = int(settings.get("ranking_year", DEFAULT_RANKING_YEAR))
    tornado_year = int(settings.get("tornado_year", SENSITIVITY_YEAR))
    tolerance = float(settings.get("check_tolerance", grid.CHECK_TOLERANCE))
    scenario, user = case.scenario, case.user
    a = case.assumptions()
    overrides = case.typed_racks()
    rows = input_rows(scenario, user)
    racks = dict(zip(YEARS, case.rack_series(), strict=True))
    forecast = dict(zip(YEARS, case.forecast(), strict=True))
    args = model_args(case, rows, tolerance)
    live = args.live
    series = L.series_sheets(case)
    places = grid.place_lines(series)
    values = grid.evaluate(series, args, racks)
    master = float(sum(values["chk_total"].values()))
    typed = snapshot.InputsSnapshot(
        scenario, tuple((r["key"], r["bear"], r["base"], r["bull"]) for r in rows),
        tuple(sorted(overrides.items())), ranking_year, tolerance, tornado_year,
        tuple((r["key"], r["comment"]) for r in rows if r["comment"]),
        described=snapshot.described_of(user),  # issue 24: descriptive company fields, carried back by pull
        cell_notes=user.cell_notes if user else ())  # and a person's notes on input cells
    digest = snapshot.snapshot_digest(typed)
    wb.set_properties({"title": "CPO market model" + (" (PM copy, static)" if static else ""),
                       "author": "cpo-xl", "created": FIXED_DATE, "comments": f"cpo-xl {__version__}"})
    wb.set_custom_property(DIGEST_PROPERTY, digest)
    wb.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
    wb.calc_on_load = False  # XlsxWriter has no public switch for fullCalcOnLoad in auto mode; a test pins it
    st = Styles(wb, static=static, scenario=scenario)
    names = [n for n in (L.PM_ORDER if static else L.SHEETS) if not (static and n == "xlwings.conf")]
    ws = {name: wb.add_worksheet(name) for name in names}
    about.write_about(ws["About"], st, scenario, master, assumption_date())
    for name, ref in L.defined_names(len(rows)).items():
        wb.define_name(name, ref)
    keys = (grid.case_key(args, scenario), grid.case_key(args, scenario, [racks[y] for y in YEARS]))
    inputs.write_inputs(ws["Inputs"], wb, st, rows, scenario, racks, forecast, overrides, master, keys,
                        places["e_inputs_rack_forecast"].row, notes.by_cell(user))
    below = {}
    for sheet in series:
        series_sheets.write_series_sheet(ws[sheet.name], sheet, st, places, values, master)
        below[sheet.name] = L.below(L.FIRST_LINE_ROW, len(sheet.rows))
    engine = common.EngineArea(ws[L.ENGINE], st, below[L.ENGINE])
    n = elasticity.write_elasticity(ws["Elasticity"], st, a, args, engine, master, ranking_year)
    inputs.write_curve_parameters(ws["Penetration"], st, rows, L.below_chart(below["Penetration"], "penetration"))
    _write_master_check(wb, ws["Checks"], st, places, master, tolerance)
    band_row = next(i for i, r in enumerate(rows) if r["key"] == "crosscheck.band") + L.INPUTS_FIRST_KEY_ROW
    band_ref = "Inputs!" + xl_rowcol_to_cell(band_row, L.LIVE_C, row_abs=True, col_abs=True)
    reconciliation_first, after = checks.write_reconciliation(ws["Checks"], st, args, engine, below["Checks"],
                                                              band_ref)
    # below the reconciliation and its count row
    anchors_top = after
    anchors_first = checks.write_anchors(ws["Checks"], st, args, places, anchors_top)
    xrows = checks.write_crosscheck_block(ws["TAM"], st, args, engine, L.below_chart(below["TAM"], "tam"))
    add_charts(wb, ws, places, below, n, xrows)
    # the Sensitivity sheet's tornado uses case_forecast (no racks): rack inputs move the racks
    tornado = sc.tornado(live, tornado_year)
    n_keys = sensitivity.write_sensitivity(
        ws["Sensitivity"], st, engine, tornado,
        sc.two_way(case.without_typed_racks(), "penetration.scale_out.ceiling", TWO_WAY_CEILINGS,
                   "pricing.erosion_2027", TWO_WAY_EROSIONS, tornado_year),
        sc.tornado(case, tornado_year, EXPOSURE_TICKER), EXPOSURE_TICKER, master, tornado_year)
    add_risk_charts(wb, ws, places, below, n_keys)
    # each chart and the cross-check table start a printed page, so none is cut (the table runs over two pages
    # and its chart, under it, straddled the second break)
    xcheck_top = L.below_chart(below["TAM"], "tam")
    extra = {"Demand": [below["Demand"] - 1],
             "TAM": [below["TAM"] - 1, xcheck_top, L.chart_page_break(crosscheck_chart_row(xrows))],
             "Penetration": [below["Penetration"] - 1], "Scenarios": [below["Scenarios"] - 1],
             "Risk": [below["Risk"] - 1, L.below_chart(below["Risk"], "fan")],  # the exposure ranges whole
             "Checks": [anchors_top]}  # the disclosed anchors start a page, not their last rows alone
    for sheet in series:  # and each repeated year header starts a page
        breaks = sorted({*extra.get(sheet.name, []), *L.year_header_rows(sheet)})
        if breaks:
            ws[sheet.name].set_h_pagebreaks(breaks)
    sim = montecarlo.simulate(case.with_(racks=()), montecarlo.DEFAULT_DRAWS, montecarlo.DEFAULT_SEED,
                              companies=True, exposure_year=tornado_year)
    ranges_table = []
    for t in a.companies:
        if a.companies[t].revenue_usd_m is not None:
            p10, p50, p90 = (float(v) for v in sim.exposure_percentiles(t))
            ranges_table.append((t, p10, p50, p90))
    sensitivity.write_exposure_ranges(ws["Risk"], st, ranges_table, L.below_chart(below["Risk"], "fan"), tornado_year)
    sources.write_sources(ws["Sources"], st, rows)
    refs = summary.SummaryRefs(L.ELASTICITY_HEADER_ROW + 1, n, reconciliation_first, L.SENSITIVITY_HEADER_ROW + 1,
                               n_keys, band_ref, anchors_first)
    summary.write_summary(ws[L.SUMMARY], st, args, places, values, master, refs, tornado,
                                          ranking_year, tornado_year, assumption_date())
    add_summary_chart(wb, ws, places)
    bridges = [br.bridge(case.with_(scenario=a_name), case.with_(scenario=b_name), L.BRIDGE_YEAR, "tam",
                         (a_name, b_name)) for a_name, b_name in L.BRIDGE_PAIRS]
    blocks = L.bridge_blocks([len(b.components) + 2 for b in bridges])
    bridge.write_bridge(ws[L.BRIDGE], st, bridges, blocks, master)
    add_bridge_charts(wb, ws, bridges, blocks)
    if not static:
        ws["xlwings.conf"].write_string(0, 0, "UDF Modules")
        ws["xlwings.conf"].write_string(0, 1, "cpo_udfs")
        ws["xlwings.conf"].hide()
    engine.record(L.BUILD_RECORD_TITLE, snapshot.snapshot_json(typed))  # what edits.py rebuilds from
    ws[L.ENGINE].hide()
    for name, sheet_ws in ws.items():
        if name not in (L.ENGINE, "xlwings.conf"):  # hidden sheets are not printed
            print_setup(sheet_ws, name, scenario, static, series=name in {sh.name for sh in series})
    ws[L.SUMMARY].activate()
    return Written(digest, ws, engine.blocks["Elasticity: company table"], n, ranking_year,
                   frozenset((L.ENGINE, cell) for cell in engine.recorded))


def chart_extent(ws: Any) -> tuple[int, int]:
    """(last row, last column), 0-based, that the sheet's charts cover (XlsxWriter keeps them in ``charts``:
    row, column, chart, x and y offsets [px], ...; charts are sized in px, columns by their widths)."""
    last_row = last_col = 0
    for row, col, chart, x_off, y_off, *_ in ws.charts:
        last_row = max(last_row, row + -(-(y_off + chart.height) // L.ROW_PX))
        c, width = col, x_off + chart.width
        while width > ws._size_col(c):
            width -= ws._size_col(c)
            c += 1
        last_col = max(last_col, c)
    return last_row, last_col


def print_setup(ws: Any, name: str, scenario: str, static: bool, series: bool = False) -> None:
    """A4 landscape at L.PRINT_SCALE (the Summary fitted to one page), a print area over the cells and charts,
    the header rows (and on the time-series sheets the label columns) repeated on every page, and a header/footer
    naming the model, the sheet, the version and the page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    if name == L.SUMMARY:
        ws.set_margins(left=0.3, right=0.3, top=0.45, bottom=0.4)
        ws.fit_to_pages(1, 1)
    else:
        ws.set_margins(**L.PAGE_MARGINS)
        ws.set_print_scale(L.PRINT_SCALE_BY_SHEET.get(name, L.PRINT_SCALE))
    chart_row, chart_col = chart_extent(ws)
    last_row, last_col = max(ws.dim_rowmax or 0, chart_row), max(ws.dim_colmax or 0, chart_col)
    last_col = L.PRINT_LAST_COL.get(name, last_col)
    ws.print_area(0, 0, last_row, last_col)
    repeat = L.PRINT_REPEAT_ROWS.get(name, L.PRINT_REPEAT_DEFAULT)
    if repeat is not None:
        ws.repeat_rows(*repeat)
    columns = (L.LABEL_COL, L.KEY_COL) if series else L.PRINT_REPEAT_COLS.get(name)
    if columns:
        ws.repeat_columns(*columns)
    version = fn.version_text().replace("&", "&&")
    margin = {"margin": 0.2} if name == L.SUMMARY else {}
    ws.set_header(f'&L&"-,Bold"CPO market model{" (PM copy)" if static else ""}&C&A&R{version}', margin)
    shown = "in the facts on the right" if name == L.SUMMARY else "in row 2"
    where = (f"as chosen in Inputs!C4, shown {shown}" if static else
             f"{scenario} as built; the one in force is shown {shown}")
    ws.set_footer(f"&LScenario: {where}&RPage &P of &N", margin)


def _write_master_check(wb: Any, ck: Any, st: Styles, places: dict[str, grid.Place], master: float,
                        tolerance: float) -> None:
    ck.write_string(L.CHECK_TOLERANCE_CELL[0], L.LABEL_COL, "Check tolerance (relative)", st.bold)
    ck.write_number(*L.CHECK_TOLERANCE_CELL, tolerance, st.input)
    st.guard(ck, *L.CHECK_TOLERANCE_CELL, number_guard(
        "decimal", 0, 0.01, title="Check tolerance", message="Unit: fraction (relative). Allowed: 0 to 0.01.",
        note="Relative tolerance every check on this sheet uses [fraction]; 1e-6 absorbs floating-point noise. "
             "Source: cpo-xl."))
    total_row = places["chk_total"].row
    first_c, last_c = xl_col_to_name(L.FIRST_YEAR_COL), xl_col_to_name(L.LAST_YEAR_COL)
    ck.write_string(L.TITLE_ROW, L.KEY_COL, "master_check", st.bold)
    ck.write_formula(L.TITLE_ROW, L.FIRST_YEAR_COL, f"=SUM({first_c}{total_row + 1}:{last_c}{total_row + 1})",
                     st.number("0"), master)
