"""The base case pinned: tests/golden/*.csv hold its tables (regenerate with python scripts/update_golden.py and
review the change in the same commit). Numbers compare within 1e-9 relative, so another machine's last-digit
differences pass and any modelling change fails, naming the line and year."""

from pathlib import Path

import pandas as pd
import pytest

from cpo_xl.analysis.tables import crosscheck_points, tables
from cpo_xl.engine.case import Case

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = ("the base case moved: if on purpose, run python scripts/update_golden.py and review the golden "
              "tables' diff in the same commit")


@pytest.mark.parametrize("name", ["demand", "penetration", "tam", "companies"])
def test_base_table_matches_golden(name):
    golden = pd.read_csv(GOLDEN / f"base_{name}.csv", index_col=0)
    fresh = tables(Case())[name]
    golden.columns = [int(c) for c in golden.columns]
    assert list(fresh.index) == list(golden.index), f"line items added, removed or renamed; {REGENERATE}"
    try:
        pd.testing.assert_frame_equal(fresh, golden, check_names=False, rtol=1e-9, atol=1e-9)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{REGENERATE}") from None


def test_crosschecks_match_golden():
    golden = pd.read_csv(GOLDEN / "base_crosscheck.csv", keep_default_na=False)
    fresh = crosscheck_points(Case()).drop(columns=["source"]).reset_index(drop=True)
    assert list(fresh["id"]) == list(golden["id"]), REGENERATE
    for column in ("published", "model", "ratio"):
        assert list(fresh[column]) == pytest.approx(list(golden[column]), rel=1e-9), f"{column}: {REGENERATE}"
    assert [bool(v) for v in fresh["passes"]] == [str(v) == "True" for v in golden["passes"]], REGENERATE


def test_a_golden_failure_names_the_script_that_regenerates_it(tmp_path, monkeypatch):
    # a moved number must say how to accept it on purpose: a copy of one golden table with one value changed
    import shutil
    for csv in GOLDEN.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    frame = pd.read_csv(tmp_path / "base_tam.csv", index_col=0)
    frame.iloc[0, -1] *= 1.01
    frame.to_csv(tmp_path / "base_tam.csv")
    monkeypatch.setitem(globals(), "GOLDEN", tmp_path)  # the test reads the altered copy; restored after
    with pytest.raises(AssertionError, match=r"scripts/update_golden\.py"):
        test_base_table_matches_golden("tam")
