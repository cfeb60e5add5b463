"""Parameter sets whose uncertain inputs are arrays of draws, for the vectorised Monte Carlo.

The engine's functions broadcast over a leading draws axis, so one run covers many draws. The copy is made of
plain frozen parameters (:mod:`cpo_xl.engine.params`), skips validation (the draws lie inside validated
bear/bull ranges) and is never a cache key: the cached entry refuses anything but a validated set.
"""

from __future__ import annotations

from cpo_xl.engine.params import to_params, with_values
from cpo_xl.engine.types import AssumptionsParams, Floats


def with_draws(a: AssumptionsParams, values: dict[str, Floats]) -> AssumptionsParams:
    """Plain parameters of ``a`` (validated or already plain) whose listed inputs are (draws, 1) arrays."""
    base = to_params(a)
    return with_values(base, {key: array[:, None] for key, array in values.items()})
