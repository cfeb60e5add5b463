"""`cpo-xl diff A B`: what changed inside two workbooks (inputs, headline outputs, formulas)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.diff import diff_text, textconv


def run(args: argparse.Namespace) -> int:
    if args.textconv:
        print(textconv(Path(args.a)))
        return 0
    if not args.b:
        raise CpoError("diff needs two workbooks: cpo-xl diff A.xlsx B.xlsx (or --textconv FILE)")
    print(diff_text(Path(args.a), Path(args.b)))
    return 0
