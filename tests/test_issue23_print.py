"""Issue 23: the print pack is legible and the Summary's argument holds in every scenario.

The printed type size is measured on LibreOffice's PDF: pdftotext -bbox gives each word's box, and the height of
a box is proportional to the type size. A calibration workbook with 8 pt text printed at 100% in the same
LibreOffice run gives the height of 8 pt type in the font the renderer substitutes, so the test holds without
knowing which font that is."""

import re
from pathlib import Path

import openpyxl
import pytest

from cpo_xl.engine.case import Case
from cpo_xl.engine.crosscheck import published
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.build import build_workbook
from cpo_xl.workbook.write.sheets import checks
from tests.conftest import CALIBRATION_PT, pdf_pages, pdftotext, read_book
from tests.test_pm import pages_by_sheet, sheet_of

MIN_PT = CALIBRATION_PT  # 8 pt: the calibration sheet's type size
WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">')


def word_heights(pdf: Path) -> list[list[float]]:
    """Per page, the height [pt] of every word's box."""
    pages = pdftotext(pdf, "-bbox").split("<page ")[1:]
    return [[float(b) - float(a) for a, b in WORD.findall(page)] for page in pages]


@pytest.fixture(scope="module")
def printed(rendered_with_calibration) -> tuple[Path, float]:
    """The session's build and a calibration sheet (8 pt text at 100%) as PDFs of one LibreOffice run (the
    session's render); returns the build's PDF and the box height of 8 pt type [pt]."""
    pdf, cal = rendered_with_calibration
    heights = [h for page in word_heights(cal) for h in page]
    return pdf, max(set(heights), key=heights.count)


def type_sizes(pdf: Path, eight: float) -> dict[str, list[float]]:
    """Sheet -> the printed size [pt] of every word on its pages."""
    out: dict[str, list[float]] = {}
    for text, heights in zip(pdf_pages(pdf), word_heights(pdf), strict=True):
        out.setdefault(sheet_of(text), []).extend(h / eight * MIN_PT for h in heights)
    return out


@pytest.mark.slow
def test_every_printed_word_is_at_least_8_pt(printed):
    """Before: the Summary printed at about 5 pt (its page fitted), the model sheets at 4.5 pt, Inputs at 4.8 pt
    (measured this way). Now every word of every sheet, charts included, prints at 8 pt or more."""
    pdf, eight = printed
    sizes = type_sizes(pdf, eight)
    assert list(sizes) == [n for n in L.SHEETS if n not in (L.ENGINE, "xlwings.conf")]
    for sheet, values in sizes.items():
        assert min(values) >= MIN_PT * 0.99, f"{sheet}: smallest word {min(values):.2f} pt"
    summary = sorted(sizes[L.SUMMARY])
    assert summary[len(summary) // 2] >= 9.0  # the body of the Summary (the page is fitted, not scaled)


@pytest.mark.slow
def test_summary_fills_one_page(printed):
    pdf, _ = printed
    pages = pdf_pages(pdf)
    assert pages_by_sheet(pages)[L.SUMMARY] == 1
    words = pdftotext(pdf, "-bbox", "-f", "1", "-l", "1")
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', words)[1])
    lowest = max(float(b) for _, b in WORD.findall(words.split("Scenario: ")[0]))  # above the footer
    assert lowest > 0.75 * height  # the page is filled: its content reaches the lower quarter


def reconciliation_rows(book) -> list[tuple[object, object]]:
    """(flag, reason) of every reconciliation row on Checks of a workbook loaded with data_only."""
    ws = book["Checks"]
    (header,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == T.RECONCILIATION.headers[0]]
    return [(ws.cell(header + 1 + i, T.RECONCILIATION.col("flag") + 1).value,
             ws.cell(header + 1 + i, T.RECONCILIATION.col("reason") + 1).value)
            for i in range(len(published()))]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["bear", "base", "bull"])
def test_every_checks_flag_has_a_reason(scenario, built, tmp_path):
    """Before: in bull three flagged forecasts had no reason, though the Summary sends the reader to Checks."""
    if scenario == "base":
        book = read_book(built, data_only=True)
    else:  # a build of this test's own: loaded here, not kept in the shared books
        path = tmp_path / f"{scenario}.xlsx"
        build_workbook(path, Case(scenario))
        book = openpyxl.load_workbook(path, data_only=True)
    rows = reconciliation_rows(book)
    assert any(flag == 1 for flag, _ in rows)
    for flag, reason in rows:
        if flag == 1:
            assert reason and not str(reason).startswith("No reason on file"), (scenario, reason)
        else:
            assert reason == checks.WITHIN


def test_flags_and_master_check_are_words_on_the_summary(built):
    ws = read_book(built, data_only=True)[L.SUMMARY]
    r, c = L.SUMMARY_CHECKS_CELL
    assert ws.cell(r + 1, c + 2).value == "all hold"
    texts = [str(cell.value) for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not any("(0 = all checks hold)" in t for t in texts)
    assert not any(t in ("flag", "flags") for t in texts)


def test_summary_sentences_are_formulas(built):
    """The PM copy's switches rewrite them: every sentence is a built-in formula, no CPO_* call."""
    ws = read_book(built)[L.SUMMARY]
    for i in range(L.SUMMARY_SENTENCES):
        formula = ws.cell(L.SUMMARY_ANSWER_ROW + 1 + i, 1).value
        assert formula.startswith("=") and "CPO_" not in formula
