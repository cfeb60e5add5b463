"""Issue 23: the README's PowerShell commands are the POSIX ones step for step, and the POSIX test command is
still the one CI runs."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"```{language}\n(.*?)```", README, re.S)]


def as_powershell(posix: str) -> str:
    """The translation a Windows reader makes: the `py` launcher, and the venv's Scripts folder."""
    return posix.replace("python3 -m venv", "py -3.11 -m venv").replace(".venv/bin/", ".venv\\Scripts\\")


def test_the_two_setup_commands_have_a_powershell_twin_and_ci_runs_the_test_command():
    posix = [b for b in blocks("bash") if b.startswith("python3 -m venv")]
    assert len(posix) == 2
    powershell = blocks("powershell")
    for command in posix:
        assert as_powershell(command) in powershell
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(c for c in posix if "pytest" in c)
    assert test_command in ci


def test_the_xlsm_loop_is_linked_and_names_every_step():
    assert "(#the-analysts-loop-with-the-xlsm)" in README
    loop = README[README.index("#### The analyst's loop with the `.xlsm`"):]
    loop = loop[:loop.index("\n#")]
    for step in ("cpo-xl pull workbook\\CPO_Model.xlsm", "cpo-xl build --assumptions my.toml",
                 "never touches the `.xlsm`", "Import Functions", "Ctrl+Alt+F9", "cpo-xl publish"):
        assert step in loop, step
