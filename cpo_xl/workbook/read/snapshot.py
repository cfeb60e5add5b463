"""What a person can type into a workbook, read back by key and year header (the Inputs sheet and the few
settings elsewhere), and the record of the inputs a file was built from (on its hidden Engine sheet)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import DESCRIPTIVE_FIELDS, SCENARIOS, UserFile, short
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.read import parts
from cpo_xl.workbook.read.files import CUSTOM_PROPS, Recent, cell_grid, content_digest, opened, xml_tree
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import notes as in_notes

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
    # descriptive company fields a TOML set (name, displaces, listed, ...): (section, key, value), section
    # "base" or a scenario; no cell holds them, so the build record carries them (not in the digest)
    described: tuple[tuple[str, str, Any], ...] = ()
    cell_notes: tuple[tuple[str, str, str], ...] = ()  # a person's notes on input cells: (column, key, text)

    def settings(self) -> dict[str, Any]:
        """The [workbook] settings by name (L.SETTING_CELLS)."""
        return {"ranking_year": self.ranking_year, "tornado_year": self.tornado_year,
                "check_tolerance": self.tolerance}


def _norm(value: Any) -> Any:
    """Numbers as floats (1 and 1.0 are one input); anything else (text, a date typed in a cell) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value if value is None or isinstance(value, str | bool) else repr(value)
    return float(value)


def _differs(a: Any, b: Any) -> bool:
    """Two inputs that differ beyond the 15 significant digits LibreOffice saves numbers with."""
    if isinstance(_norm(a), float) and isinstance(_norm(b), float):
        return not math.isclose(a, b, rel_tol=1e-14)
    return bool(_norm(a) != _norm(b))


def snapshot_digest(s: InputsSnapshot) -> str:
    """Content hash [hex] of a snapshot (numbers compared as floats)."""
    body = repr((s.scenario, tuple(tuple(_norm(v) for v in row) for row in s.rows),
                 tuple((y, float(r)) for y, r in s.racks), _norm(s.ranking_year), _norm(s.tolerance),
                 _norm(s.tornado_year), s.notes, *((s.cell_notes,) if s.cell_notes else ())))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


LAYOUT_MARK = " layout "


def builder_fingerprint() -> str:
    """The package version, the shipped assumptions' fingerprint and the layout's digest: a file built by
    another release, on other shipped data (other sources text) or by code that lays the sheets out otherwise
    (a line added or renamed) may differ from a rebuild for reasons that are not a person's edits."""
    from cpo_xl.excel.functions import version_text
    return f"{version_text()}{LAYOUT_MARK}{L.layout_digest()}"


def snapshot_json(s: InputsSnapshot) -> str:
    """The snapshot as JSON (without ``carried``, which only describes a file someone edited), with the
    builder's fingerprint."""
    body: dict[str, Any] = {f.name: getattr(s, f.name) for f in fields(InputsSnapshot) if f.name != "carried"}
    for optional in ("described", "cell_notes"):
        if not body[optional]:
            del body[optional]  # a record without them reads as an older build's
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
            body["tornado_year"], tuple((k, t) for k, t in body["notes"]),
            described=tuple((str(sec), str(k), v) for sec, k, v in body.get("described", ())),
            cell_notes=tuple((str(c), str(k), str(t)) for c, k, t in body.get("cell_notes", ()))), \
            str(body.get("builder", ""))
    except (ValueError, KeyError, TypeError) as exc:
        raise CpoError(f"the build record is damaged ({type(exc).__name__})") from None


# The records of the last 8 file contents read (a build's guard asks three times for one file)
_records: Recent[str, tuple[InputsSnapshot, str] | None] = Recent(8)


def read_record(path: Path, wb: Any = None) -> tuple[InputsSnapshot, str] | None:
    """The inputs the builder recorded on the Engine sheet and its fingerprint, or None without a record; read
    once per file content, from ``wb`` (the file opened by the caller) when given, else by opening the file."""
    def read() -> tuple[InputsSnapshot, str] | None:
        if wb is not None:
            return _record_in(wb)
        with opened(path) as opened_wb:
            return _record_in(opened_wb)
    return _records.remembered(content_digest(path), read)


def _record_in(wb: Any) -> tuple[InputsSnapshot, str] | None:
    if L.ENGINE not in wb.sheetnames:
        return None
    first = {r: v for (r, c), v in cell_grid(wb[L.ENGINE]).items() if c == 0}
    column = [first.get(r) for r in range(max(first, default=-1) + 1)]
    if L.BUILD_RECORD_TITLE not in column:
        return None
    start = column.index(L.BUILD_RECORD_TITLE) + 1
    chunks = []
    for value in column[start:]:
        if not isinstance(value, str) or not value:
            break
        chunks.append(value)
    return snapshot_from_json("".join(chunks))


