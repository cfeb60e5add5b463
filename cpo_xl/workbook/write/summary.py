"""The Summary sheet: the PM's one-page argument.

Every sentence is a built-in formula (TEXT / IF / INDEX / MATCH / LARGE / SMALL over the model's cells), so the
PM copy's scenario and ranking-year switches rewrite it; each formula is built together with its cached value by
:class:`X`, which evaluates the same expression in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from cpo_xl.analysis.reconcile import anchored, reconciled
from cpo_xl.engine.case import run
from cpo_xl.engine.crosscheck import FLOOR_KINDS, anchor_unit, passes
from cpo_xl.engine.inputs import SCENARIOS, shipped
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel import functions as fn
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.style import Styles


@dataclass(frozen=True)
class X:
    """An Excel expression (``f``, without '=') with the value it gives (``v``)."""

    f: str
    v: Any


def lit(text: str) -> X:
    return X('"' + text.replace('"', '""') + '"', text)


def cat(*parts: X | str) -> X:
    xs = [lit(p) if isinstance(p, str) else p for p in parts]
    return X("&".join(x.f for x in xs), "".join(str(x.v) for x in xs))


def text(x: X, fmt: str) -> X:
    return X(f'TEXT({x.f},"{fmt}")', xl_text(float(x.v), fmt))


def iff(cond: str, holds: bool, a: X | str, b: X | str) -> X:
    a, b = (lit(p) if isinstance(p, str) else p for p in (a, b))
    return X(f"IF({cond},{a.f},{b.f})", a.v if holds else b.v)


def xl_text(v: float, fmt: str) -> str:
    """Excel's TEXT(v, fmt) for the few formats the Summary uses."""
    return {"0": f"{v:.0f}", "0.0": f"{v:.1f}", "0.00": f"{v:.2f}", "#,##0": f"{v:,.0f}",
            "0%": f"{v * 100:.0f}%", "0.0%": f"{v * 100:.1f}%"}[fmt]


def bn(x: X) -> X:
    """US$ M as 'x.y' bn."""
    return text(X(f"{x.f}/1000", float(x.v) / 1000), "0.0")


@dataclass(frozen=True)
class SummaryRefs:
    """Where the Summary's sources sit on other sheets (first data row, 0-based, and row count)."""

    elasticity_first: int
    n_companies: int
    reconciliation_first: int
    sensitivity_first: int
    n_inputs: int
    band_ref: str  # the cross-check band in force (Inputs live column)
    anchors_first: int  # Checks: the disclosed anchors' first data row


# the ranking and tornado year cells
ELASTICITY_YEAR = "Elasticity!" + xl_rowcol_to_cell(*L.ELASTICITY_YEAR_CELL, row_abs=True, col_abs=True)
TORNADO_YEAR = "Sensitivity!" + xl_rowcol_to_cell(*L.SENSITIVITY_YEAR_CELL, row_abs=True, col_abs=True)


def _col_range(sheet: str, table: T.Table, first: int, n: int) -> dict[str, str]:
    """Each named column of a table on another sheet as an absolute range over its ``n`` rows from ``first``."""
    return {c.name: f"{sheet}!{table.span(c.name, first, first + n - 1)}" for c in table.columns}


