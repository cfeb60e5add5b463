"""`cpo-xl`: the argument parser and the dispatch to one module per verb.

Exit 0 ok, 1 a check failed, 2 bad input (one line, no traceback). A verb's module is imported only when
that verb runs, so `cpo-xl summary` does not load the workbook writers.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import math
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from cpo_xl.engine.errors import INTERRUPTED, INTERRUPTED_LINE, CpoError
from cpo_xl.engine.inputs import SCENARIOS

DEFAULT_WORKBOOK = "workbook/CPO_Model.xlsx"
DEFAULT_PM_COPY = "dist/CPO_Model_PM.xlsx"


EXIT_CODES = """exit codes:
  0  done (build and summary print a warning line when the model's master check is not 0, and still exit 0:
     the workbook is written, the tables are computed)
  1  a check failed: check (a formula whose recalculated value differs from its cached one, an error value,
     or a master check that is not 0) or build --check (the file differs from a fresh build)
  2  bad input or usage: one line on stderr naming the argument or the file, no traceback (every argument
     is checked before anything is printed or written)
  130  interrupted (Ctrl-C): one line on stderr, no traceback; a file being written keeps its previous content"""
FIRST_YEAR, LAST_YEAR = 2023, 2035  # the model horizon (engine/timeline.py)
CHART_FORCE = ("replace a file at the chart's path that cpo-xl did not write, or that was changed since it wrote it "
               "(keeps a time-stamped .bak; default: off; a chart cpo-xl wrote is replaced without it)")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        if kwargs.get("add_help", True):
            kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # one clear line, exit 2
        print(f"cpo-xl: {message}", file=sys.stderr)
        raise SystemExit(2)


def whole(what: str) -> Callable[[str], int]:
    """An argument type: a whole number (also written 1e5 or 100_000), else one line saying what is expected."""
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number) and number.is_integer():
            return int(number)
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (expected {what}, a whole number)")
    return parse


WHOLE_YEAR = whole(f"a year, {FIRST_YEAR} to {LAST_YEAR}")


def year(text: str) -> int:
    """An argument type: a year of the model horizon. Checked while the arguments are parsed, so that a bad
    year is refused before a verb prints or writes anything (`diff --bridge` printed the whole diff first)."""
    value = WHOLE_YEAR(text)
    if not FIRST_YEAR <= value <= LAST_YEAR:  # the wording of engine.model.check_year, without loading numpy
        raise argparse.ArgumentTypeError(f"year {value} is outside the model horizon {FIRST_YEAR}-{LAST_YEAR}")
    return value


class _Version(argparse.Action):
    """--version: the package and the assumptions fingerprint (as the workbook and CPO_VERSION show them)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version (package and assumptions fingerprint) and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from cpo_xl.excel.functions import version_text
        print(version_text())
        raise SystemExit(0)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cpo-xl", description="Co-packaged optics market model: the engine, its workbook and the "
                                           "PM copy. `cpo-xl VERB --help` describes each verb.")
    p.add_argument("--version", action=_Version)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="VERB")
    common = _Parser(add_help=False)
    common.add_argument("--scenario", metavar="S",
                        help=f"one of {', '.join(SCENARIOS)} (default: the assumptions file's scenario, else base)")
    common.add_argument("--assumptions", metavar="FILE",
                        help="a TOML of dotted-key overrides, as `cpo-xl pull` writes (default: none, the shipped "
                             "assumptions)")
    s = sub.add_parser("summary", parents=[common], help="headline tables in the terminal",
                       description="The headline tables in the terminal.")
    s.add_argument("--year", type=year, default=2030, metavar="Y", help="year of the company ranking (default 2030)")
    s.add_argument("--scenarios", action="store_true",
                   help="also bear/base/bull side by side and sensitivities (default: off)")
    s.add_argument("--ticker", default="AVGO", metavar="T",
                   help="company for the exposure tornado, with --scenarios (default AVGO)")
    sim = sub.add_parser("simulate", parents=[common], help="Monte Carlo percentiles and a fan-chart PNG",
                         description="Monte Carlo percentiles of the TAM and of each company's exposure, and a "
                                     "fan-chart PNG (with the charts extra).")
    sim.add_argument("-n", type=whole("a number of draws, 1 to 10,000,000"), default=100_000, metavar="N",
                     help="number of draws, 1 to 10,000,000 (default 100,000)")
    sim.add_argument("--seed", type=whole("a seed, 0 or more"), default=20261126, metavar="SEED",
                     help="random seed, 0 or more: the same seed gives the same numbers (default 20261126)")
    sim.add_argument("--year", type=year, default=2030, metavar="Y",
                     help="year of the exposure percentiles (default 2030)")
    sim.add_argument("--output-dir", default="dist", metavar="DIR", help="where fan_chart.png goes (default dist)")
    sim.add_argument("--force", action="store_true", help=CHART_FORCE)
    b = sub.add_parser("build", parents=[common], help="write the workbook and print the headline table",
                       description="Write the workbook (a temporary file, then renamed over the target) and print "
                                   "the headline table.")
    b.add_argument("--output", default=DEFAULT_WORKBOOK, metavar="PATH",
                   help=f"the workbook to write, *.xlsx (default {DEFAULT_WORKBOOK})")
    b.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when PATH differs from a fresh build (default: off)")
    b.add_argument("--force", action="store_true",
                   help="overwrite a workbook holding edits (keeps a time-stamped .bak; default: off)")
    c = sub.add_parser("check", help="recalculate every formula headlessly and compare with cached values",
                       description="Recalculate every formula headlessly, compare with the cached values, and "
                                   "read the model's master check; exit 1 on any problem.")
    c.add_argument("path", nargs="?", default=DEFAULT_WORKBOOK, metavar="PATH",
                   help=f"the workbook, .xlsx or .xlsm (default {DEFAULT_WORKBOOK})")
    pub = sub.add_parser("publish", help="the PM copy: CPO_* formulas replaced by their values in every scenario, "
                                         "no add-in",
                         description="The PM copy: every CPO_* formula replaced by its values in bear, base and "
                                     "bull, switched by the scenario cell; no add-in needed.")
    pub.add_argument("path", nargs="?", default=DEFAULT_WORKBOOK, metavar="PATH",
                     help=f"the workbook whose inputs to publish, .xlsx or .xlsm (default {DEFAULT_WORKBOOK})")
    pub.add_argument("--output", default=DEFAULT_PM_COPY, metavar="PATH",
                     help=f"the PM copy to write, *.xlsx (default {DEFAULT_PM_COPY}); a copy publish wrote "
                          "earlier is replaced")
    pub.add_argument("--force", action="store_true",
                     help="replace a copy edited or saved since publish wrote it (keeps a time-stamped .bak; "
                          "default: off)")
    pub.add_argument("--pdf", action="store_true",
                     help="also write the Summary as a one-page PDF beside the copy, NAME_Summary.pdf (needs "
                          "LibreOffice; default: off)")
    pub.add_argument("--pack", action="store_true",
                     help="also print every sheet to NAME_pack.pdf beside the copy, in the copy's story order: "
                          "Summary, the model, risks and checks, then Inputs and Sources (needs LibreOffice, "
                          "~1 min; default: off)")
    pl = sub.add_parser("pull", help="the Inputs of an edited workbook -> an assumptions TOML",
                        description="Read every input of an edited workbook, validate it, and write the TOML that "
                                    "`cpo-xl build --assumptions` turns back into those inputs.")
    pl.add_argument("path", metavar="PATH", help="the edited workbook, .xlsx or .xlsm")
    pl.add_argument("--output", metavar="FILE",
                    help="TOML to write (default: the workbook's name with .toml, beside it)")
    pl.add_argument("--force", action="store_true", help="overwrite a file pull did not write (default: off)")
    d = sub.add_parser("diff", help="inputs, headline outputs and formulas changed between two workbooks",
                       description="What changed between two workbooks: inputs, every model line, formulas.")
    d.add_argument("a", metavar="A", help="the workbook before, .xlsx or .xlsm")
    d.add_argument("b", nargs="?", metavar="B", help="the workbook after, .xlsx or .xlsm (not with --textconv)")
    d.add_argument("--textconv", action="store_true",
                   help="print workbook A as text, for git's textconv (default: off)")
    d.add_argument("--bridge", action="store_true",
                   help="add the CPO TAM bridge between the two workbooks' inputs (default: off)")
    d.add_argument("--year", type=year, default=2030, metavar="Y", help="year of the bridge, with --bridge "
                                                                         "(default 2030)")
    ex = sub.add_parser("explain", parents=[common], help="how one number is computed, down to its sourced inputs",
                        description="How one number is computed, top-down, down to its sourced inputs.")
    ex.add_argument("line", metavar="LINE",
                    help="a model line (tam, ports, engines, ...), a registry line (tam_definers, pen_all, "
                         "rev_AVGO, ...), or with --ticker a company line (cpo_revenue, exposure, ...)")
    ex.add_argument("year", type=year, metavar="YEAR", help=f"the year, {FIRST_YEAR} to {LAST_YEAR}")
    ex.add_argument("--ticker", metavar="T", help="company whose line to explain (default: none, a model line)")
    ex.add_argument("--format", choices=("text", "json"), default="text", help="text or json (default text)")
    br = sub.add_parser("bridge", help="a line's change between two assumption sets, by input (Shapley), + PNG",
                        description="Why a line differs between two assumption sets, attributed to the inputs "
                                    "that differ (exact Shapley values), and a waterfall PNG (charts extra).")
    br.add_argument("a", metavar="A", help=f"from: a scenario ({', '.join(SCENARIOS)}), an assumptions .toml or a "
                                           "workbook .xlsx / .xlsm")
    br.add_argument("b", metavar="B", help="to: the same kinds")
    br.add_argument("--year", type=year, default=2030, metavar="Y", help="year of the line (default 2030)")
    br.add_argument("--line", default="tam", metavar="L", help="the line to bridge (default tam)")
    br.add_argument("--output-dir", default="dist", metavar="DIR",
                    help="where bridge_<line>_<year>.png goes (default dist)")
    br.add_argument("--force", action="store_true", help=CHART_FORCE)
    li = sub.add_parser("lite", help="an xlwings Lite project for Excel on the Mac and on the web",
                        description="Write an xlwings Lite project into DIR: main.py with every CPO_* function, "
                                    "requirements.txt, and the cpo-xl wheel it installs (built from this checkout).")
    li.add_argument("dir", metavar="DIR", help="the folder to write into (made if missing)")
    li.add_argument("--wheel-url", metavar="URL",
                    help="the https URL the wheel will be served from, or of its folder, for requirements.txt "
                         "(default: none, the wheel's file name, to replace with its URL once uploaded)")
    li.add_argument("--force", action="store_true",
                    help="overwrite a main.py or requirements.txt that differs from what would be written (keeps a "
                         ".bak; default: off)")
    return p


