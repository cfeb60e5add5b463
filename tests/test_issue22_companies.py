"""Issue 22: companies a PM believes: displaced legacy revenue from each company's sourced share of the market it
sells into, baselines from the latest filings, dollar winners beside % exposure, growth over a meaningful base."""

import pytest

from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.tables import ranking
from cpo_xl.engine.case import Case
from cpo_xl.engine.crosscheck import find


def test_pluggable_displaced_share_is_the_share_of_the_ai_transceiver_market():
    # LITE: legacy US$887M / TrendForce AI transceivers US$16.5bn (2025) = 5.4%, not 15% (~4x its share)
    market = find("trendforce_optics", 2025)
    assert market.verified
    for ticker, company in Case().assumptions().companies.items():
        if company.displaces == "pluggables":
            assert company.legacy_usd_m is not None and company.legacy_year == market.year
            assert company.displaced_share == pytest.approx(company.legacy_usd_m / market.value, abs=0.001), ticker


def test_lite_net_exposure_is_not_an_input_artefact():
    frame = ranking(Case(), 2030).set_index("ticker")
    assert frame.loc["LITE", "net_exposure"] > -0.05  # was -21% at a 15% share of all displaced pluggables


def test_every_baseline_is_from_the_latest_filings():
    for ticker, company in Case().assumptions().companies.items():
        if company.revenue_usd_m is not None:
            assert company.revenue_year is not None and company.revenue_year >= 2025, ticker


def test_summary_shows_dollar_winners_beside_exposure(capsys):
    from cpo_xl.cli import main
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("Dollar winners"):].splitlines()
    assert "gross exposure" in block[1]
    assert block[2].split()[1] == "NVDA"  # the largest CPO revenue, with a small exposure


def test_growth_window_has_a_meaningful_base_in_every_scenario():
    start, end, rates = sc.growth_window(Case())
    tams = sc.tam_by_scenario(Case())
    assert (tams[start] >= sc.GROWTH_BASE_USD_M).all() and start < end
    assert rates["bear"] <= rates["base"] <= rates["bull"]