class Page:
    """The Summary's data, each cell as (reference, value), read from the model the sheets were written from."""

    def __init__(self, args: grid.ModelArgs, places: dict[str, grid.Place], values: dict[str, dict[int, float]],
                 refs: SummaryRefs, tornado: Any, ranking_year: int) -> None:
        self.args, self.places, self.values, self.refs, self.tornado = args, places, values, refs, tornado
        self.year = ranking_year
        a = args.case.assumptions()
        i = year_index(ranking_year)
        companies = run(args.case).companies
        # what the Elasticity table shows of each company in this year: its name, and its numbers by column name
        self.names = {t: a.companies[t].name for t in companies}
        self.company = {t: {"cpo_revenue": float(c.cpo_revenue[i]), "exposure": float(c.exposure[i]),
                            "net_exposure": float(c.net_exposure[i])} for t, c in companies.items()}
        self.el = _col_range("Elasticity", T.ELASTICITY, refs.elasticity_first, refs.n_companies)

    def line(self, name: str, year: int) -> X:
        return X(grid.cell(self.places, name, L.year_col(year), L.SUMMARY), self.values[name][year])

    def row(self, name: str) -> tuple[str, list[float]]:
        """A whole line's year range and values."""
        p = self.places[name]
        first, last = (xl_rowcol_to_cell(p.row, c, row_abs=True, col_abs=True) for c in (L.FIRST_YEAR_COL,
                                                                                         L.LAST_YEAR_COL))
        return f"{p.sheet}!{first}:{last}", [self.values[name][y] for y in YEARS]

    def ranked(self, col: str, k: int, largest: bool) -> tuple[str, str | None]:
        """(MATCH expression, ticker) of the k-th largest / smallest finite value of an Elasticity column."""
        finite = [(t, v[col]) for t, v in self.company.items() if math.isfinite(v[col])]
        order = sorted(finite, key=lambda tv: -tv[1] if largest else tv[1])
        ticker = order[k - 1][0] if k <= len(order) else None
        func = "LARGE" if largest else "SMALL"
        return f"MATCH({func}({self.el[col]},{k}),{self.el[col]},0)", ticker

    def company_text(self, col: str, k: int, largest: bool, value: str) -> X:
        """'Name value' of the k-th ranked company; value 'rev' (US$ M) or 'pct' (the column as a share)."""
        match, t = self.ranked(col, k, largest)
        name = X(f"INDEX({self.el['company']},{match})", self.names[t] if t else "")
        number = X(f"INDEX({self.el[col]},{match})", self.company[t][col] if t else 0.0)
        shown = cat("US$ ", text(number, "#,##0"), " M") if value == "rev" else text(number, "0.0%")
        return cat(name, " ", shown)


