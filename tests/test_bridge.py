"""The bridge: exact Shapley attribution of a line's change between two assumption sets."""

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cpo_xl.analysis import bridge as br
from cpo_xl.analysis import lines
from cpo_xl.analysis.ranges import ranges
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.timeline import year_index
from tests.conftest import read_book

REPO = Path(__file__).resolve().parents[1]
RANGES = ranges(Case())  # every input with different bear and bull values: (bear, base, bull)
EXTRA = {"pricing.laser_usd_2026": (20.0, 60.0), "supply.test_yield": (0.8, 1.0), "demand.switch_radix": (64, 256),
         "equipment.coupling_tool_usd_m": (0.5, 3.0), "companies.AVGO.share_2030": (0.15, 0.3)}
BOUNDS = {**{k: (r.low, r.high) for k, r in RANGES.items()}, **EXTRA}


def scale(b: br.Bridge) -> float:
    """The size of the numbers the total change is the difference of."""
    return max(abs(b.start), abs(b.end), 1e-12)


@st.composite
def assumption_set(draw) -> Case:
    """A valid assumption set: some inputs moved inside their bear/bull range (or a plausible one), possibly a
    different curve type and racks typed for a year."""
    keys = draw(st.lists(st.sampled_from(sorted(BOUNDS)), unique=True, max_size=len(BOUNDS)))
    overrides = []
    for key in keys:
        low, high = BOUNDS[key]
        value = draw(st.floats(low, high, allow_nan=False))
        overrides.append((key, round(value) if isinstance(low, int) and isinstance(high, int) else value))
    if draw(st.booleans()):
        overrides.append(("penetration.nic.model", draw(st.sampled_from(["logistic", "gompertz"]))))
    racks = ((draw(st.sampled_from([2027, 2029, 2030])), draw(st.floats(10_000, 150_000))),) if draw(
        st.booleans()) else ()
    return Case(draw(st.sampled_from(["bear", "base", "bull"])), tuple(overrides), racks=racks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assumption_set(), assumption_set(), st.sampled_from(["tam", "ports", "pen_all", "rev_LITE", "net_APH"]),
       st.sampled_from([2026, 2028, 2030, 2035]))
def test_components_sum_to_the_total_and_swap_sign(a, b, line, year):
    try:
        a.assumptions(), b.assumptions()
    except CpoError:
        assume(False)
    forward = br.bridge(a, b, year, line)
    assert math.isclose(forward.start, lines.value(run(a), lines.find(a, line).path if line != "tam" else ("tam",))
                        [year_index(year)], rel_tol=1e-12)
    total = math.fsum(c.value for c in forward.components)
    assert abs(total - forward.total) <= 1e-9 * scale(forward)
    assert len(forward.components) <= br.MAX_PLAYERS
    backward = br.bridge(b, a, year, line)
    by_label = {c.label: c.value for c in backward.components}
    assert set(by_label) == {c.label for c in forward.components}
    for c in forward.components:
        assert abs(c.value + by_label[c.label]) <= 1e-9 * scale(forward)


def test_an_input_that_does_not_change_or_does_not_matter_has_a_zero_component():
    a = Case()
    b = Case(overrides=(("pricing.erosion_2027", 0.15), ("crosscheck.band", 3.0),
                        ("companies.AVGO.share_2030", 0.2), ("penetration.nic.innovation", 0.05)))
    bridge = br.bridge(a, b, 2030)
    assert bridge.grouping == "input" and len(bridge.components) == 4
    assert bridge.component("pricing.laser_usd_2026") == 0.0  # unchanged: no player, no component
    for key in ("crosscheck.band", "companies.AVGO.share_2030", "penetration.nic.innovation"):  # TAM ignores them
        assert bridge.component(key) == 0.0
    assert bridge.component("pricing.erosion_2027") == pytest.approx(bridge.total, rel=1e-12)
    assert br.bridge(a, a, 2030).components == ()
    typed = Case("bear", racks=((2030, 10_000.0),))  # racks typed alike in A and B stay typed in every coalition
    same = br.bridge(typed, typed.plus("pricing.erosion_2027", 0.3), 2030)
    assert same.start == float(run(typed).tam[year_index(2030)]) and len(same.components) == 1


