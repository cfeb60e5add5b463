"""`cpo-xl simulate`: Monte Carlo percentiles in the terminal and a fan-chart PNG (with the `charts` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cpo_xl.analysis import montecarlo, streaming
from cpo_xl.cli import charts, fmt
from cpo_xl.cli.setup import load_case
from cpo_xl.engine.case import Case
from cpo_xl.engine.case import run as run_case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import check_year, exposure_order
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.excel.functions import version_text

PERCENTILES = (0.1, 0.5, 0.9)


def fan_chart(path: Path, bands: np.ndarray, deterministic: np.ndarray, title: str) -> None:
    """The P10-P90 band, the median (``bands``: P10, P50, P90 rows by year) and the deterministic line
    [US$ M] by year, as a PNG."""
    from matplotlib.figure import Figure  # without pyplot: no GUI backend, 0.3 s less to import
    p10, p50, p90 = bands
    fig = Figure(figsize=(9, 4.5), dpi=110)
    ax = fig.subplots()
    ax.fill_between(YEARS, p10, p90, alpha=0.25, label="P10-P90")
    ax.plot(YEARS, p50, label="P50")
    ax.plot(YEARS, deterministic, linestyle="--", label="deterministic")
    ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel("CPO TAM [US$ M]")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.12)  # fixed margins: tight_layout costs 0.3 s
    fig.savefig(path, metadata={"Software": None})


def _pct2(value: Any) -> str:
    return fmt.pct(value, 2)


def run(args: Any) -> int:
    montecarlo.check_draws(args.n)  # before the progress bar draws anything
    check_year(args.year)
    if not 0 <= args.seed < 2**63:
        raise CpoError(f"--seed {args.seed}: allowed 0 to 2**63 - 1")
    case = load_case(args.scenario, args.assumptions)
    path = charts.chart_path(charts.output_folder(args.output_dir), "fan_chart.png", args.force)
    sim = simulate(case, args)
    bands = sim.percentiles(PERCENTILES)
    title = f"CPO TAM, {args.n:,} draws (seed {args.seed}, {case.scenario})"
    # the chart before the tables: written even when the output is piped into `head`
    chart = charts.draw(fan_chart, path, bands, run_case(case).tam, title, force=args.force)
    print_tables(case, args, sim, bands)
    print("\n" + chart)
    return 0


def simulate(case: Case, args: Any) -> montecarlo.Simulation | streaming.Percentiles:
    """The draws, in memory up to IN_MEMORY_MAX, else streamed (two passes, memory flat in n); a progress bar
    from 50,000 draws."""
    from tqdm import tqdm  # only this verb draws a progress bar
    stream = args.n > montecarlo.IN_MEMORY_MAX
    desc = "simulating (2 passes over the same draws)" if stream else "simulating"
    with tqdm(total=args.n * (2 if stream else 1), unit="draw", disable=args.n < 50_000, desc=desc) as bar:
        if stream:
            return streaming.percentiles(case, args.n, args.seed, PERCENTILES, True, args.year, bar.update)
        return montecarlo.simulate(case, args.n, args.seed, companies=True, progress=bar.update,
                                   exposure_year=args.year)


def print_tables(case: Case, args: Any, sim: montecarlo.Simulation | streaming.Percentiles,
                 bands: np.ndarray) -> None:
    """TAM percentiles by year, and each listed company's exposure percentiles in the exposure year."""
    names = [f"P{round(100 * q)}" for q in PERCENTILES]
    tam_rows = [[name, *map(fmt.money, row)] for name, row in zip(names, bands, strict=True)]
    print(f"cpo-xl simulate: {args.n:,} draws, seed {args.seed}, scenario {case.scenario}, {version_text()}")
    print("CPO TAM percentiles [US$ M]\n" + fmt.aligned(["", *map(str, YEARS)], tam_rows, index=True))
    companies = case.assumptions().companies
    exposure_rows = [[ticker, *(_pct2(p) for p in sim.exposure_percentiles(ticker, PERCENTILES))]
                     for ticker in exposure_order(run_case(case), year_index(args.year))
                     if companies[ticker].revenue_usd_m is not None]
    print(f"\nGross CPO exposure percentiles, {args.year} (CPO revenue / total revenue)\n"
          + fmt.aligned(["ticker", *names], exposure_rows))
