"""Workbook files: refuse bad ones with one clear error, read the Inputs back, write without losing work.

A write goes to a temporary file beside the target and is renamed over it. An existing target is only
replaced when it holds nothing a person made: its inputs still match what the builder recorded in it
(document property ``cpo_inputs_digest``) or equal what is being written, it has no foreign sheets, and
Excel does not hold it open (``~$`` lock file). ``force`` overrides the first two and keeps a ``.bak``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from openpyxl.worksheet.formula import ArrayFormula

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook import layout as L

MAX_RACKS = 1e9  # racks per year, the bound rack_units has everywhere
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


@dataclass(frozen=True)
class InputsSnapshot:
    """Everything a person can type into the workbook, as the builder lays it out."""

    scenario: str
    rows: tuple[tuple[str, Any, Any, Any], ...]  # (key, bear, base, bull)
    racks: tuple[tuple[int, float], ...]  # the optional rack override row
    ranking_year: Any
    tolerance: Any
    tornado_year: Any = None
    notes: tuple[tuple[str, str], ...] = ()  # (key, text) of the comment column's non-empty cells
    carried: tuple[str, ...] = ()  # cells typed over a formula and folded into an input (not in the digest)


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(value)


def snapshot_digest(s: InputsSnapshot) -> str:
    """Content hash [hex] of a snapshot (numbers compared as floats)."""
    body = repr((s.scenario, tuple(tuple(_norm(v) for v in row) for row in s.rows),
                 tuple((y, float(r)) for y, r in s.racks), _norm(s.ranking_year), _norm(s.tolerance),
                 _norm(s.tornado_year), s.notes))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def builder_fingerprint() -> str:
    """The package version and the shipped assumptions' fingerprint: a file built by another release (other
    layout) or on other shipped data (other sources text) may differ from a rebuild for reasons that are not
    a person's edits. Within one release the layout is the same by definition."""
    from cpo_xl import __version__
    from cpo_xl.engine.case import Case
    return f"{__version__}+{Case().assumptions().fingerprint}"


def snapshot_json(s: InputsSnapshot) -> str:
    """The snapshot as JSON (without ``carried``, which only describes a file someone edited), with the
    builder's fingerprint."""
    body: dict[str, Any] = {f.name: getattr(s, f.name) for f in fields(InputsSnapshot) if f.name != "carried"}
    body["builder"] = builder_fingerprint()
    return json.dumps(body, sort_keys=True, allow_nan=False, separators=(",", ":"))


