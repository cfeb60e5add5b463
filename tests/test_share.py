"""Sharing and round trips: the PM copy, pull -> build, safe writes, bad files, diff."""

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cpo_xl.engine.case import Case
from cpo_xl.engine.case import run as run_case
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.read.snapshot import read_inputs
from cpo_xl.workbook.spec import layout as L
from tests.conftest import digest, read_book, run
from tests.sheet_xml import set_cells, sheet_rows
from tests.test_pm import assert_same_values, sheet_values, summary_year_cols

BASE = chr(ord("A") + L.BASE_C)  # the base column's letter on Inputs


def input_row(path: Path, key: str) -> int:
    _, cells = read_inputs(path)
    return int(cells[(key, "base")].split("!")[1][1:])


@pytest.fixture
def workbook(built, tmp_path) -> Path:
    path = tmp_path / "CPO_Model.xlsx"
    shutil.copy(built, path)
    return path


@pytest.mark.slow
def test_pm_copy_recalculates_in_libreoffice(pm_copy, pm_recalculated):
    book = read_book(pm_copy)
    assert "xlwings.conf" not in book.sheetnames and "Checks" in book.sheetnames and "Sources" in book.sheetnames
    formulas = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas and not any("CPO_" in f for f in formulas)  # built-ins stay live, UDFs became values
    assert "STATIC SNAPSHOT" in " ".join(str(c.value) for row in book["About"].iter_rows() for c in row)
    with zipfile.ZipFile(pm_copy) as z:
        names = z.namelist()
    assert not any("vbaProject" in n or "externalLink" in n for n in names)  # no macros, no external links
    assert any(n.startswith("xl/charts/") for n in names)  # the charts stay
    # every formula recalculated by LibreOffice (as published, no edit) gives the value the file stores
    recalculated = sheet_values(pm_recalculated["base"])
    texts = [v for cells in recalculated.values() for v in cells.values() if isinstance(v, str)]
    assert not [t for t in texts if t.startswith("#") or t.startswith("Err:")]  # no error value anywhere
    assert_same_values(recalculated, sheet_values(read_book(pm_copy, data_only=True)), "base")
    ws, r = pm_recalculated["base"]["TAM"], run_case(Case())
    rows = {str(c.value).split(" (")[0]: c.row for c in ws["A"] if c.value}
    years = summary_year_cols(ws, rows["line item"])
    for year in (2028, 2030):
        shown = ws.cell(rows["CPO TAM"], years[year]).value
        assert shown == pytest.approx(float(r.tam[YEARS.index(year)]), rel=1e-9)


@pytest.mark.slow
def test_round_trip_three_edits(workbook, tmp_path, capsys):
    edits = {"pricing.erosion_2027": 0.18, "companies.AVGO.share_2030": 0.2, "supply.engines_per_wafer": 250}
    set_cells(workbook, workbook, {f"Inputs!{BASE}{input_row(workbook, key)}": value for key, value in edits.items()})
    toml = tmp_path / "pulled.toml"
    assert run(capsys, "pull", workbook, "--output", toml)[0] == 0
    rebuilt = tmp_path / "rebuilt.xlsx"
    assert run(capsys, "build", "--assumptions", toml, "--output", rebuilt)[0] == 0
    before, _ = read_inputs(workbook)
    after, _ = read_inputs(rebuilt)
    assert after.rows == before.rows  # the three edits, and every other input as it was
    base = dict((row[0], row[2]) for row in after.rows)
    assert all(base[key] == value for key, value in edits.items())
    expected = run_case(Case("base", tuple(edits.items()))).tam[YEARS.index(2030)]
    tam_row = next(row for row in sheet_rows(rebuilt, "TAM", data_only=True) if row[0] == "CPO TAM (CPO_TAM)")
    assert tam_row[L.year_col(2030)] == pytest.approx(expected, rel=1e-12)


@pytest.mark.slow
def test_pull_names_the_cell_and_writes_nothing(workbook, tmp_path, capsys):
    row = input_row(workbook, "pricing.erosion_2027")
    set_cells(workbook, workbook, {f"Inputs!{BASE}{row}": -1})
    out = tmp_path / "x.toml"
    code, _, err = run(capsys, "pull", workbook, "--output", out)
    assert code == 2 and f"Inputs!{BASE}{row} pricing.erosion_2027: -1 is below the minimum 0" in err
    assert not out.exists()
    set_cells(workbook, workbook, {f"Inputs!{BASE}{row}": "abc"})
    code, _, err = run(capsys, "pull", workbook, "--output", out)
    assert code == 2 and f"Inputs!{BASE}{row} pricing.erosion_2027: 'abc'" in err and not out.exists()


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/big.bin", "w", force_zip64=True) as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                handle.write(chunk)


def _corrupt_xml(src: Path, path: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, b"<worksheet><oops" if item.filename == "xl/worksheets/sheet2.xml" else data)


def _no_inputs(src: Path, path: Path) -> None:
    book = openpyxl.load_workbook(src)
    del book["Inputs"]
    book.save(path)


