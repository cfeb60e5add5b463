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
    """2026 from the defaults, by hand. Racks 65,000, all NVL72 (Kyber starts 2027): packages 4.68M."""
    a, i = BASE, year_index(2026)
    packages = 65_000 * 72
    curve = {s: curves.logistic(2026, getattr(a.penetration, s).ceiling, getattr(a.penetration, s).rate,
                                getattr(a.penetration, s).midpoint) for s in ("scale_out",)}
    # scale-out: 1 NIC port x (2*3-1) switch ports x 800G -> 800G-eq ports; 1.6T engines -> ports / 2
    nvidia_ports = packages * 1 * 5 * 800 / 800
    merchant = 20_000  # switches in 2026, each 128 ports, 16 x 6.4T engines
    gbps = curve["scale_out"] * (nvidia_ports * 800 + merchant * 16 * 6400)
    engines = curve["scale_out"] * (nvidia_ports * 800 / 1600 + merchant * 16)
    price = 0.70 * (1 - 0.40)  # US$0.42/Gb/s in 2026
    engine_value = gbps * price / 1e6
    lasers = gbps / 800 * 50 / 1e6
    fiber = engines * 150 / 1e6
    # equipment: tools for capacity 2026 less 2025; capacity = 12 x 10k x 2^(y-2027) wafers x 300 x yields
    wafers = {2026: 12 * 10_000 / 2, 2025: 12 * 10_000 / 4}
    into_assembly = {y: w * 300 * 0.55 for y, w in wafers.items()}
    equipment = ((into_assembly[2026] - into_assembly[2025]) / 150_000 * 1.5
                 + (into_assembly[2026] - into_assembly[2025]) * 0.35 / 300_000 * 3.0)
    assert RESULT.binding[i] == 0  # demand binds in 2026
    assert RESULT.layers["definers"][i] == pytest.approx(engine_value * 0.4)
    assert RESULT.layers["foundry_packaging"][i] == pytest.approx(engine_value * 0.6)
    assert RESULT.layers["lasers"][i] == pytest.approx(lasers)
    assert RESULT.layers["fiber_connectivity"][i] == pytest.approx(fiber)
    assert RESULT.layers["equipment"][i] == pytest.approx(equipment)
    assert RESULT.tam[i] == pytest.approx(engine_value + lasers + fiber + equipment)


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
