"""Model tables as pandas DataFrames: rows = the registry's line items 'label [unit]', columns = the years."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from cpo_xl.analysis import lines
from cpo_xl.analysis.lines import LineItem
from cpo_xl.analysis.reconcile import anchored, reconciled
from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.model import ModelResult, exposure_order
from cpo_xl.engine.timeline import YEARS, year_index


def _frame(rows: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict({k: np.asarray(v, dtype=float) for k, v in rows.items()}, orient="index",
                                   columns=list(YEARS))
    frame.index.name = "line item [unit]"
    return frame


def line_table(r: ModelResult, items: list[LineItem], table: str) -> pd.DataFrame:
    """The registry's lines of one table: rows 'label [unit]', columns the years."""
    return _frame({item.table_label: lines.value(r, item.path) for item in items if item.table == table})


def model_value(r: ModelResult, metric: str) -> np.ndarray:
    """The model line a published metric is compared with (see :data:`cpo_xl.engine.crosscheck.METRICS`)."""
    return np.asarray(xc.model_line(r, metric))


def crosscheck_table(r: ModelResult) -> pd.DataFrame:
    rows: dict[str, np.ndarray] = {}
    for point in xc.published():
        key = f"{point.id} model/published [x]"
        row = rows.setdefault(key, np.full(len(YEARS), np.nan))
        if point.year in YEARS:
            row[year_index(point.year)] = xc.ratio(model_value(r, point.metric)[year_index(point.year)], point)
    return _frame(rows)


@lru_cache(maxsize=256)
def tables(case: Case) -> dict[str, pd.DataFrame]:
    """Every model table of a case, computed once: the registry's lines by table, and the cross-checks."""
    r, items = run(case), lines.line_items(case)
    return {**{name: line_table(r, items, name) for name in lines.TABLE_NAMES if name != "crosscheck"},
            "crosscheck": crosscheck_table(r)}


def crosscheck_points(case: Case) -> pd.DataFrame:
    """One row per published figure: source, scope, year, published, model, ratio, within the band, and its
    verification status (verified with the link it was read at, or where it was only quoted)."""
    return pd.DataFrame([
        {"id": p.id, "source": p.source, "metric": p.metric, "scope": p.scope, "relation": p.relation,
         "year": p.year, "published": p.value, "model": c.model, "ratio": c.ratio, "grade": p.grade,
         "passes": c.passes, "reason": "" if c.passes else p.reason, "status": p.status, "link": p.link}
        for c in reconciled(case) for p in (c.point,)])


def anchor_points(case: Case) -> pd.DataFrame:
    """One row per disclosed near-term anchor (orders, run-rate targets, product ramps): the model line of the
    same scope, model / disclosed, pass, and the reason where the model departs."""
    return pd.DataFrame([
        {"id": a.id, "publisher": a.publisher, "line": a.line, "ticker": a.ticker, "kind": a.kind,
         "year": a.year, "disclosed": a.value, "model": c.model, "ratio": c.ratio, "passes": c.passes,
         "grade": a.grade, "date": a.date, "source": a.source, "link": a.link,
         "reason": "" if c.passes else a.reason}
        for c in anchored(case) for a in (c.anchor,)])


def ranking(case: Case, year: int) -> pd.DataFrame:
    """Companies ranked by exposure in ``year`` (unlisted / unfilled companies last, exposure blank)."""
    r = run(case)
    companies = case.assumptions().companies
    i = year_index(year)
    rows = []
    for rank, ticker in enumerate(exposure_order(r, i), start=1):
        company, company_lines = companies[ticker], r.companies[ticker]
        rows.append({"rank": rank, "ticker": ticker, "name": company.name, "layer": company.layer,
                     "cpo_revenue_usd_m": company_lines.cpo_revenue[i], "exposure": company_lines.exposure[i],
                     "net_exposure": company_lines.net_exposure[i],
                     # at constant shares, d ln(revenue) / d ln(CPO TAM) = CPO revenue / total revenue
                     "revenue_elasticity": company_lines.exposure[i],
                     "ebit_elasticity": company_lines.ebit_elasticity[i]})
    return pd.DataFrame(rows)
