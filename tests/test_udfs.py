"""UDFs called as plain Python with the shapes Excel hands them; catalogue agreement; junk never crashes."""

import importlib
import inspect
import math
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.excel import functions as fn
from cpo_xl.excel.catalogue import CATALOGUE, markdown_table, module_source
from cpo_xl.workbook.spec.input_rows import input_rows

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "udfs"))
udfs = importlib.import_module("cpo_udfs")
TABLE = [[2026, 2027, 2028], [65000, 84500, 109850]]


def test_tam_equals_engine_and_shapes_agree():
    engine = run(Case(racks=((2028, 109850.0),))).tam[2028 - 2023]
    assert udfs.CPO_TAM(2028, 109850.0) == pytest.approx(engine) and engine > 0
    assert udfs.CPO_TAM(2028.0, TABLE) == pytest.approx(engine)
    assert udfs.CPO_TAM(2028.0, [list(p) for p in zip(*TABLE, strict=True)]) == pytest.approx(engine)


def test_layers_sum_to_tam():
    layers = ["definers", "foundry_packaging", "lasers", "fiber_connectivity", "equipment"]
    total = sum(udfs.CPO_LAYER_TAM(name, 2028, 109850.0) for name in layers)
    assert total == pytest.approx(udfs.CPO_TAM(2028, 109850.0))


def test_fit_and_curve():
    (row,) = udfs.CPO_FIT("logistic", [2026, 2030], [0.02, 0.35], 0.6)
    assert row[0] == 0.6 and row[1] == pytest.approx(0.926, abs=5e-4) and row[2] == pytest.approx(2029.64, abs=5e-3)
    assert udfs.CPO_CURVE("logistic", 2030, *row) == pytest.approx(0.35)


def test_forgiving_names_and_blanks():
    assert udfs.CPO_ELASTICITY(" avgo ", 2030.0, 185646.5, None, "") == udfs.CPO_ELASTICITY("AVGO", 2030, 185646.5)
    assert udfs.CPO_TAM(2028, 109850.0, [["racks.growth_2027", 0.15], [None, None]], " Base ") == \
        pytest.approx(udfs.CPO_TAM(2028, 109850.0))


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: udfs.CPO_TAM(2050, 1000.0), "year 2050 is outside the model horizon 2023-2035"),
    (lambda: udfs.CPO_TAM(2028, -5.0), "rack_units -5 is outside"),
    (lambda: udfs.CPO_TAM("#N/A", 5.0), "year holds the Excel error #N/A"),
    (lambda: udfs.CPO_LAYER_TAM("optics", 2028, 5.0), "layer 'optics' is unknown"),
    (lambda: udfs.CPO_SUPPLIER_REVENUE("XYZ", 2028, 5.0), "ticker 'XYZ' is unknown"),
    (lambda: udfs.CPO_TAM(2028, 5.0, [["nope.key", 1]]), "assumption key 'nope.key' is unknown"),
    (lambda: udfs.CPO_ELASTICITY("AIXEMTEC", 2030, 5.0), "AIXEMTEC: exposure is not defined"),
])
def test_clear_messages(call, fragment):
    with pytest.raises(CpoError, match=re.escape(fragment)):
        call()


def test_the_scenario_picks_the_column_of_the_workbooks_assumptions_range():
    # the workbook's `assumptions` name is (key, bear, base, bull): the scenario argument picks the column, so
    # the same range gives the bull value with "bull" (it used to give base: the range overrode the scenario)
    block = [[r["key"], r["bear"], r["base"], r["bull"]] for r in input_rows("base", None)]
    for scenario in ("bear", "base", "bull"):
        expected = run(Case(scenario, racks=((2030, 150000.0),))).tam[2030 - 2023]
        assert udfs.CPO_TAM(2030, 150000.0, block, scenario) == pytest.approx(expected, rel=1e-12)
        assert udfs.CPO_TAM(2030, 150000.0, None, scenario) == pytest.approx(expected, rel=1e-12)
    assert udfs.CPO_TAM(2030, 150000.0, block, "bull") > udfs.CPO_TAM(2030, 150000.0, block, "base")
    # a 2-column range overrides the named scenario's values, key by key
    erosion = [["pricing.erosion_2027", 0.05]]
    expected = run(Case("bull", (("pricing.erosion_2027", 0.05),), racks=((2030, 150000.0),))).tam[2030 - 2023]
    assert udfs.CPO_TAM(2030, 150000.0, erosion, "bull") == pytest.approx(expected, rel=1e-12)


