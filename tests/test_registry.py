"""The registry of line items is the one place a line is added: CPO_TABLE, the summary, its sheet and diff
all follow it."""

import pytest

from cpo_xl.analysis import lines
from cpo_xl.analysis.lines import LineItem
from cpo_xl.cli.main import main
from cpo_xl.cli.summary import summary_text
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel import functions as fn
from cpo_xl.workbook.check.recalc import check
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write.build import build_workbook
from tests.sheet_xml import sheet_rows

NEW = LineItem("capacity_gbps", "penetration", ("capacity_gbps",), sheet="Penetration", summary=True)


@pytest.fixture
def registry_with_a_new_line(monkeypatch):
    monkeypatch.setattr(lines, "STATIC", [*lines.STATIC, NEW])
    fn.clear_caches()
    yield NEW
    fn.clear_caches()


def test_every_line_reads_a_model_value_and_names_are_unique():
    items = lines.line_items(Case())
    assert len({i.name for i in items}) == len(items)
    r = run(Case())
    for item in items:
        assert lines.value(r, item.path).shape == (len(YEARS),), item.name


@pytest.mark.slow
def test_a_line_added_to_the_registry_shows_in_table_summary_sheet_and_diff(registry_with_a_new_line, tmp_path,
                                                                            capsys):
    expected = run(Case()).capacity_gbps
    table = fn.CPO_TABLE("penetration")
    row = next(r for r in table if r[0] == "Capacity in bandwidth [Gb/s per yr]")
    assert row[1:] == pytest.approx(list(expected), rel=1e-12)
    assert "Capacity in bandwidth [Gb/s per yr]" in summary_text(Case(), 2030)
    assert fn.CPO_LINE("capacity_gbps", 2030) == pytest.approx(expected[YEARS.index(2030)], rel=1e-12)

    a = tmp_path / "a.xlsx"
    build_workbook(a)
    sheet = sheet_rows(a, "Penetration")
    r = next(i for i, row in enumerate(sheet) if row[0] == "Capacity in bandwidth")
    col = L.year_col(2030)
    assert sheet[r][col].startswith("=Engine!")  # a link to the Engine block that computes it
    e = next(row for row in sheet_rows(a, "Engine") if row[0] == "Penetration: Capacity in bandwidth")
    assert e[2] == "capacity_gbps"  # its registry name feeds the block's CPO_LINES call
    cached = sheet_rows(a, "Penetration", data_only=True)[r][col]
    assert cached == pytest.approx(expected[YEARS.index(2030)], rel=1e-12)
    problems, _, _ = check(a)  # the new row's formula recalculates to its cached value
    assert problems == []

    toml = tmp_path / "better_yield.toml"
    toml.write_text('"supply.yield_3d_2026" = 0.6\n', encoding="utf-8")
    b = tmp_path / "b.xlsx"
    assert main(["build", "--assumptions", str(toml), "--output", str(b)]) == 0
    capsys.readouterr()
    assert main(["diff", str(a), str(b)]) == 0
    assert "Penetration: Capacity in bandwidth" in capsys.readouterr().out
