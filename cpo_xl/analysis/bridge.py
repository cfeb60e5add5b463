"""`bridge`: why a line differs between two assumption sets, attributed to the inputs that differ.

Method: exact Shapley values. Let v(S) be the line in the year with the players in S at B's values and the
rest at A's. A player's component is phi_i = sum over S not holding i of |S|! (k - |S| - 1)! / k! x
(v(S + i) - v(S)): its marginal effect averaged over every order of switching the k players from A to B. The
components add up to v(all) - v(none) = B - A, do not depend on an order, change sign when A and B swap, and
are zero for an input that does not move the line.

Players: each input that differs (dotted key; racks typed for a year are ``rack_units.YEAR``) when at most
:data:`MAX_PLAYERS` differ; otherwise the inputs are grouped by section (the key without its last part:
``penetration.scale_out``, ``companies.AVGO``), and by top-level section (``racks``, ``penetration``, ...) if
that still leaves more than :data:`MAX_PLAYERS` groups. Inputs a validator ties (the engine value split, a
revenue and its year) always move together. The 2^k coalitions run through the engine in one vectorised pass
(inputs as (2^k, 1) arrays, the Monte Carlo path); the ends A and B are the cached runs of the two cases.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from cpo_xl.analysis import lines
from cpo_xl.analysis.explain import fmt_value, target
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.docs import line_doc
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import input_values, shipped
from cpo_xl.engine.model import ModelResult, check_year, rack_forecast
from cpo_xl.engine.model import run as run_params
from cpo_xl.engine.params import to_params, with_values
from cpo_xl.engine.timeline import FIRST_YEAR, YEARS, year_index

MAX_PLAYERS = 12  # 2^12 = 4,096 coalitions, one vectorised engine pass
RACKS = "rack_units."
# Inputs a validator ties together: they move as one player.
TIED = {"pricing.definers_share_of_engine": "pricing.engine_split", "pricing.foundry_share_of_engine":
        "pricing.engine_split"}
SECTION_LABELS = {
    "rack_units": "Racks typed by year", "racks": "NVIDIA rack demand", "accelerators": "Custom ASICs",
    "envelopes": "Envelopes (power, CoWoS, spend)", "demand": "Network structure", "penetration": "Penetration curves",
    "penetration.scale_out": "Penetration: scale-out curve", "penetration.scale_up": "Penetration: scale-up curve",
    "penetration.nic": "Penetration: NIC curve", "supply": "Supply and yields", "pricing": "Prices",
    "equipment": "Equipment", "crosscheck": "Cross-check band", "companies": "Companies"}
GROUPINGS = {"input": "each input that differs is a player",
             "section": "they are grouped by section (the dotted key without its last part)",
             "top-level section": "they are grouped by top-level section (the first part of the dotted key)"}


@dataclass(frozen=True)
class Component:
    """One player of the bridge: its label, its inputs with their values in A and in B, and its Shapley value
    [the line's unit]."""

    label: str
    keys: tuple[str, ...]
    before: tuple[Any, ...]
    after: tuple[Any, ...]
    value: float


@dataclass(frozen=True)
class Bridge:
    """The line in A and in B [its unit] and the Shapley components of the change."""

    line: str
    label: str
    unit: str
    year: int
    a: str
    b: str
    start: float
    end: float
    components: tuple[Component, ...]
    grouping: str
    changed: int

    @property
    def total(self) -> float:
        return self.end - self.start

    @property
    def coalitions(self) -> int:
        return 2 ** len(self.components)

    def component(self, key: str) -> float:
        """The component of the player holding input ``key``; 0 for an input that does not differ."""
        return next((c.value for c in self.components if key in c.keys), 0.0)

    @property
    def method(self) -> str:
        k, n = len(self.components), self.changed
        if self.grouping == "input":
            players = f"{n} input{'s' * (n != 1)} differ{'s' * (n == 1)}, each one a player"
        else:
            players = (f"{n} inputs differ, more than {MAX_PLAYERS}, so {GROUPINGS[self.grouping]} into {k} "
                       "players")
        return (f"Method: exact Shapley values. {players}. A player's component is its change from A to B "
                f"averaged over every order of changing the players (the engine ran all 2^{k} = "
                f"{self.coalitions:,} coalitions); the components add up to the total change and do not depend "
                "on any order.")


def side_values(case: Case) -> dict[str, Any]:
    """A case's inputs by dotted key, racks typed for a year as ``rack_units.YEAR`` first."""
    typed = {f"{RACKS}{year}": racks for year, racks in sorted(case.typed_racks().items())}
    return {**typed, **input_values(case.assumptions())}


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _section(key: str, level: str) -> str:
    if key.startswith(RACKS):
        return "rack_units"
    if level == "top-level section":
        return key.split(".", 1)[0]
    return key.rsplit(".", 1)[0]  # companies.6857.T.share_2030 -> companies.6857.T


def players(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
    """(label, keys) of every player, and the grouping used; keys in A's order (typed racks, then schema)."""
    order = list(dict.fromkeys([*a, *b]))
    changed = [k for k in order if a.get(k) != b.get(k)]
    units: dict[str, list[str]] = {}
    for key in changed:
        units.setdefault(TIED.get(key, key), []).append(key)
    _, meta, _ = shipped()
    if len(units) <= MAX_PLAYERS:
        return [(_input_label(unit, keys, meta), tuple(keys)) for unit, keys in units.items()], "input"
    for level in ("section", "top-level section"):
        groups: dict[str, list[str]] = {}
        for key in changed:
            groups.setdefault(_section(key, level), []).append(key)
        if len(groups) <= MAX_PLAYERS:
            break
    return [(_group_label(name), tuple(keys)) for name, keys in groups.items()], level


def _input_label(unit: str, keys: list[str], meta: Mapping[str, Any]) -> str:
    if len(keys) > 1:
        return unit
    key = keys[0]
    if key.startswith(RACKS):
        return f"Racks typed for {key.removeprefix(RACKS)}"
    return key


def _group_label(name: str) -> str:
    if name.startswith("companies."):
        return f"Company {name.removeprefix('companies.')}"
    return SECTION_LABELS.get(name, name)


def coalition_values(case_a: Case, a: Mapping[str, Any], b: Mapping[str, Any],
                     groups: list[tuple[str, ...]], path: tuple[str, ...], year: int) -> Floats:
    """v(S) for every coalition S (bit j of the index = player j at B's values) [the line's unit].

    Numeric inputs become (n, 1) arrays over the coalitions and run in one vectorised pass; a player holding a
    text input (a curve type, a company's layer) splits the coalitions into one pass per setting of those."""
    k = len(groups)
    masks = np.arange(2 ** k)
    scalar = [j for j, keys in enumerate(groups)
              if any(not (_numeric(a.get(key)) and _numeric(b.get(key))) for key in keys if not key.startswith(RACKS))]
    base = to_params(case_a.assumptions())
    companies = path[0] == "companies"
    out = np.empty(2 ** k)
    i = year_index(year)
    for setting in itertools.product((False, True), repeat=len(scalar)):
        chosen = np.ones(2 ** k, dtype=bool)
        for j, on in zip(scalar, setting, strict=True):
            chosen &= ((masks >> j) & 1).astype(bool) == on
        idx = masks[chosen]
        values: dict[str, Any] = {}
        moving = {key for keys in groups for key in keys}
        no = np.zeros(len(idx), dtype=bool)  # racks typed alike in A and B stay typed in every coalition
        typed = [(int(key.removeprefix(RACKS)), no, a[key], a[key]) for key in a
                 if key.startswith(RACKS) and key not in moving]
        for j, keys in enumerate(groups):
            bit = ((idx >> j) & 1).astype(bool)
            for key in keys:
                if key.startswith(RACKS):
                    typed.append((int(key.removeprefix(RACKS)), bit, a.get(key), b.get(key)))
                elif j in scalar:
                    values[key] = b[key] if setting[scalar.index(j)] else a[key]
                else:
                    values[key] = np.where(bit, float(b[key]), float(a[key]))[:, None]
        params = with_values(base, values)
        racks = np.array(np.broadcast_to(rack_forecast(params), (len(idx), len(YEARS))))
        for typed_year, bit, in_a, in_b in typed:
            col = typed_year - FIRST_YEAR
            racks[:, col] = np.where(bit, racks[:, col] if in_b is None else in_b,
                                     racks[:, col] if in_a is None else in_a)
        result = run_params(params, racks, with_companies=companies)
        out[idx] = np.broadcast_to(lines.value(result, path), (len(idx), len(YEARS)))[:, i]
    return out


def shapley(v: Floats) -> list[float]:
    """Shapley value of each player from v over all 2^k coalitions (bit j of the index = player j in)."""
    k = len(v).bit_length() - 1
    masks = np.arange(len(v))
    size = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)])
    out = []
    for j in range(k):
        without = masks[(masks >> j) & 1 == 0]
        out.append(math.fsum(weight[size[without]] * (v[without | (1 << j)] - v[without])))
    return out


