"""The Checks sheet's tables: published forecasts reconciled, disclosed near-term anchors, their reasons."""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from cpo_xl.analysis.reconcile import anchored, reconciled
from cpo_xl.engine.crosscheck import ANCHOR_LINES, FLOOR_KINDS, PART_LOWEST
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.sheets.common import NOTE_SIZE, EngineArea, fit_row, flag_count
from cpo_xl.workbook.write.style import Styles, number_guard


def write_crosscheck_block(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea,
                           top: int) -> tuple[int, int]:
    """Published figures vs the model (ratio through CPO_CROSSCHECK); returns (first, last) data rows."""
    cols = T.CROSSCHECK
    st.titled_headers(ws, top, "Top-down cross-checks: published figure vs model", cols.headers)
    checked = [c for c in reconciled(args.case) if c.point.metric in MONEY_METRICS]
    ratios: list[list[float]] = []
    for i, c in enumerate(checked):
        r, p = top + 2 + i, c.point
        st.value(ws, r, cols.col("source"), f"{p.source}: {p.scope}", st.wrap_low)
        # the key wraps in its column as on the line grid ('morgan_stanley' printed cut as 'morgan_stanle')
        fit_row(ws, r, [(f"{p.source}: {p.scope}", L.SERIES_WIDTHS[0]), (p.id, L.SERIES_WIDTHS[2])])
        ws.write_string(r, cols.col("metric"), p.metric, st.unit)
        ws.write_string(r, cols.col("key"), p.id, st.key_wrap)
        ws.write_number(r, cols.col("year"), p.year, st.input)
        # US$ M with separators (a PM read 8000 as a code), as the Checks reconciliation shows the same figures
        ws.write_number(r, cols.col("published"), p.value, st.input_number("#,##0"))
        _guard_published(ws, st, r, p, cols)
        ratios.append([c.ratio])
        ws.write_formula(r, cols.col("model"), cols.formula("model", r), st.number("#,##0"), c.ratio * p.value)
        label = chart_label(p)  # the bar's name on the chart below: who and which year (follows the year cell)
        ws.write_formula(r, cols.col("chart_label"), cols.formula("chart_label", r, label=label), None,
                         f"{label} {p.year}")
    first, last = top + 2, top + 1 + len(checked)
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("TAM: cross-checks", f"{{=CPO_RATIOS(case_key,TAM!{cols.span('key', first, last)},"
                          f"TAM!{cols.span('year', first, last)})}}", ratios, fmts)
    engine.links(ws, (first, cols.col("ratio")), source, ratios, fmts)
    return first, last


def chart_label(p: Any) -> str:
    """A published figure's short name on a chart: the publisher, * when it was only quoted (not verified), and
    "all AI optics" for a figure of the broader market (TrendForce publishes both in the same years)."""
    name = (p.publisher or p.id).split(" (")[0] + ("" if p.verified else "*")
    return name + (" all AI optics" if p.metric == "ai_optics" else "")


def _guard_published(ws: Any, st: Styles, row: int, p: Any, table: T.Table) -> None:
    """The year and value cells of a published figure: validation and the figure's source."""
    unit = METRIC_UNITS[p.metric]
    note = f"{p.source} ({p.date}), grade {p.grade}: {p.metric}, {p.scope}, {p.year} [{unit}]"
    year = number_guard("integer", 2015, 2040, title="Year of the published figure",
                        message="Year the published figure refers to (whole number, 2015-2040).", note=note)
    value = number_guard("decimal", 0, None, title="Published figure", low_open=True,
                         message=f"Unit: {unit}. Allowed: greater than 0.", note=note)
    st.guard(ws, row, table.col("year"), year)
    st.guard(ws, row, table.col("published"), value)


MONEY_METRICS = ("optics", "tam", "ai_optics")


METRIC_UNITS = {"optics": "US$ M", "tam": "US$ M", "ai_optics": "US$ M", "ports": "800G-eq ports",
                "ports_1600g": "1.6T-eq ports"}


