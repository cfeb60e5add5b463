"""The add-in through xlwings' classic (Windows, VBA + COM) machinery, with pywin32 stubbed so it imports here.

Run as a script in a fresh interpreter. Stubs pythoncom, pywintypes and win32com (and the Windows-only parts of
ctypes) with mocks, puts xlwings' classic decorators (``xlwings.udfs.xlfunc`` / ``xlarg`` / ``xlret``) where
Windows would have them, imports ``udfs/cpo_udfs.py`` and prints JSON with:
- ``vba``: what ``xlwings.udfs.generate_vba_wrapper`` writes for the module (the Excel-side wrappers);
- ``results``: each call read from stdin (``{"func_name": ..., "args": [...]}``, ``args`` as the values COM hands
  over: 2-D lists, None for empty cells, Excel error cells as their COM error codes, e.g. -2146826246 = #N/A)
  converted the way ``xlwings.udfs.call_udf`` converts a value argument (``conversion.read(None, value,
  options)`` through the classic engine's cleaning, with the function's registered options), then called.
Nothing here talks to Excel: the COM transport is not exercised, the conversion and registration are.
"""

from __future__ import annotations

import ctypes
import io
import json
import sys
import types
from pathlib import Path
from unittest import mock

WINDOWS_MODULES = ("pythoncom", "pywintypes", "win32api", "win32con", "win32gui", "win32process", "win32event",
                   "winerror", "win32com", "win32com.client", "win32com.client.dynamic", "win32com.client.gencache",
                   "win32com.server", "win32com.server.util", "win32com.server.dispatcher", "win32com.server.policy",
                   "win32timezone")


class Stub(types.ModuleType):
    """A module whose every attribute is a mock (pywin32 is Windows-only)."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        value = mock.MagicMock(name=f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


for module_name in WINDOWS_MODULES:
    sys.modules[module_name] = Stub(module_name)
    sys.modules[module_name].__file__ = "pywin32-stub"
sys.modules["pywintypes"].TimeType = type("TimeType", (), {})  # type: ignore[attr-defined]
sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})  # type: ignore[attr-defined]
ctypes.oledll = ctypes.windll = mock.MagicMock()  # type: ignore[attr-defined]
ctypes.PyDLL = mock.MagicMock()  # type: ignore[misc]

import xlwings  # noqa: E402
import xlwings._xlwindows as xlwindows  # noqa: E402
import xlwings.udfs as classic  # noqa: E402
from xlwings import conversion  # noqa: E402
from xlwings.main import Engine  # noqa: E402

xlwings.func, xlwings.arg, xlwings.ret = classic.xlfunc, classic.xlarg, classic.xlret
xlwings.engines.add(Engine(impl=xlwindows.engine))
xlwings.engines.active = xlwings.engines["excel"]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))

import cpo_udfs  # noqa: E402


def vba() -> str:
    out = io.StringIO()
    workbook = mock.MagicMock(Name="CPO_Model.xlsm")  # the COM workbook the wrappers are written for
    classic.generate_vba_wrapper("cpo_udfs", cpo_udfs, out, workbook)
    return out.getvalue()


def call(func_name: str, args: list) -> dict:
    func = getattr(cpo_udfs, func_name)
    info = func.__xlfunc__["args"]
    values = []
    for i, value in enumerate(args):
        arg_info = info[min(i, len(info) - 1)]
        values.append(arg_info.get("optional") if value is None else
                      conversion.read(None, value, arg_info["options"]))
    try:
        return {"value": func(*values)}
    except Exception as exc:  # noqa: BLE001 - reported to the test, which decides
        return {"error": f"{type(exc).__name__}: {exc}"}


if __name__ == "__main__":
    calls = json.load(sys.stdin)
    options = {f: [a["options"] for a in getattr(cpo_udfs, f).__xlfunc__["args"]] for f in dir(cpo_udfs)
               if hasattr(getattr(cpo_udfs, f), "__xlfunc__")}
    print(json.dumps({"vba": vba(), "options": options,
                      "results": [call(c["func_name"], c["args"]) for c in calls]}, default=repr))