def test_shapley_is_the_average_over_every_order():
    rng = np.random.default_rng(7)
    v = rng.normal(size=2 ** 4)
    by_formula = br.shapley(v)
    k = 4
    average = np.zeros(k)
    for order in itertools.permutations(range(k)):
        mask = 0
        for j in order:
            average[j] += v[mask | (1 << j)] - v[mask]
            mask |= 1 << j
    average /= math.factorial(k)
    assert np.allclose(by_formula, average, rtol=1e-12, atol=1e-12)


def test_the_vectorised_coalitions_equal_the_cached_engine_case_by_case():
    a = Case(racks=((2029, 90_000.0),))
    b = Case("bull", (("penetration.scale_up.model", "gompertz"),), racks=((2028, 80_000.0),))
    av, bv = br.side_values(a), br.side_values(b)
    groups = [keys for _, keys in br.players(av, bv)[0]][:5]  # five players, the rest at A's values
    assert any(key.startswith(br.RACKS) for keys in groups for key in keys)
    v = br.coalition_values(a, av, bv, groups, ("tam",), 2030)
    for mask in range(2 ** len(groups)):
        moved = [key for j, keys in enumerate(groups) if mask >> j & 1 for key in keys]
        overrides = tuple((k, bv[k]) for k in moved if not k.startswith(br.RACKS))
        racks = dict(a.racks)
        for k in moved:
            if k.startswith(br.RACKS):
                year = int(k.removeprefix(br.RACKS))
                racks.pop(year, None)
                if k in bv:
                    racks[year] = bv[k]
        case = Case("base", overrides, racks=tuple(sorted(racks.items())))
        assert v[mask] == pytest.approx(float(run(case).tam[year_index(2030)]), rel=1e-12)


def test_many_inputs_are_grouped_by_section_and_the_method_says_so():
    b = br.bridge(Case("base"), Case("bull"), 2030, names=("base", "bull"))
    assert b.changed > br.MAX_PLAYERS and b.grouping == "section"
    assert [c.label for c in b.components][:2] == ["NVIDIA rack demand", "Custom ASICs"]
    assert sum(len(c.keys) for c in b.components) == b.changed
    text = br.text(b)
    assert "exact Shapley values" in text and "grouped by section" in text and "2^9 = 512 coalitions" in text
    assert b.end > b.start and abs(math.fsum(c.value for c in b.components) - b.total) <= 1e-9 * scale(b)


def test_few_inputs_are_players_one_by_one():
    b = br.bridge(Case(), Case(overrides=(("pricing.definers_share_of_engine", 0.5),
                                          ("pricing.foundry_share_of_engine", 0.5), ("pricing.erosion_2027", 0.1))),
                  2030, "tam_definers")
    assert b.grouping == "input"
    assert [c.keys for c in b.components] == [("pricing.erosion_2027",), (
        "pricing.definers_share_of_engine", "pricing.foundry_share_of_engine")]  # the tied split moves as one


def test_bad_line_and_year_are_one_clear_error():
    with pytest.raises(CpoError, match="line 'nosuch' is unknown"):
        br.bridge(Case(), Case("bull"), 2030, "nosuch")
    with pytest.raises(CpoError, match=r"name one, e\.g\. tam_definers"):
        br.bridge(Case(), Case("bull"), 2030, "layers")
    with pytest.raises(CpoError, match="outside the model horizon"):
        br.bridge(Case(), Case("bull"), 2050)