MAX_MESSAGE = 600


def readable(message: str) -> str:
    """One line of at most MAX_MESSAGE characters (a value pasted into an input can be megabytes long)."""
    line = " ".join(message.split())
    return line if len(line) <= MAX_MESSAGE else f"{line[:MAX_MESSAGE]}... ({len(line):,} characters)"


# A verb builds and reads workbooks: millions of short-lived XlsxWriter/openpyxl objects. CPython's default
# first-generation threshold (700) runs the cyclic collector thousands of times per workbook; a higher one takes
# ~10% off a build (benchmarks/workbook.py) and changes nothing a verb writes.
GC_THRESHOLDS = (50_000, 50, 100)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        args = parser().parse_args(argv)
        verb = importlib.import_module(f"cpo_xl.cli.{args.command}")
        return int(verb.run(args))
    except CpoError as exc:
        print(f"cpo-xl: {readable(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except FileNotFoundError as exc:  # a file or folder gone: an input a verb did not check, or an output's folder
        print(f"cpo-xl: {readable(f'{exc.filename or exc}: no such file or folder')}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output folder or file the system refuses (read-only, full, not a folder)
        where = exc.filename or "output"
        print(f"cpo-xl: {readable(f'{where}: cannot write ({exc.strerror or exc})')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C, no traceback. Every write goes to a temporary file, renamed over the
        # target once complete and removed on the way out otherwise: the target holds its old or its new content
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED
