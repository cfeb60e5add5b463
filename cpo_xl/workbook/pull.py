"""`cpo-xl pull`: the Inputs of an edited workbook -> a validated assumptions TOML that rebuilds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, UserFile, shipped, workbook_setting
from cpo_xl.workbook import atomic, snapshot
from cpo_xl.workbook import layout as L
from cpo_xl.workbook.sheets import input_rows


def user_file_from(path: Path) -> tuple[UserFile, snapshot.InputsSnapshot]:
    """The workbook's inputs as a :class:`UserFile`, validated for every scenario; errors name the cell."""
    typed, cells = snapshot.read_inputs(path)
    missing = [r["key"] for r in input_rows("base", None) if (r["key"], "key") not in cells]
    if missing:  # a deleted row would silently fall back to the shipped default
        raise CpoError(f"{path}: Inputs is missing {len(missing)} assumption row(s) ({', '.join(missing[:5])}"
                       f"{', ...' if len(missing) > 5 else ''}); restore the row(s) or rebuild the workbook")
    return user_file_of(typed, cells), typed


def user_file_of(typed: snapshot.InputsSnapshot, cells: dict[tuple[str, str], str]) -> UserFile:
    """A snapshot of inputs as a :class:`UserFile`, validated for every scenario; errors name the cell."""
    if typed.scenario not in SCENARIOS:
        raise CpoError(f"Inputs!C4 scenario: {typed.scenario!r} is not one of {', '.join(SCENARIOS)}")
    _, _, shipped_scenarios = shipped()
    base: list[tuple[str, Any]] = []
    by_scenario: dict[str, list[tuple[str, Any]]] = {s: [] for s in ("bear", "bull")}
    for key, bear, base_value, bull in typed.rows:
        for column, value in (("bear", bear), ("base", base_value), ("bull", bull)):
            if value is None or (isinstance(value, str) and not value.strip()):
                raise CpoError(f"{cells[(key, column)]} {key}: empty; a value is required")
        base.append((key, base_value))
        for name, value in (("bear", bear), ("bull", bull)):
            if value != base_value or key in shipped_scenarios[name]:
                by_scenario[name].append((key, value))
    user = UserFile(tuple(base), tuple((s, tuple(v)) for s, v in by_scenario.items()), typed.racks,
                    typed.scenario, _settings(typed), typed.notes)
    for scenario in SCENARIOS:
        try:
            Case(scenario, user=user).assumptions()
        except CpoError as exc:
            raise CpoError(_at_cell(exc, scenario, user, cells)) from None
    return user


def _settings(typed: snapshot.InputsSnapshot) -> tuple[tuple[str, Any], ...]:
    """The [workbook] settings typed outside the assumption table, validated; errors name the cell."""
    settings = []
    for name, value in typed.settings().items():
        if value is None:  # a sheet an older build did not have: the default applies
            continue
        sheet, cell = L.SETTING_CELLS[name]
        where = f"{sheet}!{L.a1(*cell)}"
        try:
            settings.append((name, workbook_setting(name, value, where)))
        except CpoError as exc:
            raise CpoError(str(exc).replace(f"{where}: {name}", f"{where} {name.replace('_', ' ')}")) from None
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


PULL_HEADER = "# Inputs pulled by cpo-xl pull from"


def toml_text(user: UserFile, source: Path) -> str:
    """The TOML `cpo-xl build --assumptions` reads back into exactly these inputs."""
    data: dict[str, Any] = {"scenario": user.scenario, **dict(user.base)}
    if user.racks:
        data["rack_units"] = {str(year): racks for year, racks in user.racks}
    data["scenarios"] = {name: dict(pairs) for name, pairs in user.scenarios if pairs}
    if user.workbook:
        data["workbook"] = dict(user.workbook)
    if user.notes:
        data["notes"] = {key: text for key, text in user.notes}
    header = f"{PULL_HEADER} {source.name}; rebuild with: cpo-xl build --assumptions FILE\n"
    return header + tomli_w.dumps(data)


def write_text(target: Path, text: str) -> None:
    """Temporary file beside the target, then rename (never a half-written file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_leftovers(target.parent)
    with atomic.temp_beside(target, ".toml") as tmp:
        tmp.write_text(text, encoding="utf-8")
        atomic.put_in_place(tmp, target)
