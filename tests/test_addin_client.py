"""The add-in as Excel runs it, through client code nobody on this project wrote.

Every UDF cell of the committed workbook is called through xlwings' Office.js custom-function code
(``xlwings.server.custom_functions_call``, tests/officejs_client.py: the path of Excel on the web and on the Mac,
xlwings Server and Lite) with the JSON shapes Excel's JavaScript API sends, in several legal calculation orders
and each order in a fresh state (a process forked from an interpreter that has imported the add-in and called
nothing, checked to hold no cached result; a fresh interpreter where os.fork does not exist), and compared with
the value the file caches. The classic Windows path is exercised
through xlwings' own VBA generator and value conversion with pywin32 stubbed (tests/classic_client.py): the COM
transport itself cannot run here. xlwings PRO's Office.js code runs under its PolyForm Noncommercial licence
(key ``noncommercial``), set by those scripts for the tests only.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import range_boundaries

from cpo_xl.excel.catalogue import CATALOGUE
from tests.conftest import read_book

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "workbook" / "CPO_Model.xlsx"
NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}  # what Excel's JavaScript sends
COM_NA = -2146826246  # what COM hands over for a #N/A cell
REL_TOL = 1e-9


@dataclass
class UdfCell:
    """One UDF formula of the workbook: where it is, its arguments as Excel's JavaScript sends them, the
    cached values it must reproduce, and which arguments are the value of another UDF cell (a CPO_CASE key)."""

    where: str
    func: str
    args: list[Any]
    expected: list[list[Any]]
    key_args: dict[int, str] = field(default_factory=dict)  # argument index -> the UDF cell it reads


def _js(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _cells(book: Any, ref: str, sheet: str) -> tuple[str, list[list[Any]]]:
    """('Sheet!A1[:B2]' without $, the cached values as a 2-D list) of a reference or a workbook name."""
    if ref in book.defined_names:
        ref = book.defined_names[ref].attr_text
    where, _, cells = ref.rpartition("!")
    sheet = where.strip("'") or sheet
    cells = cells.replace("$", "")
    c1, r1, c2, r2 = range_boundaries(cells)
    ws = book[sheet]
    values = [[_js(ws.cell(r, c).value) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
    return f"{sheet}!{cells}", values


def udf_cells(path: Path = WORKBOOK) -> list[UdfCell]:
    """Every CPO_* formula of the workbook (array formulas once, at their anchor), in sheet order."""
    formulas, cached = read_book(path), read_book(path, data_only=True)
    names = {u.name for u in CATALOGUE}
    found = []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                text = getattr(value, "text", value)
                if not isinstance(text, str) or not text.startswith("=") or "CPO_" not in text.upper():
                    continue
                tokens = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
                func = tokens[0].value.rstrip("(").upper()
                assert tokens[0].type == Token.FUNC and func in names, f"{ws.title}!{cell.coordinate}: {text}"
                args: list[Any] = [None]
                refs: list[str | None] = [None]
                for token in tokens[1:-1]:
                    assert token.type in (Token.OPERAND, Token.SEP), f"nested call in {text}"
                    if token.type == Token.SEP:
                        args.append(None)
                        refs.append(None)
                    elif token.subtype == Token.RANGE:
                        refs[-1], args[-1] = _cells(cached, token.value, ws.title)
                    elif token.subtype == Token.TEXT:
                        args[-1] = [[token.value.strip('"')]]
                    else:
                        args[-1] = [[float(token.value)]]
                if len(tokens) == 2:  # =CPO_VERSION(): no argument
                    args, refs = [], []
                span = getattr(value, "ref", cell.coordinate)
                expected = _cells(cached, span, ws.title)[1]
                found.append(UdfCell(f"{ws.title}!{cell.coordinate}", func, args, expected,
                                     {i: r for i, r in enumerate(refs) if r is not None}))
    by_place = {c.where: c for c in found}
    for c in found:  # keep only the arguments that are the value of another UDF cell
        c.key_args = {i: r for i, r in c.key_args.items() if r in by_place}
    return found


def client(calls: list[Any], script: str = "officejs_client.py") -> Any:
    """Run calls through a client script in a fresh state; its JSON output. The Office.js client's calls go to
    this module's server (officejs_client.py --serve, where os.fork exists), which runs each list in a child
    forked from an interpreter that has imported the add-in and called nothing (checked: every cache empty);
    anything else runs in a fresh interpreter."""
    if script == "officejs_client.py" and hasattr(os, "fork"):
        return SERVER.ask(calls)
    done = subprocess.run([sys.executable, str(ROOT / "tests" / script)], input=json.dumps(calls),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


class _Server:
    """officejs_client.py --serve, started at the first call and stopped when the module's tests end."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.log: Any = None

    def ask(self, calls: list[Any]) -> Any:
        if self.proc is None:
            self.log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by stop()
            self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "officejs_client.py"), "--serve"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(calls) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        answer = json.loads(line) if line else {"failed": "the server ended"}
        if isinstance(answer, dict) and "failed" in answer:
            self.log.seek(0)
            pytest.fail(f"{answer['failed']}\n{self.log.read()[-3000:]}")
        return answer

    def stop(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
            self.log.close()
            self.proc = None


SERVER = _Server()


@pytest.fixture(scope="module", autouse=True)
def _server():
    yield
    SERVER.stop()


def requests(cells: list[UdfCell], feed: bool = True) -> list[dict]:
    """The calls in the given order; with ``feed``, a key argument takes the value its CPO_CASE call returned
    earlier in the same process (as Excel passes a cell's new value), else the cached key."""
    position = {c.where: i for i, c in enumerate(cells)}
    out = []
    for i, c in enumerate(cells):
        feeds = {str(a): position[src] for a, src in c.key_args.items() if feed and position.get(src, i) < i}
        out.append({"func_name": c.func, "args": c.args, "feed": feeds})
    return out


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(got, int | float):
        return math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=1e-12)
    return got == expected


