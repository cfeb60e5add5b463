"""The command-line round trips the tests and an analyst repeat, each in a fresh process (issue 21, fast loop).

Times `build` (new file), `build` over its own unedited output, `build` over a workbook with one label edited
(refused: the guard rebuilds the recorded inputs and compares every cell and object), `pull`, `check`,
`publish` (new copy), `publish` over its own copy and `diff` of two workbooks. Each command runs in its own
interpreter (the console script's `cpo_xl.__main__:main`), so no reading is shared between commands; the figure is
the child's CPU time (user + system, steadier than wall time on a busy machine) and its wall time, medians of
`--repeat`.

With `--before DIR` (a checkout of another commit, e.g. `git worktree add /tmp/before <commit>`) the same
commands run with that code (PYTHONPATH=DIR), interleaved with this code's runs, on files each code made itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cli(code: Path, *args: str | Path) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of `cpo-xl ARGS` run by the code in ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "import sys; from cpo_xl.__main__ import main; sys.exit(main())",
                           *map(str, args)], env=env, cwd=code,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def _edit_label(path: Path, target: Path) -> None:
    """A copy of ``path`` with one label typed over (an edit pull does not carry)."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    wb["Demand"]["A6"] = "a label typed over"
    wb.save(target)


def round_trip(code: Path, work: Path) -> dict[str, tuple[float, float]]:
    """One pass of every command, in ``work``; {command: (wall, CPU)}."""
    out: dict[str, tuple[float, float]] = {}
    a, b, edited, pm = work / "a.xlsx", work / "b.xlsx", work / "edited.xlsx", work / "pm.xlsx"
    toml = work / "ero.toml"
    toml.write_text('"pricing.erosion_2027" = 0.15\n', encoding="utf-8")
    steps: list[tuple[str, tuple[str | Path, ...], int]] = [
        ("build (new file)", ("build", "--output", a), 0),
        ("build over its own output", ("build", "--output", a), 0),
        ("build, other inputs", ("build", "--assumptions", toml, "--output", b), 0),
        ("pull", ("pull", a, "--output", work / "a.toml", "--force"), 0),
        ("check", ("check", a), 0),
        ("publish (new copy)", ("publish", a, "--output", pm), 0),
        ("publish over its own copy", ("publish", a, "--output", pm), 0),
        ("diff", ("diff", a, b), 0),
    ]
    for name, args, expected in steps:
        wall, cpu, rc = _cli(code, *args)
        if rc != expected:
            raise SystemExit(f"{name}: exit {rc} with {code}")
        out[name] = (wall, cpu)
    _edit_label(a, edited)
    wall, cpu, rc = _cli(code, "build", "--output", edited)
    if rc != 2:
        raise SystemExit(f"build over an edited label: exit {rc}, expected a refusal (2) with {code}")
    out["build over an edited label (refused)"] = (wall, cpu)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with")
    args = parser.parse_args()
    codes = {"this code": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {name: [] for name in codes}
    for _ in range(args.repeat):
        for name, code in codes.items():
            work = Path(tempfile.mkdtemp(prefix="cpo-bench-"))
            try:
                runs[name].append(round_trip(code, work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    print(f"Commands in fresh processes, medians of {args.repeat}: CPU s (wall s)")
    commands = list(runs["this code"][0])
    header = f"{'command':40s}" + "".join(f"{name:>22s}" for name in codes)
    print(header + ("   before / this code (CPU)" if args.before else ""))
    totals = {name: 0.0 for name in codes}
    for command in commands:
        cells = []
        medians = {}
        for name in codes:
            cpu = statistics.median(r[command][1] for r in runs[name])
            wall = statistics.median(r[command][0] for r in runs[name])
            medians[name] = cpu
            totals[name] += cpu
            cells.append(f"{cpu:8.2f} ({wall:6.2f})")
        ratio = f"   {medians['before'] / medians['this code']:.1f}x" if args.before else ""
        print(f"{command:40s}" + "".join(f"{c:>22s}" for c in cells) + ratio)
    ratio = f"   {totals['before'] / totals['this code']:.1f}x" if args.before else ""
    print(f"{'all of them (CPU)':40s}" + "".join(f"{totals[n]:>22.2f}" for n in codes) + ratio)


if __name__ == "__main__":
    main()
