"""The model's own checks on the command line: a warning line when the master check is not 0 (`build`,
`summary`; their exit code stays 0) and the problem line of `check` (exit 1)."""

from __future__ import annotations

from pathlib import Path

from cpo_xl.engine.case import Case


def build_warning(case: Case) -> str | None:
    """After a build: the line to print when the written workbook's master check is not 0. Computed with the
    builder's own recipes for the lines the checks read (the numbers the build wrote as cached values), not by
    reading the file back (0.03 s, not 0.25 s)."""
    return _warning(case, "The workbook is written all the same (exit code 0: a built file is not a failure); "
                          "its Checks sheet shows each check by year")


def summary_warning(case: Case) -> str | None:
    """For `summary`: the line to print when the master check of the workbook this case builds is not 0."""
    return _warning(case, "The tables above are computed all the same (exit code 0); `cpo-xl build` and its "
                          "Checks sheet show each check by year")


def _warning(case: Case, consequence: str) -> str | None:
    from cpo_xl.workbook.check.master_check import of_case
    master = of_case(case)
    return None if master.holds else f"warning: {master.text()}. {consequence}"


def check_problem(path: Path) -> str | None:
    """For `check`: the problem line when the workbook's master check is not 0 (its cached values)."""
    from cpo_xl.workbook.check.master_check import of_workbook
    master = of_workbook(path)
    return None if master.holds else f"Checks!D1 master_check: {master.text()}"
