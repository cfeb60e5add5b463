"""Charts as PNG files, for the verbs that draw one (`simulate`, `bridge`).

matplotlib is optional (the `charts` extra). Without it a verb prints its tables and says the chart was not
drawn. The extra exists because of Excel: xlwings imports matplotlib (with pyplot) whenever it is installed,
which adds 0.35 s to every start of the add-in.

A chart is stamped as cpo-xl's (a PNG text chunk holding the digest of the rest of the file), so that a later
run replaces its own unchanged chart freely but never a file a person put at that path, or a chart they
annotated since, without --force (which keeps a .bak): the rule pull and publish follow for their outputs.

Measured and left out: drawing in a forked second process, so that matplotlib's 0.3 s import overlaps the
draws. On this 2-core machine the draws ran 0.13 s slower beside the import, which left a gain of 0.05 s.
"""

from __future__ import annotations

import hashlib
import struct
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.replace import atomic

INSTALL = "the charts extra: pip install -c requirements.lock '.[charts]' in the cpo-xl folder"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STAMP_KEY = b"cpo-xl"  # the keyword of the tEXt chunk that marks a chart cpo-xl wrote
MAX_PNG = 64 * 1024 * 1024  # bytes read back to recognise a chart (cpo-xl's are ~60 KB): a larger file is not ours
Chunk = tuple[bytes, bytes]  # (type, data) of one PNG chunk


def available() -> bool:
    """Whether matplotlib can be imported (it is loaded here, once, if so)."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        return False
    return True


def output_folder(text: str) -> Path:
    """The ``--output-dir``, checked before any work: refused when empty or a file; created now, and a file
    written in it and removed, when a chart will be drawn, so a folder the system refuses (or lets nobody
    write in) fails in a second, not after a long simulation."""
    if not text.strip():
        raise CpoError("--output-dir is empty; give a folder (default dist)")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise CpoError(f"--output-dir {folder}: is a file, not a folder")
    if available():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CpoError(f"--output-dir {folder}: cannot create it ({exc.strerror or exc})") from None
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise CpoError(f"--output-dir {folder}: cannot write in it ({exc.strerror or exc})") from None
    return folder


def chart_path(folder: Path, name: str, force: bool) -> Path:
    """The chart's file in ``folder``, refused now (before the work) when a file there is not one cpo-xl may
    replace without --force (see :func:`must_keep`). Without matplotlib nothing is written, so nothing is
    refused."""
    path = folder / name
    if available():
        must_keep(path, force)
    return path


def draw(chart: Callable[..., None], path: Path, *args: Any, force: bool = False) -> str:
    """Run ``chart(file, *args)``, which writes a PNG, into a temporary file beside ``path``, stamp it as
    cpo-xl's, then rename it over ``path`` (the safe write every cpo-xl output takes): a failed write (a full
    disk) leaves the previous chart whole and no partial file. A file at ``path`` that is not a chart cpo-xl
    wrote is refused without ``force`` and kept as a .bak with it. Returns the line to print: where the chart
    was written, or why it was not drawn."""
    if not available():
        return f"{path.name} not drawn: matplotlib is not installed ({INSTALL})"
    keep = must_keep(path, force)  # again: a file may have appeared while the numbers were computed
    atomic.remove_leftovers(path.parent)
    backup = None
    with atomic.temp_beside(path, path.suffix) as temporary:
        try:
            chart(temporary, *args)
            temporary.write_bytes(stamped(temporary.read_bytes()))
            if keep:
                from cpo_xl.workbook.replace.replace import keep_backup  # spreadsheet code: only when needed
                backup = keep_backup(path)
            atomic.put_in_place(temporary, path)
        except OSError as exc:  # name the chart, not the temporary file
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    return f"wrote {path}" + (f"; the file it replaced is kept as {backup.name}" if backup else "")


def must_keep(path: Path, force: bool) -> bool:
    """Whether the file at ``path`` is to be kept as a .bak before the chart replaces it: a file cpo-xl did not
    write, or one changed since it wrote it (a person's picture, an annotated chart), is refused without
    ``force``; a chart cpo-xl wrote, unchanged, is replaced as it is."""
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_dir() or not path.is_file():
        raise CpoError(f"{path}: is not a regular file; choose another --output-dir")
    if ours(path):
        return False
    if not force:
        raise CpoError(f"{path}: exists and is not a chart cpo-xl wrote (or was changed since); write to another "
                       "--output-dir, or --force (keeps a .bak)")
    return True


def stamped(png: bytes) -> bytes:
    """``png`` with a tEXt chunk "cpo-xl" holding the sha256 of its other chunks, before the image data: the
    proof, read back by :func:`ours`, that cpo-xl wrote the file and nobody changed it since."""
    chunks = _chunks(png)
    if chunks is None:
        raise CpoError("the chart drawn is not a PNG")  # matplotlib always writes one: a bug, said in one line
    first_data = next(i for i, (kind, _) in enumerate(chunks) if kind == b"IDAT")
    stamp = (b"tEXt", STAMP_KEY + b"\0" + _digest(chunks).encode("ascii"))
    return PNG_SIGNATURE + b"".join(_chunk_bytes(c) for c in (*chunks[:first_data], stamp, *chunks[first_data:]))


def ours(path: Path) -> bool:
    """A PNG :func:`stamped` wrote, unchanged since: its stamp matches its other chunks."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_PNG + 1)
    except OSError:
        return False
    chunks = _chunks(data) if len(data) <= MAX_PNG else None
    if chunks is None:
        return False
    stamps = [body for kind, body in chunks if kind == b"tEXt" and body.startswith(STAMP_KEY + b"\0")]
    rest = [(kind, body) for kind, body in chunks if (kind, body) != (b"tEXt", stamps[0])] if stamps else []
    return len(stamps) == 1 and stamps[0] == STAMP_KEY + b"\0" + _digest(rest).encode("ascii")


def _chunks(png: bytes) -> list[Chunk] | None:
    """The chunks of a PNG up to IEND, or None when ``png`` is not one (or is cut short)."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 12 <= len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, body = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        if len(body) != length:
            return None
        chunks.append((kind, body))
        at += 12 + length
        if kind == b"IEND":
            return chunks if at == len(png) else None  # bytes after the end: not as cpo-xl wrote it
    return None


def _digest(chunks: list[Chunk]) -> str:
    return "sha256 " + hashlib.sha256(b"".join(_chunk_bytes(c) for c in chunks)).hexdigest()


def _chunk_bytes(chunk: Chunk) -> bytes:
    kind, body = chunk
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
