"""Purity review: a UDF call's result depends on its argument values alone, through xlwings' own client code.

Real calls of the committed workbook (``udf_cells``) and a few more of the catalogue built from the workbook's
own ranges are varied with odd but legal Excel cell values (TRUE/FALSE, 0 vs 0.0 vs FALSE, 1 vs TRUE, "" vs an
empty cell, a number stored as text, padded or upper-cased text, Excel error objects, a 1x1 range vs a scalar,
a row vs a column, extra empty rows and columns, a CPO_CASE key fed from an earlier call vs the same key typed).
Each seeded sequence of such calls runs in one fresh state (tests/officejs_client.py through the server of
tests/test_addin_client.py), forwards and reversed, and every call's result is compared, by its index in the
sequence and as JSON (so TRUE is not 1 and 1 is not 1.0), with what the same call gives alone in a fresh state
of its own. The same sequences also go through the classic (Windows COM) conversion of tests/classic_client.py.
A mismatch found here is reduced to a minimal deterministic repro and kept in this file as its own test.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from typing import Any

import pytest

from tests.test_addin_client import NA, ROOT, SERVER, UdfCell, client, udf_cells

VALUE = {"type": "Error", "basicValue": "#VALUE!", "errorType": "Value"}
DIV0 = {"type": "Error", "basicValue": "#DIV/0!", "errorType": "DivisionByZero"}
ERRORS = (NA, VALUE, DIV0)
# three seeds: 6 found no more (3,140 comparisons over seeds 200-260 found none either); seed 11 is the one that
# caught a content cache keyed by plain tuples (TRUE == 1) when that bug was put back on purpose
SEEDS = (11, 12, 13)
GROUPS = 7  # groups of calls per sequence (a group: variants of one call, or a block after its CPO_CASE key)


@pytest.fixture(scope="module", autouse=True)
def _server():
    yield
    SERVER.stop()


@pytest.fixture(scope="module")
def cells() -> list[UdfCell]:
    return udf_cells()


Call = dict[str, Any]  # {"func_name", "args", "feed": {arg index (str): index of an earlier call}}


def _text(value: Any) -> str:
    """JSON that keeps TRUE, 1 and 1.0 apart (what the client hands over and back)."""
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------------------------------------- cell variants


def _cell_variants(value: Any, rng: random.Random) -> list[Any]:
    """Odd but legal values for one cell holding ``value``, the confusable ones together."""
    if isinstance(value, bool):
        family = [value, int(value), float(value), "TRUE" if value else "FALSE"]
    elif isinstance(value, int | float):
        x = float(value)
        family = [x, repr(x) if not x.is_integer() else str(int(x)), f" {x:g} "]
        if x.is_integer():
            family.append(int(x))  # Excel's JavaScript sends a whole number as a JSON integer
        pick = rng.random()
        if pick < 0.3:
            family = [1.0, True, 1, "1", x]
        elif pick < 0.55:
            family = [0.0, False, 0, "0", None, "", x]
    elif value is None or (isinstance(value, str) and not value.strip()):
        family = [None, "", " ", 0.0, False]
    elif isinstance(value, str):
        family = [value, value + " ", " " + value, value.upper(), value.title()]
    else:
        family = [value]
    family.append(rng.choice(ERRORS))
    rng.shuffle(family)
    return family[: rng.randint(2, 4)]


def _cell_site(arg: Any, rng: random.Random) -> tuple[int, int] | None:
    """A cell of a 2-D argument to vary: a value cell of an assumptions table more often than a key."""
    if not isinstance(arg, list) or not arg or not isinstance(arg[0], list) or not arg[0]:
        return None
    r = rng.randrange(len(arg))
    width = len(arg[0])
    c = rng.randrange(1, width) if width == 4 and len(arg) > 20 and rng.random() < 0.85 else rng.randrange(width)
    return r, c


def _with_cell(args: list[Any], index: int, site: tuple[int, int], value: Any) -> list[Any]:
    out = list(args)
    table = [list(row) for row in out[index]]
    table[site[0]][site[1]] = value
    out[index] = table
    return out


def _shape_variants(arg: Any) -> list[Any]:
    """The same cells in other legal shapes: a scalar for a 1x1 range, a column for a row (and back), an extra
    empty row or column at the end (blank as null or as "")."""
    if not isinstance(arg, list) or not arg or not isinstance(arg[0], list):
        return []
    rows, width = len(arg), len(arg[0])
    out: list[Any] = []
    if rows == 1 and width == 1:
        out += [arg[0][0], [[arg[0][0]]]]
    if rows == 1 or width == 1 or rows == 2 or width == 2:
        out.append([list(col) for col in zip(*arg, strict=True)])
    out.append([*arg, [None] * width])
    out.append([[*row, ""] for row in arg])
    return out


def _variants(call: Call, rng: random.Random) -> list[Call]:
    """Two to four calls that differ from ``call`` (and each other) at one place of one argument."""
    varied = [i for i, a in enumerate(call["args"]) if a is not None and str(i) not in call.get("feed", {})]
    if not varied:
        return [call]
    index = rng.choice(varied)
    arg = call["args"][index]
    shapes = _shape_variants(arg)
    if shapes and rng.random() < 0.3:
        chosen = rng.sample(shapes, min(len(shapes), rng.randint(1, 2)))
        return [call, *({**call, "args": [*call["args"][:index], s, *call["args"][index + 1:]]} for s in chosen)]
    site = _cell_site(arg, rng)
    if site is None:
        return [call]
    values = _cell_variants(arg[site[0]][site[1]], rng)
    return [{**call, "args": _with_cell(call["args"], index, site, v)} for v in values]


# ------------------------------------------------------------------------------------------------ the calls


def _pool(cells: list[UdfCell]) -> list[UdfCell]:
    """The workbook's UDF cells (one in nine of the 78 =CPO_TAM / =CPO_LAYER_TAM cells, which differ by year
    and layer only) and more calls of the catalogue built from the workbook's own ranges and keys: the
    assumptions range, its scenario, the TAM row's racks, and the keys of Inputs!C5 (the forecast) and Inputs!D5
    (typed racks) as the assumptions of single-value functions, so that they meet the blocks' cases."""
    many = [c for c in cells if c.func in ("CPO_TAM", "CPO_LAYER_TAM")]
    picked = [c for c in cells if c not in many] + many[::9]
    by_place = {c.where: c for c in cells}
    tam, inputs = next(c for c in cells if c.func == "CPO_TAM"), by_place["Inputs!C5"]
    tornado = next(c for c in cells if c.func == "CPO_TORNADO")
    year, racks, table, scenario = [[2030.0]], tam.args[1], inputs.args[0], inputs.args[1]
    first_key = [[tornado.args[1][0][0]]]
    keys = {place: [[by_place[place].expected[0][0]]] for place in ("Inputs!C5", "Inputs!D5")}
    more: list[tuple[str, list[Any], dict[int, str]]] = [
        ("CPO_PENETRATION", [year, [["scale_out"]], racks, table, scenario, None], {}),
        ("CPO_SUPPLY", [year, table, scenario, [["ports"]]], {}),
        ("CPO_PORTS", [year, racks, table, scenario], {}),
        ("CPO_ENGINES", [year, racks, None, [["bull"]]], {}),
        ("CPO_LINE", [[["tam"]], year, racks, table, scenario], {}),
        ("CPO_TABLE", [[["tam"]], racks, table, scenario], {}),
        ("CPO_SENSITIVITY", [first_key, year, racks, table, scenario, None], {}),
        ("CPO_SUPPLIER_REVENUE", [[["COHR"]], year, racks, table, scenario], {}),
        ("CPO_ELASTICITY", [[["COHR"]], year, racks, table, scenario, [["exposure"]]], {}),
        ("CPO_CROSSCHECK", [[["yole"]], [[2029.0]], racks, table, scenario], {}),
        ("CPO_RACKS", [year, table, scenario], {}),
        ("CPO_CAGR", [[[100.0]], [[300.0]], [[2025.0]], year], {}),
        ("CPO_CURVE", [[["logistic"]], year, [[0.8]], [[0.5]], [[2030.0]]], {}),
        ("CPO_FIT", [[["logistic"]], [[2026.0, 2028.0, 2030.0]], [[0.1], [0.3], [0.5]], None], {}),
        ("CPO_TAM", [year, racks, keys["Inputs!C5"], None], {2: "Inputs!C5"}),
        ("CPO_LINE", [[["tam"]], year, None, keys["Inputs!D5"], None], {3: "Inputs!D5"}),
        ("CPO_TABLE", [[["companies"]], None, keys["Inputs!D5"], None], {2: "Inputs!D5"}),
        ("CPO_TAM_PCTL", [year, [[0.9]], None, keys["Inputs!C5"], None], {3: "Inputs!C5"}),
        ("CPO_SENSITIVITY", [first_key, year, racks, keys["Inputs!C5"], None, [["high"]]], {3: "Inputs!C5"}),
        ("CPO_SUPPLY", [year, keys["Inputs!C5"], None, None], {1: "Inputs!C5"}),
        ("CPO_PENETRATION", [year, None, None, keys["Inputs!D5"], [["base"]], None], {3: "Inputs!D5"}),
    ]
    return picked + [UdfCell(f"extra:{n}", func, args, [], key_args) for n, (func, args, key_args) in enumerate(more)]


