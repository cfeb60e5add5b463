"""Numbers for the terminal: thousands separators, sensible decimals, `n/a` for missing, years as integers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # frames are only passed in: `simulate` prints without loading pandas (0.15 s)
    import pandas as pd

NA = "n/a"


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def money(value: Any) -> str:
    """US$ M and counts: no decimals from 10 up, one below (1.3), n/a when missing."""
    v = _finite(value)
    if v is None:
        return NA
    return f"{v:,.0f}" if abs(v) >= 10 or v == 0 else f"{v:,.1f}"


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage (0.346 -> 34.6%), n/a when missing."""
    v = _finite(value)
    return NA if v is None else f"{v:.{digits}%}"


def ratio(value: Any) -> str:
    """A multiple (model / published, elasticities): two decimals, n/a when missing."""
    v = _finite(value)
    return NA if v is None else f"{v:,.2f}"


def plain(value: Any) -> str:
    """An input value as typed: years and small numbers as they are (2031.5, 0.06), large ones with thousands
    separators (5,700,000), n/a when missing."""
    v = _finite(value)
    if v is None:
        return NA if not isinstance(value, str) else value
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.6g}"


def year(value: Any) -> str:
    v = _finite(value)
    return NA if v is None else str(int(v))


def table(frame: pd.DataFrame, formats: dict[str, Callable[[Any], str]], index: bool = False) -> str:
    """A frame as text, each named column through its formatter (others as they are); years as integers."""
    shown = frame.copy()
    for column, fmt in formats.items():
        shown[column] = [fmt(v) for v in frame[column]]
    shown.columns = [str(c) for c in shown.columns]
    return str(shown.to_string(index=index))


def grid(frame: pd.DataFrame, fmt: Callable[[Any], str]) -> str:
    """A frame of one kind of number (rows = lines, columns = years) through one formatter."""
    shown = frame.map(fmt)
    shown.columns = [str(c) for c in shown.columns]
    return str(shown.to_string())


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]], index: bool = False) -> str:
    """Text cells as a table, without pandas (0.15 s to import; `simulate` prints with this): columns
    right-aligned to their widest cell, two spaces apart; with ``index`` the first column holds the row labels,
    left-aligned under a blank head."""
    table = [list(header), *map(list, rows)]
    if index:
        table[0][0] = ""
    widths = [max(len(row[j]) for row in table) for j in range(len(table[0]))]
    return "\n".join("  ".join(cell.ljust(w) if index and j == 0 else cell.rjust(w)
                               for j, (cell, w) in enumerate(zip(row, widths, strict=True))) for row in table)
