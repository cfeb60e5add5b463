"""Issue 24: text is text, and the work follows the cells present.

Before this change (each on main): `check` took a string cell starting with "=" for a formula, so a
comment `=cmd|' /C calc'!A0` carried by pull ended in a tokenizer traceback and `=> raised after GTC` failed
check on a workbook cpo-xl built; one cell at XFD1048576 made `check` walk the declared dimension (7 min 55
s) and a build over the file more than 3 min; XML parts just under the per-part cap were each parsed in
full, without a total budget.
"""

import shutil
import subprocess
import sys
import zipfile

import pytest

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.check import diff
from cpo_xl.workbook.read import contents, files
from tests.conftest import run, with_part
from tests.sheet_xml import set_cells


@pytest.mark.slow
@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "=> raised after GTC"])
def test_text_that_starts_with_an_equals_sign_is_text(tmp_path, capsys, text):
    toml = tmp_path / "a.toml"
    toml.write_text(f'[notes]\n"pricing.erosion_2027" = "{text}"\n', encoding="utf-8")
    workbook = tmp_path / "w.xlsx"
    assert run(capsys, "build", "--assumptions", toml, "--output", workbook)[0] == 0
    book = contents.read(workbook)
    assert text in book.constants.values() and text not in [f for f, _ in book.formulas.values()]
    assert text not in diff.formula_cells(book).values()  # the formulas diff compares
    code, out, err = run(capsys, "check", workbook)
    assert code == 0 and "Traceback" not in err, (out, err)


@pytest.mark.slow
def test_one_cell_at_the_last_address_costs_one_cell(built, tmp_path):
    """The sheet declares A1:XFD1048576; reading it must visit the cells present, not 17 billion."""
    workbook = set_cells(built, tmp_path / "w.xlsx", {"Lasers!XFD1048576": 1})
    # a subprocess with a generous limit: on main this read ran for minutes
    code = ("import sys; from pathlib import Path; from cpo_xl.workbook.read import contents;"
            "b = contents.read(Path(sys.argv[1])); print(b.constants[('LASERS', 1048576, 16384)])")
    done = subprocess.run([sys.executable, "-c", code, str(workbook)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr


def test_xml_parts_are_budgeted_in_total(built, tmp_path):
    crafted = tmp_path / "junk.xlsx"
    shutil.copy(built, crafted)
    part = b"<a>" + b"<b/>" * (files.MAX_PART // 4 - 10) + b"</a>"
    with zipfile.ZipFile(crafted, "a", zipfile.ZIP_DEFLATED) as z:
        for i in range(files.MAX_XML_TOTAL // len(part) + 1):
            z.writestr(f"xl/junk{i}.xml", part)
    with pytest.raises(CpoError, match="bytes of XML"):
        files.check_file(crafted)


@pytest.mark.slow
def test_a_merge_over_the_whole_sheet_is_refused_before_the_guard_reads_it(built, tmp_path, capsys):
    """The guard's full reader (openpyxl) makes one object per merged cell: one crafted merge of
    A1:XFD1048576 would be 17 billion of them."""
    from cpo_xl.workbook.check.compare import _sheet_parts
    crafted = tmp_path / "w.xlsx"
    with zipfile.ZipFile(built) as z:
        part = next(p for p, name in _sheet_parts(z).items() if name == "Lasers")

    def merge_everything(data: bytes | None) -> bytes:
        assert data is not None and b"<mergeCell " not in data
        return data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                            b'<mergeCell ref="A1:XFD1048576"/></mergeCells>', 1)
    with_part(built, crafted, part, merge_everything)
    before = crafted.read_bytes()
    code, _, err = run(capsys, "build", "--output", crafted)
    assert code == 2 and "merged cells" in err and err.count("\n") == 1, err
    assert crafted.read_bytes() == before
