"""`cpo-xl diff A B`: what changed inside two workbooks: inputs, every registry line on the sheets, formulas,
each value with its unit.

Each file is read through its own rows, not through this code's layout: a model line is a row that links to the
Engine sheet, named by its sheet and label; rows are matched between the files by key and label (align.py), so
that across a code change that adds or removes a line, the line is reported as added or removed and every other
row is compared with its own (formulas with their references written in the other file's rows).

A cell's kind is read from the file (a text cell that starts with "=" is text, not a formula). Formulas that
differ only because the build lays a sheet out after the inputs (the Bridge sheet's steps follow the inputs that
differ between scenarios) are not reported as changed: when the inputs differ too, each workbook's inputs are
built again and a formula that is what that build writes is counted apart, as moved with the inputs."""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, shipped
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.read import align, contents, snapshot
from cpo_xl.workbook.spec import layout as L

MAX_FORMULAS_SHOWN = 40
MAX_LINES_SHOWN = 200


@dataclass(frozen=True)
class Summary:
    inputs: dict[tuple[str, str], Any]  # (key, bear/base/bull or 'racks'/'scenario') -> value
    lines: dict[tuple[str, int], Any]  # (sheet: line label, year) -> cached value
    formulas: dict[str, str]
    units: dict[str, str]  # sheet: line label or input key -> its unit
    book: contents.Book | None = None  # the file as read (rows matched against the other file's)
    line_rows: dict[str, align.Row] = field(default_factory=dict)  # sheet: line label -> its row


def model_rows(book: contents.Book) -> dict[str, tuple[align.Row, str, str]]:
    """Every model line on the workbook's own sheets (a row whose first year cell links to the Engine sheet):
    'Sheet: label' -> (row, label, unit), in sheet and row order; a label repeated on a sheet gets ' (2)'."""
    order = {sheet: i for i, sheet in enumerate(book.titles)}
    engine = contents.sheet_key(L.ENGINE)
    out: dict[str, tuple[align.Row, str, str]] = {}
    for sheet, row in sorted(align.line_rows(book), key=lambda r: (order.get(r[0], 0), r[1])):
        if sheet == engine:
            continue
        label = align.signature(book.constants.get((sheet, row, L.LABEL_COL + 1)))
        unit = align.signature(book.constants.get((sheet, row, L.UNIT_COL + 1)))
        name = base = f"{book.titles[sheet]}: {label}"
        n = 1
        while name in out:
            n += 1
            name = f"{base} ({n})"
        out[name] = ((sheet, row), label, unit)
    return out


def summarize(path: Path) -> Summary:
    """Inputs, the cached values of every model line and every formula of a workbook."""
    typed, _ = snapshot.read_inputs(path)
    inputs: dict[tuple[str, str], Any] = {("scenario", "scenario"): typed.scenario}
    for key, *values in typed.rows:
        inputs |= {(key, s): v for s, v in zip(SCENARIOS, values, strict=True)}
    inputs |= {(str(year), "racks override"): racks for year, racks in typed.racks}
    inputs[("ranking year", "Elasticity")] = typed.ranking_year
    inputs[("tornado year", "Sensitivity")] = typed.tornado_year
    inputs[("check tolerance", "Checks")] = typed.tolerance
    inputs |= {(key, "comment"): text for key, text in typed.notes}
    book = contents.read(path)
    rows = model_rows(book)
    lines: dict[tuple[str, int], Any] = {}
    units = {key: meta.unit for key, meta in shipped()[1].items()}
    units |= {str(year): "NVL72-eq racks" for year, _ in typed.racks}
    for name, ((sheet, row), _, unit) in rows.items():
        units[name] = unit
        lines |= {(name, y): book.cached.get((sheet, row, L.year_col(y) + 1)) for y in YEARS}
    return Summary(inputs, lines, formula_cells(book), units, book, {name: r[0] for name, r in rows.items()})


def formula_cells(book: contents.Book) -> dict[str, str]:
    """'Sheet!A1' -> formula of every cell the file types as a formula (a text cell that starts with "=" is
    text); the cells of an array formula carry its text. From the cells already read (not a third reading)."""
    return {book.label(member): text for text, span in book.formulas.values() for member in span.cells()}


Pair = tuple[contents.Cell | None, contents.Cell | None]  # one cell's place in A and in B (None: its row is absent)


