"""Command line: cpo-xl build | check | summary. Exit 0 ok, 1 a check failed, 2 bad input (one line)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pandas as pd

from cpo_xl.assumptions import Assumptions
from cpo_xl.errors import CpoError
from cpo_xl.inputs import SCENARIOS, UserFile, check_scenario, read_user_file, resolve
from cpo_xl.model import Racks, check_year
from cpo_xl.tables import SEGMENT_LABELS, crosscheck_points, ranking, tables

DEFAULT_WORKBOOK = Path("workbook/CPO_Model.xlsx")
DEFAULT_PM_COPY = Path("dist/CPO_Model_PM.xlsx")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        print(f"cpo-xl: {message}", file=sys.stderr)
        raise SystemExit(2)


@dataclass(frozen=True)
class Setup:
    """What a command runs on: scenario, the user's file (if any), assumptions and the rack series."""

    scenario: str
    user: UserFile | None
    assumptions: Assumptions
    racks: Racks


def load_setup(scenario: str | None, path: str | None) -> Setup:
    """--scenario, else the file's scenario, else base; the user TOML applied when given."""
    user = read_user_file(path) if path else None
    name = check_scenario(scenario or (user.scenario if user else None) or "base")
    from cpo_xl.scenarios import rack_series_for
    assumptions = resolve(name, (), user)
    return Setup(name, user, assumptions, rack_series_for(assumptions, user))


def _fmt(frame: pd.DataFrame, digits: int) -> str:
    return frame.to_string(float_format=lambda v: f"{v:,.{digits}f}")


def headline(assumptions: Assumptions, racks: Racks) -> str:
    """TAM by layer over the horizon [US$ M]."""
    t = tables(assumptions, racks)
    return "TAM by layer [US$ M]\n" + _fmt(t["tam"].iloc[:7], 0)


def summary_text(assumptions: Assumptions, racks: Racks, year: int) -> str:
    t = tables(assumptions, racks)
    pen = t["penetration"]
    effective = [f"{SEGMENT_LABELS[s]} effective penetration [share]"
                 for s in ("scale_out", "scale_up", "nic", "all")]
    binds = pen.loc[["Supply binds [1 = yes]"]].replace({1.0: "supply", 0.0: "demand"})
    binds.index = ["Binding constraint"]
    checks = crosscheck_points(assumptions, racks)[["id", "year", "metric", "published", "model", "ratio",
                                                     "within band"]]
    rank = ranking(assumptions, racks, year)
    return "\n\n".join([
        headline(assumptions, racks),
        "Effective penetration by segment [share of addressable ports]\n" + _fmt(pen.loc[effective], 3)
        + "\n" + binds.to_string(),
        "Top-down cross-checks (model / published)\n"
        + checks.to_string(index=False, float_format=lambda v: f"{v:,.2f}"),
        f"Company ranking by CPO exposure, {year}\n" + rank.to_string(index=False, float_format=lambda v: f"{v:,.4f}"),
    ])


def scenarios_text(setup: Setup, year: int, ticker: str) -> str:
    """Bear / base / bull side by side, the tornado of TAM and of one company's exposure, a two-way table."""
    from cpo_xl import scenarios as sc
    if ticker not in setup.assumptions.companies:
        raise CpoError(f"--ticker {ticker!r} is unknown; allowed: {', '.join(setup.assumptions.companies)}")
    racks = dict(setup.user.racks) if setup.user else None
    tornado_cols = ["rank", "key", "bear_value", "bull_value", "at_bear", "at_bull", "swing"]
    two_way = sc.two_way("penetration.scale_out.ceiling", (0.4, 0.5, 0.6, 0.7, 0.8),
                         "pricing.cpo_floor_usd_per_gbps", (0.15, 0.20, 0.25, 0.30, 0.35), year, setup.scenario,
                         setup.user)
    return "\n\n".join([
        "CPO TAM by scenario [US$ M]\n" + _fmt(sc.tam_by_scenario(setup.user), 0),
        f"Scenarios side by side, {year}\n" + _fmt(sc.comparison(year, setup.user), 3),
        f"Tornado: CPO TAM {year} [US$ M], each input alone at its bear and bull value\n"
        + sc.tornado(year, None, setup.scenario, (), setup.user, racks)[tornado_cols].to_string(
            index=False, float_format=lambda v: f"{v:,.2f}"),
        f"Tornado: {ticker} CPO exposure {year} [fraction]\n"
        + sc.tornado(year, ticker, setup.scenario, (), setup.user, racks)[tornado_cols].to_string(
            index=False, float_format=lambda v: f"{v:,.4f}"),
        f"Two-way: CPO TAM {year} [US$ M] (rows: scale-out ceiling; columns: CPO price floor US$/(Gb/s))\n"
        + _fmt(two_way, 0),
    ])