def _group(cell: UdfCell, by_place: dict[str, UdfCell], rng: random.Random,
           vary: bool = True) -> tuple[list[Call], int]:
    """(the calls of one group, how many of them, at its end, are the cell's own): variants of the cell's call;
    an argument that is a CPO_CASE key is either fed (one of its key cell's calls, possibly varied, runs first in
    the group) or typed as the workbook caches it."""
    sources: list[Call] = []
    feed: dict[str, int] = {}
    for index, place in cell.key_args.items():
        if rng.random() < 0.6:
            chain, own_calls = _group(by_place[place], by_place, rng, vary=rng.random() < 0.5)
            sources += chain
            feed[str(index)] = len(sources) - 1 - rng.randrange(own_calls)
    call = {"func_name": cell.func, "args": cell.args, "feed": {}}
    own = _variants(call, rng) if vary else [call]
    return [*sources, *({**c, "feed": feed} for c in own)], len(own)


def _sequence(cells: list[UdfCell], seed: int) -> list[Call]:
    """GROUPS groups of calls in a seeded random order, feeds as indexes into the whole sequence."""
    rng = random.Random(seed)
    pool = _pool(cells)
    by_place = {c.where: c for c in cells}
    out: list[Call] = []
    for _ in range(GROUPS):
        group, _ = _group(rng.choice(pool), by_place, rng)
        start = len(out)
        out += [{**c, "feed": {k: start + v for k, v in c.get("feed", {}).items()}} for c in group]
    return out


