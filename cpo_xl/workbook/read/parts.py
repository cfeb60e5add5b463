"""A workbook's parts read straight from its zip: which part is which sheet, and the notes of a sheet.

For what openpyxl's read-only mode leaves out (notes, drawings) without its full reader, which makes an object
for every cell. The file was checked first (files.check_file: sizes, members, zip bombs)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cpo_xl.workbook.read.files import local_name, xml_tree

REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
COMMENTS = REL.strip("{}") + "/comments"


def target(base: str, ref: str) -> str:
    """A relationship target resolved against the folder of the part that names it."""
    if ref.startswith("/"):
        return ref.lstrip("/")
    pieces = base.rsplit("/", 1)[0].split("/") if "/" in base else []
    for piece in ref.split("/"):
        if piece == "..":
            pieces = pieces[:-1]
        elif piece not in ("", "."):
            pieces.append(piece)
    return "/".join(pieces)


def rels(z: zipfile.ZipFile, part: str, kind: str | None = None) -> dict[str, str]:
    """Relationship id -> the part it points to (internal targets only; of one type, given ``kind``)."""
    folder, name = part.rsplit("/", 1)
    path = f"{folder}/_rels/{name}.rels"
    if path not in z.namelist():
        return {}
    return {r.get("Id", ""): target(part, r.get("Target", "")) for r in xml_tree(z.read(path))
            if r.tag == PKG_REL and r.get("TargetMode") != "External" and kind in (None, r.get("Type"))}


def sheet_parts(z: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(sheet name, its part) for every worksheet the workbook lists and the zip holds."""
    book_rels = rels(z, "xl/workbook.xml")
    for sheet in xml_tree(z.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
        part = book_rels.get(sheet.get(f"{REL}id", ""), "")
        if part in z.namelist():
            yield str(sheet.get("name")), part


def sheet_notes(path: Path, title: str) -> dict[tuple[int, int], str]:
    """(row, column), 0-based -> the text of each cell note on the sheet ``title`` (Excel's "notes", the
    xlsx comments part; rich text runs joined, line ends as \\n), as openpyxl's CommentRecord.content reads
    them (:func:`note_text`) without building its objects (~1,000 notes on Inputs: a third of a pull)."""
    from openpyxl.utils.cell import coordinate_to_tuple
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as z:
        for name, part in sheet_parts(z):
            if name != title:
                continue
            for comments in rels(z, part, COMMENTS).values():
                if comments not in z.namelist():
                    continue
                for record in xml_tree(z.read(comments)).iter():
                    if local_name(record.tag) != "comment" or record.get("ref") is None:
                        continue
                    text = next((child for child in record if local_name(child.tag) == "text"), None)
                    row, col = coordinate_to_tuple(str(record.get("ref")))
                    out[(row - 1, col - 1)] = (note_text(text) if text is not None else "").replace("\r\n", "\n")
    return out


def note_text(text: Any) -> str:
    """The characters of a note's <text> as openpyxl's Text.content gives them: its plain <t> (the last, as
    openpyxl keeps), then the <t> of each formatted run <r>; phonetic runs (<rPh>) left out."""
    plain: str | None = None
    runs: list[str | None] = []
    for child in text:
        tag = local_name(child.tag)
        if tag == "t":
            plain = child.text
        elif tag == "r":
            run_text = None
            for part in child:
                if local_name(part.tag) == "t":
                    run_text = part.text
            runs.append(run_text)
    return (plain or "") + "".join(t for t in runs if t is not None)
