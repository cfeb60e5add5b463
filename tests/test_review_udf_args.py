"""Break-it review of the UDF arguments: every curve parameter and CAGR argument is range-checked against one
source (the assumption schema, the model horizon), a message names the argument and the allowed range, and no
message quotes a pasted 100,000-character value whole. Plain Python calls, no workbook."""

import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpo_xl.engine.assumptions import CURVE_MODELS, rule
from cpo_xl.engine.curves import CURVE_PARAMETERS, parameter_rule
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR
from cpo_xl.excel import functions as fn
from cpo_xl.excel.catalogue import CATALOGUE, implementation


def message(call, *args):
    with pytest.raises(CpoError) as info:
        call(*args)
    return str(info.value)


@pytest.mark.parametrize(("args", "fragments"), [
    (("logistic", 2030, 5, 0.9, 2029), ("a (ceiling L) 5", "0 to 1")),
    (("logistic", 2030, -1, 0.9, 2029), ("a (ceiling L) -1", "0 to 1")),
    (("gompertz", 2030, 1.5, 0.9, 2029), ("a (ceiling L) 1.5", "0 to 1")),
    (("linear", 2030, 5, 2025, 3), ("a (ceiling L) 5", "0 to 1")),
    (("logistic", 2030, 0.6, -5, 2029), ("b (rate k) -5", "greater than 0, at most 20")),
    (("logistic", 2030, 0.6, 0, 2029), ("b (rate k) 0", "greater than 0, at most 20")),
    (("gompertz", 2030, 0.6, 50, 2029), ("b (rate b) 50", "greater than 0, at most 20")),
    (("logistic", 2030, 0.6, 0.9, 1e9), ("c (midpoint t0) 1e+09", "2000 to 2060")),
    (("bass", 2030, 0, 0.4, 2025), ("a (innovation p) 0", "greater than 0, at most 1")),
    (("bass", 2030, 0.03, -0.4, 2025), ("b (imitation q) -0.4", "greater than 0, at most 20")),
    (("bass", 2030, 0.03, 0.4, -1e9), ("c (launch year) -1e+09", "2000 to 2060")),
    (("linear", 2030, 0.5, 1800, 3), ("b (start year) 1800", "2000 to 2060")),
    (("linear", 2030, 0.5, 2025, 0), ("c (ramp years) 0", "greater than 0, at most 40")),
    (("logistic", 1950, 0.6, 0.9, 2029), ("year 1950", "2000 to 2060")),
])
def test_a_curve_parameter_out_of_range_names_itself_and_its_range(args, fragments):
    text = message(fn.CPO_CURVE, *args)
    assert all(f in text for f in fragments), text


def test_curve_bounds_are_the_schemas():
    """One source of truth: CPO_CURVE's bounds are the segment curve inputs' (what the Inputs sheet accepts)."""
    assert set(CURVE_PARAMETERS) == set(CURVE_MODELS)
    for segment in ("scale_out", "scale_up", "nic"):
        for field in ("ceiling", "rate", "midpoint", "innovation", "ramp_years"):
            assert rule(f"penetration.{segment}.{field}").text() == parameter_rule(field).text()


def test_curve_edges_still_compute():
    assert fn.CPO_CURVE("logistic", 2030, 1, 0.9, 2030) == pytest.approx(0.5)
    assert fn.CPO_CURVE("logistic", 2030, 0, 0.9, 2030) == 0.0
    assert fn.CPO_CURVE("gompertz", FIRST_YEAR, 1, 20, 2060) == pytest.approx(0.0)
    assert fn.CPO_CURVE("bass", LAST_YEAR, 1, 20, 2000) == pytest.approx(1.0)
    assert fn.CPO_CURVE("linear", LAST_YEAR, 1, 2000, 40) == pytest.approx((LAST_YEAR - 2000) / 40)
    assert fn.CPO_CURVE("linear", 2060, 1.0, 2060, 1e-9) == 0.0
    # a vanishing p used to overflow q / p and come back as "not defined" (inf x 0) once adoption was complete
    assert fn.CPO_CURVE("bass", 2060, 5e-324, 20, 2000) == 1.0


accepted = {
    "ceiling": st.floats(0.0, 1.0), "rate": st.floats(0.0, 20.0, exclude_min=True),
    "midpoint": st.floats(2000.0, 2060.0), "innovation": st.floats(0.0, 1.0, exclude_min=True),
    "ramp_years": st.floats(0.0, 40.0, exclude_min=True),
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CURVE_MODELS), st.data())
def test_an_accepted_curve_is_a_share(model, data):
    """Whatever parameters CPO_CURVE accepts, it returns a share 0-1 (never raises for them)."""
    year = data.draw(accepted["midpoint"])
    params = [data.draw(accepted[field]) for field, _ in CURVE_PARAMETERS[model]]
    value = fn.CPO_CURVE(model, year, *params)
    assert 0.0 <= value <= 1.0, (model, year, params, value)


near = st.one_of(st.floats(-2.0, 25.0), st.floats(1990.0, 2070.0), st.floats(), st.integers(-10**6, 10**6))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CURVE_MODELS), st.floats(1990.0, 2070.0), st.lists(near, min_size=3, max_size=3))
def test_any_curve_is_a_share_or_refused(model, year, params):
    try:
        value = fn.CPO_CURVE(model, year, *params)
    except CpoError:
        return
    assert 0.0 <= value <= 1.0, (model, year, params, value)


