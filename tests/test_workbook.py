"""The committed workbook and a fresh build, read headlessly with openpyxl; recalculation with formulas."""

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel.catalogue import CATALOGUE
from cpo_xl.workbook import layout as L
from cpo_xl.workbook.recalc import check, recalculate
from tests.conftest import pdf_pages

BUILTINS = {"SUM", "IF", "INDEX", "MATCH", "ABS", "MAX", "OR", "COUNTIF", "ISNUMBER", "LARGE", "RANK"}
SERIES = ("Demand", "Penetration", "TAM", *L.LAYER_SHEETS.values(), "Checks")


@pytest.fixture(scope="module")
def wb(built):
    return openpyxl.load_workbook(built)


def test_sheets_in_order(wb):
    assert wb.sheetnames == list(L.SHEETS)
    assert wb["xlwings.conf"].sheet_state == "hidden"
    assert wb["xlwings.conf"]["B1"].value == "cpo_udfs"


def test_names_resolve(wb):
    for name in L.NAMES:
        assert name in wb.defined_names, name
    (sheet, ref), = wb.defined_names["rack_units"].destinations
    rows = list(wb[sheet][ref.replace("$", "")])
    assert [c.value for c in rows[0]] == list(YEARS)
    (sheet, ref), = wb.defined_names["scenario"].destinations
    assert wb[sheet][ref.replace("$", "")].value == "base"


def test_every_formula_cell_caches_a_value(built):
    with zipfile.ZipFile(built) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                cells = re.findall(r"<c [^>]*>(.*?)</c>", xml)
                with_formula = [c for c in cells if "<f>" in c]
                assert all("<v>" in c for c in with_formula), name
                assert not any(re.search(r"<v>#", c) for c in with_formula), name


def test_functions_are_builtins_or_catalogue(wb):
    allowed = BUILTINS | {u.name for u in CATALOGUE}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    assert set(re.findall(r"([A-Z_]+)\(", c.value)) <= allowed, (ws.title, c.coordinate)


def test_time_series_sheets_share_the_grid(wb):
    for name in SERIES:
        ws = wb[name]
        header = [ws.cell(L.HEADER_ROW + 1, L.FIRST_YEAR_COL + 1 + i).value for i in range(len(YEARS))]
        assert header == list(YEARS), name
        assert ws.freeze_panes == "D5", name
        for r in range(L.FIRST_LINE_ROW + 1, ws.max_row + 1):
            if isinstance(ws.cell(r, L.FIRST_YEAR_COL + 1).value, str):  # a model line
                assert ws.cell(r, 1).value and ws.cell(r, 2).value, (name, r)
        assert ws["C2"].value == "=master_check"


def test_inputs_carry_the_input_style(wb):
    ws = wb["Inputs"]
    fills = {ws.cell(L.INPUTS_FIRST_KEY_ROW + 1 + i, L.BASE_C + 1).fill.fgColor.rgb for i in range(20)}
    assert fills == {"FFFFF2CC"}
    assert ws.cell(L.INPUTS_RACKS_OVERRIDE_ROW + 1, L.FIRST_YEAR_COL + 1).fill.fgColor.rgb == "FFFFF2CC"


def test_master_check_is_zero(built):
    values = openpyxl.load_workbook(built, data_only=True)
    (sheet, ref), = values.defined_names["master_check"].destinations
    assert values[sheet][ref.replace("$", "")].value == 0


@pytest.mark.slow
def test_committed_workbook_recalculates_to_its_cached_values():
    problems, cells, calls = check(Path(__file__).resolve().parents[1] / "workbook" / "CPO_Model.xlsx")
    assert problems == [] and cells > 1000 and 0 < calls <= 60  # block UDFs: a few dozen calls per recalculation


@pytest.mark.slow
def test_changed_input_recalculates_to_the_engine(built, tmp_path):
    copy = tmp_path / "edited.xlsx"
    shutil.copy(built, copy)
    book = openpyxl.load_workbook(copy)
    ws = book["Inputs"]
    col = L.FIRST_YEAR_COL + 1 + YEARS.index(2028)
    ws.cell(L.INPUTS_RACKS_OVERRIDE_ROW + 1, col).value = 150000
    book.save(copy)
    results, _ = recalculate(copy)
    row = next(r for r in range(1, 20) if book["TAM"].cell(r, 1).value == "CPO TAM (CPO_TAM)")
    cell = f"TAM!{book['TAM'].cell(row, col).coordinate}"
    expected = run(Case(racks=((2028, 150000.0),))).tam[YEARS.index(2028)]
    assert results[cell] == pytest.approx(expected, rel=1e-9)


@pytest.mark.slow
def test_libreoffice_pdf_shows_numbers(rendered):
    text = "\n".join(pdf_pages(rendered))
    for bad in ("#NAME?", "#VALUE!", "#REF!", "Err:"):
        assert bad not in text
    tam_2030 = run(Case()).tam[YEARS.index(2030)]
    assert f"{tam_2030:,.0f}" in text
    for title in ("Scenarios: bear, base and bull", "Sensitivity: each input", "Risk: Monte Carlo"):
        assert title in text
    from cpo_xl.excel.functions import CPO_TAM_PCTL
    assert f"{CPO_TAM_PCTL(2030, 0.5, ''):,.0f}" in text
