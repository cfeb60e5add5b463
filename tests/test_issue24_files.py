"""Issue 24: files and keys. Before this change (each on main): a full disk inside XlsxWriter's close raised
FileCreateError (not an OSError) as a traceback; a full disk while copying the .bak left a cut-off .bak; a
[rack_units] key "²" was a traceback and "２０２８" was silently 2028; a TOML with a byte-order mark failed;
LibreOffice's lock file was not honoured; `--output link.xlsx` replaced the symbolic link with a file; a .bak
was named NAME.xlsx.<stamp>.bak (Excel does not open it as it is); `.NAME.cpo-lock` stayed beside every
output; a second pull overwrote a pulled TOML a person had edited, without a .bak.
"""

import errno
import os
import shutil
import sys

import pytest

from tests.conftest import digest, run
from tests.sheet_xml import set_cells


@pytest.mark.slow
@pytest.mark.fresh_build  # the failure is inside XlsxWriter, so the build must run
def test_a_full_disk_inside_xlsxwriter_is_one_line_and_the_target_is_unchanged(built, tmp_path, capsys, monkeypatch):
    import xlsxwriter.workbook
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    before = digest(workbook)

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(xlsxwriter.workbook.Workbook, "_store_workbook", full)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err
    assert digest(workbook) == before and sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]


@pytest.mark.slow
def test_a_full_disk_while_keeping_the_bak_leaves_no_partial_bak(built, tmp_path, capsys, monkeypatch):
    workbook = set_cells(built, tmp_path / "w.xlsx", {"TAM!A6": "my label"})
    before = digest(workbook)

    def half_copy(src, dst, *args, **kwargs):
        with open(dst, "wb") as handle:
            handle.write(b"PK\x03\x04 cut off")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(shutil, "copy2", half_copy)
    code, _, err = run(capsys, "build", "--output", workbook, "--force")
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err
    assert digest(workbook) == before and sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]


@pytest.mark.parametrize("key", ["²", "２０２８", "٢٠٢٨"])
def test_rack_years_in_other_digits_are_refused(tmp_path, capsys, key):
    toml = tmp_path / "a.toml"
    toml.write_text(f'[rack_units]\n"{key}" = 30000\n', encoding="utf-8")
    code, _, err = run(capsys, "summary", "--assumptions", toml)
    assert code == 2 and err.count("\n") == 1 and "ASCII digits" in err, err


def test_a_toml_with_a_byte_order_mark_is_read(tmp_path, capsys):
    toml = tmp_path / "a.toml"
    toml.write_bytes("\ufeffscenario = \"bull\"\n".encode())
    code, out, err = run(capsys, "summary", "--assumptions", toml)
    assert code == 0 and "bull" in out, err


@pytest.mark.slow
def test_libreoffice_lock_file_is_honoured(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    (tmp_path / ".~lock.w.xlsx#").write_text(",someone,host,03.12.2026 10:00,", encoding="utf-8")
    before = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and "LibreOffice" in err and digest(workbook) == before, err


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_symlinked_output_is_written_through_and_no_lock_file_is_left(built, tmp_path, capsys):
    real = tmp_path / "store" / "real.xlsx"
    real.parent.mkdir()
    shutil.copy(built, real)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    code, _, err = run(capsys, "build", "--output", link)
    assert code == 0, err
    assert link.is_symlink() and os.path.realpath(link) == str(real)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.xlsx", "store"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.xlsx"]  # no .real.xlsx.cpo-lock


@pytest.mark.slow
def test_a_bak_keeps_the_real_extension_last(built, tmp_path, capsys):
    workbook = set_cells(built, tmp_path / "w.xlsx", {"TAM!A6": "my label"})
    assert run(capsys, "build", "--output", workbook, "--force")[0] == 0
    (bak,) = [p for p in tmp_path.iterdir() if ".bak" in p.name]
    assert bak.name.startswith("w.") and bak.name.endswith(".bak.xlsx")


@pytest.mark.slow
def test_pull_refuses_to_overwrite_a_pulled_toml_edited_by_hand(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    toml = tmp_path / "w.toml"
    assert run(capsys, "pull", workbook, "--output", toml)[0] == 0
    assert run(capsys, "pull", workbook, "--output", toml)[0] == 0  # unedited: pulled again
    toml.write_text(toml.read_text(encoding="utf-8") + '"pricing.erosion_2027" = 0.3\n', encoding="utf-8")
    edited = digest(toml)
    code, _, err = run(capsys, "pull", workbook, "--output", toml)
    assert code == 2 and "edited by hand" in err and digest(toml) == edited, err
    code, _, err = run(capsys, "pull", workbook, "--output", toml, "--force")
    (bak,) = [p for p in tmp_path.iterdir() if ".bak" in p.name]
    assert code == 0 and digest(bak) == edited and bak.name.endswith(".bak.toml"), err


@pytest.mark.slow
def test_republishing_over_an_unedited_pm_copy_just_works(built, pm_copy, tmp_path, capsys):
    """Before: 'holds sheets the builder did not make (Scenario_Values)': publish refused its own copy."""
    target = tmp_path / "pm.xlsx"
    shutil.copy(pm_copy, target)
    code, _, err = run(capsys, "publish", built, "--output", target)
    assert code == 0 and not [p for p in tmp_path.iterdir() if ".bak" in p.name], err


@pytest.mark.slow
def test_the_lock_file_an_earlier_release_left_beside_an_output_is_removed(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    (tmp_path / ".w.xlsx.cpo-lock").write_bytes(b"")
    assert run(capsys, "build", "--output", workbook)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]
