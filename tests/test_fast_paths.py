"""Issue 21, speed: the package's shortcuts around its libraries give exactly what the libraries give.

Each shortcut skips work a library does (XlsxWriter's formula preparation, openpyxl's loading of a whole
workbook to list its sheets); each test runs the library's own path beside the shortcut on real inputs.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from cpo_xl.workbook.read import files
from cpo_xl.workbook.read.contents import read
from cpo_xl.workbook.write import fastbook


@pytest.mark.parametrize("which", ["built", pytest.param("pm_copy", marks=pytest.mark.slow)])  # the copy: a publish
def test_sheet_names_read_from_the_zip_are_openpyxls(which, request):
    """files.sheet_names reads xl/workbook.xml itself (the guard and check ask it first): the same names in the
    same order as openpyxl's sheetnames, for the model and for the PM copy (its hidden values sheet, its own
    tab order)."""
    path = request.getfixturevalue(which)
    wb = openpyxl.load_workbook(path, read_only=True)
    expected = list(wb.sheetnames)
    wb.close()
    assert files.sheet_names(path) == expected
    assert len(expected) > 10


def test_the_patterns_are_xlsxwriters_own():
    """The shortcut knows XlsxWriter's dynamic-array substitutions (read from its source): all 29 of 3.3, among
    them FILTER and the odd SINGLE pattern, and none of the future functions it applies only on request."""
    patterns = fastbook.dynamic_patterns()
    assert len(patterns) == 29
    assert r"\bFILTER\(" in patterns and r"\SINGLE\(" in patterns
    assert not any("ACOT" in p for p in patterns)


PATTERNS = fastbook.dynamic_patterns()  # read from XlsxWriter's source once, not once per example
ONE_SEARCH = fastbook.any_pattern(PATTERNS)


@given(st.text(alphabet="ABCDEFGHIKLNOPRSTUWXY(_. ,=1", max_size=40))
@settings(max_examples=300, deadline=None)
def test_the_one_search_finds_every_formula_a_pattern_would_change(text):
    """The bare-name alternation flags every text any of XlsxWriter's own patterns matches (a miss would write a
    formula unprepared); the texts are drawn from the letters of the function names, so near-misses abound."""
    assert ONE_SEARCH is not None
    if any(re.search(p, text) for p in PATTERNS):
        assert ONE_SEARCH.search(text)
    for name in ("FILTER", "SINGLE", "XLOOKUP"):  # and the names themselves, after a letter or a space
        assert ONE_SEARCH.search(f"{text} {name}(A1)")


def test_patterns_of_another_shape_are_searched_as_they_are():
    """A pattern that is not a name between \\b and \\( (a future XlsxWriter's) is kept whole."""
    found = fastbook.any_pattern([r"\bFILTER\(", r"@[A-Z]+"])
    assert found is not None and found.search("=@A1") and found.search("=FILTER(A1)")
    assert fastbook.any_pattern([]) is None


@pytest.mark.parametrize("formula", [
    "=SUM(A1:A3)", "{=SUM(A1:A3*B1:B3)}", "=FILTER(A1:A9,B1:B9>0)", "=_xlfn.XLOOKUP(1,A:A,B:B)",
    "=IF(A1,XLOOKUP(1,A:A,B:B),0)", "=ASINGLE(A1)", "=SINGLE(A1)", "=MYFILTER(A1)", "=SORTBY(A1:A3,B1:B3)",
    '="FILTER(" & A1', "=ACOT(1)", "=LARGE(A1:A9,2)", "=sort(A1:A3)"])
def test_a_formula_is_prepared_as_xlsxwriter_prepares_it(formula):
    """Formulas that use a substituted function (or something like one: a longer name, text, lower case) and
    formulas that do not, with and without braces and '='."""
    fast, stock = fastbook.FastWorksheet(), Worksheet()
    for sheet in (fast, stock):
        sheet.use_future_functions = False
    assert fast._prepare_formula(formula) == stock._prepare_formula(formula)
    assert fast._prepare_formula(formula, True) == stock._prepare_formula(formula, True)


def test_every_formula_of_the_workbook_is_prepared_as_xlsxwriter_prepares_it(built):
    """All formulas of a build (read back from the file) through both paths."""
    book = read(built)
    fast, stock = fastbook.FastWorksheet(), Worksheet()
    for sheet in (fast, stock):
        sheet.use_future_functions = False
    texts = {text for text, _ in book.formulas.values()}
    assert len(texts) > 1000
    for text in texts:
        assert fast._prepare_formula(text) == stock._prepare_formula(text), text


def test_a_workbook_written_with_the_shortcut_is_byte_identical():
    """The same cells through FastWorkbook and xlsxwriter.Workbook give the same file."""
    import xlsxwriter
    outputs = []
    for cls in (fastbook.FastWorkbook, xlsxwriter.Workbook):
        buffer = io.BytesIO()
        wb = cls(buffer, {"in_memory": True})
        ws = wb.add_worksheet("S")
        ws.write_formula(0, 0, "=SUM(B1:B3)", None, 6)
        ws.write_formula(1, 0, "=FILTER(B1:B3,B1:B3>1)", None, 2)
        ws.write_array_formula(2, 0, 2, 0, "{=SUM(B1:B3*C1:C3)}", None, 3)
        wb.set_properties({"created": __import__("datetime").datetime(2026, 1, 1)})
        wb.close()
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]


def test_one_ahead_keeps_order_and_errors():
    """simulate's draws run one chunk ahead on a second thread: the items come in order, all of them, an error
    in the producer reaches the caller, and a caller that stops early does not hang."""
    from cpo_xl.analysis.montecarlo import one_ahead
    assert list(one_ahead(iter(range(50)))) == list(range(50))
    assert list(one_ahead(iter([]))) == []

    def failing():
        yield 1
        raise ValueError("bad draw")
    got = []
    with pytest.raises(ValueError, match="bad draw"):
        for item in one_ahead(failing()):
            got.append(item)
    assert got == [1]
    first = one_ahead(iter(range(10)))
    assert next(first) == 0
    first.close()


def test_simulate_with_the_draws_ahead_equals_the_draws_in_line(monkeypatch):
    """The same seed gives the same TAM and exposures with and without the second thread."""
    from cpo_xl.analysis import montecarlo as mc
    from cpo_xl.engine.case import Case
    threaded = mc.simulate(Case(), 25_001, companies=True)
    monkeypatch.setattr(mc, "one_ahead", lambda items: items)
    inline = mc.simulate(Case(), 25_001, companies=True)
    import numpy as np
    assert np.array_equal(threaded.tam, inline.tam)
    assert threaded.exposure.keys() == inline.exposure.keys()
    for ticker in inline.exposure:  # a company with no revenue in the year has no exposure: NaN in both
        assert np.array_equal(threaded.exposure[ticker], inline.exposure[ticker], equal_nan=True)


def _openpyxl_notes(path, title):
    """The notes of a sheet as openpyxl's CommentSheet reads them (what parts.sheet_notes read before)."""
    import zipfile
    from xml.etree import ElementTree

    from openpyxl.comments.comment_sheet import CommentSheet
    from openpyxl.utils.cell import coordinate_to_tuple

    from cpo_xl.workbook.read import parts
    out = {}
    with zipfile.ZipFile(path) as z:
        for name, part in parts.sheet_parts(z):
            if name == title:
                for comments in parts.rels(z, part, parts.COMMENTS).values():
                    for record in CommentSheet.from_tree(ElementTree.fromstring(z.read(comments))).commentList:
                        row, col = coordinate_to_tuple(record.ref)
                        out[(row - 1, col - 1)] = record.content.replace("\r\n", "\n")
    return out


def test_notes_read_from_the_xml_are_openpyxls(built, tmp_path):
    """parts.sheet_notes reads the comments part itself: the same notes as openpyxl's CommentSheet on every
    sheet of a build, and on notes with line ends and formatted runs that openpyxl saved."""
    from cpo_xl.workbook.read import parts
    names = openpyxl.load_workbook(built, read_only=True).sheetnames
    total = 0
    for title in names:
        mine = parts.sheet_notes(built, title)
        assert mine == _openpyxl_notes(built, title), title
        total += len(mine)
    assert total > 500
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.comments import Comment
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb["S"]["B2"].comment = Comment("line one\r\nline two", "someone")
    wb["S"]["C3"].comment = Comment(str(CellRichText("plain ", TextBlock(InlineFont(b=True), "bold"))), "x")
    path = tmp_path / "notes.xlsx"
    wb.save(path)
    assert parts.sheet_notes(path, "S") == _openpyxl_notes(path, "S")
    assert parts.sheet_notes(path, "S")[(1, 1)] == "line one\nline two"


@pytest.mark.parametrize("xml", [
    "<text><t>plain</t></text>",
    "<text><r><t>one </t></r><r><rPr><b/></rPr><t>two</t></r></text>",
    "<text><r><t>base</t></r><rPh sb='0' eb='1'><t>phonetic</t></rPh></text>",
    "<text><t xml:space='preserve'> spaced </t><t>last</t></text>",
    "<text><r><t/></r><r><t>x</t></r></text>",
    "<text/>"])
def test_a_note_text_reads_as_openpyxls(xml):
    """parts.note_text against openpyxl's Text.content on the shapes a note's <text> takes (plain, runs, a
    phonetic run left out, two plain <t>, an empty run)."""
    from xml.etree import ElementTree

    from openpyxl.cell.text import Text

    from cpo_xl.workbook.read import parts
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    tree = ElementTree.fromstring(xml.replace("<text", f"<text xmlns='{ns}'", 1))
    assert parts.note_text(tree) == Text.from_tree(tree).content


def _comparable(value):
    """An openpyxl cell value with array formulas as (text, ref): ArrayFormula has no equality of its own."""
    from openpyxl.worksheet.formula import ArrayFormula
    return (value.text, value.ref) if isinstance(value, ArrayFormula) else (type(value), value)


def _crafted(tmp_path):
    """A workbook with what Excel writes and a cpo-xl build does not: shared formulas (the master and a member
    that only points to it), a date-formatted number, a boolean, an error, an inline string, an array formula,
    each formula with a cached value."""
    import re
    import zipfile
    wb = openpyxl.Workbook()
    wb.active["D1"] = 45000
    wb.active["D1"].number_format = "yyyy-mm-dd"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    date_cell = re.search(r'<c r="D1".*?</c>', sheet).group(0)  # with openpyxl's date style
    rows = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f><v>2</v></c>'
            f'{date_cell}<c r="E1" t="b"><v>1</v></c><c r="F1" t="inlineStr"><is><t>inline</t></is></c>'
            '<c r="G1"><f t="array" ref="G1:G2">A1:A2*3</f><v>3</v></c></row>'
            '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c>'
            '<c r="E2" t="e"><v>#DIV/0!</v></c><c r="G2"><v>6</v></c></row>')
    parts["xl/worksheets/sheet1.xml"] = re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>",
                                               sheet).encode()
    crafted = tmp_path / "crafted.xlsx"
    with zipfile.ZipFile(crafted, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return crafted


def _two_loads(path):
    """contents.read as it was written before one parse served both: openpyxl's read-only workbook loaded
    twice (formulas, then cached values with data_only), each sheet parsed by openpyxl's parser in each."""
    from openpyxl.utils import range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula

    from cpo_xl.workbook.read.contents import Area, Book, sheet_key

    def cells(ws):
        from openpyxl.worksheet._reader import WorkSheetParser
        wb = ws.parent
        with ws._get_source() as src:
            parser = WorkSheetParser(src, ws._shared_strings, data_only=wb.data_only, epoch=wb.epoch,
                                     date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
            return [(c["row"], c["column"], c["value"], c["data_type"] == "f") for _, row in parser.parse()
                    for c in row]

    formulas = openpyxl.load_workbook(path, read_only=True)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    book = Book({}, {}, {}, {})
    for name, defined in formulas.defined_names.items():
        for sheet, span in defined.destinations:
            left, top, right, bottom = range_boundaries(span.replace("$", ""))
            book.names[name.upper()] = Area(sheet_key(sheet), top, left, bottom, right)
    for ws in formulas.worksheets:
        title = sheet_key(ws.title)
        book.titles[title] = ws.title
        cached = {(r, c): v for r, c, v, _ in cells(values[ws.title]) if v is not None}
        for row, col, value, is_formula in cells(ws):
            if value is None:
                continue
            at = (title, row, col)
            if isinstance(value, ArrayFormula):
                left, top, right, bottom = range_boundaries(value.ref)
                book.formulas[at] = (value.text, Area(title, top, left, bottom, right))
            elif is_formula:
                book.formulas[at] = (value, Area(title, row, col, row, col))
            else:
                book.constants[at] = value
            book.cached[at] = cached.get((row, col))
        for _, span in [f for a, f in book.formulas.items() if a[0] == title]:
            if not span.single:
                for member in span.cells():
                    book.constants.pop(member, None)
                    book.cached[member] = cached.get((member[1], member[2]))
    return book


@pytest.mark.parametrize("which", ["built", "crafted", pytest.param("pm_copy", marks=pytest.mark.slow)])
def test_one_parse_reads_what_two_loads_read(which, request, tmp_path):
    """contents.read takes a formula's text and its cached value from one parse of each sheet
    (lean_openpyxl.FormulaAndValueParser): the same Book, value for value and type for type, as openpyxl's two
    loads, on a build, on the PM copy and on a file with shared formulas, dates, booleans and errors."""
    path = _crafted(tmp_path) if which == "crafted" else request.getfixturevalue(which)
    want, got = _two_loads(path), read(path)
    for part in ("constants", "formulas", "names", "cached", "titles"):
        assert getattr(got, part) == getattr(want, part), part
        mine = getattr(got, part)
        assert all(type(mine[k]) is type(v) for k, v in getattr(want, part).items()), part
    if which == "crafted":
        assert got.formulas[("SHEET", 2, 2)][0] == "=A2*2" and got.cached[("SHEET", 2, 2)] == 4
        assert got.cached[("SHEET", 1, 4)].year == 2023 and got.constants[("SHEET", 1, 5)] is True
        assert got.constants[("SHEET", 2, 5)] == "#DIV/0!" and got.cached[("SHEET", 2, 7)] == 6


@pytest.mark.parametrize("data_only", [False, True])
@pytest.mark.parametrize("which", ["built", "crafted"])
def test_the_lean_load_is_openpyxls_read_only_load(which, data_only, request, tmp_path):
    """files.load reads each sheet's declared dimension only when asked: the same sheets, states, bounds and
    rows as openpyxl.load_workbook(read_only=True)."""
    path = _crafted(tmp_path) if which == "crafted" else request.getfixturevalue(which)
    stock = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    lean = files.load(path, data_only=data_only)
    assert lean.sheetnames == stock.sheetnames and len(stock.sheetnames) >= 1
    for mine, theirs in zip(lean.worksheets, stock.worksheets, strict=True):
        assert mine.sheet_state == theirs.sheet_state
        assert (mine.min_row, mine.max_row, mine.min_column, mine.max_column) == \
            (theirs.min_row, theirs.max_row, theirs.min_column, theirs.max_column)
        assert [[_comparable(v) for v in row] for row in mine.iter_rows(values_only=True)] == \
            [[_comparable(v) for v in row] for row in theirs.iter_rows(values_only=True)]


def test_a_file_read_before_and_changed_in_place_with_its_size_and_time_kept_is_read_anew(built, tmp_path):
    """The readings kept per file (check_file, the build record, the inputs) were keyed by path, size and
    modification time: damage of the same size written back with the old time stamp passed as checked. They
    are keyed by content now: a copy under another name is not read twice, a changed file always is."""
    import os
    import shutil
    import zipfile

    from cpo_xl.engine.errors import CpoError
    from cpo_xl.workbook.read import snapshot
    path = tmp_path / "w.xlsx"
    shutil.copyfile(built, path)
    files.check_file(path)
    typed, _ = snapshot.read_inputs(path)
    assert typed.rows
    with zipfile.ZipFile(path) as z:
        member = z.getinfo("xl/workbook.xml")
    data = bytearray(path.read_bytes())
    start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
    data[start] ^= 0xFF  # one byte of the compressed part: same size, a CRC that no longer matches
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    with pytest.raises(CpoError, match="corrupt workbook"):
        files.check_file(path)
    with pytest.raises(CpoError, match="corrupt workbook"):
        snapshot.read_inputs(path)
