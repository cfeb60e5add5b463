"""`cpo-xl summary`: the headline tables in the terminal (and, with --scenarios, the sensitivities)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pandas as pd

from cpo_xl.analysis import lines
from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.lines import LAYER_LABELS
from cpo_xl.analysis.reconcile import read_in_own_scenario
from cpo_xl.analysis.tables import anchor_points, crosscheck_points, ranking, tables
from cpo_xl.cli import fmt
from cpo_xl.cli.setup import load_case
from cpo_xl.engine.case import Case
from cpo_xl.engine.case import run as run_case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import check_year, net_exposure_order
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel.functions import version_text

TWO_WAY_CEILINGS = (0.4, 0.5, 0.6, 0.7, 0.8)  # scale-out ceiling L
TWO_WAY_EROSIONS = (0.10, 0.15, 0.20, 0.25, 0.30)  # optics price erosion in 2027 [1/yr]


def headline(case: Case) -> str:
    """TAM by layer over the horizon [US$ M]."""
    return "TAM by layer [US$ M]\n" + fmt.grid(tables(case)["tam"].iloc[:7], fmt.money)


def _cell(value: float, number_format: str) -> str:
    if number_format.endswith("%"):
        return fmt.pct(value)
    return fmt.year(value) if number_format == "0" else fmt.money(value)


def headline_lines(case: Case) -> str:
    """Every registry line marked for the summary, by year, in its own number format."""
    r = run_case(case)
    rows = {item.table_label: [_cell(v, item.fmt) for v in lines.value(r, item.path)]
            for item in lines.line_items(case) if item.summary}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[str(y) for y in tables(case)["tam"].columns])
    return "Headline lines\n" + frame.to_string() + ai_optics_note(r)


def ai_optics_note(r: Any) -> str:
    """Why the AI-optics total falls in a year, from its drivers (empty when it never falls after 2025)."""
    bandwidth = np.asarray(r.gbps + r.pluggable_gbps)
    notes = []
    for i in range(year_index(2026), len(YEARS)):
        if r.ai_optics[i] < r.ai_optics[i - 1]:
            notes.append(f"{YEARS[i]}: optical bandwidth {bandwidth[i] / bandwidth[i - 1] - 1:+.0%}, NVIDIA racks "
                         f"{r.racks[i] / r.racks[i - 1] - 1:+.0%} (Kyber power per rack under the power envelope; "
                         "port speed flat between the 1.6T and 3.2T steps), price per Gb/s "
                         f"{r.pluggable_price[i] / r.pluggable_price[i - 1] - 1:+.0%} (erosion, Cignal AI)")
    return ("\nAI data-centre optics falls in " + "; ".join(notes)) if notes else ""


def company_ranking(case: Case, year: int) -> str:
    """Companies by net CPO exposure (the legacy revenue CPO displaces subtracted), gross beside it."""
    frame = ranking(case, year).drop(columns=["rank", "revenue_elasticity"])
    # at constant shares the revenue elasticity equals the gross exposure, so it is not printed twice
    frame = frame.set_index("ticker").loc[net_exposure_order(run_case(case), year_index(year))].reset_index()
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame["layer"] = [LAYER_LABELS[v] for v in frame["layer"]]
    frame = frame.rename(columns={"cpo_revenue_usd_m": "CPO revenue [US$ M]", "exposure": "gross exposure",
                                  "net_exposure": "net exposure", "ebit_elasticity": "EBIT elasticity [x]"})
    return (f"Company ranking by net CPO exposure, {year} (net = CPO revenue less the pluggable or copper revenue "
            "it displaces, over total revenue; gross = CPO revenue / total revenue, which is also the revenue "
            "elasticity to the CPO TAM at constant shares; n/a: no revenue on file)\n"
            + fmt.table(frame, {"CPO revenue [US$ M]": fmt.money, "gross exposure": fmt.pct,
                                "net exposure": fmt.pct, "EBIT elasticity [x]": fmt.ratio}))


def dollar_winners(case: Case, year: int) -> str:
    """Companies by CPO revenue [US$ M] in ``year``, exposure beside it: who takes the dollars (a large company
    with small exposure) next to who is most exposed."""
    frame = ranking(case, year).sort_values("cpo_revenue_usd_m", ascending=False, kind="stable")
    frame = frame[["ticker", "name", "layer", "cpo_revenue_usd_m", "exposure", "net_exposure"]].head(10)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame["layer"] = [LAYER_LABELS[v] for v in frame["layer"]]
    frame = frame.rename(columns={"cpo_revenue_usd_m": "CPO revenue [US$ M]", "exposure": "gross exposure",
                                  "net_exposure": "net exposure"})
    return (f"Dollar winners: top 10 by CPO revenue, {year} (exposure beside it)\n"
            + fmt.table(frame, {"CPO revenue [US$ M]": fmt.money, "gross exposure": fmt.pct,
                                "net exposure": fmt.pct}))


def growth_text(case: Case) -> str:
    """CPO TAM growth by scenario over a window where every scenario has a meaningful base
    (sc.GROWTH_BASE_USD_M: US$300M)."""
    start, end, rates = sc.growth_window(case)
    shown = ", ".join(f"{s} {rate:.0%}" for s, rate in rates.items())
    return (f"CPO TAM growth {start}-{end} (CAGR from the first year every scenario reaches US$"
            f"{sc.GROWTH_BASE_USD_M:,.0f}M, set by the disclosed product ramps): {shown}")


def summary_text(case: Case, year: int) -> str:
    checks = crosscheck_points(case)[["id", "year", "metric", "relation", "published", "model", "ratio", "passes",
                                      "status"]]
    checks = checks.assign(passes=["pass" if ok else "FLAG" for ok in checks["passes"]])
    return "\n\n".join([
        headline(case),
        growth_text(case),
        headline_lines(case),
        "Top-down cross-checks (model / published; FLAG: outside the band, above a ceiling or below a floor, reasons "
        "on the Checks sheet; status: "
        "verified = read at its link (published.toml, docs/research/issue22.md), else where it was only quoted)\n"
        + fmt.table(checks, {"year": fmt.year, "published": fmt.money, "model": fmt.money, "ratio": fmt.ratio})
        + own_scenario_text(case),
        anchors_text(case),
        dollar_winners(case, year),
        company_ranking(case, year),
    ])


def own_scenario_text(case: Case) -> str:
    """A scenario's own figure (a bull case) against that scenario of the model, below the table's row for the
    scenario shown."""
    return "".join(
        f"\n{c.point.id} {c.point.year} is a {c.point.read_in} case: the model's {c.point.read_in} scenario "
        f"{fmt.money(c.model)} / {fmt.money(c.point.value)} = {fmt.ratio(c.ratio)} ({'pass' if c.passes else 'FLAG'})"
        for c in read_in_own_scenario(case))


def anchors_text(case: Case) -> str:
    """Disclosed near-term anchors (orders, run-rate targets, product ramps) against the model, with reasons."""
    frame = anchor_points(case)
    shown = frame[["id", "year", "line", "ticker", "kind", "disclosed", "model", "ratio"]].assign(
        check=["pass" if ok else "MISS" for ok in frame["passes"]])
    reasons = [f"  {name}: {why}" for name, why in zip(frame["id"], frame["reason"], strict=True) if why]
    return ("Disclosed near-term anchors (model / disclosed; floor: passes at >= 1, part of a broader figure: "
            "0.2-1; input: a floor whose disclosure also sets an input, so not an independent check; sources: "
            "engine/data/anchors.toml, docs/research/issue22.md)\n"
            + fmt.table(shown, {"year": fmt.year, "disclosed": fmt.money, "model": fmt.money, "ratio": fmt.ratio})
            + ("\nWhere the model departs:\n" + "\n".join(reasons) if reasons else ""))


def scenarios_text(case: Case, year: int, ticker: str) -> str:
    """Bear / base / bull side by side, the tornado of TAM and of one company's exposure, a two-way table."""
    if ticker not in case.assumptions().companies:
        raise CpoError(f"--ticker {ticker!r} is unknown; allowed: {', '.join(case.assumptions().companies)}")
    tornado_cols = ["rank", "key", "bear_value", "bull_value", "at_bear", "at_bull", "swing"]
    values = {"bear_value": fmt.plain, "bull_value": fmt.plain}
    comparison = sc.comparison(case, year)
    two_way = sc.two_way(case, "penetration.scale_out.ceiling", TWO_WAY_CEILINGS,
                         "pricing.erosion_2027", TWO_WAY_EROSIONS, year)
    return "\n\n".join([
        "CPO TAM by scenario [US$ M]\n" + fmt.grid(sc.tam_by_scenario(case), fmt.money),
        f"Scenarios side by side, {year}\n" + _comparison_text(comparison),
        f"Tornado: CPO TAM {year} [US$ M], each input alone at its bear and bull value\n"
        + fmt.table(sc.tornado(case, year)[tornado_cols],
                    {**values, "at_bear": fmt.money, "at_bull": fmt.money, "swing": fmt.money}),
        f"Tornado: {ticker} gross CPO exposure {year}, each input alone at its bear and bull value\n"
        + fmt.table(sc.tornado(case, year, ticker)[tornado_cols],
                    {**values, "at_bear": _pct2, "at_bull": _pct2, "swing": _pct2}),
        f"Two-way: CPO TAM {year} [US$ M] (rows: scale-out ceiling; columns: price erosion 2027 [1/yr])\n"
        + fmt.grid(two_way, fmt.money),
    ])


