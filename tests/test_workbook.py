"""The committed workbook and a fresh build, read headlessly with openpyxl; recalculation with formulas."""

import re
import zipfile
from pathlib import Path

import pytest

from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel.catalogue import CATALOGUE
from cpo_xl.workbook.check.recalc import check, recalculate
from cpo_xl.workbook.spec import layout as L
from tests.conftest import pdf_pages, read_book
from tests.sheet_xml import set_cells

# functions LibreOffice 7.4 and Excel 2016 both know (TEXT, SMALL and SUMPRODUCT: the Summary's sentences)
BUILTINS = {"SUM", "IF", "INDEX", "MATCH", "ABS", "MAX", "OR", "COUNTIF", "ISNUMBER", "LARGE", "RANK", "TEXT",
            "SMALL", "SUMPRODUCT"}
SERIES = ("Demand", "Penetration", "TAM", *L.LAYER_SHEETS.values(), "Checks")


@pytest.fixture(scope="module")
def wb(built):
    return read_book(built)


def test_sheets_in_order(wb):
    assert wb.sheetnames == list(L.SHEETS)
    assert wb["xlwings.conf"].sheet_state == "hidden"
    assert wb["xlwings.conf"]["B1"].value == "cpo_udfs"


CONTRACT_NAMES = ("rack_units", "assumptions", "scenario", "years", "master_check")  # ARCHITECTURE.md


def test_names_resolve(wb):
    for name in CONTRACT_NAMES:
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
    values = read_book(built, data_only=True)
    (sheet, ref), = values.defined_names["master_check"].destinations
    assert values[sheet][ref.replace("$", "")].value == 0


@pytest.mark.slow
def test_committed_workbook_recalculates_to_its_cached_values():
    problems, cells, calls = check(Path(__file__).resolve().parents[1] / "workbook" / "CPO_Model.xlsx")
    assert problems == [] and cells > 1000 and 0 < calls <= 100  # budget: blocks + CPO_TAM rows


@pytest.mark.slow
def test_changed_input_recalculates_to_the_engine(built, tmp_path):
    col = L.FIRST_YEAR_COL + 1 + YEARS.index(2028)
    copy = set_cells(built, tmp_path / "edited.xlsx", {f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, col - 1)}": 150000})
    book = read_book(built)
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


def _edit_sheet_xml(source: Path, target: Path, old: bytes, new: bytes) -> None:
    """Copy an .xlsx replacing the first `old` in a worksheet part by `new` (the rest byte for byte)."""
    done = False
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if not done and info.filename.startswith("xl/worksheets/") and old in data:
                data, done = data.replace(old, new, 1), True
            zout.writestr(info, data)
    assert done, old


@pytest.mark.slow
def test_check_reports_a_cached_value_that_its_formula_does_not_give(built, tmp_path):
    # a division row, e.g. <f>IF(D5=0,0,D6/D5)</f>: its formula is kept and its cached value doubled
    formula = re.search(rb"<f>(IF\(\w+=0,0,\w+/\w+\))</f><v>([0-9.eE+-]+)</v>", _sheet_bytes(built))
    assert formula
    old = formula.group(0)
    new = old.replace(formula.group(2), repr(float(formula.group(2)) * 2 + 1).encode())
    copy = tmp_path / "tampered.xlsx"
    _edit_sheet_xml(built, copy, old, new)
    problems, _, _ = check(copy)
    assert len(problems) == 1 and "recalculated" in problems[0]


@pytest.mark.slow
def test_check_evaluates_a_changed_formula_rather_than_trusting_the_cache(built, tmp_path):
    # Checks!D1 (master_check) = SUM of the check rows = 0; adding 1 inside the formula must show as 1 != 0
    formula = re.search(rb'<c r="D1"[^>]*><f>(SUM\([^<]*\))</f>', _sheet_bytes(built))
    assert formula
    copy = tmp_path / "tampered.xlsx"
    _edit_sheet_xml(built, copy, formula.group(0), formula.group(0).replace(b"</f>", b"+1</f>"))
    problems, _, _ = check(copy)
    assert any("recalculated 1" in p for p in problems)


def _sheet_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
