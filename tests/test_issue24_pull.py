"""Issue 24: pull checks the table's shape before it reads, refuses two values for one input, carries the
rack-forecast row and the descriptive company fields, and names every bad cell at once (the right cell).

Before this change (each on main): an inserted cell shifted the comment column into the grades (rc 0); the
bull column moved before bear swapped them (rc 0); an empty, moved or renamed setting became its default
(rc 0); a value typed over the live column silently beat a different value typed in the scenario column; a
number typed over the rack-forecast row was neither carried nor refused; `name` / `displaces` / `listed`
from a TOML were dropped by pull; only the first bad cell was named, TRUE in C17 at B17, an unknown key in
A100 at C100; text in a rack cell was "outside 0 to 1,000,000,000"; a comment over 2,000 characters was
written by pull and refused later by build; a number stored as text was carried as a string.
"""

import shutil
import tomllib
from pathlib import Path

import openpyxl
import pytest

from cpo_xl.workbook.spec import layout as L
from tests.conftest import read_book, run
from tests.sheet_xml import set_cells


def edit(built: Path, tmp_path: Path, change, name: str = "w.xlsx") -> Path:
    """A copy of the build that openpyxl loaded, changed (a structural edit: cells moved, rows inserted, a sheet
    renamed) and saved."""
    workbook = tmp_path / name
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    change(book)
    book.save(workbook)
    return workbook


def typed(built: Path, tmp_path: Path, cells: dict[str, object]) -> Path:
    """A copy of the build with cells typed, e.g. {'Inputs!E13': 5} (sheet_xml.set_cells)."""
    return set_cells(built, tmp_path / "w.xlsx", cells)


def pull(capsys, workbook: Path) -> tuple[int, str, dict]:
    toml = workbook.with_suffix(".toml")
    code, _, err = run(capsys, "pull", workbook, "--output", toml)
    data = tomllib.loads(toml.read_text(encoding="utf-8")) if code == 0 else {}
    return code, err, data


def row_of(book, key: str) -> int:
    """1-based row of a key in the Inputs table of an openpyxl book."""
    ws = book["Inputs"]
    return next(r for r in range(L.INPUTS_FIRST_KEY_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == key)


@pytest.mark.slow
def test_cells_inserted_in_the_table_are_refused_naming_the_header(built, tmp_path, capsys):
    # "Insert cells, shift right" over F12:F296: the label column moves to G, ..., the comment to L
    workbook = edit(built, tmp_path, lambda b: b["Inputs"].move_range("F12:K296", cols=1))
    code, err, _ = pull(capsys, workbook)
    assert code == 2 and "Inputs!F12" in err and "'label'" in err and err.count("\n") == 1, err


@pytest.mark.slow
def test_bull_moved_before_bear_is_refused(built, tmp_path, capsys):
    ws = read_book(built)["Inputs"]
    swapped = {f"Inputs!{column}{r}": ws[f"{other}{r}"].value for r in range(L.INPUTS_TABLE_HEADER_ROW + 1,
                                                                               ws.max_row + 1)
               for column, other in (("B", "D"), ("D", "B"))}
    code, err, _ = pull(capsys, typed(built, tmp_path, swapped))
    assert code == 2 and "Inputs!B12" in err and "Inputs!D12" in err, err


@pytest.mark.slow
@pytest.mark.parametrize("how", ["empty", "row inserted", "sheet renamed"])
def test_a_setting_pull_cannot_find_is_refused_not_defaulted(built, tmp_path, capsys, how):
    def change(book):
        if how == "row inserted":
            book["Elasticity"].insert_rows(2)
        else:
            book["Elasticity"].title = "Ranking"
    workbook = typed(built, tmp_path, {"Elasticity!C4": None}) if how == "empty" else edit(built, tmp_path, change)
    code, err, _ = pull(capsys, workbook)
    where = {"empty": "Elasticity!C4", "row inserted": "Elasticity!A4", "sheet renamed": "Elasticity!C4"}[how]
    assert code == 2 and where in err, err


@pytest.mark.slow
def test_two_values_for_one_input_are_refused_naming_both(built, tmp_path, capsys):
    r = row_of(read_book(built), "pricing.erosion_2027")
    workbook = typed(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.LIVE_C)}": 0.2,  # E: typed over the live value
                                       f"Inputs!{L.a1(r - 1, L.BASE_C)}": 0.3})  # C: the base column, changed too
    code, err, _ = pull(capsys, workbook)
    assert code == 2 and f"Inputs!E{r}" in err and f"Inputs!C{r}" in err, err


@pytest.mark.slow
def test_a_value_typed_over_the_live_column_alone_is_still_carried(built, tmp_path, capsys):
    r = row_of(read_book(built), "pricing.erosion_2027")
    code, err, data = pull(capsys, typed(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.LIVE_C)}": 0.2}))
    assert code == 0 and data["pricing.erosion_2027"] == 0.2, err


@pytest.mark.slow
def test_racks_typed_over_the_forecast_row_are_carried(built, tmp_path, capsys):
    col = L.year_col(2027)
    cell = f"Inputs!{L.a1(L.INPUTS_RACKS_FORECAST_ROW, col)}"
    code, err, data = pull(capsys, typed(built, tmp_path, {cell: 27351}))
    assert code == 0 and data["rack_units"] == {"2027": 27351}, err


