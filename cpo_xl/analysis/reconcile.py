"""The reconciliation with published forecasts and disclosed anchors, computed in one place.

Every writer (the TAM sheet's cross-check table, the Checks sheet, the Summary) and the CLI (`summary`,
the pandas tables) take their ratios and pass / flag verdicts from here, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cpo_xl.engine import crosscheck as xc
from cpo_xl.engine.case import Case, run
from cpo_xl.engine.model import ModelResult
from cpo_xl.engine.timeline import year_index


@dataclass(frozen=True)
class Reconciled:
    """A published figure against the model line of its scope in its year."""

    point: xc.Published
    model: float  # the model line in the figure's year [the figure's unit]
    ratio: float  # model / published [x]
    passes: bool  # within the band (same scope) or below the ceiling (broader scope)


@dataclass(frozen=True)
class Anchored:
    """A disclosed near-term anchor against the model line it pins in its year."""

    anchor: xc.Anchor
    model: float  # the model line in the anchor's year [the anchor's unit]
    ratio: float  # model / disclosed [x]
    passes: bool  # a floor at >= 1; a part of a broader figure within [0.2, 1]


def reconciled(case: Case) -> list[Reconciled]:
    """Every published figure reconciled for ``case``, in file order."""
    r, band = run(case), case.assumptions().crosscheck.band
    return [_reconcile(r, p, band) for p in xc.published()]


def read_in_own_scenario(case: Case) -> list[Reconciled]:
    """Each scenario's own published figure (read_in: a bull case) against that scenario of ``case``'s
    assumptions, whichever scenario ``case`` shows."""
    band = case.assumptions().crosscheck.band
    return [_reconcile(run(case.with_(scenario=p.read_in)), p, band) for p in xc.published() if p.read_in]


def _reconcile(r: ModelResult, p: xc.Published, band: float) -> Reconciled:
    """One published figure against the model line of its scope in its year of the run ``r``."""
    model = float(np.asarray(xc.model_line(r, p.metric))[year_index(p.year)])
    ratio = xc.ratio(model, p)
    return Reconciled(p, model, ratio, xc.passes(ratio, p, band))


def anchored(case: Case) -> list[Anchored]:
    """Every disclosed anchor reconciled for ``case``, in file order."""
    r = run(case)
    out = []
    for a in xc.anchors():
        model = float(np.asarray(xc.anchor_line(r, a))[year_index(a.year)])
        ratio = model / a.value
        out.append(Anchored(a, model, ratio, xc.anchor_passes(ratio, a)))
    return out
