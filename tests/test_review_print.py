"""The printed PM pack as a PM reviews it (LibreOffice's render of the PM copy): the Summary names the disclosed
floors the model misses; print titles, hidden keys, clipped labels and page breaks."""

import collections
import dataclasses
import re

import pytest

from cpo_xl.analysis.reconcile import anchored
from cpo_xl.engine.case import Case
from cpo_xl.engine.crosscheck import FLOOR_KINDS
from cpo_xl.workbook.check import recalc
from cpo_xl.workbook.read import contents
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.build import TWO_WAY_CEILINGS, TWO_WAY_EROSIONS
from cpo_xl.workbook.write.summary import FLOORS_MISSED
from tests.conftest import pdf_pages, read_book
from tests.test_pm import pages_by_sheet, sheet_of

FLOORS_ROW = L.SUMMARY_ANSWER_ROW + L.SUMMARY_SENTENCES  # 1-based: the last sentence
SENTENCE = f"{contents.sheet_key(L.SUMMARY)}!A{FLOORS_ROW}"  # its key in the evaluator's results


def _checks_rows(ws) -> dict[str, int]:
    """Checks: each disclosed anchor's key -> its 1-based row."""
    keys = {a.anchor.id for a in anchored(Case("base"))}
    return {c.value: c.row for c in ws[T.ANCHORS.letter("key")] if c.value in keys}


@pytest.mark.slow
def test_summary_names_the_disclosed_floors_the_model_misses(built):
    """The floors Checks flags (model / disclosed below 1: Lumentum 2027, Marvell 2028 and 2029) are named with
    their ratio in a Summary sentence, a formula over the Checks flag and ratio cells; the project's evaluator
    (cpo-xl check) recalculates it to the same words."""
    ws = read_book(built)[L.SUMMARY]
    formula = ws.cell(FLOORS_ROW, 1).value
    rows = _checks_rows(read_book(built)["Checks"])
    floors = [c for c in anchored(Case("base")) if c.anchor.kind in FLOOR_KINDS]
    for c in floors:
        row = rows[c.anchor.id]
        for column in ("flag", "ratio", "model", "disclosed"):
            assert f"Checks!{T.ANCHORS.cell(column, row - 1, True)}" in formula
    value = recalc.recalculate(built)[0][SENTENCE]
    missed = [c for c in floors if not c.passes]
    assert {c.anchor.ticker for c in missed} == {"LITE", "MRVL"}  # the review's three misses
    assert value.startswith(FLOORS_MISSED)
    for c in missed:  # the amounts beside the ratio, in US$ M: 'Lumentum 2027: 49 of 200 (0.25x)'
        who = c.anchor.publisher.split(" (")[0]
        assert f"{who} {c.anchor.year}: {c.model:,.0f} of {c.anchor.value:,.0f} ({c.ratio:.2f}x)" in value
    # by hand from anchors.toml and the base case: Lumentum's order US$ 200M, Marvell's run-rate targets US$ 500M
    # (exiting FY28) and US$ 1,000M (exiting FY29)
    assert "of 200 (0.25x)" in value and "of 500 (0.48x)" in value and "of 1,000 (0.59x)" in value
    for c in floors:
        if c.passes:
            assert c.anchor.publisher not in value


@pytest.mark.slow
def test_summary_floors_follow_the_checks_flags(built):
    """Lumentum's order read as US$ 1M: the model meets it, Checks' flag clears and the Summary drops it; the
    Marvell targets stay named. With every floor met the sentence says so."""
    checks = read_book(built)["Checks"]
    rows = _checks_rows(checks)
    read = contents.read(built)  # cached by content: change a copy
    book = dataclasses.replace(read, constants=dict(read.constants))
    sheet = contents.sheet_key("Checks")
    disclosed = T.ANCHORS.col("disclosed") + 1
    book.constants[(sheet, rows["lumentum_cpo_order"], disclosed)] = 1.0
    value = recalc.recalculate(built, book=book)[0][SENTENCE]
    assert "Lumentum" not in value and "Marvell 2028: 242 of 500 (0.48x)" in value
    for key in ("marvell_celestial_fy28", "marvell_celestial_fy29"):
        book.constants[(sheet, rows[key], disclosed)] = 1.0
    value = recalc.recalculate(built, book=book)[0][SENTENCE]
    assert not value.startswith(FLOORS_MISSED) and "meets every one" in value


NUMBER = re.compile(r"(?<!\S)-?[\d,.]+%?(?!\S)")
YEAR_TITLES = re.compile(r"^\s*line item\s+unit\s+key\s+20\d\d\b")  # the line grid's header row as printed


def _first_cell(line: str) -> str:
    return re.split(r"\s{2,}", line.strip())[0]


def _grid_rows() -> dict[str, set[str]]:
    """Each time-series sheet's line labels, keys and section titles: what a row of its year grid starts with."""
    return {s.name: {item.title for item in s.rows if isinstance(item, L.Section)}
            | {t for item in s.rows if isinstance(item, L.Line) for t in (item.label, item.key) if t}
            for s in L.series_sheets(Case("base"))}


