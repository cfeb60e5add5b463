"""The XML cell edits (tests/sheet_xml.py) that stand for a person's typing in the edit tests: openpyxl's full
reader sees exactly the cells set, each with the style it had, and every other part of the file is unchanged."""

import zipfile

import openpyxl

from cpo_xl.workbook.read.parts import sheet_parts
from cpo_xl.workbook.spec import layout as L
from tests.conftest import read_book
from tests.sheet_xml import cell_values, set_cells


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
