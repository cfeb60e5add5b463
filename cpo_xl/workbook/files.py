"""Workbook files: refuse bad ones with one clear error (checked once per file version), open them for
reading, backups. The steps of a safe write (temporary file beside the target, rename, leftovers of killed
writes): atomic.py. What a workbook's inputs are: snapshot.py; replacing a workbook safely: replace.py.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from openpyxl.worksheet.formula import ArrayFormula

from cpo_xl.engine.errors import CpoError

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes; checked before any XML is parsed (zip bombs)
MAX_RATIO = 200  # uncompressed / compressed of one member
MAX_PART = 5 * 1024 * 1024  # bytes of one XML part (the largest sheet of a cpo-xl workbook is ~0.13 MB)
CUSTOM_PROPS = "docProps/custom.xml"


def check_file(path: Path) -> None:
    """One CpoError for a file that is missing, empty, unreadable, not an .xlsx zip, too large uncompressed, with
    an oversized XML part, or corrupt. Checked once per file version (path, size, modification time)."""
    if not path.exists():
        raise CpoError(f"{path}: no such file")
    if path.is_dir() or path.stat().st_size == 0:
        raise CpoError(f"{path}: the file is empty" if not path.is_dir() else f"{path}: is a folder")
    if not os.access(path, os.R_OK):
        raise CpoError(f"{path}: permission denied (cannot be read)")
    stat = path.stat()
    _check_once(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _check_once(name: str, size: int, mtime_ns: int) -> None:
    path = Path(name)
    if not zipfile.is_zipfile(path):
        raise CpoError(f"{path}: not an .xlsx file (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED:
                raise CpoError(f"{path}: uncompressed size {total:,} bytes exceeds the limit {MAX_UNCOMPRESSED:,}")
            for m in members:
                if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 10_000_000:
                    raise CpoError(f"{path}: {m.filename} expands {m.file_size / m.compress_size:.0f}x: refused")
                if m.filename.endswith((".xml", ".rels")) and m.file_size > MAX_PART:
                    raise CpoError(f"{path}: {m.filename} holds {m.file_size:,} bytes, above the {MAX_PART:,} a "
                                   "cpo-xl workbook part needs: refused")
            if "xl/workbook.xml" not in z.namelist():
                raise CpoError(f"{path}: not an Excel workbook (no xl/workbook.xml)")
            for m in members:
                if m.filename.endswith((".xml", ".rels")):
                    ElementTree.fromstring(z.read(m.filename))
    except CpoError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure of an untrusted file is one clear line
        raise CpoError(f"{path}: corrupt workbook ({type(exc).__name__}: {exc})") from None


def load(path: Path, data_only: bool = False) -> Any:
    """openpyxl workbook (read-only) after :func:`check_file`; openpyxl parses with defusedxml when present.
    Read its cells inside :func:`opened` (or :func:`reading`): a read-only workbook parses cells lazily."""
    import openpyxl
    check_file(path)
    try:
        return openpyxl.load_workbook(path, data_only=data_only, read_only=True)
    except Exception as exc:  # noqa: BLE001
        raise CpoError(f"{path}: corrupt workbook ({type(exc).__name__}: {exc})") from None


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """A cell openpyxl cannot parse ('nan' in a number cell, an impossible date) is one clear CpoError."""
    try:
        yield
    except CpoError:
        raise
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        text = " ".join(str(exc).split())[:160]
        raise CpoError(f"{path}: a cell cannot be read ({type(exc).__name__}: {text}); "
                       "the file is damaged or was not written by Excel") from None


@contextmanager
def opened(path: Path, data_only: bool = False) -> Iterator[Any]:
    """:func:`load` for a with-block: closed after it, its cells read under :func:`reading`."""
    wb = load(path, data_only)
    try:
        with reading(path):
            yield wb
    finally:
        wb.close()


def formula_cells(path: Path) -> dict[str, tuple[str, Any]]:
    """'Sheet!A1' -> (formula, cached value) for every formula cell of the workbook."""
    with opened(path) as formulas_wb, opened(path, data_only=True) as values_wb:
        cells, arrays = {}, {}
        for ws in formulas_wb.worksheets:
            rows = zip(ws.iter_rows(), values_wb[ws.title].iter_rows(), strict=False)
            for row, cached_row in rows:
                for c, v in zip(row, cached_row, strict=False):
                    if isinstance(c.value, str) and c.value.startswith("="):
                        cells[f"{ws.title}!{c.coordinate}"] = (c.value, v.value)
                    elif isinstance(c.value, ArrayFormula):  # the anchor of an array formula
                        arrays[(ws.title, c.value.ref)] = c.value.text
                        cells[f"{ws.title}!{c.coordinate}"] = (c.value.text, v.value)
        for (title, ref), text in arrays.items():  # members hold plain cached values
            for row in values_wb[title][ref]:
                for v in row:
                    cells.setdefault(f"{title}!{v.coordinate}", (text, v.value))
        return cells


def sheet_names(path: Path) -> list[str]:
    with opened(path) as wb:
        return list(wb.sheetnames)


def backup_name(target: Path) -> Path:
    """A new .bak beside ``target``, stamped to the microsecond and never an existing file: every --force keeps
    every earlier version."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for n in range(1000):
        candidate = target.with_name(f"{target.name}.{stamp}{f'-{n}' if n else ''}.bak")
        if not candidate.exists():
            return candidate
    raise CpoError(f"{target}: too many backups with the same time stamp")


def compare_with_fresh(target: Path, write: Callable[[Path], str]) -> int:
    """0 when ``target`` has the same content as a fresh build (numbers within 1e-9), else 1 naming the cells."""
    from cpo_xl.workbook.compare import compare, report
    check_file(target)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.xlsx"
        write(fresh)
        if target.read_bytes() == fresh.read_bytes():
            print(f"{target}: identical to a fresh build")
            return 0
        differences = compare(target, fresh)
    if differences:
        print(f"cpo-xl: {target} differs from a fresh build (committed -> fresh); run cpo-xl build")
        for line in report(differences):
            print(f"  {line}")
        return 1
    print(f"{target}: same content as a fresh build (numbers within 1e-9 relative)")
    return 0


def expect_suffix(target: Path, suffix: str) -> None:
    """An output named for what it holds: Excel will not open a workbook called .txt, nor TOML called .xlsx."""
    if target.suffix.lower() != suffix:
        raise CpoError(f"{target}: the output is {'a workbook' if suffix == '.xlsx' else 'TOML'}; name it *{suffix}")


def refuse_overwrite(source: Path, target: Path, force: bool, made_by: str | None = None) -> None:
    """A command may not write onto its own input, nor over a text file another tool wrote (one whose first
    line is not ``made_by``) unless --force."""
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise CpoError(f"{target}: is the input {source.name} itself; choose another --output")
    if target.is_dir():
        raise CpoError(f"{target}: is a directory; --output names a file")
    if target.exists() and not target.is_file():
        raise CpoError(f"{target}: is not a regular file (a device or pipe); --output names a file")
    if made_by and target.exists() and not force:
        try:
            with open(target, "rb") as handle:  # the first line is enough: a foreign file may be huge
                first = handle.read(4096).decode("utf-8", errors="replace").splitlines()[:1]
        except OSError as exc:
            raise CpoError(f"{target}: cannot be read ({exc.strerror})") from None
        if not first or not first[0].startswith(made_by):
            raise CpoError(f"{target}: exists and was not written by cpo-xl; --force to overwrite it")
