"""Shared fixtures: one fresh build per test session, LibreOffice discovery; the CLI and file-digest helpers."""

import functools
import gc
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cpo_xl.cli.main import GC_THRESHOLDS
from cpo_xl.workbook.write.build import build_workbook

# The suite runs in-process what the CLI runs, with the CLI's collector thresholds (see GC_THRESHOLDS): the
# default first-generation threshold costs the run ~15% of its CPU time in cyclic collections.
gc.set_threshold(*GC_THRESHOLDS)


def pytest_sessionfinish(session):
    """Leave the run's garbage to the process's exit. With those thresholds the oldest generation is rarely
    collected, so a worker ends holding ~3 million objects of cyclic garbage (the openpyxl workbooks its tests
    loaded), and pytest's end-of-run collection (to report exceptions raised in finalizers) then took 3.1-3.4 s
    per worker; frozen, they are skipped. Finalizers that run during the tests are reported as before."""
    gc.freeze()


RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>en-US</value></prop></item>
</oor:items>
"""  # en-US: the CSV export writes numbers in the locale's form (a German one: "774,78", quoted as text)


# A build is byte-identical for the same case and code (build.FIXED_DATE; test_build_check's
# test_two_builds_on_one_machine_are_byte_identical holds that), so the suite writes the bytes of a worker's
# first build of a (case, PM copy or not, code) again wherever `cpo-xl build`, `publish` or the build guard
# builds it once more: ~50 of the run's ~90 builds are the base case or its PM copy, rebuilt over copies a test
# edited to exercise the guard, the backup and the safe write, which all still run. build_workbook called
# directly (the build's own tests) always builds; a test that breaks a build from inside (a full disk in
# XlsxWriter) is marked `fresh_build`. VERIFY_REUSED_BUILDS=1 builds anyway and fails on any byte of difference.
_BUILDS: dict[tuple, tuple[bytes, str, str]] = {}  # key -> (the file's bytes, its digest, the test that built it)


def _reused_build(path: Path, case=None, static: bool = False) -> str:
    """:func:`build_workbook`, writing the bytes of an identical earlier build instead of building again."""
    from cpo_xl.analysis import lines
    from cpo_xl.engine.case import Case
    from cpo_xl.workbook.read import snapshot  # read at each call: a test may patch builder_fingerprint
    key = (case or Case(), static, snapshot.builder_fingerprint(), tuple(lines.STATIC))
    if key in _BUILDS:
        data, digest, first = _BUILDS[key]
        if os.environ.get("VERIFY_REUSED_BUILDS"):
            build_workbook(path, case, static)
            assert Path(path).read_bytes() == data, f"the build {first} made differs from a fresh one"
        Path(path).write_bytes(data)
        return digest
    digest = build_workbook(path, case, static)
    first = os.environ.get("PYTEST_CURRENT_TEST", "").removesuffix(" (call)")
    _BUILDS[key] = (Path(path).read_bytes(), digest, first)
    return digest


@pytest.fixture(autouse=True)
def reuse_identical_builds(request, monkeypatch):
    """The CLI's builds (build, build --check, publish and the guard's rebuild) reuse identical earlier builds
    (see _BUILDS)."""
    if request.node.get_closest_marker("fresh_build"):
        return
    from cpo_xl.cli import build as build_verb
    from cpo_xl.workbook.replace import edits
    from cpo_xl.workbook.share import publish
    for module in (build_verb, publish, edits):  # edits: the guard's rebuild of the inputs a file records
        monkeypatch.setattr(module, "build_workbook", _reused_build)


def read_book(path: Path, data_only: bool = False) -> Any:
    """openpyxl's full load of a workbook a test only reads (the session's build, its PM copy, the committed
    workbook), made once per worker and file content: ~0.4 s a load, and ~40 tests read these files. Reading a
    cell the file does not hold gives an empty cell without adding it (openpyxl's own reads add one), so no test
    sees another's reads. Never change it: a test that edits loads its own copy with openpyxl."""
    stat = path.stat()
    return _read_book(str(path), data_only, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_book(path: str, data_only: bool, mtime_ns: int, size: int) -> Any:
    import openpyxl
    from openpyxl.cell import Cell

    book = openpyxl.load_workbook(path, data_only=data_only)
    for ws in book.worksheets:
        def held_or_empty(row: int, column: int, ws: Any = ws) -> Any:
            return ws._cells.get((row, column)) or Cell(ws, row=row, column=column)
        ws._get_cell = held_or_empty
    return book


def once_per_run(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make(folder)`` fills, made once per test run: under pytest-xdist the first worker to ask makes
    it in the run's common temporary folder and the other workers wait for it and read the same files (a
    session fixture alone is made once per worker). Its users only read it (a test that changes a file copies
    it first). Should the first worker fail, each worker makes its own, so the failure shows where it happens."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    folder = tmp_path_factory.getbasetemp().parent / f"once-{name}"
    done, failed = folder.with_suffix(".done"), folder.with_suffix(".failed")
    try:
        folder.mkdir()  # atomic: exactly one worker wins
    except FileExistsError:
        deadline = time.monotonic() + 900
        while not (done.exists() or failed.exists()) and time.monotonic() < deadline:
            time.sleep(0.1)
        if done.exists():
            return folder
        own = tmp_path_factory.mktemp(name)
        make(own)
        return own
    try:
        make(folder)
    except BaseException:
        failed.touch()
        raise
    done.touch()
    return folder


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A fresh build of the base case (one per test run)."""
    return once_per_run(tmp_path_factory, "wb", lambda f: build_workbook(f / "CPO_Model.xlsx")) / "CPO_Model.xlsx"


@pytest.fixture(scope="session")
def pm_copy(built, tmp_path_factory) -> Path:
    """The PM copy (cpo-xl publish) of the session's build."""
    from cpo_xl.workbook.share.publish import publish
    folder = once_per_run(tmp_path_factory, "pm", lambda f: publish(built, f / "CPO_Model_PM.xlsx"))
    return folder / "CPO_Model_PM.xlsx"


def exit_code(*args) -> int:
    """`cpo-xl ARGS` in-process; its exit code. An argument argparse refuses exits as the console script does
    (its SystemExit code, 2, and its message on stderr)."""
    from cpo_xl.cli.main import main
    try:
        return main([str(a) for a in args])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1


def run_main(*args) -> tuple[int, str, str]:
    """`cpo-xl ARGS` in-process outside a test (a session fixture has no capsys): (exit code, stdout, stderr)."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = exit_code(*args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def slower_erosion(tmp_path_factory) -> Path:
    """The base workbook with one input changed (price erosion 2027: 0.2 -> 0.15 /yr), as the analyst's round
    trip builds it: an assumptions TOML, then `cpo-xl build` (one per test run)."""
    def make(folder: Path) -> None:
        toml = folder / "ero.toml"
        toml.write_text('"pricing.erosion_2027" = 0.15\n', encoding="utf-8")
        code, _, err = run_main("build", "--assumptions", toml, "--output", folder / "ero.xlsx")
        assert code == 0, err
    return once_per_run(tmp_path_factory, "ero", make) / "ero.xlsx"


@pytest.fixture(scope="session")
def erosion_diff(built, slower_erosion) -> str:
    """`cpo-xl diff` of the session's build and :func:`slower_erosion` (its stdout; the command exits 0)."""
    code, out, err = run_main("diff", built, slower_erosion)
    assert code == 0, err
    return out


def libreoffice() -> str:
    """The soffice program; a missing one fails the test under CI and skips it outside (asked before a fixture
    hands its work to once_per_run, so that the other workers skip or fail too instead of waiting)."""
    soffice_bin = shutil.which("soffice")
    if not soffice_bin:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice (soffice) is missing")
        pytest.skip("LibreOffice not installed (outside CI)")
    return soffice_bin


def soffice(files: list[Path], workdir: Path, target: str, recalc: bool = False) -> list[Path]:
    """Convert files with LibreOffice in one run and a fresh profile (optionally recalculating every formula on
    load: OOXMLRecalcMode 0 = always); returns the converted files in ``workdir``."""
    soffice_bin = libreoffice()
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    if recalc:
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ON_LOAD, encoding="utf-8")
    out = workdir / "out"
    subprocess.run([soffice_bin, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=300)
    return [out / f"{f.stem}.{target.split(':')[0]}" for f in files]


CSV_EXPORT = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,true,true,false,false,false,-1"
# LibreOffice's CSV filter options: comma, double quote, UTF-8, from line 1, default cell format and language,
# every text cell quoted (so a number and the text "2030" stay apart), values not "as shown" (numbers in full,
# 15 significant digits), no formulas, spaces kept, every sheet to its own file NAME-SHEET.csv
CSV_FIELD = re.compile(r'(?:"((?:[^"]|"")*)"|([^,"\r\n]*))(,|\r?\n|\Z)')


def _csv_value(bare: str) -> object:
    """An unquoted field: None, a boolean, or a number (int where it has no point or exponent, as openpyxl reads a
    number from an .xlsx; a percentage as its fraction)."""
    if bare in ("", "TRUE", "FALSE"):
        return {"": None, "TRUE": True, "FALSE": False}[bare]
    if bare.endswith("%"):
        return float(bare[:-1]) / 100
    return float(bare) if any(ch in bare for ch in ".Ee") else int(bare)


def csv_rows(text: str) -> list[list[object]]:
    """The rows of one sheet as LibreOffice's CSV_EXPORT writes it: a quoted field is text (an error cell too:
    "#NAME?"), an empty one an empty cell (None), TRUE/FALSE a boolean, anything else a number (:func:`_csv_value`:
    a cell formatted as a percentage keeps its %, even with values not "as shown"; any other text, a date cell's
    unquoted 2026-12-04 among them, is a ValueError: our workbooks hold no dates)."""
    text = text.removesuffix("\n").removesuffix("\r")
    rows: list[list[object]] = []
    row: list[object] = []
    pos = 0
    while True:
        match = CSV_FIELD.match(text, pos)
        assert match is not None  # every position starts a field, possibly empty
        quoted, bare, end = match.groups()
        if quoted is not None:
            row.append(quoted.replace('""', '"'))
        else:
            row.append(_csv_value(bare))
        pos = match.end()
        if end != ",":
            rows.append(row)
            row = []
            if end == "":
                return rows


def csv_book(source: Path, csv_folder: Path) -> Any:
    """An openpyxl workbook of values: the sheets of ``source``, in its order, each holding what LibreOffice's
    CSV_EXPORT of it wrote to ``csv_folder`` (SOURCE-SHEET.csv)."""
    import openpyxl

    from cpo_xl.workbook.read.files import sheet_names

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheet_names(source):
        ws = book.create_sheet(name)
        for row in csv_rows((csv_folder / f"{source.stem}-{name}.csv").read_text(encoding="utf-8")):
            ws.append(row)
    return book


# the PM copy as published, and switched: (scenario, ranking year) typed in its two switch cells
SWITCHES = {"base": None, "bull": ("bull", 2030), "bear": ("bear", 2030), "bull_2028": ("bull", 2028)}


@pytest.fixture(scope="session")
def pm_recalculated(pm_copy, tmp_path_factory) -> dict[str, Any]:
    """The session's PM copy as published ("base") and switched (its scenario cell and ranking year typed, as a
    person would: SWITCHES; the cached values of the switched copies are the published ones until LibreOffice
    recalculates them), each recalculated by LibreOffice on load, all in one run: name -> an openpyxl workbook of
    the values LibreOffice computed (:func:`csv_book`)."""
    from tests.sheet_xml import set_cells

    def make(folder: Path) -> None:
        for name, switch in SWITCHES.items():
            if switch is None:
                shutil.copy(pm_copy, folder / f"{name}.xlsx")
            else:
                scenario, year = switch
                set_cells(pm_copy, folder / f"{name}.xlsx", {"Inputs!C4": scenario, "Elasticity!C4": year})
        soffice([folder / f"{name}.xlsx" for name in SWITCHES], folder, CSV_EXPORT, recalc=True)

    libreoffice()
    folder = once_per_run(tmp_path_factory, "pm_recalculated", make)
    return {name: csv_book(folder / f"{name}.xlsx", folder / "out") for name in SWITCHES}


def pdftotext(pdf: Path, *options: str) -> str:
    """The text of a PDF (poppler's pdftotext); a missing pdftotext fails under CI and skips outside it."""
    pdftotext_bin = shutil.which("pdftotext")
    if not pdftotext_bin:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pdftotext (poppler) is missing")
        pytest.skip("pdftotext not installed (outside CI)")
    return subprocess.run([pdftotext_bin, *options, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF (pdftotext -layout)."""
    text = pdftotext(pdf, "-layout")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


CALIBRATION_PT = 8.0  # the type size of the calibration sheet rendered beside the build


@pytest.fixture(scope="session")
def rendered_with_calibration(built, tmp_path_factory) -> tuple[Path, Path]:
    """The session's build and a calibration sheet (CALIBRATION_PT text at 100%) as PDFs of one LibreOffice run
    (cached values as stored): one render of the build per test run, shared by every test that reads it."""
    import xlsxwriter

    def render(work: Path) -> None:
        calibration = work / "calibration.xlsx"
        wb = xlsxwriter.Workbook(str(calibration))
        ws = wb.add_worksheet()
        small = wb.add_format({"font_size": CALIBRATION_PT})
        for r in range(10):
            ws.write_string(r, 0, "Calibration text 2030 US$ 9,899 M", small)
        wb.close()
        soffice([built, calibration], work, "pdf")

    libreoffice()
    out = once_per_run(tmp_path_factory, "render", render) / "out"
    return out / f"{built.stem}.pdf", out / "calibration.pdf"


@pytest.fixture(scope="session")
def rendered(rendered_with_calibration) -> Path:
    """The session's build as one PDF (LibreOffice, cached values as stored)."""
    return rendered_with_calibration[0]


def run(capsys, *args):
    """`cpo-xl ARGS` in-process (:func:`exit_code`), its output read from ``capsys``: (exit code, stdout,
    stderr)."""
    code = exit_code(*args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys, monkeypatch):
    """`cpo-xl ARGS` in-process (:func:`run`), in folder ``cwd`` when given: an object with returncode, stdout
    and stderr, as subprocess.run gives."""
    def cli_(*args, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code, out, err = run(capsys, *args)
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)
    return cli_


def with_part(source: Path, target: Path, name: str, edit: Callable[[bytes | None], bytes]) -> Path:
    """A copy of the .xlsx ``source`` at ``target`` whose part ``name`` is what ``edit`` makes of its bytes
    (given None when the part is new: it is added last); every other part as it was (what a damaged or foreign
    file holds)."""
    return with_parts(source, target, {name: edit})


def with_parts(source: Path, target: Path, edits: dict[str, Callable[[bytes | None], bytes]]) -> Path:
    """:func:`with_part` for several parts at once (each name -> its edit); ``target`` may be ``source``."""
    done: set[str] = set()
    written = target.with_name(target.name + ".part")
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as zout:
        zout.comment = zin.comment  # publish's stamp on the PM copy lives there
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data)
                done.add(info.filename)
            zout.writestr(info, data)
        for name in [name for name in edits if name not in done]:
            zout.writestr(name, edits[name](None))
    written.replace(target)
    return target


def digest(path: Path) -> str:
    """sha256 [hex] of a file: that no byte of an input changed."""
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()
