"""`cpo-xl`: the argument parser and the dispatch to one module per verb.

Exit 0 ok, 1 a check failed, 2 bad input (one line, no traceback). A verb's module is imported only when
that verb runs, so `cpo-xl summary` does not load the workbook writers.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS

DEFAULT_WORKBOOK = "workbook/CPO_Model.xlsx"
DEFAULT_PM_COPY = "dist/CPO_Model_PM.xlsx"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        print(f"cpo-xl: {message}", file=sys.stderr)
        raise SystemExit(2)


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
    sim = sub.add_parser("simulate", parents=[common], help="Monte Carlo percentiles and a fan-chart PNG")
    sim.add_argument("-n", type=int, default=100_000, help="number of draws")
    sim.add_argument("--seed", type=int, default=20261126, help="0 or more")
    sim.add_argument("--year", type=int, default=2030, help="year of the exposure percentiles")
    sim.add_argument("--output-dir", default="dist", help="where fan_chart.png goes")
    b = sub.add_parser("build", parents=[common], help="write the workbook and print the headline table")
    b.add_argument("--output", default=DEFAULT_WORKBOOK)
    b.add_argument("--check", action="store_true", help="exit 1 when the output differs from a fresh build")
    b.add_argument("--force", action="store_true",
                   help="overwrite a workbook with other inputs (keeps a time-stamped .bak)")
    c = sub.add_parser("check", help="recalculate every formula headlessly and compare with cached values")
    c.add_argument("path", nargs="?", default=DEFAULT_WORKBOOK)
    pub = sub.add_parser("publish", help="the PM copy: CPO_* formulas replaced by their values in every scenario, "
                                         "no add-in")
    pub.add_argument("path", nargs="?", default=DEFAULT_WORKBOOK)
    pub.add_argument("--output", default=DEFAULT_PM_COPY)
    pub.add_argument("--force", action="store_true", help="replace an edited copy (keeps a time-stamped .bak)")
    pub.add_argument("--pdf", action="store_true",
                     help="also write the Summary as a one-page PDF beside the copy (needs LibreOffice)")
    pl = sub.add_parser("pull", help="the Inputs of an edited workbook -> an assumptions TOML")
    pl.add_argument("path")
    pl.add_argument("--output", help="TOML to write (default: the workbook's name with .toml)")
    pl.add_argument("--force", action="store_true", help="overwrite a file pull did not write")
    d = sub.add_parser("diff", help="inputs, headline outputs and formulas changed between two workbooks")
    d.add_argument("a")
    d.add_argument("b", nargs="?")
    d.add_argument("--textconv", action="store_true", help="print one workbook as text (git textconv)")
    d.add_argument("--bridge", action="store_true", help="add the CPO TAM bridge between the two workbooks' inputs")
    d.add_argument("--year", type=int, default=2030, help="year of the bridge (with --bridge)")
    ex = sub.add_parser("explain", parents=[common], help="how one number is computed, down to its sourced inputs")
    ex.add_argument("line", help="a model line (tam, ports, engines, ...), a registry line (tam_definers, pen_all, "
                                 "rev_AVGO, ...), or with --ticker a company line (cpo_revenue, exposure, ...)")
    ex.add_argument("year", type=int)
    ex.add_argument("--ticker", help="company whose line to explain")
    ex.add_argument("--format", choices=("text", "json"), default="text")
    br = sub.add_parser("bridge", help="a line's change between two assumption sets, by input (Shapley), + PNG")
    br.add_argument("a", help=f"from: a scenario ({', '.join(SCENARIOS)}), an assumptions .toml or a workbook .xlsx")
    br.add_argument("b", help="to: the same kinds")
    br.add_argument("--year", type=int, default=2030)
    br.add_argument("--line", default="tam", help="the line to bridge (default tam)")
    br.add_argument("--output-dir", default="dist", help="where bridge_<line>_<year>.png goes")
    return p


MAX_MESSAGE = 600


def readable(message: str) -> str:
    """One line of at most MAX_MESSAGE characters (a value pasted into an input can be megabytes long)."""
    line = " ".join(message.split())
    return line if len(line) <= MAX_MESSAGE else f"{line[:MAX_MESSAGE]}... ({len(line):,} characters)"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        verb = importlib.import_module(f"cpo_xl.cli.{args.command}")
        return int(verb.run(args))
    except CpoError as exc:
        print(f"cpo-xl: {readable(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except OSError as exc:  # an output folder or file the system refuses (read-only, full, not a folder)
        where = exc.filename or "output"
        print(f"cpo-xl: {readable(f'{where}: cannot write ({exc.strerror or exc})')}", file=sys.stderr)
        return 2
