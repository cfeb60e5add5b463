"""The PM's first minute: the Summary sheet (first in both files), the PM copy's scenario switch, guarded inputs
and pages that print."""

import ast
import math
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.tables import crosscheck_points
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import switch
from cpo_xl.workbook.write.build import build_workbook
from tests.conftest import SWITCHES, pdf_pages, read_book


def rows_by_label(ws) -> dict[str, int]:
    """First column's text -> its row (1-based)."""
    return {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}


def summary_year_cols(ws, header_row: int) -> dict[int, int]:
    return {c.value: c.column for c in ws[header_row] if isinstance(c.value, int) and c.value in YEARS}


def summary_facts(ws) -> dict[str, object]:
    """The facts on the right of the Summary: label (column I) -> value (column J)."""
    col = L.SUMMARY_FACTS_COL + 1
    return {ws.cell(r, col).value: ws.cell(r, col + 1).value for r in range(1, ws.max_row + 1)
            if isinstance(ws.cell(r, col).value, str)}


def summary_sentences(ws) -> list[str]:
    return [ws.cell(L.SUMMARY_ANSWER_ROW + 1 + i, 1).value for i in range(L.SUMMARY_SENTENCES)]


def check_summary(book: openpyxl.Workbook, scenario: str = "base", year: int = 2030) -> None:
    """The Summary's headline cells and sentences equal the engine's numbers of ``scenario`` (companies: in
    ``year``)."""
    assert book.sheetnames[0] == L.SUMMARY
    ws = book[L.SUMMARY]
    rows = rows_by_label(ws)
    header = rows["line item"]
    cols = summary_year_cols(ws, header)
    assert list(cols) == list(L.SUMMARY_YEARS)
    shown = run(Case(scenario))
    for headline_year, col in cols.items():
        i = year_index(headline_year)
        assert ws.cell(rows["CPO TAM, scenario shown"], col).value == pytest.approx(float(shown.tam[i]), rel=1e-9)
        for s in ("bear", "base", "bull"):
            assert ws.cell(rows[f"CPO TAM, {s}"], col).value == pytest.approx(float(run(Case(s)).tam[i]), rel=1e-9)
    facts = summary_facts(ws)
    assert facts[L.SUMMARY_FACTS_LABELS[0]] == scenario and facts[L.SUMMARY_FACTS_LABELS[1]] == year
    text = " ".join(summary_sentences(ws))
    tam = float(shown.tam[year_index(2030)])
    assert f"CPO TAM US$ {tam / 1000:.1f} bn in 2030" in text and f"({scenario})" in text
    assert "as built" not in " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    # the dollar winners: the top companies by CPO revenue, gross and net exposure beside
    i = year_index(year)
    revenue = {t: float(c.cpo_revenue[i]) for t, c in shown.companies.items() if math.isfinite(c.cpo_revenue[i])}
    leaders = sorted(revenue, key=lambda t: -revenue[t])[:L.SUMMARY_TOP]
    first = rows["company"] + 1
    assert [ws.cell(first + k, 2).value for k in range(L.SUMMARY_TOP)] == leaders
    for k, t in enumerate(leaders):
        assert ws.cell(first + k, 3).value == pytest.approx(revenue[t], rel=1e-9)
        assert ws.cell(first + k, 4).value == pytest.approx(float(shown.companies[t].exposure[i]), rel=1e-9)
    # the cannibalised: as many names as the count, the ones with net exposure below zero
    nets = {t: float(c.net_exposure[i]) for t, c in shown.companies.items() if math.isfinite(c.net_exposure[i])}
    losers = sorted((t for t in nets if nets[t] < 0), key=lambda t: nets[t])
    names = {t: c.name for t, c in Case(scenario).assumptions().companies.items()}
    (sentence,) = [s for s in summary_sentences(ws) if s.startswith("Cannibalised")]
    assert sentence.startswith(f"Cannibalised: {len(losers)} companies with net exposure below zero in {year}: ")
    listed = sentence.split(": ", 2)[2].split(" (their")[0].split(", ")
    assert [n.rsplit(" ", 1)[0] for n in listed] == [names[t] for t in losers[:L.SUMMARY_CANNIBALISED]]
    # the reconciliation in words: the counts of the Checks sheet
    points = crosscheck_points(Case(scenario))
    flagged = int((~points["passes"]).sum())
    assert f"{len(points) - flagged} of {len(points)} within the model's band" in text
    assert f"{flagged} flagged, each with its reason on Checks" in text
    # the inputs that move the TAM most, with their units
    tornado = sc.tornado(Case(scenario), L.SUMMARY_INPUT_YEAR)
    first = rows["input"] + 1
    for k, item in enumerate(tornado.head(L.SUMMARY_INPUTS).itertuples()):
        assert ws.cell(first + k, 1).value == item.label
        assert ws.cell(first + k, 2).value  # a unit
        assert ws.cell(first + k, 7).value == pytest.approx(item.swing, rel=1e-9)
        assert item.label in text


