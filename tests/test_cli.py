"""The command line: one clear line and exit 2 on bad input, tables on good input."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "cpo_xl.cli", *args], capture_output=True, text=True)


def test_summary_prints_the_tables():
    out = run("summary", "--year", "2030")
    assert out.returncode == 0
    for text in ("TAM by layer", "Binding constraint", "cross-checks", "Company ranking by CPO exposure, 2030"):
        assert text in out.stdout


def test_unknown_scenario_exits_2_in_one_line():
    out = run("summary", "--scenario", "nosuch")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "scenario 'nosuch' is unknown" in out.stderr


def test_malformed_assumptions_file_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [", encoding="utf-8")
    out = run("summary", "--assumptions", str(bad))
    assert out.returncode == 2 and "not valid TOML" in out.stderr and "Traceback" not in out.stderr
    bad.write_text('"racks.cy2026" = -1', encoding="utf-8")
    out = run("summary", "--assumptions", str(bad))
    assert out.returncode == 2 and "racks.cy2026: -1" in out.stderr


def test_check_rejects_a_non_xlsx(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip", encoding="utf-8")
    out = run("check", str(bad))
    assert out.returncode == 2 and "not a zip" in out.stderr
