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

from cpo_xl.engine.errors import CpoError
from cpo_xl.workbook.replace import atomic

INSTALL = "the charts extra: pip install -c requirements.lock '.[charts]' in the cpo-xl folder"


def available() -> bool:
    """Whether matplotlib can be imported (it is loaded here, once, if so)."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        return False
    return True


def output_folder(text: str) -> Path:
    """The ``--output-dir``, checked before any work: refused when empty or a file; created now when a chart
    will be drawn, so a folder the system refuses fails in a second, not after a long simulation."""
    if not text.strip():
        raise CpoError("--output-dir is empty; give a folder (default dist)")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise CpoError(f"--output-dir {folder}: is a file, not a folder")
    if available():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CpoError(f"--output-dir {folder}: cannot create it ({exc.strerror or exc})") from None
    return folder


def draw(chart: Callable[..., None], path: Path, *args: Any) -> str:
    """Run ``chart(file, *args)``, which writes a PNG, into a temporary file beside ``path``, then rename it
    over ``path`` (the safe write every cpo-xl output takes): a failed write (a full disk) leaves the previous
    chart whole and no partial file. Returns the line to print: where the chart was written, or why it was not
    drawn."""
    if not available():
        return f"{path.name} not drawn: matplotlib is not installed ({INSTALL})"
    atomic.remove_leftovers(path.parent)
    with atomic.temp_beside(path, path.suffix) as temporary:
        try:
            chart(temporary, *args)
            atomic.put_in_place(temporary, path)
        except OSError as exc:  # name the chart, not the temporary file
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
    return f"wrote {path}"
