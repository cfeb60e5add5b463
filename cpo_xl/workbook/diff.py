"""`cpo-xl diff A B`: what changed inside two workbooks: inputs, every registry line on the sheets (found
through the layout spec), formulas, each value with its unit.

A cell's kind is read from the file (a text cell that starts with "=" is text, not a formula). Formulas that
differ only because the build lays a sheet out after the inputs (the Bridge sheet's steps follow the inputs that
differ between scenarios) are not reported as changed: when the inputs differ too, each workbook's inputs are
built again and a formula that is what that build writes is counted apart, as moved with the inputs."""

from __future__ import annotations

import math
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, shipped
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
    units: dict[str, str]  # registry line label or input key -> its unit


def model_rows(path: Path) -> dict[str, tuple[str, int, str, str]]:
    """Every registry line on the workbook's sheets: name -> (sheet, 0-based row, label, unit), from the layout
    spec of the workbook's own case (its inputs; the default case when they do not validate)."""
    from cpo_xl.workbook.pull import user_file_from
    try:
        user, _ = user_file_from(path)
        case = Case(user.scenario or "base", user=user)
    except CpoError:
        case = Case()
    sheets = L.series_sheets(case)
    places = place_lines(sheets)
    return {line.name: (places[line.name].sheet, places[line.name].row, line.label, line.unit)
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
    units = {key: meta.unit for key, meta in shipped()[1].items()}
    units |= {str(year): "NVL72-eq racks" for year, _ in typed.racks}
    for sheet, row, label, unit in rows.values():
        grid = grids.get(sheet, [])
        units[f"{sheet}: {label}"] = unit
        if row < len(grid):
            lines |= {(f"{sheet}: {label}", y): grid[row][L.year_col(y)] for y in YEARS
                      if L.year_col(y) < len(grid[row])}
    return Summary(inputs, lines, formula_cells(path), units)


def formula_cells(path: Path) -> dict[str, str]:
    """'Sheet!A1' -> formula of every cell the file types as a formula (a text cell that starts with "=" is
    text); the cells of an array formula carry its text."""
    from openpyxl.utils.cell import get_column_letter, range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula
    out: dict[str, str] = {}
    with files.opened(path) as wb:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) != "f":
                        continue
                    if isinstance(c.value, ArrayFormula):
                        first_col, first_row, last_col, last_row = range_boundaries(c.value.ref)
                        for r in range(first_row, last_row + 1):
                            for col in range(first_col, last_col + 1):
                                out[f"{ws.title}!{get_column_letter(col)}{r}"] = c.value.text
                    else:
                        out[f"{ws.title}!{c.coordinate}"] = str(c.value)
    return out


def as_built(path: Path, cells: set[str], own: dict[str, str]) -> set[str]:
    """Of ``cells``, those whose formula in ``path`` (``own``) is the one this cpo-xl's build of the workbook's
    own inputs writes there (nothing when its inputs do not validate)."""
    from cpo_xl.workbook.build import build_workbook
    from cpo_xl.workbook.pull import user_file_from
    try:
        user, _ = user_file_from(path)
    except CpoError:
        return set()
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = Path(tmp) / "rebuilt.xlsx"
        build_workbook(rebuilt, Case(user.scenario or "base", user=user))
        expected = formula_cells(rebuilt)
    return {ref for ref in cells if own.get(ref) == expected.get(ref)}


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
    units = {**old.units, **new.units}
    inputs = [(k, col, units.get(k, "") if col not in ("comment", "scenario") else "",
               _fmt(old.inputs.get((k, col))), _fmt(new.inputs.get((k, col))))
              for k, col in sorted(set(old.inputs) | set(new.inputs), key=str)
              if not _same(old.inputs.get((k, col)), new.inputs.get((k, col)))]
    moved = _moved_lines(old.lines, new.lines, units)
    differ = {ref for ref in set(old.formulas) | set(new.formulas) if old.formulas.get(ref) != new.formulas.get(ref)}
    laid_out: set[str] = set()
    if differ and inputs:  # the layout may follow the inputs: keep only what a build of each side does not explain
        laid_out = as_built(a, differ, old.formulas) & as_built(b, differ, new.formulas)
    changed = [(ref, old.formulas.get(ref, "(none)"), new.formulas.get(ref, "(none)"))
               for ref in sorted(differ - laid_out)]
    return "\n\n".join([
        f"cpo-xl diff {a} -> {b}",
        _table("Inputs changed", ("key", "column", "unit", "old", "new"), inputs),
        _shown(_table("Model lines changed", ("sheet: line", "unit", "years changed", "largest in", "old", "new",
                                              "change"), moved[:MAX_LINES_SHOWN]), len(moved), MAX_LINES_SHOWN),
        _shown(_table("Formulas changed", ("cell", "old", "new"), changed[:MAX_FORMULAS_SHOWN]), len(changed),
               MAX_FORMULAS_SHOWN)
        + (f"\n(not counted: {_laid_out_text(laid_out)} differ as a build of each workbook's own inputs lays "
           "them out: moved with the inputs, not edited)" if laid_out else ""),
    ])


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