def _text(book: contents.Book, cell: contents.Cell | None) -> str | None:
    return book.formulas[cell][0] if cell is not None and cell in book.formulas else None


def formula_changes(a: contents.Book, b: contents.Book, rows: align.Alignment) -> tuple[list[Pair], Counter[str]]:
    """The cells whose formula differs between ``a`` and ``b`` (rows matched; ``a``'s references written in
    ``b``'s rows), and, counted per sheet apart, the formula cells of model lines only one book has."""
    lines_a, lines_b = align.line_rows(a), align.line_rows(b)
    changed: list[Pair] = []
    apart: Counter[str] = Counter()
    seen: set[contents.Cell] = set()
    for cell, (text, _) in a.formulas.items():
        there = rows.cell(cell)
        if there is None:
            if (cell[0], cell[1]) in lines_a:
                apart[a.titles[cell[0]]] += 1
            else:
                changed.append((cell, None))
            continue
        seen.add(there)
        if rows.formula(text, cell[0]) != _text(b, there):
            changed.append((cell, there))
    for cell in b.formulas.keys() - seen:
        if (cell[0], cell[1]) in rows.only_b:
            if (cell[0], cell[1]) in lines_b:
                apart[b.titles[cell[0]]] += 1
            else:
                changed.append((None, cell))
        else:
            changed.append((rows.back(cell), cell))
    return changed, apart


def as_built(path: Path, book: contents.Book) -> Callable[[contents.Cell | None], bool]:
    """Whether a cell of ``book`` (read from ``path``) holds the formula this cpo-xl's build of the workbook's
    own inputs writes there (rows matched; never when its inputs do not validate; a cell whose row the file
    lacks holds what the build writes when the build has no such row either)."""
    from cpo_xl.workbook.read.userfile import user_file_from
    from cpo_xl.workbook.write.build import build_workbook
    try:
        user, _ = user_file_from(path)
    except CpoError:
        return lambda cell: False
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = Path(tmp) / "rebuilt.xlsx"
        build_workbook(rebuilt, Case(user.scenario or "base", user=user))
        expected = contents.read(rebuilt)
    rows = align.align(book, expected)

    def check(cell: contents.Cell | None) -> bool:
        if cell is None:
            return True
        there = rows.cell(cell)
        if there is None:
            return False
        own = _text(book, cell)
        return (rows.formula(own, cell[0]) if own is not None else None) == _text(expected, there)
    return check


def _same(a: Any, b: Any) -> bool:
    """Equal, numbers within 1e-12 relative (a value stored as a number keeps 16 digits, a formula's 17)."""
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):  # a year stays 2030; a count gets separators
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "(blank)" if value is None or value == "" else str(value)


