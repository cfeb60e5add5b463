"""Adversarial inputs, generated (hypothesis): bad TOML, bad cells, damaged files. Whatever arrives, a command
ends with exit 0 or with exit 2 and one line (never a traceback), and no byte of any input file changes.

Bad UDF arguments are fuzzed in test_udfs.py (test_junk_only_raises_the_project_error); kills and concurrent
builds in test_build_check.py / test_hardening.py.
"""

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpo_xl.engine.inputs import known_keys
from cpo_xl.workbook.spec import layout as L
from tests.conftest import digest, run
from tests.sheet_xml import set_cell_xml

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
KEYS = sorted(known_keys())


def assert_clean_ending(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("cpo-xl: ") and len(err) < 800, err


bad_scalar = st.one_of(
    st.booleans(), st.floats(allow_nan=False, allow_infinity=True), st.integers(-10**30, 10**30),
    st.text(max_size=30), st.dates(min_value=dt.date(1, 1, 1)), st.just(""), st.just("#N/A"),
    st.floats(min_value=-1.0, max_value=2.0),
)
toml_value = st.one_of(bad_scalar, st.lists(bad_scalar, max_size=3),
                       st.dictionaries(st.text(min_size=1, max_size=5), bad_scalar, max_size=2))


@settings(SETTINGS, max_examples=150)
@given(st.dictionaries(st.one_of(st.sampled_from(KEYS), st.sampled_from(
    ["scenario", "rack_units", "workbook", "notes", "scenarios", "x", "pricing", "a.b.c"])), toml_value,
    min_size=0, max_size=4))
def test_generated_toml_never_crashes(tmp_path_factory, capsys, data):
    toml = tmp_path_factory.mktemp("toml") / "a.toml"
    try:
        toml.write_text(tomli_w.dumps(data), encoding="utf-8")
    except (TypeError, ValueError):  # a value TOML cannot hold: nothing to try
        return
    before = digest(toml)
    code, _, err = run(capsys, "summary", "--assumptions", toml)
    assert_clean_ending(code, err)
    assert digest(toml) == before


def _cell_xml(ref: str, value: object) -> bytes:
    """The XML Excel (or a foreign tool) might write for a value in one cell."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'.encode()
    if value is None:
        return f'<c r="{ref}"/>'.encode()
    if isinstance(value, str) and value.startswith("#"):
        return f'<c r="{ref}" t="e"><v>{escape(value)}</v></c>'.encode()
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'.encode()




input_cells = st.one_of(
    st.builds(lambda r, c: L.a1(L.INPUTS_FIRST_KEY_ROW + r, c), st.integers(0, 280),
              st.sampled_from([L.KEY_C, L.BEAR_C, L.BASE_C, L.BULL_C, L.LIVE_C])),
    st.builds(lambda c: L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, c), st.integers(L.FIRST_YEAR_COL, L.LAST_YEAR_COL)),
    st.builds(lambda c: L.a1(L.INPUTS_RACKS_ROW, c), st.integers(L.FIRST_YEAR_COL, L.LAST_YEAR_COL)),
    st.builds(lambda c: L.a1(L.INPUTS_YEARS_ROW, c), st.integers(L.FIRST_YEAR_COL, L.LAST_YEAR_COL)),
    st.just(L.a1(L.INPUTS_SCENARIO_ROW, 2)),
)
cell_value = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=False),
                       st.text(max_size=20), st.sampled_from(["#N/A", "#DIV/0!", "#REF!", "bull", "base", "2030"]),
                       st.just("x" * 5000))


@pytest.mark.slow
@settings(SETTINGS, max_examples=40)  # each rewrites and pulls a workbook (~0.25 s)
@given(input_cells, cell_value)
def test_a_bad_cell_in_the_inputs_is_kept_or_refused(built, tmp_path_factory, capsys, ref, value):
    folder = tmp_path_factory.mktemp("cell")
    workbook = folder / "w.xlsx"
    set_cell_xml(built, workbook, f"Inputs!{ref}", _cell_xml(ref, value))
    before = digest(workbook)
    toml = folder / "w.toml"
    code, _, err = run(capsys, "pull", workbook, "--output", toml)
    assert_clean_ending(code, err)
    assert digest(workbook) == before
    if code == 0:  # what pull accepted builds
        code, _, err = run(capsys, "summary", "--assumptions", toml)
        assert code == 0, err


def _damaged(built: Path, folder: Path, capsys, verb: str, data) -> None:
    """A truncated, bit-flipped or random file given to one verb."""
    bad = folder / "bad.xlsx"
    original = built.read_bytes()
    how = data.draw(st.sampled_from(["truncate", "flip", "random"]))
    if how == "truncate":
        content = original[:data.draw(st.integers(0, len(original) - 1))]
    elif how == "flip":
        at = data.draw(st.integers(0, len(original) - 1))
        content = original[:at] + bytes([original[at] ^ 0xFF]) + original[at + 1:]
    else:
        content = data.draw(st.binary(max_size=2000))
    bad.write_bytes(content)
    args = {"check": ("check", bad), "pull": ("pull", bad, "--output", folder / "p.toml"),
            "diff": ("diff", built, bad), "publish": ("publish", bad, "--output", folder / "pm.xlsx"),
            "build": ("build", "--output", bad)}[verb]
    code, _, err = run(capsys, *args)
    if verb == "check":
        assert code in (0, 1, 2) and "Traceback" not in err  # a readable file may recalculate with problems
    else:
        assert_clean_ending(code, err)
    assert bad.read_bytes() == content or (verb == "build" and code == 0)


@pytest.mark.slow
@settings(SETTINGS, max_examples=60)
@given(st.data())
@pytest.mark.parametrize("verb", ["check", "pull", "publish"])
def test_damaged_files_end_in_one_line(built, tmp_path_factory, capsys, verb, data):
    _damaged(built, tmp_path_factory.mktemp("damaged"), capsys, verb, data)


@pytest.mark.slow
@settings(SETTINGS, max_examples=6)  # each reads the good file too (~1 s)
@given(st.data())
@pytest.mark.parametrize("verb", ["diff", "build"])
def test_damaged_files_end_in_one_line_slow_verbs(built, tmp_path_factory, capsys, verb, data):
    _damaged(built, tmp_path_factory.mktemp("damaged"), capsys, verb, data)
