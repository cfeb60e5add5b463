"""What the add-in does about xlwings' Office.js path (xlwings Server: Excel on the web and on the Mac).

udfs/cpo_udfs.py calls :func:`mark_pyodide_absent` before it imports xlwings."""

import importlib.util
import sys


def mark_pyodide_absent() -> bool:
    """Record Pyodide as not installed, ``sys.modules["pyodide"] = None``, when it is not, so that any later
    ``import pyodide`` fails at once (Python's documented meaning of None there); True when this marked it.

    Why: xlwings 0.37's Office.js argument conversion (``xlwings.utils.is_jsnull``) runs
    ``from pyodide.ffi import JsNull`` for every element of every argument. Outside Pyodide that import fails,
    and a failed import is not cached, so each one searches every folder on ``sys.path``: for one call of ours
    with the Inputs ranges (~560 elements) that was ~0.1 s, 100 times the call itself. Inside Pyodide
    (xlwings Lite) the module exists and nothing is changed."""
    if "pyodide" in sys.modules or importlib.util.find_spec("pyodide") is not None:
        return False
    sys.modules["pyodide"] = None  # type: ignore[assignment]  # None: "not importable", by design
    return True
