"""Exact Monte Carlo percentiles in memory flat in the number of draws: two passes over the same seeded chunks.

Pass 1 counts every series' values into 2**BITS bins of their order-preserving IEEE-754 bit pattern (so no
value range is needed in advance); pass 2 draws the same chunks again (same seed) and keeps only the values in
the bins that hold the order statistics a percentile needs. The percentile is then numpy's linear
interpolation between those two order statistics, so the result equals ``np.percentile`` over all draws.
Memory: the bin counts (2**BITS x 8 bytes per series) and the kept values (~1% of the draws per percentile in
the worst case seen), whatever the number of draws; time: twice one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from cpo_xl.analysis.montecarlo import outcome_chunks
from cpo_xl.engine.case import Case
from cpo_xl.engine.curves import Floats

BITS = 18  # bins per series: 2**18 (6 mantissa bits: each bin ~1.1% wide in relative terms)
SIGN = np.uint64(1 << 63)


def bin_of(values: Floats) -> np.ndarray:
    """Bin index [0, 2**BITS) of each value, increasing with the value (the top BITS of its ordered bits)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    ordered = np.where(bits & SIGN, ~bits, bits | SIGN)
    return (ordered >> np.uint64(64 - BITS)).astype(np.int64)


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's percentile interpolation between two order statistics (same operations, same bits)."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


@dataclass
class _Series:
    """One series (a year's TAM or a company's exposure): bin counts, then the kept values."""

    counts: np.ndarray
    cumulative: np.ndarray | None = None
    needed: np.ndarray | None = None
    kept: list[Floats] | None = None

    def add_counts(self, values: Floats) -> None:
        values = values[~np.isnan(values)]
        self.counts += np.bincount(bin_of(values), minlength=self.counts.size)

    def plan(self, qs: list[float]) -> None:
        n = int(self.counts.sum())
        ranks = {min(r, n - 1) for q in qs for r in (int(np.floor(q * (n - 1))), int(np.floor(q * (n - 1))) + 1)}
        self.cumulative = np.cumsum(self.counts)
        self.needed = np.unique(np.searchsorted(self.cumulative, [r + 1 for r in ranks], side="left"))
        self.kept = []

    def keep(self, values: Floats) -> None:
        values = values[~np.isnan(values)]
        assert self.kept is not None and self.needed is not None
        self.kept.append(values[np.isin(bin_of(values), self.needed)])

    def order_statistic(self, rank: int, kept: Floats) -> float:
        """The value of 0-based rank ``rank`` among all (non-NaN) draws."""
        assert self.cumulative is not None
        bin_index = int(np.searchsorted(self.cumulative, rank + 1, side="left"))
        below = int(self.cumulative[bin_index - 1]) if bin_index else 0
        in_bin = np.sort(kept[bin_of(kept) == bin_index])
        return float(in_bin[rank - below])

    def percentiles(self, qs: list[float]) -> Floats:
        assert self.kept is not None
        kept = np.concatenate(self.kept) if self.kept else np.empty(0)
        n = int(self.counts.sum())
        if n == 0:
            return np.full(len(qs), np.nan)
        out = []
        for q in qs:
            h = q * (n - 1)
            lo = int(np.floor(h))
            hi = min(lo + 1, n - 1)
            out.append(_lerp(self.order_statistic(lo, kept), self.order_statistic(hi, kept), h - lo))
        return np.asarray(out)


@dataclass(frozen=True)
class Percentiles:
    """The percentiles of a streamed run, with :class:`~cpo_xl.analysis.montecarlo.Simulation`'s interface
    for the quantiles it was run for."""

    qs: tuple[float, ...]
    tam: Floats  # (len(qs), years) [US$ M]
    exposure: dict[str, Floats]  # ticker -> (len(qs),) [fraction]

    def percentiles(self, qs: Iterable[float]) -> Floats:
        return self.tam[[self.qs.index(q) for q in qs]]

    def exposure_percentiles(self, ticker: str, qs: Iterable[float]) -> Floats:
        return self.exposure[ticker][[self.qs.index(q) for q in qs]]


def percentiles(case: Case, n: int, seed: int, qs: Iterable[float], companies: bool = False,
                exposure_year: int = 2030, progress: Callable[[int], None] | None = None) -> Percentiles:
    """P(q) of TAM by year and of each company's exposure, exactly as over all ``n`` draws, in flat memory.
    ``progress`` hears every chunk of both passes (2 n draws in all)."""
    qs = tuple(qs)
    tam_series: list[_Series] = []
    company_series: dict[str, _Series] = {}
    for tam, exposures in outcome_chunks(case, n, seed, companies, exposure_year, progress):
        if not tam_series:
            tam_series = [_Series(np.zeros(2**BITS, dtype=np.int64)) for _ in range(tam.shape[1])]
        for j, series in enumerate(tam_series):
            series.add_counts(tam[:, j])
        for ticker, values in exposures.items():
            company_series.setdefault(ticker, _Series(np.zeros(2**BITS, dtype=np.int64))).add_counts(
                values.astype(np.float64))
    for series in (*tam_series, *company_series.values()):
        series.plan(list(qs))
    for tam, exposures in outcome_chunks(case, n, seed, companies, exposure_year, progress):
        for j, series in enumerate(tam_series):
            series.keep(tam[:, j])
        for ticker, values in exposures.items():
            company_series[ticker].keep(values.astype(np.float64))
    return Percentiles(qs, np.stack([s.percentiles(list(qs)) for s in tam_series], axis=1),
                       {t: s.percentiles(list(qs)) for t, s in company_series.items()})
