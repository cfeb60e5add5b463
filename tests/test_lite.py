"""Issue 20, Excel on the Mac and on the web: `cpo-xl lite DIR` writes a ready xlwings Lite project.

The slow test installs exactly the requirements.txt it writes into a clean virtual environment and registers
and calls the functions through xlwings' own Office.js code (``xlwings.server``), the code xlwings Lite runs in
the browser. That module is xlwings PRO: it runs here under its PolyForm Noncommercial licence (key
``noncommercial``), in tests only. Lite itself (Pyodide in Excel) cannot run here; its part of the contract is
checked on the text: the decorators it reads, and the environment markers its installer (micropip) evaluates.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from uv import find_uv_bin

from cpo_xl.cli import lite
from cpo_xl.excel import functions as fn
from cpo_xl.excel.catalogue import CATALOGUE, lite_source
from tests.conftest import run

REPO = Path(__file__).resolve().parents[1]
VERSION = lite.project_version(REPO)
WHEEL = f"cpo_xl-{VERSION}-py3-none-any.whl"
LOCK = lite.locked(REPO)
LINUX = {"sys_platform": "linux"}
PYODIDE = {"sys_platform": "emscripten"}  # what micropip evaluates markers with in xlwings Lite


@pytest.fixture
def quick_wheel(monkeypatch):
    """The wheel without pip (the package's files zipped), for the tests of what is written where; the slow
    test builds the real one."""
    def build(root: Path, work: Path) -> Path:
        wheel = work / WHEEL
        with zipfile.ZipFile(wheel, "w") as archive:
            for path in (root / "cpo_xl").rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, path.relative_to(root).as_posix())
        return wheel
    monkeypatch.setattr(lite, "build_wheel", build)


def requirements(text: str, environment: dict[str, str]) -> dict[str, str]:
    """{name: specifier} of the lines an installer keeps in ``environment`` (the wheel line aside)."""
    active = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and not line.endswith(".whl"):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate(environment):
                assert req.name not in active, f"{req.name} twice"
                active[req.name] = str(req.specifier)
    return active


def test_the_listed_packages_are_exactly_what_the_functions_import():
    """Function-local imports included (import-linter's grimp sees them): a new import fails here until
    IMPORTED, and so requirements.txt, names it."""
    import grimp
    graph = grimp.build_graph("cpo_xl", include_external_packages=True)
    seen: set[str] = set()
    todo = ["cpo_xl", "cpo_xl.excel", "cpo_xl.excel.functions", "cpo_xl.excel.blocks"]  # what main.py imports
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph.find_modules_directly_imported_by(module))
    third_party = {m for m in seen if not m.startswith("cpo_xl")} - set(sys.stdlib_module_names)
    owners = importlib.metadata.packages_distributions()
    assert {lite.canonical(d) for m in third_party for d in owners[m]} == set(lite.IMPORTED)


def test_main_py_registers_every_catalogue_function_the_way_xlwings_lite_reads_it():
    tree = ast.parse(lite_source(VERSION))
    imports = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imports == {"xlwings", "cpo_xl.excel"}  # self-contained: no udfs/cpo_udfs.py, no catalogue at run time
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert list(defs) == [udf.name for udf in CATALOGUE]
    for udf in CATALOGUE:
        node = defs[udf.name]
        assert ast.get_docstring(node) == udf.doc
        assert [a.arg for a in node.args.args] == [a.name for a in udf.args]
        assert len(node.args.defaults) == sum(a.optional for a in udf.args)
        top, *rest = node.decorator_list
        assert isinstance(top, ast.Name) and top.id == "func"  # Lite's @func, no classic-only options
        args = {d.args[0].value: {k.arg: k.value.value for k in d.keywords} for d in rest}
        assert args == {a.name: {"doc": a.doc, "err_to_str": True} for a in udf.args}, udf.name


def test_requirements_pin_the_lock_where_pip_installs_and_leave_pyodide_its_own_builds():
    text = lite.requirements_text(VERSION, LOCK, f"./{WHEEL}", url=False)
    assert requirements(text, LINUX) == {n: f"=={LOCK[lite.canonical(n)]}" for n in ("xlwings", *lite.IMPORTED)}
    assert requirements(text, PYODIDE) == {"xlwings": f"=={LOCK['xlwings']}", **{n: "" for n in lite.IMPORTED}}
    assert text.endswith(f"\n./{WHEEL}\n") and "cross-origin requests (CORS)" in text


@pytest.mark.parametrize("url, line", [
    ("https://example.org/wheels", f"https://example.org/wheels/{WHEEL}"),
    ("https://example.org/wheels/", f"https://example.org/wheels/{WHEEL}"),
    (f"https://example.org/x/{WHEEL}", f"https://example.org/x/{WHEEL}"),
])
def test_wheel_url_names_the_file_or_its_folder(url, line):
    assert lite.wheel_reference(url, WHEEL) == line


@pytest.mark.parametrize("args, message", [
    (["--wheel-url", "http://example.org/"], "expected an https:// URL"),
    (["--wheel-url", "https://example.org/cpo.whl"], f"the file must keep the wheel's name, {WHEEL}"),
])
def test_a_bad_wheel_url_is_one_line(tmp_path, capsys, args, message):
    code, _, err = run(capsys, "lite", tmp_path / "lite", *args)
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "lite").exists()


def test_writes_the_three_files_and_a_rerun_changes_nothing(tmp_path, capsys, quick_wheel):
    folder = tmp_path / "lite"
    code, out, err = run(capsys, "lite", folder)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == sorted(["main.py", "requirements.txt", WHEEL])
    assert (folder / "main.py").read_text(encoding="utf-8") == lite_source(VERSION)
    assert f"main.py ({len(CATALOGUE)} functions)" in out
    code, _, err = run(capsys, "lite", folder)
    assert code == 0, err
    assert not list(folder.glob("*.bak*"))


@pytest.mark.parametrize("name", ["main.py", "requirements.txt"])
def test_an_edited_file_is_refused_in_one_line_and_force_keeps_it_as_bak(tmp_path, capsys, quick_wheel, name):
    folder = tmp_path / "lite"
    assert run(capsys, "lite", folder)[0] == 0
    edited = (folder / name).read_text(encoding="utf-8").replace(f"./{WHEEL}", "https://example.org/my.whl") + "#\n"
    (folder / name).write_text(edited, encoding="utf-8")
    code, _, err = run(capsys, "lite", folder)
    assert code == 2 and err.count("\n") == 1 and f"{name}: differs from what cpo-xl lite writes" in err
    assert (folder / name).read_text(encoding="utf-8") == edited
    code, out, err = run(capsys, "lite", folder, "--force")
    assert code == 0, err
    (backup,) = folder.glob("*.bak*")
    assert backup.read_text(encoding="utf-8") == edited and backup.name in out
    assert (folder / name).read_text(encoding="utf-8") != edited


def test_dir_must_be_a_folder_and_the_source_a_checkout(tmp_path, capsys, monkeypatch):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "lite", tmp_path / "file")
    assert code == 2 and "is not a folder" in err and err.count("\n") == 1
    monkeypatch.setattr(lite.cpo_xl, "__file__", str(tmp_path / "site-packages" / "cpo_xl" / "__init__.py"))
    code, _, err = run(capsys, "lite", tmp_path / "lite")
    assert code == 2 and "builds the wheel from a cpo-xl checkout" in err and err.count("\n") == 1


PROBE = """
import asyncio, importlib.metadata, json, sys
sys.path.insert(0, sys.argv[1])
import cpo_xl, main, xlwings
from xlwings.server import custom_functions_call, custom_functions_meta

NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}

def request(name, args):  # the body Excel's JavaScript sends (each argument a 2-D list, null when omitted)
    return {"func_name": name, "args": args, "version": xlwings.__version__, "client": "Office.js",
            "runtime": "1.4", "culture_info_name": "en-US", "date_format": "M/d/yyyy", "caller_address": "A1"}

async def calls():
    racks = await custom_functions_call(request("CPO_RACKS", [[[2030]], [[None]], [[None]]]), main)
    tam = await custom_functions_call(request("CPO_TAM", [[[2030]], racks, [[None]], [[None]]]), main)
    version = await custom_functions_call(request("CPO_VERSION", []), main)
    try:
        error = await custom_functions_call(request("CPO_TAM", [[[NA]], racks, [[None]], [[None]]]), main)
    except Exception as exc:
        error = str(exc)
    return racks, tam, version, error

racks, tam, version, error = asyncio.run(calls())
meta = custom_functions_meta(main)
print(json.dumps({
    "functions": {f["name"]: [p["name"] for p in f["parameters"]] for f in meta["functions"]},
    "racks": racks, "tam": tam, "version": version, "error": error, "package": cpo_xl.__file__,
    "versions": {name: importlib.metadata.version(name) for name in sys.argv[2:]},
}))
"""


@pytest.mark.slow
def test_the_written_requirements_install_into_a_clean_venv_and_every_function_registers(tmp_path, capsys):
    """The real wheel, then exactly requirements.txt in an empty venv (uv driven from outside it, --no-compile),
    then main.py registered and called through xlwings' Office.js code: about 8 s with uv's cache warm (the
    wheel's build by pip about 5 s), and PyPI must be reachable."""
    folder = tmp_path / "lite"
    code, _, err = run(capsys, "lite", folder)
    assert code == 0, err
    with zipfile.ZipFile(folder / WHEEL) as archive:
        names = set(archive.namelist())
    assert {f"cpo_xl/engine/data/{p.name}" for p in (REPO / "cpo_xl" / "engine" / "data").glob("*.toml")} <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # uv (a dev dependency) installs exactly requirements.txt as pip would, markers and the local wheel included,
    # in ~1 s from its cache where pip takes ~13 s unpacking numpy, pandas and scipy; the system's certificates,
    # as pip is told to use here (PIP_CERT), in case a proxy signs PyPI's
    install = subprocess.run([find_uv_bin(), "pip", "install", "--quiet", "--no-compile", "--system-certs",
                              "--python", str(python), "-r", "requirements.txt"],
                             cwd=folder, env=env, capture_output=True, text=True, timeout=1200)
    assert install.returncode == 0, install.stderr[-3000:]

    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    names = ["xlwings", *lite.IMPORTED]
    probe = subprocess.run([str(python), str(tmp_path / "probe.py"), str(folder), *names], cwd=tmp_path,
                           env={**env, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"},
                           capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stderr[-3000:]
    got = json.loads(probe.stdout)

    assert Path(got["package"]).is_relative_to(venv)  # the wheel's engine, not this checkout's
    assert got["versions"] == {n: LOCK[lite.canonical(n)] for n in names}
    assert got["functions"] == {u.name: [a.name for a in u.args] for u in CATALOGUE}
    racks = fn.CPO_RACKS(2030)
    assert got["racks"] == [[pytest.approx(racks, rel=1e-12)]]
    assert got["tam"] == [[pytest.approx(fn.CPO_TAM(2030, racks), rel=1e-12)]]
    assert got["version"] == [[fn.version_text()]]  # same version and assumptions fingerprint: the data is in
    assert "year holds the Excel error #N/A" in json.dumps(got["error"])
