"""The console entry `cpo-xl` (and `python -m cpo_xl`): :func:`cpo_xl.cli.main.main`, imported inside the
handler so that a Ctrl-C while the engine loads (pandas, pydantic: about a second) also ends in one line and
exit 130, not a traceback. Outside the cpo_xl.cli package, whose __init__ imports the CLI at once."""

from __future__ import annotations

import sys

from cpo_xl.engine.errors import INTERRUPTED, INTERRUPTED_LINE


def main(argv: list[str] | None = None) -> int:
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


if __name__ == "__main__":
    raise SystemExit(main())
