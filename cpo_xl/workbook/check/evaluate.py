"""Recalculate every formula of a workbook, compiling each formula shape once.

`formulas.ExcelModel` builds one schedula dispatcher per formula cell (about 1 ms each) and solves a graph
of every cell in the book (~20,000 nodes), which made `cpo-xl check` take 10-17 s. Here each distinct
formula *shape* (the formula with its references written relative to its own cell, R1C1-style) is parsed
and compiled once by `formulas`' parser and function library, and the cells are evaluated in dependency
order with plain values. Built-in functions therefore keep `formulas`' independent Excel semantics; the
CPO_* UDFs are whatever the caller registers in `formulas.get_functions()` (the catalogue, in recalc.py).
A shape runs the steps of `formulas`' parsed graph directly (schedula compiles it only for a cell whose plain
run fails), and same-shape cells of one dependency generation whose functions all work cell by cell
(operators, IF, ABS) go through it as one row (issue 21: check's own time about a quarter of what it was).
"""

from __future__ import annotations

import gc
import graphlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import column_index_from_string, get_column_letter

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check.compiled import compile_key, compile_shape, plain
from cpo_xl.workbook.read.contents import MAX_RANGE_CELLS, Area, Book, Cell, sheet_key

_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!':]+)!)?(?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)"
                  r"(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?$")


@dataclass
class Formula:
    """One formula to evaluate: its shape (compiled once), the areas it reads, the cells it fills."""

    shape: tuple[str, ...]
    areas: tuple[Area, ...]
    targets: Area  # the cell itself, or an array formula's whole range


_Corner = tuple[int, int, bool, bool]  # column, row, column absolute ($), row absolute ($)
_PARTS: dict[str, tuple[str | None, _Corner, _Corner | None]] = {}  # reference text -> what it says
_MAX_PARTS = 50_000


def _parts(text: str) -> tuple[str | None, _Corner, _Corner | None]:
    """What a reference's text says, whatever cell it is in: its sheet (if named) and corners, $ marks kept.

    Cached by text: a cell's references are mostly its neighbours' too (C5 is read by the formulas of row 5),
    and the regular expression and column letters cost more than what is left for each cell to do."""
    parts = _PARTS.get(text)
    if parts is not None:
        return parts
    m = _REF.match(text)
    if not m:
        raise CpoError(f"unsupported reference {text[:60]!r}")

    def corner(col: str, row: str) -> _Corner:
        return (column_index_from_string(col.lstrip("$").upper()), int(row.lstrip("$")), col.startswith("$"),
                row.startswith("$"))
    first = corner(m["c1"], m["r1"])
    second = corner(m["c2"], m["r2"]) if m["c2"] else None
    if second and (abs(second[1] - first[1]) + 1) * (abs(second[0] - first[0]) + 1) > MAX_RANGE_CELLS:
        raise CpoError(f"reference {text[:60]!r} spans more than {MAX_RANGE_CELLS:,} cells")
    if len(_PARTS) >= _MAX_PARTS:
        _PARTS.clear()
    parts = _PARTS[text] = (sheet_key(m["sheet"]) if m["sheet"] else None, first, second)
    return parts


def _relative(corner: _Corner, at: Cell) -> str:
    """A corner's canonical text relative to `at` ($ parts stay absolute)."""
    c, r, c_abs, r_abs = corner
    return (f"${c}" if c_abs else f"c{c - at[2]}") + (f"${r}" if r_abs else f"r{r - at[1]}")