def _pct2(value: float) -> str:
    return fmt.pct(value, 2)


def _comparison_text(frame: pd.DataFrame) -> str:
    """The scenario comparison, each line in its own unit (US$ M with separators, shares as percentages)."""
    shown = frame.copy().astype(object)
    for label in frame.index:
        f = fmt.pct if "[share]" in label or "[fraction]" in label else fmt.money
        shown.loc[label] = [f(v) for v in frame.loc[label]]
    return str(shown.to_string())


def run(args: argparse.Namespace) -> int:
    case = load_case(args.scenario, args.assumptions)
    year = check_year(args.year)
    ticker = args.ticker.strip().upper()
    if ticker not in case.assumptions().companies:
        raise CpoError(f"--ticker {args.ticker!r} is unknown; allowed: {', '.join(case.assumptions().companies)}")
    # every table computed before the first line is printed: a failure prints nothing but its one line
    parts = [f"cpo-xl summary: scenario {case.scenario}, {version_text()}\n{summary_text(case, year)}"]
    if args.scenarios:
        parts.append(scenarios_text(case, year, ticker))
    from cpo_xl.cli.checks import summary_warning  # the model's checks (issue 23): workbook code, loaded here
    warning = summary_warning(case)
    if warning:
        parts.append(warning)
    print("\n\n".join(parts))
    return 0