@pytest.mark.slow
def test_year_titles_print_only_over_year_lines(rendered):
    """Before: every page of a time-series sheet repeated its year header row, so the PM read '2023 2024 ...'
    over the TAM and Risk charts, TAM's cross-check table, Risk's P10/P50/P90 exposure table and the Checks
    reconciliation and anchors. Now the year header prints only over rows of the year grid, and every page that
    continues the grid (Checks, Scenarios) starts with it."""
    grid_rows = _grid_rows()
    seen = set()
    for page in pdf_pages(rendered):
        sheet = sheet_of(page)
        lines = [line for line in page.splitlines() if line.strip()]
        titled = [i for i, line in enumerate(lines) if YEAR_TITLES.match(line)]
        for i in titled:
            below = _first_cell(lines[i + 1])
            assert any(t.startswith(below[:12]) for t in grid_rows.get(sheet, ())), (sheet, lines[i + 1])
            seen.add(sheet)
        labels = {t for t in grid_rows.get(sheet, ()) if len(t) >= 12}
        if any(any(t.startswith(_first_cell(line)) for t in labels) for line in lines
               if len(_first_cell(line)) >= 12 and len(NUMBER.findall(line)) >= 4):  # a row of the grid, not a legend
            assert titled, f"{sheet}: a page of its year grid without the years"
    assert {"Checks", "Scenarios", "TAM", "Risk"} <= seen


@pytest.mark.slow
def test_case_keys_do_not_print(rendered):
    """Before: the CPO_CASE text (cpo-case/1 base e7c4... {"overrides":...}) printed on the Scenarios and Inputs
    pages. The cells stay (every block reads them) but show nothing."""
    pages = pdf_pages(rendered)
    assert not [sheet_of(p) for p in pages if "cpo-case/" in p]
    assert any("Model case, forecast racks (bear)" in p for p in pages)  # the row's label still prints


@pytest.mark.slow
@pytest.mark.parametrize("which", ["built", "pm_copy"])
def test_case_key_cells_are_kept_and_hidden(which, request):
    """Every CPO_CASE cell (Inputs C5:D5, the Scenarios case rows) keeps its formula or value, formatted to show
    nothing."""
    wb = read_book(request.getfixturevalue(which))
    cells = [wb["Inputs"].cell(L.INPUTS_CASE_ROW + 1, c + 1) for c in (L.CASE_FORECAST_COL, L.CASE_KEY_COL)]
    scenarios = wb["Scenarios"]
    cells += [scenarios.cell(r, L.FIRST_YEAR_COL + 1) for r in range(1, scenarios.max_row + 1)
              if scenarios.cell(r, L.UNIT_COL + 1).value == "key"]
    assert len(cells) == 2 + 2 * 3
    for c in cells:
        assert c.value and c.number_format == L.CASE_KEY_FORMAT, c.coordinate


def _pages_of(pages: list[str], sheet: str) -> list[str]:
    return [p for p in pages if sheet_of(p) == sheet]


def _header_words(lines: list[str], first: str) -> collections.Counter[str]:
    """The words of a table's column titles as printed: the line that starts with ``first`` and the wrapped
    title lines under it (they start in a blank first column)."""
    at = next(i for i, line in enumerate(lines) if line.strip().startswith(first))
    block = [lines[at], *[line for line in lines[at + 1:at + 4] if line.startswith(" " * 10)]]
    return collections.Counter(" ".join(block).split())


@pytest.mark.slow
def test_labels_print_whole(rendered):
    """Before: 'no revenue on file' spilled left under the 'n/a' beside it and read 'n/a revenue on file'; the
    Sensitivity column titles were cut ('TAM change TAM change', 'exposure aexposure'). Now each prints whole."""
    pages = pdf_pages(rendered)
    elasticity = "\n".join(_pages_of(pages, "Elasticity"))
    assert "no revenue on file" in elasticity and "n/a revenue on file" not in elasticity
    lines = [line for p in _pages_of(pages, "Sensitivity") for line in p.splitlines() if line.strip()]
    for table, first in ((T.TORNADO, "input key"), (T.EXPOSURE_TORNADO, "input key")):
        printed = _header_words(lines, first)
        assert collections.Counter(" ".join(table.headers).split()) <= printed, (table.headers, printed)
        lines = lines[next(i for i, line in enumerate(lines) if line.strip().startswith(first)) + 1:]


MIN_BODY_WORDS = 50  # a page's words under its header line: a chart page prints about 55, a table page 100+


@pytest.mark.slow
def test_no_stray_pages_and_no_cut_tables(rendered):
    """Before: Risk's exposure ranges left their last four rows on a page of their own, Penetration's curve
    parameters two, and Sensitivity's two-way table left its column titles under the tornado chart (the rows on
    the next page). Now every page carries a body, within L.PRINT_PAGES per sheet, and the two-way table prints
    with its rows."""
    pages = pdf_pages(rendered)
    counts = pages_by_sheet(pages)
    for sheet, n in counts.items():
        assert n <= L.PRINT_PAGES.get(sheet, 1), (sheet, n)
    for page in pages:
        body = [line for line in page.splitlines() if line.strip()][1:-1]  # not the page header and footer
        assert len(" ".join(body).split()) >= MIN_BODY_WORDS, (sheet_of(page), body)
    (two_way,) = [p for p in _pages_of(pages, "Sensitivity") if "Two-way table" in p]
    after = two_way[two_way.index("Two-way table"):].splitlines()
    assert sum(len(NUMBER.findall(line)) >= len(TWO_WAY_EROSIONS) for line in after) >= len(TWO_WAY_CEILINGS) + 1


@pytest.mark.slow
def test_bridge_charts_print_whole_on_their_page(built):
    """Each waterfall lies in the columns of the Bridge's first page across (up to 'chart total') and clear of
    column A, which the page of the inputs that differ repeats: LibreOffice printed the part of a chart over a
    repeated column there, and the chart was cut at the first page's edge. (Checked on the file: the PDF keeps a
    clipped chart's text, so pdftotext cannot tell.)"""
    ws = read_book(built)[L.BRIDGE]
    assert len(ws._charts) == len(L.BRIDGE_PAIRS)
    for chart in ws._charts:
        assert chart.anchor._from.col > L.PRINT_REPEAT_COLS[L.BRIDGE][1]
        assert chart.anchor.to.col <= L.BR_TOTAL_C
