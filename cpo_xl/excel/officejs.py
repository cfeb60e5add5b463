"""What the add-in does about xlwings' Office.js path (xlwings Server: Excel on the web and on the Mac).

udfs/cpo_udfs.py hands :func:`skip_jsnull_probe` the ``xlwings.utils`` module it imported (only that module
imports xlwings)."""

import importlib.util
import sys
from typing import Any


def never_jsnull(value: object) -> bool:
    """xlwings' ``is_jsnull`` where Pyodide is not installed: no value is Pyodide's JsNull sentinel [bool]."""
    return False


def skip_jsnull_probe(xlwings_utils: Any) -> bool:
    """Replace ``xlwings_utils.is_jsnull`` by :func:`never_jsnull` where Pyodide is not installed; True when
    replaced. Inside Pyodide (xlwings Lite), or on an xlwings without that function, nothing changes.

    Why: xlwings 0.37's Office.js argument conversion (``_xlofficejs._clean_value_data_element``) calls
    ``xlwings.utils.is_jsnull`` for every element of every argument, and that runs ``from pyodide.ffi import
    JsNull``. Outside Pyodide the import fails and returns False, and a failed import is not cached: each one
    searches every folder on ``sys.path``. For one call of ours with the Inputs ranges (~1,200 cells) that was
    ~0.07 s, most of the call. The replacement gives the same answer (False) at once. Nothing else in the
    process changes: ``sys.modules`` is left alone, so code asking whether Pyodide is loaded still hears no."""
    if sys.platform == "emscripten" or importlib.util.find_spec("pyodide") is not None:
        return False
    if not callable(getattr(xlwings_utils, "is_jsnull", None)):
        return False
    xlwings_utils.is_jsnull = never_jsnull
    return True
