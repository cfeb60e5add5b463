"""The test suite.

Python keeps the bytecode of cpo_xl and of the tests (in __pycache__, git-ignored) even where the machine sets
PYTHONDONTWRITEBYTECODE, as ours does: without it every run, each of its pytest-xdist workers and each
interpreter a test starts compiled cpo_xl's ~100 modules and pytest rewrote every test module again (a run
with the bytecode kept: 3-10 s less on the 2-core machine). This package is imported before the conftest and
every test module, so this comes first."""

import sys

sys.dont_write_bytecode = False
