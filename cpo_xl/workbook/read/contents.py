"""What a workbook holds, read back: constants, formulas (array formulas by their anchor), defined names and
cached values, cell by cell (:func:`read`); the input of recalculation (:mod:`evaluate`) and of row alignment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.read import files

Cell = tuple[str, int, int]  # (SHEET upper case, row, column), 1-based

MAX_RANGE_CELLS = 100_000  # one reference; a cpo-xl workbook's largest is the 284 x 4 assumptions block


@dataclass(frozen=True)
class Area:
    """A resolved reference: a rectangle of one sheet, 1-based inclusive bounds."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def single(self) -> bool:
        return self.top == self.bottom and self.left == self.right

    def cells(self) -> Iterator[Cell]:
        for row in range(self.top, self.bottom + 1):
            for col in range(self.left, self.right + 1):
                yield (self.sheet, row, col)


@dataclass
class Book:
    """What evaluation needs from a workbook: constants, formulas, defined names, cached values."""

    constants: dict[Cell, Any]
    formulas: dict[Cell, tuple[str, Area]]  # anchor -> (formula text, the range it fills)
    names: dict[str, Area]
    cached: dict[Cell, Any]
    titles: dict[str, str] = field(default_factory=dict)  # SHEET key -> the sheet's own spelling

    def label(self, cell: Cell) -> str:
        """'Sheet!A1' with the sheet's own spelling."""
        return f"{self.titles.get(cell[0], cell[0])}!{get_column_letter(cell[2])}{cell[1]}"


def sheet_key(name: str) -> str:
    """Excel compares sheet names case-insensitively; quotes are syntax, not part of the name."""
    if name.startswith("'") and name.endswith("'"):
        name = name[1:-1].replace("''", "'")
    return name.upper()


@files.by_content
def read(path: Path) -> Book:
    """Constants, formulas (array formulas by their anchor), defined names and cached values of a workbook.
    Only the cells the file holds are read (not its declared dimension), each by the type the file gives it:
    text that starts with "=" is text, never a formula. Read once per file content (files.by_content): the
    Book is shared, not to be changed."""
    with files.opened(path) as wb:  # one parse of each sheet gives formulas and cached values
        book = Book({}, {}, {}, {})
        for name, defined in wb.defined_names.items():
            for sheet, span in defined.destinations:
                left, top, right, bottom = range_boundaries(span.replace("$", ""))
                book.names[name.upper()] = Area(sheet_key(sheet), top, left, bottom, right)
        for ws in wb.worksheets:
            title = sheet_key(ws.title)
            book.titles[title] = ws.title
            cached: dict[tuple[int, int], Any] = {}
            for row, col, value, is_formula, shown in files.formulas_and_values(ws):
                if shown is not None:
                    cached[(row, col)] = shown
                    files.within_max_cells(len(cached), ws.title)
                if value is None:
                    continue
                at = (title, row, col)
                if isinstance(value, ArrayFormula):
                    left, top, right, bottom = range_boundaries(value.ref)
                    if (bottom - top + 1) * (right - left + 1) > MAX_RANGE_CELLS:
                        raise CpoError(f"{path}: the array formula at {ws.title}!{value.ref} spans more than "
                                       f"{MAX_RANGE_CELLS:,} cells")
                    book.formulas[at] = (value.text, Area(title, top, left, bottom, right))
                elif is_formula and isinstance(value, str):
                    book.formulas[at] = (value, Area(title, row, col, row, col))
                else:
                    book.constants[at] = value
                book.cached[at] = cached.get((row, col))
            for _, span in [f for a, f in book.formulas.items() if a[0] == title]:
                if not span.single:  # array members hold plain cached values, not constants
                    for member in span.cells():
                        book.constants.pop(member, None)
                        book.cached[member] = cached.get((member[1], member[2]))
        return book
