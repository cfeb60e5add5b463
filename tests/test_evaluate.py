"""The recalculation engine behind `cpo-xl check` on small hand-made workbooks (worked by hand below)."""

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check import compiled, evaluate
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


def test_a_function_of_no_argument_that_cannot_run_is_an_error_value(tmp_path):
    got = evaluate.results(_book(tmp_path, {"A1": "=NOSUCHFUNCTION()", "A2": "=PI()*2"}))
    assert got["DATA SHEET!A1"] == "#ERROR (CpoError: cannot evaluate the input 'start')"
    assert got["DATA SHEET!A2"] == pytest.approx(6.283185307179586)


def test_shapes_that_differ_only_in_where_they_point_share_one_compiled_function(tmp_path):
    # B1 and B2 read different absolute rows: two shapes, one compile key; B3 reads one cell twice: another key
    book = _book(tmp_path, {"A1": 1, "A2": 2, "B1": "=$A$1*2", "B2": "=$A$2*2", "B3": "=A1*A1"})
    formulas = {at: evaluate.parse(text, at, span, book.names) for at, (text, span) in book.formulas.items()}
    assert len({f.shape for f in formulas.values()}) == 3
    assert len({compiled.compile_key(f.shape) for f in formulas.values()}) == 2
    assert evaluate.results(book) == {"DATA SHEET!B1": 2, "DATA SHEET!B2": 4, "DATA SHEET!B3": 1}


def test_the_plain_pipe_gives_what_the_schedula_pipe_gives(tmp_path):
    # each shape once through the plain steps and once through schedula's own pipe (the fallback path)
    cells = {"A1": 2, "A2": "x", "B1": "=IF(A1>1,A1^0.5,0)", "B2": "=A2&\"y\"", "B3": "=A2+1", "B4": "=SUM(A1:A2)",
             "B5": "=INDEX(A1:A2,2)", "B6": "=1/0", "B7": '=IF(C1="",7,C1)'}
    book = _book(tmp_path, cells)
    fast = evaluate.results(book)
    plain = compiled.Pipe.__call__
    try:
        compiled.Pipe.__call__ = lambda self, *args: self.func(*args)
        slow = evaluate.results(book)
    finally:
        compiled.Pipe.__call__ = plain
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


def _cell_by_cell(book, monkeypatch):
    """The book's results with every shape run cell by cell (no rows)."""
    with monkeypatch.context() as m:
        m.setattr(compiled, "_elementwise", lambda *args: False)
        evaluate._PARTS.clear()
        return evaluate.results(book)


def _rows_used(monkeypatch) -> list[int]:
    """Records the width of every row of cells computed at once."""
    widths: list[int] = []
    row = compiled.Pipe.row

    def counted(self, *args):
        widths.append(args[0].shape[1])
        return row(self, *args)
    monkeypatch.setattr(compiled.Pipe, "row", counted)
    return widths


def test_a_row_of_same_shape_cells_equals_them_one_by_one(tmp_path, monkeypatch):
    # A: 0, 2, "x", empty (A4), "#DIV/0!" text, 4.5; B = 10 each. C = IF(A=0,0,B/A): 0, 5, #VALUE! ("x"=0 is
    # FALSE, 10/"x"), 0 (empty is 0), #VALUE!, 2.2222; D = A&"y"; E = ABS(A-B)>3; F = -A^2
    cells: dict[str, object] = {"A1": 0, "A2": 2, "A3": "x", "A5": "#DIV/0!", "A6": 4.5}
    for r in range(1, 7):
        cells |= {f"B{r}": 10, f"C{r}": f"=IF(A{r}=0,0,B{r}/A{r})", f"D{r}": f'=A{r}&"y"',
                  f"E{r}": f"=ABS(A{r}-B{r})>3", f"F{r}": f"=-A{r}^2"}
    book = _book(tmp_path, cells)
    widths = _rows_used(monkeypatch)
    fast = evaluate.results(book)
    assert sorted(widths) == [6, 6, 6, 6]  # C, D, E and F each one row of six cells
    slow = _cell_by_cell(book, monkeypatch)
    assert {k: repr(v) for k, v in fast.items()} == {k: repr(v) for k, v in slow.items()}  # types too (0 vs 0.0)
    assert [fast[f"DATA SHEET!C{r}"] for r in range(1, 5)] == [0, 5, "#VALUE!", 0]
    assert fast["DATA SHEET!C6"] == pytest.approx(10 / 4.5) and fast["DATA SHEET!D4"] == "y"
    assert fast["DATA SHEET!E1"] is True and fast["DATA SHEET!F2"] == 4


def test_errors_inside_a_row_stay_in_their_own_cells(tmp_path, monkeypatch):
    # B = 1/A: A2 = 0 gives #DIV/0! there only; A3 = "a" gives #VALUE! there only; C = B+1 carries them on
    book = _book(tmp_path, {"A1": 4, "A2": 0, "A3": "a", "A4": 8, **{f"B{r}": f"=1/A{r}" for r in range(1, 5)},
                            **{f"C{r}": f"=B{r}+1" for r in range(1, 5)}})
    widths = _rows_used(monkeypatch)
    got = evaluate.results(book)
    assert widths == [4, 4]
    assert [got[f"DATA SHEET!B{r}"] for r in range(1, 5)] == [0.25, "#DIV/0!", "#VALUE!", 0.125]
    assert [got[f"DATA SHEET!C{r}"] for r in range(1, 5)] == [1.25, "#VALUE!", "#VALUE!", 1.125]
    assert got == _cell_by_cell(book, monkeypatch)


def test_cells_that_read_each_other_are_never_one_row(tmp_path, monkeypatch):
    # B1..B5 = the cell above + 1 (B1 reads A1 = 1): one shape, but each waits for the one before: 2, 3, 4, 5, 6
    book = _book(tmp_path, {"A1": 1, **{f"B{r}": f"=A{r}+1" if r == 1 else f"=B{r - 1}+1" for r in range(1, 6)}})
    widths = _rows_used(monkeypatch)
    got = evaluate.results(book)
    assert [got[f"DATA SHEET!B{r}"] for r in range(1, 6)] == [2, 3, 4, 5, 6]
    assert widths == []  # one cell per generation: nothing to put in a row


def test_only_cell_by_cell_functions_make_a_row(tmp_path):
    # aggregates and lookups read whole arrays, a bare reference hands on its value as it is, UDFs are unknown
    def elementwise(text):
        return compiled.Pipe.of(text, __import__("formulas").Parser().ast(text)[1]).elementwise
    assert elementwise("=IF(XA1=0,0,XA2/XA1)") and elementwise('=ABS(XA1-XA2)&"%"') and elementwise("=-XA1%")
    assert not any(elementwise(t) for t in ("=MAX(XA1,0)", "=IF(OR(XA1<0,XA2>1),1,0)", "=XA1", "=SUM(XA1,XA2)",
                                            "=INDEX(XB1:XC1,XA2)", "={1,2}+XA1", "=1+2"))
