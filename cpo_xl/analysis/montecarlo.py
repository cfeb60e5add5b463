"""Monte Carlo ranges: correlated draws of the uncertain inputs, the model run once over all draws (numpy
broadcasting over a leading draws axis), percentiles of TAM and of company exposure by year."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import numpy as np
from scipy.special import ndtr, ndtri  # the normal CDF and its inverse; scipy.stats costs 0.4 s more to import

from cpo_xl.analysis.ranges import Range, ranges
from cpo_xl.engine.case import Case
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.draws import with_draws
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import exposures_in_year, run
from cpo_xl.engine.params import to_params
from cpo_xl.engine.timeline import YEARS

T = TypeVar("T")
DEFAULT_SEED = 20261126
DEFAULT_DRAWS = 10_000
CHUNK = 10_000  # draws per vectorised pass: bounds memory (~13 x 8 bytes x lines x CHUNK)
P95_Z = 1.6448536269514722  # bear / bull read as the 5th / 95th percentile of a lognormal


@lru_cache(maxsize=1)
def setup() -> dict[str, Any]:
    """The shipped uncertainty set-up (distributions, correlations)."""
    text = resources.files("cpo_xl.engine.data").joinpath("uncertainty.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def correlation(keys: list[str], directions: Floats | None = None) -> Floats:
    """Correlation matrix [-] of the uncertain inputs' normal scores.

    Without ``directions``: identity but for the shipped pairs present (value space). With ``directions``
    (+1 where the bull value is above the bear value, -1 where below), the matrix is of 'bull-ness' scores: a
    common factor of weight c (``[common] rho``) that moves every input toward its bear or bull end together,
    plus (1 - c) x the shipped pairs turned into bull space (rho x direction_a x direction_b). Both parts are
    positive semi-definite, so the sum is a valid correlation matrix."""
    matrix = np.eye(len(keys))
    index = {k: i for i, k in enumerate(keys)}
    sign = np.ones(len(keys)) if directions is None else np.asarray(directions, dtype=float)
    for pair in setup().get("correlation", []):
        if pair["a"] in index and pair["b"] in index:
            i, j = index[pair["a"]], index[pair["b"]]
            matrix[i, j] = matrix[j, i] = pair["rho"] * sign[i] * sign[j]
    if directions is None:
        return matrix
    common = float(setup().get("common", {}).get("rho", 0.0))
    return np.asarray(common + (1.0 - common) * matrix, dtype=float) if len(keys) else matrix


def directions(uncertain: dict[str, Range], keys: list[str]) -> Floats:
    """+1 where an input's bull value is at or above its bear value, -1 where below [-]."""
    return np.asarray([1.0 if uncertain[k].bull >= uncertain[k].bear else -1.0 for k in keys])


# OpenBLAS runs a matrix product on the calling thread while rows x k x k stays at or below 4 x 65,536 (its
# GEMM_MULTITHREAD_THRESHOLD); above, it wakes a worker thread that then spins after every product, on a
# 2-core machine taking the core the model runs on between chunks (3-4 s of CPU over 1e6 draws). Rows of a
# product are computed the same way whichever thread does them, so the blocks give the same bits.
BLAS_CELLS = 2**17  # rows x k x k of one product: half OpenBLAS's threshold


def uniforms(n: int, k: int, corr: Floats, rng: np.random.Generator) -> Floats:
    """(n, k) correlated uniforms from a Gaussian copula (the correlating product taken in row blocks that
    OpenBLAS keeps on the calling thread: see BLAS_CELLS)."""
    normals = rng.standard_normal((n, k))
    factor = np.linalg.cholesky(corr).T
    rows = max(1, BLAS_CELLS // max(1, k * k))
    out = np.empty_like(normals)
    for start in range(0, n, rows):
        np.matmul(normals[start:start + rows], factor, out=out[start:start + rows])
    return np.asarray(ndtr(out, out=out))


def draw(r: Range, u: Floats, kind: str) -> Floats:
    """Values of one input for uniforms ``u``: triangular(low, mode, high) or lognormal(median = mode); whole
    numbers (years such as the first optical scale-up year) stay whole: the triangular draw is rounded."""
    low, mode, high = r.low, float(r.mode), r.high
    if high == low:
        return np.full(u.shape, mode)
    if kind == "lognormal" and low > 0:
        sigma = max(np.log(high / mode), np.log(mode / low)) / P95_Z
        return np.asarray(mode * np.exp(sigma * ndtri(u)))
    values = triangular_ppf(u, low, mode, high)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (r.bear, r.bull, r.mode)):
        return np.round(values)
    return values


def triangular_ppf(u: Floats, low: float, mode: float, high: float) -> Floats:
    """Inverse CDF of triangular(low, mode, high) at ``u`` [same unit as the bounds]; the expression of
    scipy.stats.triang.ppf (same operations in the same order, so the same bits), without its 0.4 s import
    and per-call argument checks."""
    c = (mode - low) / (high - low)
    return np.asarray(np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u))) * (high - low) + low)


