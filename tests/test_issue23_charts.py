"""Issue 23: a chart on Demand (rack demand against each envelope and the forecast) and a fan chart on Risk with a
linear value axis, read from the chart XML of the built file."""

import posixpath
import re
import zipfile
from pathlib import Path

import pytest

from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import grid

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
REL = re.compile(r'<Relationship [^>]*?Target="([^"]+)"[^>]*?/?>')


def _rels(z: zipfile.ZipFile, part: str) -> list[str]:
    """The targets of a part's relationships, as paths inside the package."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return []
    return [posixpath.normpath(posixpath.join(folder, t)) for t in REL.findall(z.read(rels).decode())]


def charts_of(path: Path, sheet: str) -> list[str]:
    """The chart XML of every chart on ``sheet``."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', book)
        assert rid, sheet
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid.group(1)}"',
                           rels)
        assert target
        part = posixpath.normpath(posixpath.join("xl", target.group(1) or target.group(2)))
        drawings = [d for d in _rels(z, part) if "/drawings/" in d]
        return [z.read(c).decode() for d in drawings for c in _rels(z, d) if "/charts/" in c]


@pytest.fixture(scope="module")
def places() -> dict[str, grid.Place]:
    return grid.place_lines(L.series_sheets(Case()))


def _row_ref(sheet: str, row: int) -> str:
    first, last = L.a1(row, L.FIRST_YEAR_COL), L.a1(row, L.LAST_YEAR_COL)
    return f"{sheet}!${first[0]}${first[1:]}:${last[0]}${last[1:]}"


def test_demand_chart_plots_demand_each_envelope_and_the_forecast(built, places):
    (chart,) = charts_of(built, "Demand")
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", chart)
    wanted = ("racks_demand", "rack_cap_power", "rack_cap_cowos", "rack_cap_spend", "racks")
    assert sorted(values) == sorted(_row_ref("Demand", places[name].row) for name in wanted)
    assert set(re.findall(r"<c:cat><c:numRef><c:f>([^<]+)</c:f>", chart)) == {_row_ref("Demand", L.HEADER_ROW)}
    assert chart.count("<c:numCache>") >= len(wanted) and f"<c:ptCount val=\"{len(YEARS)}\"/>" in chart
    texts = " ".join(re.findall(r"<a:t>([^<]*)</a:t>", chart))
    assert "NVL72-eq racks/yr" in texts and "Year" in texts  # the title and the axis titles with units
    assert 'formatCode="#,##0"' in chart and "<c:logBase" not in chart


def test_fan_chart_has_a_linear_value_axis_with_separators(built, places):
    charts = [c for c in charts_of(built, "Risk") if "P10-P90" in c]
    assert len(charts) == 1
    (fan,) = charts
    assert "<c:logBase" not in fan
    assert 'formatCode="#,##0"' in fan
    values = re.findall(r"<c:val><c:numRef><c:f>([^<]+)</c:f>", fan)
    for name in ("pctl_0.1", "pctl_0.5", "pctl_0.9"):
        assert _row_ref("Risk", places[name].row) in values


def test_scenarios_chart_is_linear_like_the_summary(built):
    (chart,) = charts_of(built, "Scenarios")
    assert "<c:logBase" not in chart and 'formatCode="#,##0"' in chart
