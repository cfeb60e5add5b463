"""The package's layering is a checked contract (import-linter, configured in pyproject.toml)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports on the package under ``root`` (found first on PYTHONPATH)."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=120)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "cpo_xl", tmp_path / "cpo_xl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_package_keeps_its_contracts():
    result = lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "5 kept, 0 broken" in result.stdout


def test_a_function_local_upward_import_breaks_the_layers(package_copy):
    model = package_copy / "cpo_xl" / "engine" / "model.py"
    model.write_text(model.read_text() + "\n\ndef _upward():\n    from cpo_xl.workbook.spec import layout\n"
                     "    return layout\n")
    result = lint(package_copy)
    assert result.returncode == 1
    assert "cpo_xl.engine.model -> cpo_xl.workbook.spec.layout" in result.stdout


def test_reading_a_workbook_may_not_import_its_writer(package_copy):
    """The workbook package's roles are layered too: a reader that imports the builder breaks the contract."""
    snapshot = package_copy / "cpo_xl" / "workbook" / "read" / "snapshot.py"
    snapshot.write_text(snapshot.read_text() + "\n\ndef _upward():\n    from cpo_xl.workbook.write import build\n"
                        "    return build\n")
    result = lint(package_copy)
    assert result.returncode == 1
    assert "Inside workbook, roles point one way" in result.stdout and "BROKEN" in result.stdout
    assert "cpo_xl.workbook.read.snapshot -> cpo_xl.workbook.write.build" in result.stdout


def test_pydantic_outside_the_engine_breaks_the_contract(package_copy):
    tables = package_copy / "cpo_xl" / "analysis" / "tables.py"
    tables.write_text(tables.read_text() + "\nimport pydantic  # noqa: E402\n")
    result = lint(package_copy)
    assert result.returncode == 1
    assert "Only the engine knows pydantic BROKEN" in result.stdout


def test_matplotlib_is_an_extra_and_only_the_chart_code_imports_it():
    """xlwings imports matplotlib (with pyplot) whenever it is installed, 0.35 s on every start of the Excel
    add-in; so the add-in install (`pip install cpo-xl`) must not pull it in, and only the code that draws
    may import it."""
    import tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("matplotlib")]
    assert any(d.startswith("matplotlib") for d in project["optional-dependencies"]["charts"])
    assert "cpo-xl[charts]" in project["optional-dependencies"]["dev"]
    importers = sorted(str(p.relative_to(REPO)) for p in (REPO / "cpo_xl").rglob("*.py")
                       if "import matplotlib" in p.read_text(encoding="utf-8")
                       or "from matplotlib" in p.read_text(encoding="utf-8"))
    assert importers == ["cpo_xl/cli/bridge.py", "cpo_xl/cli/charts.py", "cpo_xl/cli/simulate.py"]
