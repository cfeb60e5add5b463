"""`cpo-xl bridge A B --year Y`: a line's change between two assumption sets, attributed to the inputs that
differ (exact Shapley values), as a table and a waterfall chart PNG (with the `charts` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpo_xl.analysis import bridge as br
from cpo_xl.cli import charts
from cpo_xl.cli.setup import user_file
from cpo_xl.engine.case import Case
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.inputs import SCENARIOS

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # the .xlsm: the analyst's copy for the add-in
COLOURS = {"total": "#1F3864", "up": "#2E7D32", "down": "#C62828"}


def side(text: str, which: str) -> tuple[str, Case]:
    """A scenario name, an assumptions TOML or a workbook .xlsx or .xlsm (its Inputs, as `cpo-xl pull` reads
    them; the .xlsm is the analyst's macro-enabled copy for the add-in)."""
    name = text.strip()
    if name.lower() in SCENARIOS:
        return name.lower(), Case(name.lower())
    path = Path(name)
    if path.suffix.lower() == ".toml":
        user = user_file(path)
        return path.name, Case(user.scenario or "base", user=user)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from cpo_xl.workbook.read.userfile import user_file_from
        if not path.is_file():
            raise CpoError(f"{which} {name}: workbook not found")
        user, _ = user_file_from(path)
        return path.name, Case(user.scenario or "base", user=user)
    raise CpoError(f"{which} {text!r} is not a scenario ({', '.join(SCENARIOS)}), an assumptions .toml or a "
                   "workbook .xlsx / .xlsm")


def waterfall_png(path: Path, b: br.Bridge) -> None:
    """The bridge as a waterfall chart: A and B as full bars, each component floating from the running level."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    bars = br.waterfall(b)
    fig = Figure(figsize=(max(7.0, 1.1 * len(bars)), 4.8), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = range(len(bars))
    ax.bar(xs, [h for _, _, h, _ in bars], bottom=[lo for _, lo, _, _ in bars],
           color=[COLOURS[kind] for *_, kind in bars], edgecolor="white")
    for x, (_, lo, h, kind) in zip(xs, bars, strict=True):
        label = f"{h:,.0f}" if kind == "total" else f"{h:+,.0f}"
        ax.annotate(label, (x, max(lo, lo + h)), ha="center", va="bottom", fontsize=8, xytext=(0, 2),
                    textcoords="offset points")
    ax.set_xticks(list(xs), [label for label, *_ in bars], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(f"{b.label} [{b.unit}]")
    ax.set_title(f"{b.label} {b.year}: {b.a} -> {b.b} (Shapley attribution)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})


def run(args: argparse.Namespace) -> int:
    (name_a, case_a), (name_b, case_b) = side(args.a, "A"), side(args.b, "B")
    if name_a == name_b:
        name_a, name_b = f"A ({name_a})", f"B ({name_b})"
    folder = charts.output_folder(args.output_dir)
    b = br.bridge(case_a, case_b, args.year, args.line, (name_a, name_b))
    # before the text (see simulate); a file there that cpo-xl may not replace is refused before anything prints
    chart = charts.draw(waterfall_png, folder / f"bridge_{b.line}_{b.year}.png", b, force=args.force)
    print(br.text(b))
    print("\n" + chart)
    return 0
