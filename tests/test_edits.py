"""Nothing a person typed is dropped silently (issue: every edit kept or refused).

Each edit below was ignored by `pull` and discarded by `build` with exit 0 before this change: a value typed
over the live column or the racks-used row, the tornado year, a comment, a label; the ranking year, tolerance
and tornado year did not survive pull -> build; a shifted year header put an override in the wrong year.
"""

import errno
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from cpo_xl.workbook.spec import layout as L
from tests.conftest import digest, run, with_part
from tests.sheet_xml import cell_values, set_cell_xml, set_cells


def edited(built: Path, tmp_path: Path, edits: dict[str, object], name: str = "w.xlsx") -> Path:
    """A copy of the built workbook with cells typed, e.g. {'Inputs!E13': 5} (sheet_xml.set_cells)."""
    return set_cells(built, tmp_path / name, edits)


def row_of(built: Path, key: str) -> int:
    ws = openpyxl.load_workbook(built, read_only=True)["Inputs"]
    return next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if row[L.KEY_C] == key)


@pytest.mark.slow
def test_typed_cells_survive_pull_then_build(built, tmp_path, capsys):
    r = row_of(built, "pricing.erosion_2027")
    live, base = f"Inputs!{L.a1(r - 1, L.LIVE_C)}", f"Inputs!{L.a1(r - 1, L.BASE_C)}"
    comment = f"Inputs!{L.a1(r - 1, L.COMMENT_C)}"
    used, override = f"Inputs!{L.a1(L.INPUTS_RACKS_ROW, L.year_col(2026))}", \
        f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, L.year_col(2026))}"
    settings = {"Sensitivity!" + L.a1(*L.SENSITIVITY_YEAR_CELL): 2028,
                "Elasticity!" + L.a1(*L.ELASTICITY_YEAR_CELL): 2029, "Checks!" + L.a1(*L.CHECK_TOLERANCE_CELL): 1e-5}
    workbook = edited(built, tmp_path, {live: 0.2, comment: "checked with the desk", used: 12345, **settings})
    before = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)  # the edits are inputs: pull first
    assert code == 2 and "inputs edited" in err and digest(workbook) == before
    toml = tmp_path / "w.toml"
    assert run(capsys, "pull", workbook, "--output", toml)[0] == 0
    code, _, err = run(capsys, "build", "--assumptions", toml, "--output", workbook)
    assert code == 0, err
    got = cell_values(workbook, base, comment, override, *settings)
    assert got == [0.2, "checked with the desk", 12345, 2028, 2029, 1e-5]
    assert cell_values(workbook, live)[0].startswith("=")  # the live formula is back, fed by the base column


@pytest.mark.slow
def test_a_label_edit_is_named_and_refused(built, tmp_path, capsys):
    workbook = edited(built, tmp_path, {"TAM!A6": "my own label", "Lasers!B9": 42})
    before = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and err.count("\n") == 1 and "TAM!A6" in err and "Lasers!B9" in err
    assert digest(workbook) == before and list(tmp_path.glob("*.bak.xlsx")) == []
    code, _, _ = run(capsys, "build", "--output", workbook, "--force")
    assert code == 0 and len(list(tmp_path.glob("w.*.bak.xlsx"))) == 1  # the edited file is kept beside


@pytest.mark.slow
def test_an_unedited_workbook_rebuilds_without_force(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    assert run(capsys, "build", "--output", workbook)[0] == 0


@pytest.mark.slow
def test_racks_typed_over_the_used_row_and_the_override_row_disagreeing_are_refused(built, tmp_path, capsys):
    used = f"Inputs!{L.a1(L.INPUTS_RACKS_ROW, L.year_col(2027))}"
    override = f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, L.year_col(2027))}"
    workbook = edited(built, tmp_path, {used: 1000, override: 2000})
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and used in err and override in err and not (tmp_path / "p.toml").exists()


@pytest.mark.slow
def test_a_shifted_year_header_is_refused(built, tmp_path, capsys):
    header = f"Inputs!{L.a1(L.INPUTS_YEARS_ROW, L.year_col(2026))}"
    workbook = edited(built, tmp_path, {header: 2027})
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and header in err and "year header" in err