def test_cli_bridge_prints_the_table_and_writes_the_waterfall(cli, tmp_path):
    out = cli("bridge", "base", "bull", "--year", "2030", "--output-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Bridge of CPO TAM (tam) 2030" in out.stdout and "Method: exact Shapley values" in out.stdout
    png = tmp_path / "bridge_tam_2030.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(png) in out.stdout


@pytest.mark.slow
def test_cli_bridge_reads_a_toml_and_a_workbook(cli, tmp_path):
    toml = tmp_path / "mine.toml"
    toml.write_text('scenario = "base"\n"pricing.erosion_2027" = 0.25\n[rack_units]\n2030 = 40000\n',
                    encoding="utf-8")
    out = cli("bridge", str(REPO / "workbook" / "CPO_Model.xlsx"), str(toml), "--year", "2030", "--output-dir",
              str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "CPO_Model.xlsx -> mine.toml" in out.stdout
    assert "2 inputs differ, each one a player" in out.stdout
    assert "pricing.erosion_2027 0.2 -> 0.25" in out.stdout and "Racks typed for 2030" in out.stdout


@pytest.mark.parametrize("args, message", [
    (("bridge", "base", "nosuch"), "B 'nosuch' is not a scenario (bear, base, bull), an assumptions .toml"),
    (("bridge", "base", "missing.xlsx"), "B missing.xlsx: workbook not found"),
    (("bridge", "base", "bull", "--year", "2040"), "year 2040 is outside the model horizon"),
    (("bridge", "base", "bull", "--line", "nosuch"), "line 'nosuch' is unknown"),
    (("bridge", "base", "bull", "--year", "x"), "invalid int value"),
])
def test_cli_bridge_bad_arguments_exit_2_in_one_line(cli, args, message, tmp_path):
    out = cli(*args, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr


@pytest.mark.slow
def test_cli_diff_bridge_between_two_workbooks(cli, tmp_path, built):
    bull = tmp_path / "bull.xlsx"
    made = cli("build", "--scenario", "bull", "--output", str(bull))
    assert made.returncode == 0, made.stderr
    out = cli("diff", str(built), str(bull), "--bridge")
    assert out.returncode == 0, out.stderr
    assert "Inputs changed" in out.stdout and "Bridge of CPO TAM (tam) 2030" in out.stdout
    assert f"{built.name} -> bull.xlsx" in out.stdout and "grouped by section" in out.stdout


def test_workbook_bridge_sheet_holds_both_bridges_with_waterfalls(built):
    import re
    import zipfile

    from cpo_xl.workbook.spec import layout as L
    values = read_book(built, data_only=True)
    assert values.sheetnames == list(L.SHEETS) and values.sheetnames[-1] == "Bridge"  # added after the others
    ws = values["Bridge"]
    bridges = [br.bridge(Case(a), Case(b), L.BRIDGE_YEAR) for a, b in L.BRIDGE_PAIRS]
    blocks = L.bridge_blocks([len(b.components) + 2 for b in bridges])
    assert "Static values computed by cpo-xl build" in ws.cell(L.BRIDGE_NOTE_ROW + 1, 1).value
    for b, block in zip(bridges, blocks, strict=True):
        def at(row, col):
            return ws.cell(row + 1, col + 1).value
        assert "static values" in at(block.title, 0)
        assert at(block.first, L.BR_LEVEL_C) == pytest.approx(b.start, rel=1e-12)
        assert at(block.last, L.BR_LEVEL_C) == pytest.approx(b.end, rel=1e-12)
        assert at(block.last - 1, L.BR_LEVEL_C) == pytest.approx(b.end, rel=1e-9)  # the steps reach B
        for i, c in enumerate(b.components):
            assert at(block.first + 1 + i, L.BR_STEP_C) == c.label
            assert at(block.first + 1 + i, L.BR_CHANGE_C) == pytest.approx(c.value, rel=1e-12, abs=1e-9)
            assert c.keys[0] in at(block.first + 1 + i, L.BR_INPUTS_C)
        assert at(block.check, L.BR_LEVEL_C) == 0
    with zipfile.ZipFile(built) as z:
        index = L.SHEETS.index("Bridge") + 1
        rels = z.read(f"xl/worksheets/_rels/sheet{index}.xml.rels").decode()
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', rels)[1]
        charts = re.findall(r"<c:chart ", z.read(f"xl/drawings/{drawing}").decode())
        assert len(charts) == 2
