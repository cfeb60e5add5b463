"""Bad input never crashes and never loses data (issue: every edit kept or refused, every bad input one line).

Each test here failed on the code before this change: booleans taken as numbers, a second --force overwriting
the first .bak, pull/publish writing onto their own input or over another tool's file, a traceback for a
negative seed, an infinite CAGR, and a 2 MB value echoed in full."""

import shutil
import sys
from pathlib import Path

import pytest

from cpo_xl.engine.errors import CpoError
from tests.conftest import digest, read_book, run, with_part
from tests.sheet_xml import set_cells

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "udfs"))
import cpo_udfs


def test_a_boolean_is_not_a_number_in_a_toml(tmp_path, capsys):
    toml = tmp_path / "a.toml"
    toml.write_text('"pricing.erosion_2027" = true\n', encoding="utf-8")
    code, _, err = run(capsys, "build", "--assumptions", toml, "--output", tmp_path / "x.xlsx")
    assert code == 2 and "pricing.erosion_2027: True is a boolean; a number is needed" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_boolean_is_not_a_number_in_an_assumptions_range():
    with pytest.raises(CpoError, match="is a boolean"):
        cpo_udfs.CPO_TAM(2030, 60000.0, [["pricing.erosion_2027", True]])


def test_a_negative_seed_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "simulate", "-n", 100, "--seed", -1, "--output-dir", tmp_path)
    assert code == 2 and err.count("\n") == 1 and "--seed -1" in err


def test_an_infinite_cagr_is_refused():
    with pytest.raises(CpoError, match="not a finite number"):  # years are whole years of the horizon now
        cpo_udfs.CPO_CAGR(1e-300, 1e300, 2023, 2024)


@pytest.mark.slow
def test_every_force_keeps_its_own_backup(built, tmp_path, capsys):
    target = tmp_path / "w.xlsx"
    shutil.copy(built, target)
    other = tmp_path / "other.toml"
    for i, value in enumerate((0.15, 0.25)):
        other.write_text(f'"pricing.erosion_2027" = {value}\n', encoding="utf-8")
        # edit the target's inputs so the builder sees a person's work in it, then force over it
        from cpo_xl.workbook.spec import layout as L
        typed = tmp_path / "typed.xlsx"
        set_cells(target, typed, {f"Inputs!{L.a1(L.INPUTS_FIRST_KEY_ROW, L.COMMENT_C)}": f"edit {i}",
                                  f"Inputs!{L.a1(L.INPUTS_FIRST_KEY_ROW, L.BASE_C)}": 1 + i})
        typed.replace(target)
        assert run(capsys, "build", "--assumptions", other, "--output", target)[0] == 2  # refused first
        assert run(capsys, "build", "--assumptions", other, "--output", target, "--force")[0] == 0
    backups = sorted(tmp_path.glob("w.*.bak.xlsx"))
    assert len(backups) == 2 and digest(backups[0]) != digest(backups[1])


