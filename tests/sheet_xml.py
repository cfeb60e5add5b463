"""Cells typed into a copy of a workbook by rewriting its sheets' XML, and cells read back without a full load.

What a person's edits leave in the cells, at ~0.04 s a copy where openpyxl's load and save of the model workbook
take ~0.7 s (the suite makes ~30 such copies). Each cell keeps its style (``s=``) and every other byte of the
file stays as it was, so the formulas that read an edited cell keep their cached values (stale, as in a file
saved before a recalculation). A test whose subject is a file rewritten by another program (openpyxl drops the
charts and writes formulas without cached values) edits with openpyxl itself.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from cpo_xl.workbook.read.parts import sheet_parts
from tests.conftest import with_parts


class Text(str):
    """Text kept as text even when it starts with "=" (typed in Excel after an apostrophe)."""


def set_cells(source: Path, target: Path, cells: dict[str, Any]) -> Path:
    """A copy of the .xlsx ``source`` at ``target`` (which may be ``source``) with cells set, e.g.
    {'Inputs!E13': 5}: a number, a bool, text (text that starts with "=" is a formula, as Excel and openpyxl read
    what is typed; :class:`Text` is text), or None (emptied, its style kept)."""
    by_part: dict[str, dict[str, Any]] = defaultdict(dict)
    with zipfile.ZipFile(source) as z:
        parts = dict(sheet_parts(z))
    for ref, value in cells.items():
        sheet, cell = ref.rsplit("!", 1)
        by_part[parts[sheet.strip("'")]][cell.replace("$", "").upper()] = value
    edits = {part: (lambda data, edits=edits: _set_in_sheet(data or b"", edits)) for part, edits in by_part.items()}
    return with_parts(source, target, edits)


def cell_values(path: Path, *refs: str) -> list[Any]:
    """The value of each 'Sheet!A1' as stored (formulas as their text), read by openpyxl's read-only mode."""
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [book[ref.rsplit("!", 1)[0]][ref.rsplit("!", 1)[1]].value for ref in refs]
    finally:
        book.close()


def _set_in_sheet(xml: bytes, cells: dict[str, Any]) -> bytes:
    text = xml.decode("utf-8")
    for ref, value in cells.items():
        text = _set_cell(text, ref, value)
    return text.encode("utf-8")


def _set_cell(text: str, ref: str, value: Any) -> str:
    # c and row attributes (r, s, t, spans, ht, ...) never hold "/": [^>/]* stops before a self-closing end
    found = re.search(rf'<c r="{ref}"(?P<attrs>[^>/]*)(?:/>|>.*?</c>)', text, re.DOTALL)
    if found:
        style = re.search(r'\ss="(\d+)"', found["attrs"])
        new = _cell_xml(ref, style[1] if style else None, value)
        return text[:found.start()] + new + text[found.end():]
    new = _cell_xml(ref, None, value)
    letters, number = coordinate_from_string(ref)
    column = column_index_from_string(letters)
    row = re.search(rf'<row r="{number}"(?P<attrs>[^>/]*)(?:/>|>(?P<body>.*?)</row>)', text, re.DOTALL)
    if row is None:  # a new row, before the first row below it
        after = next((m.start() for m in re.finditer(r'<row r="(\d+)"', text) if int(m[1]) > number), None)
        if after is None:
            text = text.replace("<sheetData/>", "<sheetData></sheetData>")
            after = text.index("</sheetData>")
        return text[:after] + f'<row r="{number}">{new}</row>' + text[after:]
    if row["body"] is None:  # a self-closing row (its height or style only)
        return text[:row.start()] + f'<row r="{number}"{row["attrs"]}>{new}</row>' + text[row.end():]
    at = next((row.start("body") + m.start() for m in re.finditer(r'<c r="([A-Z]+)\d+"', row["body"])
               if column_index_from_string(m[1]) > column), row.end("body"))
    return text[:at] + new + text[at:]


def _cell_xml(ref: str, style: str | None, value: Any) -> str:
    s = f' s="{style}"' if style is not None else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, str) and not isinstance(value, Text) and value.startswith("=") and len(value) > 1:
        return f'<c r="{ref}"{s}><f>{escape(value[1:])}</f></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'
