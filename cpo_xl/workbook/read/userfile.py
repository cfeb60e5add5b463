"""A workbook's Inputs read back as a validated :class:`UserFile` (errors name the cell)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import (
    SCENARIOS,
    UserFile,
    flatten,
    known_keys,
    scenario_values,
    shipped,
    short,
    workbook_setting,
)
from cpo_xl.workbook.read import snapshot
from cpo_xl.workbook.spec import layout as L
from cpo_xl.workbook.spec.input_rows import input_rows


def user_file_from(path: Path) -> tuple[UserFile, snapshot.InputsSnapshot]:
    """The workbook's inputs as a :class:`UserFile`, validated for every scenario; errors name the cell."""
    problems = snapshot.Problems()
    typed, cells = snapshot.read_inputs(path, problems)
    missing = [r["key"] for r in input_rows("base", None) if (r["key"], "key") not in cells]
    if missing:  # a deleted (or renamed) row would silently fall back to the shipped default
        problems.append(f"Inputs: {len(missing)} assumption row(s) missing ({', '.join(missing[:5])}"
                        f"{', ...' if len(missing) > 5 else ''}); restore the row(s) or rebuild the workbook")
    return user_file_of(typed, cells, problems), typed


def user_file_of(typed: snapshot.InputsSnapshot, cells: dict[tuple[str, str], str],
                 problems: snapshot.Problems | None = None) -> UserFile:
    """A snapshot of inputs as a :class:`UserFile`, validated for every scenario; errors name the cell, every
    bad cell at once. The descriptive company fields the build record holds are carried too."""
    if typed.scenario not in SCENARIOS:
        raise CpoError(f"Inputs!C4 scenario: {typed.scenario!r} is not one of {', '.join(SCENARIOS)}")
    _, _, shipped_scenarios = shipped()
    keys = known_keys()
    problems = snapshot.Problems() if problems is None else problems
    base: list[tuple[str, Any]] = []
    by_scenario: dict[str, list[tuple[str, Any]]] = {s: [] for s in ("bear", "bull")}
    for key, bear, base_value, bull in typed.rows:
        if key not in keys:
            problems.append(f"{cells.get((key, 'key'), 'Inputs')} key {short(key)}: no such assumption; "
                            "restore the key or delete the row")
            continue
        empty = [column for column, value in (("bear", bear), ("base", base_value), ("bull", bull))
                 if value is None or (isinstance(value, str) and not value.strip())]
        problems += [f"{cells.get((key, column), 'Inputs')} {key}: empty; a value is required" for column in empty]
        if empty:
            continue
        base.append((key, base_value))
        for name, value in (("bear", bear), ("bull", bull)):
            if value != base_value or key in shipped_scenarios[name]:
                by_scenario[name].append((key, value))
    for section, key, value in typed.described:  # recorded by the build, no cell holds them
        (base if section == "base" else by_scenario.setdefault(section, [])).append((key, value))
    user = UserFile(tuple(base), tuple((s, tuple(v)) for s, v in by_scenario.items()), typed.racks,
                    typed.scenario, _settings(typed, problems), typed.notes, typed.cell_notes)
    if problems:  # name the bad values too, in one refusal
        problems += _every_bad_cell(typed, cells)
        problems.raise_if_any()
    for scenario in SCENARIOS:
        try:
            Case(scenario, user=user).assumptions()
        except CpoError as exc:
            problems += _every_bad_cell(typed, cells) or [_at_cell(exc, scenario, user, cells)]
            problems.raise_if_any()
    return user


def _every_bad_cell(typed: snapshot.InputsSnapshot, cells: dict[tuple[str, str], str]) -> list[str]:
    """Each value cell that alone makes its scenario invalid, named by its own cell (only asked when the
    whole set failed: one validation per changed cell)."""
    shipped_values = {s: flatten(scenario_values(s)) for s in SCENARIOS}
    bad = []
    keys = known_keys()
    for key, *values in typed.rows:
        if key not in keys:  # named at its key cell already
            continue
        for scenario, value in zip(SCENARIOS, values, strict=True):
            if value == shipped_values[scenario].get(key):
                continue
            try:
                Case(scenario, ((key, value),)).assumptions()
            except CpoError as exc:
                bad.append(f"{cells.get((key, scenario), 'Inputs')} {_strip(exc)}")
    return bad


def _settings(typed: snapshot.InputsSnapshot, problems: list[str]) -> tuple[tuple[str, Any], ...]:
    """The [workbook] settings typed outside the assumption table, validated; errors (naming the cell) are
    added to ``problems``."""
    settings = []
    for name, value in typed.settings().items():
        if value is None:  # a sheet an older build did not have: the default applies
            continue
        sheet, cell = L.SETTING_CELLS[name]
        where = f"{sheet}!{L.a1(*cell)}"
        try:
            settings.append((name, workbook_setting(name, value, where)))
        except CpoError as exc:
            problems.append(str(exc).replace(f"{where}: {name}", f"{where} {name.replace('_', ' ')}"))
    return tuple(sorted(settings))


def _at_cell(exc: CpoError, scenario: str, user: UserFile, cells: dict[tuple[str, str], str]) -> str:
    """Prefix the message with the cell that holds the offending value."""
    key = exc.key
    if key is None:
        return f"Inputs ({scenario} column): {exc}"
    column = scenario if key in dict(user.for_scenario(scenario)) else "base"
    cell = cells.get((key, column)) or cells.get((key, "key")) or "Inputs"
    return f"{cell} {_strip(exc)}"


def _strip(exc: CpoError) -> str:
    """'assumption a.b: -1 is below the minimum 0' -> 'a.b: -1 is below the minimum 0'."""
    text = str(exc)
    marker = "assumption "
    return text[text.index(marker) + len(marker):] if marker in text else text
