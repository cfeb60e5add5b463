"""Issue 23: the TAM sheet's chart of published forecasts says which bar is which source.

Before: its categories were the key and year columns (`yole` / `2030`, two levels), so a reader could not
tell one publisher's bar from another's. Now each bar is named by the table's chart label column: the
publisher's short name, * when the figure was only quoted (not verified), and the year (a formula over the
year cell, so an edited year renames the bar)."""

import re
import zipfile

from cpo_xl.engine.crosscheck import published
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.sheets.checks import MONEY_METRICS
from tests.conftest import read_book


def test_each_published_bar_is_named_by_publisher_and_year(built):
    with zipfile.ZipFile(built) as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
    (xc,) = [c for c in charts if "Bottom-up model vs published" in c]
    column = T.CROSSCHECK.letter("chart_label")
    at = T.CROSSCHECK.col("chart_label") + 1  # openpyxl counts from 1
    refs = set(re.findall(r"<c:cat>.*?<c:f>([^<]+)</c:f>", xc, re.S))
    assert len(refs) == 1 and re.fullmatch(rf"TAM!\${column}\$\d+:\${column}\$\d+", refs.pop())
    ws = read_book(built, data_only=True)["TAM"]
    formulas = read_book(built)["TAM"]
    labels = {ws.cell(r, at).value: formulas.cell(r, at).value
              for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value in {p.id for p in published()}}
    points = [p for p in published() if p.metric in MONEY_METRICS]
    assert len(labels) == len(points)  # one distinct name a bar
    assert "Morgan Stanley 2030" in labels and "J.P. Morgan 2030" in labels and "Yole* 2030" in labels
    assert all(f.startswith('="') and f.endswith(f'"&D{f.split("&D")[1]}') for f in labels.values())
