"""Assumption sets whose uncertain inputs are arrays of draws, for the vectorised Monte Carlo.

The engine's functions broadcast over a leading draws axis, so one run covers many draws. Such a set skips
validation (the draws lie inside validated bear/bull ranges) and is never cached: it carries no fingerprint,
so handing it to a cached entry fails loudly instead of returning the result of the set it was copied from.
"""

from __future__ import annotations

from typing import Any

from cpo_xl.engine.assumptions import Assumptions
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.inputs import key_path


def with_draws(a: Assumptions, values: dict[str, Floats]) -> Assumptions:
    """A copy of ``a`` whose listed inputs (dotted keys) are (draws, 1) arrays."""
    tree: dict[str, Any] = {}
    for key, array in values.items():
        node = tree
        *parents, leaf = key_path(key)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = array[:, None]
    copy = _update(a, tree)
    copy.__dict__.pop("fingerprint", None)  # model_copy keeps the source's cached fingerprint: drop it
    return copy


def _update(obj: Any, tree: dict[str, Any]) -> Any:
    changes = {}
    for name, sub in tree.items():
        child = obj[name] if isinstance(obj, dict) else getattr(obj, name)
        changes[name] = _update(child, sub) if isinstance(sub, dict) else sub
    if isinstance(obj, dict):
        return {**obj, **changes}
    return obj.model_copy(update=changes)