def line_label(case: Case, name: str, path: tuple[str, ...]) -> tuple[str, str]:
    """(label, unit) of a line by its name (registry) or its line function's docstring."""
    items = {item.name: item for item in lines.line_items(case)}
    if name in items:
        return items[name].label, items[name].unit
    label, unit, _ = line_doc(path[0])
    return label, unit


def bridge(case_a: Case, case_b: Case, year: Any, line: str = "tam", names: tuple[str, str] = ("A", "B")) -> Bridge:
    """The Shapley bridge of ``line`` in ``year`` from case A to case B."""
    year = check_year(year)
    goal = target(case_a, line)
    path = goal.path
    start, end = (_line_value(run(c), path, line, year) for c in (case_a, case_b))
    a, b = side_values(case_a), side_values(case_b)
    groups, grouping = players(a, b)
    v = coalition_values(case_a, a, b, [keys for _, keys in groups], path, year)
    scale = max(abs(start), abs(end), 1e-300)
    if abs(v[0] - start) > 1e-9 * scale or abs(v[-1] - end) > 1e-9 * scale:
        raise CpoError(f"bridge: the coalition run gives {v[0]!r} / {v[-1]!r} where the engine gives {start!r} / "
                       f"{end!r}; please report this")
    values = shapley(v) if groups else []
    components = tuple(Component(label, keys, tuple(a.get(k) for k in keys), tuple(b.get(k) for k in keys), value)
                       for (label, keys), value in zip(groups, values, strict=True))
    label, unit = line_label(case_a, line.strip(), path)
    return Bridge(line.strip(), label, unit, year, names[0], names[1], start, end, components, grouping,
                  sum(len(keys) for _, keys in groups))


