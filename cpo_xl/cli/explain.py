"""`cpo-xl explain LINE YEAR`: the tree of how one number is computed, down to its sourced inputs."""

from __future__ import annotations

import argparse
import json

from cpo_xl.analysis import explain as ex
from cpo_xl.cli.setup import load_case


def run(args: argparse.Namespace) -> int:
    case = load_case(args.scenario, args.assumptions)
    tree = ex.explain(case, args.line, args.year, args.ticker)
    if args.format == "json":
        print(json.dumps({"line": args.line, "year": args.year, "scenario": case.scenario,
                          "ticker": args.ticker, "tree": ex.as_json(tree)}, indent=1, allow_nan=False))
        return 0
    print(f"cpo-xl explain {args.line} {args.year}: scenario {case.scenario}"
          + (f", ticker {args.ticker.strip().upper()}" if args.ticker else "")
          + f"; {len(ex.input_keys(tree))} inputs")
    print(ex.text(tree))
    return 0
