"""`cpo-xl diff A B`: what changed inside two workbooks: inputs, every registry line on the sheets (found
through the layout spec), formulas."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook import files, snapshot
from cpo_xl.workbook import layout as L
from cpo_xl.workbook.grid import place_lines

MAX_FORMULAS_SHOWN = 40
MAX_LINES_SHOWN = 200


@dataclass(frozen=True)
class Summary:
    inputs: dict[tuple[str, str], Any]  # (key, bear/base/bull or 'racks'/'scenario') -> value
    lines: dict[tuple[str, int], Any]  # (registry line label, year) -> cached value
    formulas: dict[str, str]


def model_rows(path: Path) -> dict[str, tuple[str, int, str]]:
    """Every registry line on the workbook's sheets: name -> (sheet, 0-based row, label), from the layout spec
    of the workbook's own case (its inputs; the default case when they do not validate)."""
    from cpo_xl.workbook.pull import user_file_from
    try:
        user, _ = user_file_from(path)
        case = Case(user.scenario or "base", user=user)
    except CpoError:
        case = Case()
    sheets = L.series_sheets(case)
    places = place_lines(sheets)
    return {line.name: (places[line.name].sheet, places[line.name].row, line.label)
            for sheet in sheets if sheet.name != L.ENGINE for line in sheet.rows
            if isinstance(line, L.Line) and line.kind == "link" and line.refs[0].startswith("e_")}


def summarize(path: Path) -> Summary:
    """Inputs, the cached values of every registry line and every formula of a workbook."""
    typed, _ = snapshot.read_inputs(path)
    inputs: dict[tuple[str, str], Any] = {("scenario", "scenario"): typed.scenario}
    for key, *values in typed.rows:
        inputs |= {(key, s): v for s, v in zip(SCENARIOS, values, strict=True)}
    inputs |= {(str(year), "racks override"): racks for year, racks in typed.racks}
    inputs[("ranking year", "Elasticity")] = typed.ranking_year
    inputs[("tornado year", "Sensitivity")] = typed.tornado_year
    inputs[("check tolerance", "Checks")] = typed.tolerance
    inputs |= {(key, "comment"): text for key, text in typed.notes}
    rows = model_rows(path)
    with files.opened(path, data_only=True) as values:
        grids = {sheet: list(values[sheet].iter_rows(values_only=True))
                 for sheet in {where[0] for where in rows.values()} if sheet in values.sheetnames}
    lines: dict[tuple[str, int], Any] = {}
    for sheet, row, label in rows.values():
        grid = grids.get(sheet, [])
        if row < len(grid):
            lines |= {(f"{sheet}: {label}", y): grid[row][L.year_col(y)] for y in YEARS
                      if L.year_col(y) < len(grid[row])}
    formulas = {ref: formula for ref, (formula, _) in files.formula_cells(path).items()}
    return Summary(inputs, lines, formulas)


def _same(a: Any, b: Any) -> bool:
    """Equal, numbers within 1e-12 relative (a value stored as a number keeps 16 digits, a formula's 17)."""
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "(blank)" if value is None else str(value)


def _table(title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    if not rows:
        return f"{title}: none"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([f"{title} ({len(rows)})", line, "-" * len(line), *body])


def diff_text(a: Path, b: Path) -> str:
    old, new = summarize(a), summarize(b)
    inputs = [(k, col, _fmt(old.inputs.get((k, col))), _fmt(new.inputs.get((k, col))))
              for k, col in sorted(set(old.inputs) | set(new.inputs), key=str)
              if not _same(old.inputs.get((k, col)), new.inputs.get((k, col)))]
    moved = _moved_lines(old.lines, new.lines)
    changed = [(ref, old.formulas.get(ref, "(none)"), new.formulas.get(ref, "(none)"))
               for ref in sorted(set(old.formulas) | set(new.formulas))
               if old.formulas.get(ref) != new.formulas.get(ref)]
    return "\n\n".join([
        f"cpo-xl diff {a} -> {b}",
        _table("Inputs changed", ("key", "column", "old", "new"), inputs),
        _shown(_table("Model lines changed", ("sheet: line", "years changed", "largest in", "old", "new", "change"),
                      moved[:MAX_LINES_SHOWN]), len(moved), MAX_LINES_SHOWN),
        _shown(_table("Formulas changed", ("cell", "old", "new"), changed[:MAX_FORMULAS_SHOWN]), len(changed),
               MAX_FORMULAS_SHOWN),
    ])


def _moved_lines(old: dict[tuple[str, int], Any], new: dict[tuple[str, int], Any]) -> list[tuple[str, ...]]:
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
        rows.append((label, str(len(years)), str(y), _fmt(a), _fmt(b), _change(a, b)))
    return rows


def _shown(text: str, total: int, limit: int) -> str:
    return text + (f"\n... and {total - limit} more ({total} in all)" if total > limit else "")


def _change(old: Any, new: Any) -> str:
    if isinstance(old, int | float) and isinstance(new, int | float) and old:
        return f"{(new - old) / abs(old):+.2%}"
    return ""


def textconv(path: Path) -> str:
    """One workbook as stable text, for `git diff` through a textconv driver."""
    s = summarize(path)
    lines = [f"input {k} [{col}] = {_fmt(v)}" for (k, col), v in sorted(s.inputs.items(), key=str)]
    lines += [f"output {label} {y} = {_fmt(v)}" for (label, y), v in s.lines.items()]
    lines += [f"formula {ref} {f}" for ref, f in s.formulas.items()]
    return "\n".join(lines)