def test_unchanged_assumptions_range_does_not_rebuild_the_model():
    from cpo_xl.engine.model import compute as engine
    rows = [[r["key"], r["live"]] for r in input_rows("base", None)]
    rows[3][1] = float(rows[3][1]) + 1.0  # an edited input: a model run of its own
    fn.clear_caches()
    first = udfs.CPO_TAM(2028, 109850.0, [list(r) for r in rows])
    runs = engine.cache_info().misses
    for _ in range(3):  # Excel hands over a fresh list each recalculation
        assert udfs.CPO_TAM(2028, 109850.0, [list(r) for r in rows]) == first
    assert engine.cache_info().misses == runs == 1


def test_a_cached_result_is_never_another_calls():
    # the content cache keys on marshal's bytes: values equal under == but of other types (0, 0.0, False),
    # and cells marshal cannot write (a date), must each get their own result, never a neighbour's
    import datetime as dt
    fn.clear_caches()
    erosion = "pricing.erosion_2027"
    as_float = udfs.CPO_TAM(2030, 150000.0, [[erosion, 0.0]], "bull")
    assert udfs.CPO_TAM(2030, 150000.0, [[erosion, 0]], "bull") == as_float  # int 0: the same number
    assert udfs.CPO_TAM(2030, 150000.0, [[erosion, 0.05]], "bull") != as_float
    with pytest.raises(CpoError, match="year"):  # a date cell: the tuple key, and the parser names it
        udfs.CPO_TAM(dt.datetime(2030, 1, 1), 150000.0)
    keys = {fn._content((2030, [[erosion, value]])) for value in (0, 0.0, False, -0.0)}
    assert len(keys) == 4  # equal under ==, four keys
    assert fn._content((dt.date(2030, 1, 1),)) == ((dt.date(2030, 1, 1)),)
    # numpy values marshal as their raw bytes: computed, never cached, never mistaken for each other
    import numpy as np
    racks = udfs.CPO_TAM(2030, 150000.0)
    assert udfs.CPO_TAM(2030, np.float64(150000.0)) == racks
    same_bytes = np.frombuffer(np.float64(150000.0).tobytes(), dtype=np.int64)[0]  # 4,756,... as an int64
    with pytest.raises(CpoError):  # ~4.8e18 racks: outside the allowed range, not the float's cached TAM
        udfs.CPO_TAM(2030, same_bytes)


def _tam_or_error(*args):
    try:
        return udfs.CPO_TAM(*args)
    except CpoError as exc:
        return str(exc)


def test_a_true_cell_never_gets_a_1_cells_result_nor_the_reverse():
    import datetime as dt
    # TRUE == 1 and FALSE == 0 in Python: every cache on the way (the UDF's, the parsed case, the Case itself,
    # the resolved assumptions) must keep them apart, in either calculation order
    share = "envelopes.ai_share_of_additions"  # base 0.8: 1 (all additions AI) is valid and lifts the TAM
    calls = {"TRUE": (2030, 150000.0, [[share, True]]), "1": (2030, 150000.0, [[share, 1]]),
             "FALSE racks": (2028, False), "0 racks": (2028, 0)}
    alone = {}
    for name, args in calls.items():
        fn.clear_caches()
        alone[name] = _tam_or_error(*args)
    assert "True is a boolean; a number is needed" in alone["TRUE"] and isinstance(alone["1"], float)
    assert "rack_units False is not a number" in alone["FALSE racks"]
    assert isinstance(alone["0 racks"], float)
    for order in (list(calls), list(calls)[::-1]):
        fn.clear_caches()
        assert {name: _tam_or_error(*calls[name]) for name in order} == alone, order
    # the engine's own keys: a case overriding with TRUE is another case than one overriding with 1
    assert Case("base", ((share, True),)) != Case("base", ((share, 1),))
    assert Case("base", ((share, 1),)) == Case("base", ((share, 1.0),))  # int and float: the same number
    day = dt.date(2030, 1, 1)  # a cell marshal cannot write: the fallback key keeps TRUE apart too
    assert fn._content((day, True)) != fn._content((day, 1))


