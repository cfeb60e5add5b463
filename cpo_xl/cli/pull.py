"""`cpo-xl pull`: the Inputs of an edited workbook -> a validated assumptions TOML that rebuilds it."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.workbook.read.files import expect_suffix, refuse_overwrite
from cpo_xl.workbook.read.userfile import user_file_from
from cpo_xl.workbook.replace.pull import PULL_HEADER, toml_text, write_text


def run(args: argparse.Namespace) -> int:
    source = Path(args.path)
    user, _ = user_file_from(source)
    target = Path(args.output) if args.output else source.with_suffix(".toml")
    refuse_overwrite(source, target, args.force, PULL_HEADER)
    expect_suffix(target, ".toml")
    write_text(target, toml_text(user, source))
    print(f"wrote {target}: {len(user.base)} inputs, scenario {user.scenario}, "
          f"{len(user.racks)} rack overrides")
    return 0
