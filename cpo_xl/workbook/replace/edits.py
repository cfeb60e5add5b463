"""Cells a person changed that `cpo-xl pull` does not carry, so that a build over them would lose them.

The builder records the inputs it built from on the hidden Engine sheet (snapshot.read_record). To find the
edits, that record is built again into a temporary file: every cell whose formula or typed value differs
from the rebuild, other than the inputs `pull` carries (assumption values, scenario, rack overrides, ranking
and tornado years, check tolerance, comments, values typed over the live column or the racks-used row), is an
edit nothing carries: a label, a formula typed over, a note in an empty cell, a deleted row. Cached results
of formulas are not compared.

Rows are matched by key and label, not by position (align.py): a file built by code with one line more or less
(a line item added to the registry) is compared row by row with its own rows in the rebuild; the rows of a new
line are not edits, nor are those of a model line the code no longer writes.

Beyond cell contents, everything else a person can add is compared with the rebuild too (:func:`objects`):
cell notes, hyperlinks, fills, fonts, number formats, borders, merged cells, conditional formats, data
validation, freeze panes, hidden rows and columns, column widths, sheet protection, tab colours and the
charts, pictures and shapes of each sheet's drawing. What the file holds that the rebuild does not (or holds
otherwise) would be lost and is named; what the file lacks (a chart the person deleted, a freeze pane
LibreOffice dropped) the rebuild restores, so it is not a loss. A sheet's settings (settings.py: print area and
titles, page setup, header and footer, page breaks, visibility, tab order) are the build's own too, so any
change to one, in either direction, is named as "built -> now".
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.read import align, contents, files, parts, snapshot
from cpo_xl.workbook.read.userfile import user_file_of
from cpo_xl.workbook.replace import replace, settings
from cpo_xl.workbook.write.build import build_workbook

SHOWN = 10  # cells named in the refusal; the rest are counted


def tracked(path: Path) -> set[str]:
    """'Sheet!A1' of every cell whose content `pull` carries, and 'Sheet!A1 note' of each note it carries."""
    typed, cells = snapshot.read_inputs(path)
    return {*cells.values(), *typed.carried}


def untracked(target: Path, recorded: snapshot.InputsSnapshot, fresh: Path | None = None) -> list[str]:
    """'Sheet!A1' of every cell, other than the tracked inputs, whose content differs from a rebuild of the
    recorded inputs. Rows are matched by key and label (align.py), so that a build by code that adds or removes
    a line compares each row with its own: the cells of a line only the rebuild has (new) or only the file has
    (a model line the code no longer writes) are not edits; any other row only the file has is."""
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = fresh if fresh is not None and _built_from(fresh, recorded) else Path(tmp) / "rebuilt.xlsx"
        if rebuilt != fresh:
            user = user_file_of(recorded, {})
            build_workbook(rebuilt, Case(user.scenario or "base", user=user))
        expected = contents.read(rebuilt)
        built_objects = objects(rebuilt)
    found = contents.read(target)
    skip = tracked(target)
    rows = align.align(found, expected)
    gone = rows.only_a & align.line_rows(found)  # lines the code no longer writes
    found_names = {name: rows.area(area) for name, area in found.names.items()}
    changed = [f"defined name {name.lower()}" for name in sorted({*found.names, *expected.names})
               if found_names.get(name) != expected.names.get(name)]
    seen: set[contents.Cell] = set()
    for cell in sorted({*found.constants, *found.formulas}):
        label = found.label(cell)
        if label in skip or (cell[0], cell[1]) in gone:
            continue
        there = rows.cell(cell)
        if there is not None:
            seen.add(there)
        mine = _content(found, cell, rows)
        if there is None or not _same(mine, _content(expected, there)):
            changed.append(label)
    for cell in sorted({*expected.constants, *expected.formulas} - seen):
        if (cell[0], cell[1]) in rows.only_b:
            continue  # a row the rebuild adds (a new line): nothing of the file's is lost
        mapped = rows.back(cell)
        label = found.label(mapped) if mapped else align.where(expected, cell)
        if label not in skip and not _same(None, _content(expected, cell)):  # a cell the file lacks
            changed.append(label)
    found_objects: dict[str, Any] = {}
    for label, value in objects(target).items():
        if label in skip:
            continue  # a person's note on an input cell: pull carries it ([cell_notes])
        moved = rows.label(label, found.titles)
        if moved is not None:
            found_objects[moved] = value
        elif not align.label_rows(label) & gone:
            found_objects[label] = value  # in a row only the file has, not a line: lost unless named
    return changed + added_objects(found_objects, built_objects)


def _built_from(fresh: Path, recorded: snapshot.InputsSnapshot) -> bool:
    """True when ``fresh`` (the file this build is about to write) was built from exactly the recorded inputs by
    this code, so it is the rebuild the comparison needs (a build over its own output: no second build)."""
    record = snapshot.read_record(fresh)
    return record is not None and snapshot.snapshot_json(record[0]) == snapshot.snapshot_json(recorded)


def added_objects(found: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """The objects ``found`` holds that ``built`` does not hold, or holds otherwise, and the settings that differ
    (see the module doc)."""
    changed = []
    for label, value in found.items():
        if settings.is_setting(label):
            continue
        was = built.get(label)
        if label.endswith(COUNTED) and isinstance(was, int) and value <= was:
            continue  # fewer charts than built: the rebuild restores them
        if value != was and not (_number(value) and _number(was) and abs(value - was) < WIDTH_TOL):
            changed.append(f"{label} ({_shown(value)})" if not label.endswith(COUNTED) else
                           f"{label} ({value}, {was or 0} built)")
    return changed + settings.changed(found, built)


COUNTED = (": charts", ": pictures", ": shapes")


WIDTH_TOL = 0.75  # characters: LibreOffice and Excel round column widths to their own pixel grids


def _shown(value: Any) -> str:
    text = str(value) if not isinstance(value, bool) else ("yes" if value else "no")
    return text if len(text) <= 40 else text[:40] + "..."


def _color(c: Any) -> str | None:
    """A colour as RRGGBB (theme 0 / 1, the default white / black, spelled out as LibreOffice writes them)."""
    if c is None:
        return None
    if c.type == "rgb" and isinstance(c.rgb, str):
        return c.rgb[-6:].upper()
    if c.type == "theme":
        return {0: "FFFFFF", 1: "000000"}.get(c.theme, f"theme {c.theme}")
    if c.type == "indexed":
        return f"indexed {c.indexed}"
    return None


PLAIN_FONT = (False, False, None, False, "000000")
MAX_SQREF_CELLS = 10_000  # a validation over more cells is compared as its range text


def _sqref_cells(sqref: Any) -> list[str]:
    """The cells of a validation's ranges one by one (LibreOffice regroups them), or the range text."""
    from openpyxl.utils import get_column_letter, range_boundaries
    out = []
    for part in str(sqref).split():
        left, top, right, bottom = range_boundaries(part)
        if (right - left + 1) * (bottom - top + 1) > MAX_SQREF_CELLS:
            out.append(part)
            continue
        out += [f"{get_column_letter(c)}{r}" for r in range(top, bottom + 1) for c in range(left, right + 1)]
    return out