def write_reconciliation(ws: Any, st: Styles, args: grid.ModelArgs, engine: EngineArea, top: int,
                         band_ref: str) -> tuple[int, int]:
    """Every published figure against the model line of the same scope, flagged outside the band (a ceiling for
    broader scopes, a floor for "at least" figures), with the reason where the model departs on purpose. Not part
    of the master check. Returns (first data row, the row after the block)."""
    cols = T.RECONCILIATION
    st.titled_headers(ws, top, "Reconciliation with published forecasts (flags are not part of the master check)",
                      cols.headers[:-1])
    ws.merge_range(top + 1, cols.col("reason"), top + 1, L.LAST_YEAR_COL, cols.headers[-1], st.head_left)
    checked = reconciled(args.case)
    ratios: list[list[float]] = []
    first = top + 2
    for i, c in enumerate(checked):
        row, p, ratio = first + i, c.point, c.ratio
        ws.write_string(row, cols.col("source"), f"{p.publisher} [{p.scope}]", st.wrap_low)
        ws.write_string(row, cols.col("relation"), p.relation, st.unit)
        ws.write_string(row, cols.col("key"), p.id, st.key_wrap)
        ws.write_number(row, cols.col("year"), p.year, st.input_number("0"))
        ws.write_number(row, cols.col("published"), p.value, st.input_number("#,##0"))
        _guard_published(ws, st, row, p, cols)
        ws.write_formula(row, cols.col("model"), cols.formula("model", row), st.number("#,##0"), ratio * p.value)
        ratios.append([ratio])
        flag = 0.0 if c.passes else 1.0
        ws.write_formula(row, cols.col("flag"), cols.formula("flag", row, band=band_ref), st.number("0"), flag)
        ws.write_string(row, cols.col("unit"), METRIC_UNITS[p.metric], st.unit)
        # the reason wraps over the year columns to the sheet's edge (it prints whole); a formula over the flag,
        # the reason on file (hidden column) and the scenario, so that every flag has a reason in every scenario
        ws.write_string(row, L.REASON_COL, p.reason)
        why = _reason(row, scenario=args.case.scenario, flagged=bool(flag), on_file=p.reason)
        ws.merge_range(row, cols.col("reason"), row, L.LAST_YEAR_COL, "", st.wrap_low)
        ws.write_formula(row, cols.col("reason"), why[0], st.wrap_low, why[1])
        longest = max(p.reason, *(REASON_WHEN_SCENARIO.values()), key=len)
        fit_row(ws, row, [(longest, L.YEAR_WIDTH * (L.LAST_YEAR_COL - cols.col("reason") + 1)),
                           (f"{p.publisher} [{p.scope}]", L.series_widths("Checks")[0]),
                           (p.id, L.series_widths("Checks")[2])])
    last = first + len(checked) - 1
    ws.set_column(L.REASON_COL, L.REASON_COL, 20, None, {"hidden": True})
    fmts = [st.number("0.00")] * len(ratios)
    source = engine.block("Checks: reconciliation", f"{{=CPO_RATIOS(case_key,Checks!{cols.span('key', first, last)},"
                          f"Checks!{cols.span('year', first, last)})}}", ratios, fmts)
    engine.links(ws, (first, cols.col("ratio")), source, ratios, fmts)
    flag_count(ws, st, cols, "Reconciliation flags (count; see the reasons)", first, last,
                sum(not c.passes for c in checked))
    return first, last + 4  # the count row, then a blank one


# the model line an anchor pins -> the workbook line that shows it (a link, so Excel's edits move it)
ANCHOR_PLACES = {"cpo_switches": "cpo_switches", "lasers_tam": "tam_lasers", "foundry_tam": "tam_foundry_packaging",
                 "optics": "optics"}


HOLDS = "holds"  # the reason cell of an anchor that is not flagged


def anchor_place(anchor: Any) -> str:
    """The line (grid place name) of an anchor's model line: a company's CPO revenue, or a layer / total line."""
    return f"rev_{anchor.ticker}" if anchor.line == "company_cpo_revenue" else ANCHOR_PLACES[anchor.line]


