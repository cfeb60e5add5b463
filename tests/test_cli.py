"""The command line: one clear line and exit 2 on bad input, tables on good input.

The verbs run in-process (tests.conftest.run: main() with the output captured); the tests about a fresh
interpreter (what it imports, a missing module) still start one. `python -m cpo_xl.cli` itself runs in
test_edits.py (piped into head) and test_hardening.py (concurrent builds)."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(cli):
    """`cpo-xl ARGS` in-process (tests.conftest's cli): returncode, stdout and stderr."""
    return cli


def test_summary_prints_the_tables(run):
    out = run("summary", "--year", "2030")
    assert out.returncode == 0
    for text in ("TAM by layer", "Supply binds [flag]", "cross-checks", "Company ranking by net CPO exposure, 2030"):
        assert text in out.stdout


def test_unknown_scenario_exits_2_in_one_line(run):
    out = run("summary", "--scenario", "nosuch")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "scenario 'nosuch' is unknown" in out.stderr


def test_malformed_assumptions_file_exits_2(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [", encoding="utf-8")
    out = run("summary", "--assumptions", str(bad))
    assert out.returncode == 2 and "not valid TOML" in out.stderr and "Traceback" not in out.stderr
    bad.write_text('"racks.cy2026" = -1', encoding="utf-8")
    out = run("summary", "--assumptions", str(bad))
    assert out.returncode == 2 and "racks.cy2026: -1" in out.stderr


def test_check_rejects_a_non_xlsx(run, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip", encoding="utf-8")
    out = run("check", str(bad))
    assert out.returncode == 2 and "not a zip" in out.stderr


def test_summary_scenarios_side_by_side(run):
    out = run("summary", "--scenarios", "--ticker", "mrvl")
    assert out.returncode == 0
    for text in ("CPO TAM by scenario", "Scenarios side by side, 2030", "Tornado: CPO TAM 2030",
                 "Tornado: MRVL gross CPO exposure 2030", "Two-way: CPO TAM 2030"):
        assert text in out.stdout


def test_simulate_prints_percentiles_and_writes_the_fan_chart(run, tmp_path):
    out = run("simulate", "-n", "2000", "--seed", "3", "--output-dir", str(tmp_path))
    assert out.returncode == 0
    assert "CPO TAM percentiles" in out.stdout and "P90" in out.stdout
    png = tmp_path / "fan_chart.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run("simulate", "-n", "2000", "--seed", "3", "--output-dir", str(tmp_path))
    assert again.stdout.split("wrote")[0] == out.stdout.split("wrote")[0]  # same seed, same table


def cli_without(module: str, *args) -> subprocess.CompletedProcess:
    """`cpo-xl ARGS` in a fresh interpreter where ``module`` cannot be imported (a None entry in sys.modules
    raises ImportError, as when the package is not installed); prints the loaded top-level modules after."""
    code = (f"import sys; sys.modules[{module!r}] = None; from cpo_xl.cli import main; code = main({list(args)!r}); "
            "print(sorted({m.split('.')[0] for m in sys.modules if sys.modules[m] is not None})); sys.exit(code)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)


@pytest.mark.slow
def test_without_matplotlib_simulate_and_bridge_print_their_tables_and_say_why_no_chart(tmp_path):
    """The add-in install has no `charts` extra: the verbs still give their numbers, exit 0, write no PNG."""
    sim = cli_without("matplotlib", "simulate", "-n", "500", "--output-dir", str(tmp_path))
    assert sim.returncode == 0 and "CPO TAM percentiles" in sim.stdout
    assert "fan_chart.png not drawn: matplotlib is not installed (the charts extra: pip install" in sim.stdout
    bridge = cli_without("matplotlib", "bridge", "base", "bull", "--output-dir", str(tmp_path))
    assert bridge.returncode == 0 and "Shapley" in bridge.stdout
    assert "bridge_tam_2030.png not drawn: matplotlib is not installed" in bridge.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_simulate_loads_neither_pandas_nor_the_workbook_code(tmp_path):
    """pandas costs `simulate` 0.15 s of its < 1 s budget: its path (draws, percentiles, text tables) is
    pandas-free; matplotlib loads only to draw."""
    out = cli_without("nothing-blocked", "simulate", "-n", "500", "--output-dir", str(tmp_path))
    assert out.returncode == 0 and (tmp_path / "fan_chart.png").is_file()
    modules = set(out.stdout.strip().splitlines()[-1].strip("[]").replace("'", "").split(", "))
    assert "numpy" in modules and "matplotlib" in modules
    assert not modules & {"pandas", "openpyxl", "xlsxwriter", "formulas", "xlwings"}


def test_simulate_rejects_a_bad_draw_count(run, tmp_path):
    out = run("simulate", "-n", "0", "--output-dir", str(tmp_path))
    assert out.returncode == 2 and "draws 0 is outside" in out.stderr


@pytest.mark.slow
def test_textconv_lists_inputs_outputs_and_formulas(run):
    out = run("diff", "--textconv", str(REPO / "workbook" / "CPO_Model.xlsx"))
    assert out.returncode == 0
    assert "input pricing.erosion_2027 [base] = 0.2" in out.stdout
    assert "output TAM: CPO TAM (CPO_TAM) 2030 = " in out.stdout and "formula TAM!" in out.stdout


def test_check_lists_twenty_problems_then_counts_the_rest_per_sheet():
    from cpo_xl.cli.check import summary
    problems = [f"TAM!D{i}: recalculated 1 != cached 2" for i in range(30)]
    problems += [f"LASERS!E{i}: recalculated 1 != cached 2" for i in range(15)]
    lines = summary(problems)
    assert lines[:20] == problems[:20] and len(lines) == 21
    assert lines[-1] == "... 25 more; per sheet: TAM 30, LASERS 15"


@pytest.mark.slow
def test_check_names_its_phases_as_they_start(built):
    from cpo_xl.workbook.check.recalc import check
    phases: list[str] = []
    check(built, phases.append)
    assert [p.split(" ")[0] for p in phases] == ["reading", "recalculating", "comparing"]
    assert "formulas" in phases[1]


def test_aligned_lays_out_a_table_like_a_report():
    """Hand-laid example: widths 3 / 5 / 6 (the widest cell of each column), two spaces apart, numbers right-
    aligned, row labels left-aligned under a blank head."""
    from cpo_xl.cli.fmt import aligned
    assert aligned(["", "2029", "2030"], [["P10", "3,894", "8,243"], ["P90", "6,469", "12,373"]], index=True) == (
        "      2029    2030\n"
        "P10  3,894   8,243\n"
        "P90  6,469  12,373")
    assert aligned(["ticker", "P50"], [["LITE", "12.08%"], ["300757.SZ", "33.61%"]]) == (
        "   ticker     P50\n"
        "     LITE  12.08%\n"
        "300757.SZ  33.61%")