# ---------------------------------------------------------------------------------------------- the oracle


class Alone:
    """Each distinct call (by its JSON) alone in a fresh state, once; a fed argument typed as the key its
    source call gives alone (the value Excel would hand over however the cells were ordered)."""

    def __init__(self) -> None:
        self.results: dict[str, dict] = {}

    def result(self, call: Call) -> dict:
        text = _text(call)
        if text not in self.results:
            self.results[text] = client([call])[0]
        return self.results[text]

    def typed(self, sequence: list[Call], i: int) -> Call:
        """Call ``i`` of the sequence with every fed argument typed."""
        call = sequence[i]
        args = list(call["args"])
        for index, source in call.get("feed", {}).items():
            earlier = self.result(self.typed(sequence, source))
            if "value" in earlier:
                args[int(index)] = [[earlier["value"][0][0]]]
        return {"func_name": call["func_name"], "args": args, "feed": {}}


def differences(sequence: list[Call], results: list[dict], alone: Alone, order: list[int]) -> list[str]:
    """Each call of the sequence (run in ``order``) whose result differs from its alone result, compared by
    index and as JSON."""
    bad = []
    for position, i in enumerate(order):
        expected = alone.result(alone.typed(sequence, i))
        if _text(results[position]) != _text(expected):
            typed = alone.typed(sequence, i)
            bad.append(f"call {i} {typed['func_name']} {_text(typed['args'])[:300]}: in the sequence "
                       f"{_text(results[position])[:300]} != alone {_text(expected)[:300]}")
    return bad