def snapshot_from_json(text: str) -> tuple[InputsSnapshot, str]:
    """The inverse of :func:`snapshot_json` (lists back to tuples) and the builder's fingerprint; CpoError when
    it is not one."""
    try:
        body = json.loads(text)
        return InputsSnapshot(
            body["scenario"], tuple(tuple(row) for row in body["rows"]),
            tuple((int(y), float(r)) for y, r in body["racks"]), body["ranking_year"], body["tolerance"],
            body["tornado_year"], tuple((k, t) for k, t in body["notes"])), str(body.get("builder", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise CpoError(f"the build record is damaged ({type(exc).__name__})") from None


def read_record(path: Path) -> tuple[InputsSnapshot, str] | None:
    """The inputs the builder recorded on the Engine sheet and its fingerprint, or None without a record."""
    with opened(path) as wb:
        if L.ENGINE not in wb.sheetnames:
            return None
        column = [row[0] if row else None for row in wb[L.ENGINE].iter_rows(max_col=1, values_only=True)]
    if L.BUILD_RECORD_TITLE not in column:
        return None
    start = column.index(L.BUILD_RECORD_TITLE) + 1
    chunks = []
    for value in column[start:]:
        if not isinstance(value, str) or not value:
            break
        chunks.append(value)
    return snapshot_from_json("".join(chunks))


def read_inputs(path: Path) -> tuple[InputsSnapshot, dict[tuple[str, str], str]]:
    """The workbook's inputs and, per (key, column name), the cell they sit in.

    Everything a person can type is read: the assumption table by key (to the last key; a gap or a repeated
    key is refused), the scenario, the rack overrides by their year header, the ranking and tornado years,
    the check tolerance and the comment column. A value typed over a formula that stands for an input is
    folded into that input: over the live column -> the active scenario's column; over the racks-used row ->
    the rack override of that year (refused when the override cell holds another number). The cells folded
    are listed in the snapshot's ``carried``."""
    with opened(path) as wb:
        if "Inputs" not in wb.sheetnames:
            raise CpoError(f"{path}: no Inputs sheet; not a cpo-xl workbook")
        grid_rows = list(wb["Inputs"].iter_rows(values_only=True))
        ranking = _cell(wb, "Elasticity", *L.ELASTICITY_YEAR_CELL)
        tolerance = _cell(wb, "Checks", *L.CHECK_TOLERANCE_CELL)
        tornado = _cell(wb, "Sensitivity", *L.SENSITIVITY_YEAR_CELL)

    def at(r: int, c: int) -> Any:
        return grid_rows[r][c] if r < len(grid_rows) and c < len(grid_rows[r]) else None

    scenario = str(at(L.INPUTS_SCENARIO_ROW, 2) or "").strip().lower()
    rows: list[tuple[Any, ...]] = []
    cells: dict[tuple[str, str], str] = {}
    carried: list[str] = []
    notes: list[tuple[str, str]] = []
    last = max((r for r in range(L.INPUTS_FIRST_KEY_ROW, len(grid_rows)) if at(r, L.KEY_C) not in (None, "")),
               default=L.INPUTS_FIRST_KEY_ROW - 1)
    for r in range(L.INPUTS_FIRST_KEY_ROW, last + 1):  # by key, to the last key: a gap is refused, not an end
        if at(r, L.KEY_C) in (None, ""):
            raise CpoError(f"Inputs!{_a1(r, L.KEY_C)}: a blank row inside the assumption table; delete the row "
                           "(inputs below it would be dropped)")
        key = str(at(r, L.KEY_C)).strip()
        if (key, "key") in cells:
            raise CpoError(f"Inputs!{_a1(r, L.KEY_C)}: key {key} appears twice (first at {cells[(key, 'key')]})")
        values = {s: at(r, L.SCENARIO_COLS[s]) for s in SCENARIOS}
        live = at(r, L.LIVE_C)
        if not _is_formula(live) and live not in (None, "") and scenario in SCENARIOS:
            values[scenario] = live  # typed over the live column: it is what drove the model
            carried += [f"Inputs!{_a1(r, L.LIVE_C)}", f"Inputs!{_a1(r, L.SCENARIO_COLS[scenario])}"]
        rows.append((key, *(values[s] for s in SCENARIOS)))
        for s in SCENARIOS:
            cells[(key, s)] = f"Inputs!{_a1(r, L.SCENARIO_COLS[s])}"
        cells[(key, "key")] = f"Inputs!{_a1(r, L.KEY_C)}"
        note = at(r, L.COMMENT_C)
        if note not in (None, ""):
            notes.append((key, str(note)))
    if not rows:
        raise CpoError(f"{path}: the Inputs sheet holds no assumption rows")
    racks = _rack_overrides(at, cells, carried)
    return (InputsSnapshot(scenario, tuple(rows), tuple(racks), ranking, tolerance, tornado, tuple(notes),
                           tuple(carried)), cells)


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _rack_overrides(at: Callable[[int, int], Any], cells: dict[tuple[str, str], str],
                    carried: list[str]) -> list[tuple[int, float]]:
    """Racks typed for given years, read by the year header (a shifted header is refused)."""
    racks = []
    for year in YEARS:
        col = L.year_col(year)
        header = at(L.INPUTS_YEARS_ROW, col)
        if isinstance(header, bool) or not isinstance(header, int | float) or header != year:
            raise CpoError(f"Inputs!{_a1(L.INPUTS_YEARS_ROW, col)}: year header {header!r} where {year} belongs; "
                           "restore the year row (overrides would land in the wrong year)")
        where = f"Inputs!{_a1(L.INPUTS_RACKS_OVERRIDE_ROW, col)}"
        cells[(str(year), "racks")] = where
        value = at(L.INPUTS_RACKS_OVERRIDE_ROW, col)
        used = at(L.INPUTS_RACKS_ROW, col)
        if not _is_formula(used) and used not in (None, ""):  # typed over the racks-used row
            used_cell = f"Inputs!{_a1(L.INPUTS_RACKS_ROW, col)}"
            if value not in (None, "") and value != used:
                raise CpoError(f"{used_cell} racks {used!r} typed over the racks used, and {where} holds "
                               f"{value!r}: keep one of them")
            value = used
            carried += [used_cell, where]
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_RACKS:
            raise CpoError(f"{where} rack override {year}: {_short(value)} is outside 0 to {MAX_RACKS:,.0f}")
        racks.append((year, float(value)))
    return racks


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _a1(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell
    return xl_rowcol_to_cell(row, col)


def _cell(wb: Any, sheet: str, row: int, col: int) -> Any:
    if sheet not in wb.sheetnames:
        return None
    for values in wb[sheet].iter_rows(min_row=row + 1, max_row=row + 1, values_only=True):
        return values[col] if col < len(values) else None
    return None


def recorded_digest(path: Path) -> str | None:
    """The inputs digest the builder stored in the file's custom document properties, if any."""
    with zipfile.ZipFile(path) as z:
        if CUSTOM_PROPS not in z.namelist():
            return None
        root = ElementTree.fromstring(z.read(CUSTOM_PROPS))
    for prop in root:
        if prop.get("name") == "cpo_inputs_digest":
            return "".join(prop.itertext()).strip()
    return None


def sheet_names(path: Path) -> list[str]:
    with opened(path) as wb:
        return list(wb.sheetnames)


@dataclass(frozen=True)
class Verdict:
    """A caller's own test of a file about to be replaced."""

    refuse: str | None = None  # why it may not be replaced without --force
    backup: str | None = None  # why a .bak is kept although it may be replaced


Protect = Callable[[Path], Verdict]


def guard(target: Path, new_digest: str, force: bool, protect: Protect | None = None) -> Path | None:
    """Refuse to replace ``target`` when that would lose a person's work (see the module doc); ``protect``
    adds a caller's own test (the build's: no edit that pull does not carry). Returns the .bak kept, if any."""
    lock = target.parent / f"~${target.name}"
    if lock.exists():
        raise CpoError(f"{target} is open in Excel (lock file {lock.name}); close it and try again")
    if not target.exists():
        return None
    verdict = Verdict(_work_at_risk(target, new_digest))
    if not verdict.refuse and protect:
        verdict = protect(target)
    if verdict.refuse and not force:
        raise CpoError(f"{target} {verdict.refuse}, or --force (keeps a .bak)")
    if verdict.refuse or verdict.backup:
        backup = backup_name(target)
        shutil.copy2(target, backup)
        return backup
    return None


def backup_name(target: Path) -> Path:
    """A new .bak beside ``target``, stamped to the microsecond and never an existing file: every --force keeps
    every earlier version."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for n in range(1000):
        candidate = target.with_name(f"{target.name}.{stamp}{f'-{n}' if n else ''}.bak")
        if not candidate.exists():
            return candidate
    raise CpoError(f"{target}: too many backups with the same time stamp")


def _work_at_risk(target: Path, new_digest: str) -> str | None:
    """Why replacing ``target`` could lose a person's work, or None when it holds nothing of theirs."""
    try:
        foreign = [n for n in sheet_names(target) if n not in L.SHEETS]
        snapshot, _ = read_inputs(target)
    except CpoError as exc:  # unreadable: it may still be someone's file
        return f"cannot be read as a cpo-xl workbook ({exc})"
    if foreign:
        return f"holds sheets the builder did not make ({', '.join(foreign)})"
    if snapshot_digest(snapshot) not in (recorded_digest(target), new_digest):
        return "has inputs edited since it was built; run cpo-xl pull to keep them"
    return None


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


def atomic_write(target: Path, write: Callable[[Path], str], force: bool = False,
                 protect: Protect | None = None) -> Path | None:
    """Write into a temporary file beside ``target`` and rename it over the target once complete; returns the
    .bak of the replaced file when one was kept."""
    if target.name.startswith("~$"):
        raise CpoError(f"{target}: refusing to write an Excel lock file name")
    if target.is_dir():
        raise CpoError(f"{target}: is a directory; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CpoError(f"{target}: cannot create its folder ({exc.strerror})") from None
    remove_leftovers(target.parent)
    with write_lock(target):
        return _write_locked(target, write, force, protect)


LOCK_WAIT_S = 120.0


@contextmanager
def write_lock(target: Path) -> Iterator[None]:
    """Serialise writers of one target on a lock file of our own beside it (concurrent builds take turns)."""
    lock = target.parent / f".{target.name}.cpo-lock"
    try:
        handle = open(lock, "a+b")  # noqa: SIM115 - closed below, after the unlock
    except OSError as exc:
        raise CpoError(f"{target}: cannot write in {target.parent} ({exc.strerror})") from None
    with handle:
        deadline = time.monotonic() + LOCK_WAIT_S
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise CpoError(f"{target}: another cpo-xl process has been writing it for {LOCK_WAIT_S:.0f} s")
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(handle)


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


def _write_locked(target: Path, write: Callable[[Path], str], force: bool,
                  protect: Protect | None) -> Path | None:
    with temp_beside(target, ".xlsx") as tmp:
        try:
            digest = write(tmp)
        except OSError as exc:  # a full disk or a vanished folder: the target stays as it was
            raise CpoError(f"{target}: writing failed ({exc.strerror or exc}); the file is unchanged") from None
        backup = guard(target, digest, force, protect)
        put_in_place(tmp, target)
        return backup


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


def refuse_overwrite(source: Path, target: Path, force: bool, made_by: str | None = None) -> None:
    """A command may not write onto its own input, nor over a text file another tool wrote (one whose first
    line is not ``made_by``) unless --force."""
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise CpoError(f"{target}: is the input {source.name} itself; choose another --output")
    if target.is_dir():
        raise CpoError(f"{target}: is a directory; --output names a file")
    if made_by and target.exists() and not force:
        try:
            first = target.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        except OSError as exc:
            raise CpoError(f"{target}: cannot be read ({exc.strerror})") from None
        if not first or not first[0].startswith(made_by):
            raise CpoError(f"{target}: exists and was not written by cpo-xl; --force to overwrite it")
