"""openpyxl's read-only reader without the work cpo-xl's readers throw away (openpyxl 3.1, pinned in the lock).

- :func:`load_read_only` is ``openpyxl.load_workbook(path, read_only=True)`` whose sheets read their declared
  <dimension> when first asked for it (max_row...), not when the workbook opens: openpyxl parses the first
  64 KB of every sheet for it at load (half of a load's time for the 20 sheets of a cpo-xl workbook), and
  :func:`files.present_cells` reads the cells the file holds without it.
- :class:`CellsParser` is openpyxl's sheet parser for cells alone: it stops at the end of <sheetData>, where
  openpyxl goes on to parse what follows (the Inputs sheet's ~940 data validations are a quarter of its read).
- :class:`FormulaAndValueParser` is that parser giving a formula cell's formula and its cached value from one
  parse (openpyxl gives one or the other per load: two loads and two parses of each sheet).

tests/test_fast_paths.py runs openpyxl's own calls beside these on the model workbook, the PM copy and a file
LibreOffice saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, WorkSheetParser, iterparse
from openpyxl.xml.constants import SHEET_MAIN_NS

SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"


class _SizedWhenAsked(ReadOnlyWorksheet):
    """A read-only sheet that parses its declared dimension the first time one of its bounds is read."""

    _sized = False

    def _get_size(self) -> None:  # called by openpyxl's __init__: deferred to the first bound read
        return None

    def _bound(self, name: str) -> Any:
        if not self._sized:
            self._sized = True
            ReadOnlyWorksheet._get_size(self)
        return getattr(self, name)

    @property
    def min_row(self) -> Any:
        return self._bound("_min_row")

    @property
    def max_row(self) -> Any:
        return self._bound("_max_row")

    @property
    def min_column(self) -> Any:
        return self._bound("_min_column")

    @property
    def max_column(self) -> Any:
        return self._bound("_max_column")

    def reset_dimensions(self) -> None:
        self._sized = True  # openpyxl's reset: bounds unknown, not to be read from the file again
        super().reset_dimensions()


class _LeanReader(ExcelReader):
    """ExcelReader whose read-only sheets are :class:`_SizedWhenAsked` (openpyxl's read-only branch of
    read_worksheets, less the sheet relationships it parses and does not use in read-only mode)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            ws = _SizedWhenAsked(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def load_read_only(path: Path, data_only: bool = False) -> Any:
    """``openpyxl.load_workbook(path, read_only=True, data_only=data_only)``, each sheet's dimension read on
    demand."""
    reader = _LeanReader(path, read_only=True, data_only=data_only)
    reader.read()
    return reader.wb


class CellsParser(WorkSheetParser):
    """openpyxl's sheet parser yielding the rows of cells, as its parse() does, and stopping at the end of
    <sheetData>: the cells are all inside it, and what follows (data validations, conditional formats, page
    setup...) is parsed by openpyxl into objects a cell reader throws away."""

    def parse(self) -> Any:
        for _, element in iterparse(self.source):
            if element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                yield row
            elif element.tag == SHEET_DATA_TAG:
                return


class FormulaAndValueParser(CellsParser):
    """openpyxl's sheet parser with ``data_only`` semantics for every cell's value (the cached value of a formula
    cell, typed as openpyxl types it), and each formula cell's formula (openpyxl's parse_formula: array and
    shared formulas resolved) under the key "formula"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "data_only": True})

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        if element.find(FORMULA_TAG) is not None:
            cell["formula"] = self.parse_formula(element)
        return cell
