"""Hand-placed tables are column specs (cpo_xl/workbook/spec/tables.py): formulas, engine blocks, the Summary and
the charts find a column by its name, so moving a column in the spec moves every reference to it."""

import dataclasses

import openpyxl
import pytest

from cpo_xl.analysis.reconcile import reconciled
from cpo_xl.engine.case import Case
from cpo_xl.workbook.check import recalc
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec import tables as T
from cpo_xl.workbook.write.build import build_workbook


def test_every_formula_template_names_columns_of_its_own_table():
    for name, table in T.TABLES.items():
        names = [c.name for c in table.columns]
        assert len(set(names)) == len(names), name
        for column in table.columns:
            if column.formula:
                rendered = table.formula(column.name, 9, band="Inputs!$E$5", label="x", test="1",
                                         all_exposures="$E$1:$E$2")
                assert "{" not in rendered, (name, column.name, rendered)
    assert T.RECONCILIATION.formula("model", 9) == "=E10*G10"  # published (E) x ratio (G), Excel's 1-based row
    assert T.RECONCILIATION.formula("flag", 0, band="B")[:18] == '=IF($B1="ceiling",'
    with pytest.raises(KeyError, match="no column 'nope'"):
        T.ANCHORS.col("nope")


def test_the_reasons_start_where_the_second_printed_page_of_years_starts():
    """A flagged row's reason prints whole over the years 2030-2035 (the page after the split)."""
    for table in (T.RECONCILIATION, T.ANCHORS):
        assert table.col("reason") == L.year_col(L.SERIES_SPLIT_YEAR)


@pytest.mark.slow
def test_a_column_moved_in_the_spec_moves_every_reference_to_it(tmp_path, monkeypatch):
    """Swap the reconciliation's model and ratio columns: the model formula (published x ratio), the flag (reads
    the ratio), the engine block's link (CPO_RATIOS) and the Summary's sentences (ratio and flag) must all follow,
    so every formula recalculates to its cached value and the moved columns hold what their headers say."""
    cols = list(T.RECONCILIATION.columns)
    i, j = T.RECONCILIATION.col("model"), T.RECONCILIATION.col("ratio")
    cols[i], cols[j] = cols[j], cols[i]
    monkeypatch.setattr(T, "RECONCILIATION", dataclasses.replace(T.RECONCILIATION, columns=tuple(cols)))
    path = tmp_path / "moved.xlsx"
    build_workbook(path, Case())
    problems, cells, _ = recalc.check(path)
    assert problems == [] and cells > 5000
    ws = openpyxl.load_workbook(path, data_only=True)["Checks"]
    (header,) = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "source [scope]"]
    assert (ws.cell(header, i + 1).value, ws.cell(header, j + 1).value) == ("model/pub.", "model")
    first = reconciled(Case())[0]
    assert ws.cell(header + 1, i + 1).value == pytest.approx(first.ratio)
    assert ws.cell(header + 1, j + 1).value == pytest.approx(first.ratio * first.point.value)
