"""What a person can type into a workbook, read back by key and year header (the Inputs sheet and the few
settings elsewhere), and the record of the inputs a file was built from (on its hidden Engine sheet)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, short
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook import layout as L
from cpo_xl.workbook.files import CUSTOM_PROPS, opened

MAX_RACKS = 1e9  # racks per year, the bound rack_units has everywhere


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

    def settings(self) -> dict[str, Any]:
        """The [workbook] settings by name (L.SETTING_CELLS)."""
        return {"ranking_year": self.ranking_year, "tornado_year": self.tornado_year,
                "check_tolerance": self.tolerance}


def _norm(value: Any) -> Any:
    """Numbers as floats (1 and 1.0 are one input); anything else (text, a date typed in a cell) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value if value is None or isinstance(value, str | bool) else repr(value)
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
    a person's edits. Within one release the layout is the same by definition. The one version string."""
    from cpo_xl.excel.functions import version_text
    return version_text()


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
        settings = {name: _cell(wb, sheet, *cell) for name, (sheet, cell) in L.SETTING_CELLS.items()}

    def at(r: int, c: int) -> Any:
        return grid_rows[r][c] if r < len(grid_rows) and c < len(grid_rows[r]) else None

    scenario = str(at(L.INPUTS_SCENARIO_ROW, 2) or "").strip().lower()
    rows: list[tuple[Any, ...]] = []
    cells: dict[tuple[str, str], str] = {(name, "setting"): f"{sheet}!{L.a1(*cell)}"
                                         for name, (sheet, cell) in L.SETTING_CELLS.items()}
    cells[("scenario", "setting")] = f"Inputs!{L.a1(L.INPUTS_SCENARIO_ROW, 2)}"
    carried: list[str] = []
    notes: list[tuple[str, str]] = []
    last = max((r for r in range(L.INPUTS_FIRST_KEY_ROW, len(grid_rows)) if at(r, L.KEY_C) not in (None, "")),
               default=L.INPUTS_FIRST_KEY_ROW - 1)
    for r in range(L.INPUTS_FIRST_KEY_ROW, last + 1):  # by key, to the last key: a gap is refused, not an end
        if at(r, L.KEY_C) in (None, ""):
            raise CpoError(f"Inputs!{L.a1(r, L.KEY_C)}: a blank row inside the assumption table; delete the row "
                           "(inputs below it would be dropped)")
        key = str(at(r, L.KEY_C)).strip()
        if (key, "key") in cells:
            raise CpoError(f"Inputs!{L.a1(r, L.KEY_C)}: key {key} appears twice (first at {cells[(key, 'key')]})")
        values = {s: at(r, L.SCENARIO_COLS[s]) for s in SCENARIOS}
        live = at(r, L.LIVE_C)
        if not _is_formula(live) and live not in (None, "") and scenario in SCENARIOS:
            values[scenario] = live  # typed over the live column: it is what drove the model
            carried += [f"Inputs!{L.a1(r, L.LIVE_C)}", f"Inputs!{L.a1(r, L.SCENARIO_COLS[scenario])}"]
        rows.append((key, *(values[s] for s in SCENARIOS)))
        for s in SCENARIOS:
            cells[(key, s)] = f"Inputs!{L.a1(r, L.SCENARIO_COLS[s])}"
        cells[(key, "key")] = f"Inputs!{L.a1(r, L.KEY_C)}"
        cells[(key, "comment")] = f"Inputs!{L.a1(r, L.COMMENT_C)}"
        note = at(r, L.COMMENT_C)
        if note not in (None, ""):
            notes.append((key, str(note)))
    if not rows:
        raise CpoError(f"{path}: the Inputs sheet holds no assumption rows")
    racks = _rack_overrides(at, cells, carried)
    return (InputsSnapshot(scenario, tuple(rows), tuple(racks), settings["ranking_year"], settings["check_tolerance"],
                           settings["tornado_year"], tuple(notes),
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
            raise CpoError(f"Inputs!{L.a1(L.INPUTS_YEARS_ROW, col)}: year header {header!r} where {year} belongs; "
                           "restore the year row (overrides would land in the wrong year)")
        where = f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, col)}"
        cells[(str(year), "racks")] = where
        value = at(L.INPUTS_RACKS_OVERRIDE_ROW, col)
        used = at(L.INPUTS_RACKS_ROW, col)
        if not _is_formula(used) and used not in (None, ""):  # typed over the racks-used row
            used_cell = f"Inputs!{L.a1(L.INPUTS_RACKS_ROW, col)}"
            if value not in (None, "") and value != used:
                raise CpoError(f"{used_cell} racks {used!r} typed over the racks used, and {where} holds "
                               f"{value!r}: keep one of them")
            value = used
            carried += [used_cell, where]
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_RACKS:
            raise CpoError(f"{where} rack override {year}: {short(value)} is outside 0 to {MAX_RACKS:,.0f}")
        racks.append((year, float(value)))
    return racks


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




def edited_cells(typed: InputsSnapshot, cells: dict[tuple[str, str], str], recorded: InputsSnapshot) -> list[str]:
    """The cells whose typed input differs from the inputs the file was built from (scenario, assumption
    values, rack overrides, the three settings, comments)."""
    changed = []
    if typed.scenario != recorded.scenario:
        changed.append(cells[("scenario", "setting")])
    built = {row[0]: row[1:] for row in recorded.rows}
    for key, *values in typed.rows:
        before = built.get(key, (None,) * len(SCENARIOS))
        changed += [cells[(key, s)] for s, new, old in zip(SCENARIOS, values, before, strict=True)
                    if _norm(new) != _norm(old)]
    present = {row[0] for row in typed.rows}
    changed += [f"Inputs row of {key} (deleted)" for key in built if key not in present]
    was, now = dict(recorded.racks), dict(typed.racks)
    changed += [cells[(str(y), "racks")] for y in YEARS if was.get(y) != now.get(y)]
    was_set = recorded.settings()
    changed += [cells[(name, "setting")] for name, value in typed.settings().items()
                if _norm(value) != _norm(was_set[name])]
    now_notes, was_notes = dict(typed.notes), dict(recorded.notes)
    changed += [cells.get((key, "comment"), f"Inputs comment of {key}") for key in sorted({*now_notes, *was_notes})
                if now_notes.get(key) != was_notes.get(key)]
    return changed
