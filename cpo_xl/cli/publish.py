"""`cpo-xl publish`: the PM copy, a static snapshot that needs no add-in (CPO_* formulas -> values)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cpo_xl.workbook.read.files import expect_suffix, refuse_overwrite
from cpo_xl.workbook.share.publish import libreoffice, print_pdf, publish, summary_pdf


def run(args: argparse.Namespace) -> int:
    source, target = Path(args.path), Path(args.output)
    refuse_overwrite(source, target, args.force)
    expect_suffix(target, ".xlsx")
    if args.pdf or args.pack:  # before the copy is written: it was written, then LibreOffice found missing
        libreoffice("--pdf" if args.pdf else "--pack")
    start = time.perf_counter()

    def progress(stage: str) -> None:
        """A line per stage (the copy takes 10-30 s), on a terminal only, as `check` does: piped or in CI,
        stderr carries nothing but a failure's one line."""
        if sys.stderr.isatty():
            print(f"publish [{time.perf_counter() - start:4.1f} s]: {stage}...", file=sys.stderr, flush=True)

    backup = publish(source, target, args.force, progress)
    print(f"wrote {target}: PM copy of {source} (no add-in needed; the scenario and ranking year switch it)"
          + (f"; the copy it replaced is kept as {backup.name}" if backup else ""))
    if args.pdf:
        pdf = target.with_name(f"{target.stem}_Summary.pdf")
        progress(f"printing the Summary to {pdf} with LibreOffice")
        summary_pdf(target, pdf)
        print(f"wrote {pdf}: the Summary as a one-page PDF")
    if args.pack:
        pack = target.with_name(f"{target.stem}_pack.pdf")
        progress(f"printing every sheet to {pack} with LibreOffice")
        print_pdf(target, pack)
        print(f"wrote {pack}: the print pack (Summary, the model's story, risks and checks, then Inputs and Sources)")
    return 0
