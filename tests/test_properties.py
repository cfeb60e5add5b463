"""Property tests over valid assumptions (hypothesis)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cpo_xl.engine import curves
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.timeline import YEAR_ARRAY, year_index

shares = st.floats(0.05, 1.0)
rates = st.floats(0.05, 3.0)
mids = st.floats(2020, 2040)


@given(shares, rates, mids)
def test_monotone_curves_within_ceiling(ceiling, rate, mid):
    for model in ("logistic", "gompertz"):
        s = curves.curve_value(model, YEAR_ARRAY, ceiling, rate, mid)
        assert np.all(s >= 0) and np.all(s <= ceiling + 1e-12)
        assert np.all(np.diff(s) >= -1e-12)
    b = curves.bass(YEAR_ARRAY, 0.03, rate, mid) * ceiling
    assert np.all(b >= 0) and np.all(b <= ceiling + 1e-12) and np.all(np.diff(b) >= -1e-12)


@given(st.floats(2020, 2030), st.floats(0.01, 0.3), st.floats(1, 8), st.floats(0.05, 0.5), st.floats(0.5, 1.0))
def test_fit_then_evaluate_returns_the_anchors(t1, s1, gap, rise, ceiling):
    s1 = min(s1, ceiling * 0.5)
    s2 = min(s1 + rise, ceiling * 0.95)
    assume(s2 > s1)
    a, b, c = curves.fit_curve("logistic", [t1, t1 + gap], [s1, s2], ceiling)
    assert curves.logistic([t1, t1 + gap], a, b, c) == pytest.approx([s1, s2], rel=1e-9)


overrides = st.fixed_dictionaries({
    "racks.growth_2027": st.floats(-0.2, 1.0),
    "penetration.scale_out.ceiling": st.floats(0.0, 1.0),
    "penetration.scale_up.rate": st.floats(0.1, 3.0),
    "supply.engines_per_wafer": st.floats(1, 2000),
    "supply.max_ramp": st.floats(0.0, 6.0),
    "pricing.erosion_2027": st.floats(0.0, 0.5),
})


@settings(max_examples=40, deadline=None)
@given(overrides)
def test_model_invariants(values):
    r = run(Case("base", tuple(values.items())))
    assert np.allclose(sum(r.layers[name] for name in LAYERS), r.tam)
    for s in SEGMENTS:
        assert np.all(r.effective_share[s] <= r.curve_share[s] + 1e-12)
        assert np.all(r.effective_share[s] >= 0)
    addressable = sum(r.addressable[s].gbps for s in SEGMENTS)
    weighted = np.divide(r.gbps, addressable, out=np.zeros_like(addressable), where=addressable > 0)
    assert np.all(weighted <= r.capacity_share + 1e-9)
    assert np.allclose(weighted, r.penetration("all"))
    assert np.all(r.gbps <= r.capacity * 3200 * (1 + 1e-9))
    for lines in r.companies.values():
        exposure = lines.exposure[~np.isnan(lines.exposure)]
        assert np.all((exposure >= 0) & (exposure <= 1))
        assert np.all(lines.net_exposure[~np.isnan(lines.net_exposure)] <= exposure + 1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 200_000), st.floats(1, 50_000), st.sampled_from([2026, 2027, 2028, 2030]))
def test_tam_non_decreasing_in_racks_and_linear_while_demand_binds(racks, step, year):
    i = year_index(year)
    results = [run(Case(racks=((year, racks + k * step),))) for k in range(3)]
    tams = [r.tam[i] for r in results]
    assert tams[0] <= tams[1] * (1 + 1e-12) and tams[1] <= tams[2] * (1 + 1e-12)
    # optics revenue is linear in racks while the demand curve binds (not supply, not the fixed product ramps)
    if not any(r.binding[i] or r.product_binds[i] for r in results):
        optics = [r.optics[i] for r in results]
        assert (optics[2] - optics[1]) == pytest.approx(optics[1] - optics[0], rel=1e-9, abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["logistic", "gompertz"]), st.floats(0.3, 0.9), st.floats(0.3, 1.5), st.floats(2026, 2031),
       st.integers(4, 7))
def test_least_squares_fit_returns_the_anchors(model, ceiling, rate, midpoint, n):
    years = [midpoint - (n - 1) + 2.0 * i for i in range(n)]  # anchors spread around the inflection
    shares = list(curves.curve_value(model, years, ceiling, rate, midpoint))
    # anchors that sit at ~0 (e.g. 1e-199 for an early Gompertz) pin down no parameter: skip those cases
    assume(min(shares) > 0.005 and max(shares) < ceiling - 0.005)
    a, b, c = curves.fit_curve(model, years, shares, ceiling)
    assert list(curves.curve_value(model, years, a, b, c)) == pytest.approx(shares, abs=1e-6)