@dataclass(frozen=True)
class Simulation:
    """Draws of the model: TAM [US$ M] (draws, years) and, for one year, each company's exposure [fraction]
    (draws,), as float32. Only that year's exposures are kept: memory grows by 8 x 13 + 4 x companies bytes a
    draw (1e6 draws: ~0.5 GB peak for `cpo-xl simulate`)."""

    tam: Floats
    exposure: dict[str, Floats] = field(default_factory=dict)

    def percentiles(self, qs: Iterable[float] = (0.1, 0.5, 0.9)) -> Floats:
        """(len(qs), years) TAM percentiles."""
        return np.asarray(np.percentile(self.tam, [100 * q for q in qs], axis=0))

    def exposure_percentiles(self, ticker: str, qs: Iterable[float] = (0.1, 0.5, 0.9)) -> Floats:
        """(len(qs),) percentiles of the company's exposure in the simulation's exposure year."""
        return np.asarray(np.nanpercentile(self.exposure[ticker], [100 * q for q in qs]))


MAX_DRAWS = 10_000_000
IN_MEMORY_MAX = 1_000_000  # above this, cpo-xl simulate streams (two passes, flat memory)


def check_draws(n: int) -> None:
    if isinstance(n, bool) or not 1 <= n <= MAX_DRAWS:
        raise CpoError(f"draws {n!r} is outside 1 to {MAX_DRAWS:,}")


def draw_chunks(case: Case, n: int, seed: int) -> Iterator[dict[str, Floats]]:
    """``n`` seeded, correlated draws of every uncertain input, CHUNK at a time: {dotted key: (chunk,) values}.

    The generator draws rows of standard normals in order, so the chunks joined equal one draw of all ``n``
    rows and memory stays flat in ``n``."""
    check_draws(n)
    uncertain = ranges(case)
    keys = sorted(uncertain)
    kinds = setup()["distributions"]
    signs = directions(uncertain, keys)
    corr = correlation(keys, signs)
    rng = np.random.default_rng(seed)
    for start in range(0, n, CHUNK):
        bullness = uniforms(min(CHUNK, n - start), len(keys), corr, rng)
        u = np.where(signs > 0, bullness, 1.0 - bullness)  # back to value space: low u = low value
        yield {k: draw(uncertain[k], u[:, i], kinds.get(k, setup()["default"])) for i, k in enumerate(keys)}


def draws(case: Case, n: int, seed: int) -> dict[str, Floats]:
    """All ``n`` draws at once (for tests and the loop benchmark): {dotted key: (n,) values}."""
    chunks = list(draw_chunks(case, n, seed))
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


Outcome = tuple[Floats, dict[str, Floats]]  # (draws, years) TAM [US$ M]; {ticker: (draws,) exposure [fraction]}


def one_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items`` in order, the next one made by a second thread while the caller works on the current one.

    The draws of a chunk (random numbers, the Cholesky product, inverse CDFs: numpy calls that release the GIL)
    overlap the model run on the chunk before (simulate 1e6: about a third of the time is the draws). The draws
    stay sequential and seeded (one ``next`` at a time, in order), so the numbers are the same as without the
    thread; the model itself stays in the caller's thread (its lines are cached properties, which Python 3.11
    computes under one lock per property across all instances)."""
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cpo-draws") as pool:
        upcoming = pool.submit(next, items, done)
        while (item := upcoming.result()) is not done:
            upcoming = pool.submit(next, items, done)
            yield item  # type: ignore[misc]  # any item but the sentinel is one of ``items``


def outcome_chunks(case: Case, n: int, seed: int, companies: bool = False, exposure_year: int = 2030,
                   progress: Callable[[int], None] | None = None) -> Iterator[Outcome]:
    """The model over ``n`` seeded draws, CHUNK at a time: each chunk's TAM and, with ``companies``, each
    company's exposure in ``exposure_year`` (float32, as kept). Racks typed in the case (or its file) fix the
    rack series; otherwise racks follow the drawn rack inputs. The same seed gives the same chunks."""
    column = YEARS.index(exposure_year)
    base = to_params(case.assumptions())  # once: converting the validated set costs ~4 ms, per chunk 0.4 s in 1e6
    fixed = np.asarray(case.rack_series(), dtype=float) if case.typed_racks() else None
    start = 0
    for values in one_ahead(draw_chunks(case, n, seed)):
        size = len(next(iter(values.values()))) if values else min(CHUNK, n - start)
        a = with_draws(base, values) if values else base
        # racks None: the run's own rack forecast, so its AI power and data-centre revenue lines serve the rack
        # caps, the ASIC cap and NVIDIA's revenue once (each is costly over draws)
        result = run(a, fixed, with_companies=False)
        exposures = exposures_in_year(result, column) if companies else {}
        yield (np.broadcast_to(result.tam, (size, len(YEARS))),
               {t: np.broadcast_to(e, (size,)).astype(np.float32) for t, e in exposures.items()})
        start += size
        if progress:
            progress(size)


def simulate(case: Case, n: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, companies: bool = False,
             progress: Callable[[int], None] | None = None, exposure_year: int = 2030) -> Simulation:
    """Every draw kept (memory: 8 bytes x 13 years + 4 bytes x companies a draw; 1e6 draws ~0.45 GB peak for
    `cpo-xl simulate`). Above IN_MEMORY_MAX draws use :func:`cpo_xl.analysis.streaming.percentiles`."""
    tam = np.empty((n, len(YEARS)))
    exposures: dict[str, Floats] = {}
    start = 0
    for chunk_tam, chunk_exposures in outcome_chunks(case, n, seed, companies, exposure_year, progress):
        size = len(chunk_tam)
        tam[start:start + size] = chunk_tam
        for ticker, exposure in chunk_exposures.items():
            exposures.setdefault(ticker, np.empty(n, dtype=np.float32))[start:start + size] = exposure
        start += size
    return Simulation(tam, exposures)