@pytest.fixture(scope="module")
def bad_file(built, tmp_path_factory):
    """maker -> the bad file it makes from the session's build, made once per module (the bomb writes 210 MB
    through zlib, the missing sheet is an openpyxl load and save): each verb's test gets its own copy."""
    made: dict[object, Path] = {}

    def copy_of(maker, to: Path) -> Path:
        if maker not in made:
            made[maker] = tmp_path_factory.mktemp("bad") / "bad.xlsx"
            maker(built, made[maker])
        shutil.copy(made[maker], to)
        return to
    return copy_of


@pytest.mark.slow
@pytest.mark.parametrize(("maker", "fragment"), [
    (lambda src, p: p.write_bytes(b""), "the file is empty"),
    (lambda src, p: p.write_text("hello", encoding="utf-8"), "not a zip archive"),
    (lambda src, p: _zip_bomb(p), "exceeds the limit"),
    (_corrupt_xml, "corrupt workbook"),
    (_no_inputs, "no Inputs sheet"),
])
@pytest.mark.parametrize("verb", ["check", "pull", "diff"])
def test_bad_files_exit_2_and_write_nothing(built, bad_file, tmp_path, capsys, maker, fragment, verb):
    bad = bad_file(maker, tmp_path / "bad.xlsx")
    before = digest(bad)
    args = {"check": ("check", bad), "pull": ("pull", bad, "--output", tmp_path / "out.toml"),
            "diff": ("diff", built, bad)}[verb]
    code, _, err = run(capsys, *args)
    assert code == 2 and fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert digest(bad) == before and not (tmp_path / "out.toml").exists()


@pytest.mark.slow
def test_refusals_keep_the_file(workbook, capsys):
    original = digest(workbook)
    lock = workbook.parent / f"~${workbook.name}"
    lock.write_text("", encoding="utf-8")
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and "open in Excel" in err and digest(workbook) == original
    lock.unlink()

    shutil.copy(workbook, workbook.parent / "unedited.xlsx")
    book = openpyxl.load_workbook(workbook)
    book.create_sheet("My notes")
    book.save(workbook)
    edited = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and "sheets the builder did not make (My notes)" in err and digest(workbook) == edited

    shutil.copy(workbook.parent / "unedited.xlsx", workbook)  # My notes gone again
    set_cells(workbook, workbook, {f"Inputs!{BASE}{input_row(workbook, 'racks.cy2026')}": 70000})
    edited = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and "inputs edited since it was built" in err and digest(workbook) == edited
    code, _, _ = run(capsys, "build", "--output", workbook, "--force")
    (backup,) = workbook.parent.glob(workbook.stem + ".*.bak.xlsx")
    assert code == 0 and digest(backup) == edited


@pytest.mark.slow
def test_unreadable_target_needs_force(tmp_path, capsys):
    target = tmp_path / "notes.xlsx"
    target.write_text("someone's text", encoding="utf-8")
    code, _, err = run(capsys, "build", "--output", target)
    assert code == 2 and "cannot be read as a cpo-xl workbook" in err
    assert target.read_text(encoding="utf-8") == "someone's text"
    assert run(capsys, "build", "--output", target, "--force")[0] == 0
    (backup,) = target.parent.glob("notes.*.bak.xlsx")
    assert backup.read_text(encoding="utf-8") == "someone's text"


@pytest.mark.slow
def test_unedited_stale_workbook_is_replaced(workbook, capsys):
    assert run(capsys, "build", "--output", workbook)[0] == 0  # inputs as recorded: nothing to lose
    assert not list(workbook.parent.glob(workbook.stem + "*.bak*"))


@pytest.mark.slow
def test_diff_shows_the_input_and_the_outputs_it_moved(erosion_diff):
    """`cpo-xl build --assumptions` of a TOML that slows the erosion, then `cpo-xl diff` of the base build and that
    one (both exit 0): the session's erosion_diff, shared with tests/test_issue23_diff.py."""
    out = erosion_diff
    inputs = out.split("Inputs changed")[1].split("Model lines changed")[0]
    # only the base column moves: bear keeps its own 0.25, bull already was 0.15
    assert "Inputs changed (1)" in out and "pricing.erosion_2027  base" in inputs
    assert "0.2 " in inputs and "0.15" in inputs
    moved = out.split("Model lines changed")[1].split("Formulas changed")[0]
    tam = next(line for line in moved.splitlines() if line.startswith("TAM: CPO TAM (CPO_TAM)"))
    assert "+" in tam  # slower erosion: higher prices, higher TAM


@pytest.mark.slow
def test_text_is_never_written_as_a_formula(tmp_path, capsys):
    toml = tmp_path / "a.toml"
    toml.write_text('"companies.NVDA.name" = "=HYPERLINK(\\"http://x\\")"\n', encoding="utf-8")
    out = tmp_path / "x.xlsx"
    assert run(capsys, "build", "--assumptions", toml, "--output", out)[0] == 0
    book = openpyxl.load_workbook(out, read_only=True)
    types = [c.data_type for row in book["Elasticity"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    book.close()
    assert types and all(t == "s" for t in types)
