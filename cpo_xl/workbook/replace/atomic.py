"""The steps of a safe write, for every file cpo-xl writes (workbooks, pulled TOML, chart PNGs): a temporary
file beside the target, renamed over it once complete, and the removal of temporaries a killed write left.
Standard library only, so a verb that writes a chart loads no spreadsheet reader for it."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cpo_xl.engine.errors import CpoError

TEMP_PREFIX = ".cpo-tmp-"  # .gitignore covers it; the writer's pid follows, so a later build can tell it is dead
STALE_AFTER_S = 3600  # a temporary file this old is a leftover even if its pid was reused


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files that a killed write left in ``folder`` (its process gone, or over an hour old)."""
    removed = []
    for tmp in folder.glob(f"{TEMP_PREFIX}*"):
        pid_text = tmp.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        try:
            age = time.time() - tmp.stat().st_mtime
            if not pid_text.isdigit() or not _pid_alive(int(pid_text)) or age > STALE_AFTER_S:
                tmp.unlink()
                removed.append(tmp)
        except OSError:  # gone already, or not ours to delete: leave it
            continue
    return removed


@contextmanager
def temp_beside(target: Path, suffix: str) -> Iterator[Path]:
    """An empty temporary file in ``target``'s folder, named for :func:`remove_leftovers` (prefix and pid);
    removed on exit unless :func:`put_in_place` renamed it over the target."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=suffix, dir=target.parent)
    except OSError as exc:
        raise CpoError(f"{target}: cannot write in {target.parent} ({exc.strerror})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def put_in_place(tmp: Path, target: Path) -> None:
    """Rename a complete temporary file over ``target`` (one step: never a half-written file)."""
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a workbook is meant to be shared
    os.replace(tmp, target)
