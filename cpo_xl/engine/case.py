"""The one way into the engine: a :class:`Case` (what to run) and :func:`run` (the cached model of a case).

A case is frozen and hashable: the scenario, dotted-key overrides (an Excel assumptions range, a sensitivity),
the user's assumptions file and racks typed for given years. Every caller (CLI, UDFs, workbook,
sensitivities, Monte Carlo) builds a Case; nobody else resolves assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.inputs import Overrides, UserFile, check_scenario, clear_scenario_cache, resolve_exact
from cpo_xl.engine.keys import Exact, exact
from cpo_xl.engine.model import ModelResult, Racks, compute, rack_series

RackPairs = tuple[tuple[int, float], ...]
Bounds = tuple[tuple[str, Any, Any], ...]


@dataclass(frozen=True, eq=False)
class Case:
    """What one model run is of.

    scenario: bear, base or bull. overrides: (dotted key, value) pairs applied last. user: the analyst's
    assumptions file (its base values, its scenario sections and its typed racks). racks: (year, racks/yr)
    pairs typed for given years, over the file's and the forecast's. bounds: (dotted key, bear, bull) triples
    that replace the scenarios' bear and bull values of those keys where an input is moved between its ends (the
    tornado, Monte Carlo): the workbook's Inputs table, whose bear and bull columns the analyst may edit.
    """

    scenario: str = "base"
    overrides: Overrides = ()
    user: UserFile | None = None
    racks: RackPairs = ()
    bounds: Bounds = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenario", check_scenario(self.scenario))
        # computed once: a case is a cache key on every UDF call and its overrides hold ~280 pairs; exact, so
        # a case overriding a number with TRUE is not the case overriding it with 1 (True == 1 in Python)
        inputs = Exact((self.scenario, self.overrides, self.user))  # the key of its assumptions (one walk)
        key = (inputs.key, exact(self.racks), exact(self.bounds))
        object.__setattr__(self, "_inputs", inputs)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:  # the same case object (a cache hit): no walk of the ~280 overrides
        return self is other or (isinstance(other, Case) and hash(self) == hash(other)
                                 and self._key == other._key)  # type: ignore[attr-defined]

    def assumptions(self) -> Assumptions:
        """The validated assumption set of the case (cached per distinct content)."""
        return resolve_exact(self._inputs)  # type: ignore[attr-defined]

    def typed_racks(self) -> dict[int, float]:
        """Racks typed for given years [racks/yr]: the user file's, then the case's own on top."""
        return {**dict(self.user.racks if self.user else ()), **dict(self.racks)}

    def rack_series(self) -> Racks:
        """Racks per year of the timeline [racks/yr]: the scenario's forecast with the typed years replaced."""
        return rack_series(self.assumptions(), self.typed_racks())

    def forecast(self) -> Racks:
        """The scenario's rack forecast alone [racks/yr] (no typed racks)."""
        return rack_series(self.assumptions())

    def without_typed_racks(self) -> Case:
        """A copy whose racks follow the forecast in every year (no typed racks, the file's dropped too)."""
        user = replace(self.user, racks=()) if self.user else None
        return replace(self, racks=(), user=user)

    def with_(self, **changes: Any) -> Case:
        """A copy with some fields changed (e.g. ``case.with_(scenario="bull")``)."""
        return replace(self, **changes)

    def plus(self, key: str, value: Any) -> Case:
        """A copy with one more (dotted key, value) override."""
        return replace(self, overrides=(*self.overrides, (key, value)))


@lru_cache(maxsize=1024)
def run(case: Case) -> ModelResult:
    """Every line of the model for a case, computed once per distinct case."""
    return compute(case.assumptions(), case.rack_series())


def clear_cache() -> None:
    """Forget every cached case, assumption set and model run (benchmarks use it for cold timings)."""
    for cache in (run, resolve_exact, compute):
        cache.cache_clear()
    clear_scenario_cache()
