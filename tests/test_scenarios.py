"""Scenarios, sensitivities and Monte Carlo ranges."""


import numpy as np
import pytest

from cpo_xl.analysis import montecarlo as mc
from cpo_xl.analysis import ranges as rg
from cpo_xl.analysis import scenarios as sc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS, UserFile
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel import functions as fn
from cpo_xl.workbook.check.recalc import recalculate
from cpo_xl.workbook.spec import layout as L
from tests.conftest import read_book
from tests.reference import one_draw_at_a_time
from tests.sheet_xml import set_cells


def test_tornado_ranks_by_computed_swing():
    # a laser price between US$1 and US$5,000 per laser swamps every other input in 2030
    user = UserFile(base=(), scenarios=(("bear", (("pricing.laser_usd_2026", 1),)),
                                        ("bull", (("pricing.laser_usd_2026", 5000),))))
    table = sc.tornado(Case(user=user), 2030)
    assert table.iloc[0]["key"] == "pricing.laser_usd_2026"
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    row = table.iloc[0]
    assert row["swing"] == pytest.approx(abs(row["at_bull"] - row["at_bear"]))


def test_fixed_seed_reproduces_and_percentiles_are_ordered():
    first, again = mc.simulate(Case(), 3000, seed=7), mc.simulate(Case(), 3000, seed=7)
    assert np.array_equal(first.tam, again.tam)
    assert not np.array_equal(first.tam, mc.simulate(Case(), 3000, seed=8).tam)
    p10, p50, p90 = first.percentiles()
    assert np.all(p10 <= p50) and np.all(p50 <= p90)
    assert fn.CPO_TAM_PCTL(2030, 0.5, "") == fn.CPO_TAM_PCTL(2030.0, 0.5, None)
    assert fn.CPO_TAM_PCTL(2030, 0.1, "") <= fn.CPO_TAM_PCTL(2030, 0.5, "") <= fn.CPO_TAM_PCTL(2030, 0.9, "")


def test_collapsed_distributions_give_the_deterministic_result():
    base = Case().assumptions()
    keys = rg.ranges(Case()).keys()
    point = tuple((k, rg.value_at(base, k)) for k in keys)
    user = UserFile(base=(), scenarios=(("bear", point), ("bull", point)))
    assert rg.ranges(Case(user=user)) == {}
    sim = mc.simulate(Case(user=user), 500)
    expected = run(Case()).tam
    for row in sim.percentiles():
        assert row == pytest.approx(expected, rel=1e-12)
    degenerate = rg.Range("x", 2.0, 2.0, 2.0)
    assert np.all(mc.draw(degenerate, np.linspace(0.01, 0.99, 5), "triangular") == 2.0)


def test_vectorised_draws_equal_the_plain_loop():
    assert mc.simulate(Case(), 200).tam == pytest.approx(one_draw_at_a_time(Case(), 200), rel=1e-12)


def test_draws_respect_the_bounds_and_the_correlation():
    ranges = rg.ranges(Case())
    keys = sorted(ranges)
    u = mc.uniforms(20000, len(keys), mc.correlation(keys), np.random.default_rng(1))
    values = {k: mc.draw(ranges[k], u[:, i], "triangular") for i, k in enumerate(keys)}
    for k, v in values.items():
        assert v.min() >= ranges[k].low - 1e-9 and v.max() <= ranges[k].high + 1e-9
    rho = np.corrcoef(values["racks.growth_2027"], values["pricing.erosion_2027"])[0, 1]
    assert 0.35 < rho < 0.6  # 0.5 on the normals, a little less after the triangular transform


@pytest.mark.slow
def test_scenario_dropdown_switches_the_workbook(built, tmp_path):
    copy = set_cells(built, tmp_path / "bull.xlsx", {f"Inputs!{L.a1(L.INPUTS_SCENARIO_ROW, 2)}": "bull"})
    book = read_book(built)
    results, _ = recalculate(copy)
    tam_row = next(r for r in range(1, 30) if book["TAM"].cell(r, 1).value == "CPO TAM (CPO_TAM)")
    expected = run(Case("bull")).tam
    for year in (2027, 2030):
        cell = f"TAM!{book['TAM'].cell(tam_row, L.year_col(year) + 1).coordinate}"
        assert results[cell] == pytest.approx(expected[YEARS.index(year)], rel=1e-9)


def test_scenarios_sheet_orders_bear_base_bull(built):
    values = read_book(built, data_only=True)["Scenarios"]
    rows = {values.cell(r, 1).value: r for r in range(1, values.max_row + 1)}
    for year in YEARS:
        col = L.year_col(year) + 1
        tams = [values.cell(rows[f"CPO TAM ({s})"], col).value for s in SCENARIOS]
        assert tams[0] <= tams[1] <= tams[2]


def test_a_copy_holding_draws_is_never_served_from_the_cache():
    # Monte Carlo's copies hold (draws, 1) arrays; a cached entry must refuse them rather than return the
    # result of the assumption set they were copied from
    from cpo_xl.engine.draws import with_draws
    from cpo_xl.engine.errors import CpoError
    from cpo_xl.engine.model import compute
    copy = with_draws(Case().assumptions(), {"pricing.erosion_2027": np.array([0.05, 0.35])})
    with pytest.raises(CpoError, match="cannot be cached"):
        compute(copy, Case().rack_series())


def test_the_engine_runs_on_plain_frozen_parameters():
    import dataclasses

    from pydantic import BaseModel
    params = run(Case()).a
    assert not isinstance(params, BaseModel) and dataclasses.is_dataclass(params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.racks = None  # frozen


def test_triangular_inverse_cdf_matches_scipy():
    import numpy as np
    from scipy import stats

    from cpo_xl.analysis.montecarlo import triangular_ppf
    u = np.linspace(0, 1, 1001)
    for low, mode, high in ((1.0, 2.0, 5.0), (0.0, 0.0, 1.0), (3.0, 7.0, 7.0)):
        expected = stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low)
        assert np.array_equal(triangular_ppf(u, low, mode, high), expected)


@pytest.mark.parametrize("n", [1, 2, 9, 25_001])
def test_streamed_percentiles_equal_those_over_every_draw(n):
    import numpy as np

    from cpo_xl.analysis import montecarlo as mc
    from cpo_xl.analysis import streaming
    qs = (0.1, 0.5, 0.9)
    kept = mc.simulate(Case("bull"), n, 11, companies=True)
    streamed = streaming.percentiles(Case("bull"), n, 11, qs, companies=True)
    assert np.array_equal(streamed.percentiles(qs), kept.percentiles(qs))
    for ticker in kept.exposure:
        assert np.allclose(streamed.exposure_percentiles(ticker, qs), kept.exposure_percentiles(ticker, qs),
                           rtol=1e-12, equal_nan=True)


def test_percentile_bins_follow_the_order_of_the_values():
    import numpy as np

    from cpo_xl.analysis.streaming import bin_of
    values = np.array([-1e300, -5.0, -1e-300, -0.0, 0.0, 1e-300, 1.0, 1.01, 7.0, 1e300])
    bins = bin_of(values)
    assert np.all(np.diff(bins) >= 0)  # never out of order
    assert bins[1] < bins[6] < bins[8] < bins[9]  # and far-apart values in different bins
