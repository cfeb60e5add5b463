"""Regenerate tests/golden/*.csv: the base case's tables (demand, penetration, TAM by layer, companies,
cross-checks). A change to them is reviewed in the same commit as the change that moved them."""

from pathlib import Path

from cpo_xl.analysis.tables import crosscheck_points, tables
from cpo_xl.engine.case import Case

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"


def write() -> list[Path]:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    case, written = Case(), []
    for name, frame in tables(case).items():
        if name == "crosscheck":
            continue
        path = GOLDEN / f"base_{name}.csv"
        frame.to_csv(path, float_format="%.12g", lineterminator="\n")
        written.append(path)
    path = GOLDEN / "base_crosscheck.csv"
    crosscheck_points(case).drop(columns=["source"]).to_csv(path, index=False, float_format="%.12g",
                                                             lineterminator="\n")
    return [*written, path]


if __name__ == "__main__":
    for p in write():
        print(f"wrote {p}")