class Problems(list[str]):
    """Every bad cell of a workbook, collected so that one refusal names them all (not only the first)."""

    def raise_if_any(self) -> None:
        if self:
            cells = [p.split(" ", 1)[0] for p in self]
            head = f"{len(self)} cells refused ({', '.join(cells)}): " if len(self) > 1 else ""
            raise CpoError(head + "; ".join(self))


# The labels beside the cells pull reads (a moved or renamed cell is refused, never read as another)
SETTING_LABELS = {"ranking_year": "Ranking year", "tornado_year": "Tornado year",
                  "check_tolerance": "Check tolerance (relative)"}
RACK_LABELS = {L.INPUTS_YEARS_ROW: "Year", L.INPUTS_RACKS_ROW: "NVIDIA racks used",
               L.INPUTS_RACKS_OVERRIDE_ROW: "Racks override", L.INPUTS_RACKS_FORECAST_ROW: "Scenario rack forecast"}
SCENARIO_LABEL = "Scenario (bear / base / bull)"
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?\s*")


def number_of_text(value: Any) -> Any:
    """A number stored as text ("0.25", " 1e3 ", "25%") as the number; anything else as it is."""
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        text = value.strip()
        number = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        return number if math.isfinite(number) else value
    return value


def _label(value: Any) -> str:
    return " ".join(str(value or "").split()).lower()


def read_inputs(path: Path, problems: Problems | None = None) -> tuple[InputsSnapshot, dict[tuple[str, str], str]]:
    """The workbook's inputs and, per (key, column name), the cell they sit in (read once per file content
    when the caller collects no ``problems`` of its own: a build's guard asks twice); see :func:`_read_inputs`."""
    if problems is not None:
        return _read_inputs(path, problems)
    typed, cells = _inputs.remembered(content_digest(path), lambda: _read_inputs(path, None))
    return typed, dict(cells)


# The inputs of the last 8 file contents read (a copy of a file read before is not read again)
_inputs: Recent[str, tuple[InputsSnapshot, dict[tuple[str, str], str]]] = Recent(8)