def test_a_numpy_boolean_is_a_boolean_and_a_numpy_number_a_number():
    # a break-it review: np.True_ was taken as 1 (8,340.8) and its cached run then served a later TRUE cell;
    # np.int64 years were refused as "not a number"
    import numpy as np
    share = "envelopes.ai_share_of_additions"
    fn.clear_caches()
    for value in (np.bool_(True), True):
        with pytest.raises(CpoError, match="True is a boolean; a number is needed"):
            udfs.CPO_TAM(2030, 5000, [[share, value]])
    assert udfs.CPO_TAM(np.int64(2030), 5000, [[share, np.int64(1)]]) == udfs.CPO_TAM(2030, 5000, [[share, 1]])


def test_udf_module_is_generated_from_the_catalogue_and_fresh():
    assert (ROOT / "udfs" / "cpo_udfs.py").read_text(encoding="utf-8") == module_source(), \
        "udfs/cpo_udfs.py is stale: run python scripts/update_udfs.py"
    for udf in CATALOGUE:
        func = getattr(udfs, udf.name)
        params = inspect.signature(func).parameters
        assert list(params) == [a.name for a in udf.args], udf.name
        for arg in udf.args:
            assert (params[arg.name].default is None) == arg.optional, (udf.name, arg.name)
            assert arg.doc
        assert func.__doc__ == udf.doc and len(udf.doc) <= 255


def test_readme_function_table_is_current():
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


junk = st.one_of(
    st.none(), st.just(""), st.text(max_size=8), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**12, 10**12), st.just("#N/A"),
    st.lists(st.one_of(st.none(), st.floats(), st.text(max_size=4)), max_size=4),
    st.lists(st.lists(st.one_of(st.none(), st.floats(), st.text(max_size=4)), max_size=3), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CATALOGUE), st.data())
def test_junk_only_raises_the_project_error(udf, data):
    args = [data.draw(junk) for _ in udf.args]
    try:
        result = getattr(udfs, udf.name)(*args)
    except CpoError as exc:
        message = str(exc)
        assert message
        names = [a.name for a in udf.args] + ["assumption", "scenario", "rack_units", "model", "source"]
        assert any(name in message for name in names), message
        return
    if isinstance(result, float):
        assert math.isfinite(result)


def test_a_case_key_in_place_of_the_assumptions_range_gives_the_same_tam():
    """The workbook's CPO_TAM rows pass case_forecast (one cell) instead of the ~1,200-cell range: same case."""
    from cpo_xl.excel.blocks import CPO_CASE
    table = [[r["key"], r["bear"], r["base"], r["bull"]] for r in input_rows("bull", None)]
    edited = next(row for row in table if row[0] == "penetration.scale_out.ceiling")
    edited[3] = edited[3] * 0.9  # an edited bull cell: the key carries it
    key = CPO_CASE(table, "bull")
    assert fn.CPO_TAM(2028, TABLE, key) == fn.CPO_TAM(2028, TABLE, table, "bull")
    assert fn.CPO_LAYER_TAM("lasers", 2027, TABLE, key, "bull") == fn.CPO_LAYER_TAM("lasers", 2027, TABLE, table,
                                                                                     "bull")
    with pytest.raises(CpoError, match="differs from the bull case that assumptions"):
        fn.CPO_TAM(2028, TABLE, key, "base")


