"""The recalculation engine behind `cpo-xl check` on small hand-made workbooks (worked by hand below)."""

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check import evaluate
from cpo_xl.workbook.read import contents


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
    return contents.read(path)


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


def test_shapes_that_differ_only_in_where_they_point_share_one_compiled_function(tmp_path):
    # B1 and B2 read different absolute rows: two shapes, one compile key; B3 reads one cell twice: another key
    book = _book(tmp_path, {"A1": 1, "A2": 2, "B1": "=$A$1*2", "B2": "=$A$2*2", "B3": "=A1*A1"})
    formulas = {at: evaluate.parse(text, at, span, book.names) for at, (text, span) in book.formulas.items()}
    assert len({f.shape for f in formulas.values()}) == 3
    assert len({evaluate.compile_key(f.shape) for f in formulas.values()}) == 2
    assert evaluate.results(book) == {"DATA SHEET!B1": 2, "DATA SHEET!B2": 4, "DATA SHEET!B3": 1}


def test_the_plain_pipe_gives_what_the_schedula_pipe_gives(tmp_path):
    # each shape once through the plain steps and once through schedula's own pipe (the fallback path)
    cells = {"A1": 2, "A2": "x", "B1": "=IF(A1>1,A1^0.5,0)", "B2": "=A2&\"y\"", "B3": "=A2+1", "B4": "=SUM(A1:A2)",
             "B5": "=INDEX(A1:A2,2)", "B6": "=1/0", "B7": '=IF(C1="",7,C1)'}
    book = _book(tmp_path, cells)
    fast = evaluate.results(book)
    plain = evaluate.Pipe.__call__
    try:
        evaluate.Pipe.__call__ = lambda self, *args: self.func(*args)
        slow = evaluate.results(book)
    finally:
        evaluate.Pipe.__call__ = plain
    assert fast == slow
    assert fast["DATA SHEET!B1"] == pytest.approx(2 ** 0.5) and fast["DATA SHEET!B2"] == "xy"
    assert fast["DATA SHEET!B3"] == "#VALUE!" and fast["DATA SHEET!B6"] == "#DIV/0!" and fast["DATA SHEET!B7"] == 7


@pytest.mark.parametrize("text", ["=A1+B22*3", "=1E+5+0E+5", "=0E+5*A1", "=9E+5-A9", "=IF(A1,#DIV/0!,2)",
                                  "=SUM(A1:B2)+\"x1 2\"", "='Sheet 12'!A1&\"9\"", "=10E+5", "=1.5E-3+A1"])
def test_tokens_equal_the_tokenizer_whatever_was_tokenized_before(text):
    from openpyxl.formula.tokenizer import Tokenizer

    def outcome(tokenize, formula):
        try:
            return list(tokenize(formula))
        except Exception as exc:  # noqa: BLE001 - a malformed formula must fail alike ("#DIV/5!")
            return type(exc)
    for other in (text, text.replace("1", "7").replace("2", "3"), text.replace("0", "5")):
        for formula in (other, text, other):  # look-alikes first, then the formula, then again from the cache
            assert outcome(evaluate.tokens, formula) == outcome(
                lambda f: [(t.value, t.type, t.subtype) for t in Tokenizer(f).items], formula)
