"""One gross ranking (model.exposure_order) and one net ranking (model.net_exposure_order), used by every
table, the Elasticity sheet, the Monte Carlo output and the command line."""

import math

from cpo_xl.cli.summary import company_ranking
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.model import exposure_order, net_exposure_order
from cpo_xl.engine.timeline import YEARS, year_index


def test_net_order_is_by_net_exposure_then_gross_with_no_revenue_last():
    for scenario in ("bear", "base", "bull"):
        r = run(Case(scenario))
        for year in YEARS:
            i = year_index(year)
            order = net_exposure_order(r, i)
            assert sorted(order) == sorted(r.companies)
            net = [float(r.companies[t].net_exposure[i]) for t in order]
            gross = [float(r.companies[t].exposure[i]) for t in order]
            finite = [n for n in net if math.isfinite(n)]
            assert net[:len(finite)] == finite  # no net exposure last
            for k in range(len(finite) - 1):
                assert finite[k] > finite[k + 1] or (finite[k] == finite[k + 1] and gross[k] >= gross[k + 1])
            assert exposure_order(r, i)[0] in r.companies


def test_the_command_line_prints_the_net_order():
    text = company_ranking(Case(), 2030)
    rows = [line.split() for line in text.splitlines()[2:] if line.strip()]
    tickers = [row[1] for row in rows]
    assert tickers == net_exposure_order(run(Case()), year_index(2030))
