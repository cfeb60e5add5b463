"""Label, unit and formula in words of every model line, read from the engine's own docstrings.

A line function's docstring opens with ``Label [unit] = formula in words.``; a line that is a mapping (by
segment, by envelope) lists each entry it has a name for as a bullet ``- key: Label [unit] = formula.``
(``key`` may be dotted: ``scale_out.ports``). `explain` prints these, and the registry of line items
(:mod:`cpo_xl.analysis.lines`) takes its labels and units from here, so a line has one label and one unit.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cpo_xl.engine import companies as co
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import ModelResult

# A company's lines (CompanyLines fields) and the engine function each comes from (its docstring explains it).
COMPANY_FIELDS: dict[str, Callable[..., Any]] = {
    "cpo_revenue": co.cpo_revenue, "share": co.layer_share, "total_revenue": co.total_revenue,
    "exposure": co.exposure, "net_exposure": co.net_exposure, "ebit_elasticity": co.ebit_elasticity,
    "displaced": co.displaced_revenue}

_ENTRY = re.compile(r"^- (?P<key>[\w.]+): (?P<text>.*)$")


def _split(doc: str | None) -> tuple[str, dict[str, str]]:
    """A docstring's text without its entry bullets, and the bullets by key (continuation lines joined)."""
    text: list[str] = []
    entries: dict[str, str] = {}
    key = None
    for line in (doc or "").splitlines():
        match = _ENTRY.match(line)
        if match:
            key = match["key"]
            entries[key] = match["text"]
        elif key is not None and line.startswith(" ") and line.strip():
            entries[key] += " " + line.strip()
        else:
            key = None
            text.append(line)
    return "\n".join(text), entries


def describe(doc: str | None) -> tuple[str, str, str]:
    """(label, unit, formula) from a docstring 'Label [unit] = formula in words.'; a mapping line with no
    formula of its own has its entries' ('key = formula; ...')."""
    main, entries = _split(doc)
    text = " ".join(main.split())
    match = re.match(r"(?P<label>[^\[]*?)\s*\[(?P<unit>[^\]]*)\](?P<rest>.*)", text)
    if not match:
        return text.rstrip("."), "", ""
    rest = re.sub(r"^[\s:=,]+", "", match["rest"]).rstrip(".")
    if not rest and entries:
        rest = "; ".join(f"{key} = {describe(entry)[2]}" for key, entry in entries.items())
    return match["label"], match["unit"], rest


def line_doc(name: str) -> tuple[str, str, str]:
    """(label, unit, formula) of the model line ``name`` (a line function of :class:`ModelResult`)."""
    return describe(inspect.getdoc(getattr(ModelResult, name)))


def entry_doc(name: str, keys: tuple[str, ...]) -> tuple[str, str, str]:
    """(label, unit, formula) of one entry of the mapping line ``name`` (its bullet for ``keys``); without a
    bullet, the line's own label with the keys appended, and its unit and formula."""
    doc = inspect.getdoc(getattr(ModelResult, name))
    bullet = _split(doc)[1].get(".".join(keys))
    if bullet is not None:
        return describe(bullet)
    label, unit, formula = describe(doc)
    return f"{label}: {' '.join(keys)}", unit, formula


def company_doc(ticker: str, field_name: str) -> tuple[str, str, str]:
    """(label, unit, formula) of a company's line: 'TICKER: Label' from its engine function's docstring."""
    if field_name not in COMPANY_FIELDS:
        raise CpoError(f"{field_name!r} is not a company line; allowed: {', '.join(COMPANY_FIELDS)}")
    label, unit, formula = describe(inspect.getdoc(COMPANY_FIELDS[field_name]))
    return f"{ticker}: {label}", unit, formula


@lru_cache(maxsize=1024)
def path_doc(path: tuple[str, ...]) -> tuple[str, str, str]:
    """(label, unit, formula) of the value at ``path`` into a model result: a line, an entry of a mapping
    line, or a company's line (``("companies", ticker, field)``)."""
    if path[0] == "companies" and len(path) == 3:
        return company_doc(path[1], path[2])
    return entry_doc(path[0], tuple(path[1:])) if len(path) > 1 else line_doc(path[0])