@pytest.mark.slow
def test_pull_and_publish_never_write_onto_their_input(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    before = digest(workbook)
    code, _, err = run(capsys, "pull", workbook, "--output", workbook)
    assert code == 2 and "is the input" in err
    code, _, err = run(capsys, "publish", workbook, "--output", workbook)
    assert code == 2 and "is the input" in err
    assert digest(workbook) == before


@pytest.mark.slow
def test_pull_does_not_overwrite_a_file_it_did_not_write(built, tmp_path, capsys):
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    notes = tmp_path / "notes.toml"
    notes.write_text("my own notes\n", encoding="utf-8")
    code, _, err = run(capsys, "pull", workbook, "--output", notes)
    assert code == 2 and "not written by cpo-xl" in err and notes.read_text() == "my own notes\n"
    assert run(capsys, "pull", workbook, "--output", notes, "--force")[0] == 0
    assert run(capsys, "pull", workbook, "--output", notes)[0] == 0  # its own output: replaced freely


def test_a_huge_value_is_not_echoed_in_full(tmp_path, capsys):
    toml = tmp_path / "a.toml"
    toml.write_text(f'"{"x" * 900_000}" = 1\n', encoding="utf-8")
    code, _, err = run(capsys, "summary", "--assumptions", toml)
    assert code == 2 and len(err) < 800 and "characters" in err


def _edited(built, tmp_path, edit):
    import openpyxl
    workbook = tmp_path / "w.xlsx"
    shutil.copy(built, workbook)
    book = openpyxl.load_workbook(workbook)
    edit(book["Inputs"])
    book.save(workbook)
    return workbook


@pytest.mark.slow
def test_a_blank_row_inside_the_inputs_is_refused_not_an_end(built, tmp_path, capsys):
    from cpo_xl.workbook.spec import layout as L
    workbook = _edited(built, tmp_path, lambda ws: ws.insert_rows(L.INPUTS_FIRST_KEY_ROW + 20))
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and f"Inputs!A{L.INPUTS_FIRST_KEY_ROW + 20}: a blank row" in err
    assert not (tmp_path / "p.toml").exists()


@pytest.mark.slow
def test_a_duplicate_key_row_is_refused(built, tmp_path, capsys):
    from cpo_xl.workbook.spec import layout as L

    key = read_book(built)["Inputs"].cell(L.INPUTS_FIRST_KEY_ROW + 2, L.KEY_C + 1).value
    workbook = set_cells(built, tmp_path / "w.xlsx", {f"Inputs!{L.a1(L.INPUTS_FIRST_KEY_ROW + 2, L.KEY_C)}": key})
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and "appears twice" in err


@pytest.mark.slow
@pytest.mark.parametrize("racks", [1e12, -5])
def test_an_absurd_rack_override_is_refused(built, tmp_path, capsys, racks):
    from cpo_xl.workbook.spec import layout as L

    cell = f"Inputs!{L.a1(L.INPUTS_RACKS_OVERRIDE_ROW, L.FIRST_YEAR_COL)}"
    workbook = set_cells(built, tmp_path / "w.xlsx", {cell: racks})
    code, _, err = run(capsys, "pull", workbook, "--output", tmp_path / "p.toml")
    assert code == 2 and "is outside 0 to 1,000,000,000" in err


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "holds no assumptions"),
    ("[rack_units]\n2028 = inf\n", "is outside 0 to 1e9"),
    ('"pricing.erosion_2027" = [0.1, 0.2]\n', "is a list; one value is needed"),
    ("a = " + "[" * 5000 + "]" * 5000 + "\n", "not valid TOML"),
])
def test_bad_assumption_files_are_one_line(tmp_path, capsys, text, fragment):
    toml = tmp_path / "a.toml"
    toml.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "summary", "--assumptions", toml)
    assert code == 2 and fragment in err and err.count("\n") == 1


def test_an_endless_assumptions_file_is_refused(capsys):
    code, _, err = run(capsys, "summary", "--assumptions", "/dev/zero")
    assert code == 2 and "larger than 1,000,000 bytes" in err


def test_an_output_that_is_a_directory_or_under_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "dir.xlsx").mkdir()
    code, _, err = run(capsys, "build", "--output", tmp_path / "dir.xlsx")
    assert code == 2 and "is a directory" in err
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "build", "--output", tmp_path / "file" / "w.xlsx")
    assert code == 2 and "cannot create its folder" in err


@pytest.mark.slow
def test_concurrent_builds_to_one_path_take_turns(tmp_path):
    import subprocess
    target = tmp_path / "w.xlsx"
    procs = [subprocess.Popen([sys.executable, "-m", "cpo_xl.cli", "build", "--output", str(target)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    from cpo_xl.workbook.read.files import check_file
    check_file(target)  # whole, not torn
    assert not list(tmp_path.glob(".cpo-tmp-*"))


def test_an_inflated_xml_part_is_refused_before_any_part_is_parsed(built, tmp_path, capsys, monkeypatch):
    from cpo_xl.workbook.read import files
    bloated = with_part(built, tmp_path / "bloated.xlsx", "xl/worksheets/sheet3.xml",
                        lambda data: data.replace(b"</worksheet>", b"<!--" + b" " * 8_000_000 + b"--></worksheet>"))
    parsed: list[int] = []
    monkeypatch.setattr(files, "well_formed", lambda xml: parsed.append(len(xml)))
    code, _, err = run(capsys, "check", bloated)
    assert code == 2 and "above the 5,242,880" in err and parsed == []  # refused by its size, unread
    within = with_part(built, tmp_path / "within.xlsx", "xl/worksheets/sheet3.xml",
                        lambda data: data.replace(b"</worksheet>", b"<!-- 1 --></worksheet>"))
    files.check_file(within)  # its own bytes: not a file checked before in this process
    assert len(parsed) > 20  # a file within the limits has every XML part parsed through well_formed


@pytest.mark.parametrize(("lock", "app"), [("~$w.xlsx", "Excel"), (".~lock.w.xlsx#", "LibreOffice")])
def test_a_file_open_in_a_spreadsheet_program_is_refused_before_anything_is_built(tmp_path, lock, app):
    """Before: the build (or the 3 s of a publish) ran first and the lock file was seen only after it."""
    from cpo_xl.workbook.replace.replace import atomic_write
    target = tmp_path / "w.xlsx"
    target.write_bytes(b"someone's workbook")
    (tmp_path / lock).write_bytes(b"")
    written: list[Path] = []
    with pytest.raises(CpoError, match=f"is open in {app} \\(lock file "):
        atomic_write(target, lambda p: written.append(p) or "digest")
    assert written == [] and target.read_bytes() == b"someone's workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([lock, "w.xlsx"])  # no temporary file left


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10)) + b"]>")
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("verb", ["check", "pull", "diff"])
@pytest.mark.parametrize(("part", "prolog"), [("xl/sharedStrings.xml", LAUGHS), ("xl/workbook.xml", XXE)],
                         ids=["billion-laughs", "external-entity"])
def test_an_xml_part_declaring_entities_is_refused_in_one_line(built, tmp_path, capsys, verb, part, prolog):
    """An entity declaration (billion laughs) or an external entity (XXE) in any part ends in one line naming
    the part, before openpyxl parses anything, and the file is left as it was. (No test covered this before;
    it passed on defusedxml's parser, whose message called the workbook corrupt, and passes on the check that
    replaced it.)"""
    import re
    bad = with_part(built, tmp_path / "entities.xlsx", part,
                    lambda data: prolog + re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data))
    before = digest(bad)
    args = {"check": ("check", bad), "pull": ("pull", bad, "--output", tmp_path / "p.toml"),
            "diff": ("diff", built, bad)}[verb]
    code, _, err = run(capsys, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1 and f"{part} declares a document type" in err, err
    assert "Traceback" not in err and digest(bad) == before


SHEET_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize(("name", "data"), [
    ("xl/sharedStrings.XML", b'<!DOCTYPE s [<!ENTITY e "INJECTED">]><sst ' + SHEET_NS + b"><si><t>&e;</t></si></sst>"),
    ("xl/drawings/vmlDrawing9.vml", b'<!DOCTYPE x [<!ENTITY e "INJECTED">]><xml>&e;</xml>'),
    ("xl/media/notes.bin", b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'),
    ("xl/extra.xml", b'<!DOCTYPE x [<!ENTITY % p "INJECTED">]><x/>'),
    ("xl/extra.xml", b'<!DOCTYPE x [<!ATTLIST x injected CDATA "yes">]><x/>'),
    ("xl/extra.xml", '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "I">]><x>&e;</x>'
     .encode("utf-16")),
], ids=["upper-case-suffix", "vml", "doctype-system-in-any-name", "parameter-entity", "attlist-defaults",
        "utf-16"])
def test_every_xml_part_is_checked_whatever_its_name_and_no_document_type_passes(built, tmp_path, name, data):
    """Found by review: the check chose parts by a lower-case .xml/.rels suffix, so an entity in
    xl/sharedStrings.XML (openpyxl finds parts by relationship, not by name) or a .vml drawing that `check`
    parses went through unchecked, and a DOCTYPE without an entity (an external DTD, attribute defaults)
    passed. Now every part whose bytes are XML is parsed and any document type declaration is refused."""
    import re

    from cpo_xl.workbook.read import files
    path = with_part(built, tmp_path / "part.xlsx", name, lambda _: data)
    with pytest.raises(CpoError, match=f"{re.escape(name)} declares a document type"):
        files.check_file(path)


def test_an_unbound_namespace_prefix_is_one_line_not_a_traceback(built, tmp_path, capsys):
    """Found by review: the check parsed without namespaces, so <zz:junk/> in the notes passed it and `pull`
    ended in a traceback from the notes reader; namespaces are resolved in the check now."""
    import zipfile
    with zipfile.ZipFile(built) as z:
        name = next(n for n in z.namelist() if n.startswith("xl/comments"))
    bad = with_part(built, tmp_path / "part.xlsx", name,
                    lambda data: data.replace(b"</comments>", b"<zz:junk/></comments>"))
    code, _, err = run(capsys, "pull", bad, "--output", tmp_path / "p.toml")
    assert code == 2 and "unbound prefix" in err and "Traceback" not in err, err
