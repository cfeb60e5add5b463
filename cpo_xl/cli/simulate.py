"""`cpo-xl simulate`: Monte Carlo percentiles in the terminal and a fan-chart PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cpo_xl.analysis import montecarlo, streaming
from cpo_xl.analysis.tables import ranking
from cpo_xl.cli import fmt
from cpo_xl.cli.setup import load_case
from cpo_xl.engine.case import run as run_case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import check_year
from cpo_xl.engine.timeline import YEARS
from cpo_xl.excel.functions import version_text

PERCENTILES = (0.1, 0.5, 0.9)


def fan_chart(sim: montecarlo.Simulation | streaming.Percentiles, deterministic: np.ndarray, path: Path,
              title: str) -> None:
    """P10-P90 band, the median and the deterministic line [US$ M] by year, as a PNG."""
    from matplotlib.figure import Figure  # without pyplot: no GUI backend, 0.3 s less to import
    p10, p50, p90 = sim.percentiles(PERCENTILES)
    fig = Figure(figsize=(9, 4.5), dpi=110)
    ax = fig.subplots()
    ax.fill_between(YEARS, p10, p90, alpha=0.25, label="P10-P90")
    ax.plot(YEARS, p50, label="P50")
    ax.plot(YEARS, deterministic, linestyle="--", label="deterministic")
    ax.set_yscale("log")
    ax.set_ylabel("CPO TAM [US$ M]")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.1)  # fixed margins: tight_layout costs 0.3 s
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})


def _pct2(value: Any) -> str:
    return fmt.pct(value, 2)


def run(args: Any) -> int:
    montecarlo.check_draws(args.n)  # before the progress bar draws anything
    from tqdm import tqdm  # only this verb draws a progress bar
    check_year(args.year)
    if not 0 <= args.seed < 2**63:
        raise CpoError(f"--seed {args.seed}: allowed 0 to 2**63 - 1")
    case = load_case(args.scenario, args.assumptions)
    stream = args.n > montecarlo.IN_MEMORY_MAX  # two passes over the same draws, memory flat in n
    with tqdm(total=args.n * (2 if stream else 1), unit="draw", disable=args.n < 50_000, desc="simulating") as bar:
        sim: montecarlo.Simulation | streaming.Percentiles = (
            streaming.percentiles(case, args.n, args.seed, PERCENTILES, True, args.year, bar.update) if stream
            else montecarlo.simulate(case, args.n, args.seed, companies=True, progress=bar.update,
                                     exposure_year=args.year))
    table = pd.DataFrame(sim.percentiles(PERCENTILES), index=["P10", "P50", "P90"], columns=list(YEARS))
    print(f"cpo-xl simulate: {args.n:,} draws, seed {args.seed}, scenario {case.scenario}, {version_text()}")
    print("CPO TAM percentiles [US$ M]\n" + fmt.grid(table, fmt.money))
    year = args.year
    companies = case.assumptions().companies
    rows = []
    for ticker in ranking(case, year)["ticker"]:
        if companies[ticker].revenue_usd_m is not None:
            p10, p50, p90 = sim.exposure_percentiles(ticker, PERCENTILES)
            rows.append({"ticker": ticker, "P10": p10, "P50": p50, "P90": p90})
    print(f"\nCPO exposure percentiles, {year} (CPO revenue / total revenue)\n"
          + fmt.table(pd.DataFrame(rows), {p: _pct2 for p in ("P10", "P50", "P90")}))
    out = Path(args.output_dir) / "fan_chart.png"
    fan_chart(sim, run_case(case).tam, out, f"CPO TAM, {args.n:,} draws (seed {args.seed}, {case.scenario})")
    print(f"\nwrote {out}")
    return 0