def write_summary(ws: Any, st: Styles, args: grid.ModelArgs, places: dict[str, grid.Place],
                  values: dict[str, dict[int, float]], master: float, refs: SummaryRefs, tornado: Any,
                  ranking_year: int, tornado_year: int, assumption_date: str) -> None:
    """The PM's page: the answer in sentences, then the headline table, the dollar winners and the inputs that
    would change the view; facts and the TAM chart on the right. Every number is a formula over the model."""
    page = Page(args, places, values, refs, tornado, ranking_year)
    for col, width in enumerate(L.SUMMARY_WIDTHS):
        ws.set_column(col, col, width)
    last_col = len(L.SUMMARY_WIDTHS) - 1
    ws.write_string(L.TITLE_ROW, L.LABEL_COL, "CPO market model: summary (co-packaged optics, 2023-2035)", st.title)
    r, c = L.SUMMARY_CHECKS_CELL
    ws.write_string(r, c, "Model checks (Checks)", st.bold_right)
    checks = iff("master_check=0", master == 0, "all hold", cat("FAIL: ", X("TEXT(master_check,\"0\")",
                                                                            f"{master:.0f}"), " failing flags"))
    ws.write_formula(r, c + 1, "=" + checks.f, st.bold_left, checks.v)
    rng = xl_rowcol_to_cell(r, c + 1)
    ws.conditional_format(rng, {"type": "formula", "criteria": "=master_check=0", "format": st.check_ok})
    ws.conditional_format(rng, {"type": "formula", "criteria": "=master_check<>0", "format": st.check_bad})
    ws.set_row(L.TITLE_ROW, 21)
    _facts(ws, st, args, ranking_year, tornado_year, assumption_date)
    for i, sentence in enumerate(_sentences(page, tornado_year)):
        row = L.SUMMARY_ANSWER_ROW + i
        ws.merge_range(row, L.LABEL_COL, row, last_col, "", st.sentence)
        ws.write_formula(row, L.LABEL_COL, "=" + sentence.f, st.sentence, sentence.v)
        longest = len(str(sentence.v)) + _slack(sentence, page)
        ws.set_row(row, 15.0 * max(1, -(-longest // L.SUMMARY_CHARS_PER_LINE)))
    r = _headline(ws, st, page, L.SUMMARY_HEADLINE_ROW)
    r = _winners(ws, st, page, L.below(r, 0) - 1)
    _inputs(ws, st, page, L.below(r, 0) - 1)


def _slack(sentence: X, page: Page) -> int:
    """Characters a sentence may grow by in another scenario or ranking year (the PM copy keeps this build's row
    heights): room for every cannibalised name, or every disclosed floor, the sentence can list, else for longer
    numbers."""
    text = str(sentence.v)
    if text.startswith("Cannibalised"):
        return 10 + 30 * max(0, L.SUMMARY_CANNIBALISED - text.count("%"))
    if text.startswith(FLOORS_MISSED):
        return 10 + max(0, _floors_longest(page) - len(text))
    return 10


def _facts(ws: Any, st: Styles, args: grid.ModelArgs, ranking_year: int, tornado_year: int,
           assumption_date: str) -> None:
    """Scenario, ranking year, tornado year, version and date: label and value on the right of the page."""
    r0, c0 = L.SUMMARY_FACTS_ROW, L.SUMMARY_FACTS_COL
    facts: list[tuple[str, Any, Any]] = [
        ("=scenario", None, args.case.scenario),
        ("=" + ELASTICITY_YEAR, st.number("0", link=True), ranking_year),
        ("=" + TORNADO_YEAR, st.number("0", link=True), tornado_year),
        ("", None, assumption_date)]
    for i, (label, (formula, fmt, value)) in enumerate(zip(L.SUMMARY_FACTS_LABELS, facts, strict=False)):
        ws.write_string(r0 + i, c0, label, st.bold)
        if formula:
            st.formula(ws, r0 + i, c0 + 1, formula, fmt or st.bold_right, value)
        else:
            ws.write_string(r0 + i, c0 + 1, value, st.bold_right)
    ws.write_string(r0 + len(facts), c0, L.SUMMARY_FACTS_LABELS[-1], st.bold)
    r, c = L.SUMMARY_VERSION_CELL
    ws.merge_range(r, c, r, c + 1, "", st.bold_left)
    st.formula(ws, r, c, "=CPO_VERSION()", st.bold_left, fn.CPO_VERSION())


def _sentences(page: Page, tornado_year: int) -> list[X]:
    y1, y2 = L.SUMMARY_INPUT_YEAR, LAST
    tam = cat("The answer: CPO TAM US$ ", bn(page.line("tam", y1)), " bn in ", str(y1), ", US$ ",
              bn(page.line("tam", y2)), " bn in ", str(y2), " (", X("scenario", page.args.case.scenario),
              "), ", text(page.line("pen_all", y1), "0%"), " of addressable ports in ", str(y1), ". Range in ",
              str(y1), ": bear-bull US$ ", bn(page.line("sc_tam_bear", y1)), "-", bn(page.line("sc_tam_bull", y1)),
              " bn, Monte Carlo P10-P90 US$ ", bn(page.line("pctl_0.1", y1)), "-", bn(page.line("pctl_0.9", y1)),
              " bn.")
    return [tam, _binds(page), _winners_sentence(page), _cannibalised(page), _view(page, tornado_year),
            *_reconciliation(page), _floors(page)]


LAST = YEARS[-1]
INPUT_VALUE = "[>=10000]#,##0;[>=100]0.0;0.00"  # an input of any unit: 4,000,000 / 2031.5 / 0.06


def _binds(page: Page) -> X:
    """What binds and when: engine supply (Penetration) and the rack envelopes (Checks' informational rows)."""
    years_ref = f"Inputs!$D${L.INPUTS_YEARS_ROW + 1}:$P${L.INPUTS_YEARS_ROW + 1}"
    sup, sup_v = page.row("info_supply_binding")
    rack, rack_v = page.row("info_rack_binding")

    def last_year(rng: str, vals: list[float], code: int) -> X:
        hits = [y for y, v in zip(YEARS, vals, strict=True) if v == code]
        return X(f"SUMPRODUCT(MAX(({rng}={code})*{years_ref}))", float(max(hits) if hits else 0))

    def first_year(rng: str, vals: list[float], code: int) -> X:
        hits = [y for y, v in zip(YEARS, vals, strict=True) if v == code]
        return X(f"INDEX({years_ref},MATCH({code},{rng},0))", float(min(hits)) if hits else 0.0)

    def count(rng: str, vals: list[float], code: int) -> X:
        return X(f"COUNTIF({rng},{code})", float(sum(v == code for v in vals)))

    n_sup = count(sup, sup_v, 1)
    supply = iff(f"{n_sup.f}=0", n_sup.v == 0, "demand, not engine supply, sets CPO volumes in every year",
                 cat("engine supply caps CPO volumes until ", text(last_year(sup, sup_v, 1), "0"),
                     ", demand after"))
    n_power = count(rack, rack_v, 1)
    power = iff(f"{n_power.f}=0", n_power.v == 0, "data-centre power never caps NVIDIA racks",
                cat("data-centre power caps NVIDIA racks in ", text(first_year(rack, rack_v, 1), "0"), "-",
                    text(last_year(rack, rack_v, 1), "0"), " (", text(n_power, "0"), " years)"))
    n_spend, n_cowos, n_demand = (count(rack, rack_v, c) for c in (3, 2, 0))
    return cat("What binds: ", supply, "; ", power, ", spend in ", text(n_spend, "0"), ", CoWoS capacity in ",
               text(n_cowos, "0"), ", rack demand itself in ", text(n_demand, "0"), " (Checks, 'what binds').")


def _winners_sentence(page: Page) -> X:
    year = X(ELASTICITY_YEAR, float(page.year))
    dollars = [page.company_text("cpo_revenue", k, True, "rev") for k in range(1, 4)]
    exposed = [page.company_text("net_exposure", k, True, "pct") for k in range(1, 4)]
    return cat("Dollar winners in ", text(year, "0"), " (CPO revenue): ", dollars[0], ", ", dollars[1], ", ",
               dollars[2], ". Most exposed (net of the revenue CPO displaces, share of revenue): ",
               exposed[0], ", ", exposed[1], ", ", exposed[2], ".")


def _cannibalised(page: Page) -> X:
    """The count of companies with net exposure below zero and as many names (up to L.SUMMARY_CANNIBALISED)."""
    net = page.el["net_exposure"]
    n_v = sum(1 for v in page.company.values() if math.isfinite(v["net_exposure"]) and v["net_exposure"] < 0)
    n = X(f'COUNTIF({net},"<0")', float(n_v))
    year = X(ELASTICITY_YEAR, float(page.year))
    names: list[X | str] = []
    for k in range(1, L.SUMMARY_CANNIBALISED + 1):
        one = page.company_text("net_exposure", k, False, "pct")
        names.append(iff(f"{n.f}>={k}", n_v >= k, cat(", " if k > 1 else "", one), ""))
    more = iff(f"{n.f}>{L.SUMMARY_CANNIBALISED}", n_v > L.SUMMARY_CANNIBALISED,
               cat(" and ", text(X(f"{n.f}-{L.SUMMARY_CANNIBALISED}", float(n_v - L.SUMMARY_CANNIBALISED)), "0"),
                   " more (Elasticity sheet)"), "")
    listed = cat(text(n, "0"), " companies with net exposure below zero in ", text(year, "0"), ": ", *names, more,
                 " (their CPO revenue is smaller than the pluggable or copper revenue it displaces).")
    return cat("Cannibalised: ", iff(f"{n.f}=0", n_v == 0, cat("no company has net exposure below zero in ",
                                                                 text(year, "0"), "."), listed))


def _view(page: Page, tornado_year: int) -> X:
    """The inputs that move the TAM most, with their swing (the table below gives values and units)."""
    first, n = page.refs.sensitivity_first, page.refs.n_inputs
    tornado = _col_range("Sensitivity", T.TORNADO, first, n)
    swing, label = tornado["swing"], tornado["label"]
    parts: list[X | str] = []
    for k, item in enumerate(page.tornado.head(L.SUMMARY_INPUTS).itertuples(), start=1):
        value = X(f"LARGE({swing},{k})", abs(float(item.at_bull - item.at_bear)))
        name = X(f"INDEX({label},MATCH({value.f},{swing},0))", item.label)
        parts += ["; " if k > 1 else "", name, " US$ ", bn(value), " bn"]
    year = X(TORNADO_YEAR, float(tornado_year))
    return cat("What would change the view: the ", text(year, "0"), " TAM swings most with ", *parts,
               ", each input alone from bear to bull (table below).")


def _reconciliation(page: Page) -> list[X]:
    """The reconciliation in two sentences: how many published figures sit in the band, and the 2030 CPO-only
    figures of the same scope (model / published); the full table and every flag's reason are on Checks."""
    band = page.args.case.assumptions().crosscheck.band
    checked = reconciled(page.args.case)
    points = [c.point for c in checked]
    first = page.refs.reconciliation_first
    ratios = [c.ratio for c in checked]
    flags = [0.0 if c.passes else 1.0 for c in checked]
    flag_range = f"Checks!{T.RECONCILIATION.span('flag', first, first + len(points) - 1)}"
    n_flag = X(f"SUM({flag_range})", float(sum(flags)))
    within = X(f"{len(points)}-{n_flag.f}", float(len(points) - sum(flags)))
    band_x = X(page.refs.band_ref, float(band))
    one = cat("Published forecasts: ", text(within, "0"), " of ", str(len(points)), " within the model's band "
              "(model / published 1/", text(band_x, "0.0"), " to ", text(band_x, "0.0"),
              "; a ceiling for broader scopes, a floor for 'at least' figures); ", text(n_flag, "0"),
              " flagged, each with its reason on Checks (outside the master check).")
    parts: list[X | str] = []
    where = {(p.id, p.year): i for i, p in enumerate(points)}
    for k, (pid, name) in enumerate(L.SUMMARY_RECONCILED):
        i = where[(pid, L.SUMMARY_INPUT_YEAR)]
        p, row, scenario = points[i], first + i, points[i].read_in
        parts += [", " if k else "", f"{name} US$ {p.value / 1000:,.1f} bn "]
        if not scenario:  # the Checks row, in the scenario shown
            ratio = X(f"Checks!{T.RECONCILIATION.cell('ratio', row, True)}", ratios[i])
            word = iff(f"Checks!{T.RECONCILIATION.cell('flag', row, True)}=1", flags[i] == 1.0, " flagged", "")
            parts += [text(ratio, "0.00"), word]
            continue
        # a scenario's own figure (a bull case) against that scenario's optics, from the Scenarios sheet, in
        # whichever scenario is shown: TAM less equipment
        tam, equipment = (page.line(f"sc_{name_}", L.SUMMARY_INPUT_YEAR)
                          for name_ in (f"tam_{scenario}", f"{scenario}_equipment"))
        optics_s = X(f"({tam.f}-{equipment.f})", float(tam.v) - float(equipment.v))
        ratio = X(f"{optics_s.f}/{p.value:g}", optics_s.v / p.value)
        # a same-scope figure (published() refuses read_in on any other): flagged outside the band
        word = iff(f"OR({ratio.f}<1/{band_x.f},{ratio.f}>{band_x.f})", not passes(ratio.v, p, band), " flagged", "")
        parts += [f"against the model's {scenario} scenario (US$ ", bn(optics_s), " bn) ", text(ratio, "0.00"), word]
    optics = page.line("optics", L.SUMMARY_INPUT_YEAR)  # the published figures count optics, not the TAM
    two = cat(f"Verified CPO-only {L.SUMMARY_INPUT_YEAR} figures, the model's CPO optics (US$ ", bn(optics),
              " bn, the TAM less equipment) / published: ", *parts,
              ". Early years (2023-24), older editions (Yole 2022-23, CIR 2020) and port counts depart most.")
    return [one, two]


FLOORS_UNIT = "US$ M"
FLOORS_MISSED = f"Below disclosed orders and targets (model of disclosed, {FLOORS_UNIT}; why on Checks): "


def _floor_items(page: Page) -> list[tuple[str, X, X]]:
    """Each disclosed floor on Checks (kinds FLOOR_KINDS) as (its key, its flag cell, 'who year ratio'x), the
    year and ratio references to its Checks cells; the flag is the Checks one (model / disclosed below 1), so the
    Summary lists exactly the floors Checks flags."""
    cols, first = T.ANCHORS, page.refs.anchors_first
    out = []
    for i, c in enumerate(anchored(page.args.case)):
        a, row = c.anchor, first + i
        if a.kind not in FLOOR_KINDS:
            continue
        who = a.publisher.split(" (")[0]
        year = text(X(f"Checks!{cols.cell('year', row, True)}", a.year), "0")
        ratio = text(X(f"Checks!{cols.cell('ratio', row, True)}", c.ratio), "0.00")
        model = text(X(f"Checks!{cols.cell('model', row, True)}", c.model), "#,##0")
        disclosed = text(X(f"Checks!{cols.cell('disclosed', row, True)}", a.value), "#,##0")
        flag = X(f"Checks!{cols.cell('flag', row, True)}", 0.0 if c.passes else 1.0)
        # the amounts beside the ratio (a PM weighs 49 of 200 US$ M, not 0.25x alone); the unit's last word where
        # it is not the sentence's US$ M ('switches'); the name without its ticker: the sentence stays within two
        # lines in every scenario, so the Summary prints on one page at >= 9 pt
        unit = anchor_unit(a.line)
        out.append((a.id, flag, cat(f"{who} ", year, ": ", model, " of ", disclosed,
                                    "" if unit == FLOORS_UNIT else f" {unit.split()[-1]}", " (", ratio, "x)")))
    return out


def _floors(page: Page) -> X:
    """The disclosed near-term floors the model misses, named with their ratio (the honest caveat beside the
    published forecasts); every name follows its Checks flag, so the sentence moves with the scenario. A name
    after a listed one is set off by '; ' (IF and SUM only: functions Excel 2016 and LibreOffice both know)."""
    items = _floor_items(page)
    listed: list[X | str] = []
    for k, (_, flag, item) in enumerate(items):
        before = [f for _, f, _ in items[:k]]
        n_before = X("SUM(" + ",".join(f.f for f in before) + ")", sum(f.v for f in before)) if before else None
        named = item if n_before is None else cat(iff(f"{n_before.f}>0", n_before.v > 0, "; ", ""), item)
        listed.append(iff(f"{flag.f}=1", flag.v == 1.0, named, ""))
    n = X("SUM(" + ",".join(flag.f for _, flag, _ in items) + ")", sum(flag.v for _, flag, _ in items))
    return iff(f"{n.f}=0", n.v == 0, "Disclosed near-term floors (orders, run-rate targets; Checks): the model "
               "meets every one.", cat(FLOORS_MISSED, *listed, "."))


def _floors_longest(page: Page) -> int:
    """The floors sentence's length in the scenario that lists the most (the PM copy switches scenario)."""
    length = {key: len(item.v) + 2 for key, _, item in _floor_items(page)}  # and its '; '
    missed = [sum(length[c.anchor.id] for c in anchored(page.args.case.with_(scenario=s))
                  if c.anchor.id in length and not c.passes) for s in SCENARIOS]
    return len(FLOORS_MISSED) + max(missed)


def _headline(ws: Any, st: Styles, page: Page, top: int) -> int:
    """CPO TAM (the scenario shown, all three, P10 / P90) and penetration in the headline years, with CAGR."""
    years = L.SUMMARY_YEARS
    header = st.titled_headers(ws, top, "CPO TAM and penetration in the headline years", ("line item", "unit"))
    for j, year in enumerate(years):
        ws.write_number(header, 2 + j, year, st.head)
    cagr_col = 2 + len(years)
    ws.write_string(header, cagr_col, f"CAGR {str(years[0])[2:]}-{str(years[-1])[2:]}", st.head)
    rows = [("tam", "CPO TAM, scenario shown", "US$ M", "#,##0", True),
            *[(f"sc_tam_{s}", f"CPO TAM, {s}", "US$ M", "#,##0", True) for s in SCENARIOS],
            ("pctl_0.1", "CPO TAM, Monte Carlo P10", "US$ M", "#,##0", True),
            ("pctl_0.9", "CPO TAM, Monte Carlo P90", "US$ M", "#,##0", True),
            ("pen_all", "CPO penetration, all segments", "share", "0.0%", False)]
    first_c, last_c = xl_col_to_name(2), xl_col_to_name(1 + len(years))
    for i, (name, label, unit, fmt, cagr) in enumerate(rows):
        row = header + 1 + i
        ws.write_string(row, L.LABEL_COL, label, st.bold if i == 0 else None)
        ws.write_string(row, L.UNIT_COL, unit, st.unit)
        for j, year in enumerate(years):
            ws.write_formula(row, 2 + j, "=" + page.line(name, year).f, st.number(fmt, link=True),
                             page.values[name][year])
        if cagr:
            start, end = page.values[name][years[0]], page.values[name][years[-1]]
            ws.write_formula(row, cagr_col, f"=IF({first_c}{row + 1}>0,({last_c}{row + 1}/{first_c}{row + 1})^"
                                            f"(1/(${last_c}${header + 1}-${first_c}${header + 1}))-1,0)",
                             st.number("0%"), (end / start) ** (1 / (years[-1] - years[0])) - 1 if start > 0 else 0.0)
    return header + len(rows)


def _winners(ws: Any, st: Styles, page: Page, top: int) -> int:
    """The dollar winners: the top companies by CPO revenue in the ranking year, gross and net exposure beside,
    ranked live with LARGE over the Elasticity table."""
    cols = T.WINNERS
    header = st.titled_headers(ws, top, f"Dollar winners: top {L.SUMMARY_TOP} by CPO revenue [US$ M], ranking "
                                        "year; exposure: share of revenue", cols.headers)
    for k in range(1, L.SUMMARY_TOP + 1):
        row = header + k
        match, t = page.ranked("cpo_revenue", k, True)
        rank = xl_rowcol_to_cell(row, cols.col("rank"), col_abs=True)  # the row's own rank cell
        match = match.replace(f"LARGE({page.el['cpo_revenue']},{k})", f"LARGE({page.el['cpo_revenue']},{rank})")
        ws.write_number(row, cols.col("rank"), k, st.number("0"))
        numbers = page.company[t] if t else {"cpo_revenue": 0.0, "exposure": 0.0, "net_exposure": 0.0}
        shown: dict[str, str | float] = {**numbers, "company": page.names[t] if t else "", "ticker": t or ""}
        for column, fmt in (("company", None), ("ticker", None), ("cpo_revenue", st.number("#,##0", link=True)),
                            ("exposure", st.number("0.0%", link=True)), ("net_exposure", st.number("0.0%", link=True))):
            ws.write_formula(row, cols.col(column), f"=INDEX({page.el[column]},{match})", fmt, shown[column])
    return header + L.SUMMARY_TOP


def _inputs(ws: Any, st: Styles, page: Page, top: int) -> int:
    """The inputs whose bear-to-bull range moves the CPO TAM most (LARGE over the Sensitivity tornado), with units."""
    cols = T.SUMMARY_INPUTS
    header = st.titled_headers(ws, top, f"The {L.SUMMARY_INPUTS} inputs that move the CPO TAM most (tornado "
                                        "year; TAM change [US$ M])", cols.headers)
    first, n = page.refs.sensitivity_first, page.refs.n_inputs
    tornado = _col_range("Sensitivity", T.TORNADO, first, n)
    _, meta, _ = shipped()
    for k, item in enumerate(page.tornado.head(L.SUMMARY_INPUTS).itertuples(), start=1):
        row = header + k
        swing = X(f"LARGE({tornado['swing']},{k})", abs(float(item.at_bull - item.at_bear)))
        ws.write_formula(row, cols.col("swing"), "=" + swing.f, st.number("#,##0"), swing.v)
        match = f"MATCH({xl_rowcol_to_cell(row, cols.col('swing'), col_abs=True)},{tornado['swing']},0)"
        unit = meta[item.key].unit if item.key in meta else ""
        ws.set_row(row, 15.0 * max(1, -(-len(item.label) // int(L.SUMMARY_WIDTHS[0] * 1.1))))
        for column, value, fmt in (("label", item.label, st.wrap_low), ("unit", unit, st.unit),
                                   ("bear_value", float(item.bear_value), st.number(INPUT_VALUE)),
                                   ("bull_value", float(item.bull_value), st.number(INPUT_VALUE)),
                                   ("at_bear", float(item.at_bear - item.base), st.number("+#,##0;-#,##0;0")),
                                   ("at_bull", float(item.at_bull - item.base), st.number("+#,##0;-#,##0;0"))):
            ws.write_formula(row, cols.col(column), f"=INDEX({tornado[column]},{match})", fmt, value)
    return header + L.SUMMARY_INPUTS
