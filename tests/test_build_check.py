"""`cpo-xl build --check` compares content, not bytes (issue: CI green on any machine).

The committed workbook is compared with a fresh build exactly as CI's `cpo-xl build --check` does, so the test
command fails when CI would. Cached numbers may differ in the last bit between machines; formulas, styles and
text may not.
"""

import math
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from cpo_xl.cli import main
from cpo_xl.workbook.check.compare import compare, report, same_text
from cpo_xl.workbook.replace.atomic import TEMP_PREFIX, remove_leftovers
from cpo_xl.workbook.replace.replace import atomic_write
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write.build import build_workbook

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "workbook" / "CPO_Model.xlsx"
CACHED_NUMBER = re.compile(rb"<(c:)?v>([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)</(c:)?v>")
TAM_PART = f"xl/worksheets/sheet{L.SHEETS.index('TAM') + 1}.xml"  # XlsxWriter numbers parts in sheet order
CELL = re.compile(rb"<c ([^>]*?)(?<!/)>(.*?)</c>")  # not self-closing (empty) cells


def rewrite(source: Path, target: Path, edit) -> None:
    """Copy an .xlsx, passing every XML part's bytes through ``edit(name, data)``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, edit(info.filename, data) if info.filename.endswith(".xml") else data)


def nudge_numbers(ulps: int = 1, rel: float = 0.0):
    """An edit that moves every cached number (numeric cells and chart caches) by ulps or by a relative amount.

    Shared-string cells (t="s") hold an index, not a number, and are left alone.
    """
    def shift(match: re.Match) -> bytes:
        value = float(match.group(2))
        new = value * (1 + rel) if rel else value
        for _ in range(0 if rel else ulps):
            new = math.nextafter(new, math.inf)
        tag = match.group(1) or b""
        return b"<" + tag + b"v>" + repr(new).encode() + b"</" + tag + b"v>"

    def cell(match: re.Match) -> bytes:
        if re.search(rb'\bt="(s|str|b|e)"', match.group(1)):
            return match.group(0)
        return b"<c " + match.group(1) + b">" + CACHED_NUMBER.sub(shift, match.group(2)) + b"</c>"

    def edit(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return CELL.sub(cell, data)
        if name.startswith("xl/charts/"):
            return CACHED_NUMBER.sub(shift, data)
        return data
    return edit


def cached_number_count(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(len(CACHED_NUMBER.findall(z.read(n))) for n in z.namelist()
                   if n.startswith(("xl/worksheets/", "xl/charts/")))


@pytest.mark.slow
def test_committed_workbook_has_the_content_of_a_fresh_build(built):
    differences = compare(COMMITTED, built)
    assert differences == [], "\n".join(report(differences))


@pytest.mark.slow
def test_two_builds_on_one_machine_are_byte_identical(built, tmp_path):
    again = tmp_path / "again.xlsx"
    build_workbook(again)
    assert again.read_bytes() == built.read_bytes()


@pytest.mark.slow
def test_one_ulp_on_every_cached_number_still_passes_build_check(built, tmp_path, capsys):
    perturbed = tmp_path / "CPO_Model.xlsx"
    rewrite(built, perturbed, nudge_numbers(ulps=1))
    assert perturbed.read_bytes() != built.read_bytes()
    assert cached_number_count(perturbed) > 3000  # every cell and chart cache was moved, not a handful
    assert compare(perturbed, built) == []
    assert main(["build", "--check", "--output", str(perturbed)]) == 0
    assert "same content as a fresh build" in capsys.readouterr().out


@pytest.mark.slow
def test_a_number_moved_by_1e6_relative_fails_and_names_the_cell(built, tmp_path, capsys):
    changed = tmp_path / "CPO_Model.xlsx"

    def edit(name: str, data: bytes) -> bytes:
        if name != TAM_PART:
            return data
        return nudge_numbers(rel=1e-6)(name, data)
    rewrite(built, changed, edit)
    assert main(["build", "--check", "--output", str(changed)]) == 1
    out = capsys.readouterr().out
    assert "differs from a fresh build" in out
    assert re.search(r"^  TAM![A-Z]+\d+: [-0-9.e+]+ -> [-0-9.e+]+$", out, re.M), out
    assert len([line for line in out.splitlines() if line.startswith("  TAM!")]) <= 20
    assert "more differences" in out


@pytest.mark.slow
def test_a_changed_formula_fails_and_names_the_cell(built, tmp_path):
    changed = tmp_path / "formula.xlsx"
    with zipfile.ZipFile(built) as z:
        sheet = z.read(TAM_PART).decode()
    first_formula = re.search(r'<c r="([A-Z]+\d+)"[^>]*><f>([^<]+)</f>', sheet)
    assert first_formula
    cell, text = first_formula.groups()

    def edit(name: str, data: bytes) -> bytes:
        if name != TAM_PART:
            return data
        return data.replace(f"<f>{text}</f>".encode(), f"<f>{text}*1</f>".encode(), 1)
    rewrite(built, changed, edit)
    lines = report(compare(changed, built))
    assert lines[0] == f"TAM!{cell}: {text}*1 -> {text}"


@pytest.mark.slow
def test_a_changed_style_fails_and_names_the_cell(built, tmp_path):
    changed = tmp_path / "style.xlsx"
    with zipfile.ZipFile(built) as z:
        cell, style = re.search(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', z.read(TAM_PART)).groups()

    def edit(name: str, data: bytes) -> bytes:
        if name != TAM_PART:
            return data
        return data.replace(b'<c r="%s" s="%s"' % (cell, style), b'<c r="%s" s="%d"' % (cell, int(style) + 1), 1)
    rewrite(built, changed, edit)
    lines = report(compare(changed, built))
    assert lines == [f"TAM!{cell.decode()}: s={int(style) + 1} -> s={style.decode()}"]


@pytest.mark.slow
def test_a_changed_text_fails_through_the_shared_strings(built, tmp_path):
    changed = tmp_path / "text.xlsx"
    rewrite(built, changed, lambda name, data: data.replace(b"CPO TAM", b"CPO SAM", 1)
            if name == "xl/sharedStrings.xml" else data)
    lines = report(compare(changed, built))
    assert lines and "CPO SAM" in lines[0] and "CPO TAM" in lines[0]


def test_numbers_compare_within_tolerance_and_text_exactly():
    assert same_text("533.02534272", "533.0253427200003")
    assert same_text("0", "1e-12")  # absolute tolerance near zero
    assert not same_text("533.02534272", "533.0258")
    assert not same_text("=A1", "=A2")
    assert not same_text("1", "")


@pytest.mark.slow
def test_neither_the_workbook_nor_the_pm_copy_asks_excel_to_recalculate_on_load(built, tmp_path):
    pm = tmp_path / "pm.xlsx"
    build_workbook(pm, static=True)
    for path in (built, pm, COMMITTED):
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode()
        assert "fullCalcOnLoad" not in book, path
        calc_id = re.search(r'<calcPr calcId="(\d+)"', book)
        assert calc_id and int(calc_id.group(1)) >= 191029, path  # older ids make Excel recalculate on open


def test_a_killed_builds_leftover_is_removed_by_the_next_build(built, tmp_path):
    dead = tmp_path / f"{TEMP_PREFIX}999999999-abc.xlsx"  # no process has that pid
    dead.write_bytes(b"half a workbook")
    alive = tmp_path / f"{TEMP_PREFIX}{__import__('os').getpid()}-xyz.xlsx"  # a write still in progress
    alive.write_bytes(b"being written")
    target = tmp_path / "CPO_Model.xlsx"
    atomic_write(target, lambda p: shutil.copyfile(built, p) and "")
    assert not dead.exists()
    assert alive.exists()
    assert target.read_bytes() == built.read_bytes()
    assert remove_leftovers(tmp_path) == []


def test_gitignore_covers_the_temporary_name():
    assert f"{TEMP_PREFIX}*" in (REPO / ".gitignore").read_text().split()


@pytest.mark.parametrize("lock", ["requirements.lock"])
def test_readme_and_ci_install_from_the_lock(lock):
    readme, ci = (REPO / "README.md").read_text(), (REPO / ".ci" / "run").read_text()
    assert f"-c {lock}" in readme and f"-c {lock}" in ci
    pinned = [line for line in (REPO / lock).read_text().splitlines() if line and not line.startswith("#")]
    assert pinned and all("==" in line for line in pinned)
    names = {line.split("==")[0].lower() for line in pinned}
    assert {"xlsxwriter", "openpyxl", "formulas", "numpy", "pandas", "pydantic", "pytest"} <= names
