"""Calls the add-in through xlwings' own Office.js custom-function code, as Excel on the web and on the Mac do.

Run as a script in a fresh interpreter (xlwings picks its Office.js machinery at import from the environment):
reads a JSON list of calls ``{"func_name": ..., "args": [...], "feed": {arg index: earlier call index}}`` from
stdin, sends each through ``xlwings.server.custom_functions_call`` in that order, and prints one JSON result per
call: ``{"value": ...}`` or ``{"error": "..."}``. ``args`` are the JSON shapes Excel's JavaScript API sends
(every argument a 2-D list, ``null`` for an empty cell or an omitted argument, error objects
``{"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}``). ``feed`` replaces an argument with
the value an earlier call in this process returned (a CPO_CASE key handed to a block).

The licence key ``noncommercial`` is xlwings PRO's PolyForm Noncommercial licence: used here, in tests, only.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))

import cpo_udfs
import xlwings
from xlwings.server import custom_functions_call


def request(func_name: str, args: list) -> dict:
    """The body Excel's JavaScript sends to the custom-functions endpoint."""
    return {"func_name": func_name, "args": args, "version": xlwings.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "en-US", "date_format": "M/d/yyyy",
            "caller_address": "Sheet1!A1"}


async def run(calls: list[dict]) -> list[dict]:
    out: list[dict] = []
    for call in calls:
        args = list(call["args"])
        for index, source in call.get("feed", {}).items():
            earlier = out[source]
            args[int(index)] = [[earlier["value"][0][0]]] if "value" in earlier else args[int(index)]
        try:
            value = await custom_functions_call(request(call["func_name"], args), cpo_udfs)
            out.append({"value": value})
        except Exception as exc:  # noqa: BLE001 - reported to the test, which decides
            out.append({"error": f"{type(exc).__name__}: {exc}"})
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
