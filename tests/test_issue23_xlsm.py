"""Issue 23: the Windows analyst's `.xlsm` copy (Save As macro-enabled, then Import Functions adds the VBA
wrappers) is read by every verb that reads a workbook."""

import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run

VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def as_xlsm(xlsx: Path, xlsm: Path) -> Path:
    """The parts Excel's Save As .xlsm and Import Functions change: the workbook part typed macro-enabled, a VBA
    project (xlwings' own, from its quickstart workbook) with its content type and relationship."""
    import xlwings
    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart.xlsm") as q:
        vba = q.read("xl/vbaProject.bin")
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                text = data.decode("utf-8")
                text = re.sub(r'(PartName="/xl/workbook.xml" ContentType=")[^"]+"', rf'\g<1>{MACRO_MAIN}"', text)
                vba_type = f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}"/>'
                text = text.replace("<Default ", f"{vba_type}<Default ", 1)
                data = text.encode("utf-8")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/>'
                                    "</Relationships>".encode())
            dst.writestr(info.filename, data)
        dst.writestr("xl/vbaProject.bin", vba)
    return xlsm


@pytest.fixture(scope="module")
def xlsm(built, tmp_path_factory) -> Path:
    return as_xlsm(built, tmp_path_factory.mktemp("xlsm") / "CPO_Model.xlsm")


def test_the_copy_is_macro_enabled(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        assert MACRO_MAIN in z.read("[Content_Types].xml").decode() and "xl/vbaProject.bin" in z.namelist()


@pytest.mark.slow
def test_bridge_reads_an_xlsm(xlsm, built, tmp_path, capsys):
    """Before: "B '...CPO_Model.xlsm' is not a scenario (bear, base, bull), an assumptions .toml or a
    workbook .xlsx", exit 2. The workbook holds the base inputs, so bull -> it bridges bull back to base."""
    code, out, err = run(capsys, "bridge", "bull", xlsm, "--output-dir", tmp_path)
    assert code == 0, err
    assert "CPO_Model.xlsm" in out
    code, base_out, _ = run(capsys, "bridge", "bull", built, "--output-dir", tmp_path)
    assert out.replace("CPO_Model.xlsm", "CPO_Model.xlsx") == base_out


@pytest.mark.slow
def test_pull_diff_and_publish_read_an_xlsm(xlsm, built, tmp_path, capsys):
    code, out, err = run(capsys, "pull", xlsm, "--output", tmp_path / "my.toml")
    assert code == 0, err
    code, out, err = run(capsys, "diff", built, xlsm)
    assert code == 0, err
    assert "Inputs changed: none" in out and "Formulas changed: none" in out
    code, out, err = run(capsys, "publish", xlsm, "--output", tmp_path / "pm.xlsx")
    assert code == 0, err


@pytest.mark.slow
def test_check_reads_an_xlsm(xlsm, capsys):
    code, out, err = run(capsys, "check", xlsm)
    assert code == 0, err + out
    assert ", 0 problems, " in out