def run_sequence(sequence: list[Call], alone: Alone) -> tuple[int, list[str]]:
    """(calls compared, differences) of the sequence forwards (feeds as they are) and reversed (each fed
    argument typed: its source now runs after it)."""
    forwards = client(sequence)
    bad = differences(sequence, forwards, alone, list(range(len(sequence))))
    backwards_order = list(reversed(range(len(sequence))))
    backwards = client([alone.typed(sequence, i) for i in backwards_order])
    bad += [f"reversed: {b}" for b in differences(sequence, backwards, alone, backwards_order)]
    return 2 * len(sequence), bad


@pytest.mark.slow
def test_seeded_random_sequences_of_odd_cell_values_give_each_call_its_alone_result(cells):
    alone = Alone()
    compared, bad = 0, []
    for seed in SEEDS:
        sequence = _sequence(cells, seed)
        n, found = run_sequence(sequence, alone)
        compared += n
        bad += [f"seed {seed} {b}" for b in found]
    assert compared >= 120, compared  # 126 over the three seeds, each call forwards and reversed
    assert bad == [], "\n".join(bad)


COM_ERRORS = {"#N/A": -2146826246, "#VALUE!": -2146826273, "#DIV/0!": -2146826281}  # what COM hands over
CLASSIC = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
from tests import classic_client  # stubs pywin32, registers the classic decorators, imports the add-in


def fresh(calls):  # the calls in a child forked from this interpreter, which has called nothing
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps([classic_client.call(c["func_name"], c["args"]) for c in calls], default=repr))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    assert os.waitpid(pid, 0)[1] == 0
    return json.loads(text)


sequences = json.load(sys.stdin)
alone = {}
for calls in sequences:
    for call in calls:
        alone.setdefault(json.dumps(call, sort_keys=True), fresh([call])[0])
print(json.dumps([{"alone": [alone[json.dumps(c, sort_keys=True)] for c in calls], "forwards": fresh(calls),
                   "backwards": fresh(calls[::-1])} for calls in sequences]))
"""


def _com(value: Any) -> Any:
    """An Office.js argument as COM hands it over: numbers as doubles, an error cell as its COM code."""
    if isinstance(value, dict):
        return COM_ERRORS[value["basicValue"]]
    if isinstance(value, list):
        return [_com(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="each call alone in a forked child")
def test_the_same_sequences_through_the_classic_conversion(cells):
    # the classic path's conversion (xlwings.conversion.read through the Windows engine's cleaning, pywin32
    # stubbed: tests/classic_client.py); fed keys typed as the Office.js path's CPO_CASE calls give them alone
    alone = Alone()
    sequences = []
    for seed in SEEDS:
        sequence = _sequence(cells, seed)
        sequences.append([{"func_name": c["func_name"], "args": _com(c["args"])}
                          for c in (alone.typed(sequence, i) for i in range(len(sequence)))])
    done = subprocess.run([sys.executable, "-c", CLASSIC, str(ROOT)], input=json.dumps(sequences),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    bad, compared = [], 0
    for seed, calls, out in zip(SEEDS, sequences, json.loads(done.stdout), strict=False):
        for order, got in (("forwards", out["forwards"]), ("backwards", out["backwards"][::-1])):
            for i, (g, a) in enumerate(zip(got, out["alone"], strict=True)):
                compared += 1
                if _text(g) != _text(a):
                    bad.append(f"seed {seed} {order} call {i} {calls[i]['func_name']}: {_text(g)[:300]} != "
                               f"alone {_text(a)[:300]}")
    assert compared >= 120, compared  # 126 over the three seeds, each call forwards and reversed
    assert bad == [], "\n".join(bad)
