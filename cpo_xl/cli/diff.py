"""`cpo-xl diff A B`: what changed inside two workbooks (inputs, headline outputs, formulas)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check.diff import diff_text, textconv


def run(args: argparse.Namespace) -> int:
    if args.textconv:
        print(textconv(Path(args.a)))
        return 0
    if not args.b:
        raise CpoError("diff needs two workbooks: cpo-xl diff A.xlsx B.xlsx (or --textconv FILE)")
    print(diff_text(Path(args.a), Path(args.b)))
    if args.bridge:
        from cpo_xl.analysis.bridge import bridge, text
        from cpo_xl.cli.bridge import side
        (name_a, case_a), (name_b, case_b) = side(args.a, "A"), side(args.b, "B")
        if name_a == name_b:
            name_a, name_b = f"A ({name_a})", f"B ({name_b})"
        print("\n" + text(bridge(case_a, case_b, args.year, "tam", (name_a, name_b))))
    return 0
