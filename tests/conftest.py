"""Shared fixtures: one fresh build per test session, LibreOffice discovery."""

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


def pdf_text(xlsx: Path, workdir: Path, recalc: bool = False) -> str:
    """Convert with LibreOffice in a fresh profile (optionally recalculating on load) and return the text."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice (soffice) or pdftotext is missing")
        pytest.skip("LibreOffice or pdftotext not installed (outside CI)")
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    if recalc:
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ON_LOAD, encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(workdir), str(xlsx)], check=True, capture_output=True, timeout=300)
    return subprocess.run([pdftotext, str(workdir / (xlsx.stem + ".pdf")), "-"], check=True, capture_output=True,
                          text=True).stdout
