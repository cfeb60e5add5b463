"""Issue 24: a note a person puts on an input cell is carried (pull -> TOML -> build), not refused.

Before: a note on any Inputs cell made `build` refuse ("Inputs!F20 note"), and `--force` dropped it into a
.bak; pull did not read notes. Now a note on an input cell - any column of an assumption row, or a rack
override cell - that differs from the builder's own note is an input: `build` asks for `pull` first (as for an
edited value), `pull` writes it under [cell_notes.COLUMN], and the build writes it back on the same cell.
A note anywhere else is still refused naming the cell (test_issue24_guard.py); a bad [cell_notes] table in a
TOML is one line naming column and key (test_edits.py)."""

import shutil
import tomllib

import openpyxl
import pytest
from openpyxl.comments import Comment

from cpo_xl.workbook.read import snapshot
from cpo_xl.workbook.spec import layout as L
from tests.conftest import run

KEY = "pricing.erosion_2027"


def _cells(workbook):
    """(label cell, base cell, rack override 2028 cell) as A1 references."""
    _, cells = snapshot.read_inputs(workbook)
    base, racks = (cells[where].removeprefix("Inputs!") for where in ((KEY, "base"), ("2028", "racks")))
    return L.a1(int(base[1:]) - 1, L.LABEL_C), base, racks


@pytest.mark.slow
def test_notes_on_input_cells_go_through_pull_and_come_back_on_their_cells(built, tmp_path, capsys):
    workbook, toml = tmp_path / "w.xlsx", tmp_path / "mine.toml"
    shutil.copy(built, workbook)
    label, base, racks = _cells(workbook)
    book = openpyxl.load_workbook(workbook)
    ws = book["Inputs"]
    builder_note = ws[base].comment.text
    ws[label].comment = Comment("asked LITE IR on 3 Dec: erosion holds", "analyst")
    ws[base].comment = Comment(builder_note + "\nMy view: 10% is generous", "analyst")  # the builder's, edited
    ws[racks].comment = Comment("GTC 2027 guidance pending", "analyst")
    book.save(workbook)

    code, _, err = run(capsys, "build", "--output", workbook)  # unpulled: asked to pull, like an edited value
    assert code == 2 and "run cpo-xl pull" in err and f"Inputs!{label} note" in err, err
    assert list(tmp_path.glob("*.bak*")) == []

    assert run(capsys, "pull", workbook, "--output", toml)[0] == 0
    notes = tomllib.loads(toml.read_text(encoding="utf-8"))["cell_notes"]
    assert notes["label"] == {KEY: "asked LITE IR on 3 Dec: erosion holds"}
    assert notes["base"][KEY].endswith("My view: 10% is generous")
    assert notes["racks"] == {"2028": "GTC 2027 guidance pending"}
    assert set(notes) == {"label", "base", "racks"}  # the ~900 builder notes are not carried

    code, out, err = run(capsys, "build", "--assumptions", toml, "--output", workbook)
    assert code == 0 and list(tmp_path.glob("*.bak*")) == [], (out, err)
    ws = openpyxl.load_workbook(workbook)["Inputs"]
    assert ws[label].comment.text == "asked LITE IR on 3 Dec: erosion holds"
    assert ws[base].comment.text.endswith("My view: 10% is generous")
    assert ws[racks].comment.text == "GTC 2027 guidance pending"
    other = L.a1(int(base[1:]) - 1, L.BEAR_C)
    assert ws[other].comment.text == builder_note  # the bear cell keeps the builder's note

    # the round trip is stable: the same TOML again, and a rebuild over its own output needs no --force
    again = tmp_path / "again.toml"
    assert run(capsys, "pull", workbook, "--output", again)[0] == 0
    assert tomllib.loads(again.read_text(encoding="utf-8"))["cell_notes"] == notes
    assert run(capsys, "build", "--assumptions", again, "--output", workbook)[0] == 0
    assert list(tmp_path.glob("*.bak*")) == []
