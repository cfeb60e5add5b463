"""The notes the builder puts on the Inputs sheet's input cells, and the notes a person adds there.

A person's note on an input cell (any column of an assumption row, or a rack override cell) is an input:
`pull` carries it into the TOML ([cell_notes.COLUMN]) and the build writes it back in place of the builder's
own note on that cell. A note that equals the builder's is not a person's."""

from __future__ import annotations

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import UserFile, shipped
from cpo_xl.workbook.spec import layout as L

RACKS = "racks"  # the [cell_notes] column of the rack override row, keyed by year


def value_note(key: str) -> str:
    """The builder's note on an assumption's bear, base and bull cells: label, unit, source, date, grade."""
    _, meta, _ = shipped()
    m = meta.get(key)
    label, unit = (m.label, m.unit or "see label") if m else (key, "see label")
    source, date, grade = (m.source, m.date, m.grade) if m else ("user file", "", "")
    return f"{label} [{unit}]\nSource: {source}\nDate: {date or 'n/a'}   Grade: {grade or 'n/a'}"


def rack_note(year: int) -> str:
    """The builder's note on a rack override cell."""
    return (f"Racks override {year} [NVL72-eq racks]: optional; typed racks are taken as given (Checks flags "
            "any above an envelope). Blank: the scenario forecast. Source: the analyst.")


def builder_note(column: str, key: str) -> str | None:
    """The note the builder writes on the cell of ``column`` in ``key``'s row (a year, for the racks)."""
    if column == RACKS:
        return rack_note(int(key))
    return value_note(key) if column in L.SCENARIO_COLS else None


def same_note(found: str | None, built: str | None) -> bool:
    """Equal up to line ends and the white space around them (LibreOffice and Excel rewrite both)."""
    def norm(text: str | None) -> str:
        return "\n".join(line.strip() for line in (text or "").replace("\r", "\n").strip().split("\n"))
    return norm(found) == norm(built)


def by_cell(user: UserFile | None) -> dict[tuple[str, str], str]:
    """(column, key) -> a person's note, from a user file; a column the Inputs sheet lacks is refused."""
    notes = user.cell_notes if user else ()
    allowed = (*L.INPUT_COLUMNS, RACKS)
    for column, key, _ in notes:
        if column not in allowed:
            raise CpoError(f"[cell_notes.{column}] {key}: no such Inputs column; allowed: {', '.join(allowed)}")
    return {(column, key): text for column, key, text in notes}
