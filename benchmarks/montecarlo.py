"""Monte Carlo speed.

1. `cpo-xl simulate -n 1000000` against a numpy lower bound for the same draws (issue 21: at most 2x).
   - simulate: the path the command runs, in a fresh process after a warm-up of 1,000 draws:
     `montecarlo.simulate(case, n, companies=True, exposure_year=2030)` and the percentiles it prints (TAM
     P10/P50/P90 by year, each company's exposure P10/P50/P90). Also the whole command's wall time
     (interpreter, imports, chart) once.
   - numpy bound: what any implementation has to do to print the same percentiles, and nothing else: draw the
     same random numbers (the same seeded generator, chunk by chunk: standard normals, the Cholesky factor of
     the correlation, the normal CDF, each input's inverse CDF: the same input values bit for bit, checked
     here) and take the same percentiles of a (draws, years) TAM array and of the exposures (the arrays of a
     real run, so the partitioning work is the real one). It leaves out the model's own arithmetic (~70
     array operations per line of draws), so it is a floor, not a target: the 2x is what the model may cost.
   - with `--before DIR` (a checkout of another commit, e.g. `git worktree add /tmp/main main`), the same
     simulate timing for that code (PYTHONPATH=DIR), interleaved with this code's runs; the percentiles of
     both are compared (identical is the contract: same seed, same draws, same numbers).
2. 100,000 draws x 13 years vectorised against the same draws in a plain Python loop (timed on 2,000 draws,
   scaled), and the simulate path at 100,000 draws (`--small`).

Each timing runs in its own process (no warm caches shared between the variants); medians of `--repeat`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the plain-loop reference lives with the tests (tests/reference.py)


def _simulate(n: int) -> dict[str, Any]:
    from cpo_xl.analysis import montecarlo as mc
    from cpo_xl.engine.case import Case
    qs = (0.1, 0.5, 0.9)
    mc.simulate(Case(), 1000, companies=True)  # warm imports and caches
    t, cpu = time.perf_counter(), time.process_time()
    sim = mc.simulate(Case(), n, companies=True, exposure_year=2030)
    bands = sim.percentiles(qs)
    exposures = {ticker: sim.exposure_percentiles(ticker, qs).tolist() for ticker in sim.exposure}
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "tam": bands.tolist(), "exposure": exposures}


def _bound(n: int) -> dict[str, Any]:
    """The numpy lower bound (see the module docstring); the draws are checked against the package's."""
    import numpy as np
    from scipy.special import ndtr, ndtri

    from cpo_xl.analysis import montecarlo as mc
    from cpo_xl.analysis.ranges import ranges
    from cpo_xl.engine.case import Case
    case = Case()
    sim = mc.simulate(case, n, companies=True, exposure_year=2030)  # the arrays whose percentiles are taken
    tam, exposures = np.ascontiguousarray(sim.tam), dict(sim.exposure)
    del sim
    uncertain = ranges(case)
    keys = sorted(uncertain)
    kinds = mc.setup()["distributions"]
    signs = mc.directions(uncertain, keys)
    factor = np.linalg.cholesky(mc.correlation(keys, signs)).T
    plans = []  # per input: (kind, a, b, c, whole)
    for key in keys:
        r = uncertain[key]
        low, mode, high = r.low, float(r.mode), r.high
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (r.bear, r.bull, r.mode))
        if high == low:
            plans.append(("constant", mode, 0.0, 0.0, False))
        elif kinds.get(key, mc.setup()["default"]) == "lognormal" and low > 0:
            plans.append(("lognormal", mode, max(np.log(high / mode), np.log(mode / low)) / mc.P95_Z, 0.0, False))
        else:
            plans.append(("triangular", low, mode, high, whole))

    def draw_all() -> Any:
        out = np.empty((len(keys), n))
        rng = np.random.default_rng(mc.DEFAULT_SEED)
        for start in range(0, n, mc.CHUNK):
            size = min(mc.CHUNK, n - start)
            bull = ndtr(rng.standard_normal((size, len(keys))) @ factor)
            u = np.where(signs > 0, bull, 1.0 - bull).T
            for i, (kind, a, b, c, whole) in enumerate(plans):
                row = out[i, start:start + size]
                if kind == "constant":
                    row[:] = a
                elif kind == "lognormal":
                    row[:] = a * np.exp(b * ndtri(u[i]))
                else:
                    share = (b - a) / (c - a)
                    row[:] = np.where(u[i] < share, np.sqrt(share * u[i]), 1 - np.sqrt((1 - share) * (1 - u[i]))) \
                        * (c - a) + a
                    if whole:
                        np.round(row, out=row)
        return out

    check = min(n, 100_000)
    package = mc.draws(case, check, mc.DEFAULT_SEED)
    values = draw_all()
    same = all(np.array_equal(values[i, :check], package[k]) for i, k in enumerate(keys))
    t, cpu = time.perf_counter(), time.process_time()
    draw_all()
    drawn, drawn_cpu = time.perf_counter() - t, time.process_time() - cpu
    np.percentile(tam, [10.0, 50.0, 90.0], axis=0)
    for e in exposures.values():
        np.nanpercentile(e, [10.0, 50.0, 90.0])
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - cpu, "draws": drawn,
            "draws_cpu": drawn_cpu, "same_draws": same}


