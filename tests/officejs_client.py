"""Calls the add-in through xlwings' own Office.js custom-function code, as Excel on the web and on the Mac do.

Run as a script in a fresh interpreter (xlwings picks its Office.js machinery at import from the environment):
reads a JSON list of calls ``{"func_name": ..., "args": [...], "feed": {arg index: earlier call index}}`` from
stdin, sends each through ``xlwings.server.custom_functions_call`` in that order, and prints one JSON result per
call: ``{"value": ...}`` or ``{"error": "..."}``. ``args`` are the JSON shapes Excel's JavaScript API sends
(every argument a 2-D list, ``null`` for an empty cell or an omitted argument, error objects
``{"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}``). ``feed`` replaces an argument with
the value an earlier call in this process returned (a CPO_CASE key handed to a block).

With ``--serve`` (where os.fork exists) it reads one such list per stdin line and answers each on one stdout line,
from a child forked for it from this interpreter after it has imported the add-in and before any call: each
list meets the state a fresh interpreter has when its first call arrives, which the child checks (every result
cache of the add-in empty) before it calls. tests/test_addin_client.py keeps one server per test module, so
every list of calls runs in a fresh state for the cost of one import.

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


def untouched() -> bool:
    """No call has run in this process: every UDF's result cache and the engine's model runs are empty."""
    from cpo_xl.engine.case import run as model_run
    from cpo_xl.excel.functions import CASES, CONTENT_CACHES
    return len(CONTENT_CACHES) > 0 and not any(c.results for c in (CASES, *CONTENT_CACHES)) \
        and model_run.cache_info().currsize == 0


def in_fresh_child(calls: list[dict]) -> list[dict]:
    """The calls in a child forked from this interpreter, which has imported the add-in and run nothing (it
    never calls itself: each child starts from the same untouched state)."""
    assert untouched(), "the parent ran a call before forking"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check the state is fresh, call, hand the JSON back, exit without cleanup
        os.close(read)
        status = 1
        try:
            if not untouched():
                raise RuntimeError("the forked child does not start from a fresh state")
            with os.fdopen(write, "w", encoding="utf-8") as pipe:
                pipe.write(json.dumps(asyncio.run(run(calls))))
            status = 0
        except BaseException:  # noqa: BLE001 - reported through the exit status and stderr
            import traceback
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(status)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"the child for {len(calls)} call(s) failed (wait status {status})")
    return json.loads(text)


def serve() -> None:
    """One JSON list of calls per stdin line, each answered on one stdout line by :func:`in_fresh_child`; a list
    whose child fails is answered ``{"failed": "..."}`` (its traceback on stderr)."""
    for line in sys.stdin:
        try:
            answer = in_fresh_child(json.loads(line))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            answer = {"failed": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