def test_summary_is_first_and_shows_the_engine(built):
    book = read_book(built, data_only=True)
    assert book.active.title == L.SUMMARY
    check_summary(book)


@pytest.mark.slow
def test_pm_copy_opens_on_the_summary(pm_copy):
    book = read_book(pm_copy, data_only=True)
    assert book.active.title == L.SUMMARY
    assert book.sheetnames[:len(L.PM_ORDER) - 1] == [n for n in L.PM_ORDER if n != "xlwings.conf"]  # story order
    assert book[switch.VALUES_SHEET].sheet_state == "hidden"
    check_summary(book)


def yellow_cells(ws):
    return [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == "FFFFF2CC"]


def validated(ws) -> set[str]:
    cells = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            cells |= {f"{get_column_letter(col)}{row}" for row, col in rng.cells}
    return cells


@pytest.mark.parametrize("which", ["built", pytest.param("pm_copy", marks=pytest.mark.slow)])  # the copy: a publish
def test_every_yellow_cell_has_a_validation_and_a_note(which, request):
    book = read_book(request.getfixturevalue(which))
    yellow = []
    for ws in book.worksheets:
        covered = validated(ws)
        for c in yellow_cells(ws):
            assert c.coordinate in covered, f"{ws.title}!{c.coordinate}: no data validation"
            assert c.comment is not None and c.comment.text.strip(), f"{ws.title}!{c.coordinate}: no note"
            yellow.append(f"{ws.title}!{c.coordinate}")
    if which == "pm_copy":  # the PM copy's controls: the scenario and the ranking year
        assert sorted(yellow) == ["Elasticity!C4", "Inputs!C4"]
    else:
        assert len(yellow) > 3 * 250


def test_validations_follow_the_schema(built):
    ws = read_book(built)["Inputs"]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_cell[rng.coord] = dv
    keys = {ws.cell(r, 1).value: r for r in range(L.INPUTS_FIRST_KEY_ROW + 1, ws.max_row + 1)}
    share = by_cell[f"C{keys['companies.AVGO.share_2030']}"]
    assert share.operator in (None, "between")  # Excel's default operator is omitted from the file
    assert (share.type, float(share.formula1), float(share.formula2)) == ("decimal", 0, 1)
    assert "fraction" in share.prompt and "0 to 1" in share.prompt
    year = by_cell[f"B{keys['demand.port_1600_year']}"]
    assert year.type == "whole"
    model = by_cell[f"D{keys['penetration.scale_out.model']}"]
    assert model.type == "list" and "logistic" in model.formula1
    scenario = by_cell["C4"]
    assert scenario.type == "list" and scenario.formula1 == '"bear,base,bull"'
    note = ws.cell(keys["racks.cy2026"], L.BASE_C + 1).comment.text
    assert "Source:" in note and "Grade:" in note and "Date:" in note


def sheet_values(book: openpyxl.Workbook) -> dict[str, dict[str, object]]:
    """Every non-empty cell's value by sheet of a book loaded with data_only; the Engine's build record (the
    inputs the file was built from, which name the scenario it was built in) left out."""
    out = {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}
           for ws in book.worksheets if ws.title != switch.VALUES_SHEET}  # LibreOffice drops empty strings
    engine = out[L.ENGINE]
    (title,) = [ref for ref, v in engine.items() if v == L.BUILD_RECORD_TITLE]
    record_from = int(re.sub(r"[A-Z]", "", title))
    out[L.ENGINE] = {ref: v for ref, v in engine.items() if int(re.sub(r"[A-Z]", "", ref)) <= record_from}
    return out


