"""explain: the tree of a line lists every input the line depends on, with the engine's own values."""

import json

import numpy as np
import pytest

from cpo_xl.analysis import explain as ex
from cpo_xl.analysis import lines
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import input_values
from cpo_xl.engine.model import rack_forecast
from cpo_xl.engine.model import run as run_params
from cpo_xl.engine.params import to_params, with_values
from cpo_xl.engine.timeline import FIRST_YEAR, year_index


def moved_by(case: Case, path: tuple[str, ...], year: int) -> set[str]:
    """Every numeric input whose perturbation (+5%, +1 for a year, 0 -> 0.01) moves the line in the year, each
    perturbed alone through the engine (validation skipped, so tied inputs move too). Racks follow the
    perturbed forecast except in the case's typed years."""
    a = to_params(case.assumptions())
    typed = case.typed_racks()
    i = year_index(year)
    before = lines.value(run(case), path)[i]
    found = set()
    for key, value in input_values(case.assumptions()).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        bumped = value + 1 if isinstance(value, int) and value > 1900 else (value * 1.05 if value else 0.01)
        params = with_values(a, {key: bumped})
        racks = np.array(rack_forecast(params), dtype=float)
        for y, r in typed.items():
            racks[y - FIRST_YEAR] = r
        after = lines.value(run_params(params, racks), path)[i]
        if not np.isclose(after, before, rtol=1e-13, atol=0.0) and not (np.isnan(after) and np.isnan(before)):
            found.add(key)
    return found


@pytest.mark.parametrize("case, line, year, ticker", [
    (Case(), "tam", 2030, None),
    (Case("bear"), "tam", 2027, None),
    (Case(), "ports", 2028, None),
    (Case(), "pen_all", 2033, None),
    (Case(), "tam_lasers", 2030, None),
    (Case("bull"), "engine_price", 2029, None),
    (Case(), "net_exposure", 2030, "APH"),
    (Case(), "rev_AVGO", 2031, None),
    (Case(racks=((2030, 70_000.0),)), "tam", 2030, None),
])
def test_explain_lists_every_input_whose_perturbation_moves_the_line(case, line, year, ticker):
    tree = ex.explain(case, line, year, ticker)
    listed = ex.input_keys(tree)
    goal = ex.target(case, line, ticker)
    moving = moved_by(case, goal.path, year)
    assert moving, "the perturbation finds inputs"
    assert moving <= listed, f"inputs that move {line} {year} but are not in its tree: {sorted(moving - listed)}"
    # and the tree stays focused: nothing from another company or an unrelated block
    assert not any(k.startswith("crosscheck.") for k in listed)
    if ticker:
        assert all(not k.startswith("companies.") or k.startswith(f"companies.{ticker}.") for k in listed)


def test_every_value_in_the_tree_is_the_cached_engine_value():
    case = Case("bull")
    result = run(case)
    i = year_index(2030)

    def walk(node: ex.Node) -> int:
        expected = getattr(result, node.name)
        if isinstance(node.value, dict):
            assert set(node.value) == set(expected)
        else:
            assert node.value == float(np.asarray(expected)[i])
        return 1 + sum(walk(child) for child in node.children)

    tree = ex.explain(case, "tam", 2030)
    assert tree.value == float(result.tam[i])
    assert walk(tree) > 20


def test_tam_tree_reads_top_down_to_sourced_inputs():
    tree = ex.explain(Case(), "tam", 2030)
    text = ex.text(tree)
    names = [child.name for child in tree.children]
    assert names == ["definers_tam", "foundry_tam", "lasers_tam", "fiber_tam", "equipment_tam"]
    for words in ("= sum of the layers", "engine value x the definers' share", "min(demand, every envelope)",
                  "racks x GPU packages per NVL72-equivalent", "curve share x min(1, capacity / demand)",
                  "input pricing.erosion_2027 = 0.2 1/yr (shipped default)", "grade ", "(explained above)"):
        assert words in text
    bull = ex.text(ex.explain(Case("bull"), "tam", 2030))
    assert "input pricing.erosion_2027 = 0.15 1/yr (scenario bull)" in bull


def test_typed_racks_show_as_inputs():
    tree = ex.explain(Case(racks=((2030, 70_000.0),)), "packages", 2030)
    assert tree.value == pytest.approx(70_000 * 72)
    keys = ex.input_keys(tree)
    assert "rack_units.2030" in keys and "racks.growth_2027" in keys  # other years still follow the forecast


def test_json_is_plain_data():
    data = ex.as_json(ex.explain(Case(), "exposure", 2030, "avgo"))
    text = json.dumps(data, allow_nan=False)
    assert data["line"] == "companies.AVGO.exposure" and "inputs" in data and "steps" in data
    assert '"key": "companies.AVGO.share_2030"' in text


@pytest.mark.parametrize("line, year, ticker, message", [
    ("nosuch", 2030, None, "line 'nosuch' is unknown; allowed: tam, ports"),
    ("tam", 2040, None, "year 2040 is outside the model horizon 2023-2035"),
    ("exposure", 2030, "XX", "--ticker 'XX' is unknown; allowed: NVDA, AVGO"),
    ("tam", 2030, "AVGO", "line 'tam' is not a company line; allowed with --ticker: cpo_revenue"),
])
def test_bad_arguments_name_what_is_allowed(line, year, ticker, message):
    with pytest.raises(CpoError) as err:
        ex.explain(Case(), line, year, ticker)
    assert message in str(err.value)


def test_cli_explain_text_and_json(cli):
    out = cli("explain", "tam", "2030")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("cpo-xl explain tam 2030: scenario base;") and "CPO TAM (tam) = " in out.stdout
    out = cli("explain", "rev_MRVL", "2030", "--scenario", "bear", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "bear" and data["tree"]["line"] == "companies.MRVL.cpo_revenue"


@pytest.mark.parametrize("args, message", [
    (("explain", "nosuch", "2030"), "line 'nosuch' is unknown"),
    (("explain", "tam", "1999"), "year 1999 is outside the model horizon"),
    (("explain", "tam", "x"), "invalid int value"),
    (("explain", "exposure", "2030", "--ticker", "ZZZ"), "--ticker 'ZZZ' is unknown"),
    (("explain", "tam", "2030", "--format", "xml"), "invalid choice"),
    (("explain", "tam", "2030", "--scenario", "worst"), "scenario 'worst' is unknown"),
])
def test_cli_explain_bad_arguments_exit_2_in_one_line(cli, args, message):
    out = cli(*args)
    assert out.returncode == 2 and message in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
