"""Command line `cpo-xl`: one argparse entry (:mod:`cpo_xl.cli.main`), one module per verb."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a program Ctrl-C stopped
INTERRUPTED_LINE = "cpo-xl: interrupted; no file was left half-written"


def main(argv: list[str] | None = None) -> int:
    """The console entry: :func:`cpo_xl.cli.main.main`, imported here so that a Ctrl-C while the engine loads
    (pandas, pydantic: about a second) also ends in one line and exit 130, not a traceback."""
    try:
        from cpo_xl.cli.main import main as run
    except KeyboardInterrupt:
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED
    try:
        return run(argv)
    except KeyboardInterrupt:  # after the verb's own handler (printing its result, leaving)
        print(INTERRUPTED_LINE, file=sys.stderr)
        return INTERRUPTED


__all__ = ["INTERRUPTED", "INTERRUPTED_LINE", "main"]