def _command(n: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cpo_xl.cli", "simulate", "-n", str(n), "--output-dir", tmp],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return {"seconds": time.perf_counter() - t}


def _small() -> None:
    from cpo_xl.analysis import montecarlo as mc
    from cpo_xl.engine.case import Case
    from tests.reference import one_draw_at_a_time
    n, loop_n = 100_000, 2_000
    mc.simulate(Case(), 1000)
    vector, with_companies = [], []
    for _ in range(5):
        t = time.perf_counter()
        mc.simulate(Case(), n)
        vector.append(time.perf_counter() - t)
        t = time.perf_counter()
        mc.simulate(Case(), n, companies=True, exposure_year=2030)
        with_companies.append(time.perf_counter() - t)
    t = time.perf_counter()
    one_draw_at_a_time(Case(), loop_n)
    loop = (time.perf_counter() - t) * n / loop_n
    best = statistics.median(vector)
    print(f"Monte Carlo {n:,} draws x 13 years: vectorised median {best:.2f} s (target < 1 s); plain Python loop "
          f"{loop:.1f} s (timed on {loop_n:,} draws, scaled); ratio {loop / best:.0f}x (target >= 50x)")
    print(f"Monte Carlo {n:,} draws with companies (the path of cpo-xl simulate): median "
          f"{statistics.median(with_companies):.2f} s (target < 1 s)")


WORKERS = {"simulate": _simulate, "bound": _bound, "command": _command}


def _run(kind: str, n: int, code: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--draws", str(n)], env=env, cwd=code,
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare with (e.g. main)")
    parser.add_argument("--small", action="store_true", help="also the 100,000-draw figures and the loop")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.draws)))
        return
    variants = {"this code": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    times: dict[str, list[float]] = {name: [] for name in [*variants, "bound"]}
    cpus: dict[str, list[float]] = {name: [] for name in [*variants, "bound"]}
    results: dict[str, dict[str, Any]] = {}
    for _ in range(args.repeat):
        for name, code in variants.items():
            results[name] = _run("simulate", args.draws, code)
            times[name].append(results[name]["seconds"])
            cpus[name].append(results[name]["cpu"])
        bound = _run("bound", args.draws, ROOT)
        times["bound"].append(bound["seconds"])
        cpus["bound"].append(bound["cpu"])
    floor, floor_cpu = statistics.median(times["bound"]), statistics.median(cpus["bound"])
    print(f"Monte Carlo {args.draws:,} draws (seed default, companies, percentiles), medians of {args.repeat} "
          f"(wall; CPU time of the process in brackets, steadier on a busy machine):")
    print(f"  numpy lower bound (same draws {'identical' if bound['same_draws'] else 'DIFFERENT'}; draws + "
          f"percentiles only): {floor:.2f} s [{floor_cpu:.2f} s] (draws {bound['draws']:.2f} s in the last run)")
    for name in variants:
        seconds, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        print(f"  simulate, {name}: {seconds:.2f} s = {seconds / floor:.2f}x the bound [{cpu:.2f} s = "
              f"{cpu / floor_cpu:.2f}x] (target <= 2x) [wall runs: {', '.join(f'{s:.2f}' for s in times[name])}]")
    if args.before:
        same = results["this code"]["tam"] == results["before"]["tam"] and \
            results["this code"]["exposure"] == results["before"]["exposure"]
        print(f"  percentiles of this code and before: {'identical' if same else 'DIFFERENT'}")
    command = _run("command", args.draws, ROOT)["seconds"]
    print(f"  `cpo-xl simulate -n {args.draws}` whole command (interpreter, imports, chart), this code, once: "
          f"{command:.2f} s")
    if args.small:
        _small()


if __name__ == "__main__":
    main()