def _formula(text: Any) -> str:
    """A validation bound: numbers as numbers (LibreOffice writes 1000000000 for 1000000000.0)."""
    try:
        return repr(float(text))
    except (TypeError, ValueError):
        return str(text)


@files.by_content
def objects(path: Path) -> dict[str, Any]:
    """Label -> value of everything but cell contents a person can add to a workbook (see the module doc).
    The cost follows what the file holds (the cells present), not its declared dimensions. Read once per file
    content (openpyxl's full reader: ~1 s for the model workbook); the result is shared, not to be changed."""
    import openpyxl
    _check_merges(path)
    with files.reading(path):
        try:
            wb = openpyxl.load_workbook(path)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is one clear line
            raise CpoError(f"{path}: corrupt workbook ({type(exc).__name__}: {exc})") from None
        out: dict[str, Any] = {}
        for position, ws in enumerate(wb.worksheets, 1):
            _sheet_objects(ws, out)
            out.update(settings.sheet_settings(ws, position))
        out.update(_drawings(path))
        return out


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]{1,40})"')


def _check_merges(path: Path) -> None:
    """Refuse merged ranges that span more cells than a workbook may hold before openpyxl's full reader sees
    them: it makes an object for every cell a merge covers (one merge of A1:XFD1048576 would be 17 billion)."""
    from openpyxl.utils import range_boundaries
    total = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            for ref in _MERGE.findall(z.read(name)):
                try:
                    left, top, right, bottom = range_boundaries(ref.decode("ascii", "replace"))
                except (TypeError, ValueError):
                    continue  # openpyxl refuses it itself
                total += (bottom - top + 1) * (right - left + 1)
                if total > files.MAX_CELLS:
                    raise CpoError(f"{path}: merged cells in {name} cover more than {files.MAX_CELLS:,} cells; "
                                   "not a cpo-xl workbook")