def resolve(text: str, at: Cell, names: dict[str, Area]) -> tuple[Area, str]:
    """A reference token -> (the area it points to, its canonical text relative to `at`)."""
    upper = text.upper()
    if upper in names:
        return names[upper], upper
    sheet, first, second = _parts(text)
    prefix = f"{sheet}!" if sheet else ""
    c1, r1 = first[0], first[1]
    if second is None:
        return Area(sheet or at[0], r1, c1, r1, c1), prefix + _relative(first, at)
    c2, r2 = second[0], second[1]
    area = Area(sheet or at[0], min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
    return area, f"{prefix}{_relative(first, at)}:{_relative(second, at)}"


def parse(text: str, at: Cell, span: Area, names: dict[str, Area]) -> Formula:
    """A formula -> its shape (references replaced by canonical text) and the areas it reads, in order."""
    shape: list[str] = []
    areas: list[Area] = []
    seen: dict[str, int] = {}
    for value, kind, subtype in tokens(text):
        if kind == Token.OPERAND and subtype == Token.RANGE:
            area, canonical = resolve(value, at, names)
            if canonical not in seen:
                seen[canonical] = len(areas)
                areas.append(area)
            shape.append(f"\x00{seen[canonical]}:{'c' if area.single else 'r'}:{canonical}")
        else:
            shape.append(value)
    return Formula(tuple(shape), tuple(areas), span)


_DIGITS = str.maketrans("123456789", "111111111")  # 0 stays 0: "#DIV/0!" and "0E+5" tokenize apart
_SPANS: dict[str, tuple[tuple[int, str, str], ...]] = {}  # digit pattern -> (length, type, subtype) per token
_MAX_SPANS = 50_000


def tokens(text: str) -> list[tuple[str, str, str]]:
    """(value, type, subtype) of each token of a formula, exactly as openpyxl's Tokenizer gives them.

    The Tokenizer looks at digits only as digits (a number's digits, a row number; a scientific number's
    leading digit 1-9, the 0 of "#DIV/0!"), so formulas that differ only in their digits 1-9 tokenize alike:
    one tokenization per pattern (~600 for the 3,700 formulas of the model, as many for a PM copy), the
    others cut at the same places. A formula whose tokens do not spell it exactly is tokenized on its own."""
    pattern = text.translate(_DIGITS)
    spans = _SPANS.get(pattern)
    if spans is None:
        items = [(t.value, t.type, t.subtype) for t in Tokenizer(text).items]
        if text.startswith("=") and "".join(value for value, _, _ in items) == text[1:]:
            if len(_SPANS) >= _MAX_SPANS:
                _SPANS.clear()
            _SPANS[pattern] = tuple((len(value), kind, subtype) for value, kind, subtype in items)
        return items
    out, start = [], 1
    for length, kind, subtype in spans:
        out.append((text[start:start + length], kind, subtype))
        start += length
    return out


def evaluate(book: Book) -> dict[Cell, Any]:
    """Every formula cell's recalculated value (array formulas spread over their range).

    What exists before the evaluation (the workbook as read, ~110,000 objects, and every module) cannot become
    garbage during it, so it is frozen out of the cyclic garbage collector's view meanwhile: the one full
    collection an evaluation triggers took ~0.15 s walking it (a sixth of a PM copy's evaluation). Nothing
    is frozen if something else already froze objects (unfreezing would release theirs too)."""
    if gc.get_freeze_count():
        return _evaluate(book)
    gc.freeze()
    try:
        return _evaluate(book)
    finally:
        gc.unfreeze()


def _evaluate(book: Book) -> dict[Cell, Any]:
    import schedula
    owner: dict[Cell, Cell] = {}
    for anchor, (_, span) in book.formulas.items():
        for cell in span.cells():
            owner[cell] = anchor
    parsed: dict[Cell, Formula | str] = {}
    graph: dict[Cell, set[Cell]] = {}
    area_owners: dict[Area, set[Cell]] = {}  # an area's formula cells, once per area (the assumptions block is
    # read by every UDF call)

    def owners(area: Area) -> set[Cell]:
        if area.top == area.bottom and area.left == area.right:  # most references: one cell, nothing to cache
            cell = owner.get((area.sheet, area.top, area.left))
            return set() if cell is None else {cell}
        if area not in area_owners:
            area_owners[area] = {owner[c] for c in area.cells() if c in owner}
        return area_owners[area]

    for anchor, (text, span) in book.formulas.items():
        try:
            formula = parse(text, anchor, span, book.names)
        except CpoError as exc:
            parsed[anchor], graph[anchor] = f"#UNSUPPORTED ({exc})", set()
            continue
        parsed[anchor] = formula
        graph[anchor] = set().union(*(owners(area) for area in formula.areas)) - {anchor}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise CpoError(f"circular reference through {_name(exc.args[1][0])}") from None
    compiled: dict[tuple[str, ...], tuple[Any, list[int]]] = {}
    values: dict[Cell, Any] = {}

    def read_cell(cell: Cell) -> Any:
        value = values[cell] if cell in owner else book.constants.get(cell)
        return schedula.EMPTY if value is None else value

    grids: dict[Area, Any] = {}

    def argument(area: Area) -> Any:
        """A cell's value, or a range's values as a 2-D object array. A range is read once: every formula cell
        in it is evaluated before anything that reads it (dependency order), so later reads see the same
        values; each reader gets its own copy of the array."""
        if area.single:
            return read_cell((area.sheet, area.top, area.left))
        if area not in grids:
            grids[area] = np.array([[read_cell((area.sheet, r, c)) for c in range(area.left, area.right + 1)]
                                    for r in range(area.top, area.bottom + 1)], dtype=object)
        return grids[area].copy()

    keys: dict[Cell, tuple[str, ...]] = {}

    def function(anchor: Cell, f: Formula) -> tuple[tuple[str, ...], Any, list[int]]:
        key = keys.get(anchor)
        if key is None:
            key = keys[anchor] = compile_key(f.shape)
        if key not in compiled:
            compiled[key] = compile_shape(f.shape)
        return key, *compiled[key]

    def one(anchor: Cell) -> None:
        f = parsed[anchor]
        if isinstance(f, str):
            result: Any = f
        else:
            try:
                _, func, inputs = function(anchor, f)
                result = func(*(argument(f.areas[i]) for i in inputs))
            except Exception as exc:  # noqa: BLE001 - a formula that fails is a problem to report, not a crash
                result = f"#ERROR ({type(exc).__name__}: {str(exc)[:120]})"
        _spread(result, book.formulas[anchor][1], values, plain)

    def row(anchors: list[Cell], func: Any, inputs: list[int]) -> bool:
        """Cells of one elementwise shape, none reading another, at once; False (nothing written) if the row
        does not go through, and then each cell goes on its own."""
        try:
            args = []
            for i in inputs:
                column = np.empty((1, len(anchors)), dtype=object)
                for j, anchor in enumerate(anchors):
                    column[0, j] = argument(parsed[anchor].areas[i])  # type: ignore[union-attr]
                args.append(column)
            grid = np.asarray(func.row(*args), dtype=object)
        except Exception:  # noqa: BLE001 - cell by cell, as ever, gives the error its usual form
            return False
        if grid.shape != (1, len(anchors)):
            return False
        for j, anchor in enumerate(anchors):
            values[anchor] = plain(grid[0, j])
        return True

    while sorter.is_active():
        ready = sorter.get_ready()  # what static_order gives, a generation at a time: none reads another
        rows: dict[tuple[str, ...], list[Cell]] = {}
        for anchor in ready:
            f = parsed[anchor]
            if isinstance(f, Formula) and f.targets.single and all(area.single for area in f.areas):
                try:
                    key, func, _ = function(anchor, f)
                except Exception:  # noqa: BLE001 - one() reports it
                    func = None
                if func is not None and func.elementwise:
                    rows.setdefault(key, []).append(anchor)
                    continue
            one(anchor)
        for key, anchors in rows.items():
            if len(anchors) == 1 or not row(anchors, *compiled[key]):
                for anchor in anchors:
                    one(anchor)
        sorter.done(*ready)
    return values


def _spread(result: Any, span: Area, values: dict[Cell, Any], to_plain: Any) -> None:
    """Write a result into its cell or, for an array formula, over its range (#N/A where it falls short).

    A number into one cell skips the 1x1 object array (what the array would hold is the number itself)."""
    if type(result) in _SCALARS and span.top == span.bottom and span.left == span.right:
        values[(span.sheet, span.top, span.left)] = to_plain(result)
        return
    grid = np.atleast_2d(np.asarray(result, dtype=object)) if not isinstance(result, str) else None
    for cell in span.cells():
        if grid is None:
            values[cell] = result
            continue
        i, j = cell[1] - span.top, cell[2] - span.left
        values[cell] = to_plain(grid[i, j]) if i < grid.shape[0] and j < grid.shape[1] else "#N/A"


_SCALARS = frozenset({int, float, bool, np.float64, np.int64, np.bool_})


def _name(cell: Cell) -> str:
    return f"{cell[0]}!{get_column_letter(cell[2])}{cell[1]}"


def results(book: Book) -> dict[str, Any]:
    """{'SHEET!A1': value} for every formula cell (array members included)."""
    return {_name(cell): value for cell, value in evaluate(book).items()}


def cached(book: Book) -> dict[str, Any]:
    """{'SHEET!A1': cached value} of every formula cell (array members included)."""
    members = {c for _, span in book.formulas.values() for c in span.cells()}
    return {_name(c): book.cached.get(c) for c in sorted(members)}
