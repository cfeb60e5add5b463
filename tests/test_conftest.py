"""The helpers of tests/conftest.py that tests trust: csv_rows (LibreOffice's CSV export read back with each
value's type, the PM-copy tests' reader of recalculated values) and read_book (one shared load per worker)."""

import pytest

from tests.conftest import csv_rows, read_book

# what LibreOffice 7.4 wrote for one sheet (CSV_EXPORT, recalculated): =FOO(1), =1/0, =NA(), TRUE, a text with a
# quote, a comma and a line break, 1/3, 1e-20, an empty string, 2030, 0.612 formatted as a percentage
LIBREOFFICE = '"#NAME?","#DIV/0!","#N/A",TRUE,"a""b,c\nd",0.333333333333333,1E-020,,2030,61.2%\n,"2030",-7\n'


def test_each_field_keeps_its_type():
    first, second = csv_rows(LIBREOFFICE)
    assert first == ["#NAME?", "#DIV/0!", "#N/A", True, 'a"b,c\nd', 0.333333333333333, 1e-20, None, 2030,
                     pytest.approx(0.612, rel=1e-15)]
    assert [type(v) for v in first[3:9]] == [bool, str, float, float, type(None), int]
    assert second == [None, "2030", -7]  # the text "2030" is not the number


def test_an_unquoted_word_is_not_taken_for_a_value():
    with pytest.raises(ValueError, match="abc"):
        csv_rows("1,abc\n")


def test_a_shared_book_is_not_grown_by_reading(built):
    book = read_book(built)
    ws = book["Inputs"]
    held, bottom, right = len(ws._cells), ws.max_row, ws.max_column
    assert ws.cell(bottom + 50, right + 5).value is None and ws["ZZ9999"].value is None
    assert [c.value for c in ws[bottom + 40]][:3] == [None, None, None]
    assert (len(ws._cells), ws.max_row, ws.max_column) == (held, bottom, right)
    assert read_book(built) is book and read_book(built, data_only=True) is not book
