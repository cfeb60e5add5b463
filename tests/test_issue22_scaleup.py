"""Issue 22: optical scale-up timing as explicit inputs (first year, share of NVLink domains optical, ramp), bear =
the slip; no penetration shown where nothing ships; the AI-optics total's falls explained by their drivers."""

import numpy as np
import pytest

from cpo_xl.engine import envelopes as ev
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import YEAR_ARRAY, year_index


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_scale_up_penetration_before_the_first_optical_year(scenario):
    # the scale-up segment's first optical year: NVIDIA's optical NVLink or the custom XPUs', the earlier
    case = Case(scenario)
    demand = case.assumptions().demand
    r, first = run(case), min(demand.optical_scale_up_year, demand.xpu_optical_scale_up_year)
    before, after = first > YEAR_ARRAY, first <= YEAR_ARRAY
    assert np.all(r.penetration("scale_up")[before] == 0)
    assert np.all(r.penetration("scale_up")[after] > 0)


def test_bear_is_the_slip():
    base, bear = Case().assumptions(), Case("bear").assumptions()
    assert bear.demand.optical_scale_up_year > base.demand.optical_scale_up_year
    assert bear.penetration.scale_up.midpoint > base.penetration.scale_up.midpoint


def test_summary_prints_no_scale_up_share_in_2027(capsys):
    from cpo_xl.cli import main
    assert main(["summary"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Scale-up effective"))
    cells = row.split()[-13:]  # 2023 ... 2035
    assert cells[year_index(2027)] == "0.0%"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_ai_optics_falls_only_where_price_erosion_outruns_optical_bandwidth(scenario):
    # the sourced driver of a fall: price per Gb/s eroding ~20%/yr (Cignal AI) in a year the optical bandwidth
    # grows less, because NVL72-eq racks fall (Kyber 600 kW under the power envelope) between port-speed steps
    # (1.6T 2027, 3.2T 2030, Dell'Oro)
    # each Gb/s weighted by last year's price (CPO Gb/s at the all-in CPO price, the rest at the pluggable
    # price): the custom-XPU optical scale-up adds CPO Gb/s at ~0.6x the pluggable price per Gb/s
    case = Case(scenario)
    r, env = run(case), case.assumptions().envelopes
    for i in range(year_index(2026), len(YEAR_ARRAY)):  # the forecast years (2023-24 had no NVL72 racks)
        if r.ai_optics[i] < r.ai_optics[i - 1]:
            assert r.pluggable_price[i] < r.pluggable_price[i - 1]
            volume = [r.gbps[j] * r.cpo_price[i - 1] + r.pluggable_gbps[j] * r.pluggable_price[i - 1]
                      for j in (i - 1, i)]
            assert volume[1] / volume[0] < r.pluggable_price[i - 1] / r.pluggable_price[i]
            assert r.racks[i] < r.racks[i - 1] or ev.rack_mw(env)[i] > ev.rack_mw(env)[i - 1], YEAR_ARRAY[i]
