"""`cpo-xl publish`: the PM copy, a static snapshot that needs no add-in (CPO_* formulas -> values)."""

from __future__ import annotations

from pathlib import Path

from cpo_xl.engine.case import Case
from cpo_xl.workbook import replace
from cpo_xl.workbook.build import build_workbook
from cpo_xl.workbook.pull import user_file_from


def publish(source: Path, target: Path, force: bool = False) -> None:
    """Rebuild ``source``'s inputs as a static copy at ``target`` (safe write)."""
    user, _ = user_file_from(source)
    case = Case(user.scenario or "base", user=user)
    replace.atomic_write(target, lambda p: build_workbook(p, case, static=True),
                       force=force)