def _sheet_objects(ws: Any, out: dict[str, Any]) -> None:
    t = ws.title
    if ws.freeze_panes:
        out[f"{t}: freeze panes"] = ws.freeze_panes
    if ws.protection.sheet:
        out[f"{t}: sheet protection"] = True
    if ws.sheet_properties.tabColor is not None:
        out[f"{t}: tab colour"] = _color(ws.sheet_properties.tabColor)
    for rng in ws.merged_cells.ranges:
        out[f"{t}!{rng.coord} merged"] = True
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            out[f"{t}!{cf.sqref} conditional format {rule.type} {rule.operator or ''} "
                f"{' '.join(rule.formula or ())}".rstrip()] = True
    for dv in ws.data_validations.dataValidation:
        two = dv.type != "list" and (dv.operator or "between") in ("between", "notBetween")
        bounds = (dv.formula1, dv.formula2) if two else (dv.formula1,)  # LibreOffice writes an unused second
        rule = " ".join((str(dv.type), dv.operator or "between", *(_formula(f) for f in bounds)))
        for cell in _sqref_cells(dv.sqref):
            out[f"{t}!{cell} validation"] = rule
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            out[f"{t}: column {key} hidden"] = True
        if dim.customWidth and dim.width:
            out[f"{t}: column {key} width"] = round(float(dim.width), 2)
    for key, dim in ws.row_dimensions.items():
        if dim.hidden:
            out[f"{t}: row {key} hidden"] = True
    styles: dict[tuple[int, ...], list[tuple[str, Any]]] = {}  # a cell's style ids -> what they show
    for c in list(ws._cells.values()):  # the cells present (iter_rows would walk the declared rectangle)
        where = f"{t}!{c.coordinate}"
        if c.comment is not None:
            out[f"{where} note"] = c.comment.text
        if c.hyperlink is not None:
            out[f"{where} hyperlink"] = c.hyperlink.target or c.hyperlink.location
        if not c.has_style:
            continue
        key = tuple(c._style)  # font, fill, border, number format ... ids: cells that share them look alike
        if key not in styles:
            styles[key] = _style_objects(c)
        for what, value in styles[key]:
            out[f"{where} {what}"] = value


def _style_objects(c: Any) -> list[tuple[str, Any]]:
    """(what, value) of a styled cell's fill, font, number format and border that differ from a plain cell."""
    found: list[tuple[str, Any]] = []
    if c.fill.fill_type:
        found.append(("fill", f"{c.fill.fill_type} {_color(c.fill.fgColor)}"))
    fo = c.font
    font = (bool(fo.b), bool(fo.i), fo.u, bool(fo.strike), _color(fo.color) or "000000")
    if font != PLAIN_FONT:
        found.append(("font", font))
    if c.number_format != "General":
        found.append(("number format", re.sub(r"\\([-+])", r"\1", c.number_format)))
    border = tuple(getattr(c.border, side).style for side in ("left", "right", "top", "bottom"))
    if any(border):
        found.append(("border", border))
    return found


_XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
_KINDS = {"graphicFrame": "charts", "pic": "pictures", "sp": "shapes", "cxnSp": "shapes", "grpSp": "shapes"}


