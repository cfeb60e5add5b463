"""Compare two .xlsx files by content, not bytes.

Floating-point results can differ in the last digit between machines (another CPU, another BLAS), so a
byte comparison of a fresh build with the committed workbook fails on a machine unlike the builder's. Here
every XML part of both files is parsed and walked in parallel (after XlsxWriter's own test helper
``_compare_xlsx_files``): tags, attributes and text must be equal, except that two texts that are both
numbers only need to agree within ``REL_TOL`` relative (``ABS_TOL`` absolute near zero). Shared strings are
resolved into the cells that use them, so one new string does not shift every later index. A difference is
named by the cell it sits in (``Sheet!B5``) or, outside worksheets, by part and element path.
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.workbook.read import files

REL_TOL = 1e-9
ABS_TOL = 1e-9
MAX_SHOWN = 20
SHARED_STRINGS = "xl/sharedStrings.xml"
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass(frozen=True)
class Difference:
    """One place where two workbooks differ in content."""

    where: str  # 'Sheet!B5' or 'part element/path'
    committed: str
    fresh: str

    def __str__(self) -> str:
        return f"{self.where}: {self.committed} -> {self.fresh}"


def same_text(a: str | None, b: str | None) -> bool:
    """Equal texts, or two numbers within REL_TOL relative / ABS_TOL absolute."""
    a, b = (a or "").strip(), (b or "").strip()
    if a == b:
        return True
    if _NUMBER.fullmatch(a) and _NUMBER.fullmatch(b):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(key: str, value: str | None) -> str:
    return f"no {_local(key)}" if value is None else f"{_local(key)}={value}"


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> sheet name, through workbook.xml and its relationships."""
    rels = files.xml_tree(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    book = files.xml_tree(z.read("xl/workbook.xml"))
    parts = {}
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        parts["xl/" + target.lstrip("/").removeprefix("xl/")] = str(sheet.get("name"))
    return parts


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if SHARED_STRINGS not in z.namelist():
        return []
    root = files.xml_tree(z.read(SHARED_STRINGS))
    return ["".join(t.text or "" for t in si.iter(f"{_MAIN_NS}t")) for si in root]


class _Walk:
    """Parallel walk of two element trees of one part, collecting differences."""

    def __init__(self, part: str, sheet: str | None, strings: tuple[list[str], list[str]]) -> None:
        self.part, self.sheet, self.strings = part, sheet, strings
        self.found: list[Difference] = []

    def where(self, path: str, cell: str | None) -> str:
        return f"{self.sheet}!{cell}" if self.sheet and cell else f"{self.part} {path}"

    def text(self, el: Any, side: int, shared: bool) -> str:
        """An element's text; a shared-string index resolved to its string."""
        text = (el.text or "").strip()
        if shared and text.isdigit() and int(text) < len(self.strings[side]):
            return repr(self.strings[side][int(text)])
        return text

    def run(self, a: Any, b: Any, path: str, cell: str | None = None, shared: bool = False) -> None:
        if _local(a.tag) == "c" and a.get("r"):
            cell, shared = a.get("r"), a.get("t") == "s"
        where = self.where(path, cell)
        if a.tag != b.tag:
            self.found.append(Difference(where, f"<{_local(a.tag)}>", f"<{_local(b.tag)}>"))
            return
        for key in sorted(set(a.attrib) | set(b.attrib)):
            if not same_text(a.get(key), b.get(key)):
                self.found.append(Difference(where, _attribute(key, a.get(key)), _attribute(key, b.get(key))))
        ta, tb = self.text(a, 0, shared), self.text(b, 1, shared)
        if not same_text(ta, tb):
            label = "" if _local(a.tag) in ("v", "f") else f"<{_local(a.tag)}> "
            self.found.append(Difference(where, f"{label}{ta}", f"{label}{tb}"))
        ka, kb = list(a), list(b)
        if len(ka) != len(kb):
            self.found.append(Difference(where, f"{len(ka)} child elements", f"{len(kb)} child elements"))
        for i, (ca, cb) in enumerate(zip(ka, kb, strict=False)):
            self.run(ca, cb, f"{path}/{_local(ca.tag)}[{i}]", cell, shared)


def compare(committed: Path, fresh: Path) -> list[Difference]:
    """Every content difference between two .xlsx files (empty list: the same content)."""
    with zipfile.ZipFile(committed) as za, zipfile.ZipFile(fresh) as zb:
        names_a, names_b = set(za.namelist()), set(zb.namelist())
        found = [Difference(name, "present" if name in names_a else "missing",
                            "present" if name in names_b else "missing")
                 for name in sorted(names_a ^ names_b)]
        sheets = _sheet_parts(za) if "xl/workbook.xml" in names_a else {}
        strings = (_shared_strings(za), _shared_strings(zb))
        for name in sorted(names_a & names_b):
            data_a, data_b = za.read(name), zb.read(name)
            if name == SHARED_STRINGS:  # strings are compared in the cells that use them
                continue
            if data_a == data_b and (name not in sheets or strings[0] == strings[1]):
                continue
            if not name.endswith((".xml", ".rels", ".vml")):
                found.append(Difference(name, f"{len(data_a):,} bytes", f"{len(data_b):,} bytes (other content)"))
                continue
            walk = _Walk(name, sheets.get(name), strings)
            root_a, root_b = files.xml_tree(data_a), files.xml_tree(data_b)
            walk.run(root_a, root_b, _local(root_a.tag))
            found.extend(walk.found)
    # cells first (what a person changed shows at the top), then names, charts and properties
    return sorted(found, key=lambda d: "!" not in d.where)


def report(differences: list[Difference], limit: int = MAX_SHOWN) -> list[str]:
    """At most ``limit`` lines naming the first differences, then a count of the rest."""
    lines = [str(d) for d in differences[:limit]]
    if len(differences) > limit:
        lines.append(f"... and {len(differences) - limit:,} more differences ({len(differences):,} in all)")
    return lines


def compare_with_fresh(target: Path, write: Callable[[Path], str]) -> int:
    """0 when ``target`` has the same content as a fresh build (numbers within 1e-9), else 1 naming the cells."""
    files.check_file(target)
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
