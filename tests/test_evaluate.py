"""The recalculation engine behind `cpo-xl check` on small hand-made workbooks (worked by hand below)."""

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook import evaluate


def _book(tmp_path, cells: dict[str, object], names: dict[str, str] | None = None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data sheet"
    other = wb.create_sheet("Other")
    other["A1"] = 10
    for ref, value in cells.items():
        ws[ref] = value
    for name, target in (names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=target)
    path = tmp_path / "small.xlsx"
    wb.save(path)
    return evaluate.read(path)


def test_worked_example(tmp_path):
    # A1=2, A2=3; B1=A1*A2=6; B2=SUM(A1:A2)+B1=5+6=11; C1=IF(x>1,B2,0) with x=A1=2 -> 11;
    # D1=A1*2=4 and D2=A2*2=6 share one shape; E1=Other!A1+'Data sheet'!A2=10+3=13; F1=IF(G1="",7,G1)=7 (empty)
    book = _book(tmp_path, {"A1": 2, "A2": 3, "B1": "=A1*A2", "B2": "=SUM(A1:A2)+B1", "C1": "=IF(x>1,B2,0)",
                            "D1": "=A1*2", "D2": "=A2*2", "E1": "=Other!A1+'Data sheet'!A2",
                            "F1": '=IF(G1="",7,G1)'}, {"x": "'Data sheet'!$A$1"})
    got = evaluate.results(book)
    assert got == {"DATA SHEET!B1": 6, "DATA SHEET!B2": 11, "DATA SHEET!C1": 11, "DATA SHEET!D1": 4,
                   "DATA SHEET!D2": 6, "DATA SHEET!E1": 13, "DATA SHEET!F1": 7}


def test_one_compiled_function_per_shape(tmp_path):
    book = _book(tmp_path, {"A1": 1, "A2": 2, "A3": 3, "B1": "=A1+1", "B2": "=A2+1", "B3": "=A3+1", "C1": "=$A$1+1"})
    shapes = {evaluate.parse(text, at, span, book.names).shape for at, (text, span) in book.formulas.items()}
    assert len(shapes) == 2  # B1:B3 are one relative shape; C1's absolute reference is another


def test_a_circular_reference_is_one_clear_error(tmp_path):
    book = _book(tmp_path, {"A1": "=B1+1", "B1": "=A1+1"})
    with pytest.raises(CpoError, match="circular reference"):
        evaluate.results(book)


def test_an_unknown_function_is_an_error_value_not_a_crash(tmp_path):
    got = evaluate.results(_book(tmp_path, {"A1": "=NOSUCHFUNCTION(1)", "A2": "=1/0"}))
    assert str(got["DATA SHEET!A1"]).startswith("#") and got["DATA SHEET!A2"] == "#DIV/0!"
