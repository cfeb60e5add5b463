"""Issue 24: LibreOffice is a client too. Before this change a workbook LibreOffice saved (numbers rewritten
with 15 significant digits, `=CPO_VERSION()` saved as `=cpo_version()`) was refused by build as ~157 edits
even right after a pull."""

import shutil

import pytest

from tests.conftest import run, soffice


@pytest.mark.slow
def test_a_workbook_saved_by_libreoffice_round_trips_without_force(built, tmp_path, capsys):
    source = tmp_path / "lo.xlsx"
    shutil.copy(built, source)
    (saved,) = soffice([source], tmp_path, "xlsx")
    workbook = tmp_path / "w.xlsx"
    shutil.copy(saved, workbook)
    toml = tmp_path / "w.toml"
    code, _, err = run(capsys, "pull", workbook, "--output", toml)
    assert code == 0, err
    # LibreOffice rewrites the notes' XML (and their line ends): the ~900 builder notes are still the
    # builder's, so none is carried as a person's
    assert "[cell_notes" not in toml.read_text(encoding="utf-8")
    code, _, err = run(capsys, "build", "--assumptions", toml, "--output", workbook)
    assert code == 0, err
    assert not [p for p in tmp_path.iterdir() if ".bak" in p.name]
