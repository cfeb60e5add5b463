"""`cpo-xl publish`: the PM copy, a static snapshot that needs no add-in (CPO_* formulas -> values)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook import replace
from cpo_xl.workbook.build import build_workbook
from cpo_xl.workbook.pull import user_file_from


def publish(source: Path, target: Path, force: bool = False) -> None:
    """Rebuild ``source``'s inputs as a static copy at ``target`` (safe write)."""
    user, _ = user_file_from(source)
    case = Case(user.scenario or "base", user=user)
    replace.atomic_write(target, lambda p: build_workbook(p, case, static=True),
                       force=force)


def summary_pdf(xlsx: Path, target: Path) -> None:
    """The Summary sheet of ``xlsx`` (its first page: the Summary prints on one) as a PDF at ``target``, by
    LibreOffice in a throw-away profile; the PDF is written beside the target, then renamed into place."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise CpoError("--pdf needs LibreOffice: no soffice on PATH (install it, or open the PM copy and print "
                       "the Summary sheet)")
    options = json.dumps({"PageRange": {"type": "string", "value": "1"}})
    with tempfile.TemporaryDirectory(prefix=".cpo-pdf-", dir=target.parent) as work:
        folder = Path(work)
        try:
            subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                            "--convert-to", f"pdf:calc_pdf_Export:{options}", "--outdir", str(folder), str(xlsx)],
                           check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            raise CpoError(f"--pdf: LibreOffice could not convert {xlsx} ({type(exc).__name__})") from None
        made = folder / f"{xlsx.stem}.pdf"
        if not made.is_file():
            raise CpoError(f"--pdf: LibreOffice wrote no PDF for {xlsx}")
        made.replace(target)
