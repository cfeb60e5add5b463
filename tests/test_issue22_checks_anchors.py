"""Issue 22: the disclosed near-term anchors stand on the Checks sheet with their ratios, not only in the CLI.

Each anchor of engine/data/anchors.toml is a row below the reconciliation: the disclosed figure (its source,
date, grade and link in the cell's note), the model as a link to the line it pins in the anchor's year (so an
edit in Excel moves it), model / disclosed and the flag as formulas (a floor holds at >= 1, a part of a
broader figure within [0.2, 1]), and the reason on file where one is flagged."""

import re

import pytest

from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.sheets.checks import HOLDS, anchor_place
from tests.conftest import read_book

PLACES = grid.place_lines(L.series_sheets(Case()))


@pytest.fixture(scope="module")
def checks(built):
    values = read_book(built, data_only=True)
    formulas = read_book(built)
    rows = {formulas["Checks"].cell(r, 3).value: r for r in range(1, formulas["Checks"].max_row + 1)}
    return values, formulas, rows


def test_every_anchor_is_a_row_of_formulas_on_checks(checks):
    values, formulas, rows = checks
    v, f = values["Checks"], formulas["Checks"]
    for a in xc.anchors():
        r = rows[a.id]
        assert v.cell(r, 4).value == a.year and v.cell(r, 5).value == a.value
        assert a.link in f.cell(r, 5).comment.text and a.date in f.cell(r, 5).comment.text
        sheet, ref = re.fullmatch(r"=(\w+)!([A-Z]+\d+)", f.cell(r, 6).value).groups()
        line = anchor_place(a)
        target = formulas[sheet][ref]
        assert target.column == L.year_col(a.year) + 1  # the anchor's year column
        assert values[sheet][ref].value == pytest.approx(v.cell(r, 6).value, rel=1e-12)
        assert (sheet, target.row - 1) == (PLACES[line].sheet, PLACES[line].row)  # the line it pins
        ratio = v.cell(r, 7).value
        assert f.cell(r, 7).value == f"=F{r}/E{r}" and ratio == pytest.approx(v.cell(r, 6).value / a.value)
        flagged = ratio < 1 if a.kind in xc.FLOOR_KINDS else not xc.PART_LOWEST <= ratio <= 1
        assert v.cell(r, 8).value == (1 if flagged else 0), a.id
        reason = v.cell(r, L.year_col(L.SERIES_SPLIT_YEAR) + 1).value
        assert reason == (a.reason if flagged else HOLDS) and (not flagged or reason)


def test_worked_example_the_2026_switch_ramp_holds_its_anchor(checks):
    # NVIDIA Quantum-X / Spectrum-X Photonics and Broadcom TH6-Davisson: the base case ships the product ramp
    # input of 10,000 102.4T-eq switches in 2026 (supply.cpo_switches_2026), against the disclosed floor of
    # 10,000 ("tens of thousands" read low): 10,000 / 10,000 = 1.00, a floor that holds
    values, _, rows = checks
    r = rows["nvidia_photonics_switches_2026"]
    assert values["Checks"].cell(r, 6).value == pytest.approx(10_000)
    assert values["Checks"].cell(r, 7).value == pytest.approx(1.0) and values["Checks"].cell(r, 8).value == 0


def test_the_anchor_flag_count_sums_the_flags(checks):
    values, formulas, rows = checks
    v, f = values["Checks"], formulas["Checks"]
    count = next(r for r in range(1, f.max_row + 1) if f.cell(r, 1).value == "Anchor flags (count; see the reasons)")
    assert v.cell(count, 8).value == sum(v.cell(rows[a.id], 8).value for a in xc.anchors()) >= 1


def test_an_anchor_that_sets_an_input_says_so():
    """The NVIDIA/Broadcom switch-ramp disclosure is where the 2026 switch input comes from, so the anchor cannot
    confirm it independently: it is kind "input", names the input, equals its base value (if the input moves
    away, this test says the anchor no longer describes it), and prints "input" on Checks."""
    from cpo_xl.engine.inputs import flatten, scenario_values
    base = flatten(scenario_values("base", None))
    inputs = [a for a in xc.anchors() if a.kind == "input"]
    assert [a.id for a in inputs] == ["nvidia_photonics_switches_2026"]
    for a in inputs:
        assert base[a.sets] == a.value
    assert all(not a.sets for a in xc.anchors() if a.kind != "input")


def test_kind_input_without_the_input_it_sets_is_refused(tmp_path, monkeypatch):
    import tomllib
    from importlib import resources

    text = resources.files("cpo_xl.engine.data").joinpath("anchors.toml").read_text(encoding="utf-8")
    broken = text.replace('sets = "supply.cpo_switches_2026"\n', "")
    assert tomllib.loads(broken) and broken != text
    loads = tomllib.loads
    monkeypatch.setattr(xc.tomllib, "loads", lambda _: loads(broken))
    xc.anchors.cache_clear()
    try:
        with pytest.raises(xc.CpoError, match="nvidia_photonics_switches_2026: kind 'input' and `sets`"):
            xc.anchors()
    finally:
        monkeypatch.undo()
        xc.anchors.cache_clear()
