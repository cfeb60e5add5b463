"""Cells a person changed that `cpo-xl pull` does not carry, so that a build over them would lose them.

The builder records the inputs it built from on the hidden Engine sheet (snapshot.read_record). To find the
edits, that record is built again into a temporary file: every cell whose formula or typed value differs
from the rebuild, other than the inputs `pull` carries (assumption values, scenario, rack overrides, ranking
and tornado years, check tolerance, comments, values typed over the live column or the racks-used row), is an
edit nothing carries: a label, a formula typed over, a note in an empty cell, a deleted row. Cached results
of formulas and styles are not compared.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook import evaluate, replace, snapshot
from cpo_xl.workbook.build import build_workbook
from cpo_xl.workbook.pull import user_file_of

SHOWN = 10  # cells named in the refusal; the rest are counted


def tracked(path: Path) -> set[str]:
    """'Sheet!A1' of every cell whose content `pull` carries."""
    typed, cells = snapshot.read_inputs(path)
    return {*cells.values(), *typed.carried}


def untracked(target: Path, recorded: snapshot.InputsSnapshot) -> list[str]:
    """'Sheet!A1' of every cell, other than the tracked inputs, whose content differs from a rebuild of the
    recorded inputs."""
    user = user_file_of(recorded, {})
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = Path(tmp) / "rebuilt.xlsx"
        build_workbook(rebuilt, Case(user.scenario or "base", user=user))
        expected = evaluate.read(rebuilt)
    found = evaluate.read(target)
    skip = tracked(target)
    changed = [f"defined name {name.lower()}" for name in sorted({*found.names, *expected.names})
               if found.names.get(name) != expected.names.get(name)]
    for cell in sorted({*found.constants, *found.formulas, *expected.constants, *expected.formulas}):
        label = found.label(cell)
        if label not in skip and not _same(_content(found, cell), _content(expected, cell)):
            changed.append(label)
    return changed


def _content(book: evaluate.Book, cell: evaluate.Cell) -> object:
    """What a person typed in a cell: its formula text, else its value."""
    return book.formulas[cell][0] if cell in book.formulas else book.constants.get(cell)


def _same(a: object, b: object) -> bool:
    if _number(a) and _number(b):
        return float(a) == float(b)  # type: ignore[arg-type]
    return a == b or (a in (None, "") and b in (None, ""))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def verdict(target: Path) -> replace.Verdict:
    """May a build replace ``target``: refused naming the cells of edits pull does not carry; a .bak kept when
    the file was built by other cpo-xl code (its edits cannot be told from that code's changes)."""
    try:
        record = snapshot.read_record(target)
        if record is None:
            return replace.Verdict(backup="it has no build record (an older cpo-xl made it)")
        recorded, builder = record
        if builder != snapshot.builder_fingerprint():
            return replace.Verdict(backup="another version of cpo-xl built it")
        changed = untracked(target, recorded)
    except CpoError as exc:
        return replace.Verdict(refuse=f"cannot be compared with what was built ({exc})")
    if not changed:
        return replace.Verdict()
    more = f" and {len(changed) - SHOWN:,} more" if len(changed) > SHOWN else ""
    return replace.Verdict(refuse=f"holds edits that cpo-xl pull does not carry, at {', '.join(changed[:SHOWN])}"
                                f"{more}; undo them")
