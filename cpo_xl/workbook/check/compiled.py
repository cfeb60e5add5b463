"""A formula shape compiled once into a plain function of its references' values (used by evaluate.py).

`formulas` parses a shape into a graph of its Excel functions and operators; its own compilation wraps that
graph in a schedula dispatcher run per call (~20x the cost of the functions themselves). Here the graph's steps
run directly (:class:`Pipe`), schedula's compiled pipe only for a call whose plain run fails, so errors read
as they always did; shapes whose functions all work cell by cell can run a whole row of cells at once.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np

from cpo_xl.engine.errors import CpoError

_DUMMY = re.compile(r"^X[AB](\d+)")


def compile_key(shape: tuple[str, ...]) -> tuple[str, ...]:
    """What a shape compiles to: its text with each reference reduced to its index and kind (cell or range).

    Compilation never sees where a reference points (each becomes a dummy input), so shapes that differ only
    in their references (e.g. a PM copy's `INDEX(Scenario_Values!$B$133:$D$133, ...)` row after row) share
    one compiled function."""
    return tuple(":".join(piece.split(":", 2)[:2]) if piece.startswith("\x00") else piece for piece in shape)


def compile_shape(shape: tuple[str, ...]) -> tuple[Any, list[int]]:
    """Compile one shape with `formulas`; returns the function and, per positional input, the area index.

    The shape is parsed by `formulas`' parser and its functions and operators are run in the order of the
    parser's own graph (:class:`Pipe`); schedula's compilation (a dispatcher run to fold the constants, then
    a DispatchPipe, ~5 ms a shape, half of check's own time on the model) is made only for a cell whose plain
    run fails, so errors read as they always did."""
    import formulas
    parts = []
    for piece in shape:
        if piece.startswith("\x00"):
            index, kind = piece[1:].split(":", 2)[:2]
            k = int(index) + 1
            parts.append(f"XA{k}" if kind == "c" else f"XB{k}:XC{k}")  # dummies, one per distinct reference
        else:
            parts.append(piece)
    text = "=" + "".join(parts)
    pipe = Pipe.of(text, formulas.Parser().ast(text)[1])
    order = []
    for name in pipe.inputs:
        m = _DUMMY.match(str(name))
        if not m:
            raise CpoError(f"cannot evaluate the input {str(name)[:60]!r}")
        order.append(int(m[1]) - 1)
    return pipe, order


_PLAIN_NODE = frozenset({"type", "index", "wait_inputs", "filters", "inputs", "outputs", "function", "solve_cycle",
                         "extra_inputs"})


class Pipe:
    """A parsed `formulas` formula as a plain list of steps, with schedula's compiled pipe as the fallback.

    The steps are the nodes of the parser's graph that the result depends on, each after its inputs: each data
    node takes its input, its default value (a literal) or the output of the function before it, through the
    node's filters (the result's: `formulas`' Ranges -> value filter, as its compiled pipe has); each function
    node calls its function on its inputs (schedula's NONE dropped, as schedula does). That is what a schedula
    pipe does for plain data and function nodes, without building a workflow graph per call (~20x the cost of
    the functions themselves) nor compiling one per shape. The inputs are the graph's sources without a
    default, sorted, as `formulas` orders them. A graph with any other kind of node, and any call whose plain
    run raises, goes through `formulas`' own compiled function (`func`, compiled on first use)."""

    def __init__(self, text: str, steps: list[tuple[bool, Any, Any, Any]] | None, inputs: list[Any],
                 output: Any) -> None:
        self.text = text
        self.steps = steps
        self.inputs = inputs
        self.output = output
        self.elementwise = False  # a row of cells can go through the steps at once (:func:`_elementwise`)
        self._func: Any = None

    @property
    def func(self) -> Any:
        """`formulas`' compiled function (a schedula DispatchPipe) of the same text, with the same inputs."""
        if self._func is None:
            import formulas
            func = formulas.Parser().ast(self.text)[1].compile()
            for name in func.inputs:  # e.g. schedula's start node of a function of no argument it cannot run
                if not _DUMMY.match(str(name)):
                    raise CpoError(f"cannot evaluate the input {str(name)[:60]!r}")
            if list(func.inputs) != self.inputs:
                raise CpoError(f"inputs {list(func.inputs)} != {self.inputs} in {self.text[:60]!r}")
            self._func = func
        return self._func

    @classmethod
    def of(cls, text: str, builder: Any) -> Pipe:
        """The steps of a parsed formula (`formulas`' AstBuilder): its graph's nodes the result needs, in order."""
        import schedula
        from formulas.functions import wrap_ranges_func
        dsp = builder.dsp
        output = builder.get_node_id(builder[-1])
        defaults = {k: v["value"] for k, v in dsp.default_values.items()}
        order = _ancestors_first(output, dsp.dmap.pred)
        inputs = sorted(n for n in order if dsp.nodes[n]["type"] == "data" and not dsp.dmap.pred[n]
                        and n not in defaults)
        steps: list[tuple[bool, Any, Any, Any]] = []
        for node_id in order:
            node = dsp.nodes[node_id]
            if set(node) - _PLAIN_NODE or node["type"] not in ("data", "function") or (
                    node["type"] == "data" and (node.get("wait_inputs") or "function" in node)):
                return cls(text, None, inputs, output)
            if node["type"] == "data":
                filters = tuple(node.get("filters", ()))
                if node_id == output:
                    filters += (wrap_ranges_func(schedula.bypass),)
                steps.append((True, node_id, defaults.get(node_id, _MISSING), filters))
            else:
                steps.append((False, node["function"], tuple(node["inputs"]), tuple(node["outputs"])))
        pipe = cls(text, steps, inputs, output)
        pipe.elementwise = bool(inputs) and _elementwise(steps, output, defaults)  # no input: nothing to row
        return pipe

    def __call__(self, *args: Any) -> Any:
        if self.steps is None:
            return self.func(*args)
        try:
            return self._run(self.steps, args)
        except Exception:  # noqa: BLE001 - the schedula pipe gives the error its usual form (or a value)
            return self.func(*args)

    def row(self, *args: Any) -> Any:
        """The steps on 1 x n object arrays (one column per cell), no fallback: an exception is the caller's."""
        assert self.steps is not None and self.elementwise
        return self._run(self.steps, args)

    def _run(self, steps: list[tuple[bool, Any, Any, Any]], args: tuple[Any, ...]) -> Any:
        import schedula
        none = schedula.NONE
        values: dict[Any, Any] = dict(zip(self.inputs, args, strict=True))
        for is_data, a, b, c in steps:
            if is_data:
                value = values.get(a, b)
                if value is _MISSING:
                    raise KeyError(a)
                for f in c:
                    value = f(value)
                if value is none:
                    values.pop(a, None)
                else:
                    values[a] = value
            else:
                result = a(*[v for v in (values[k] for k in b) if v is not none])
                for name, value in zip(c, result if len(c) > 1 else (result,), strict=True):
                    if value is not none:
                        values[name] = value
        return values[self.output]


@functools.cache
def _per_cell_functions() -> frozenset[Any]:
    """`formulas`' functions that work cell by cell: each is numpy.vectorize of one Excel function over its
    arguments, its result kept as vectorize gives it (wrap_ufunc with its own return), so a 1 x n row through
    it is, cell for cell, what each cell through it gives. Excel's operators (arithmetic, comparison, &), IF
    and ABS: what the check formulas of the workbooks are made of. Aggregates (SUM, MAX, OR, ...) and lookups
    read a whole array and are not here."""
    import formulas
    from formulas.functions.operators import OPERATORS
    functions = formulas.get_functions()
    names = ("+", "-", "U-", "U+", "*", "/", "^", "%", "&", ">=", "<=", "<>", "<", ">", "=")
    return frozenset({OPERATORS[name] for name in names} | {functions["IF"]["function"], functions["ABS"]})


def _elementwise(steps: list[tuple[bool, Any, Any, Any]] | None, output: Any, defaults: dict[Any, Any]) -> bool:
    """Whether cells of this shape can be computed as one row: every function works cell by cell, every
    literal is a single value, and the result comes out of a function (a bare reference hands its value on
    as it is, which a row would not)."""
    if not steps or output in defaults:
        return False
    per_cell = _per_cell_functions()
    produced = set()
    for is_data, a, b, c in steps:
        if is_data:
            if b is not _MISSING and type(b) not in (int, float, bool, str):
                return False
        elif a not in per_cell or len(b) >= 32:  # wrap_ufunc takes 32+ arguments another way
            return False
        else:
            produced.update(c)
    return output in produced


def _ancestors_first(node: Any, pred: dict[Any, dict[Any, Any]]) -> list[Any]:
    """`node` and everything it depends on in `pred` (a graph's predecessors), each after its own inputs."""
    order: list[Any] = []
    done: set[Any] = set()
    open_: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        n, expanded = stack.pop()
        if n in done:
            continue
        if expanded:
            done.add(n)
            order.append(n)
            continue
        if n in open_:
            raise CpoError(f"a formula's graph loops through {str(n)[:60]!r}")
        open_.add(n)
        stack.append((n, True))
        stack.extend((p, False) for p in reversed(list(pred[n])) if p not in done)
    return order


_MISSING = object()


@functools.cache
def _formulas_types() -> tuple[Any, type]:
    """schedula's EMPTY and `formulas`' XlError, imported once (plain() runs for every cell; `formulas` is
    imported only when something is evaluated)."""
    import schedula
    from formulas.tokens.operand import XlError
    return schedula.EMPTY, XlError


def plain(value: Any) -> Any:
    """A `formulas` result or argument cell -> a Python value (errors as their text, e.g. '#VALUE!')."""
    empty, error = _formulas_types()
    if value is empty:
        return None
    if isinstance(value, error):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