def cmd_summary(args: argparse.Namespace) -> int:
    setup = load_setup(args.scenario, args.assumptions)
    year = check_year(args.year)
    print(f"cpo-xl summary: scenario {setup.scenario}, assumptions {setup.assumptions.fingerprint}")
    print(summary_text(setup.assumptions, setup.racks, year))
    if args.scenarios:
        print("\n" + scenarios_text(setup, year, args.ticker.strip().upper()))
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from cpo_xl.simulate_cli import simulate_command
    check_year(args.year)
    return simulate_command(args)


def cmd_build(args: argparse.Namespace) -> int:
    from cpo_xl.workbook.build import build_command
    return build_command(args)


def cmd_check(args: argparse.Namespace) -> int:
    from cpo_xl.workbook.recalc import check_command
    return check_command(args)


def cmd_publish(args: argparse.Namespace) -> int:
    from cpo_xl.workbook.publish import publish_command
    return publish_command(args)


def cmd_pull(args: argparse.Namespace) -> int:
    from cpo_xl.workbook.pull import pull_command
    return pull_command(args)


def cmd_diff(args: argparse.Namespace) -> int:
    from cpo_xl.workbook.diff import diff_command
    return diff_command(args)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cpo-xl", description="Co-packaged optics market model")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    common = _Parser(add_help=False)
    common.add_argument("--scenario", help=f"one of {', '.join(SCENARIOS)} (default: the file's, else base)")
    common.add_argument("--assumptions", help="a TOML of dotted-key overrides")
    s = sub.add_parser("summary", parents=[common], help="headline tables in the terminal")
    s.add_argument("--year", type=int, default=2030, help="year of the company ranking")
    s.add_argument("--scenarios", action="store_true", help="also bear/base/bull side by side and sensitivities")
    s.add_argument("--ticker", default="AVGO", help="company for the exposure tornado (with --scenarios)")
    s.set_defaults(run=cmd_summary)
    sim = sub.add_parser("simulate", parents=[common], help="Monte Carlo percentiles and a fan-chart PNG")
    sim.add_argument("-n", type=int, default=100_000, help="number of draws")
    sim.add_argument("--seed", type=int, default=20261126)
    sim.add_argument("--year", type=int, default=2030, help="year of the exposure percentiles")
    sim.add_argument("--output-dir", default="dist", help="where fan_chart.png goes")
    sim.set_defaults(run=cmd_simulate)
    b = sub.add_parser("build", parents=[common], help="write the workbook and print the headline table")
    b.add_argument("--output", default=str(DEFAULT_WORKBOOK))
    b.add_argument("--check", action="store_true", help="exit 1 when the output differs from a fresh build")
    b.add_argument("--force", action="store_true", help="overwrite a workbook with other inputs (keeps .bak)")
    b.set_defaults(run=cmd_build)
    c = sub.add_parser("check", help="recalculate every formula headlessly and compare with cached values")
    c.add_argument("path", nargs="?", default=str(DEFAULT_WORKBOOK))
    c.set_defaults(run=cmd_check)
    pub = sub.add_parser("publish", help="a static PM copy: CPO_* formulas replaced by values, no add-in")
    pub.add_argument("path", nargs="?", default=str(DEFAULT_WORKBOOK))
    pub.add_argument("--output", default=str(DEFAULT_PM_COPY))
    pub.add_argument("--force", action="store_true", help="replace an edited copy (keeps .bak)")
    pub.set_defaults(run=cmd_publish)
    pl = sub.add_parser("pull", help="the Inputs of an edited workbook -> an assumptions TOML")
    pl.add_argument("path")
    pl.add_argument("--output", help="TOML to write (default: the workbook's name with .toml)")
    pl.set_defaults(run=cmd_pull)
    d = sub.add_parser("diff", help="inputs, headline outputs and formulas changed between two workbooks")
    d.add_argument("a")
    d.add_argument("b", nargs="?")
    d.add_argument("--textconv", action="store_true", help="print one workbook as text (git textconv)")
    d.set_defaults(run=cmd_diff)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CpoError as exc:
        print(f"cpo-xl: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
