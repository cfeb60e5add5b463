"""`cpo-xl summary`: the headline tables in the terminal (and, with --scenarios, the sensitivities)."""

from __future__ import annotations

import argparse

import pandas as pd

from cpo_xl.analysis import lines
from cpo_xl.analysis import scenarios as sc
from cpo_xl.analysis.tables import crosscheck_points, ranking, tables
from cpo_xl.cli.setup import load_case
from cpo_xl.engine.case import Case
from cpo_xl.engine.case import run as run_case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import check_year
from cpo_xl.excel.functions import version_text

TWO_WAY_CEILINGS = (0.4, 0.5, 0.6, 0.7, 0.8)  # scale-out ceiling L
TWO_WAY_EROSIONS = (0.10, 0.15, 0.20, 0.25, 0.30)  # optics price erosion in 2027 [1/yr]


def _fmt(frame: pd.DataFrame, digits: int) -> str:
    return frame.to_string(float_format=lambda v: f"{v:,.{digits}f}")


def headline(case: Case) -> str:
    """TAM by layer over the horizon [US$ M]."""
    return "TAM by layer [US$ M]\n" + _fmt(tables(case)["tam"].iloc[:7], 0)


def _cell(value: float, fmt: str) -> str:
    if fmt.endswith("%"):
        return f"{value:.1%}"
    return f"{value:,.0f}" if abs(value) >= 10 or fmt == "0" else f"{value:,.1f}"


def headline_lines(case: Case) -> str:
    """Every registry line marked for the summary, by year, in its own number format."""
    r = run_case(case)
    rows = {item.table_label: [_cell(v, item.fmt) for v in lines.value(r, item.path)]
            for item in lines.line_items(case) if item.summary}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[str(y) for y in tables(case)["tam"].columns])
    return "Headline lines\n" + frame.to_string()


def summary_text(case: Case, year: int) -> str:
    checks = crosscheck_points(case)[["id", "year", "metric", "relation", "published", "model", "ratio", "passes"]]
    rank = ranking(case, year)
    return "\n\n".join([
        headline(case),
        headline_lines(case),
        "Top-down cross-checks (model / published)\n"
        + checks.to_string(index=False, float_format=lambda v: f"{v:,.2f}"),
        f"Company ranking by CPO exposure, {year}\n" + rank.to_string(index=False, float_format=lambda v: f"{v:,.4f}"),
    ])


def scenarios_text(case: Case, year: int, ticker: str) -> str:
    """Bear / base / bull side by side, the tornado of TAM and of one company's exposure, a two-way table."""
    if ticker not in case.assumptions().companies:
        raise CpoError(f"--ticker {ticker!r} is unknown; allowed: {', '.join(case.assumptions().companies)}")
    tornado_cols = ["rank", "key", "bear_value", "bull_value", "at_bear", "at_bull", "swing"]
    two_way = sc.two_way(case, "penetration.scale_out.ceiling", TWO_WAY_CEILINGS,
                         "pricing.erosion_2027", TWO_WAY_EROSIONS, year)
    return "\n\n".join([
        "CPO TAM by scenario [US$ M]\n" + _fmt(sc.tam_by_scenario(case), 0),
        f"Scenarios side by side, {year}\n" + _fmt(sc.comparison(case, year), 3),
        f"Tornado: CPO TAM {year} [US$ M], each input alone at its bear and bull value\n"
        + sc.tornado(case, year)[tornado_cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}"),
        f"Tornado: {ticker} CPO exposure {year} [fraction]\n"
        + sc.tornado(case, year, ticker)[tornado_cols].to_string(index=False, float_format=lambda v: f"{v:,.4f}"),
        f"Two-way: CPO TAM {year} [US$ M] (rows: scale-out ceiling; columns: price erosion 2027 [1/yr])\n"
        + _fmt(two_way, 0),
    ])


def run(args: argparse.Namespace) -> int:
    case = load_case(args.scenario, args.assumptions)
    year = check_year(args.year)
    ticker = args.ticker.strip().upper()
    if ticker not in case.assumptions().companies:
        raise CpoError(f"--ticker {args.ticker!r} is unknown; allowed: {', '.join(case.assumptions().companies)}")
    print(f"cpo-xl summary: scenario {case.scenario}, {version_text()}")
    print(summary_text(case, year))
    if args.scenarios:
        print("\n" + scenarios_text(case, year, ticker))
    return 0
