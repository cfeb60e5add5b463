"""Engine: worked examples (arithmetic in the comments), base-case claims, invalid assumptions."""

import math
import re

import numpy as np
import pytest

from cpo_xl.analysis.tables import ranking
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine import curves
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import year_index

BASE = Case().assumptions()
RESULT = run(Case())


def test_logistic_two_anchor_worked_example():
    # y1 = ln(0.02/0.58) = -3.3673, y2 = ln(0.35/0.25) = 0.3365; k = 3.7038/4 = 0.926; t0 = 2026 + 3.3673/0.926
    ceiling, k, t0 = curves.fit_logistic_two_anchors(2026, 0.02, 2030, 0.35, 0.60)
    assert ceiling == 0.60
    assert k == pytest.approx(0.926, abs=5e-4)
    assert t0 == pytest.approx(2029.64, abs=5e-3)


def test_three_anchor_fit_worked_example():
    # s = 0.05, 0.20, 0.40 at 2026/2028/2030: L = 0.2 (0.05*0.2 + 0.2*0.4 - 2*0.05*0.4) / (0.04 - 0.02)
    #   = 0.2 * (0.01 + 0.08 - 0.04) / 0.02 = 0.5
    ceiling, k, t0 = curves.fit_logistic_three_anchors([2026, 2028, 2030], [0.05, 0.20, 0.40])
    assert ceiling == pytest.approx(0.5)
    assert curves.logistic([2026, 2028, 2030], ceiling, k, t0) == pytest.approx([0.05, 0.20, 0.40])


def test_yole_cagr():
    # (8000 / 67) ^ (1/6) - 1 = 119.40 ^ 0.16667 - 1 = 1.219
    assert xc.cagr(67, 8000, 2024, 2030) == pytest.approx(1.219, abs=5e-4)


def test_one_tam_year_by_hand_2026():
    """2026 is set by the disclosed product ramps (issue 22), so its TAM follows from supply inputs alone.

    The ramps ship 10,000 102.4T-eq CPO switches (supply.cpo_switches_2026) = 1.024e9 Gb/s = 320,000 3.2T-eq
    good engines; capacity is built for them at the 2026 good fraction 0.55 x 0.35 x 0.95 = 0.182875:
      starts = 320,000 / 0.182875 = 1,749,829 (2025: 1,000 switches -> 174,983 starts)
      engines (PIC+EIC): 1.024e9 Gb/s x US$0.28 = US$286.72M -> definers 60% = 172.032, foundry 40% = 114.688
      lasers: 1.024e9 / 800 Gb/s per laser = 1,280,000 lasers x US$40 = US$51.2M
      fibre: 1.024e9 x US$0.03 = US$30.72M
      equipment: capacity added (1,749,829 - 174,983) x (1.5/150,000 + 3.0/300,000) US$ M = US$31.497M
      TAM = 286.72 + 51.2 + 30.72 + 31.497 = US$400.137M
    """
    i = year_index(2026)
    assert RESULT.binding[i] == 0 and RESULT.product_binds[i] == 1
    good = 0.55 * 0.35 * 0.95
    assert RESULT.starts[i] == pytest.approx(320_000 / good)
    assert RESULT.gbps[i] == pytest.approx(1.024e9)
    assert RESULT.layers["definers"][i] == pytest.approx(172.032)
    assert RESULT.layers["foundry_packaging"][i] == pytest.approx(114.688)
    assert RESULT.layers["lasers"][i] == pytest.approx(51.2)
    assert RESULT.layers["fiber_connectivity"][i] == pytest.approx(30.72)
    equipment = (320_000 - 32_000) / good * (1.5 / 150_000 + 3.0 / 300_000)  # 2025: 1,000 x 32 engines
    assert RESULT.layers["equipment"][i] == pytest.approx(equipment)
    assert RESULT.tam[i] == pytest.approx(286.72 + 51.2 + 30.72 + equipment)


