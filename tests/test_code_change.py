"""Issue 21: a code change keeps the documented loop. A line item added the README's way (a function on the
model result and a record in the registry by hand, then scripts/update_udfs.py and scripts/update_readme.py)
in a copy of the repository; `cpo-xl build` then replaces the committed workbook without --force, and
`cpo-xl diff old new` reports that line as the one line added, nothing moved, no formula changed.

Before: the build refused with "holds edits that cpo-xl pull does not carry, at Checks!G38, ... and 2,932
more", and the diff read the old file through the new layout ("Demand: Custom-ASIC accelerators ...
+655076869.92%", "Formulas changed (3532)")."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import read_book
from tests.sheet_xml import set_cells, sheet_rows

REPO = Path(__file__).resolve().parents[1]
LABEL = "Optical engines per CPO port"
MODEL_ANCHOR = "    @cached_property\n    def lasers(self) -> Floats:\n"
MODEL_FUNCTION = '''    @cached_property
    def engines_per_port(self) -> Floats:
        """Optical engines per CPO port [engines/port] = engines shipped / ports shipped (0 before any port)."""
        return np.divide(self.engines, self.ports, out=np.zeros_like(self.engines), where=self.ports > 0)

'''
# in the middle of the Demand sheet's registry lines, so that the rows below it move
REGISTRY_ANCHOR = '    LineItem("asic_demand", "demand"'
REGISTRY_RECORD = '''    LineItem("engines_per_port", "demand", ("engines_per_port",), "0.00", sheet="Demand"),
'''

pytestmark = pytest.mark.slow


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`cpo-xl ARGS` run from the copy, on the copy's code (PYTHONPATH)."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    return subprocess.run([sys.executable, "-m", "cpo_xl.cli", *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600)


def script(repo: Path, name: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    subprocess.run([sys.executable, f"scripts/{name}"], cwd=repo, env=env, check=True, capture_output=True,
                   timeout=300)


def insert(path: Path, anchor: str, text: str) -> None:
    body = path.read_text(encoding="utf-8")
    assert body.count(anchor) == 1, f"{path}: the anchor moved; update this test"
    path.write_text(body.replace(anchor, text + anchor), encoding="utf-8")


@pytest.fixture(scope="module")
def changed_repo(tmp_path_factory) -> Path:
    """A copy of the repository (code, scripts, the committed workbook) with one line item added the README's
    way: two files by hand, two regenerated."""
    repo = tmp_path_factory.mktemp("repo")
    for name in ("cpo_xl", "scripts", "udfs", "workbook"):
        shutil.copytree(REPO / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.bak.xlsx", "~$*"))
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(REPO / name, repo / name)
    insert(repo / "cpo_xl" / "engine" / "model.py", MODEL_ANCHOR, MODEL_FUNCTION)
    insert(repo / "cpo_xl" / "analysis" / "lines.py", REGISTRY_ANCHOR, REGISTRY_RECORD)
    script(repo, "update_udfs.py")
    script(repo, "update_readme.py")
    return repo


def section(out: str, title: str) -> str:
    start = out.index(title)
    end = out.find("\n\n", start)
    return out[start:] if end < 0 else out[start:end]


def test_a_line_added_the_documented_way_rebuilds_and_diffs_as_that_line(changed_repo, tmp_path):
    workbook = changed_repo / "workbook" / "CPO_Model.xlsx"
    old = tmp_path / "old.xlsx"
    shutil.copy2(workbook, old)

    built = cli(changed_repo, "build")
    assert built.returncode == 0, built.stderr
    assert workbook.read_bytes() != old.read_bytes()  # replaced
    assert LABEL in [row[0] for row in sheet_rows(workbook, "Demand")]

    diff = cli(changed_repo, "diff", str(old), str(workbook))
    assert diff.returncode == 0, diff.stderr
    out = diff.stdout
    added = section(out, "Model lines added").splitlines()
    assert added[0] == "Model lines added (1)" and len(added) == 4, out
    assert re.fullmatch(rf"Demand: {LABEL}\s+engines/port\s*", added[3]), out
    for title in ("Inputs changed", "Model lines removed", "Model lines changed", "Formulas changed"):
        assert section(out, title).splitlines()[0] == f"{title}: none", out


def test_an_edit_in_the_old_workbook_is_kept_in_a_bak_across_the_code_change(changed_repo, tmp_path):
    """Other code built the file (its build record names another layout): a difference from the rebuild may be
    that code's change rather than an edit, so the build replaces the file and keeps it whole as a .bak - the
    documented loop, never a refusal that only --force passes (issue 21) and never a loss. Without the code
    change the same edit is refused (tests/test_edits.py)."""
    committed = REPO / "workbook" / "CPO_Model.xlsx"
    sheet = read_book(committed)["Demand"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "Custom-ASIC accelerators shipped")
    workbook = set_cells(committed, tmp_path / "edited.xlsx", {f"Demand!A{row}": "Custom-ASIC accelerators (checked)"})
    before = workbook.read_bytes()
    built = cli(changed_repo, "build", "--output", str(workbook))
    assert built.returncode == 0, built.stderr
    (backup,) = tmp_path.glob("edited.*.bak.xlsx")
    assert backup.read_bytes() == before and backup.name in built.stdout
    assert workbook.read_bytes() != before