def _line_value(result: ModelResult, path: tuple[str, ...], line: str, year: int) -> float:
    node: Any = result
    for part in path:
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    if isinstance(node, Mapping):
        raise CpoError(f"line {line!r} holds one series per {'/'.join(node)}; name one, e.g. tam_definers, "
                       "pen_scale_up, curve_nic")
    return float(lines.value(result, path)[year_index(year)])


def waterfall(b: Bridge) -> list[tuple[str, float, float, str]]:
    """Bars of the waterfall chart: (label, bottom, height, kind) with kind 'total', 'up' or 'down'; heights
    signed, so a bar spans bottom to bottom + height [the line's unit]."""
    bars = [(b.a, 0.0, b.start, "total")]
    level = b.start
    for c in b.components:
        bars.append((c.label, level, c.value, "up" if c.value >= 0 else "down"))
        level += c.value
    bars.append((b.b, 0.0, b.end, "total"))
    return bars


def text(b: Bridge) -> str:
    """The bridge as a table for the terminal, with the method and each player's inputs."""
    unit = f" [{b.unit}]"
    rows = [(b.a, "", "", fmt_value(b.start))]
    level = b.start
    for c in b.components:
        level += c.value
        share = f"{c.value / abs(b.total):+.1%}" if b.total else ""
        rows.append((c.label, f"{c.value:+,.1f}" if abs(c.value) < 1000 else f"{c.value:+,.0f}", share,
                     fmt_value(level)))
    rows.append((b.b, "", "", fmt_value(b.end)))
    header = ("step", f"change{unit}", "of |total|", f"level{unit}")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(4)]
    table = ["  ".join(h.ljust(w) if n == 0 else h.rjust(w) for n, (h, w) in enumerate(zip(header, widths,
                                                                                         strict=True)))]
    table.append("-" * len(table[0]))
    table += ["  ".join(c.ljust(w) if n == 0 else c.rjust(w) for n, (c, w) in enumerate(zip(r, widths, strict=True)))
              for r in rows]
    total = sum(c.value for c in b.components)
    pct = f" ({b.total / b.start:+.1%})" if b.start else ""
    meta = shipped()[1]

    def unit_of(key: str) -> str:
        return meta[key].unit if key in meta else ""
    def shown(key: str, value: Any) -> str:  # None: no typed value on that side (racks: the forecast)
        if value is None:
            return "(forecast, not typed)" if key.startswith("rack_units.") else "(not set)"
        return fmt_value(value, unit_of(key))
    detail = [f"  {c.label}: " + "; ".join(f"{k} {shown(k, x)} -> {shown(k, y)}"
                                           for k, x, y in zip(c.keys, c.before, c.after, strict=True))
              for c in b.components]
    return "\n".join([
        f"Bridge of {b.label} ({b.line}) {b.year}{unit}: {b.a} -> {b.b}",
        b.method,
        "",
        *table,
        "",
        f"Total change {b.total:+,.1f}{pct}; sum of the components - total change = {total - b.total:.1e}",
        f"Inputs of each step ({b.a} -> {b.b}):" if b.components else "No input differs.",
        *detail,
    ])
