"""Shipped assumption data (TOML): base values with source/date/grade, scenarios, dotted-key overrides.

Resolution order, each step overriding the one before:
shipped base -> user file base values -> shipped scenario -> user file scenario section -> cell overrides.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from cpo_xl.engine.assumptions import Assumptions, validate
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.keys import Exact
from cpo_xl.engine.timeline import FIRST_YEAR, LAST_YEAR

SCENARIOS: tuple[str, ...] = ("bear", "base", "bull")
Overrides = tuple[tuple[str, Any], ...]

# Company fields that describe rather than quantify: valid keys, but not shown as numeric inputs.
MAX_ASSUMPTIONS_BYTES = 1_000_000
DESCRIPTIVE_FIELDS = ("name", "layer", "listed", "fiscal_year_end", "displaces", "growth_driver", "revenue_line")
COMPANY_FIELD_LABELS = {
    "revenue_usd_m": ("revenue baseline", "US$ M"),
    "revenue_year": ("calendar year of the revenue baseline", "year"),
    "ebit_margin": ("EBIT margin", "fraction"),
    "legacy_usd_m": ("legacy business CPO displaces (cap on displaced revenue)", "US$ M"),
    "legacy_year": ("calendar year of the legacy business figure", "year"),
    "revenue_growth": ("revenue growth", "1/yr"),
    "incremental_margin": ("incremental margin on CPO revenue", "fraction"),
    "share_2026": ("share of its layer, 2026", "fraction"),
    "share_2030": ("share of its layer, 2030", "fraction"),
    "displaced_share": ("share of the displaced legacy market", "fraction"),
    "xpu_scale_up_share": ("share of the definers' custom-XPU scale-up value", "fraction"),
}


@dataclass(frozen=True)
class Meta:
    """Where a default number comes from."""

    key: str
    label: str
    unit: str
    source: str
    date: str
    grade: str


def _read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("cpo_xl.engine.data").joinpath(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def shipped() -> tuple[dict[str, Any], dict[str, Meta], dict[str, dict[str, Any]]]:
    """(base values nested, metadata by dotted key, scenario overrides by name) from the package data."""
    values: dict[str, Any] = {}
    meta: dict[str, Meta] = {}
    _walk_defaults(_read_toml("defaults.toml"), (), values, meta)
    companies = _read_toml("companies.toml")
    values["companies"] = {}
    for ticker, fields in companies["companies"].items():
        values["companies"][ticker] = _company_values(ticker, fields, companies["field_sources"], meta)
    scenario_data = _read_toml("scenarios.toml")
    scenarios = {name: dict(scenario_data.get(name, {})) for name in SCENARIOS}
    return values, meta, scenarios


def _walk_defaults(node: Mapping[str, Any], path: tuple[str, ...], out: dict[str, Any],
                   meta: dict[str, Meta]) -> None:
    for name, item in node.items():
        if isinstance(item, dict) and "value" in item:
            key = ".".join((*path, name))
            out[name] = item["value"]
            meta[key] = Meta(key, item["label"], item["unit"], item["source"], item["date"], item["grade"])
        elif isinstance(item, dict):
            out[name] = {}
            _walk_defaults(item, (*path, name), out[name], meta)


def _company_values(ticker: str, fields: Mapping[str, Any], field_sources: Mapping[str, Any],
                    meta: dict[str, Meta]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, item in fields.items():
        key = f"companies.{ticker}.{field}"
        if isinstance(item, dict):  # revenue_usd_m / ebit_margin / legacy_usd_m carry their own source
            out[field] = item["value"]
            _company_meta(meta, ticker, fields["name"], field, item)
            for year_field in ("revenue_year", "legacy_year"):
                if year_field in item:
                    out[year_field] = item[year_field]
                    _company_meta(meta, ticker, fields["name"], year_field, item)
        else:
            out[field] = item
            if field in field_sources:
                _company_meta(meta, ticker, fields["name"], field, field_sources[field])
            elif field not in DESCRIPTIVE_FIELDS:
                raise CpoError(f"companies.toml: {key} has no source")
    return out


def _company_meta(meta: dict[str, Meta], ticker: str, name: str, field: str, src: Mapping[str, Any]) -> None:
    label, unit = COMPANY_FIELD_LABELS[field]
    key = f"companies.{ticker}.{field}"
    meta[key] = Meta(key, f"{name}: {label}", unit, src["source"], src["date"], src["grade"])


def flatten(node: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mapping -> {dotted key: leaf value}."""
    flat: dict[str, Any] = {}
    for name, item in node.items():
        key = f"{prefix}{name}"
        if isinstance(item, Mapping):
            flat.update(flatten(item, key + "."))
        else:
            flat[key] = item
    return flat


