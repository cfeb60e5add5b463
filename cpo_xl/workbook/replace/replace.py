"""Replacing a workbook without losing a person's work: a temporary file beside the target, renamed over it
once complete, under a lock file of our own, after a guard that refuses (or keeps a .bak) when the target
holds edits. An existing target is only replaced when it holds nothing a person made: its inputs still match
what the builder recorded in it (document property ``cpo_inputs_digest``) or equal what is being written, it
has no foreign sheets, and Excel does not hold it open (``~$`` lock file); a caller adds its own test
(``protect``). ``force`` overrides and keeps a time-stamped ``.bak``.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.read.files import backup_name, sheet_names
from cpo_xl.workbook.read.snapshot import edited_cells, read_inputs, read_record, recorded_digest, snapshot_digest
from cpo_xl.workbook.replace.atomic import put_in_place, remove_leftovers, temp_beside
from cpo_xl.workbook.spec import layout as L


@dataclass(frozen=True)
class Verdict:
    """A caller's own test of a file about to be replaced."""

    refuse: str | None = None  # why it may not be replaced without --force
    backup: str | None = None  # why a .bak is kept although it may be replaced


Protect = Callable[[Path, Path | None], Verdict]  # (file to replace, the fresh file if written)
Pristine = Callable[[Path], bool]  # is the file to replace exactly what this writer wrote (nothing of a person's)?


def guard(target: Path, new_digest: str, force: bool, protect: Protect | None = None,
          own_sheets: Collection[str] = L.SHEETS, fresh: Path | None = None,
          pristine: Pristine | None = None) -> Path | None:
    """Refuse to replace ``target`` when that would lose a person's work (see the module doc); ``protect``
    adds a caller's own test (the build's: no edit that pull does not carry); ``own_sheets``: the sheets the
    writer makes (the PM copy adds its hidden values sheet); ``pristine``: a caller's proof that the file is
    exactly what it wrote (the PM copy's stamp), which makes reading its inputs needless. Returns the .bak kept,
    if any."""
    refuse_if_open(target)
    if not target.exists() or (pristine is not None and pristine(target)):
        return None
    if fresh is not None and filecmp.cmp(target, fresh, shallow=False):
        return None  # byte for byte what replaces it (a rebuild of an unedited file): nothing to lose or read
    verdict = Verdict(_work_at_risk(target, new_digest, own_sheets))
    if not verdict.refuse and protect:
        verdict = protect(target, fresh)
    if verdict.refuse and not force:
        raise CpoError(f"{target} {verdict.refuse}, or --force (keeps a .bak)")
    if verdict.refuse or verdict.backup:
        return keep_backup(target)
    return None


def refuse_if_open(target: Path) -> None:
    """Refuse a target Excel or LibreOffice holds open (their lock file beside it): checked before the write
    starts, so that the refusal comes at once, and again just before the rename."""
    for lock, app in ((target.parent / f"~${target.name}", "Excel"),
                      (target.parent / f".~lock.{target.name}#", "LibreOffice")):
        if lock.exists():
            raise CpoError(f"{target} is open in {app} (lock file {lock.name}); close it and try again")


def keep_backup(target: Path) -> Path:
    """A byte-identical copy of ``target`` under :func:`backup_name`, complete or not at all (a full disk
    leaves no cut-off .bak: the copy goes to a temporary file renamed once complete)."""
    backup = backup_name(target)
    with temp_beside(backup, ".bak") as tmp:
        try:
            shutil.copy2(target, tmp)
        except OSError as exc:
            raise CpoError(f"{target}: its .bak could not be written ({exc.strerror or exc}); nothing was "
                           "changed") from None
        os.replace(tmp, backup)
    return backup