def assert_same_values(got: dict[str, dict[str, object]], want: dict[str, dict[str, object]], label: str) -> None:
    """Every cell of ``want`` (:func:`sheet_values`) has its value in ``got``: numbers to 1e-9, the rest equal."""
    assert got.keys() == want.keys()
    for sheet, cells in want.items():
        for ref, value in cells.items():
            mine = got[sheet].get(ref)
            if isinstance(value, float | int) and not isinstance(value, bool):
                assert isinstance(mine, float | int) and mine == pytest.approx(value, rel=1e-9, abs=1e-12), \
                    f"{label}: {sheet}!{ref} {mine!r} != {value!r}"
            else:
                assert mine == value, f"{label}: {sheet}!{ref} {mine!r} != {value!r}"


@pytest.mark.slow
def test_pm_copy_switches_every_number_in_libreoffice(pm_recalculated, tmp_path):
    """The PM copy's scenario cell switched (typed), everything recalculated in LibreOffice: every cell equals
    a copy built in that scenario, and the Summary the engine's numbers; the ranking year switched too: the
    company table and the Summary show that year."""
    check_ranking_year(pm_recalculated["bull_2028"], *SWITCHES["bull_2028"])
    for s in ("bull", "bear"):
        switched = pm_recalculated[s]
        check_summary(switched, s)
        direct = tmp_path / f"direct_{s}.xlsx"
        build_workbook(direct, Case(s), static=True)
        book = openpyxl.load_workbook(direct, read_only=True, data_only=True)
        direct_values = sheet_values(book)
        book.close()
        assert_same_values(sheet_values(switched), direct_values, s)
        tam_2030 = float(run(Case(s)).tam[year_index(2030)])
        assert switched["Checks"]["D1"].value == 0 and tam_2030 > 0


def chart_anchors(path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name -> each chart's (first row, first col, last row, last col), 0-based, from the drawing parts."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "x": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(path) as z:
        def rels(part: str) -> dict[str, str]:
            folder, name = posixpath.split(part)
            rel = posixpath.join(folder, "_rels", name + ".rels")
            if rel not in z.namelist():
                return {}
            return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target")))
                    for r in ET.fromstring(z.read(rel)).findall("p:Relationship", ns)}
        book = ET.fromstring(z.read("xl/workbook.xml"))
        targets = rels("xl/workbook.xml")
        for sheet in book.find("m:sheets", ns):
            part = targets[sheet.get(f"{{{ns['r']}}}id")]
            for target in rels(part).values():
                if "drawings/drawing" not in target:
                    continue
                for anchor in ET.fromstring(z.read(target)).findall("x:twoCellAnchor", ns):
                    (fr, fc), (tr, tc) = ((int(a.find("x:row", ns).text), int(a.find("x:col", ns).text))
                                          for a in (anchor.find("x:from", ns), anchor.find("x:to", ns)))
                    out.setdefault(sheet.get("name"), []).append((fr, fc, tr, tc))
    return out


@pytest.mark.parametrize("which", ["built", pytest.param("pm_copy", marks=pytest.mark.slow)])  # the copy: a publish
def test_no_chart_covers_a_cell(which, request):
    path = request.getfixturevalue(which)
    book = read_book(path)
    anchors = chart_anchors(path)
    assert set(anchors) >= {L.SUMMARY, "TAM", "Penetration", "Elasticity", "Scenarios", "Sensitivity", "Risk"}
    for sheet, boxes in anchors.items():
        ws = book[sheet]
        for fr, fc, tr, tc in boxes:
            for row in ws.iter_rows(min_row=fr + 1, max_row=tr + 1, min_col=fc + 1, max_col=tc + 1):
                filled = [c.coordinate for c in row if c.value not in (None, "")]
                assert not filled, f"{sheet}: a chart covers {filled}"


