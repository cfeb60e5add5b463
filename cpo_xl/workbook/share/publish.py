"""`cpo-xl publish`: the PM copy, a static snapshot that needs no add-in (CPO_* formulas -> values).

Republishing over an earlier copy needs no ``--force`` and keeps no ``.bak`` when that copy is exactly what
publish wrote: publish stamps the copy's zip comment with a digest of its parts, and a copy whose parts still
match its stamp holds no one's work. A copy saved since (Excel and LibreOffice rewrite the whole file and drop
the comment), changed in place, or written by anything else is refused without ``--force``, as are edited
inputs (the builder's own guard, :mod:`cpo_xl.workbook.replace.replace`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.workbook.read.userfile import user_file_from
from cpo_xl.workbook.replace import replace
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import switch
from cpo_xl.workbook.write.build import build_workbook

STAMP = b"cpo-xl publish, parts sha256 "  # the zip comment of a copy as publish wrote it, then the digest
OWN_SHEETS = (*L.SHEETS, switch.VALUES_SHEET)
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def publish(source: Path, target: Path, force: bool = False, progress: Progress = _quiet) -> Path | None:
    """Rebuild ``source``'s inputs as a static copy at ``target`` (safe write); ``progress`` is told each stage
    as it starts. Returns the .bak kept of the copy replaced, if any."""
    progress(f"reading the inputs of {source}")
    user, _ = user_file_from(source)
    case = Case(user.scenario or "base", user=user)

    def write(path: Path) -> str:
        progress(f"building the copy in {', '.join(SCENARIOS)} (every CPO_* formula -> its values)")
        digest = build_workbook(path, case, static=True)
        stamp(path)
        return digest

    def pristine(existing: Path) -> bool:
        progress(f"checking that {existing} is the copy publish wrote (no edits to lose)")
        return untouched(existing).refuse is None

    def protect(existing: Path, _fresh: Path | None) -> replace.Verdict:
        return untouched(existing)

    return replace.atomic_write(target, write, force=force, protect=protect, own_sheets=OWN_SHEETS,
                                pristine=pristine)


def parts_digest(z: zipfile.ZipFile) -> str:
    """sha256 [hex] over every part of a workbook (name and content), in name order."""
    h = hashlib.sha256()
    for info in sorted(z.infolist(), key=lambda i: i.filename):
        h.update(info.filename.encode("utf-8") + b"\0")
        h.update(z.read(info) + b"\0")
    return h.hexdigest()


def stamp(path: Path) -> None:
    """Record in the zip comment of a freshly written copy the digest of its parts (Excel ignores the comment)."""
    with zipfile.ZipFile(path, "a") as z:
        z.comment = STAMP + parts_digest(z).encode("ascii")


def untouched(path: Path) -> replace.Verdict:
    """May publish replace ``path`` without a .bak: yes when its parts still match the stamp publish wrote."""
    try:
        with zipfile.ZipFile(path) as z:
            if not z.comment.startswith(STAMP):
                return replace.Verdict(refuse="was not written by cpo-xl publish, or was saved since (by Excel or "
                                              "another program), so it may hold edits; publish to another --output")
            if z.comment[len(STAMP):].decode("ascii", errors="replace") != parts_digest(z):
                return replace.Verdict(refuse="was changed since cpo-xl published it, so it may hold edits; "
                                              "publish to another --output")
    except (zipfile.BadZipFile, OSError) as exc:
        return replace.Verdict(refuse=f"cannot be read as a PM copy ({exc})")
    return replace.Verdict()


def summary_pdf(xlsx: Path, target: Path) -> None:
    """The Summary sheet of ``xlsx`` (its first page: the Summary prints on one) as a PDF at ``target``."""
    print_pdf(xlsx, target, pages="1")


def libreoffice(option: str = "--pdf") -> str:
    """The LibreOffice program that prints the PDFs; a CpoError naming ``option`` when there is none (`publish`
    asks before it writes the copy, so that a missing LibreOffice is refused before anything is written)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise CpoError(f"{option} needs LibreOffice: no soffice on PATH (install it, or open the PM copy and print "
                       "the Summary sheet)")
    return soffice


def print_pdf(xlsx: Path, target: Path, pages: str | None = None) -> None:
    """``xlsx`` printed to a PDF at ``target`` (every visible sheet in tab order, or the ``pages`` range, e.g.
    "1"), by LibreOffice in a throw-away profile; the PDF is written beside the target, then renamed into place.
    Paths may be relative: LibreOffice gets absolute ones (its profile only as a file URI)."""
    soffice = libreoffice()
    # one bookmark per sheet; cell comments (the sources on input cells, ~1,000) not exported: LibreOffice
    # stamps each as a note icon over the cell's value (4,000,000 printed as "000,000")
    settings = {"ExportBookmarks": {"type": "boolean", "value": "true"},
                "ExportNotes": {"type": "boolean", "value": "false"},
                "ExportNotesInMargin": {"type": "boolean", "value": "false"}}
    if pages:
        settings["PageRange"] = {"type": "string", "value": pages}
    options = json.dumps(settings)
    with tempfile.TemporaryDirectory(prefix=".cpo-pdf-", dir=target.parent) as work:
        folder = Path(work).resolve()
        try:
            subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                            "--convert-to", f"pdf:calc_pdf_Export:{options}", "--outdir", str(folder),
                            str(xlsx.resolve())], check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            raise CpoError(f"--pdf: LibreOffice could not convert {xlsx} ({type(exc).__name__})") from None
        made = folder / f"{xlsx.stem}.pdf"
        if not made.is_file():
            raise CpoError(f"--pdf: LibreOffice wrote no PDF for {xlsx}")
        made.replace(target)
