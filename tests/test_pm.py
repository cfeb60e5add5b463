"""The PM's first minute: the Summary sheet (first in both files), the PM copy's scenario switch, guarded inputs
and pages that print."""

import math

import openpyxl
import pytest

from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.tables import crosscheck_points
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.workbook import layout as L


def rows_by_label(ws) -> dict[str, int]:
    """First column's text -> its row (1-based)."""
    return {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}


def summary_year_cols(ws, header_row: int) -> dict[int, int]:
    return {c.value: c.column for c in ws[header_row] if isinstance(c.value, int) and c.value in YEARS}


def check_summary(book: openpyxl.Workbook, scenario: str = "base") -> None:
    """The Summary's headline cells equal the engine's numbers of ``scenario``."""
    assert book.sheetnames[0] == L.SUMMARY
    ws = book[L.SUMMARY]
    rows = rows_by_label(ws)
    header = rows["line item"]
    cols = summary_year_cols(ws, header)
    assert list(cols) == list(L.SUMMARY_YEARS)
    shown = run(Case(scenario))
    for year, col in cols.items():
        i = year_index(year)
        assert ws.cell(rows["CPO TAM, scenario shown"], col).value == pytest.approx(float(shown.tam[i]), rel=1e-9)
        for s in ("bear", "base", "bull"):
            assert ws.cell(rows[f"CPO TAM, {s}"], col).value == pytest.approx(float(run(Case(s)).tam[i]), rel=1e-9)
    assert ws.cell(rows[L.SUMMARY_FACTS_LABELS[0]], 2).value == scenario
    # who benefits: the top companies by net exposure, gross beside it
    i = year_index(2030)
    nets = {t: float(c.net_exposure[i]) for t, c in shown.companies.items() if math.isfinite(c.net_exposure[i])}
    leaders = sorted(nets, key=lambda t: -nets[t])[:L.SUMMARY_TOP]
    first = rows["company"] + 1
    assert [ws.cell(first + k, 2).value for k in range(L.SUMMARY_TOP)] == leaders
    for k, t in enumerate(leaders):
        assert ws.cell(first + k, 6).value == pytest.approx(nets[t], rel=1e-9)
        assert ws.cell(first + k, 5).value == pytest.approx(float(shown.companies[t].exposure[i]), rel=1e-9)
    # reconciliation flags and the inputs that move the TAM most
    points = crosscheck_points(Case(scenario))
    first = rows["source [scope]"] + 1
    flags = [ws.cell(first + k, 7).value for k in range(len(points))]
    assert flags == [0.0 if ok else 1.0 for ok in points["passes"]]
    tornado = sc.tornado(Case(scenario), L.SUMMARY_INPUT_YEAR)
    first = rows["input"] + 1
    for k, item in enumerate(tornado.head(L.SUMMARY_INPUTS).itertuples()):
        assert ws.cell(first + k, 1).value == item.label
        assert ws.cell(first + k, 7).value == pytest.approx(item.swing, rel=1e-9)


def test_summary_is_first_and_shows_the_engine(built):
    book = openpyxl.load_workbook(built, data_only=True)
    assert book.active.title == L.SUMMARY
    check_summary(book)
