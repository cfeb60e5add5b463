"""Command line `cpo-xl`: one argparse entry (:mod:`cpo_xl.cli.main`), one module per verb."""

from cpo_xl.cli.main import main

__all__ = ["main"]