def mismatches(cells: list[UdfCell], results: list[dict]) -> list[str]:
    """Each call whose result is an error or differs from the cached values, named by its cell."""
    bad = []
    for c, result in zip(cells, results, strict=True):
        if "error" in result:
            bad.append(f"{c.where} {c.func}: {result['error']}")
            continue
        got = result["value"]
        if len(got) != len(c.expected) or any(len(g) != len(e) for g, e in zip(got, c.expected, strict=True)):
            bad.append(f"{c.where} {c.func}: shape {len(got)}x{len(got[0])} != cached")
            continue
        for g_row, e_row in zip(got, c.expected, strict=True):
            for g, e in zip(g_row, e_row, strict=True):
                if not _same(g, e):
                    bad.append(f"{c.where} {c.func}: {g!r} != cached {e!r}")
                    break
    return bad


@pytest.fixture(scope="module")
def cells() -> list[UdfCell]:
    return udf_cells()


def _is_case(c: UdfCell) -> bool:
    return c.func == "CPO_CASE"


@pytest.mark.slow
def test_the_workbook_shows_the_add_in_where_the_numbers_are(cells):
    # the mission's formulas stand on the sheets: the TAM headline over 13 years, each layer over 13 years
    tam = [c for c in cells if c.func == "CPO_TAM" and c.where.startswith("TAM!")]
    layers = {c.where.split("!")[0] for c in cells if c.func == "CPO_LAYER_TAM"}
    assert len(tam) == 13
    assert layers == {"Definers", "Foundry_Packaging", "Lasers", "Fiber_Connectivity", "Equipment"}
    assert len(cells) <= 100  # the call budget of one full recalculation


@pytest.mark.slow
def test_every_udf_cell_in_dependency_order_then_blocks_last(cells):
    ordered = sorted(cells, key=lambda c: not _is_case(c))  # keys first, every dependent call last
    assert mismatches(ordered, client(requests(ordered))) == []


@pytest.mark.slow
def test_every_udf_cell_in_reverse_order_before_any_key_is_computed(cells):
    ordered = sorted(cells, key=_is_case)  # blocks first: no CPO_CASE has run in this process
    assert mismatches(ordered, client(requests(ordered, feed=False))) == []


def _blocks(cells: list[UdfCell]) -> list[UdfCell]:
    """Every cell that reads a CPO_CASE key, but only the first =CPO_TAM and =CPO_LAYER_TAM cell (the other 77
    of those differ by year and layer only, and each one tried costs a full pass over the keys)."""
    firsts = {c.func: c for c in reversed(cells) if c.func in ("CPO_TAM", "CPO_LAYER_TAM")}
    return [c for c in cells if c.key_args and (c.func not in firsts or firsts[c.func] is c)]


