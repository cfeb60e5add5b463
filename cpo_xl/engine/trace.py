"""What each line of the model reads: the engine's own line functions, instrumented.

:func:`trace` runs the model once on parameters wrapped in a recorder. Every line function of
:class:`~cpo_xl.engine.model.ModelResult` (a cached property) that runs notes the other lines it reads and
the inputs (dotted keys, e.g. ``pricing.erosion_2027``) it reads, directly or through the engine functions
it calls. Nothing is declared by hand, so the dependency graph cannot drift from the code: a new input or a
new line shows up by itself. The traced run is for the structure only; values are read from the cached run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, is_dataclass
from functools import cached_property
from typing import Any, cast

import numpy as np

from cpo_xl.engine.model import ModelResult, Racks
from cpo_xl.engine.params import to_params
from cpo_xl.engine.types import AssumptionsParams, Floats

# Every line function of the model result, by name (cached properties, private helpers included).
LINE_FUNCTIONS: frozenset[str] = frozenset(
    name for klass in ModelResult.__mro__ for name, attr in vars(klass).items() if isinstance(attr, cached_property))


@dataclass
class Graph:
    """Lines -> the lines they read, and lines -> the input keys they read (in first-read order)."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)

    def enter(self, name: str) -> None:
        if self._stack:
            _add(self.lines.setdefault(self._stack[-1], []), name)
        self.lines.setdefault(name, [])
        self.inputs.setdefault(name, [])
        self._stack.append(name)

    def leave(self) -> None:
        self._stack.pop()

    def read(self, key: str) -> None:
        if self._stack:
            _add(self.inputs[self._stack[-1]], key)


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


class _Section:
    """A section of the parameters (a dataclass or a mapping) that records every leaf read through it."""

    def __init__(self, obj: Any, prefix: str, graph: Graph) -> None:
        self._obj, self._prefix, self._graph = obj, prefix, graph

    def _wrap(self, name: str, value: Any) -> Any:
        key = f"{self._prefix}{name}"
        if is_dataclass(value) or isinstance(value, Mapping):
            return _Section(value, key + ".", self._graph)
        self._graph.read(key)
        return value

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._wrap(name, getattr(self._obj, name))

    # the companies mapping
    def __getitem__(self, name: str) -> Any:
        return self._wrap(name, self._obj[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._obj)

    def __len__(self) -> int:
        return len(self._obj)

    def __contains__(self, name: object) -> bool:
        return name in self._obj

    def keys(self) -> Any:
        return self._obj.keys()

    def items(self) -> list[tuple[str, Any]]:
        return [(name, self[name]) for name in self._obj]

    def values(self) -> list[Any]:
        return [self[name] for name in self._obj]


class _TracedResult(ModelResult):
    """The model result, noting which line is computing whenever a line function is entered."""

    def __init__(self, a: AssumptionsParams, racks: Floats, graph: Graph, with_companies: bool) -> None:
        self._graph = graph
        # the recorder stands in for the parameters: it answers the same attribute reads
        super().__init__(cast(AssumptionsParams, _Section(a, "", graph)), racks, with_companies)

    def __getattribute__(self, name: str) -> Any:
        if name in LINE_FUNCTIONS:
            graph = object.__getattribute__(self, "_graph")
            graph.enter(name)
            try:
                return object.__getattribute__(self, name)
            finally:
                graph.leave()
        return object.__getattribute__(self, name)


def trace(assumptions: AssumptionsParams, racks: Racks, lines: tuple[str, ...], with_companies: bool = True) -> Graph:
    """The dependency graph of ``lines`` (names of line functions) for one assumption set and rack series
    [racks/yr]: the lines each one reads and the inputs (dotted keys) each one reads itself."""
    graph = Graph()
    result = _TracedResult(to_params(assumptions), np.asarray(racks, dtype=float), graph, with_companies)
    for name in lines:
        getattr(result, name)
    return graph
