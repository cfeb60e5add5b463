"""Issue 23: the PM copy's About sheet speaks to a reader without Python.

Before: it listed the 24 CPO_* functions with their arguments (which a PM cannot call: the copy has no add-in)
and said "inputs edited here flow back with cpo-xl pull" (a PM copy is never pulled)."""

import pytest

from cpo_xl.excel.catalogue import CATALOGUE, signature
from tests.conftest import read_book


def _about_text(path) -> str:
    ws = read_book(path)["About"]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.slow
def test_the_pm_copy_about_sheet_lists_no_function_to_call_and_promises_no_pull(pm_copy, built):
    pm, model = _about_text(pm_copy), _about_text(built)
    assert "pull" not in pm and "flows back" not in pm.replace("nothing typed here flows back", "")
    assert "Ask the analyst for a new copy" in pm and "How the numbers were made" in pm
    assert not any(signature(udf) in pm for udf in CATALOGUE)
    # the analyst's live model keeps its catalogue and its round trip
    assert all(signature(udf) in model for udf in CATALOGUE) and "cpo-xl pull" in model
