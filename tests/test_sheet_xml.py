"""The XML cell edits (tests/sheet_xml.py) that stand for a person's typing in the edit tests: openpyxl's full
reader sees exactly the cells set, each with the style it had, and every other part of the file is unchanged."""

import zipfile

import openpyxl

from cpo_xl.workbook.read.parts import sheet_parts
from cpo_xl.workbook.spec import layout as L
from tests.conftest import read_book
from tests.sheet_xml import Text, _set_in_sheet, cell_values, set_cell_xml, set_cells


def test_cells_set_in_the_xml_read_back_in_openpyxl_with_their_styles(built, tmp_path):
    before = read_book(built)
    inputs = before["Inputs"]
    r = next(r for r in range(1, inputs.max_row + 1) if inputs.cell(r, L.KEY_C + 1).value == "pricing.erosion_2027")
    live = f"Inputs!{L.a1(r - 1, L.LIVE_C)}"
    typed = {live: 0.2,  # a number over a formula
             f"Inputs!{L.a1(r - 1, L.BASE_C)}": True, f"Inputs!{L.a1(r - 1, L.COMMENT_C)}": "a <note> & more",
             f"Inputs!{L.a1(r - 1, L.BULL_C)}": "=C1*2",  # typed with "=": a formula
             "TAM!A6": None,  # emptied, styled as before
             "TAM!Z6": 7,  # a new cell at the end of an existing row
             "Demand!B999": "below the table"}  # a new row after the last
    out = set_cells(built, tmp_path / "w.xlsx", typed)
    after = openpyxl.load_workbook(out)
    for ref, value in typed.items():
        sheet, cell = ref.split("!")
        assert after[sheet][cell].value == value, ref
        if before[sheet][cell].value is not None:  # a cell the build wrote keeps its style (styles.xml is kept)
            assert tuple(after[sheet][cell]._style) == tuple(before[sheet][cell]._style), ref
    assert sum(before[ref.split("!")[0]][ref.split("!")[1]].has_style for ref in typed) >= 3  # styles to keep
    def shown(value):  # an array formula as its text (openpyxl's ArrayFormula objects compare by identity)
        return getattr(value, "text", value)
    changed = {(ws.title, c.coordinate) for ws in after.worksheets for row in ws.iter_rows() for c in row
               if shown(c.value) != shown(before[ws.title][c.coordinate].value)}
    assert changed == {tuple(ref.split("!")) for ref in typed}
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        differ = {name for name in a.namelist() if a.read(name) != b.read(name)}
        parts = dict(sheet_parts(a))
    assert differ == {parts["Inputs"], parts["TAM"], parts["Demand"]}, differ
    assert cell_values(out, "TAM!Z6", live) == [7, 0.2]


def test_a_cell_set_between_two_cells_of_a_row_keeps_the_row_in_column_order(built, tmp_path):
    out = set_cells(built, tmp_path / "w.xlsx", {"Demand!AA3": 1, "Demand!AC3": 3, "Demand!AB3": 2})
    with zipfile.ZipFile(out) as z:
        sheet = z.read(dict(sheet_parts(z))["Demand"]).decode()
    row = sheet[sheet.index('<row r="3"'):]
    row = row[:row.index("</row>")]
    assert row.index('r="AA3"') < row.index('r="AB3"') < row.index('r="AC3"')
    assert cell_values(out, "Demand!AA3", "Demand!AB3", "Demand!AC3") == [1, 2, 3]


def test_a_cell_at_the_last_address_is_declared_in_the_sheets_dimension(built, tmp_path):
    out = set_cells(built, tmp_path / "w.xlsx", {"Lasers!XFD1048576": 1})
    book = openpyxl.load_workbook(out, read_only=True)
    ws = book["Lasers"]
    assert (ws.min_row, ws.min_column, ws.max_row, ws.max_column) == (1, 1, 1048576, 16384)
    book.close()


SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="B2:C3"/>'
         '<sheetData><row r="2" spans="2:3"><c s="4" r="B2"><v>1</v></c><c r="C2" s="5"/></row>'
         '<row r="3" ht="20" customHeight="1"/></sheetData></worksheet>')


def test_worked_example_of_cells_set_in_a_hand_written_sheet():
    """r after s, a self-closing cell, a self-closing row, a new row above, a new cell before the first."""
    got = _set_in_sheet(SHEET.encode(), {"B2": 2.5, "C2": "x", "B3": True, "A1": Text("=text"), "A2": None}).decode()
    assert got == ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<dimension ref="A1:C3"/><sheetData>'
                   '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">=text</t></is></c></row>'
                   '<row r="2" spans="2:3"><c r="A2"/><c r="B2" s="4"><v>2.5</v></c>'
                   '<c r="C2" s="5" t="inlineStr"><is><t xml:space="preserve">x</t></is></c></row>'
                   '<row r="3" ht="20" customHeight="1"><c r="B3" t="b"><v>1</v></c></row>'
                   '</sheetData></worksheet>')


def test_what_cannot_be_written_as_typed_is_refused(built, tmp_path):
    import math

    import numpy as np
    import pytest
    for value in (np.float64(0.2), math.nan, "a\x01b", [1]):
        with pytest.raises(ValueError, match="Inputs!E13"):
            set_cells(built, tmp_path / "w.xlsx", {"Inputs!E13": value})
    shared = SHEET.replace('<c s="4" r="B2"><v>1</v></c>', '<c r="B2"><f t="shared" ref="B2:B3" si="0">A1</f></c>')
    with pytest.raises(ValueError, match="first cell of a shared formula"):
        _set_in_sheet(shared.encode(), {"B2": 1})


def test_a_cell_replaced_by_raw_xml_holds_exactly_that_and_an_absent_cell_is_refused(built, tmp_path):
    import pytest
    out = set_cell_xml(built, tmp_path / "w.xlsx", "Inputs!C14", b'<c r="C14" t="e"><v>#N/A</v></c>')
    with zipfile.ZipFile(out) as z:
        sheet = z.read(dict(sheet_parts(z))["Inputs"]).decode()
    assert sheet.count('<c r="C14"') == 1 and '<c r="C14" t="e"><v>#N/A</v></c>' in sheet
    with pytest.raises(ValueError, match="Inputs!ZZ9999: the file holds no such cell"):
        set_cell_xml(built, tmp_path / "x.xlsx", "Inputs!ZZ9999", b'<c r="ZZ9999"/>')