def _table(title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    if not rows:
        return f"{title}: none"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([f"{title} ({len(rows)})", line, "-" * len(line), *body])


def diff_text(a: Path, b: Path) -> str:
    old, new = summarize(a), summarize(b)
    book_a, book_b = old.book, new.book
    assert book_a is not None and book_b is not None  # summarize reads the book
    units = {**old.units, **new.units}
    inputs = [(k, col, units.get(k, "") if col not in ("comment", "scenario") else "",
               _fmt(old.inputs.get((k, col))), _fmt(new.inputs.get((k, col))))
              for k, col in sorted(set(old.inputs) | set(new.inputs), key=str)
              if not _same(old.inputs.get((k, col)), new.inputs.get((k, col)))]
    added = [(name, units.get(name, "")) for name in new.line_rows if name not in old.line_rows]
    removed = [(name, units.get(name, "")) for name in old.line_rows if name not in new.line_rows]
    both = set(old.line_rows) & set(new.line_rows)
    moved = _moved_lines({k: v for k, v in old.lines.items() if k[0] in both},
                         {k: v for k, v in new.lines.items() if k[0] in both}, units)
    rows = align.align(book_a, book_b)
    differ, apart = formula_changes(book_a, book_b, rows)
    laid_out: list[Pair] = []
    if differ and inputs:  # the layout may follow the inputs: keep only what a build of each side does not explain
        built_a, built_b = as_built(a, book_a), as_built(b, book_b)
        laid_out = [(ca, cb) for ca, cb in differ if built_a(ca) and built_b(cb)]
    def ref(ca: contents.Cell | None, cb: contents.Cell | None) -> str:
        """The cell as the newer file places it (the older's place when only the older has its row)."""
        return align.where(book_b, cb) if cb else align.where(book_a, ca) if ca else ""
    changed = sorted(((ref(ca, cb), _text(book_a, ca) or "(none)", _text(book_b, cb) or "(none)")
                      for ca, cb in differ if (ca, cb) not in laid_out), key=lambda r: r[0])
    laid_out_refs = {ref(ca, cb) for ca, cb in laid_out}
    sections = [f"cpo-xl diff {a} -> {b}",
                _table("Inputs changed", ("key", "column", "unit", "old", "new"), inputs)]
    if added or removed:
        sections.append(_table("Model lines added", ("sheet: line", "unit"), added))
        sections.append(_table("Model lines removed", ("sheet: line", "unit"), removed))
    sections += [
        _shown(_table("Model lines changed", ("sheet: line", "unit", "years changed", "largest in", "old", "new",
                                              "change"), moved[:MAX_LINES_SHOWN]), len(moved), MAX_LINES_SHOWN),
        _shown(_table("Formulas changed", ("cell", "old", "new"), changed[:MAX_FORMULAS_SHOWN]), len(changed),
               MAX_FORMULAS_SHOWN)
        + (f"\n(not counted: {_laid_out_text(laid_out_refs)} differ as a build of each workbook's own inputs lays "
           "them out: moved with the inputs, not edited)" if laid_out_refs else "")
        + (f"\n(not counted: {_cells_text(apart)} of the model lines added or removed)" if apart else ""),
    ]
    return "\n\n".join(sections)


def _cells_text(per_sheet: Counter[str]) -> str:
    """'26 formula cells (Demand 13, Engine 13)'."""
    n = sum(per_sheet.values())
    return f"{n} formula cell{'s' if n != 1 else ''} ({', '.join(f'{s} {k}' for s, k in per_sheet.most_common())})"


def _laid_out_text(cells: set[str]) -> str:
    """'11 formula cells on Bridge' or '12 formula cells (Bridge 11, TAM 1)'."""
    per_sheet = Counter(ref.split("!", 1)[0] for ref in cells)
    n = f"{len(cells)} formula cell{'s' if len(cells) != 1 else ''}"
    if len(per_sheet) == 1:
        return f"{n} on {next(iter(per_sheet))}"
    return f"{n} ({', '.join(f'{sheet} {k}' for sheet, k in per_sheet.most_common())})"


def _moved_lines(old: dict[tuple[str, int], Any], new: dict[tuple[str, int], Any],
                 units: dict[str, str]) -> list[tuple[str, ...]]:
    """One row per registry line that moved: how many years, and the year it moved most (relative)."""
    by_line: dict[str, list[int]] = {}
    for label, year in dict.fromkeys([*old, *new]):
        if not _same(old.get((label, year)), new.get((label, year))):
            by_line.setdefault(label, []).append(year)
    rows: list[tuple[str, ...]] = []
    for label, years in by_line.items():
        def size(y: int, label: str = label) -> float:
            a, b = old.get((label, y)), new.get((label, y))
            if isinstance(a, int | float) and isinstance(b, int | float):
                return abs(b - a) / max(abs(a), 1e-12)
            return math.inf
        y = max(years, key=size)
        a, b = old.get((label, y)), new.get((label, y))
        rows.append((label, units.get(label, ""), str(len(years)), str(y), _fmt(a), _fmt(b), _change(a, b)))
    return rows


def _shown(text: str, total: int, limit: int) -> str:
    return text + (f"\n... and {total - limit} more ({total} in all)" if total > limit else "")


def _change(old: Any, new: Any) -> str:
    """Relative change; 'from 0' when the old value is 0 (no percentage exists); blank for text."""
    if isinstance(old, int | float) and isinstance(new, int | float):
        return f"{(new - old) / abs(old):+.2%}" if old else "from 0"
    return ""


def textconv(path: Path) -> str:
    """One workbook as stable text, for `git diff` through a textconv driver."""
    s = summarize(path)
    def unit(name: str) -> str:
        return f" [{s.units[name]}]" if s.units.get(name) else ""
    lines = [f"input {k} [{col}] = {_fmt(v)}{unit(k) if col in SCENARIOS else ''}"
             for (k, col), v in sorted(s.inputs.items(), key=str)]
    lines += [f"output {label} {y} = {_fmt(v)}{unit(label)}" for (label, y), v in s.lines.items()]
    lines += [f"formula {ref} {f}" for ref, f in s.formulas.items()]
    return "\n".join(lines)
