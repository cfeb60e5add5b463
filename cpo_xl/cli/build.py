"""`cpo-xl build`: write the workbook safely (or, with --check, compare it with a fresh build)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.cli.setup import load_case
from cpo_xl.cli.summary import headline
from cpo_xl.workbook import files
from cpo_xl.workbook.build import build_workbook
from cpo_xl.workbook.edits import why_not_replace


def run(args: argparse.Namespace) -> int:
    case = load_case(args.scenario, args.assumptions)
    target = Path(args.output)
    if args.check:
        return files.compare_with_fresh(target, lambda p: build_workbook(p, case))
    files.atomic_write(target, lambda p: build_workbook(p, case), force=args.force, protect=why_not_replace)
    print(f"wrote {target} (scenario {case.scenario})")
    print(headline(case))
    return 0
