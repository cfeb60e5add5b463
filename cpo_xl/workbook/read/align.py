"""Rows of two workbooks matched by what they say, not by where they sit: a workbook built by other code (a line
item added to the registry, a row removed) has the same rows at other positions, and comparing it cell by cell
with a rebuild, or with another file, would report every row below the change.

On the sheets whose rows the layout places (the time-series sheets, the Engine sheet, the Inputs table) rows are
matched by their own key column and label (column C, the registry name, and column A): equal runs are matched
in order (difflib), a run of rows that differ in both files and count the same is matched row by row (a label
edited in place stays that row), and what is left is a row only one file has (a line added or removed, a row
inserted or deleted). On the other sheets the data orders the rows (rankings, the tornado, the bridge steps):
a row is matched with the row at its own position. References in formulas are then
written in the other file's rows, so that a link that moved with its row reads the same.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.read.contents import Area, Book, sheet_key
from cpo_xl.workbook.spec import layout as L

Row = tuple[str, int]  # (SHEET upper case, 1-based row)

# A cell or range corner in a formula (an optional sheet, $ signs); not a function name (LOG10() nor part of a
# longer name. String literals are split off before it is applied.
_REF = re.compile(r"(?<![\w.!$':])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
                  r"(?P<col>\$?[A-Za-z]{1,3})(?P<dollar>\$?)(?P<row>\d+)"
                  r"(?::(?P<col2>\$?[A-Za-z]{1,3})(?P<dollar2>\$?)(?P<row2>\d+))?(?![\w(!])")
_LITERAL = re.compile(r'("(?:[^"]|"")*")')
_ROW_LABEL = re.compile(r"^(?P<sheet>.+): row (?P<row>\d+) (?P<rest>.*)$")


def signature(value: Any) -> str:
    """A cell of the key or label column as text (blank for an empty cell)."""
    return "" if value is None else " ".join(str(value).split())


def _rows(book: Book) -> dict[str, dict[int, tuple[str, str]]]:
    """Per sheet, every row up to its last cell -> (label, key) (blank rows included, so runs keep their gaps)."""
    out: dict[str, dict[int, tuple[str, str]]] = {}
    cells: dict[Row, dict[int, Any]] = {}
    for (sheet, row, col), value in book.constants.items():
        cells.setdefault((sheet, row), {})[col] = value
    for (sheet, row, col), (text, _) in book.formulas.items():
        cells.setdefault((sheet, row), {})[col] = f"={text.lstrip('=')}"
    for sheet in book.titles:
        last = max((r for s, r in cells if s == sheet), default=0)
        out[sheet] = {r: (signature(cells.get((sheet, r), {}).get(L.LABEL_COL + 1)),
                          signature(cells.get((sheet, r), {}).get(L.KEY_COL + 1))) for r in range(1, last + 1)}
    return out


@dataclass
class Alignment:
    """Rows of book ``a`` matched to rows of book ``b`` (same sheet name); the rest are in one book only."""

    rows: dict[Row, int] = field(default_factory=dict)  # a row -> its row in b
    only_a: set[Row] = field(default_factory=set)
    only_b: set[Row] = field(default_factory=set)
    _back: dict[Row, int] = field(default_factory=dict, repr=False)

    def cell(self, cell: tuple[str, int, int]) -> tuple[str, int, int] | None:
        """A cell of ``a`` at its place in ``b`` (None: its row is in ``a`` only)."""
        row = self.rows.get((cell[0], cell[1]))
        return None if row is None else (cell[0], row, cell[2])

    def back(self, cell: tuple[str, int, int]) -> tuple[str, int, int] | None:
        """A cell of ``b`` at its place in ``a`` (None: its row is in ``b`` only)."""
        if not self._back:
            self._back = {(s, rb): ra for (s, ra), rb in self.rows.items()}
        row = self._back.get((cell[0], cell[1]))
        return None if row is None else (cell[0], row, cell[2])

    def area(self, area: Area) -> Area | None:
        top, bottom = self.rows.get((area.sheet, area.top)), self.rows.get((area.sheet, area.bottom))
        if top is None or bottom is None:
            return None
        return Area(area.sheet, top, area.left, bottom, area.right)

    def formula(self, text: str, sheet: str) -> str:
        """A formula of ``a`` on ``sheet`` with its references written in ``b``'s rows (a reference into a row
        ``b`` lacks keeps its row with a '?', so it never equals a formula of ``b``)."""
        def move(m: re.Match[str]) -> str:
            target = sheet_key(m["sheet"]) if m["sheet"] else sheet
            def at(row: str) -> str:
                moved = self.rows.get((target, int(row)))
                return str(moved) if moved is not None else f"{row}?"
            prefix = f"{m['sheet']}!" if m["sheet"] else ""
            second = f":{m['col2']}{m['dollar2']}{at(m['row2'])}" if m["row2"] else ""
            return f"{prefix}{m['col']}{m['dollar']}{at(m['row'])}{second}"
        return "".join(part if part.startswith('"') else _REF.sub(move, part) for part in _LITERAL.split(text))

    def label(self, text: str, titles: dict[str, str]) -> str | None:
        """An object's label ('Sheet!D7 fill', 'Sheet: row 7 hidden', a conditional format's ranges) in ``b``'s
        rows; None when it names a row ``a`` alone has."""
        m = _ROW_LABEL.match(text)
        if m:
            row = self.rows.get((sheet_key(m["sheet"]), int(m["row"])))
            return None if row is None else f"{m['sheet']}: row {row} {m['rest']}"
        if "!" not in text:
            return text
        sheet = sheet_key(text.split("!", 1)[0])
        moved = self.formula(text, sheet)
        return None if "?" in moved and "?" not in text else moved


def align(a: Book, b: Book) -> Alignment:
    """Match the rows of ``a`` and ``b`` sheet by sheet (see the module doc). Rows are matched by key and label
    on the sheets whose rows the layout places (the time-series sheets, with Engine, and the Inputs table, by
    key); on the other sheets the data orders the rows (rankings, the tornado, the bridge steps), so a row is
    matched with the row at its own position."""
    out = Alignment()
    rows_a, rows_b = _rows(a), _rows(b)
    keyed = (series_sheets(a) & series_sheets(b)) | {sheet_key("Inputs")}
    for sheet, by_row in rows_a.items():
        other = rows_b.get(sheet, {})
        ra, rb = sorted(by_row), sorted(other)
        if sheet not in keyed:
            out.rows |= {(sheet, r): r for r in ra if r in other}
            out.only_a |= {(sheet, r) for r in ra if r not in other}
            out.only_b |= {(sheet, r) for r in rb if r not in by_row}
            continue
        matcher = difflib.SequenceMatcher(None, [by_row[r] for r in ra], [other[r] for r in rb], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
                out.rows |= {(sheet, ra[i]): rb[j] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)}
            else:
                out.only_a |= {(sheet, ra[i]) for i in range(i1, i2)}
                out.only_b |= {(sheet, rb[j]) for j in range(j1, j2)}
    for sheet, by_row in rows_b.items():
        if sheet not in rows_a:
            out.only_b |= {(sheet, r) for r in by_row}
    return out


def label_rows(text: str) -> set[Row]:
    """The rows an object's label names (its cell, its ranges' corners, 'Sheet: row N')."""
    m = _ROW_LABEL.match(text)
    if m:
        return {(sheet_key(m["sheet"]), int(m["row"]))}
    if "!" not in text:
        return set()
    sheet = sheet_key(text.split("!", 1)[0])
    out: set[Row] = set()
    for part in _LITERAL.split(text):
        if not part.startswith('"'):
            for r in _REF.finditer(part):
                target = sheet_key(r["sheet"]) if r["sheet"] else sheet
                out |= {(target, int(n)) for n in (r["row"], r["row2"]) if n}
    return out


def series_sheets(book: Book) -> set[str]:
    """The sheets laid out on the time-series grid (column A 'line item', the years from column D in row 4)."""
    header, first = L.HEADER_ROW + 1, L.FIRST_YEAR_COL + 1
    return {sheet for sheet in book.titles
            if signature(book.constants.get((sheet, header, L.LABEL_COL + 1))) == "line item"
            and book.constants.get((sheet, header, first)) == YEARS[0]}


def line_rows(book: Book) -> set[Row]:
    """The rows of model lines: on a time-series sheet, a row whose first year cell links to the Engine sheet;
    on the Engine sheet, the rows of its block array formulas and those that name a line in the key column."""
    engine = sheet_key(L.ENGINE)
    grids = series_sheets(book) - {engine}
    first_year = L.FIRST_YEAR_COL + 1
    out: set[Row] = set()
    for (sheet, row, col), (text, area) in book.formulas.items():
        if col == first_year and sheet in grids and text.lstrip("=").upper().startswith(f"{L.ENGINE.upper()}!"):
            out.add((sheet, row))
        if sheet == engine and not area.single:
            out |= {(sheet, r) for r in range(area.top, area.bottom + 1)}
    for (sheet, row, col), value in book.constants.items():
        if sheet == engine and col == L.KEY_COL + 1 and value not in (None, ""):
            out.add((sheet, row))
    return out


def where(book: Book, cell: tuple[str, int, int]) -> str:
    """'Sheet!D7' of a cell, with the sheet's own spelling."""
    return f"{book.titles.get(cell[0], cell[0])}!{get_column_letter(cell[2])}{cell[1]}"
