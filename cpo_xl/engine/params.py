"""Plain frozen parameter objects: what the engine's functions compute on.

Validation happens once, in pydantic (:mod:`cpo_xl.engine.assumptions`); the engine then runs on plain frozen
dataclasses with the same fields, generated from the schema (nested sections as dataclasses, the companies
as a read-only mapping). Monte Carlo puts (draws, 1) arrays into copies of them; such a copy is never a cache
key (the cached entries take the validated, fingerprinted assumption set only).
"""

from __future__ import annotations

from dataclasses import make_dataclass, replace
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from cpo_xl.engine.inputs import key_path

_CLASSES: dict[type, type] = {}


def params_class(model: type[BaseModel]) -> type:
    """The frozen dataclass mirroring a schema class (made once per class)."""
    if model not in _CLASSES:
        _CLASSES[model] = make_dataclass(f"{model.__name__}Params", [(name, Any) for name in model.model_fields],
                                         frozen=True, eq=False)
    return _CLASSES[model]


def to_params(value: Any) -> Any:
    """A validated model (or a value inside it) as plain frozen parameters."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return params_class(type(value))(**{name: to_params(getattr(value, name)) for name in fields})
    if isinstance(value, dict):
        return MappingProxyType({k: to_params(v) for k, v in value.items()})
    return value


def with_values(params: Any, values: dict[str, Any]) -> Any:
    """A copy of ``params`` with the inputs at the dotted keys replaced (arrays allowed)."""
    tree: dict[str, Any] = {}
    for key, value in values.items():
        node = tree
        *parents, leaf = key_path(key)
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return _update(params, tree)


def _update(obj: Any, tree: dict[str, Any]) -> Any:
    changes = {}
    for name, sub in tree.items():
        child = obj[name] if isinstance(obj, MappingProxyType) else getattr(obj, name)
        changes[name] = _update(child, sub) if isinstance(sub, dict) else sub
    if isinstance(obj, MappingProxyType):
        return MappingProxyType({**obj, **changes})
    return replace(obj, **changes)
