"""Issue 22: one consistent NVIDIA demand core, every identity over every scenario and year.

Worked example (base, 2027): 51,000 NVL72-eq racks x US$7.48M (10% GB300 at 3.8 + 80% VR200 at 7.8 + 10% Kyber
at 8.6) = US$381.5bn of rack spend = data-centre revenue US$477bn x rack-scale share 0.8: the spend envelope binds,
ratio 1.00. In 2028 power binds (Kyber 600 kW per 144 packages): 48,200 racks x US$8.36M = US$403bn against
US$570bn x 0.8 = US$456bn, ratio 0.88, inside [1/1.25, 1].
"""

import numpy as np
import pytest

from cpo_xl.engine import envelopes as ev
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEAR_ARRAY, year_index

FROM = year_index(2025)  # racks are 0 before NVL72 shipped


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_rack_spend_reconciles_with_revenue_x_rack_scale_share_every_year(scenario):
    case = Case(scenario)
    r, band = run(case), case.assumptions().crosscheck.spend_band
    ratio = r.spend_ratio[FROM:]
    assert np.all(ratio >= 1.0 / band - 1e-12), ratio
    assert np.all(ratio <= 1.0 + 1e-12), ratio  # the spend envelope: racks never cost more than the revenue


def test_base_2027_worked_example():
    r = run(Case())
    i = year_index(2027)
    assert r.revenue_per_rack[i] == pytest.approx(0.1 * 3.8 + 0.8 * 7.8 + 0.1 * 8.6)
    assert r.rack_spend[i] == pytest.approx(r.dc_revenue[i] * 0.8)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_one_nvidia_revenue_line_for_envelopes_and_company_block(scenario):
    case = Case(scenario)
    r, env = run(case), case.assumptions().envelopes
    nvda = r.companies["NVDA"].total_revenue
    assert nvda == pytest.approx(r.dc_revenue * 1000.0 / env.dc_share_of_nvidia_revenue)
    assert np.all(nvda >= r.dc_revenue * 1000.0)  # the company's revenue never below its data-centre line


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_racks_fall_only_where_a_generation_step_raises_what_each_rack_takes(scenario):
    # a fall in NVL72-eq racks while revenue rises needs the binding envelope's per-rack intensity to rise faster
    # than the envelope: revenue per rack (VR200 US$7.8M vs GB300 US$3.8M) where spend binds, MW per rack (Kyber
    # 600 kW per 144 packages) where power binds, CoWoS wafers per rack (Kyber-class 4-die packages, ~4.5 per wafer
    # against Rubin's ~9) where CoWoS binds; demand itself never falls
    case = Case(scenario)
    r, env = run(case), case.assumptions().envelopes
    mw, wafers = ev.rack_mw(env), ev.wafers_per_rack(env)
    for i in range(FROM + 1, len(YEAR_ARRAY)):
        if r.racks[i] < r.racks[i - 1] * (1 - 1e-9) and r.dc_revenue[i] > r.dc_revenue[i - 1]:
            code = r.rack_binding[i]
            assert code in (1.0, 2.0, 3.0), (YEAR_ARRAY[i], code)
            if code == 3.0:
                assert r.revenue_per_rack[i] / r.revenue_per_rack[i - 1] > r.dc_revenue[i] / r.dc_revenue[i - 1]
            elif code == 2.0:
                assert wafers[i] / wafers[i - 1] > r.nvidia_cowos_wafers[i] / r.nvidia_cowos_wafers[i - 1]
            else:
                assert mw[i] / mw[i - 1] > r.ai_power_gw[i] / r.ai_power_gw[i - 1]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_packages_within_nvidias_cowos_share(scenario):
    r = run(Case(scenario))
    assert np.all(r.cowos_use <= 1.0 + 1e-12)
    assert np.all(r.cowos_use[FROM:] > 0)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_racks_rise_after_the_generation_steps(scenario):
    # once power per rack stops rising (2030, Feynman) and the mix is Kyber-class, racks grow with revenue
    r = run(Case(scenario))
    late = r.racks[year_index(2030):]
    assert np.all(np.diff(late) >= -1e-9), late
