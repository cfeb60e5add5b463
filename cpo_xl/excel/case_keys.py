"""CPO_CASE keys: the text that *is* a case, 'cpo-case/1 SCENARIO DIGEST {json}'.

The JSON holds the overrides and bear/bull bounds that differ from the shipped assumptions (named by their
digest) and the typed racks. Any Python process decodes a key alone, so a function taking one depends on its
argument values only, in any calculation order and after any restart.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS, flatten, scenario_values
from cpo_xl.engine.keys import exact

KEY_PREFIX = "cpo-case/1"


def is_key(value: Any) -> bool:
    """True for text that claims to be a CPO_CASE key (a range or a number is not)."""
    return isinstance(value, str) and value.startswith(KEY_PREFIX + " ")


@lru_cache(maxsize=1)
def _shipped() -> tuple[str, dict[str, dict[str, Any]]]:
    """(digest, flattened values by scenario) of the shipped assumptions a key's differences are taken from."""
    values = {s: flatten(scenario_values(s)) for s in SCENARIOS}
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12], values


def _racks_text(value: float) -> float:
    """Racks as 12 significant digits: the key is the same text on every machine (the engine's forecast may
    differ in the last bit between machines); the model moves by < 1e-12 relative."""
    return float(f"{float(value):.12g}")


def case_key(case: Case) -> str:
    """The text key of a case (no user file): 'cpo-case/1 SCENARIO DIGEST {json}' where the JSON holds the
    overrides and bear/bull bounds that differ from the shipped values and the typed racks."""
    if case.user is not None:
        raise ValueError("a case key holds cell values only; a case with an assumptions file has none")
    digest, shipped = _shipped()
    own, bear, bull = shipped[case.scenario], shipped["bear"], shipped["bull"]
    payload = {
        "overrides": [[k, v] for k, v in case.overrides if k not in own or exact(own[k]) != exact(v)],
        "bounds": [[k, lo, hi] for k, lo, hi in case.bounds
                   if k not in bear or exact((bear[k], bull.get(k))) != exact((lo, hi))],
        "racks": [[y, _racks_text(r)] for y, r in case.racks],
    }
    text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    return f"{KEY_PREFIX} {case.scenario} {digest} {text}"


def recall(key: Any) -> Case:
    """The case a key describes (decoded by content: no earlier call needed); CpoError for anything else."""
    if not is_key(key):
        raise CpoError(f"case_key {str(key)[:40]!r} is not a CPO_CASE key; point it at a CPO_CASE cell")
    return _decoded(key)


@lru_cache(maxsize=256)
def _decoded(key: str) -> Case:
    try:
        _, scenario, digest, text = key.split(" ", 3)
        payload = json.loads(text)
        case = Case(scenario, tuple((str(k), v) for k, v in payload["overrides"]),
                    racks=tuple((int(y), float(r)) for y, r in payload["racks"]),
                    bounds=tuple((str(k), lo, hi) for k, lo, hi in payload["bounds"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CpoError(f"case_key {key[:40]!r}... is damaged ({exc}); point it at a CPO_CASE cell") from None
    if digest != _shipped()[0]:
        raise CpoError(f"case_key was made with assumptions {digest}, this add-in ships {_shipped()[0]}: "
                       "recalculate its CPO_CASE cell, or rebuild the workbook (cpo-xl build)")
    return case


recall_cache, shipped_cache = _decoded, _shipped  # for clear_caches (cold timings)