@pytest.mark.parametrize(("text", "fragment"), [
    ("[workbook]\nranking_year = 1999\n", "outside"),
    ("[workbook]\ntornado_year = true\n", "not a number"),
    ("[workbook]\ncheck_tolerance = 5.0\n", "outside"),
    ("[workbook]\nshoe_size = 9\n", "unknown"),
    ('[notes]\n"no.such.key" = "x"\n', "no such assumption"),
    # issue 24: [cell_notes.COLUMN] tables (tests/test_issue24_notes.py carries the good ones)
    ('[cell_notes.colour]\n"pricing.erosion_2027" = "x"\n',
     "[cell_notes.colour] pricing.erosion_2027: no such Inputs column"),
    ('[cell_notes.base]\n"no.such.key" = "x"\n', "cell note base no.such.key: no such assumption"),
    ('[cell_notes.racks]\n"２０２８" = "x"\n', "cell note racks ２０２８: not a year"),
    ('[cell_notes.racks]\n"2028" = 5\n', "cell note racks 2028 must be text"),
])
def test_bad_workbook_settings_in_a_toml_are_one_line(tmp_path, capsys, text, fragment):
    toml = tmp_path / "a.toml"
    toml.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "build", "--assumptions", toml, "--output", tmp_path / "x.xlsx")
    assert code == 2 and fragment in err and err.count("\n") == 1 and not (tmp_path / "x.xlsx").exists()


@pytest.mark.slow
@pytest.mark.parametrize("xml", [b'<c r="C14"><v>nan</v></c>', b'<c r="C14"><v>inf</v></c>',
                                 b'<c r="C14" t="d"><v>99999-99-99</v></c>'])
@pytest.mark.parametrize("verb", ["check", "pull", "diff", "publish"])
def test_an_unreadable_cell_is_one_line_for_every_reader(built, tmp_path, capsys, xml, verb):
    bad = tmp_path / "bad.xlsx"
    set_cell_xml(built, bad, "Inputs!C14", xml)
    before = digest(bad)
    args = {"check": ("check", bad), "pull": ("pull", bad, "--output", tmp_path / "p.toml"),
            "diff": ("diff", built, bad), "publish": ("publish", bad, "--output", tmp_path / "pm.xlsx")}[verb]
    code, _, err = run(capsys, *args)
    assert code == 2 and err.count("\n") == 1 and "a cell cannot be read" in err and "Traceback" not in err
    assert digest(bad) == before and not (tmp_path / "p.toml").exists() and not (tmp_path / "pm.xlsx").exists()


@pytest.mark.slow
def test_diff_shows_a_changed_comment_and_tornado_year(built, tmp_path, capsys):
    r = row_of(built, "pricing.erosion_2027")
    workbook = edited(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.COMMENT_C)}": "desk view",
                                        "Sensitivity!" + L.a1(*L.SENSITIVITY_YEAR_CELL): 2031})
    code, out, _ = run(capsys, "diff", built, workbook)
    assert code == 0 and "desk view" in out and "2031" in out and "tornado year" in out


@pytest.mark.slow
def test_a_file_from_another_release_is_replaced_with_a_backup(built, tmp_path, capsys, monkeypatch):
    from cpo_xl.workbook.read import snapshot
    workbook = edited(built, tmp_path, {"TAM!A6": "an edit this release cannot tell from its own changes"})
    monkeypatch.setattr(snapshot, "builder_fingerprint", lambda: "cpo-xl 9.9.9 (assumptions other)")
    code, out, _ = run(capsys, "build", "--output", workbook)
    backups = list(tmp_path.glob("w.*.bak.xlsx"))
    assert code == 0 and len(backups) == 1 and backups[0].name in out
    kept = shutil.copy(backups[0], tmp_path / "kept.xlsx")
    assert cell_values(kept, "TAM!A6") == ["an edit this release cannot tell from its own changes"]


@pytest.mark.slow
def test_a_full_disk_leaves_the_workbook_as_it_was(built, tmp_path, capsys, monkeypatch):
    import errno

    from cpo_xl.cli import build as build_verb
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    before = digest(workbook)

    def disk_fills_up(path, case=None, static=False):
        path.write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(build_verb, "build_workbook", disk_fills_up)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err and "unchanged" in err
    left = sorted(p.name for p in tmp_path.iterdir())
    assert digest(workbook) == before and left == ["w.xlsx"]  # no temporary, no .bak, no lock file


@pytest.mark.parametrize("verb", [("simulate", "-n", 200), ("bridge", "base", "bull")])
def test_a_chart_the_disk_cannot_hold_leaves_the_previous_chart_whole(tmp_path, capsys, monkeypatch, verb):
    """Found by a newcomer review: savefig wrote straight over the old PNG and a full disk left it cut off."""
    from cpo_xl.cli import bridge, simulate
    module, name = (simulate, "fan_chart.png") if verb[0] == "simulate" else (bridge, "bridge_tam_2030.png")
    old = tmp_path / name
    old.write_bytes(b"\x89PNG the previous chart")
    before = digest(old)

    def disk_fills_up(path, *args):
        path.write_bytes(b"\x89PNG half a chart")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(module, "fan_chart" if verb[0] == "simulate" else "waterfall_png", disk_fills_up)
    # --force: the previous file is not a chart cpo-xl wrote, so without it the verb refuses before drawing
    code, out, err = run(capsys, *verb, "--output-dir", tmp_path, "--force")
    assert code == 2 and err.count("\n") == 1 and f"{old}: cannot write (No space left on device)" in err
    assert digest(old) == before and [p.name for p in tmp_path.iterdir()] == [name]  # no temporary left
    assert out == ""  # the chart is written before the tables print, so a failure prints no numbers first