def write_anchors(ws: Any, st: Styles, args: grid.ModelArgs, places: dict[str, grid.Place], top: int) -> int:
    """Disclosed near-term anchors (orders, run-rate targets, product ramps; engine/data/anchors.toml) against
    the model line of the same scope: the model value links to its line, the ratio and the flag are formulas
    (a floor holds at model / disclosed >= 1; a part of a broader figure within [0.2, 1]), and the reason on
    file shows where one is flagged. Not part of the master check. Returns the first data row (anchors in
    :func:`cpo_xl.analysis.reconcile.anchored` order)."""
    # a short title: it prints whole beside the repeated columns A:C on the page of the reasons too
    cols = T.ANCHORS
    st.titled_headers(ws, top, "Disclosed near-term anchors (not in the master check)", cols.headers[:-1])
    ws.write_comment(top, L.LABEL_COL, "Company orders, run-rate targets and product ramps (engine/data/anchors.toml); "
                                       "the note on each disclosed figure gives its source, date, grade and link. "
                                       "Kind 'input': the disclosure also sets an input, so the row shows the supply "
                                       "side delivers it, not an independent check.", NOTE_SIZE)
    ws.merge_range(top + 1, cols.col("reason"), top + 1, L.LAST_YEAR_COL, cols.headers[-1], st.head_left)
    checked = anchored(args.case)
    first = top + 2
    for i, c in enumerate(checked):
        row, a, model, ratio, flagged = first + i, c.anchor, c.model, c.ratio, not c.passes
        label = a.publisher  # what was disclosed, when and where: the note on the disclosed figure
        ws.write_string(row, cols.col("publisher"), label, st.wrap_low)
        ws.write_string(row, cols.col("kind"), a.kind, st.unit)
        ws.write_string(row, cols.col("key"), a.id, st.key_wrap)
        ws.write_number(row, cols.col("year"), a.year, st.number("0"))
        ws.write_number(row, cols.col("disclosed"), a.value, st.number("#,##0"))
        ws.write_comment(row, cols.col("disclosed"), f"{a.source} ({a.date}), grade {a.grade}: {a.link}", NOTE_SIZE)
        p = places[anchor_place(a)]
        link = f"{p.sheet}!{xl_rowcol_to_cell(p.row, L.year_col(a.year))}"
        ws.write_formula(row, cols.col("model"), f"={link}", st.number("#,##0", link=True), model)
        ws.write_formula(row, cols.col("ratio"), cols.formula("ratio", row), st.number("0.00"), ratio)
        r = cols.cell("ratio", row)
        test = f"{r}<1" if a.kind in FLOOR_KINDS else f"OR({r}<{PART_LOWEST},{r}>1)"
        ws.write_formula(row, cols.col("flag"), cols.formula("flag", row, test=test), st.number("0"), float(flagged))
        ws.write_string(row, cols.col("unit"), ANCHOR_LINES[a.line].rsplit("[", 1)[1].rstrip("]"), st.unit)
        ws.write_string(row, L.REASON_COL, a.reason)
        ws.merge_range(row, cols.col("reason"), row, L.LAST_YEAR_COL, "", st.wrap_low)
        raw = xl_rowcol_to_cell(row, L.REASON_COL)
        ws.write_formula(row, cols.col("reason"), f'=IF({cols.cell("flag", row)}=0,"{HOLDS}",{raw})', st.wrap_low,
                         a.reason if flagged else HOLDS)
        fit_row(ws, row, [(a.reason, L.YEAR_WIDTH * (L.LAST_YEAR_COL - cols.col("reason") + 1)),
                           (label, L.series_widths("Checks")[0]), (a.id, L.series_widths("Checks")[2])])
    last = first + len(checked) - 1
    flag_count(ws, st, cols, "Anchor flags (count; see the reasons)", first, last, sum(not c.passes for c in checked))
    return first


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
    raw = xl_rowcol_to_cell(row, L.REASON_COL)
    by_scenario = ",".join(f'IF(scenario="{s}","{REASON_WHEN_SCENARIO[s]}"' for s in ("bear", "bull"))
    flag = T.RECONCILIATION.cell("flag", row)
    formula = (f'=IF({flag}=0,"{WITHIN}",IF({raw}<>"",{raw},{by_scenario},"{REASON_WHEN_SCENARIO["base"]}"))))')
    value = WITHIN if not flagged else on_file or REASON_WHEN_SCENARIO[scenario]
    return formula, value
