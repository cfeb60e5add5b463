"""Charts as PNG files, for the verbs that draw one (`simulate`, `bridge`).

matplotlib is optional (the `charts` extra). Without it a verb prints its tables and says the chart was not
drawn. The extra exists because of Excel: xlwings imports matplotlib (with pyplot) whenever it is installed,
which adds 0.35 s to every start of the add-in.

Measured and left out: drawing in a forked second process, so that matplotlib's 0.3 s import overlaps the
draws. On this 2-core machine the draws ran 0.13 s slower beside the import, which left a gain of 0.05 s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

INSTALL = "pip install 'cpo-xl[charts]'"


def available() -> bool:
    """Whether matplotlib can be imported (it is loaded here, once, if so)."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        return False
    return True


def draw(chart: Callable[..., None], path: Path, *args: Any) -> str:
    """Run ``chart(path, *args)``, which writes a PNG. Returns the line to print: where the chart was written,
    or why it was not drawn."""
    if not available():
        return f"{path.name} not drawn: matplotlib is not installed ({INSTALL})"
    path.parent.mkdir(parents=True, exist_ok=True)
    chart(path, *args)
    return f"wrote {path}"