def test_a_bad_output_folder_is_refused_before_the_work(tmp_path, capsys):
    a_file = tmp_path / "f"
    a_file.write_text("x", encoding="utf-8")
    for verb in (("simulate", "-n", 1_000_000), ("bridge", "base", "bull")):
        for folder, fragment in ((a_file, "is a file, not a folder"), ("", "--output-dir is empty"),
                                 (a_file / "under", "cannot create it")):
            code, out, err = run(capsys, *verb, "--output-dir", folder)
            assert code == 2 and out == "" and fragment in err and err.count("\n") == 1, (verb, folder, err)


@pytest.mark.slow
def test_the_chart_is_written_when_the_tables_are_piped_into_head(tmp_path):
    for verb, name in (("simulate -n 300", "fan_chart.png"), ("bridge base bull", "bridge_tam_2030.png")):
        cmd = f"'{sys.executable}' -m cpo_xl.cli {verb} --output-dir '{tmp_path}' | head -1"
        done = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args", [("simulate", "-n", 100, "--output-dir", "/sys/cpo-xl-test"),
                                  ("bridge", "base", "bull", "--output-dir", "/sys/cpo-xl-test"),
                                  ("build", "--output", "/sys/cpo-xl-test.xlsx")])
def test_an_output_the_system_refuses_is_one_line(capsys, args):
    # /sys refuses new files even to root, so this runs where chmod cannot make a folder unwritable
    if not Path("/sys").is_dir():
        pytest.skip("no /sys on this system")
    code, _, err = run(capsys, *args)
    assert code == 2 and err.count("\n") == 1 and "/sys/cpo-xl-test" in err and "Traceback" not in err


@pytest.mark.slow
def test_review_findings_end_in_one_line(built, tmp_path, capsys):
    """Found by an adversarial review: each ended in a traceback, an out-of-memory kill or silence."""
    toml = tmp_path / "s.toml"
    toml.write_text("[scenarios]\nbull = 5\n", encoding="utf-8")
    bull = tmp_path / "b.toml"
    bull.write_text('[scenarios.bull]\n"racks.growth_2027" = "abc"\n', encoding="utf-8")  # not the shown scenario
    copy = tmp_path / "w.xlsx"
    shutil.copy(built, copy)
    for args, fragment in [(("summary", "--year", 10**23), "outside the model horizon"),
                           (("explain", "tam", 10**23), "outside the model horizon"),
                           (("simulate", "-n", -5), "draws -5"), (("simulate", "-n", 10_000_001), "draws"),
                           (("summary", "--assumptions", toml), "must be a table"),
                           (("summary", "--assumptions", bull), "racks.growth_2027"),
                           (("pull", copy, "--output", "/dev/null"), "not a regular file")]:
        code, _, err = run(capsys, *args)
        assert code == 2 and err.count("\n") == 1 and fragment in err, (args, err)


@pytest.mark.slow
def test_a_deleted_assumption_row_is_named_not_defaulted(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    key = book["Inputs"].cell(L.INPUTS_FIRST_KEY_ROW + 8, L.KEY_C + 1).value
    book["Inputs"].delete_rows(L.INPUTS_FIRST_KEY_ROW + 8)
    book.save(workbook)
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and key in err and "missing" in err
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and f"Inputs row of {key} (deleted)" in err


@pytest.mark.slow
def test_inputs_edited_since_the_build_are_named(built, tmp_path, capsys):
    r = row_of(built, "pricing.erosion_2027")
    workbook = edited(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.BULL_C)}": 0.3})
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and f"Inputs!{L.a1(r - 1, L.BULL_C)}" in err and "pull" in err


@pytest.mark.slow
def test_outputs_are_named_for_what_they_hold(built, tmp_path, capsys):
    for args, fragment in [(("build", "--output", tmp_path / "w.txt"), "name it *.xlsx"),
                           (("publish", built, "--output", tmp_path / "pm.csv"), "name it *.xlsx"),
                           (("pull", built, "--output", tmp_path / "p.xlsx"), "name it *.toml")]:
        code, _, err = run(capsys, *args)
        assert code == 2 and fragment in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_removed_defined_name_is_an_edit(built, tmp_path, capsys):
    def without_name(xml):
        new, n = re.subn(rb'<definedName name="master_check"[^>]*>[^<]*</definedName>', b"", xml)
        assert n == 1
        return new
    workbook = with_part(built, tmp_path / "w.xlsx", "xl/workbook.xml", without_name)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and "defined name master_check" in err
