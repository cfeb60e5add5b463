"""Issue 23: the model's own checks on the command line. Racks typed above the envelopes fail the Checks
sheet's envelope checks; `build` and `summary` say so in a line (exit 0), `check` counts it as a problem
(exit 1)."""

from pathlib import Path

import pytest

from cpo_xl.analysis import lines
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.inputs import read_user_file
from cpo_xl.engine.timeline import year_index
from cpo_xl.workbook.check import master_check as mc
from tests.conftest import run as cli

RACKS = 900_000  # NVL72-eq racks a year typed for 2028-2030: the base forecast is ~10x less
TYPED_YEARS = (2028, 2029, 2030)
ENVELOPES = {"power": "data-centre power", "cowos": "CoWoS capacity", "spend": "spend"}


@pytest.fixture(scope="module")
def racks_toml(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("racks") / "racks.toml"
    path.write_text("[rack_units]\n" + "".join(f"{y} = {RACKS}\n" for y in TYPED_YEARS), encoding="utf-8")
    return path


def expected_failing(toml: Path) -> dict[str, tuple[int, ...]]:
    """Which envelope each typed year breaks, straight from the engine's envelopes (not from the Checks code):
    a check fails in a year when the typed racks exceed that envelope."""
    case = Case("base", user=read_user_file(toml))
    result = run(case)
    out = {}
    for env, what in ENVELOPES.items():
        cap = lines.value(result, ("rack_caps", env))
        years = tuple(y for y in TYPED_YEARS if cap[year_index(y)] * (1 + 1e-6) < RACKS)
        if years:
            out[f"NVIDIA racks within the {what} envelope"] = years
    return out


def test_the_typed_racks_break_every_envelope(racks_toml):
    """The premise of the tests below: 900k racks exceed all three envelopes in all three years, so the master
    check (the sum of failing flags over the years) is 3 x 3 = 9."""
    failing = expected_failing(racks_toml)
    assert len(failing) == 3 and all(years == TYPED_YEARS for years in failing.values())


@pytest.mark.slow
def test_build_prints_the_master_check_and_exits_0_then_check_exits_1(racks_toml, tmp_path, capsys):
    """Before: `build` exited 0 saying nothing and `check` printed "0 problems" (exit 0) with the master check
    at 9 on the Checks sheet."""
    target = tmp_path / "racks.xlsx"
    code, out, err = cli(capsys, "build", "--assumptions", racks_toml, "--output", target)
    assert code == 0, err
    (warning,) = [line for line in out.splitlines() if line.startswith("warning:")]
    assert "master check 9 (0 = all checks hold): 3 checks fail" in warning
    for label in expected_failing(racks_toml):
        assert f"{label} in 2028-2030" in warning
    assert "exit code 0" in warning
    # the file, the computation without a file and the expectation agree
    from_file = mc.of_workbook(target)
    assert from_file == mc.of_case(Case("base", user=read_user_file(racks_toml)))
    assert dict(from_file.failing) == expected_failing(racks_toml) and from_file.value == 9
    code, out, _ = cli(capsys, "check", target)
    assert code == 1
    assert "Checks!D1 master_check: master check 9" in out and ", 1 problem, " in out


def test_summary_prints_the_master_check_only_when_it_is_not_0(racks_toml, capsys):
    code, out, _ = cli(capsys, "summary", "--assumptions", racks_toml)
    assert code == 0
    assert out.rstrip().splitlines()[-1].startswith("warning: master check 9 (0 = all checks hold)")
    code, out, _ = cli(capsys, "summary")
    assert code == 0 and "master check" not in out


@pytest.mark.slow
def test_a_clean_build_says_nothing_about_the_checks(built, capsys):
    assert mc.of_workbook(built) == mc.MasterCheck(0.0)
    code, out, _ = cli(capsys, "check", built)
    assert code == 0 and "master_check" not in out and ", 0 problems, " in out


def test_years_are_shown_as_runs():
    assert mc.years_text((2033, 2028, 2029, 2030)) == "2028-2030, 2033"
    assert mc.years_text((2035,)) == "2035"
