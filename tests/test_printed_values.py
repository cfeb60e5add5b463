"""What LibreOffice prints (the session's render of a fresh build, cached values as stored): a negative input keeps
its minus sign, and the tornado chart names every input it draws (a PM review of the printed pack, 2026-12-03)."""

import pytest

from cpo_xl.analysis import scenarios as sc
from cpo_xl.engine.case import Case
from cpo_xl.workbook.write.build import SENSITIVITY_YEAR
from tests.conftest import pdf_pages
from tests.test_pm import sheet_of

pytestmark = pytest.mark.slow


def sheet_text(pdf, sheet: str) -> list[str]:
    """The text of each printed page of one sheet."""
    return [text for text in pdf_pages(pdf) if sheet_of(text) == sheet]


def test_a_negative_input_prints_with_its_minus_sign(rendered):
    # Intel's 2025 GAAP operating margin is a loss: -0.042 (2,214 / 52,853). A conditional number format
    # ([>=10000]#,##0;[<=-10000]-#,##0;General) printed it as 0.042 in LibreOffice
    margin = Case().assumptions().companies["INTC"].ebit_margin
    assert margin is not None and margin < 0
    lines = [line for page in sheet_text(rendered, "Inputs") for line in page.splitlines()
             if "companies.INTC.ebit_margin" in line]
    assert lines, "the Intel EBIT margin row is not printed"
    assert f"{margin:g}" in lines[0].split(), lines[0]


def test_the_tornado_chart_names_every_input(rendered):
    # LibreOffice labelled every other bar when the category axis had no label interval
    tornado = sc.tornado(Case(), SENSITIVITY_YEAR)
    (page,) = [text for text in sheet_text(rendered, "Sensitivity") if "Tornado: change in CPO TAM" in text]
    flat = " ".join(page.split())
    missing = [label for label in tornado["label"] if " ".join(str(label).split()) not in flat]
    assert not missing, missing


def test_published_figures_on_the_tam_sheet_print_with_separators(rendered):
    # a PM read the TAM sheet's "8000" (Yole's US$ 8bn, in US$ M) as a code: the same figures print as 8,000 on
    # Checks; every published money figure of 1,000 or more prints with its thousands separator on TAM too
    from cpo_xl.analysis.reconcile import reconciled
    from cpo_xl.workbook.write.sheets.checks import MONEY_METRICS
    text = "\n".join(sheet_text(rendered, "TAM"))
    big = {c.point.value for c in reconciled(Case()) if c.point.metric in MONEY_METRICS and c.point.value >= 1000}
    assert big and [v for v in sorted(big) if f"{v:,.0f}" not in text] == []
