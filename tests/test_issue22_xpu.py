"""Issue 22: the custom-XPU optical scale-up (Celestial AI photonic fabric, Broadcom XPU optics) inside the scale-up
segment: nothing before its first year, the first year worked by hand from the shipped inputs, every scenario year
finite and non-negative, and Marvell's CPO revenue taking its share of the definers' part of it."""

import numpy as np
import pytest

from cpo_xl.engine import companies as co
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEAR_ARRAY, year_index
from tests.test_handworked import ai_it_power_gw, shipped_value

LINES = ("xpu_scale_up_gbps", "xpu_scale_up_shipped", "xpu_scale_up_definers", "xpu_scale_up_optics")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nothing_ships_before_the_first_year(scenario):
    case = Case(scenario)
    r, first = run(case), case.assumptions().demand.xpu_optical_scale_up_year
    before, after = first > YEAR_ARRAY, first <= YEAR_ARRAY
    for line in LINES:
        assert np.all(getattr(r, line)[before] == 0), line
        assert np.all(getattr(r, line)[after] > 0), line


def test_first_year_worked_by_hand():
    """Base scenario, 2028 (the first year of custom-XPU optical scale-up), addressable Gb/s:

      ASIC demand 2028 = 6.5M (2026) x 1.40 (2027) x (1 + 0.06 + (0.40 - 0.06) x 0.5 = 1.23) (2028)
                       = 11,193,000 accelerators
      ASIC power cap   = AI IT power 24.08448 GW (25 GW x 1.12^2 x 0.8 x 1.2 / 1.25) x 0.35 (ASIC share)
                         x 1e6 kW/GW / 0.82 kW per ASIC (0.7 in 2025 -> 0.9 in 2030: 0.7 + 0.2 x 3/5)
                       = 10,279,961.0 accelerators (binds)
      XPU Gb/s         = 10,279,961.0 ASICs x 0.30 (share with optical scale-up) x 12,800 Gb/s per XPU
                       = 10,279,961.0 x 3,840 = 3.9475050e10 Gb/s per yr."""
    v = shipped_value
    year = 2028
    assert v("demand.xpu_optical_scale_up_year") == year
    g0, gt, gf = (v("accelerators.asic_growth_2027"), v("accelerators.asic_growth_terminal"),
                  v("accelerators.asic_growth_fade"))
    demand = v("accelerators.asic_2026") * (1 + g0) * (1 + gt + (g0 - gt) * gf)
    kw = v("envelopes.asic_kw_2025") + (v("envelopes.asic_kw_2030") - v("envelopes.asic_kw_2025")) * 3 / 5
    cap = ai_it_power_gw(year) * v("envelopes.asic_share_of_ai_power") * 1e6 / kw
    asics = min(demand, cap)
    expected = asics * v("demand.xpu_optical_share") * v("demand.xpu_scale_up_gbps")
    assert demand == pytest.approx(11_193_000, rel=1e-12)
    assert asics == pytest.approx(10_279_961.0, rel=1e-8)
    assert expected == pytest.approx(3.9475050e10, rel=1e-7)  # the docstring's figure
    r = run(Case())
    i = year_index(year)
    assert r.asics[i] == pytest.approx(asics, rel=1e-12)
    assert r.xpu_scale_up_gbps[i] == pytest.approx(expected, rel=1e-12)
    # inside the scale-up segment: NVIDIA's cross-rack engines plus the XPUs'
    nvidia = r.packages[i] * v("demand.scale_up_engines_per_package") * v("demand.scale_up_engine_gbps")
    assert r.addressable["scale_up"].gbps[i] == pytest.approx(nvidia + expected, rel=1e-12)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_year_finite_and_non_negative(scenario):
    r = run(Case(scenario))
    for line in LINES:
        values = np.asarray(getattr(r, line))
        assert np.all(np.isfinite(values)) and np.all(values >= 0), line
    assert np.all(r.xpu_scale_up_shipped <= r.xpu_scale_up_gbps)
    assert np.all(r.xpu_scale_up_definers <= r.definers_tam + 1e-9)


def test_marvell_takes_its_share_of_the_definers_xpu_value():
    r = run(Case())
    companies = Case().assumptions().companies
    xpu = r.xpu_scale_up_definers
    for ticker in ("NVDA", "AVGO", "MRVL", "CSCO"):
        c = companies[ticker]
        share = co.layer_share(c)
        expected = (r.definers_tam - xpu) * share + xpu * (c.xpu_scale_up_share or 0.0)  # none on file: 0
        assert np.allclose(r.companies[ticker].cpo_revenue, expected, rtol=1e-12)
    # a company outside the definers keeps its layer share of its layer
    tsm = companies["TSM"]
    assert np.allclose(r.companies["TSM"].cpo_revenue, r.foundry_tam * co.layer_share(tsm), rtol=1e-12)
    assert companies["MRVL"].xpu_scale_up_share > co.layer_share(companies["MRVL"]).max()