@pytest.mark.slow
def test_each_block_right_after_its_key_with_the_other_keys_in_between(cells):
    # the order that used to give 2030 P90 11,992 instead of 12,361: the other CPO_CASE cells (same ranges,
    # other racks or scenario) run between a key and the block that reads it
    keys = [c for c in cells if _is_case(c)]
    by_place = {c.where: c for c in cells}
    ordered: list[UdfCell] = []
    for block in _blocks(cells):
        (source,) = block.key_args.values()
        ordered += [by_place[source], *[k for k in reversed(keys) if k.where != source], block]
    assert mismatches(ordered, client(requests(ordered))) == []


@pytest.mark.slow
def test_every_udf_cell_in_seeded_random_orders(cells):
    for seed in (1, 2):
        ordered = list(cells)
        random.Random(seed).shuffle(ordered)
        assert mismatches(ordered, client(requests(ordered))) == [], f"seed {seed}"


@pytest.mark.slow
def test_each_block_alone_in_a_fresh_interpreter_given_only_its_argument_values(cells):
    # after Excel restarts, or on Office.js where nothing recalculates on open: a block's cells are all there is.
    # Each block in a fresh state of its own (client: a child the module's server forks from an interpreter that
    # has imported the add-in and called nothing, checked; a fresh interpreter where os.fork does not exist)
    blocks = _blocks(cells)
    results = [client(requests([c], feed=False))[0] for c in blocks]
    assert len(blocks) >= 10 and mismatches(blocks, results) == []


def _inputs(cells: list[UdfCell]) -> UdfCell:
    return next(c for c in cells if c.where == "Inputs!C5")  # =CPO_CASE(assumptions, scenario)


@pytest.mark.slow
def test_two_cases_differing_only_by_racks_give_different_keys_and_blocks(cells):
    forecast = _inputs(cells)
    typed = next(c for c in cells if c.where == "Inputs!D5")  # =CPO_CASE(case_forecast, scenario, rack_units)
    lines = next(c for c in cells if c.func == "CPO_LINES" and c.key_args.get(0) == "Inputs!D5")
    years = lines.args[2]
    doubled = [typed.args[2][0], [2 * r for r in typed.args[2][1]]]
    calls = [{"func_name": "CPO_CASE", "args": forecast.args},
             {"func_name": "CPO_CASE", "args": typed.args},  # the same racks as the forecast, typed
             {"func_name": "CPO_CASE", "args": [typed.args[0], typed.args[1], doubled]},
             *[{"func_name": "CPO_LINES", "args": [None, [["racks_line"], ["tam"]], years], "feed": {"0": k}}
               for k in range(3)]]
    out = client(calls)
    keys = [o["value"][0][0] for o in out[:3]]
    assert len(set(keys)) == 3, keys  # drawn vs typed used to share one key
    drawn, same, double = (o["value"] for o in out[3:])
    # typed racks equal to the forecast (as the file caches them, to 12 digits): the same numbers, other keys
    assert drawn == [pytest.approx(row, rel=1e-9) for row in same]
    assert double[0] == pytest.approx([2 * r for r in same[0]], rel=1e-9)  # racks double (to 12 digits)
    # the TAM never falls and rises once racks bind (the near years are supply-bound, so they stay)
    assert all(d >= s * (1 - 1e-9) for d, s in zip(double[1], same[1], strict=True))
    assert double[1][-1] > 1.3 * same[1][-1]


@pytest.mark.slow
def test_excel_error_values_give_an_error_naming_the_argument_on_the_office_js_path(cells):
    tam, forecast = next(c for c in cells if c.func == "CPO_TAM"), _inputs(cells)
    table, scenario = forecast.args[0], forecast.args[1]  # the assumptions range and the scenario cell
    assumptions = [list(row) for row in table]
    assumptions[5][2] = NA  # one base value of the Inputs table is #N/A
    racks = [list(row) for row in tam.args[1]]
    racks[1][4] = NA
    calls = [{"func_name": "CPO_TAM", "args": [tam.args[0], tam.args[1], assumptions, scenario]},
             {"func_name": "CPO_TAM", "args": [tam.args[0], tam.args[1], table, [[NA]]]},
             {"func_name": "CPO_TAM", "args": [tam.args[0], racks, table, scenario]},
             {"func_name": "CPO_CASE", "args": [assumptions, [["base"]], None, None]},
             {"func_name": "CPO_LINES", "args": [[[NA]], [["tam_udf"]], [[2030.0]]]}]
    errors = [r.get("error", "") for r in client(calls)]
    assert "assumptions holds the Excel error #N/A (row 6, column 3" in errors[0]
    assert "scenario holds the Excel error #N/A" in errors[1]
    assert "rack_units holds the Excel error #N/A (row 2, column 5" in errors[2]
    assert "assumptions holds the Excel error #N/A" in errors[3]
    assert "case_key holds the Excel error #N/A" in errors[4]


