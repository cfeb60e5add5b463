"""Shared fixtures: one fresh build per test session, LibreOffice discovery; the CLI and file-digest helpers."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cpo_xl.workbook.build import build_workbook

RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "CPO_Model.xlsx"
    build_workbook(path)
    return path


@pytest.fixture(scope="session")
def pm_copy(built, tmp_path_factory) -> Path:
    """The PM copy (cpo-xl publish) of the session's build."""
    from cpo_xl.workbook.publish import publish
    path = tmp_path_factory.mktemp("pm") / "CPO_Model_PM.xlsx"
    publish(built, path)
    return path


def soffice(files: list[Path], workdir: Path, target: str, recalc: bool = False) -> list[Path]:
    """Convert files with LibreOffice in one run and a fresh profile (optionally recalculating every formula on
    load: OOXMLRecalcMode 0 = always); returns the converted files in ``workdir``."""
    soffice_bin = shutil.which("soffice")
    if not soffice_bin:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice (soffice) is missing")
        pytest.skip("LibreOffice not installed (outside CI)")
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    if recalc:
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ON_LOAD, encoding="utf-8")
    out = workdir / "out"
    subprocess.run([soffice_bin, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=300)
    return [out / f"{f.stem}.{target}" for f in files]


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


@pytest.fixture(scope="session")
def rendered(built, tmp_path_factory) -> Path:
    """The session's build as one PDF (LibreOffice, cached values as stored): one render per test run."""
    (pdf,) = soffice([built], tmp_path_factory.mktemp("render"), "pdf")
    return pdf


def pdf_text(xlsx: Path, workdir: Path, recalc: bool = False) -> str:
    """Convert with LibreOffice in a fresh profile (optionally recalculating on load) and return the text."""
    (pdf,) = soffice([xlsx], workdir, "pdf", recalc)
    return pdftotext(pdf)


def run(capsys, *args):
    """`cpo-xl ARGS` in-process: (exit code, stdout, stderr)."""
    from cpo_xl.cli.main import main
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(path: Path) -> str:
    """sha256 [hex] of a file: that no byte of an input changed."""
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()
