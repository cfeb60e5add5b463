"""Issue 23 (and 24's text-that-looks-like-a-formula): `cpo-xl diff` of input-only edits reports no formula
changes, gives every value its unit, prints no None; a cell's kind is read from the file."""

import re

import pytest
from openpyxl.utils.cell import coordinate_to_tuple

from cpo_xl.engine.case import Case
from cpo_xl.engine.inputs import read_user_file
from cpo_xl.workbook.read import contents, snapshot
from cpo_xl.workbook.write.build import build_workbook
from tests.conftest import read_book, run
from tests.sheet_xml import Text, set_cells


def section(out: str, title: str) -> str:
    """One titled block of the diff (up to the next blank line)."""
    start = out.index(title)
    end = out.find("\n\n", start)
    return out[start:] if end < 0 else out[start:end]


@pytest.mark.slow
def test_input_only_edits_report_no_formula_change_and_units_on_every_line(erosion_diff):
    """Before: "Formulas changed (11)" (Bridge rows: the base -> bear bridge has other steps when the erosion
    moves) and no unit on any line. (`cpo-xl diff` of the build and the slower-erosion build, which exits 0:
    the session's erosion_diff, which tests/test_share.py reads too.)"""
    out = erosion_diff
    assert "Formulas changed: none" in out
    assert re.search(r"not counted: \d+ formula cells? on Bridge differ as a build of each workbook's own inputs",
                     out)
    (row,) = [line for line in section(out, "Inputs changed").splitlines() if line.startswith("pricing.")]
    assert row.split() == ["pricing.erosion_2027", "base", "1/yr", "0.2", "0.15"]
    lines = section(out, "Model lines changed").splitlines()
    header = lines[1]
    unit_col = header.index("unit")
    assert all(line[unit_col:].split("  ")[0].strip() for line in lines[3:])  # every moved line has its unit
    tam = next(line for line in lines if line.startswith("TAM: CPO TAM (CPO_TAM)"))
    assert tam[unit_col:].startswith("US$ M")


@pytest.mark.slow
def test_a_formula_typed_over_is_still_reported_beside_input_edits(built, slower_erosion, tmp_path, capsys):
    """The rebuild explains only what a build lays out: a formula a person changed, in a workbook whose inputs
    changed too, stays a formula change."""
    ws = read_book(slower_erosion)["TAM"]
    cell = next(c for row in ws.iter_rows(min_row=5) for c in row
                if isinstance(c.value, str) and c.value.startswith("="))
    was = cell.value
    edited = set_cells(slower_erosion, tmp_path / "edited.xlsx", {f"TAM!{cell.coordinate}": "=1+1"})
    code, out, _ = run(capsys, "diff", built, edited)
    assert code == 0
    block = section(out, "Formulas changed")
    assert f"TAM!{cell.coordinate}" in block and "=1+1" in block and was in block
    assert "Bridge!" not in block and "not counted:" in out


@pytest.mark.slow
def test_a_text_cell_that_starts_with_equals_is_text(built, tmp_path, capsys):
    """A comment typed as text "=see the 10-K" (Excel stores it as a string when typed with a leading
    apostrophe) is an input comment, not a formula. Before: listed under "Formulas changed" as well."""
    _, cells = snapshot.read_inputs(built)
    sheet, ref = cells[("pricing.erosion_2027", "comment")].split("!")
    text_cell = set_cells(built, tmp_path / "text.xlsx", {f"{sheet}!{ref}": Text("=see the 10-K")})
    code, out, _ = run(capsys, "diff", built, text_cell)
    assert code == 0
    (row,) = [line for line in section(out, "Inputs changed").splitlines() if "comment" in line]
    assert row.split()[:2] == ["pricing.erosion_2027", "comment"] and row.endswith("=see the 10-K")
    assert f"{sheet}!{ref}" not in section(out, "Formulas changed")
    # the reader the diff (and the guard) compares with: a text cell, not a formula (diff's rebuild of each
    # side's inputs would hide a comment read as a formula, so the reader is asked too)
    row_number, column = coordinate_to_tuple(ref)
    at = (contents.sheet_key(sheet), row_number, column)
    book = contents.read(text_cell)
    assert book.constants.get(at) == "=see the 10-K" and at not in book.formulas


@pytest.mark.slow
def test_diff_bridge_of_typed_racks_prints_no_none(built, tmp_path, capsys):
    """Before: "Racks typed for 2028: rack_units.2028 None -> 900,000"."""
    toml = tmp_path / "racks.toml"
    toml.write_text("[rack_units]\n2028 = 900000\n", encoding="utf-8")
    racks = tmp_path / "racks.xlsx"
    build_workbook(racks, Case("base", user=read_user_file(toml)))
    code, out, _ = run(capsys, "diff", built, racks, "--bridge")
    assert code == 0
    assert "None" not in out
    assert "rack_units.2028 (forecast, not typed) -> 900,000" in out
    assert re.search(r"^2028\s+racks override\s+NVL72-eq racks\s+\(blank\)\s+900,000", out, re.M)


@pytest.mark.slow
def test_textconv_gives_units(built, capsys):
    code, out, _ = run(capsys, "diff", "--textconv", built)
    assert code == 0
    assert "input pricing.erosion_2027 [base] = 0.2 [1/yr]" in out
    assert re.search(r"^output TAM: CPO TAM \(CPO_TAM\) 2030 = [\d,]+ \[US\$ M/yr\]$", out, re.M)
