"""Model tables as pandas DataFrames: rows = line items 'label [unit]', columns = the timeline's years."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.assumptions import LAYERS, SEGMENTS
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.model import ModelResult
from cpo_xl.engine.timeline import YEARS, year_index

TABLE_NAMES: tuple[str, ...] = ("demand", "penetration", "tam", "companies", "crosscheck")
SEGMENT_LABELS = {"scale_out": "Scale-out", "scale_up": "Scale-up", "nic": "NIC", "all": "All segments"}
LAYER_LABELS = {"definers": "Definers", "foundry_packaging": "Foundry & packaging", "lasers": "Lasers",
                "fiber_connectivity": "Fiber & connectivity", "equipment": "Equipment"}


def _frame(rows: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict({k: np.asarray(v, dtype=float) for k, v in rows.items()}, orient="index",
                                   columns=list(YEARS))
    frame.index.name = "line item [unit]"
    return frame


def demand_table(r: ModelResult) -> pd.DataFrame:
    rows = {"NVIDIA racks [racks]": r.racks, "Kyber-class share of racks [fraction]": r.kyber_share,
            "GPU packages [packages]": r.packages}
    for s in SEGMENTS:
        rows[f"{SEGMENT_LABELS[s]} addressable ports [800G-eq]"] = r.addressable[s].ports
        rows[f"{SEGMENT_LABELS[s]} addressable engines [engines]"] = r.addressable[s].engines
    rows |= {"CPO ports shipped [800G-eq]": r.ports, "CPO engines shipped [engines]": r.engines,
             "External lasers shipped [lasers]": r.lasers, "CPO bandwidth shipped [Gb/s]": r.gbps}
    return _frame(rows)


def penetration_table(r: ModelResult) -> pd.DataFrame:
    rows = {f"{SEGMENT_LABELS[s]} demand curve [share]": r.curve_share[s] for s in SEGMENTS}
    rows |= {f"{SEGMENT_LABELS[s]} effective penetration [share]": r.penetration(s) for s in (*SEGMENTS, "all")}
    rows |= {"PIC wafers [wafers]": r.wafers, "3D packaging yield [fraction]": r.yield_3d,
             "Assembly yield [fraction]": r.yield_assembly, "Engine capacity [engines]": r.capacity,
             "Capacity share of addressable engines [share]": r.capacity_share,
             "Supply binds [1 = yes]": r.binding}
    return _frame(rows)


def tam_table(r: ModelResult) -> pd.DataFrame:
    rows = {f"{LAYER_LABELS[name]} [US$ M]": r.layers[name] for name in LAYERS}
    rows |= {"CPO TAM [US$ M]": r.tam, "Optics-only TAM [US$ M]": r.optics,
             "CPO price [US$/(Gb/s)]": r.cpo_price}
    return _frame(rows)


def companies_table(r: ModelResult) -> pd.DataFrame:
    rows: dict[str, np.ndarray] = {}
    for ticker, lines in r.companies.items():
        rows[f"{ticker} CPO revenue [US$ M]"] = lines.cpo_revenue
        rows[f"{ticker} exposure [fraction]"] = lines.exposure
        rows[f"{ticker} net exposure [fraction]"] = lines.net_exposure
        rows[f"{ticker} EBIT elasticity [x]"] = lines.ebit_elasticity
    return _frame(rows)


def model_value(r: ModelResult, metric: str) -> np.ndarray:
    """The model line a published metric is compared with (see :data:`cpo_xl.crosscheck.METRICS`)."""
    return {"tam_usd_m": r.tam, "optics_usd_m": r.optics, "ports_800g": r.ports,
            "ports_1600g": r.ports / 2.0}[metric]


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
    """Every model table of a case, computed once."""
    r = run(case)
    return {"demand": demand_table(r), "penetration": penetration_table(r), "tam": tam_table(r),
            "companies": companies_table(r), "crosscheck": crosscheck_table(r)}


def crosscheck_points(case: Case) -> pd.DataFrame:
    """One row per published figure: source, scope, year, published, model, ratio, within the band."""
    r = run(case)
    tolerance = case.assumptions().crosscheck.tolerance
    rows = []
    for p in xc.published():
        model = float(model_value(r, p.metric)[year_index(p.year)])
        ratio = xc.ratio(model, p)
        rows.append({"id": p.id, "source": p.source, "metric": p.metric, "scope": p.scope, "year": p.year,
                     "published": p.value, "model": model, "ratio": ratio, "grade": p.grade,
                     "within band": xc.within(ratio, tolerance)})
    return pd.DataFrame(rows)


def ranking(case: Case, year: int) -> pd.DataFrame:
    """Companies ranked by exposure in ``year`` (unlisted / unfilled companies last, exposure blank)."""
    r = run(case)
    companies = case.assumptions().companies
    i = year_index(year)
    rows = []
    for ticker, lines in r.companies.items():
        company = companies[ticker]
        rows.append({"ticker": ticker, "name": company.name, "layer": company.layer,
                     "cpo_revenue_usd_m": lines.cpo_revenue[i], "exposure": lines.exposure[i],
                     "net_exposure": lines.net_exposure[i],
                     # at constant shares, d ln(revenue) / d ln(CPO TAM) = CPO revenue / total revenue
                     "revenue_elasticity": lines.exposure[i], "ebit_elasticity": lines.ebit_elasticity[i]})
    frame = pd.DataFrame(rows).sort_values(["exposure", "cpo_revenue_usd_m"], ascending=False,
                                           na_position="last", kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)
