"""The uncertain inputs: each input whose bear and bull values differ, as a range around the value in force.
Pandas-free, so Monte Carlo (`cpo-xl simulate`) does not load pandas to learn what to draw."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.case import Case
from cpo_xl.engine.inputs import UserFile, flatten, key_path, scenario_values


@dataclass(frozen=True)
class Range:
    """An uncertain input: its bear value, the value in force, its bull value (low <= mode <= high sorted)."""

    key: str
    bear: Any
    mode: Any
    bull: Any

    @property
    def low(self) -> float:
        return float(min(self.bear, self.bull, self.mode))

    @property
    def high(self) -> float:
        return float(max(self.bear, self.bull, self.mode))


def value_at(assumptions: Assumptions, key: str) -> Any:
    """The value of a dotted key in an assumption set."""
    node: Any = assumptions
    for part in key_path(key):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def _like(shipped: Any, value: Any) -> Any:
    """A value read from a cell (Excel has floats only) as the shipped value's type: a whole-number input
    (a year) stays whole, so its draws are rounded as they are for the shipped value."""
    if isinstance(shipped, int) and not isinstance(shipped, bool) and isinstance(value, float) \
            and value.is_integer():
        return int(value)
    return value


@lru_cache(maxsize=16)
def scenario_ends(user: UserFile | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bear and the bull scenario as flat {dotted key: value}, once per assumptions file (read only:
    callers copy before changing them)."""
    bear, bull = (flatten(scenario_values(s, user)) for s in ("bear", "bull"))
    return bear, bull


def ranges(case: Case) -> dict[str, Range]:
    """Every input whose bear and bull values differ, with the value in force in the case as the mode; the
    case's bounds (an edited Inputs table) replace the scenarios' ends key by key, in the same key order."""
    bear, bull = (dict(ends) for ends in scenario_ends(case.user))
    for key, low, high in case.bounds:
        if key in bear:
            bear[key], bull[key] = _like(bear[key], low), _like(bull[key], high)
    current = case.assumptions()
    return {key: Range(key, bear[key], value_at(current, key), bull[key]) for key in bear
            if isinstance(bear[key], int | float) and not isinstance(bear[key], bool) and bear[key] != bull[key]}
