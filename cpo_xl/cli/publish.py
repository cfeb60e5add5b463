"""`cpo-xl publish`: the PM copy, a static snapshot that needs no add-in (CPO_* formulas -> values)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.workbook.files import expect_suffix, refuse_overwrite
from cpo_xl.workbook.publish import publish, summary_pdf


def run(args: argparse.Namespace) -> int:
    source, target = Path(args.path), Path(args.output)
    refuse_overwrite(source, target, args.force)
    expect_suffix(target, ".xlsx")
    publish(source, target, args.force)
    print(f"wrote {target}: PM copy of {source} (no add-in needed; the scenario and ranking year switch it)")
    if args.pdf:
        pdf = target.with_name(f"{target.stem}_Summary.pdf")
        summary_pdf(target, pdf)
        print(f"wrote {pdf}: the Summary as a one-page PDF")
    return 0
