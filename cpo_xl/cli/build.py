"""`cpo-xl build`: write the workbook safely (or, with --check, compare it with a fresh build)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.cli.checks import build_warning
from cpo_xl.cli.setup import load_case
from cpo_xl.cli.summary import headline
from cpo_xl.excel.functions import version_text
from cpo_xl.workbook.check import compare
from cpo_xl.workbook.read import files
from cpo_xl.workbook.replace import replace
from cpo_xl.workbook.replace.edits import verdict
from cpo_xl.workbook.write.build import build_workbook


def run(args: argparse.Namespace) -> int:
    case = load_case(args.scenario, args.assumptions)
    target = Path(args.output)
    files.expect_suffix(target, ".xlsx")
    if args.check:
        return compare.compare_with_fresh(target, lambda p: build_workbook(p, case))
    backup = replace.atomic_write(target, lambda p: build_workbook(p, case), force=args.force, protect=verdict)
    print(f"wrote {target} (scenario {case.scenario}, {version_text()})"
          + (f"; the file it replaced is kept as {backup.name}" if backup else ""))
    warning = build_warning(case)
    if warning:
        print(warning)
    print(headline(case))
    return 0
