"""A sheet's settings a person can change without touching a cell or adding an object: its print area and
print titles, its page setup (orientation, paper, scale or fit to pages, margins), header and footer and
manual page breaks, whether it is shown, and where its tab stands. The build writes each of them (the layout
spec owns the print areas), so a rebuild resets a person's change: edits.py compares them with the rebuild and
names every one that differs, as a change ("built -> now") in either direction, since what the build wrote is
the setting and a removed print area or an unhidden Engine sheet is as much the person's as an added one.

Values are spelled the way Excel and LibreOffice keep them, so that a file either saved unchanged is not an
edit: references without quotes or ``$``, an absent setting as None, the defaults LibreOffice writes out
(scale 100, fit to 1 x 1 pages) as the default itself, the scale Excel stores beside fit-to-page ignored.
"""

from __future__ import annotations

from typing import Any

PRINT_AREA, PRINT_TITLES, PAGE_BREAKS, SHOWN, TAB, LOCAL_NAMES = (
    ": print area", ": print titles", ": page breaks", ": visibility", ": tab position", ": names of the sheet")
HEADER_FOOTER = tuple(f": {where} {part}" for where in ("header", "footer") for part in ("left", "centre", "right"))
ORIENTATION, PAPER, SCALE, MARGINS = ": orientation", ": paper size", ": print scale", ": margins"
# the page setup of a hidden sheet is not printed and its defaults are the saving program's (LibreOffice
# writes A4 portrait on the hidden Engine sheet): compared only where the sheet is shown in both files
BOTH_SHOWN = (ORIENTATION, PAPER, SCALE, MARGINS)
SETTINGS = (PRINT_AREA, PRINT_TITLES, *HEADER_FOOTER, PAGE_BREAKS, SHOWN, TAB, LOCAL_NAMES, *BOTH_SHOWN)


def sheet_settings(ws: Any, position: int) -> dict[str, Any]:
    """Label -> value of each setting of one openpyxl worksheet (``position``: its tab, 1 = first)."""
    t = ws.title
    out: dict[str, Any] = {f"{t}{SHOWN}": ws.sheet_state, f"{t}{TAB}": position,
                           f"{t}{PRINT_AREA}": _refs(ws.print_area),
                           f"{t}{PRINT_TITLES}": _titles(ws.print_title_rows, ws.print_title_cols),
                           f"{t}{PAGE_BREAKS}": _breaks(ws), f"{t}{LOCAL_NAMES}": _local_names(ws)}
    out.update({f"{t}{what}": text for what, text in zip(HEADER_FOOTER, _header_footer(ws), strict=True)})
    if ws.sheet_state == "visible":
        out.update({f"{t}{what}": value for what, value in _page_setup(ws).items()})
    return out


def _refs(area: Any) -> str | None:
    """'A1:J31' of "'Summary'!$A$1:$J$31" (ranges joined by ', ')."""
    if not area:
        return None
    parts = [str(part).rsplit("!", 1)[-1].replace("$", "") for part in str(area).split(",")]
    return ", ".join(part for part in parts if part) or None


def _titles(rows: Any, cols: Any) -> str | None:
    shown = [f"{what} {_refs(ref)}" for what, ref in (("rows", rows), ("columns", cols)) if _refs(ref)]
    return ", ".join(shown) or None


def _page_setup(ws: Any) -> dict[str, str]:
    ps, pr, m = ws.page_setup, ws.sheet_properties.pageSetUpPr, ws.page_margins
    fit = bool(pr is not None and pr.fitToPage)
    scale = (f"fit to {ps.fitToWidth if ps.fitToWidth is not None else 1} x "
             f"{ps.fitToHeight if ps.fitToHeight is not None else 1} pages" if fit  # Excel stores a scale too
             else f"{ps.scale or 100}%")
    margins = " / ".join(f"{round(float(x or 0), 3):g}" for x in (m.left, m.right, m.top, m.bottom))
    return {ORIENTATION: ps.orientation or "portrait", PAPER: str(ps.paperSize or 1), SCALE: scale,
            MARGINS: f"{margins} in (left / right / top / bottom)"}


def _local_names(ws: Any) -> str | None:
    """The names a person scoped to this sheet ('Name=A1:B2', sorted; the build writes none): a rebuild drops
    them, so they are edits like a workbook-level name."""
    shown = [f"{name}={_refs(defined.attr_text) or defined.attr_text}" for name, defined in ws.defined_names.items()]
    return ", ".join(sorted(shown)) or None


def _header_footer(ws: Any) -> list[str | None]:
    """The text of the header's and the footer's left, centre and right parts (codes such as &P kept), without
    their fonts: LibreOffice spells the builder's "-,Bold" as "Calibri,Bold"."""
    return [part.text or None for item in (ws.oddHeader, ws.oddFooter) for part in (item.left, item.center, item.right)]


def _breaks(ws: Any) -> str | None:
    """The manual page breaks (a stored automatic one, man="0", is the saving program's pagination)."""
    rows = ",".join(str(b.id) for b in ws.row_breaks.brk if b.man is not False)
    cols = ",".join(str(b.id) for b in ws.col_breaks.brk if b.man is not False)
    shown = [f"{what} {ids}" for what, ids in (("after rows", rows), ("after columns", cols)) if ids]
    return ", ".join(shown) or None


def is_setting(label: str) -> bool:
    """A setting's label ('Sheet: print area'), not an object's of a cell ('Sheet!A1 ...')."""
    return label.endswith(SETTINGS) and "!" not in _sheet(label)


def changed(found: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """'Sheet: print area changed since the build (A1:J31 -> A1:F20)' of each setting of a sheet both files hold
    that differs (labels that are not settings are ignored); for the tab order, only the sheets a person moved:
    those outside the longest run of sheets both orders share (moving one tab names that tab alone)."""
    sheets = {_sheet(label) for label in found if is_setting(label)} & {_sheet(label) for label in built
                                                                          if is_setting(label)}
    out = []
    for label in sorted({*found, *built}):
        if not is_setting(label) or label.endswith(TAB) or _sheet(label) not in sheets:
            continue
        if label.endswith(BOTH_SHOWN) and (label not in found or label not in built):
            continue
        now, was = found.get(label), built.get(label)
        if now != was:
            out.append(f"{label} changed since the build ({_text(was)} -> {_text(now)})")
    order_now = sorted(sheets, key=lambda s: found[f"{s}{TAB}"])
    order_built = sorted(sheets, key=lambda s: built[f"{s}{TAB}"])
    kept = _common_run(order_now, order_built)
    for sheet in order_now:
        if sheet not in kept:
            out.append(f"{sheet}{TAB} changed since the build ({order_built.index(sheet) + 1} -> "
                       f"{order_now.index(sheet) + 1})")
    return out


def _sheet(label: str) -> str:
    """The sheet of a setting's label (a sheet name holds no ':')."""
    return label.split(": ", 1)[0]


LONGEST = 60  # characters of a value shown (a header runs to ~150)


def _text(value: Any) -> str:
    text = "none" if value is None else str(value)
    return text if len(text) <= LONGEST else text[:LONGEST] + "..."


def _common_run(a: list[str], b: list[str]) -> set[str]:
    """The sheets of a longest common subsequence of two tab orders (the tabs that kept their relative order)."""
    best = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            best[i][j] = best[i + 1][j + 1] + 1 if a[i] == b[j] else max(best[i + 1][j], best[i][j + 1])
    kept, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept
