"""CLI error paths found by a break-it review: every argument refused before any output, an assumptions file's
problem named with the file, a missing input called missing, Ctrl-C without a traceback, and a chart that
never overwrites a person's file without --force."""

import io
import re
import subprocess
import sys

import pytest

from tests.conftest import digest, run

INTERRUPTED = "cpo-xl: interrupted; no file was left half-written\n"


def horizon(argument: str, year: int) -> str:
    return f"cpo-xl: argument {argument}: year {year} is outside the model horizon 2023-2035\n"


@pytest.mark.slow
def test_a_year_outside_the_horizon_is_refused_before_any_output(built, tmp_path, capsys):
    """`diff A B --bridge --year 2050` printed the whole diff, then refused the year."""
    charts = tmp_path / "charts"
    for args, argument, year in ((("diff", built, built, "--bridge", "--year", 2050), "--year", 2050),
                                 (("summary", "--year", 2050), "--year", 2050),
                                 (("simulate", "-n", 200, "--year", 2022, "--output-dir", charts), "--year", 2022),
                                 (("bridge", "base", "bull", "--year", 2036, "--output-dir", charts), "--year", 2036),
                                 (("explain", "tam", 2050), "YEAR", 2050)):
        code, out, err = run(capsys, *args)
        assert (code, out, err) == (2, "", horizon(argument, year)), args
    assert not charts.exists()  # refused before the output folder is made


@pytest.mark.slow
def test_a_bad_assumptions_file_prints_nothing_and_names_the_file(tmp_path, capsys):
    """`summary --assumptions F` printed its header before a rack year outside the horizon was refused, and
    a bad value's line did not name the file (nor the section it is in)."""
    toml = tmp_path / "mine.toml"
    for text, message in (
            ("[rack_units]\n2050 = 100\n", "rack_units year 2050 is outside the model horizon 2023-2035"),
            ('[scenarios.bull]\n"pricing.erosion_2027" = 5\n',
             "[scenarios.bull]: assumption pricing.erosion_2027: 5 must be less than 1.0"),
            ('"nope.key" = 1\n', "assumption key 'nope.key' is unknown; keys are listed on the Inputs sheet"),
            ('"pricing.erosion_2027" = \n', "not valid TOML (Invalid value (at line 1, column 26))"),
            ('scenario = "nope"\n', "scenario 'nope' is unknown; allowed: bear, base, bull")):
        toml.write_text(text, encoding="utf-8")
        before = digest(toml)
        line = f"cpo-xl: assumptions file {toml}{'' if message.startswith('[') else ':'} {message}\n"
        for verb in (("summary",), ("explain", "tam", 2030), ("build", "--output", tmp_path / "w.xlsx"),
                     ("bridge", "base", toml, "--output-dir", tmp_path / "charts")):
            args = verb if verb[0] == "bridge" else (*verb, "--assumptions", toml)  # bridge: the file is B
            assert run(capsys, *args) == (2, "", line), (text, verb)
        assert digest(toml) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]  # no workbook, no chart folder


@pytest.mark.slow
def test_a_missing_input_of_diff_is_called_missing(built, tmp_path, capsys):
    """`diff A missing.xlsx` said "missing.xlsx: cannot write (No such file or directory)"."""
    missing = tmp_path / "missing.xlsx"
    for args in (("diff", built, missing), ("diff", missing, built), ("diff", "--textconv", missing)):
        code, out, err = run(capsys, *args)
        assert (code, out, err) == (2, "", f"cpo-xl: {missing}: no such file\n"), args
    assert list(tmp_path.iterdir()) == []


def interrupt(path, *args):
    """A write that Ctrl-C stops half way."""
    path.write_bytes(b"\x89PNG half" if path.suffix == ".png" else b"PK\x03\x04 half a workbook")
    raise KeyboardInterrupt


@pytest.mark.parametrize("verb", ["build", pytest.param("simulate", marks=pytest.mark.slow), "summary"])
def test_ctrl_c_is_one_line_exit_130_and_leaves_the_target_as_it_was(verb, tmp_path, capsys, monkeypatch):
    """Ctrl-C printed a Python traceback."""
    from cpo_xl.cli import build, simulate, summary
    target = tmp_path / ("w.xlsx" if verb == "build" else "fan_chart.png")
    target.write_bytes(b"what the person had")
    before = digest(target)
    if verb == "build":
        monkeypatch.setattr(build, "build_workbook", lambda path, case: interrupt(path))
        args = ("build", "--output", target, "--force")
    elif verb == "simulate":
        monkeypatch.setattr(simulate, "fan_chart", interrupt)
        args = ("simulate", "-n", 200, "--output-dir", tmp_path, "--force")
    else:
        monkeypatch.setattr(summary, "summary_text", lambda *a: interrupt(tmp_path / "unused.xlsx"))
        args = ("summary",)
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (130, "", INTERRUPTED)
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({target.name, *(["unused.xlsx"] if
                                                                                 verb == "summary" else [])})