def sheet_of(page: str) -> str:
    """The sheet a printed page belongs to, from the page header LibreOffice prints (model name, sheet name,
    version)."""
    match = re.search(r"^\s*CPO market model(?: \(PM copy\))?\s{2,}(\S+)\s{2,}cpo-xl", page, re.M)
    assert match, f"a page without the header: {page[:200]!r}"
    return match.group(1)


def pages_by_sheet(pages: list[str]) -> dict[str, int]:
    """Pages per sheet, in the order they print."""
    counts: dict[str, int] = {}
    for sheet in map(sheet_of, pages):
        counts[sheet] = counts.get(sheet, 0) + 1
    return counts


@pytest.mark.slow
def test_pages_per_sheet(rendered):
    counts = pages_by_sheet(pdf_pages(rendered))
    printed = [n for n in L.SHEETS if n not in (L.ENGINE, "xlwings.conf")]
    assert list(counts) == printed  # every visible sheet prints, in order; the hidden ones do not
    assert counts[L.SUMMARY] == 1
    for sheet, n in counts.items():
        assert 1 <= n <= L.PRINT_PAGES.get(sheet, 1), f"{sheet}: {n} pages"


def test_udf_core_imports_only_what_pyodide_has():
    """xlwings Lite (Pyodide) runs no threads or multiprocessing and lacks the workbook writers: the UDF core
    imports numpy and pydantic only, and starts no thread."""
    code = ("import sys, threading; import cpo_xl.excel.functions, cpo_xl.excel.blocks, cpo_xl.excel.catalogue; "
            "print(sorted({m.split('.')[0] for m in sys.modules})); print(threading.active_count())")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split("\n")
    modules = set(ast.literal_eval(out[0]))
    assert not modules & {"xlsxwriter", "openpyxl", "formulas", "matplotlib", "tqdm", "defusedxml", "pandas",
                          "scipy", "multiprocessing", "xlwings"}
    assert {"numpy", "pydantic"} <= modules and out[1] == "1"


def test_cli_numbers_read_like_a_report(capsys):
    """Thousands separators, no 4-decimal numbers, n/a for missing, integer years, the workbook's version."""
    from cpo_xl.cli import main
    from cpo_xl.excel.functions import version_text
    assert main(["summary", "--scenarios"]) == 0
    out = capsys.readouterr().out
    assert "NaN" not in out and "nan" not in out and " n/a" in out
    assert not re.search(r"\d\.\d{4}\b", out)  # no US$ M or fractions printed with 4 decimals
    assert not re.search(r"\b2,0[23]\d", out)  # years never get a thousands separator
    # base 2030 TAM; ficonTEC gross 2030: its CPO revenue (US$107.9M, unchanged by the baseline) over FY2025
    # revenue US$132M plus it: 107.9 / (132 + 107.9) = 45.0% (60.6% on the earlier ttm US$70M: 107.9 / 177.9)
    assert "2031.5" in out and "13,647" in out and "45.0%" in out
    assert version_text() in out.splitlines()[0]
    ranking = out.split("Company ranking by net CPO exposure, 2030")[1].split("\n\n")[0].splitlines()[2:]
    nets = [float(line.split()[-2].rstrip("%")) for line in ranking if "n/a" not in line.split()[-2]]
    assert nets == sorted(nets, reverse=True)  # ranked by net exposure


def check_ranking_year(book: openpyxl.Workbook, scenario: str, year: int) -> None:
    """The PM copy's ranking year switched: the company table, its ranks and the Summary show ``year``."""
    check_summary(book, scenario, year)
    ws = book["Elasticity"]
    companies = run(Case(scenario)).companies
    first = L.ELASTICITY_HEADER_ROW + 2
    exposures = {}
    for r in range(first, first + len(companies)):
        ticker = ws.cell(r, 1).value
        line = companies[ticker]
        assert ws.cell(r, 4).value == pytest.approx(float(line.cpo_revenue[year_index(year)]), rel=1e-9)
        if math.isfinite(line.exposure[year_index(year)]):
            exposures[r] = float(line.exposure[year_index(year)])
            assert ws.cell(r, 5).value == pytest.approx(exposures[r], rel=1e-9)
    for r, e in exposures.items():
        assert ws.cell(r, 8).value == 1 + sum(other > e for other in exposures.values())
