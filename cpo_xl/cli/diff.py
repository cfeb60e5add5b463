"""`cpo-xl diff A B`: what changed inside two workbooks (inputs, headline outputs, formulas)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check.diff import diff_text, textconv
from cpo_xl.workbook.read.files import check_file


def run(args: argparse.Namespace) -> int:
    if args.textconv:
        check_file(Path(args.a))
        print(textconv(Path(args.a)))
        return 0
    if not args.b:
        raise CpoError("diff needs two workbooks: cpo-xl diff A.xlsx B.xlsx (or --textconv FILE)")
    for path in (args.a, args.b):  # a missing input is named as one, before any work
        check_file(Path(path))
    # everything is computed before anything is printed: a workbook whose inputs the bridge refuses prints no
    # half of the answer
    text = diff_text(Path(args.a), Path(args.b))
    if args.bridge:
        text += "\n\n" + bridge_text(args.a, args.b, args.year)
    print(text)
    return 0


def bridge_text(a: str, b: str, year: int) -> str:
    """The CPO TAM bridge between the inputs of workbooks ``a`` and ``b`` in ``year``."""
    from cpo_xl.analysis.bridge import bridge, text
    from cpo_xl.cli.bridge import side
    (name_a, case_a), (name_b, case_b) = side(a, "A"), side(b, "B")
    if name_a == name_b:
        name_a, name_b = f"A ({name_a})", f"B ({name_b})"
    return text(bridge(case_a, case_b, year, "tam", (name_a, name_b)))