def _drawings(path: Path) -> dict[str, Any]:
    """'Sheet: charts' / 'pictures' / 'shapes' -> how many the sheet's drawing anchors (read from the parts:
    openpyxl drops shapes and, without Pillow, pictures)."""
    out: dict[str, Any] = {}
    with zipfile.ZipFile(path) as z:
        for name, part in parts.sheet_parts(z):
            rels = parts.rels(z, part)
            counts: dict[str, int] = {}
            xml = z.read(part)
            if b"drawing" not in xml:
                continue  # no <drawing> element: not worth parsing the sheet
            for drawing in files.xml_tree(xml).iter(f"{parts.MAIN}drawing"):
                target = rels.get(drawing.get(f"{parts.REL}id", ""), "")
                if target not in z.namelist():
                    continue
                for anchor in files.xml_tree(z.read(target)):
                    for child in anchor:
                        kind = _KINDS.get(child.tag.removeprefix(_XDR))
                        if kind:
                            counts[kind] = counts.get(kind, 0) + 1
            for kind, n in counts.items():
                out[f"{name}: {kind}"] = n
    return out


def _content(book: contents.Book, cell: contents.Cell, rows: align.Alignment | None = None) -> object:
    """What a person typed in a cell: its formula text (as Excel reads it; with ``rows``, its references
    written in the rows of the book it is compared with), else its value."""
    if cell not in book.formulas:
        return book.constants.get(cell)
    text = book.formulas[cell][0]
    return Formula(_formula_key(rows.formula(text, cell[0]) if rows else text))


class Formula(str):
    """A formula's text, so that it never equals a text cell with the same characters."""


_LITERAL = re.compile(r'("(?:[^"]|"")*")')


def _formula_key(text: str) -> str:
    """A formula as Excel reads it: function names, references and names are case-insensitive (LibreOffice
    saves `=cpo_version()` for `=CPO_VERSION()`); string literals keep their case."""
    return "".join(part if part.startswith('"') else part.upper() for part in _LITERAL.split(text))


NUMBER_REL_TOL = 1e-14  # LibreOffice saves numbers with 15 significant digits


def _same(a: object, b: object) -> bool:
    if isinstance(a, Formula) or isinstance(b, Formula):
        return isinstance(a, Formula) and isinstance(b, Formula) and str(a) == str(b)
    if _number(a) and _number(b):
        return math.isclose(float(a), float(b), rel_tol=NUMBER_REL_TOL)  # type: ignore[arg-type]
    return a == b or (a in (None, "") and b in (None, ""))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def verdict(target: Path, fresh: Path | None = None) -> replace.Verdict:
    """May a build replace ``target``: refused naming the cells of edits pull does not carry, when this code
    built it; a .bak kept when another version built it, or other code whose layout differs and the file
    differs from a rebuild (its edits cannot be told from that code's changes; the documented loop after a
    code change). A file of other code with no difference (a line added) is replaced without one. A file byte
    for byte the fresh one never gets here: replace.guard replaces it without asking."""
    try:
        record = snapshot.read_record(target)
        if record is None:
            return replace.Verdict(backup="it has no build record (an older cpo-xl made it)")
        recorded, builder = record
        version, _, layout = builder.partition(snapshot.LAYOUT_MARK)
        now_version, _, now_layout = snapshot.builder_fingerprint().partition(snapshot.LAYOUT_MARK)
        if version != now_version:
            return replace.Verdict(backup="another version of cpo-xl built it")
        changed = untracked(target, recorded, fresh)
    except CpoError as exc:
        return replace.Verdict(refuse=f"cannot be compared with what was built ({exc})")
    if not changed:
        return replace.Verdict()
    if layout != now_layout:  # the documented loop after a code change: replaced, the old file kept whole
        return replace.Verdict(backup=f"other cpo-xl code built it (another layout), so its {len(changed):,} "
                                      f"differences from a rebuild ({', '.join(changed[:3])}...) may be that "
                                      "code's changes rather than edits")
    more = f" and {len(changed) - SHOWN:,} more" if len(changed) > SHOWN else ""
    return replace.Verdict(refuse=f"holds edits that cpo-xl pull does not carry, at {', '.join(changed[:SHOWN])}"
                                f"{more}; undo them")
