"""Workbook files: refuse bad ones with one clear error (checked once per file content), open them for
reading, backups. The steps of a safe write (temporary file beside the target, rename, leftovers of killed
writes): atomic.py. What a workbook's inputs are: snapshot.py; replacing a workbook safely: replace.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, NoReturn, TypeVar
from xml.etree import ElementTree
from xml.parsers import expat

from cpo_xl.engine.errors import CpoError

K = TypeVar("K")
T = TypeVar("T")

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # bytes; checked before any XML is parsed (zip bombs)
MAX_RATIO = 200  # uncompressed / compressed of one member
MAX_PART = 5 * 1024 * 1024  # bytes of one XML part (the largest sheet of a cpo-xl workbook is ~0.13 MB)
MAX_XML_TOTAL = 24 * 1024 * 1024  # bytes of all XML parts together (a cpo-xl workbook holds ~2 MB, ~2.8 MB
# once LibreOffice saved it): many parts each just under MAX_PART would otherwise take minutes to parse
MAX_MEMBERS = 2_000  # zip members (a cpo-xl workbook has ~80)
CUSTOM_PROPS = "docProps/custom.xml"


def check_file(path: Path) -> str:
    """One CpoError for a file that is missing, empty, unreadable, not an .xlsx zip, too large uncompressed, with
    an oversized XML part, or corrupt. Checked once per file content (:func:`content_digest`: a copy of a file
    checked before, under another name or time stamp, is not parsed again); returns that digest."""
    if not path.exists():
        raise CpoError(f"{path}: no such file")
    if path.is_dir() or path.stat().st_size == 0:
        raise CpoError(f"{path}: the file is empty" if not path.is_dir() else f"{path}: is a folder")
    if not os.access(path, os.R_OK):
        raise CpoError(f"{path}: permission denied (cannot be read)")
    digest = content_digest(path)
    _checked.remembered(digest, lambda: _check(path))
    return digest


def content_digest(path: Path) -> str:
    """sha256 of a file's bytes (~1 ms for a workbook): what a cache of a file's reading is keyed by, so that
    an edit, however it keeps the size or the time stamp, is read anew and a copy is not read twice."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(path: Path) -> bool:
    """:func:`check_file`'s content checks (the result is True; a failure raises, so it is never kept)."""
    if not zipfile.is_zipfile(path):
        raise CpoError(f"{path}: not an .xlsx file (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_UNCOMPRESSED:
                raise CpoError(f"{path}: uncompressed size {total:,} bytes exceeds the limit {MAX_UNCOMPRESSED:,}")
            if len(members) > MAX_MEMBERS:
                raise CpoError(f"{path}: {len(members):,} parts, above the {MAX_MEMBERS:,} a cpo-xl workbook "
                               "needs: refused")
            for m in members:
                if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 10_000_000:
                    raise CpoError(f"{path}: {m.filename} expands {m.file_size / m.compress_size:.0f}x: refused")
            xml_parts = [m for m in members if _is_xml(z, m)]
            xml = sum(m.file_size for m in xml_parts)
            if xml > MAX_XML_TOTAL:
                raise CpoError(f"{path}: {len(xml_parts):,} XML parts holding {xml:,} bytes, above the "
                               f"{MAX_XML_TOTAL:,} bytes of XML a cpo-xl workbook needs: refused")
            for m in xml_parts:
                if m.file_size > MAX_PART:
                    raise CpoError(f"{path}: {m.filename} holds {m.file_size:,} bytes, above the {MAX_PART:,} a "
                                   "cpo-xl workbook part needs: refused")
            if "xl/workbook.xml" not in z.namelist():
                raise CpoError(f"{path}: not an Excel workbook (no xl/workbook.xml)")
            for m in xml_parts:
                try:
                    well_formed(z.read(m))
                except XmlDoctypeError:
                    raise CpoError(f"{path}: {m.filename} declares a document type (<!DOCTYPE>, where entities "
                                   "and external references are declared), which Excel never writes: refused") from None
    except CpoError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure of an untrusted file is one clear line
        raise CpoError(f"{path}: corrupt workbook ({type(exc).__name__}: {exc})") from None
    return True


_XML_STARTS = (b"<", b"\x00<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # markup (UTF-8, UTF-16) or a BOM


def _is_xml(z: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether a part is XML by its first bytes, whatever its name: openpyxl finds parts through relationships
    and content types, so a sharedStrings.XML or a .vml drawing is parsed as surely as a .xml part."""
    with z.open(member) as part:
        return part.read(64).lstrip().startswith(_XML_STARTS)


class XmlDoctypeError(ValueError):
    """An XML part with a document type declaration: where entities (billion laughs) and external references
    (XXE) are declared. Excel, LibreOffice, openpyxl and XlsxWriter never write one."""


def _refuse_doctype(*_: Any) -> NoReturn:
    raise XmlDoctypeError("document type declarations are refused")


def well_formed(xml: bytes) -> None:
    """Parse ``xml`` with expat, namespaces resolved as ElementTree resolves them (an unbound prefix fails here,
    not in a reader) and keeping nothing; a document type declaration, and with it every entity declaration
    and external reference, is refused (:class:`XmlDoctypeError`); XML that is not well formed raises the
    parser's error. defusedxml, used before, made the same parse through per-element Python callbacks."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.Parse(xml, True)


def xml_tree(xml: bytes) -> ElementTree.Element:
    """The element tree of one XML part of a workbook, parsed by the standard library's C parser. Readers call it
    on files :func:`check_file` passed, which parsed every XML part and refused any document type declaration
    (so no entity and no external reference reaches a reader: the attacks defusedxml guarded against, with a
    pure-Python parser that took 1.5-5x as long)."""
    return ElementTree.fromstring(xml)


def load(path: Path, data_only: bool = False) -> Any:
    """openpyxl workbook (read-only; each sheet's declared dimension read only when asked for, see
    lean_openpyxl) after :func:`check_file`, which refused any XML part openpyxl could be harmed by. Read its
    cells inside :func:`opened` (or :func:`reading`): a read-only workbook parses cells lazily."""
    from cpo_xl.workbook.read.lean_openpyxl import load_read_only
    check_file(path)
    try:
        return load_read_only(path, data_only=data_only)
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


MEMO_FILES = 4  # contents kept per reader of :func:`by_content` (a Book of the model workbook: ~25,000 cells)


class Recent(Generic[K, T]):
    """The results for the last ``size`` keys asked for, the one asked for least recently dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[K, T] = OrderedDict()

    def remembered(self, key: K, compute: Callable[[], T]) -> T:
        """The result kept for ``key``, else ``compute()``, kept."""
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        result = self._kept[key] = compute()
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return result


_checked: Recent[str, bool] = Recent(64)  # the contents check_file passed


def by_content(reader: Callable[[Path], T]) -> Callable[[Path], T]:
    """``reader`` run once per file content: a file with the same bytes as one read before (the rebuild a build's
    guard compares with, a workbook that check and diff both read) gets the same result. Keyed by the sha256 of
    the bytes (~1 ms for a workbook), so an edit, however it keeps the size or the time stamp, is read anew.
    The result is shared: callers must not change it. The last MEMO_FILES contents are kept."""
    memo: Recent[str, T] = Recent(MEMO_FILES)

    def read(path: Path) -> T:
        return memo.remembered(check_file(path), lambda: reader(path))  # keyed by the digest it checked
    read.__doc__ = reader.__doc__
    return read


MAX_CELLS = 2_000_000  # cells present in one workbook (a cpo-xl workbook holds ~25,000)


def present_cells(ws: Any, last_row: int | None = None) -> Iterator[tuple[int, int, Any, bool]]:
    """(row, column, value, is_formula) of every cell a read-only worksheet's XML holds (1-based), in file
    order, up to row ``last_row`` when given (rows are in ascending order in the file). The cost follows the
    cells present: openpyxl's iter_rows trusts the declared <dimension> (one cell at XFD1048576 makes it walk
    17 billion empty cells; a dimension of A1:C3 hides every cell outside it). A formula is a cell whose type
    in the file is a formula, never text that starts with "="."""
    from cpo_xl.workbook.read.lean_openpyxl import CellsParser  # openpyxl's, stopping after the cells
    with _sheet_parser(ws, CellsParser, data_only=ws.parent.data_only) as parser:
        for number, row in parser.parse():
            if last_row is not None and number > last_row:
                return
            for cell in row:
                yield cell["row"], cell["column"], cell["value"], cell["data_type"] == "f"


def formulas_and_values(ws: Any) -> Iterator[tuple[int, int, Any, bool, Any]]:
    """(row, column, value or formula, is_formula, cached value) of every cell present, from one parse of a
    sheet (lean_openpyxl.FormulaAndValueParser): :func:`present_cells` of the workbook opened without
    ``data_only`` and of the same file opened with it, side by side."""
    from cpo_xl.workbook.read.lean_openpyxl import FormulaAndValueParser
    with _sheet_parser(ws, FormulaAndValueParser) as parser:
        for _, row in parser.parse():
            for cell in row:
                formula = cell.get("formula")
                shown = cell["value"] if formula is None else formula
                yield cell["row"], cell["column"], shown, formula is not None, cell["value"]


@contextmanager
def _sheet_parser(ws: Any, parser_class: Any, **options: Any) -> Iterator[Any]:
    """``parser_class`` (openpyxl's WorkSheetParser or a subclass) over a read-only sheet's XML, with its
    workbook's shared strings, date epoch and date styles, as openpyxl's read-only mode makes it."""
    wb = ws.parent
    with ws._get_source() as src:
        yield parser_class(src, ws._shared_strings, epoch=wb.epoch, date_formats=wb._date_formats,
                           timedelta_formats=wb._timedelta_formats, **options)


def cell_grid(ws: Any, last_row: int | None = None) -> dict[tuple[int, int], Any]:
    """(row, column), 0-based -> value of every non-empty cell present (bounded by MAX_CELLS), up to the 1-based
    row ``last_row`` when given."""
    grid: dict[tuple[int, int], Any] = {}
    for row, col, value, _ in present_cells(ws, last_row):
        if value is not None:
            grid[(row - 1, col - 1)] = value
            within_max_cells(len(grid), ws.title)
    return grid


def within_max_cells(count: int, title: str) -> None:
    """Refuse a sheet once more than MAX_CELLS of its cells have been read (not a cpo-xl workbook)."""
    if count > MAX_CELLS:
        raise CpoError(f"sheet {title} holds more than {MAX_CELLS:,} cells; not a cpo-xl workbook")


def sheet_names(path: Path) -> list[str]:
    """The sheet names in tab order, as openpyxl lists them, read from xl/workbook.xml after :func:`check_file`
    without loading the workbook (openpyxl reads its styles and shared strings first: 0.1-0.3 s)."""
    check_file(path)
    with zipfile.ZipFile(path) as z:
        root = xml_tree(z.read("xl/workbook.xml"))
    return [str(sheet.get("name")) for sheet in root.iter() if local_name(sheet.tag) == "sheet"]


def local_name(tag: Any) -> str:
    """An XML tag without its namespace ('{...main}sheet' -> 'sheet'): the main and the strict OOXML spelling."""
    return str(tag).rpartition("}")[2]


def backup_name(target: Path) -> Path:
    """A new .bak beside ``target``, stamped to the microsecond and never an existing file: every --force keeps
    every earlier version. The real extension stays last (NAME.<stamp>.bak.xlsx), so Excel opens it as it is."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    for n in range(1000):
        candidate = target.with_name(f"{target.stem}.{stamp}{f'-{n}' if n else ''}.bak{target.suffix}")
        if not candidate.exists():
            return candidate
    raise CpoError(f"{target}: too many backups with the same time stamp")


def expect_suffix(target: Path, suffix: str) -> None:
    """An output named for what it holds: Excel will not open a workbook called .txt, nor TOML called .xlsx."""
    if target.suffix.lower() != suffix:
        raise CpoError(f"{target}: the output is {'a workbook' if suffix == '.xlsx' else 'TOML'}; name it *{suffix}")


DIGEST_LINE = "# cpo-xl wrote the lines below; sha256 "  # second line of a TOML pull wrote
MAX_TEXT = 1_000_000  # bytes of a text file read back (the limit of an assumptions file)
FORCED: set[Path] = set()  # targets refuse_overwrite let through with --force (their writer keeps a .bak)


def body_digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def stamped_text(target: Path) -> tuple[str, bool] | None:
    """(first line, whether the body still has the digest of the second line) of a text file cpo-xl stamped
    (second line DIGEST_LINE), or None for a file that is not one (or cannot be read)."""
    try:
        with open(target, "rb") as handle:
            raw = handle.read(MAX_TEXT + 1)
    except OSError:
        return None
    # CRLF as LF: a checkout with git's autocrlf is not an edit
    lines = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").split("\n", 2)
    if len(lines) < 3 or not lines[1].startswith(DIGEST_LINE):
        return None
    return lines[0], lines[1].removeprefix(DIGEST_LINE).strip() == body_digest(lines[2])


def hand_edited(target: Path, made_by: str) -> bool:
    """A text file cpo-xl wrote (first line ``made_by``, second the digest of the rest) edited since."""
    stamped = stamped_text(target)
    return stamped is not None and stamped[0].startswith(made_by) and not stamped[1]


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
        if hand_edited(target, made_by):
            raise CpoError(f"{target}: edited by hand since cpo-xl wrote it; write to another --output, or --force "
                           "(keeps a .bak)")
    if made_by and force and target.exists():
        FORCED.add(Path(os.path.realpath(target)))