@pytest.mark.slow
def test_racks_typed_over_the_forecast_row_and_a_different_override_are_refused(built, tmp_path, capsys):
    col = L.year_col(2027)
    code, err, _ = pull(capsys, typed(built, tmp_path, {f"Inputs!{L.a1(L.INPUTS_RACKS_FORECAST_ROW, col)}": 27351,
                                                        f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, col)}": 11000}))
    assert code == 2 and L.a1(L.INPUTS_RACKS_FORECAST_ROW, col) in err and L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, col) \
        in err, err


@pytest.mark.slow
def test_every_bad_cell_is_named_at_once_each_at_its_own_cell(built, tmp_path, capsys):
    rack = f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, L.year_col(2028))}"
    bull = f"Inputs!{L.a1(row_of(read_book(built), 'pricing.erosion_2027') - 1, L.BULL_C)}"
    workbook = typed(built, tmp_path, {"Inputs!C17": True,  # racks.growth_2027, base column
                                       "Inputs!A100": "supply.no_such_key", rack: "many", bull: -5,
                                       "Elasticity!C4": 1999})  # a ranking year outside the horizon
    code, err, _ = pull(capsys, workbook)
    assert code == 2 and err.count("\n") == 1, err
    for cell in ("Inputs!C17", "Inputs!A100", rack, bull, "Elasticity!C4"):
        assert cell in err, (cell, err)
    assert "Inputs!B17" not in err and "Inputs!C100" not in err
    assert "'many' is text" in err


@pytest.mark.slow
def test_a_long_comment_is_refused_by_pull(built, tmp_path, capsys):
    r = row_of(read_book(built), "pricing.erosion_2027")
    workbook = typed(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.COMMENT_C)}": "x" * 2001})
    code, err, _ = pull(capsys, workbook)
    assert code == 2 and f"Inputs!K{r}" in err and "2,001 characters" in err, err


@pytest.mark.slow
def test_a_number_stored_as_text_is_carried_as_a_number(built, tmp_path, capsys):
    r = row_of(read_book(built), "pricing.erosion_2027")
    code, err, data = pull(capsys, typed(built, tmp_path, {f"Inputs!{L.a1(r - 1, L.BASE_C)}": "0.21"}))
    assert code == 0 and data["pricing.erosion_2027"] == 0.21, err


@pytest.mark.slow
def test_descriptive_company_fields_survive_build_pull_build(tmp_path, capsys):
    toml = tmp_path / "in.toml"
    toml.write_text('[companies.MRVL]\nname = "Marvell Technology"\ndisplaces = "pluggables"\n'
                    'legacy_usd_m = 500\nlegacy_year = 2025\nlisted = false\n', encoding="utf-8")
    workbook = tmp_path / "w.xlsx"
    code, _, err = run(capsys, "build", "--assumptions", toml, "--output", workbook)
    assert code == 0, err
    code, err, data = pull(capsys, workbook)
    assert code == 0, err
    assert data["companies.MRVL.name"] == "Marvell Technology"
    assert data["companies.MRVL.displaces"] == "pluggables" and data["companies.MRVL.listed"] is False
    code, _, err = run(capsys, "build", "--assumptions", workbook.with_suffix(".toml"), "--output", workbook)
    assert code == 0, err  # the rebuild from the pulled TOML is the same workbook: no refusal


@pytest.mark.slow
def test_pull_force_over_a_file_pull_did_not_write_keeps_it_as_bak(built, tmp_path, capsys):
    # the break-it review: --force over someone's own TOML replaced it with no copy left (an edited pull output
    # got a .bak, a foreign file did not)
    target = tmp_path / "mine.toml"
    target.write_text("# my scenarios, typed by hand\n[pricing]\nerosion_2027 = 0.2\n", encoding="utf-8")
    mine = target.read_bytes()
    code, _, err = run(capsys, "pull", built, "--output", target)
    assert code == 2 and "was not written by cpo-xl; --force" in err and target.read_bytes() == mine
    assert run(capsys, "pull", built, "--output", target, "--force")[0] == 0
    (backup,) = tmp_path.glob("mine.*.bak.toml")
    assert backup.read_bytes() == mine and target.read_bytes() != mine
    assert run(capsys, "pull", built, "--output", target)[0] == 0  # its own output, unchanged: no second copy
    assert len(list(tmp_path.glob("mine.*.bak.toml"))) == 1


@pytest.mark.slow
def test_a_note_on_pulls_first_line_is_kept_and_crlf_is_not_an_edit(built, tmp_path, capsys):
    # a break-it review: a note typed on the header line (outside the digest) was replaced with no .bak; the
    # same file checked out with CRLF line endings was refused as edited by hand
    target = tmp_path / "p.toml"
    assert run(capsys, "pull", built, "--output", target)[0] == 0
    pulled = target.read_text(encoding="utf-8")
    target.write_bytes(pulled.replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, "pull", built, "--output", target)[0] == 0
    assert target.read_text(encoding="utf-8") == pulled and not list(tmp_path.glob("p.*.bak.toml"))
    first, rest = pulled.split("\n", 1)
    noted = f"{first} MY NOTE keep\n{rest}"
    target.write_text(noted, encoding="utf-8")
    assert run(capsys, "pull", built, "--output", target)[0] == 0
    (backup,) = tmp_path.glob("p.*.bak.toml")
    assert backup.read_text(encoding="utf-8") == noted and target.read_text(encoding="utf-8") == pulled
