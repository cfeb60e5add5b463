"""The model's own checks (the Checks sheet: each flag 0 when it holds; the master check is their sum over the
years), for the command line: read from a workbook's cached values, or computed for a case by the builder's
own recipes (:func:`cpo_xl.workbook.write.grid.value`) without writing a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.timeline import YEARS
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.write import grid

CHECKS = "Checks"


@dataclass(frozen=True)
class MasterCheck:
    """``value``: the master check (None when the file holds no number there); ``failing``: each failing
    check's label and the years it fails."""

    value: float | None
    failing: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def holds(self) -> bool:
        return self.value == 0

    def text(self) -> str:
        """'master check 9 (0 = all hold): 3 checks fail: <label> in 2028-2030; ...'."""
        if self.value is None:
            return "master check: no number on the Checks sheet (Checks!D1); the workbook is damaged or not cpo-xl's"
        shown = f"{self.value:,.0f}" if float(self.value).is_integer() else f"{self.value:,.4g}"
        if self.holds:
            return f"master check {shown}: every check holds"
        fails = "; ".join(f"{label} in {years_text(years)}" for label, years in self.failing)
        return (f"master check {shown} (0 = all checks hold): {len(self.failing)} "
                f"check{'s' if len(self.failing) != 1 else ''} fail: {fails}")


def years_text(years: tuple[int, ...]) -> str:
    """Years as runs: (2028, 2029, 2030, 2033) -> '2028-2030, 2033'."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _checks_sheet(case: Case) -> L.SeriesSheet:
    return next(s for s in L.series_sheets(case) if s.name == CHECKS)


def _flags(sheet: L.SeriesSheet) -> list[tuple[int, L.Line]]:
    """(0-based row, line) of every check flag on the Checks sheet."""
    return [(L.FIRST_LINE_ROW + i, item) for i, item in enumerate(sheet.rows)
            if isinstance(item, L.Line) and grid.kind(item).is_flag]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def of_workbook(path: Path) -> MasterCheck:
    """The master check and the failing checks as the workbook's cached values show them."""
    from cpo_xl.workbook.read import files  # openpyxl: only for a file (`summary` computes, reads none)
    with files.opened(path, data_only=True) as wb:
        if CHECKS not in wb.sheetnames:
            return MasterCheck(None)
        rows = list(wb[CHECKS].iter_rows(values_only=True))

    def at(row: int, col: int) -> Any:
        return rows[row][col] if row < len(rows) and col < len(rows[row]) else None
    master = _number(at(L.TITLE_ROW, L.FIRST_YEAR_COL))
    failing = []
    for row, line in _flags(_checks_sheet(Case())):
        cells = [(y, at(row, L.year_col(y))) for y in YEARS]
        years = tuple(y for y, v in cells if v is not None and _number(v) != 0)  # 1, or an error value
        if years:
            failing.append((str(at(row, 0) or line.label), years))
    return MasterCheck(master, tuple(failing))


def of_case(case: Case) -> MasterCheck:
    """The master check of the workbook ``case`` would build, computed line by line with the builder's recipes,
    only for the lines the checks read."""
    from cpo_xl.workbook.spec.input_rows import input_rows
    from cpo_xl.workbook.write.build import model_args
    series = L.series_sheets(case)
    lines = {item.name: item for sheet in series for item in sheet.rows if isinstance(item, L.Line)}
    flags = [line for _, line in _flags(next(s for s in series if s.name == CHECKS))]
    order: list[L.Line] = []
    seen: set[str] = set()

    def visit(name: str) -> None:  # depth first: a line after the lines it reads
        if name not in seen:
            seen.add(name)
            for ref in lines[name].refs:
                visit(ref)
            order.append(lines[name])
    for line in flags:
        visit(line.name)
    settings = dict(case.user.workbook) if case.user else {}
    args = model_args(case, input_rows(case.scenario, case.user),
                      float(settings.get("check_tolerance", grid.CHECK_TOLERANCE)))
    racks = dict(zip(YEARS, case.rack_series(), strict=True))
    values: dict[str, dict[int, float]] = {}
    for line in order:
        values[line.name] = {y: grid.value(line, y, args, values, racks) for y in YEARS}
    failing = tuple((line.label, tuple(y for y in YEARS if values[line.name][y] != 0)) for line in flags
                    if any(values[line.name].values()))
    return MasterCheck(float(sum(sum(values[line.name].values()) for line in flags)), failing)
