"""Cells typed into a copy of a workbook by rewriting its sheets' XML, and cells read back without a full load.

What a person's edits leave in the cells, at ~0.04 s a copy where openpyxl's load and save of the model workbook
take ~0.7 s (the suite makes ~30 such copies). Each cell keeps its style (``s=``), the sheet's declared
dimension grows to hold a new cell (as a spreadsheet program's save declares it), and every other byte of the
file stays as it was, so the formulas that read an edited cell keep their cached values (stale, as in a file
saved before a recalculation). A test whose subject is a file rewritten by another program (openpyxl drops the
charts and writes formulas without cached values) edits with openpyxl itself.

For the files cpo-xl writes (XlsxWriter: no shared formulas): typing over the first cell of a shared formula,
or a value that is not a number, bool, text or None, is refused rather than written wrong.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from cpo_xl.workbook.read.parts import sheet_parts
from tests.conftest import with_parts

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0


class Text(str):
    """Text kept as text even when it starts with "=" (typed in Excel after an apostrophe)."""


def set_cells(source: Path, target: Path, cells: dict[str, Any]) -> Path:
    """A copy of the .xlsx ``source`` at ``target`` (which may be ``source``) with cells set, e.g.
    {'Inputs!E13': 5}: an int or float, a bool, text (text that starts with "=" is a formula, as Excel and
    openpyxl read what is typed; :class:`Text` is text), or None (emptied, its style kept)."""
    by_part: dict[str, dict[str, Any]] = defaultdict(dict)
    parts = _sheet_parts(source)
    for ref, value in cells.items():
        part, cell = _address(parts, ref)
        by_part[part][cell] = _checked(ref, value)
    edits = {part: (lambda data, edits=edits: _set_in_sheet(data or b"", edits)) for part, edits in by_part.items()}
    return with_parts(source, target, edits)


def set_cell_xml(source: Path, target: Path, ref: str, xml: bytes) -> Path:
    """A copy of the .xlsx ``source`` at ``target`` whose cell ``ref`` ('Sheet!A1', a cell the file holds) is the
    element ``xml`` as given, style and all: what a damaged or foreign file holds (a NaN, an impossible date)."""
    part, cell = _address(_sheet_parts(source), ref)

    def replace(data: bytes | None) -> bytes:
        text = (data or b"").decode("utf-8")
        found = _cell(text, cell)
        if found is None:
            raise ValueError(f"{ref}: the file holds no such cell")
        return (text[:found.start()] + xml.decode("utf-8") + text[found.end():]).encode("utf-8")
    return with_parts(source, target, {part: replace})


def _sheet_parts(source: Path) -> dict[str, str]:
    """Sheet name -> its part in the zip."""
    with zipfile.ZipFile(source) as z:
        return dict(sheet_parts(z))


def _address(parts: dict[str, str], ref: str) -> tuple[str, str]:
    """(the sheet's part, the cell in upper case without $) of 'Sheet!A1' (a quoted sheet name unquoted)."""
    sheet, cell = ref.rsplit("!", 1)
    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    return parts[sheet], cell.replace("$", "").upper()


def _cell(text: str, cell: str) -> re.Match[str] | None:
    """The element of ``cell`` in a sheet's XML, its attributes and body as groups (None when absent)."""
    # c attributes (r, s, t, cm, vm) never hold "/": [^>/]* stays inside the start tag, whatever the order
    return re.search(rf'<c\b(?P<attrs>[^>/]*?\sr="{cell}"[^>/]*)(?:/>|>(?P<body>.*?)</c>)', text, re.DOTALL)


def cell_values(path: Path, *refs: str) -> list[Any]:
    """The value of each 'Sheet!A1' as stored (formulas as their text), read by openpyxl's read-only mode."""
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [book[ref.rsplit("!", 1)[0]][ref.rsplit("!", 1)[1]].value for ref in refs]
    finally:
        book.close()


def sheet_rows(path: Path, sheet: str, data_only: bool = False) -> list[tuple[Any, ...]]:
    """Every row of one sheet as values (formulas as their text, or their cached values with ``data_only``), read
    by openpyxl's read-only mode and closed."""
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()


def _checked(ref: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | str) or (type(value) in (int, float) and math.isfinite(value)):
        if isinstance(value, str) and _CONTROL.search(value):
            raise ValueError(f"{ref}: text with a control character cannot be written to XML")
        return value
    raise ValueError(f"{ref}: set_cells writes int, float (finite), bool, str or None, not {value!r}")


def _set_in_sheet(xml: bytes, cells: dict[str, Any]) -> bytes:
    text = xml.decode("utf-8")
    for ref, value in cells.items():
        text = _widen_dimension(_set_cell(text, ref, value), ref)
    return text.encode("utf-8")


def _set_cell(text: str, ref: str, value: Any) -> str:
    found = _cell(text, ref)
    if found:
        if found["body"] and re.search(r'<f\b[^>]*\bt="shared"[^>]*\bref=', found["body"]):
            raise ValueError(f"{ref} holds the first cell of a shared formula: its other cells would lose it")
        style = re.search(r'\ss="(\d+)"', found["attrs"])
        new = _cell_xml(ref, style[1] if style else None, value)
        return text[:found.start()] + new + text[found.end():]
    new = _cell_xml(ref, None, value)
    letters, number = coordinate_from_string(ref)
    column = column_index_from_string(letters)
    # row attributes (r, spans, ht, ...) never hold "/" either
    row = re.search(rf'<row\b(?P<attrs>[^>/]*?\sr="{number}"[^>/]*)(?:/>|>(?P<body>.*?)</row>)', text, re.DOTALL)
    if row is None:  # a new row, before the first row below it
        after = next((m.start() for m in re.finditer(r'<row\b[^>/]*?\sr="(\d+)"', text) if int(m[1]) > number),
                     None)
        if after is None:
            text = text.replace("<sheetData/>", "<sheetData></sheetData>")
            after = text.index("</sheetData>")
        return text[:after] + f'<row r="{number}">{new}</row>' + text[after:]
    if row["body"] is None:  # a self-closing row (its height or style only)
        return text[:row.start()] + f'<row{row["attrs"]}>{new}</row>' + text[row.end():]
    at = next((row.start("body") + m.start() for m in re.finditer(r'<c\b[^>/]*?\sr="([A-Z]+)\d+"', row["body"])
               if column_index_from_string(m[1]) > column), row.end("body"))
    return text[:at] + new + text[at:]


def _widen_dimension(text: str, ref: str) -> str:
    """The sheet's <dimension ref="A1:P20"/> grown to hold ``ref`` (a sheet without one keeps none)."""
    found = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', text)
    if found is None:
        return text
    letters, number = coordinate_from_string(ref)
    first_col, first_row = column_index_from_string(found[1]), int(found[2])
    last_col = column_index_from_string(found[3] or found[1])
    last_row = int(found[4] or found[2])
    left, top = min(first_col, column_index_from_string(letters)), min(first_row, number)
    right, bottom = max(last_col, column_index_from_string(letters)), max(last_row, number)
    span = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    return text[:found.start()] + f'<dimension ref="{span}"' + text[found.end():]


def _cell_xml(ref: str, style: str | None, value: Any) -> str:
    s = f' s="{style}"' if style is not None else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if not isinstance(value, Text) and value.startswith("=") and len(value) > 1:
        return f'<c r="{ref}"{s}><f>{escape(value[1:])}</f></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
