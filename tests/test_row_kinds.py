"""Issue 21: each row kind is one object holding its formula and its cached-value recipe side by side.

grid.KINDS holds one entry per kind the layout uses; both recipes work for every line of the layout; an
unknown kind fails naming itself; and the flag kinds (what the Checks total and the master check sum) are
exactly the kinds whose value is a 0/1 check."""

import itertools
import re

import pytest

from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec.input_rows import input_rows
from cpo_xl.workbook.write import grid
from cpo_xl.workbook.write.build import model_args
from cpo_xl.workbook.write.sheets.series import blocks

CHECKS = "Checks"
SERIES = L.series_sheets(Case())
PLACES = grid.place_lines(SERIES)
LINES = [(sheet, item) for sheet in SERIES for item in sheet.rows if isinstance(item, L.Line)]
# A 0/1 reading that is not a check: the binding constraint (1 = supply binds) is no failure.
READINGS = {"at_capacity"}


def test_the_table_holds_exactly_the_kinds_the_layout_uses():
    used = {line.kind for _, line in LINES}
    assert used == set(grid.KINDS)
    for name, kind in grid.KINDS.items():
        assert kind.name == name
        assert type(kind).value is not grid.Kind.value, name
        assert type(kind).formula is not grid.Kind.formula, name


def test_every_line_has_a_formula():
    for sheet, line in LINES:
        kind = grid.kind(line)
        if kind.is_block:
            continue
        place = PLACES[line.name]
        for col in (L.FIRST_YEAR_COL, L.LAST_YEAR_COL):
            text = grid.formula(line, place.row, col, sheet.name, PLACES, (place.row, place.row))
            assert text.startswith("=") and len(text) > 1, (line.name, text)
    runs = [run for sheet in SERIES for run in blocks(sheet)]
    assert {run[1][0].kind for run in runs} == {k for k, kind in grid.KINDS.items() if kind.is_block}
    for sheet in SERIES:
        for first_row, block in blocks(sheet):
            kind = grid.kind(block[0])
            assert isinstance(kind, grid.Block)
            assert grid.block_formula(block, first_row, sheet.name, PLACES).startswith(f"{{={kind.function}(")


def test_a_block_row_has_no_formula_of_its_own():
    sheet, line = next((s, ln) for s, ln in LINES if grid.kind(ln).is_block)
    with pytest.raises(ValueError, match="array formula"):
        grid.formula(line, PLACES[line.name].row, L.FIRST_YEAR_COL, sheet.name, PLACES)


@pytest.fixture(scope="module")
def evaluated():
    case = Case()
    args = model_args(case, input_rows(case.scenario, case.user), grid.CHECK_TOLERANCE)
    return grid.evaluate(SERIES, args, dict(zip(YEARS, case.rack_series(), strict=True)))


def test_every_line_has_a_value(evaluated):
    for _, line in LINES:
        for year in YEARS:
            v = evaluated[line.name][year]
            if grid.kind(line).one_cell:
                assert isinstance(v, str) and v, line.name
            else:
                assert isinstance(v, float) and v == v, (line.name, year, v)  # a number, not NaN


def test_an_unknown_kind_fails_naming_it():
    line = L.Line("mystery", "Mystery", "x", "no_such_kind", refs=("tam",))
    with pytest.raises(ValueError, match="no_such_kind"):
        grid.formula(line, 10, L.FIRST_YEAR_COL, "TAM", PLACES)
    with pytest.raises(ValueError, match="no_such_kind"):
        grid.value(line, YEARS[0], grid.ModelArgs(Case(), Case(), {}), {"tam": {YEARS[0]: 1.0}}, {})


SYNTHETIC = (-0.5, 0.0, 1e-9, 0.5, 1.0 - 1e-9, 1.0, 1.0 + 1e-9, 2.0, 250.0)


def _synthetic_values(kind: grid.Kind) -> set[float] | None:
    """What a kind's value recipe returns over a grid of inputs to two refs; None for kinds that read the
    engine or the add-in rather than other lines."""
    if kind.is_block or kind.one_cell or isinstance(kind, grid.AddIn):
        return None
    year = YEARS[0]
    args = grid.ModelArgs(Case(), Case(), {}, tolerance=1e-6)
    out = set()
    for a, b in itertools.product(SYNTHETIC, repeat=2):
        line = L.Line("x", "x", "x", kind.name, refs=("a", "b"))
        values = {"a": {year: a}, "b": {year: b}}
        out.add(float(grid.value(line, year, args, values, {year: a})))
    return out


def test_the_flag_kinds_are_exactly_the_0_1_checks(evaluated):
    flags = {name for name, kind in grid.KINDS.items() if kind.is_flag}
    zero_one = {name for name, kind in grid.KINDS.items() if _synthetic_values(kind) == {0.0, 1.0}}
    assert flags and flags == zero_one - READINGS
    assert READINGS.issubset(zero_one)  # a reading is 0/1 too, on purpose not a flag
    assert flags == {name for name in grid.KINDS if name.endswith("_flag")}  # the names say so, too
    # every row of the Checks sheet above its total is a flag, none below (informational), none elsewhere
    checks = next(s for s in SERIES if s.name == CHECKS)
    rows = [item for item in checks.rows if isinstance(item, L.Line)]
    total = [i for i, ln in enumerate(rows) if ln.kind == "sum" and not ln.refs]
    assert len(total) == 1
    assert {ln.kind for ln in rows[:total[0]]} == flags
    assert not any(grid.kind(ln).is_flag for ln in rows[total[0]:])
    assert all(PLACES[ln.name].sheet == CHECKS for _, ln in LINES if grid.kind(ln).is_flag)
    # the total's SUM spans the flag rows and nothing else
    flag_rows = sorted(PLACES[ln.name].row for ln in rows if grid.kind(ln).is_flag)
    assert flag_rows == list(range(flag_rows[0], flag_rows[-1] + 1))
    for ln in rows:
        if grid.kind(ln).is_flag:
            assert set(evaluated[ln.name].values()) <= {0.0, 1.0}
            text = grid.formula(ln, PLACES[ln.name].row, L.FIRST_YEAR_COL, CHECKS, PLACES)
            assert re.fullmatch(r"=IF\(.+,1,0\)", text), text
    assert sum(evaluated["chk_total"].values()) == sum(
        sum(evaluated[ln.name].values()) for ln in rows if grid.kind(ln).is_flag)


def test_link_style_is_the_link_and_racks_rows():
    assert {name for name, kind in grid.KINDS.items() if kind.link_style} == {"link", "racks"}
    assert {name for name, kind in grid.KINDS.items() if kind.one_cell} == {"case"}