def _read_inputs(path: Path, problems: Problems | None) -> tuple[InputsSnapshot, dict[tuple[str, str], str]]:
    """The workbook's inputs and, per (key, column name), the cell they sit in.

    The table's shape is checked before anything is read: the sheets by name, the labels beside the
    scenario, rack and settings cells, the year header and the assumption table's header row; a moved,
    renamed or missing one is refused naming the cell. Everything a person can type is then read: the
    assumption table by key (to the last key; a gap or a repeated key is refused), the scenario, the rack
    overrides by their year header, the ranking and tornado years, the check tolerance and the comment
    column. A value typed over a formula that stands for an input is folded into that input: over the live
    column -> the active scenario's column (refused naming both cells when that column was changed too);
    over the racks-used or the rack-forecast row -> the rack override of that year (refused when another of
    those cells holds another number). The cells folded are listed in the snapshot's ``carried``. A number
    stored as text is read as the number. Every bad cell is named in one refusal; given ``problems``, the bad
    values (not a table of another shape) are added to it for the caller to raise with its own."""
    from cpo_xl.engine.inputs import MAX_NOTE
    shape = Problems()
    with opened(path) as wb:
        if "Inputs" not in wb.sheetnames:
            raise CpoError(f"{path}: no Inputs sheet; not a cpo-xl workbook")
        grid = cell_grid(wb["Inputs"])
        settings: dict[str, Any] = {}
        for name, (sheet, cell) in L.SETTING_CELLS.items():
            where = f"{sheet}!{L.a1(*cell)}"
            if sheet not in wb.sheetnames:
                shape.append(f"{where} {name.replace('_', ' ')}: the sheet {sheet} is missing (renamed or "
                                "deleted?); restore it")
                continue
            sheet_grid = cell_grid(wb[sheet], last_row=cell[0] + 1)  # down to its own row
            label = sheet_grid.get((cell[0], 0))
            if not _label(label).startswith(_label(SETTING_LABELS[name])):
                shape.append(f"{sheet}!{L.a1(cell[0], 0)}: {short(label)} where the label "
                                f"'{SETTING_LABELS[name]}' belongs (a row or column moved?); restore it")
                continue
            settings[name] = number_of_text(sheet_grid.get(cell))
            if settings[name] in (None, ""):
                shape.append(f"{where} {name.replace('_', ' ')}: empty; a value is required")
        record = read_record(path, wb)
    recorded = {row[0]: dict(zip(SCENARIOS, row[1:], strict=True)) for row in record[0].rows} if record else {}

    def at(r: int, c: int) -> Any:
        return grid.get((r, c))

    if _label(at(L.INPUTS_SCENARIO_ROW, 0)) != _label(SCENARIO_LABEL):
        shape.append(f"Inputs!{L.a1(L.INPUTS_SCENARIO_ROW, 0)}: {short(at(L.INPUTS_SCENARIO_ROW, 0))} where "
                        f"the label '{SCENARIO_LABEL}' belongs (a row moved?); restore it")
    for r, text in RACK_LABELS.items():
        if not _label(at(r, 0)).startswith(_label(text)):
            shape.append(f"Inputs!{L.a1(r, 0)}: {short(at(r, 0))} where the label '{text}...' belongs "
                            "(a row moved?); restore it")
    for c, title in enumerate(L.INPUT_COLUMNS):
        if _label(at(L.INPUTS_TABLE_HEADER_ROW, c)) != title:
            shape.append(f"Inputs!{L.a1(L.INPUTS_TABLE_HEADER_ROW, c)}: column title "
                            f"{short(at(L.INPUTS_TABLE_HEADER_ROW, c))} where '{title}' belongs (cells inserted "
                            "or columns moved?); restore the table")
    shape.raise_if_any()  # a table of another shape is not read at all
    own = problems is None
    problems = Problems() if problems is None else problems
    scenario = str(at(L.INPUTS_SCENARIO_ROW, L.INPUTS_SCENARIO_COL) or "").strip().lower()
    rows: list[tuple[Any, ...]] = []
    cells: dict[tuple[str, str], str] = {(name, "setting"): f"{sheet}!{L.a1(*cell)}"
                                         for name, (sheet, cell) in L.SETTING_CELLS.items()}
    cells[("scenario", "setting")] = f"Inputs!{L.a1(L.INPUTS_SCENARIO_ROW, L.INPUTS_SCENARIO_COL)}"
    carried: list[str] = []
    notes: list[tuple[str, str]] = []
    found_notes = parts.sheet_notes(path, "Inputs")
    cell_notes: list[tuple[str, str, str]] = []

    def person_note(r: int, c: int, column: str, key: str) -> None:
        """A note on an input cell that is not the builder's: an input pull carries."""
        text = found_notes.get((r, c))
        if text is not None and not in_notes.same_note(text, in_notes.builder_note(column, key)):
            if len(text) > MAX_NOTE:
                problems.append(f"Inputs!{L.a1(r, c)} note of {key}: {len(text):,} characters; at most {MAX_NOTE:,}")
            cell_notes.append((column, key, text))
            cells[(key, f"note {column}")] = f"Inputs!{L.a1(r, c)} note"
    last = max((r for (r, c), v in grid.items() if c == L.KEY_C and r >= L.INPUTS_FIRST_KEY_ROW and v != ""),
               default=L.INPUTS_FIRST_KEY_ROW - 1)
    for r in range(L.INPUTS_FIRST_KEY_ROW, last + 1):  # by key, to the last key: a gap is refused, not an end
        if at(r, L.KEY_C) in (None, ""):
            problems.append(f"Inputs!{L.a1(r, L.KEY_C)}: a blank row inside the assumption table; delete the row "
                            "(inputs below it would be dropped)")
            continue
        key = str(at(r, L.KEY_C)).strip()
        if (key, "key") in cells:
            problems.append(f"Inputs!{L.a1(r, L.KEY_C)}: key {short(key)} appears twice (first at "
                            f"{cells[(key, 'key')]})")
            continue
        values = {s: number_of_text(at(r, L.SCENARIO_COLS[s])) for s in SCENARIOS}
        live = number_of_text(at(r, L.LIVE_C))
        if not _is_formula(live) and live not in (None, "") and scenario in SCENARIOS:
            column = f"Inputs!{L.a1(r, L.SCENARIO_COLS[scenario])}"
            was = recorded.get(key, {}).get(scenario, values[scenario])
            if _differs(values[scenario], was) and _differs(values[scenario], live):
                problems.append(f"Inputs!{L.a1(r, L.LIVE_C)} {key}: {short(live)} typed over the live value, and "
                                f"{column} changed to {short(values[scenario])}: two values for one input; "
                                "keep one of them")
            values[scenario] = live  # typed over the live column: it is what drove the model
            carried += [f"Inputs!{L.a1(r, L.LIVE_C)}", column]
        rows.append((key, *(values[s] for s in SCENARIOS)))
        for s in SCENARIOS:
            cells[(key, s)] = f"Inputs!{L.a1(r, L.SCENARIO_COLS[s])}"
        cells[(key, "key")] = f"Inputs!{L.a1(r, L.KEY_C)}"
        cells[(key, "comment")] = f"Inputs!{L.a1(r, L.COMMENT_C)}"
        note = at(r, L.COMMENT_C)
        if note not in (None, ""):
            if len(str(note)) > MAX_NOTE:
                problems.append(f"Inputs!{L.a1(r, L.COMMENT_C)} comment of {key}: {len(str(note)):,} characters; "
                                f"at most {MAX_NOTE:,}")
            notes.append((key, str(note)))
        for c, column in enumerate(L.INPUT_COLUMNS):
            person_note(r, c, column, key)
    for year in YEARS:
        person_note(L.INPUTS_RACKS_OVERRIDE_ROW, L.year_col(year), in_notes.RACKS, str(year))
    racks = _rack_overrides(at, cells, carried, problems)
    if own:
        problems.raise_if_any()
    if not rows:
        raise CpoError(f"{path}: the Inputs sheet holds no assumption rows")
    return (InputsSnapshot(scenario, tuple(rows), tuple(racks), settings.get("ranking_year"),
                           settings.get("check_tolerance"), settings.get("tornado_year"), tuple(notes),
                           tuple(carried), record[0].described if record else (), tuple(sorted(cell_notes))), cells)


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _rack_overrides(at: Callable[[int, int], Any], cells: dict[tuple[str, str], str],
                    carried: list[str], problems: list[str]) -> list[tuple[int, float]]:
    """Racks typed for given years, read by the year header (a shifted header is refused). A number typed
    over the racks-used row or over the rack-forecast row drives the model's racks of that year (the
    forecast feeds the racks used when the override is blank): carried as the override; two different
    numbers among those cells are refused naming both."""
    racks = []
    for year in YEARS:
        col = L.year_col(year)
        header = at(L.INPUTS_YEARS_ROW, col)
        if isinstance(header, bool) or not isinstance(header, int | float) or header != year:
            problems.append(f"Inputs!{L.a1(L.INPUTS_YEARS_ROW, col)}: year header {short(header)} where {year} "
                            "belongs; restore the year row (overrides would land in the wrong year)")
            continue
        where = f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, col)}"
        cells[(str(year), "racks")] = where
        typed = []
        for row in (L.INPUTS_RACKS_ROW, L.INPUTS_RACKS_OVERRIDE_ROW, L.INPUTS_RACKS_FORECAST_ROW):
            value = number_of_text(at(row, col))
            if row != L.INPUTS_RACKS_OVERRIDE_ROW and (_is_formula(value) or value in (None, "")):
                continue  # the formula the builder wrote
            if value in (None, ""):
                continue
            typed.append((f"Inputs!{L.a1(row, col)}", value))
        bad = [(cell, v) for cell, v in typed if isinstance(v, bool) or not isinstance(v, int | float)
               or not 0 <= v <= MAX_RACKS]
        for cell, v in bad:
            kind = "is text" if isinstance(v, str) else "is not a number" if isinstance(v, bool) or not \
                isinstance(v, int | float) else f"is outside 0 to {MAX_RACKS:,.0f}"
            problems.append(f"{cell} racks {year}: {short(v)} {kind}; a number of racks 0 to {MAX_RACKS:,.0f} "
                            "is needed")
        if bad or not typed:
            continue
        if len({float(v) for _, v in typed}) > 1:
            problems.append(f"{typed[0][0]} racks {year}: " + ", ".join(f"{c} holds {short(v)}" for c, v in typed)
                            + ": two values for one year's racks; keep one of them")
            continue
        racks.append((year, float(typed[0][1])))
        if typed[0][0] != where or len(typed) > 1:
            carried += [c for c, _ in typed if c != where] + [where]
    return racks


def described_of(user: UserFile | None) -> tuple[tuple[str, str, Any], ...]:
    """The descriptive company fields (DESCRIPTIVE_FIELDS) a user file sets, as (section, key, value)."""
    if user is None:
        return ()
    sections = [("base", user.base), *user.scenarios]
    return tuple((name, str(key), value) for name, pairs in sections for key, value in pairs
                 if str(key).startswith("companies.") and str(key).rsplit(".", 1)[-1] in DESCRIPTIVE_FIELDS)


def recorded_digest(path: Path) -> str | None:
    """The inputs digest the builder stored in the file's custom document properties, if any."""
    with zipfile.ZipFile(path) as z:
        if CUSTOM_PROPS not in z.namelist():
            return None
        root = xml_tree(z.read(CUSTOM_PROPS))
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
    now_cell, was_cell = ({(c, k): t for c, k, t in s.cell_notes} for s in (typed, recorded))
    changed += [cells.get((k, f"note {c}"), f"Inputs note on {c} of {k} (deleted)")
                for c, k in sorted({*now_cell, *was_cell}) if now_cell.get((c, k)) != was_cell.get((c, k))]
    return changed