@pytest.mark.parametrize(("args", "fragments"), [
    ((0, 10, 2024, 2030), ("start_value 0", "greater than 0")),
    ((-5, 10, 2024, 2030), ("start_value -5", "greater than 0")),
    ((1, -10, 2024, 2030), ("end_value -10", "at least 0")),
    ((1, 10, 2030, 2024), ("end_year 2024 is not after start_year 2030", f"up to {LAST_YEAR}")),
    ((1, 10, 2024, 2024), ("end_year 2024 is not after start_year 2024", f"up to {LAST_YEAR}")),
    ((1, 10, 1000, 2024), ("start_year 1000", f"{FIRST_YEAR}-{LAST_YEAR}")),
    ((1, 10, 2024, 2050), ("end_year 2050", f"{FIRST_YEAR}-{LAST_YEAR}")),
    ((1, 10, 2024.5, 2030), ("start_year 2024.5", f"{FIRST_YEAR}-{LAST_YEAR}")),
])
def test_a_cagr_argument_out_of_range_names_itself_and_its_range(args, fragments):
    text = message(fn.CPO_CAGR, *args)
    assert all(f in text for f in fragments), text


def test_cagr_edges_still_compute():
    assert fn.CPO_CAGR(1, 2, FIRST_YEAR, LAST_YEAR) == pytest.approx(2 ** (1 / (LAST_YEAR - FIRST_YEAR)) - 1)
    assert fn.CPO_CAGR(67, 8000, 2024, 2030) == pytest.approx((8000 / 67) ** (1 / 6) - 1)
    assert fn.CPO_CAGR(5, 0, 2024, 2025) == -1.0


@pytest.mark.parametrize(("args", "fragments"), [
    (("logistic", [2026, 2030], [0.02, 0.35], 1.5), ("ceiling 1.5", "0 to 1")),
    (("logistic", [2026, 2030], [0.02, 1.35], 0.6), ("shares 1.35", "0 to 1")),
    (("logistic", [1026, 2030], [0.02, 0.35], 0.6), ("years 1026", "2000 to 2060")),
    (("bass", [2026, 2028, 1e300], [0.02, 0.1, 0.35], None), ("years 1e+300", "2000 to 2060")),
])
def test_a_fit_argument_out_of_range_names_itself_and_its_range(args, fragments):
    text = message(fn.CPO_FIT, *args)
    assert all(f in text for f in fragments), text


def test_fit_edges_still_compute():
    ((level, rate, midpoint),) = fn.CPO_FIT("logistic", [FIRST_YEAR, LAST_YEAR], [0.02, 0.9], 1)
    assert level == 1 and rate > 0 and FIRST_YEAR < midpoint < LAST_YEAR


LONG = "x" * 100_000
TYPICAL = {"year": 2030, "rack_units": 1000, "model": "logistic", "a": 0.6, "b": 0.9, "c": 2029, "layer": "lasers",
           "ticker": "AVGO", "source": "yole", "start_value": 1, "end_value": 2, "start_year": 2024,
           "end_year": 2030, "line": "tam", "name": "tam", "input_key": "pricing.erosion_2027", "percentile": 0.5,
           "years": [2026, 2030], "shares": [0.02, 0.35], "ceiling": 0.6}
# the engine's list of the keys with a bear/bull range is ~850 characters whatever the bad key
LISTS_ALLOWED = {("CPO_SENSITIVITY", "input_key")}


@pytest.mark.parametrize("shape", ["text", "cell of a range", "row"])
@pytest.mark.parametrize("udf", [u.name for u in CATALOGUE if u.args])
def test_a_pasted_100000_character_value_is_quoted_short(udf, shape):
    """Whichever argument holds it and whichever module words the message."""
    func = implementation(udf)
    names = list(inspect.signature(func).parameters)
    bad = {"text": LONG, "cell of a range": [[LONG]], "row": [LONG, LONG]}[shape]
    for i, name in enumerate(names):
        args = [TYPICAL.get(n) for n in names]
        args[i] = bad
        try:
            func(*args)
        except CpoError as exc:
            text = str(exc)
            # a UDF quotes 40 characters of it; an assumption key the engine names, 60 (inputs.short)
            assert "x" * 61 not in text, (udf, name, text[:200])
            head = text.split("; allowed: ")[0]
            assert len(head) < 300, (udf, name, head[:300])
            assert len(text) < 300 or (udf, name) in LISTS_ALLOWED, (udf, name, text[:300])


def test_a_long_value_is_cut_to_40_characters_and_counted():
    text = message(fn.CPO_CROSSCHECK, LONG, 2030, 1000)
    assert text.startswith("source '" + "x" * 39 + "... (100,002 characters) is unknown; allowed: "), text
    assert message(fn.CPO_TAM, 2030, 1000, None, [[LONG]]).startswith("scenario [['" + "x" * 37 + "... (100,006 ")


def test_a_long_argument_among_many_cells_is_quoted_short():
    """A long text in a cell of the assumptions range, in a key or a value."""
    for table in ([[LONG, 1]], [["pricing.erosion_2027", LONG]]):
        text = message(fn.CPO_TAM, 2030, 1000, table)
        assert len(text) < 300 and "characters)" in text and "x" * 61 not in text, text[:300]


def test_the_other_functions_still_check_their_ranges():
    """The survey: each CPO_* numeric argument names itself and its range."""
    assert "percentile 2 is outside the allowed range: 0 to 1" in message(fn.CPO_TAM_PCTL, 2030, 2)
    assert "rack_units -5 is outside the allowed range: 0 to 1e+09" in message(fn.CPO_TAM, 2030, -5)
    assert "year 2050 is outside the model horizon" in message(fn.CPO_SUPPLY, 2050)
    assert math.isfinite(fn.CPO_TAM_PCTL(LAST_YEAR, 1))
