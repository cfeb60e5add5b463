"""Monte Carlo ranges: correlated draws of the uncertain inputs, the model run once over all draws (numpy
broadcasting over a leading draws axis), percentiles of TAM and of company exposure by year."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from scipy import stats

from cpo_xl.analysis.scenarios import Range, ranges
from cpo_xl.engine.case import Case
from cpo_xl.engine.curves import Floats
from cpo_xl.engine.draws import with_draws
from cpo_xl.engine.errors import CpoError
from cpo_xl.engine.model import rack_forecast, run
from cpo_xl.engine.timeline import YEARS

DEFAULT_SEED = 20261126
DEFAULT_DRAWS = 10_000
CHUNK = 10_000  # draws per vectorised pass: bounds memory (~13 x 8 bytes x lines x CHUNK)
P95_Z = 1.6448536269514722  # bear / bull read as the 5th / 95th percentile of a lognormal


@lru_cache(maxsize=1)
def setup() -> dict[str, Any]:
    """The shipped uncertainty set-up (distributions, correlations)."""
    text = resources.files("cpo_xl.engine.data").joinpath("uncertainty.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def correlation(keys: list[str]) -> Floats:
    """Correlation matrix [-] of the uncertain inputs (identity but for the shipped pairs present)."""
    matrix = np.eye(len(keys))
    index = {k: i for i, k in enumerate(keys)}
    for pair in setup().get("correlation", []):
        if pair["a"] in index and pair["b"] in index:
            i, j = index[pair["a"]], index[pair["b"]]
            matrix[i, j] = matrix[j, i] = pair["rho"]
    return matrix


def uniforms(n: int, k: int, corr: Floats, rng: np.random.Generator) -> Floats:
    """(n, k) correlated uniforms from a Gaussian copula."""
    normals = rng.standard_normal((n, k)) @ np.linalg.cholesky(corr).T
    return np.asarray(stats.norm.cdf(normals))


def draw(r: Range, u: Floats, kind: str) -> Floats:
    """Values of one input for uniforms ``u``: triangular(low, mode, high) or lognormal(median = mode); whole
    numbers (years such as the first optical scale-up year) stay whole: the triangular draw is rounded."""
    low, mode, high = r.low, float(r.mode), r.high
    if high == low:
        return np.full(u.shape, mode)
    if kind == "lognormal" and low > 0:
        sigma = max(np.log(high / mode), np.log(mode / low)) / P95_Z
        return np.asarray(mode * np.exp(sigma * stats.norm.ppf(u)))
    values = np.asarray(stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (r.bear, r.bull, r.mode)):
        return np.round(values)
    return values


@dataclass(frozen=True)
class Simulation:
    """Draws of the model: TAM [US$ M] and company exposure [fraction], each (draws, years)."""

    tam: Floats
    exposure: dict[str, Floats] = field(default_factory=dict)

    def percentiles(self, qs: Iterable[float] = (0.1, 0.5, 0.9)) -> Floats:
        """(len(qs), years) TAM percentiles."""
        return np.asarray(np.percentile(self.tam, [100 * q for q in qs], axis=0))

    def exposure_percentiles(self, ticker: str, qs: Iterable[float] = (0.1, 0.5, 0.9)) -> Floats:
        return np.asarray(np.nanpercentile(self.exposure[ticker], [100 * q for q in qs], axis=0))


def draws(case: Case, n: int, seed: int) -> dict[str, Floats]:
    """``n`` seeded, correlated draws of every uncertain input of the case: {dotted key: (n,) values}."""
    if not 1 <= n <= 10_000_000:
        raise CpoError(f"draws {n} is outside 1 to 10,000,000")
    uncertain = ranges(case)
    keys = sorted(uncertain)
    kinds = setup()["distributions"]
    u = uniforms(n, len(keys), correlation(keys), np.random.default_rng(seed))
    return {k: draw(uncertain[k], u[:, i], kinds.get(k, setup()["default"])) for i, k in enumerate(keys)}


def simulate(case: Case, n: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED, companies: bool = False,
             progress: Callable[[int], None] | None = None) -> Simulation:
    """Run ``n`` seeded draws around a case. Racks typed in the case (or its file) fix the rack series;
    otherwise racks follow the drawn rack inputs."""
    base = case.assumptions()
    fixed = np.asarray(case.rack_series(), dtype=float) if case.typed_racks() else None
    values = draws(case, n, seed)
    tams: list[Floats] = []
    exposures: dict[str, list[Floats]] = {}
    for start in range(0, n, CHUNK):
        a = with_draws(base, {k: v[start:start + CHUNK] for k, v in values.items()})
        rack_arr = rack_forecast(a) if fixed is None else fixed
        result = run(a, rack_arr, with_companies=companies)
        tams.append(np.broadcast_to(result.tam, (min(CHUNK, n - start), result.tam.shape[-1])))
        for ticker, lines in result.companies.items():
            exposures.setdefault(ticker, []).append(lines.exposure)
        if progress:
            progress(min(CHUNK, n - start))
    return Simulation(np.concatenate(tams), {t: np.concatenate(v) for t, v in exposures.items()})


def loop_simulate(case: Case, n: int, seed: int = DEFAULT_SEED) -> Floats:
    """The same draws computed one at a time in a plain Python loop (for the benchmark only)."""
    base = case.assumptions()
    values = draws(case, n, seed)
    out = np.empty((n, len(YEARS)))
    for d in range(n):
        a = with_draws(base, {k: v[d:d + 1] for k, v in values.items()})
        out[d] = run(a, rack_forecast(a), with_companies=False).tam[0]
    return out
