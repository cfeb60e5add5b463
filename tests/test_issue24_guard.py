"""Issue 24: the edit guard sees what a person adds beyond cell values.

Before this change the guard compared cell contents and defined names only: a note, a chart, a picture, a
hyperlink, a fill, a conditional format, a validation, freeze panes, a hidden row, a column width, sheet
protection or a tab colour added to a built workbook was dropped by the next build with exit 0 and no .bak.
Each is added here with openpyxl (as an analyst's tool would) and must be named by sheet and object.
"""

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from cpo_xl.workbook.read import snapshot
from cpo_xl.workbook.replace import edits
from tests.conftest import digest, run, with_part


def _png() -> io.BytesIO:
    from PIL import Image as PILImage
    data = io.BytesIO()
    PILImage.new("RGB", (4, 4), "red").save(data, format="PNG")
    data.seek(0)
    return data


def add_everything(book: openpyxl.Workbook) -> None:
    """One of each kind of object, each in a place the builder leaves plain."""
    from openpyxl.drawing.image import Image
    tam, inputs = book["TAM"], book["Inputs"]
    tam["B2"].comment = Comment("ask the desk about 2027", "analyst")
    tam["A6"].hyperlink = "https://example.com/report"
    tam["B30"].fill = PatternFill("solid", fgColor="FFFF00")
    tam.conditional_formatting.add("D6:P6", CellIsRule(operator="greaterThan", formula=["1000"],
                                                       fill=PatternFill("solid", fgColor="FF0000")))
    check = DataValidation(type="whole", operator="between", formula1="1", formula2="5")
    check.add("Z40")
    tam.add_data_validation(check)
    book["Demand"].freeze_panes = "B2"
    book["Lasers"].row_dimensions[7].hidden = True
    book["Definers"].column_dimensions["A"].width = 90
    book["Equipment"].protection.sheet = True
    book["Scenarios"].sheet_properties.tabColor = "00FF00"
    inputs.add_image(Image(_png()), "R3")
    chart = BarChart()
    chart.add_data(Reference(book["TAM"], min_col=4, min_row=6, max_col=16, max_row=6))
    book["Risk"].add_chart(chart, "R3")


EXPECTED = ("TAM!B2 note", "TAM!A6 hyperlink", "TAM!B30 fill", "TAM!D6:P6 conditional format", "TAM!Z40 validation",
            "Demand: freeze panes", "Lasers: row 7 hidden", "Definers: column A width", "Equipment: sheet protection",
            "Scenarios: tab colour", "Inputs: pictures", "Risk: charts")


@pytest.mark.slow
def test_every_kind_of_object_a_person_adds_is_named(built, tmp_path):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    add_everything(book)
    book.save(workbook)
    recorded, _ = snapshot.read_record(workbook)
    found = edits.untracked(workbook, recorded)
    missing = [label for label in EXPECTED if not any(f.startswith(label) for f in found)]
    assert missing == [], found
    assert len(found) == len(EXPECTED), found  # nothing the builder made is reported


@pytest.mark.slow
def test_an_openpyxl_round_trip_without_edits_is_not_an_edit(built, tmp_path):
    workbook = tmp_path / "w.xlsx"
    openpyxl.load_workbook(built).save(workbook)
    recorded, _ = snapshot.read_record(workbook)
    assert edits.untracked(workbook, recorded) == []


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["note", "chart"])
def test_build_refuses_naming_the_object_and_force_keeps_a_bak(built, tmp_path, capsys, kind):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    if kind == "note":
        # a note on a title cell, not on an input (those pull carries: test_issue24_notes.py)
        book["Inputs"]["A1"].comment = Comment("pricing from the call on 3 Dec", "analyst")
        label = "Inputs!A1 note"
    else:
        chart = BarChart()
        chart.add_data(Reference(book["TAM"], min_col=4, min_row=6, max_col=16, max_row=6))
        book["Summary"].add_chart(chart, "A60")
        label = "Summary: charts (2, 1 built)"  # the Summary has one chart (issue 23)
    book.save(workbook)
    before = digest(workbook)
    code, _, err = run(capsys, "build", "--output", workbook)
    assert code == 2 and label in err and err.count("\n") == 1, err
    assert digest(workbook) == before and list(tmp_path.glob("*.bak*")) == []
    code, out, err = run(capsys, "build", "--output", workbook, "--force")
    baks = [p for p in tmp_path.iterdir() if ".bak" in p.name]
    assert code == 0 and len(baks) == 1 and digest(baks[0]) == before, (out, err)


@pytest.mark.slow
def test_a_dimension_that_hides_a_cell_does_not_hide_it_from_the_guard(built, tmp_path):
    """openpyxl's read-only mode trusts <dimension>: a label typed at Z500 under a dimension of A1:C3 was
    invisible to the guard (and to pull)."""
    import re
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    book["Lasers"]["Z500"] = "my own table"
    book.save(workbook)
    crafted = tmp_path / "crafted.xlsx"
    sheet_part = _part_of(workbook, "Lasers")
    with_part(workbook, crafted, sheet_part, lambda data: re.sub(rb'<dimension ref="[^"]*" ?/>',
                                                                 b'<dimension ref="A1:C3"/>', data))
    recorded, _ = snapshot.read_record(crafted)
    assert "Lasers!Z500" in edits.untracked(crafted, recorded)


def _part_of(path: Path, sheet: str) -> str:
    import zipfile

    from cpo_xl.workbook.check.compare import _sheet_parts
    with zipfile.ZipFile(path) as z:
        return next(part for part, name in _sheet_parts(z).items() if name == sheet)
