"""`explain`: the tree of how one number of the model is computed, top-down to its sourced inputs.

The structure comes from the engine itself (:func:`cpo_xl.engine.trace.trace`: each line function notes the
lines and the inputs it reads); the words and units from each line function's docstring ("label [unit] =
formula in words"); every value from the cached engine result of the case (``run(case)``), never a copy.
Inputs carry key, value, unit, source, date and grade (the shipped metadata) and where the value in force
comes from (shipped default, scenario, assumptions file, override, typed racks).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from cpo_xl.analysis.lines import line_items
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.demand import Segment
from cpo_xl.engine.docs import COMPANY_FIELDS, company_doc, entry_doc, line_doc
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import input_values, shipped
from cpo_xl.engine.model import LAYER_LINES, ModelResult, check_year
from cpo_xl.engine.timeline import YEARS, year_index
from cpo_xl.engine.trace import LINE_FUNCTIONS, Graph, trace

# Lines that only bundle others (a mapping of other lines, a private helper): their children show in their place.
TRANSPARENT = frozenset({"layers"})
HEADLINE_LINES = ("tam", "ports", "engines", "gbps", "lasers", "racks", "packages", "asics", "capacity", "starts",
                  "definers_tam", "foundry_tam", "lasers_tam", "fiber_tam", "equipment_tam", "engine_price")
PUBLIC_LINES = tuple(sorted(n for n in LINE_FUNCTIONS if not n.startswith("_") and n != "companies"))


@dataclass(frozen=True)
class Input:
    """One input the line reads: dotted key, value in force, unit, label, source, date, grade, origin."""

    key: str
    value: Any
    unit: str
    label: str
    source: str
    date: str
    grade: str
    origin: str


@dataclass
class Node:
    """One step: a line of the model with its value in the year, unit and formula in words; the lines it reads
    (children) and the inputs it reads itself. ``repeat``: shown in full higher up the tree."""

    name: str
    label: str
    unit: str
    formula: str
    value: Any
    children: list[Node] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    repeat: bool = False


@dataclass(frozen=True)
class Target:
    """What to explain: the line function, the keys into its value (a layer, a segment, a company's field)."""

    line: str
    keys: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return (self.line, *self.keys)


def target(case: Case, line: str, ticker: str | None = None) -> Target:
    """A line name (a model line, a registry line, or with ``ticker`` a company field) as a target; CpoError
    naming the allowed values otherwise."""
    name = line.strip()
    companies = case.assumptions().companies
    if ticker is not None:
        t = ticker.strip().upper()
        if t not in companies:
            raise CpoError(f"--ticker {ticker!r} is unknown; allowed: {', '.join(companies)}")
        if name not in COMPANY_FIELDS:
            raise CpoError(f"line {line!r} is not a company line; allowed with --ticker: {', '.join(COMPANY_FIELDS)}")
        return Target("companies", (t, name))
    if name == "tam" or name in PUBLIC_LINES:
        return Target(name)
    registry = {item.name: item.path for item in line_items(case)}
    if name in registry:
        path = registry[name]
        return Target(path[0], tuple(path[1:]))
    hint = difflib.get_close_matches(name, [*PUBLIC_LINES, *registry], n=1)
    also = f" (did you mean {hint[0]}?)" if hint else ""
    raise CpoError(f"line {line!r} is unknown{also}; allowed: {', '.join(HEADLINE_LINES)}, ... (any of the "
                   f"{len(PUBLIC_LINES)} line functions of cpo_xl.engine.model.ModelResult), a registry line name "
                   f"(the key column of the model sheets: tam_definers, pen_all, rev_AVGO, ...), or with --ticker T: "
                   f"{', '.join(COMPANY_FIELDS)}")


def _at(value: Any, i: int) -> Any:
    """A line's value in one year: a number, or a mapping of numbers (segments: Gb/s, ports, engines)."""
    if isinstance(value, Segment):
        return {"gbps": float(value.gbps[..., i]), "ports": float(value.ports[..., i]),
                "engines": float(value.engines[..., i])}
    if isinstance(value, Mapping):
        return {k: _at(v, i) for k, v in value.items()}
    return float(np.asarray(value, dtype=float)[..., i])


class _Builder:
    def __init__(self, case: Case, year: int, graph: Graph) -> None:
        self.case, self.year, self.graph = case, year, graph
        self.result: ModelResult = run(case)
        self.i = year_index(year)
        self.seen: set[str] = set()
        self.assumptions = case.assumptions()
        self.values = input_values(self.assumptions)
        _, self.meta, self.scenarios = shipped()
        self.typed = case.typed_racks()

    def node(self, name: str) -> Node:
        """The node of line function ``name`` with its subtree (a repeat is shown once, then referenced)."""
        label, unit, formula = line_doc(name)
        value = _at(getattr(self.result, name), self.i)
        if name in self.seen:
            return Node(name, label, unit, formula, value, repeat=True)
        self.seen.add(name)
        node = Node(name, label, unit, formula, value)
        self._fill(node, self.graph.lines.get(name, []), self.graph.inputs.get(name, []))
        if name == "racks":  # the forecast (a line of its own) in every year without typed racks
            node.inputs += [self.typed_input(year) for year in sorted(self.typed)]
            if len(self.typed) < len(YEARS):  # lines such as capacity also read the racks of earlier years
                node.children.append(self.node("rack_forecast"))
        return node

    def _fill(self, node: Node, lines: list[str], keys: list[str]) -> None:
        for child in lines:
            if child in TRANSPARENT or child.startswith("_"):
                self._fill(node, self.graph.lines.get(child, []), self.graph.inputs.get(child, []))
            else:
                node.children.append(self.node(child))
        known = {i.key for i in node.inputs}
        node.inputs += [self.input(k) for k in keys if k not in known]

    def input(self, key: str) -> Input:
        m = self.meta.get(key)
        value = self.values[key]
        return Input(key, value, m.unit if m else "", m.label if m else key.rsplit(".", 1)[-1],
                     m.source if m else "descriptive field (cpo_xl/engine/data/companies.toml)",
                     m.date if m else "", m.grade if m else "", self.origin(key))

    def typed_input(self, year: int) -> Input:
        return Input(f"rack_units.{year}", self.typed[year], "NVL72-eq racks", f"NVIDIA racks typed for {year}",
                     "typed by the analyst (rack_units / racks override)", "", "", "typed racks")

    def origin(self, key: str) -> str:
        """Where the value in force comes from."""
        case, user = self.case, self.case.user
        if key in dict(case.overrides):
            return "override"
        if user is not None and key in dict(user.for_scenario(case.scenario)):
            return f"assumptions file [scenarios.{case.scenario}]"
        if key in self.scenarios[case.scenario]:
            return f"scenario {case.scenario}"
        if user is not None and key in dict(user.base):
            return "assumptions file"
        return "shipped default"

    def company(self, ticker: str, field_name: str) -> Node:
        """A company's line: the engine function's docstring, its layer's TAM, the legacy market it loses (for
        the lines that read it) and the company's own inputs."""
        company = self.assumptions.companies[ticker]
        label, unit, formula = company_doc(ticker, field_name)
        value = _at(getattr(self.result.companies[ticker], field_name), self.i)
        node = Node(f"companies.{ticker}.{field_name}", label, unit, f"{company.name}: {formula}", value)
        node.children.append(self.node(LAYER_LINES[company.layer]))
        if company.displaces != "none" and field_name in ("net_exposure", "displaced"):
            node.children.append(self.node("displaced"))
        prefix = f"companies.{ticker}."
        node.inputs += [self.input(k) for k in self.graph.inputs.get("companies", []) if k.startswith(prefix)]
        return node


def explain(case: Case, line: str, year: Any, ticker: str | None = None) -> Node:
    """The tree of how ``line`` in ``year`` is computed in ``case``: values in each line's unit."""
    year = check_year(year)
    goal = target(case, line, ticker)
    graph = trace(case.assumptions(), case.rack_series(), (goal.line, "rack_forecast"))
    builder = _Builder(case, year, graph)
    if goal.line == "companies":
        return builder.company(*goal.keys)
    root = builder.node(goal.line)
    if goal.keys:  # one entry of a mapping line (a layer, a segment): its value at the top
        node: Any = getattr(builder.result, goal.line)
        for key in goal.keys:
            node = node[key] if isinstance(node, Mapping) else getattr(node, key)
        root.value = _at(node, builder.i)
        root.label, root.unit, formula = entry_doc(goal.line, goal.keys)
        root.formula = formula or root.formula
    return root


def input_keys(node: Node) -> set[str]:
    """Every input key in a tree."""
    keys = {i.key for i in node.inputs}
    for child in node.children:
        keys |= input_keys(child)
    return keys


def fmt_value(value: Any, unit: str = "") -> str:
    """A number for reading: a year as it is, thousands separators above 1,000, four significant digits below."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {fmt_value(v)}" for k, v in value.items())
    if value is None:  # an optional input with nothing on file (a company's legacy revenue)
        return "n/a (none on file)"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if not np.isfinite(value):
        return "n/a"
    if unit == "year":
        return f"{value:g}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


SOURCE_CHARS = 90


def text(node: Node, indent: str = "") -> str:
    """The tree as indented text: one line per step, one per input."""
    unit = f" {node.unit}" if node.unit and not isinstance(node.value, Mapping) else ""
    unit_note = f" [{node.unit}]" if node.unit and isinstance(node.value, Mapping) else ""
    if node.repeat:  # a mapping's values were shown with its explanation
        shown = "" if isinstance(node.value, Mapping) else f" = {fmt_value(node.value)}{unit}"
        return f"{indent}{node.label} ({node.name}){shown}  (explained above)"
    head = f"{indent}{node.label}{unit_note} ({node.name}) = {fmt_value(node.value)}{unit}"
    out = [head + (f"\n{indent}    = {node.formula}" if node.formula else "")]
    for i in node.inputs:  # the step's own inputs next to its formula, then the steps it reads
        source = i.source if len(i.source) <= SOURCE_CHARS else i.source[:SOURCE_CHARS - 3] + "..."
        grade = f"; grade {i.grade}" if i.grade else ""
        date = f"; {i.date}" if i.date else ""
        in_unit = f" {i.unit}" if i.unit else ""
        out.append(f"{indent}  input {i.key} = {fmt_value(i.value, i.unit)}{in_unit} ({i.origin}): {i.label}. "
                   f"Source: {source}{date}{grade}")
    out += [text(child, indent + "  ") for child in node.children]
    return "\n".join(out)


def as_json(node: Node) -> dict[str, Any]:
    """The tree as plain data (for tools): numbers stay numbers; a repeat names the step shown above."""
    if node.repeat:
        return {"line": node.name, "label": node.label, "unit": node.unit, "value": _plain(node.value),
                "see_above": True}
    return {"line": node.name, "label": node.label, "unit": node.unit, "formula": node.formula,
            "value": _plain(node.value),
            "steps": [as_json(child) for child in node.children],
            "inputs": [{**asdict(i), "value": _plain(i.value)} for i in node.inputs]}


def _plain(value: Any) -> Any:
    """NaN / infinity as None (strict JSON has neither)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