@pytest.mark.slow
def test_excel_error_values_give_an_error_naming_the_argument_on_the_classic_path(cells):
    tam, forecast = next(c for c in cells if c.func == "CPO_TAM"), _inputs(cells)
    table, scenario = forecast.args[0], forecast.args[1]  # the assumptions range and the scenario cell
    assumptions = [list(row) for row in table]
    assumptions[5][2] = COM_NA
    racks = [list(row) for row in tam.args[1]]
    racks[1][4] = COM_NA
    out = client([{"func_name": "CPO_TAM", "args": [tam.args[0], tam.args[1], assumptions, scenario]},
                  {"func_name": "CPO_TAM", "args": [tam.args[0], tam.args[1], table, [[COM_NA]]]},
                  {"func_name": "CPO_TAM", "args": [tam.args[0], racks, table, scenario]},
                  {"func_name": "CPO_TAM", "args": tam.args}], "classic_client.py")
    errors = [r.get("error", "") for r in out["results"]]
    assert "assumptions holds the Excel error #N/A (row 6, column 3" in errors[0]
    assert "scenario holds the Excel error #N/A" in errors[1]
    assert "rack_units holds the Excel error #N/A (row 2, column 5" in errors[2]
    assert math.isclose(out["results"][3]["value"], tam.expected[0][0], rel_tol=REL_TOL)
    assert all(o == {"err_to_str": True} for opts in out["options"].values() for o in opts)


@pytest.mark.slow
def test_a_true_cell_and_a_1_cell_give_their_own_results_in_either_order(cells):
    # Python calls TRUE == 1 and FALSE == 0: a cache keyed by plain values handed a call with 1 the error of an
    # earlier TRUE, and a call with TRUE the number of an earlier 1. Each call here, in either order in one fresh
    # state, must give what it gives alone in a fresh state of its own
    tam, forecast = next(c for c in cells if c.func == "CPO_TAM"), _inputs(cells)
    table, scenario = forecast.args[0], forecast.args[1]
    row = next(i for i, r in enumerate(table) if r[0] == "envelopes.ai_share_of_additions")  # base 0.8; 1 valid

    def edited(value: Any) -> list[list[Any]]:
        out = [list(r) for r in table]
        out[row][2] = value  # the base column
        return out

    def racks(value: Any) -> list[list[Any]]:
        out = [list(r) for r in tam.args[1]]
        out[1][4] = value
        return out

    year = [[2030.0]]
    calls = [{"func_name": "CPO_TAM", "args": [year, tam.args[1], edited(True), scenario]},
             {"func_name": "CPO_TAM", "args": [year, tam.args[1], edited(1.0), scenario]},
             {"func_name": "CPO_CASE", "args": [edited(True), scenario, None, None]},
             {"func_name": "CPO_CASE", "args": [edited(1.0), scenario, None, None]},
             {"func_name": "CPO_TAM", "args": [year, racks(False), table, scenario]},
             {"func_name": "CPO_TAM", "args": [year, racks(0.0), table, scenario]}]
    alone = [client([call])[0] for call in calls]
    assert "envelopes.ai_share_of_additions: True is a boolean; a number is needed" in alone[0]["error"]
    assert "envelopes.ai_share_of_additions: True is a boolean; a number is needed" in alone[2]["error"]
    assert "rack_units racks False is not a number" in alone[4]["error"]
    assert all("value" in alone[i] for i in (1, 3, 5)), alone
    unedited = client([{"func_name": "CPO_TAM", "args": [year, tam.args[1], table, scenario]}])[0]
    assert alone[1]["value"][0][0] > unedited["value"][0][0]  # the 1 is read: all additions AI lifts the TAM
    for order in (range(6), range(5, -1, -1), (1, 0, 3, 2, 5, 4)):  # by index: the calls compare equal in Python
        assert client([calls[i] for i in order]) == [alone[i] for i in order], order