def test_the_tam_line_has_one_name_and_the_old_one_still_works():
    # issue 21: the registry called the TAM `tam_udf` where the engine, explain and bridge say `tam`; a workbook
    # built earlier passes "tam_udf" to CPO_LINE / CPO_LINES, so the old name stays an alias
    from cpo_xl.analysis.lines import line_items
    names = [item.name for item in line_items(Case())]
    assert "tam" in names and "tam_udf" not in names
    assert udfs.CPO_LINE("tam_udf", 2030) == udfs.CPO_LINE("tam", 2030) == pytest.approx(
        run(Case()).tam[2030 - 2023], rel=1e-12)


def test_one_rack_cell_is_its_number_as_a_scalar_a_row_or_a_1x1_range():
    """A year given as [[2030]] was read as 2030 but racks given as [[5000]] were refused as '1x1': one cell is
    its number in every shape a caller sends it (Office.js sends every argument as rows)."""
    CPO_TAM = fn.CPO_TAM  # noqa: N806 - the function's Excel name
    alone = CPO_TAM(2030, 5000)
    assert alone > 0
    assert CPO_TAM(2030, [[5000]]) == CPO_TAM([[2030]], [[5000.0]]) == CPO_TAM(2030, [5000]) == alone
    assert CPO_TAM(2030, 6000) != alone  # the racks are read, not dropped


def test_an_assumptions_range_one_empty_column_too_wide_is_read_as_an_empty_row_is():
    """A range selected with one empty row too many was read; one empty column too many was refused as 'Nx3' /
    'Nx5'. Both are read now; a value in that column is still refused (it is not a table of 2 or 4 columns).
    Empty columns never narrow a table to 2 or 4 columns it was not: 2 columns and 2 empty ones are a 4-column
    table with its base and bull cells empty (refused), not a (key, value) table read from the bear column."""
    keys = ("racks.growth_2027", "pricing.erosion_2027", "envelopes.pue")
    two = [[k, v] for k, v in zip(keys, (0.3, 0.15, 1.3), strict=True)]
    four = [[k, *v] for k, v in zip(keys, ((0.1, 0.3, 0.5), (0.25, 0.15, 0.1), (1.4, 1.3, 1.2)), strict=True)]
    for table, wider in ((two, ([None],)), (four, ([None], [None, ""]))):
        given = fn.CPO_TAM(2030, 5000, table)
        assert given != fn.CPO_TAM(2030, 5000)  # the table is read
        assert fn.CPO_TAM(2030, 5000, [*table, [None] * len(table[0])]) == given
        for empty in wider:
            assert fn.CPO_TAM(2030, 5000, [[*row, *empty] for row in table]) == given
        with pytest.raises(CpoError, match=rf"assumptions is 3x{len(table[0]) + 1}; allowed: 2 columns"):
            fn.CPO_TAM(2030, 5000, [[*row, 1.0] for row in table])
    with pytest.raises(CpoError, match=r"racks\.growth_2027: the base cell is empty"):
        fn.CPO_TAM(2030, 5000, [[*row, None, None] for row in two])


def test_a_refused_number_is_quoted_as_given_not_rounded_to_an_allowed_one():
    """'a (ceiling L) 1 is outside the allowed range: 0 to 1' was the message for 1.0000001 (formatted with 6
    significant digits): the message contradicted itself. The value is quoted to 15 significant digits."""
    for call, message in (
            (lambda: fn.CPO_CURVE("logistic", 2030, 1.0000001, 0.9, 2029),
             "a (ceiling L) 1.0000001 is outside the allowed range: 0 to 1"),
            (lambda: fn.CPO_TAM(2030.0000001, 5000), "year 2030.0000001 is not a whole year; allowed: 2023-2035"),
            (lambda: fn.CPO_TAM(2030, -0.0000001), "rack_units -1e-07 is outside the allowed range")):
        with pytest.raises(CpoError) as raised:
            call()
        assert message in str(raised.value)
