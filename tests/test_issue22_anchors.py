"""Issue 22: the near years come from disclosed product ramps (products x units x content), and every disclosed
anchor is reconciled as model / disclosed with a reason where the model departs."""

import numpy as np
import pytest

from cpo_xl.analysis.tables import anchor_points
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine import supply as sp
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import SCENARIOS
from cpo_xl.engine.timeline import year_index


def test_every_anchor_is_sourced_dated_graded_and_linked():
    for a in xc.anchors():
        assert a.source and a.date[:2] == "20" and a.grade in ("H", "M", "L") and a.link.startswith("https://"), a.id


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_miss_carries_a_reason(scenario):
    frame = anchor_points(Case(scenario))
    for row in frame.itertuples():
        assert row.passes or row.reason, row.id


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_product_ramps_ship_in_every_product_year(scenario):
    # capacity is built for the disclosed product lines, so the CPO switches shipped equal the ramp inputs where the
    # adoption curve is below them (2025-2026 in every scenario): e.g. base 2026 = 10,000 switches x 102.4 Tb/s
    case = Case(scenario)
    r, supply = run(case), case.assumptions().supply
    for year in sp.PRODUCT_YEARS:
        i = year_index(year)
        assert r.cpo_switches[i] >= getattr(supply, f"cpo_switches_{year}") * (1 - 1e-9), year


def test_base_2026_optics_is_the_product_ramp_times_its_content():
    # worked example: 10,000 switches x 102,400 Gb/s = 1.024e9 Gb/s; all-in CPO price 2026 = engine 0.28 + laser
    # 40 / 800 + fibre 0.03 = US$0.36 per Gb/s -> US$368.6M of optics
    r = run(Case())
    i = year_index(2026)
    assert r.gbps[i] == pytest.approx(1.024e9, rel=1e-9)
    assert r.optics[i] == pytest.approx(1.024e9 * (0.28 + 40 / 800 + 0.03) / 1e6, rel=1e-9)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_2025_cpo_is_a_part_of_trendforces_cpo_plus_npo(scenario):
    frame = anchor_points(Case(scenario)).set_index("id")
    assert frame.loc["trendforce_cpo_npo_2025", "passes"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_cpo_optics_never_falls(scenario):
    optics = run(Case(scenario)).optics
    assert np.all(np.diff(optics) >= -1e-9)