@lru_cache(maxsize=1)
def known_keys() -> frozenset[str]:
    """Every dotted key an override may name (descriptive company fields included)."""
    values, _, _ = shipped()
    keys = set(flatten(values))
    for ticker in values["companies"]:
        keys.update(f"companies.{ticker}.{f}" for f in ("revenue_usd_m", "revenue_year", "ebit_margin",
                                                         "legacy_usd_m", "legacy_year"))
    return frozenset(keys)


@lru_cache(maxsize=1)
def _shipped_flat() -> dict[str, Any]:
    return flatten(shipped()[0])


def _tree_copy(node: Any) -> Any:
    """A copy of nested dicts and lists whose leaves (numbers, text) are shared: copy.deepcopy's result for
    these trees, several times faster (every case resolved copies the ~300-input tree)."""
    if isinstance(node, dict):
        return {k: _tree_copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_tree_copy(v) for v in node]
    return node


def apply_overrides(values: dict[str, Any], overrides: Iterable[tuple[str, Any]], where: str) -> dict[str, Any]:
    """A deep copy of ``values`` with each (dotted key, value) set; unknown keys raise :class:`CpoError`."""
    result = _tree_copy(values)
    keys = known_keys()
    shipped_flat = _shipped_flat()
    for raw_key, value in overrides:
        key = str(raw_key).strip()
        if key not in keys:
            hint = difflib.get_close_matches(key[:200], sorted(keys), n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else "; keys are listed on the Inputs sheet"
            raise CpoError(f"{where}: assumption key {short(key)} is unknown{suggestion}", key=key)
        value = python_value(value)
        if isinstance(value, bool) and not isinstance(shipped_flat.get(key), bool):
            raise CpoError(f"{where}: assumption {key}: {value!r} is a boolean; a number is needed", key=key)
        if isinstance(value, list | dict):
            raise CpoError(f"{where}: assumption {key}: {short(value)} is a list or table; one value is needed",
                           key=key)
        node = result
        *parents, leaf = key_path(key)
        for part in parents:
            node = node[part]
        node[leaf] = _clean(value)
    return result


def python_value(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (np.True_ is a boolean, np.int64 a number); anything else as
    it is."""
    return value.item() if isinstance(value, np.generic) else value


def short(value: Any, limit: int = 60) -> str:
    """repr of a value cut to a readable length (a pasted 2 MB value must not flood a message)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def key_path(key: str) -> list[str]:
    """A dotted key as its path; a company ticker may itself hold a dot (companies.6857.T.share_2030)."""
    if key.startswith("companies."):
        ticker, field = key.removeprefix("companies.").rsplit(".", 1)
        return ["companies", ticker, field]
    return key.split(".")


def _clean(value: Any) -> Any:
    """Excel hands over whole numbers as floats (2027.0) and text with stray spaces."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def check_scenario(scenario: Any) -> str:
    """A scenario name, trimmed and lower-cased; :class:`CpoError` when unknown."""
    name = "base" if scenario is None or (isinstance(scenario, str) and not scenario.strip()) else scenario
    if not isinstance(name, str) or name.strip().lower() not in SCENARIOS:
        raise CpoError(f"scenario {scenario!r} is unknown; allowed: {', '.join(SCENARIOS)}")
    return name.strip().lower()


@dataclass(frozen=True)
class UserFile:
    """Overrides read from a user's assumptions TOML: base values and per-scenario sections."""

    base: Overrides
    scenarios: tuple[tuple[str, Overrides], ...]
    racks: tuple[tuple[int, float], ...] = ()  # [rack_units]: racks typed for given years
    scenario: str | None = None  # the scenario the workbook showed
    workbook: tuple[tuple[str, Any], ...] = ()  # [workbook]: WORKBOOK_SETTINGS typed in the workbook
    notes: tuple[tuple[str, str], ...] = ()  # [notes]: the Inputs comment column, by dotted key
    # [cell_notes.COLUMN]: notes a person put on Inputs cells, (column, dotted key or rack year, text), sorted;
    # COLUMN is an Inputs column title (bear, base, ...) or "racks" (the rack override row, by year)
    cell_notes: tuple[tuple[str, str, str], ...] = ()

    def for_scenario(self, scenario: str) -> Overrides:
        return dict(self.scenarios).get(scenario, ())


# [workbook] settings a person types in the workbook outside the assumption table: (kind, low, high)
WORKBOOK_SETTINGS = {"ranking_year": ("year", FIRST_YEAR, LAST_YEAR), "tornado_year": ("year", FIRST_YEAR, LAST_YEAR),
                     "check_tolerance": ("number", 1e-12, 0.1)}
MAX_NOTE = 2_000  # characters of one comment


def workbook_setting(name: str, value: Any, where: str) -> int | float:
    """A validated [workbook] setting (whole year or bounded number; never a boolean)."""
    if name not in WORKBOOK_SETTINGS:
        raise CpoError(f"{where}: [workbook] {name} is unknown; allowed: {', '.join(WORKBOOK_SETTINGS)}")
    kind, low, high = WORKBOOK_SETTINGS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CpoError(f"{where}: {name} = {short(value)} is not a number")
    if kind == "year" and float(value) != int(value):
        raise CpoError(f"{where}: {name} = {value!r} is not a whole year")
    if not low <= value <= high:
        raise CpoError(f"{where}: {name} = {value!r} is outside {low:g} to {high:g}")
    return int(value) if kind == "year" else float(value)


def _notes(table: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict):
        raise CpoError(f"{where}: [notes] must be a table of dotted key = text")
    notes = flatten(table)
    for key, text in notes.items():
        if not isinstance(text, str) or len(text) > MAX_NOTE:
            raise CpoError(f"{where}: note {key} must be text of at most {MAX_NOTE:,} characters")
        if key not in known_keys():
            raise CpoError(f"{where}: note {key}: no such assumption")
    return tuple(sorted(notes.items()))


def _cell_notes(table: Any, where: str) -> tuple[tuple[str, str, str], ...]:
    """[cell_notes.COLUMN] tables of key (or rack year) = text -> sorted (column, key, text). The workbook
    checks the column names (the Inputs sheet's own); the keys and the text are checked here."""
    if not isinstance(table, dict):
        raise CpoError(f"{where}: [cell_notes] must hold tables [cell_notes.COLUMN] of key = text")
    out = []
    for column, notes in table.items():
        if not isinstance(notes, dict):
            raise CpoError(f"{where}: [cell_notes.{column}] must be a table of key = text")
        for key, text in flatten(notes).items():
            if not isinstance(text, str) or len(text) > MAX_NOTE:
                raise CpoError(f"{where}: cell note {column} {key} must be text of at most {MAX_NOTE:,} characters")
            year_ok = key.isascii() and key.isdigit() and FIRST_YEAR <= int(key) <= LAST_YEAR
            if column == "racks" and not year_ok:
                raise CpoError(f"{where}: cell note racks {key}: not a year {FIRST_YEAR}-{LAST_YEAR}")
            if column != "racks" and key not in known_keys():
                raise CpoError(f"{where}: cell note {column} {key}: no such assumption")
            out.append((str(column), key, text))
    return tuple(sorted(out))


def read_user_file(path: str | Path) -> UserFile:
    """Parse a user assumptions TOML (nested tables or dotted keys; optional [scenarios.bear] etc.)."""
    try:
        with open(path, "rb") as handle:  # bounded: /dev/zero or a huge file must not exhaust memory
            raw = handle.read(MAX_ASSUMPTIONS_BYTES + 1)
        if len(raw) > MAX_ASSUMPTIONS_BYTES:
            raise CpoError(f"assumptions file {path}: larger than {MAX_ASSUMPTIONS_BYTES:,} bytes")
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a byte-order mark (Notepad writes one) is not content
    except FileNotFoundError:
        raise CpoError(f"assumptions file {path}: not found") from None
    except IsADirectoryError:
        raise CpoError(f"assumptions file {path}: is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CpoError(f"assumptions file {path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise CpoError(f"assumptions file {path}: not valid TOML ({str(exc)[:200]})") from None
    if not data:
        raise CpoError(f"assumptions file {path}: holds no assumptions")
    sections = data.pop("scenarios", {})
    if not isinstance(sections, dict) or any(name not in SCENARIOS for name in sections):
        raise CpoError(f"assumptions file {path}: [scenarios] may only hold {', '.join(SCENARIOS)}")
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise CpoError(f"assumptions file {path}: scenarios.{name} must be a table of key = value")
    racks = data.pop("rack_units", {})
    scenario = data.pop("scenario", None)
    try:
        scenario = None if scenario is None else check_scenario(scenario)
    except CpoError as exc:
        raise CpoError(f"assumptions file {path}: {exc}") from None
    settings = data.pop("workbook", {})
    if not isinstance(settings, dict):
        raise CpoError(f"assumptions file {path}: [workbook] must be a table of setting = value")
    workbook = tuple(sorted((k, workbook_setting(k, v, f"assumptions file {path}")) for k, v in settings.items()))
    notes = _notes(data.pop("notes", {}), f"assumptions file {path}")
    cell_notes = _cell_notes(data.pop("cell_notes", {}), f"assumptions file {path}")
    if not isinstance(racks, dict):
        raise CpoError(f"assumptions file {path}: [rack_units] must be a table of year = racks")
    for section in (data, *sections.values()):
        for key, value in flatten(section).items():
            if isinstance(value, list):
                raise CpoError(f"assumptions file {path}: {key} = {short(value)} is a list; one value is needed")
    return UserFile(
        base=tuple(flatten(data).items()),
        scenarios=tuple((name, tuple(flatten(sec).items())) for name, sec in sorted(sections.items())),
        racks=tuple(sorted(_rack_pairs(racks, path))),
        scenario=scenario,
        workbook=workbook,
        notes=notes,
        cell_notes=cell_notes,
    )


def _rack_pairs(table: Mapping[str, Any], path: str | Path) -> list[tuple[int, float]]:
    pairs = []
    for year, racks in table.items():
        # ASCII digits only: str.isdigit() also takes "²" (int() then fails) and full-width "２０２８"
        if not (isinstance(year, str) and year.isascii() and year.isdigit()) or isinstance(racks, bool) \
                or not isinstance(racks, int | float):
            raise CpoError(f"assumptions file {path}: rack_units {short(year)} = {short(racks)}; allowed: "
                           "year = number (a year in ASCII digits, e.g. 2028 = 30000)")
        if not 0 <= racks <= 1e9 or not math.isfinite(racks):
            raise CpoError(f"assumptions file {path}: rack_units {year} = {racks!r} is outside 0 to 1e9")
        pairs.append((int(year), float(racks)))
    return pairs


def scenario_values(scenario: str, user: UserFile | None = None) -> dict[str, Any]:
    """Nested plain values of a scenario, before cell overrides (not validated); the caller's own copy."""
    return _tree_copy(_scenario_values(Exact((check_scenario(scenario), user))))


def clear_scenario_cache() -> None:
    """Forget the scenarios' values (a cold timing starts from the files' values again)."""
    _scenario_values.cache_clear()


@lru_cache(maxsize=32)
def _scenario_values(key: Exact) -> dict[str, Any]:
    """:func:`scenario_values` of (scenario, user file), once per pair (read only: shared by every case resolved).
    Keyed by :class:`Exact`: a file's TRUE is not its 1."""
    scenario, user = key.value
    base, _, scenarios = shipped()
    values = base
    if user is not None:
        values = apply_overrides(values, user.base, "assumptions file")
    values = apply_overrides(values, scenarios[scenario].items(), f"scenario {scenario}")
    if user is not None:
        values = apply_overrides(values, user.for_scenario(scenario), f"assumptions file [scenarios.{scenario}]")
    return values


@lru_cache(maxsize=256)
def resolve_exact(key: Exact) -> Assumptions:
    """Validated assumptions of an :class:`Exact` (checked scenario, (dotted key, value) overrides applied last,
    user file), cached: :meth:`Case.assumptions` makes the key once per case (a TRUE is not a 1)."""
    scenario, overrides, user = key.value
    values = _scenario_values(Exact((scenario, user)))  # not changed: apply_overrides copies
    if overrides:
        values = apply_overrides(values, overrides, "assumptions")
    return validate(values)


def input_values(assumptions: Assumptions) -> dict[str, Any]:
    """Every input of a validated set by dotted key, in schema order (companies' descriptive fields too)."""
    return flatten(assumptions.model_dump())
