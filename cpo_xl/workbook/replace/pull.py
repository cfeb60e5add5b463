"""`cpo-xl pull`: the Inputs of an edited workbook -> a validated assumptions TOML that rebuilds it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli_w

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import (
    UserFile,
)
from cpo_xl.workbook.read import files
from cpo_xl.workbook.replace import atomic

PULL_HEADER = "# Inputs pulled by cpo-xl pull from"
REBUILD_HINT = "; rebuild with: cpo-xl build --assumptions FILE"
PULLED_HEADER = re.compile(re.escape(PULL_HEADER) + r" [^\n]+" + re.escape(REBUILD_HINT))  # the whole first line


def toml_text(user: UserFile, source: Path) -> str:
    """The TOML `cpo-xl build --assumptions` reads back into exactly these inputs."""
    data: dict[str, Any] = {"scenario": user.scenario, **dict(user.base)}
    if user.racks:
        data["rack_units"] = {str(year): racks for year, racks in user.racks}
    data["scenarios"] = {name: dict(pairs) for name, pairs in user.scenarios if pairs}
    if user.workbook:
        data["workbook"] = dict(user.workbook)
    if user.notes:
        data["notes"] = {key: text for key, text in user.notes}
    for column, key, text in user.cell_notes:  # [cell_notes.base] "pricing.erosion_2027" = "..."
        data.setdefault("cell_notes", {}).setdefault(column, {})[key] = text
    header = f"{PULL_HEADER} {source.name}{REBUILD_HINT}\n"
    body = tomli_w.dumps(data)
    return header + f"{files.DIGEST_LINE}{files.body_digest(body)}\n" + body


def pulled_unchanged(target: Path) -> bool:
    """True for a TOML pull wrote (header line, digest line) whose body still has that digest."""
    stamped = files.stamped_text(target)
    # the header line as pull writes it too: the digest covers the body only, and a note typed on the first line
    # is a person's (a break-it review: it was replaced without a .bak)
    return stamped is not None and stamped[1] and PULLED_HEADER.fullmatch(stamped[0]) is not None


def write_text(target: Path, text: str, force: bool = False) -> None:
    """Temporary file beside the target, then rename (never a half-written file); a symbolic link is written
    through. Only a TOML pull wrote and nobody changed since is replaced as it is (pull writes it again from
    the workbook); any other file there is kept as a .bak: one edited since pull wrote it, or not pull's at all
    (files.refuse_overwrite refuses both without --force), or pull's without a digest to tell."""
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    if target.exists() and not pulled_unchanged(target):
        forced = force or Path(os.path.realpath(target)) in files.FORCED
        if files.hand_edited(target, PULL_HEADER) and not forced:
            raise CpoError(f"{target}: edited by hand since cpo-xl pull wrote it; pull to another --output, or "
                           "--force (keeps a .bak)")
        from cpo_xl.workbook.replace.replace import keep_backup
        keep_backup(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_leftovers(target.parent)
    with atomic.temp_beside(target, ".toml") as tmp:
        tmp.write_text(text, encoding="utf-8")
        atomic.put_in_place(tmp, target)
