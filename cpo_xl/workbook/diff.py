"""`cpo-xl diff A B`: what changed inside two workbooks (inputs, headline outputs, formulas)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook import files
from cpo_xl.workbook import layout as L

TAM_LABEL = "CPO TAM (CPO_TAM)"
MAX_FORMULAS_SHOWN = 40


@dataclass(frozen=True)
class Summary:
    inputs: dict[tuple[str, str], Any]  # (key, bear/base/bull or 'racks'/'scenario') -> value
    tam: dict[int, float]
    exposure: dict[str, Any]
    formulas: dict[str, str]


def summarize(path: Path) -> Summary:
    """Inputs, cached headline outputs and every formula of a workbook."""
    snapshot, _ = files.read_inputs(path)
    inputs: dict[tuple[str, str], Any] = {("scenario", "scenario"): snapshot.scenario}
    for key, *values in snapshot.rows:
        inputs |= {(key, s): v for s, v in zip(SCENARIOS, values, strict=True)}
    inputs |= {(str(year), "racks override"): racks for year, racks in snapshot.racks}
    inputs[("ranking year", "Elasticity")] = snapshot.ranking_year
    values = files.load(path, data_only=True)
    try:
        tam, exposure = {}, {}
        if "TAM" in values.sheetnames:
            for row in values["TAM"].iter_rows(values_only=True):
                if row and row[0] == TAM_LABEL:
                    tam = {y: row[L.year_col(y)] for y in YEARS}
        if "Elasticity" in values.sheetnames:
            for row in values["Elasticity"].iter_rows(min_row=L.ELASTICITY_HEADER_ROW + 2, values_only=True):
                if row and row[0]:
                    exposure[str(row[0])] = row[4]
    finally:
        values.close()
    cells = {ref: formula for ref, (formula, _) in files.formula_cells(path).items()}
    return Summary(inputs, tam, exposure, cells)


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
    tam = [(str(y), _fmt(old.tam.get(y)), _fmt(new.tam.get(y)), _change(old.tam.get(y), new.tam.get(y)))
           for y in YEARS if not _same(old.tam.get(y), new.tam.get(y))]
    exposure = [(t, _fmt(old.exposure.get(t)), _fmt(new.exposure.get(t)))
                for t in sorted(set(old.exposure) | set(new.exposure))
                if not _same(old.exposure.get(t), new.exposure.get(t))]
    changed = [(ref, old.formulas.get(ref, "(none)"), new.formulas.get(ref, "(none)"))
               for ref in sorted(set(old.formulas) | set(new.formulas))
               if old.formulas.get(ref) != new.formulas.get(ref)]
    shown = changed[:MAX_FORMULAS_SHOWN]
    more = f"\n... and {len(changed) - len(shown)} more" if len(changed) > len(shown) else ""
    return "\n\n".join([
        f"cpo-xl diff {a} -> {b}",
        _table("Inputs changed", ("key", "column", "old", "new"), inputs),
        _table("CPO TAM changed [US$ M]", ("year", "old", "new", "change"), tam),
        _table("Exposure changed (ranking year)", ("ticker", "old", "new"), exposure),
        _table("Formulas changed", ("cell", "old", "new"), shown) + more,
    ])


def _change(old: Any, new: Any) -> str:
    if isinstance(old, int | float) and isinstance(new, int | float) and old:
        return f"{(new - old) / abs(old):+.2%}"
    return ""


def textconv(path: Path) -> str:
    """One workbook as stable text, for `git diff` through a textconv driver."""
    s = summarize(path)
    lines = [f"input {k} [{col}] = {_fmt(v)}" for (k, col), v in sorted(s.inputs.items(), key=str)]
    lines += [f"output CPO TAM {y} = {_fmt(v)}" for y, v in s.tam.items()]
    lines += [f"output exposure {t} = {_fmt(v)}" for t, v in s.exposure.items()]
    lines += [f"formula {ref} {f}" for ref, f in s.formulas.items()]
    return "\n".join(lines)
