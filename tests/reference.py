"""Reference implementations the fast code must equal: slow, plain and obviously right (used by the tests and
by benchmarks/montecarlo.py, which times the vectorised code against them)."""

import numpy as np

from cpo_xl.analysis.montecarlo import DEFAULT_SEED, draws
from cpo_xl.engine.case import Case
from cpo_xl.engine.draws import with_draws
from cpo_xl.engine.model import rack_forecast, run
from cpo_xl.engine.timeline import YEARS


def one_draw_at_a_time(case: Case, n: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Monte Carlo TAM [US$ M], (draws, years): the same draws as montecarlo.simulate, each run through the
    model alone in a plain Python loop."""
    base = case.assumptions()
    values = draws(case, n, seed)
    out = np.empty((n, len(YEARS)))
    for d in range(n):
        a = with_draws(base, {k: v[d:d + 1] for k, v in values.items()})
        out[d] = run(a, rack_forecast(a), with_companies=False).tam[0]
    return out
