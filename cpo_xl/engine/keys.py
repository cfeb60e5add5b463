"""Cache keys that keep a boolean apart from a number.

Python calls ``True == 1 == 1.0`` and ``False == 0`` and hashes them alike, so a cache keyed by plain values
hands a call with TRUE the result computed for 1 (and a call with 1 the error raised for TRUE): the answer
would depend on what was calculated before. Every cache of the model keyed by inputs keys on :func:`exact`
(or an :class:`Exact`) instead.
"""

from __future__ import annotations

import dataclasses
from itertools import chain
from typing import Any

import numpy as np

PLAIN = frozenset({str, int, float, type(None)})  # compared as they are (1 == 1.0 is the same number)
BOOLEANS = frozenset({bool, np.bool_})
TUPLES = frozenset({tuple})
SCALARS = PLAIN | BOOLEANS
ROWS = "rows"  # tags the rows key: (ROWS, rows, boolean mask)


def exact(value: Any) -> Any:
    """``value`` as a hashable key equal only to keys of values that are equal *and* alike in being booleans.

    Booleans (Python's and numpy's) become ``(bool, value)``; lists and tuples become tuples of keys, except
    rows of scalars, which become (ROWS, the rows, where the booleans stand): equal rows with booleans in the
    same places hold equal booleans and equal numbers. Dataclass instances become (class, field keys); anything
    else is itself."""
    kind = type(value)
    if kind in PLAIN:
        return value
    if kind in BOOLEANS:
        return (bool, bool(value))
    if kind is tuple or kind is list:
        kinds = tuple(map(type, value))  # scanned in C: the common shapes cost microseconds, not a walk
        if PLAIN.issuperset(kinds):
            return tuple(value)
        if kind is tuple and TUPLES.issuperset(kinds):  # rows (a case's overrides, its bounds)
            leaves = tuple(map(type, chain.from_iterable(value)))
            if SCALARS.issuperset(leaves):  # the rows as they are, and where their booleans stand
                return (ROWS, value, tuple(map(BOOLEANS.__contains__, leaves)))
        return tuple([exact(v) for v in value])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind, tuple([exact(getattr(value, f.name)) for f in dataclasses.fields(value)]))
    return value


class Exact:
    """A value wrapped as a cache key: hashed and compared by :func:`exact` (the value itself kept to use)."""

    __slots__ = ("hash", "key", "value")

    def __init__(self, value: Any) -> None:
        self.value = value
        self.key = exact(value)
        self.hash = hash(self.key)

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exact) and self.hash == other.hash and self.key == other.key