def test_base_case_shows_the_research_note():
    pen = RESULT.penetration("all")
    assert pen[year_index(2027)] < 0.10
    assert pen[year_index(2030)] > 2 * pen[year_index(2028)] > 0  # steep after 2028
    i = year_index(2030)
    exposure = {t: RESULT.companies[t].exposure[i] for t in RESULT.companies}
    assert exposure["AVGO"] > exposure["NVDA"]
    assert exposure["MRVL"] > exposure["NVDA"]
    for ticker in ("APH", "TEL", "LITE", "COHR"):
        assert RESULT.companies[ticker].net_exposure[i] < exposure[ticker]


def test_private_company_has_revenue_but_no_exposure():
    lines = RESULT.companies["AIXEMTEC"]
    assert lines.cpo_revenue[year_index(2030)] > 0
    assert math.isnan(lines.exposure[year_index(2030)])
    table = ranking(Case(), 2030)
    assert table.iloc[-1]["exposure"] != table.iloc[-1]["exposure"]  # NaN sorts last


@pytest.mark.parametrize(("override", "fragment"), [
    (("racks.cy2026", -5), "racks.cy2026: -5"),
    (("companies.NVDA.share_2026", 1.5), "companies.NVDA.share_2026: 1.5"),
    (("companies.AVGO.share_2030", 0.9), "share_2030 sums to"),
    (("pricing.no_such_key", 1), "'pricing.no_such_key' is unknown"),
    (("supply.test_yield", "high"), "supply.test_yield: 'high'"),
])
def test_invalid_assumptions_raise_one_error_type(override, fragment):
    with pytest.raises(CpoError) as info:
        Case("base", (override,)).assumptions()
    assert fragment in str(info.value)
    assert any(word in str(info.value) for word in ("allowed", "minimum", "maximum", "unknown"))


def test_bound_is_named():
    with pytest.raises(CpoError, match=re.escape("racks.cy2025: -1 is below the minimum 0")):
        Case("base", (("racks.cy2025", -1),)).assumptions()


def test_scenarios_order_tam():
    tams = [run(Case(s)).tam for s in ("bear", "base", "bull")]
    assert np.all(tams[0] <= tams[1]) and np.all(tams[1] <= tams[2])


def test_every_default_number_has_a_source():
    from cpo_xl.engine.inputs import flatten, shipped
    values, meta, _ = shipped()
    for key, value in flatten(values).items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert key in meta, key
            assert meta[key].grade in ("H", "M", "L") and meta[key].date and meta[key].source


def test_exposure_in_one_year_equals_the_full_company_lines():
    from cpo_xl.engine.case import Case, run
    from cpo_xl.engine.model import exposures_in_year
    result = run(Case("bull"))
    for column in (0, 4, 12):
        for ticker, value in exposures_in_year(result, column).items():
            expected = result.companies[ticker].exposure[column]
            assert (np.isnan(value) and np.isnan(expected)) or value == expected


@pytest.mark.parametrize("scenario", ["bear", "base", "bull"])
def test_exposure_order_is_pandas_sort_by_exposure_then_cpo_revenue(scenario):
    """The pandas-free ranking equals pandas' stable sort (exposure, then CPO revenue, both descending; no
    exposure last) for every year: pandas is the independent oracle."""
    import pandas as pd

    from cpo_xl.engine.model import exposure_order
    result = run(Case(scenario))
    for column in range(13):
        frame = pd.DataFrame([{"ticker": t, "exposure": lines.exposure[column], "rev": lines.cpo_revenue[column]}
                              for t, lines in result.companies.items()])
        expected = frame.sort_values(["exposure", "rev"], ascending=False, na_position="last", kind="stable")
        assert exposure_order(result, column) == list(expected["ticker"])
    assert exposure_order(result, 7)[-1] in {t for t, c in result.a.companies.items() if c.revenue_usd_m is None}


@pytest.mark.parametrize("scenario", ["bear", "base", "bull"])
def test_cpo_optics_is_the_tam_less_equipment(scenario):
    # the Summary says so ("the model's CPO optics (US$ 13.2 bn, the TAM less equipment)"): engines, lasers and
    # fibre are every layer but the equipment layer, in every year
    r = run(Case(scenario))
    assert np.asarray(r.optics) == pytest.approx(np.asarray(r.tam) - np.asarray(r.equipment_tam), rel=1e-12, abs=1e-9)