@pytest.mark.slow
def test_a_bull_value_edited_on_inputs_moves_the_tornado_in_the_same_recalculation(cells):
    tornado = next(c for c in cells if c.func == "CPO_TORNADO")
    forecast = _inputs(cells)
    top_key = tornado.args[1][0][0]  # the input the tornado ranks first
    table = [list(row) for row in forecast.args[0]]
    row = next(r for r in table if r[0] == top_key)
    row[3] = row[3] + (row[3] - row[2])  # its bull value moved twice as far from base
    out = client([{"func_name": "CPO_CASE", "args": [table, forecast.args[1], None, None]},
                  {"func_name": "CPO_TORNADO", "args": [None, tornado.args[1], tornado.args[2]], "feed": {"0": 0}}])
    moved = out[1]["value"]
    assert moved[0][0] == pytest.approx(tornado.expected[0][0], rel=1e-12)  # the bear end is untouched
    assert abs(moved[0][1]) > abs(tornado.expected[0][1]) * 1.2  # the bull end moves with the edit
    assert [pytest.approx(r, rel=1e-12, abs=1e-9) for r in tornado.expected[1:]] == moved[1:]  # others as they were


SEARCH_COUNT = """
import asyncio, importlib.machinery, json, sys
sys.path.insert(0, "tests")
import officejs_client  # the Office.js environment and the add-in, as the client runs them
calls = json.load(sys.stdin)
asyncio.run(officejs_client.run(calls))  # once untimed: a first call may import what it uses
searches, find_spec = [], importlib.machinery.PathFinder.find_spec
importlib.machinery.PathFinder.find_spec = lambda *a, **k: searches.append(a[0]) or find_spec(*a, **k)
out = asyncio.run(officejs_client.run(calls))
print(json.dumps({"searches": len(searches), "names": sorted(set(searches)), "out": out}))
"""


@pytest.mark.slow
def test_a_call_through_office_js_searches_no_folder_for_pyodide(cells):
    # xlwings 0.37's conversion runs `from pyodide.ffi import JsNull` for every argument cell; outside Pyodide
    # each failed import searched every folder on sys.path (~0.05 s of a call with the Inputs ranges) until the
    # add-in replaced that probe where Pyodide is not installed (cpo_xl.excel.officejs)
    key = next(c for c in cells if _is_case(c))
    argument_cells = sum(len(row) for arg in key.args if isinstance(arg, list) for row in arg)
    done = subprocess.run([sys.executable, "-c", SEARCH_COUNT], input=json.dumps(requests([key, key])),
                          capture_output=True, text=True, cwd=ROOT, check=True)
    found = json.loads(done.stdout)
    assert argument_cells > 500 and all("value" in r for r in found["out"])
    # per argument, xlwings still probes once or twice (its range conversion and js_to_none hold their own
    # reference): at most 2 per argument of the two calls, never one per cell (2,470 before)
    assert found["searches"] <= 2 * 2 * len(key.args), f"{found['searches']} path searches for {found['names']}"


@pytest.mark.slow
def test_office_js_registers_every_function_with_docs_and_optional_flags():
    code = ("import os, json, sys; os.environ['XLWINGS_ON_SERVER']='true'; "
            "os.environ['XLWINGS_LICENSE_KEY']='noncommercial'; sys.path.insert(0, 'udfs'); import cpo_udfs; "
            "from xlwings.server import custom_functions_meta; print(json.dumps(custom_functions_meta(cpo_udfs)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    meta = {f["name"]: f for f in json.loads(done.stdout)["functions"]}
    assert set(meta) == {u.name for u in CATALOGUE}
    for udf in CATALOGUE:
        params = meta[udf.name]["parameters"]
        assert [p["name"] for p in params] == [a.name for a in udf.args]
        assert [bool(p.get("optional")) for p in params] == [a.optional for a in udf.args], udf.name
        assert all(p["description"] for p in params) and meta[udf.name]["description"] == udf.doc


@pytest.mark.slow
def test_classic_vba_wrappers_have_the_catalogue_signatures():
    vba = client([], "classic_client.py")["vba"]
    signatures = dict(re.findall(r"^Function (CPO_\w+)\(([^)]*)\)", vba, re.MULTILINE))
    assert set(signatures) == {u.name for u in CATALOGUE}
    for udf in CATALOGUE:
        expected = ", ".join(("Optional " if a.optional else "") + a.name for a in udf.args)
        assert signatures[udf.name] == expected
    assert "Volatile" not in vba  # pure functions: Excel recalculates them only when an argument changes