def _work_at_risk(target: Path, new_digest: str, own_sheets: Collection[str] = L.SHEETS) -> str | None:
    """Why replacing ``target`` could lose a person's work, or None when it holds nothing of theirs."""
    try:
        foreign = [n for n in sheet_names(target) if n not in own_sheets]
        typed, cells = read_inputs(target)
    except CpoError as exc:  # unreadable: it may still be someone's file
        return f"cannot be read as a cpo-xl workbook ({exc})"
    if foreign:
        return f"holds sheets the builder did not make ({', '.join(foreign)})"
    if snapshot_digest(typed) not in (recorded_digest(target), new_digest):
        record = read_record(target)
        changed = edited_cells(typed, cells, record[0]) if record else []
        at = f" at {', '.join(changed[:10])}{' and more' if len(changed) > 10 else ''}" if changed else ""
        return f"has inputs edited since it was built{at}; run cpo-xl pull to keep them"
    return None


def atomic_write(target: Path, write: Callable[[Path], str], force: bool = False,
                 protect: Protect | None = None, own_sheets: Collection[str] = L.SHEETS,
                 pristine: Pristine | None = None) -> Path | None:
    """Write into a temporary file beside ``target`` and rename it over the target once complete; returns the
    .bak of the replaced file when one was kept."""
    if target.name.startswith(("~$", ".~lock.")):
        raise CpoError(f"{target}: refusing to write an Excel or LibreOffice lock file name")
    target = written_path(target)
    if target.is_dir():
        raise CpoError(f"{target}: is a directory; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CpoError(f"{target}: cannot create its folder ({exc.strerror})") from None
    remove_leftovers(target.parent)
    refuse_if_open(target)  # at once: before waiting for another writer's lock and the seconds a build takes
    with write_lock(target):
        return _write_locked(target, write, force, protect, own_sheets, pristine)


LOCK_WAIT_S = 120.0


def written_path(target: Path) -> Path:
    """The file a write lands in: a symbolic link is written through (the file it names is replaced, the link
    stays), as Excel does."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def lock_path(target: Path) -> Path:
    """The lock file of one target: in the system's temporary folder, named by the target's full path, so
    that no lock file is left beside the outputs."""
    folder = Path(tempfile.gettempdir()) / f"cpo-xl-locks-{getattr(os, 'getuid', lambda: 0)()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    name = hashlib.sha256(str(target.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"{name}.lock"


@contextmanager
def write_lock(target: Path) -> Iterator[None]:
    """Serialise writers of one target on a lock file of our own (concurrent builds take turns)."""
    try:
        lock = lock_path(target)
        handle = open(lock, "a+b")  # noqa: SIM115 - closed below, after the unlock
    except OSError as exc:
        raise CpoError(f"{target}: cannot take the write lock ({exc.strerror})") from None
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise CpoError(f"{target}: another cpo-xl process has been writing it for {LOCK_WAIT_S:.0f} s")
            time.sleep(0.05)
        _remove_old_lock(target)
        try:
            yield
        finally:
            _unlock(handle)


def _remove_old_lock(target: Path) -> None:
    """Delete the `.NAME.cpo-lock` an earlier release left beside the target, unless a process of that
    release holds it."""
    old = target.parent / f".{target.name}.cpo-lock"
    try:
        with open(old, "r+b") as handle:
            if not _try_lock(handle):
                return
            _unlock(handle)
        old.unlink()
    except OSError:  # absent, or not ours to delete
        return


def _try_lock(handle: Any) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: Any) -> None:
    if sys.platform == "win32":
        import msvcrt
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_locked(target: Path, write: Callable[[Path], str], force: bool,
                  protect: Protect | None, own_sheets: Collection[str] = L.SHEETS,
                  pristine: Pristine | None = None) -> Path | None:
    from xlsxwriter.exceptions import FileCreateError
    with temp_beside(target, ".xlsx") as tmp:
        try:
            digest = write(tmp)
        except (OSError, FileCreateError) as exc:  # a full disk or a vanished folder: the target stays as it was
            # XlsxWriter wraps the OSError of its final write in FileCreateError, which is not an OSError
            cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
            why = getattr(cause, "strerror", None) or cause
            raise CpoError(f"{target}: writing failed ({why}); the file is unchanged") from None
        backup = guard(target, digest, force, protect, own_sheets, fresh=tmp, pristine=pristine)
        put_in_place(tmp, target)
        return backup