def png_with(text: dict[str, str], source: bytes, pixel: bool) -> bytes:
    """A copy of a PNG re-saved as an image editor does (text chunks kept), one pixel changed if asked."""
    from PIL import Image, PngImagePlugin
    image = Image.open(io.BytesIO(source))
    image.load()
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    if pixel:
        image.putpixel((3, 3), (255, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("verb, name", [(("simulate", "-n", 200), "fan_chart.png"),
                                        (("bridge", "base", "bull"), "bridge_tam_2030.png")])
def test_a_chart_never_overwrites_a_file_cpo_xl_did_not_write(verb, name, tmp_path, capsys):
    """`simulate` and `bridge` wrote their PNG over whatever was at that path."""
    chart = tmp_path / name
    chart.write_bytes(b"a person's own picture")
    code, out, err = run(capsys, *verb, "--output-dir", tmp_path)
    assert (code, out) == (2, "")
    assert err == (f"cpo-xl: {chart}: exists and is not a chart cpo-xl wrote (or was changed since); write to "
                   "another --output-dir, or --force (keeps a .bak)\n")
    assert chart.read_bytes() == b"a person's own picture" and [p.name for p in tmp_path.iterdir()] == [name]

    code, out, err = run(capsys, *verb, "--output-dir", tmp_path, "--force")  # replaced, the person's file kept
    (backup,) = [p for p in tmp_path.iterdir() if p != chart]
    assert code == 0 and err == "" and re.fullmatch(rf"{chart.stem}\.\d{{8}}-\d{{6}}-\d{{6}}\.bak\.png", backup.name)
    assert backup.read_bytes() == b"a person's own picture"
    assert out.endswith(f"wrote {chart}; the file it replaced is kept as {backup.name}\n")
    ours = chart.read_bytes()
    assert ours.startswith(b"\x89PNG\r\n\x1a\n") and b"tEXtcpo-xl\x00sha256 " in ours

    code, out, err = run(capsys, *verb, "--output-dir", tmp_path)  # its own chart: replaced freely, no .bak
    assert code == 0 and out.endswith(f"wrote {chart}\n") and len(list(tmp_path.iterdir())) == 2
    assert chart.read_bytes() == ours  # the same numbers draw the same bytes

    from PIL import Image
    stamp = Image.open(chart).text
    for edited in (png_with(stamp, ours, pixel=True), png_with({**stamp, "Comment": "my note"}, ours, False),
                   ours + b"trailing"):  # an annotated chart is a person's file too
        chart.write_bytes(edited)
        code, out, err = run(capsys, *verb, "--output-dir", tmp_path)
        assert (code, out) == (2, "") and "is not a chart cpo-xl wrote (or was changed since)" in err
        assert chart.read_bytes() == edited and len(list(tmp_path.iterdir())) == 2


@pytest.mark.slow
@pytest.mark.parametrize("option", ["--pdf", "--pack"])
def test_publish_refuses_a_missing_libreoffice_before_writing_the_copy(option, built, tmp_path, capsys, monkeypatch):
    """Found checking the other verbs for finding 1: `publish --pdf` without LibreOffice wrote the PM copy and
    printed "wrote ...", then refused."""
    from cpo_xl.workbook.share import publish
    monkeypatch.setattr(publish.shutil, "which", lambda name: None)
    code, out, err = run(capsys, "publish", built, "--output", tmp_path / "pm.xlsx", option)
    assert (code, out) == (2, "") and list(tmp_path.iterdir()) == []
    assert err == (f"cpo-xl: {option} needs LibreOffice: no soffice on PATH (install it, or open the PM copy and "
                   "print the Summary sheet)\n")


def test_ctrl_c_while_the_engine_loads_is_one_line_exit_130():
    # a break-it review: Ctrl-C in the first ~second (cpo_xl.cli.main importing pandas and pydantic) printed a
    # traceback. A fresh interpreter whose import of cpo_xl.cli.main raises KeyboardInterrupt, as Ctrl-C there does
    code = ("import sys\n"
            "class CtrlC:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'cpo_xl.cli.main':\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, CtrlC())\n"
            "from cpo_xl.__main__ import main\n"
            "sys.exit(main(['--version']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", INTERRUPTED)


@pytest.mark.parametrize("verb", [("simulate", "-n", 200), ("bridge", "base", "bull")])
def test_a_folder_nobody_may_write_in_is_refused_before_the_work(verb, tmp_path, capsys, monkeypatch):
    """`simulate` into a folder it cannot write in ran the whole simulation, then failed writing the chart. A
    folder that refuses a file (root writes anywhere here, so the refusal is the system's answer, simulated)
    is refused before any draw, naming the folder and the reason."""
    import tempfile

    from cpo_xl.analysis import montecarlo

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    monkeypatch.setattr(montecarlo, "simulate", lambda *a, **k: pytest.fail("simulated before the folder check"))
    code, out, err = run(capsys, *verb, "--output-dir", tmp_path)
    assert (code, out, err) == (2, "", f"cpo-xl: --output-dir {tmp_path}: cannot write in it (Permission denied)\n")
