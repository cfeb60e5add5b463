"""Adoption curves and their calibration. Shares are fractions [0-1]; times are calendar years [yr].

All curve functions accept scalars or numpy arrays for ``t`` and return the same shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import ArrayLike

from cpo_xl.engine.assumptions import CURVE_MODELS, Rule, rule
from cpo_xl.engine.errors import CpoError, number_text
from cpo_xl.engine.types import CurveParams, Floats


def logistic(t: ArrayLike, ceiling: float, rate: float, midpoint: float) -> Floats:
    """s = L / (1 + exp(-k (t - t0))). ceiling L [0-1], rate k [1/yr], midpoint t0 [yr]."""
    x = np.clip(-rate * (np.asarray(t, dtype=float) - midpoint), -700.0, 700.0)
    return ceiling / (1.0 + np.exp(x))


def gompertz(t: ArrayLike, ceiling: float, rate: float, midpoint: float) -> Floats:
    """s = L exp(-exp(-b (t - t0))); inflection at L/e. ceiling L [0-1], rate b [1/yr], midpoint t0 [yr]."""
    x = np.clip(-rate * (np.asarray(t, dtype=float) - midpoint), -700.0, 700.0)
    return ceiling * np.exp(-np.exp(x))


def bass(t: ArrayLike, p: float, q: float, launch: float) -> Floats:
    """Bass cumulative adoption F(T) = (1-e^{-(p+q)T}) / (1+(q/p) e^{-(p+q)T}), T = t - launch [yr]; 0 before.

    p innovation [1/yr], q imitation [1/yr]. The closed form, not the discrete recursion (which lags ~1 yr).
    """
    elapsed = np.maximum(np.asarray(t, dtype=float) - launch, 0.0)
    decay = np.exp(-(p + q) * elapsed)
    # decay 0 is full adoption; where p is so small that q / p overflows, inf x 0 would be nan instead of 1
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(decay > 0.0, (1.0 - decay) / (1.0 + (q / p) * decay), 1.0)[()]


def linear_ramp(t: ArrayLike, ceiling: float, start: float, ramp_years: float) -> Floats:
    """L x clip((t - start) / ramp_years, 0, 1). ceiling [0-1], start [yr], ramp_years [yr]."""
    with np.errstate(over="ignore"):  # a vanishing ramp_years overflows to inf: the clip makes it the full ramp
        return ceiling * np.clip((np.asarray(t, dtype=float) - start) / ramp_years, 0.0, 1.0)


def curve_value(model: str, t: ArrayLike, a: float, b: float, c: float) -> Floats:
    """Raw curve by name with its three parameters (the CPO_CURVE contract).

    logistic (L, k, t0); gompertz (L, b, t0); bass (p, q, launch_year); linear (L, start, ramp_years).
    """
    if model == "logistic":
        return logistic(t, a, b, c)
    if model == "gompertz":
        return gompertz(t, a, b, c)
    if model == "bass":
        if a <= 0 or b < 0:
            raise CpoError(f"bass parameters p={a:g}, q={b:g}: p must be > 0 and q >= 0")
        return bass(t, a, b, c)
    if model == "linear":
        if c <= 0:
            raise CpoError(f"linear ramp_years {c:g}: must be > 0")
        return linear_ramp(t, a, b, c)
    raise CpoError(f"model {model!r} is unknown; allowed: {', '.join(CURVE_MODELS)}")


# CPO_CURVE's (a, b, c) per model: the field of the schema's Curve record each one is, whose bounds it takes, and
# its name in the curve's formula (see curve_value and segment_share: bass q is the rate, a launch or start
# year is the midpoint)
CURVE_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "logistic": (("ceiling", "ceiling L"), ("rate", "rate k"), ("midpoint", "midpoint t0")),
    "gompertz": (("ceiling", "ceiling L"), ("rate", "rate b"), ("midpoint", "midpoint t0")),
    "bass": (("innovation", "innovation p"), ("rate", "imitation q"), ("midpoint", "launch year")),
    "linear": (("ceiling", "ceiling L"), ("midpoint", "start year"), ("ramp_years", "ramp years")),
}


@cache
def parameter_rule(field: str) -> Rule:
    """What the schema allows for a curve parameter (every segment's curve is the same Curve record)."""
    return rule(f"penetration.scale_out.{field}")


def segment_share(curve: CurveParams, t: ArrayLike) -> Floats:
    """A segment's demand-side CPO share [0-ceiling] from its assumption record."""
    if curve.model == "bass":
        return curve.ceiling * bass(t, curve.innovation, curve.rate, curve.midpoint)
    if curve.model == "linear":
        return linear_ramp(t, curve.ceiling, curve.midpoint, curve.ramp_years)
    return curve_value(curve.model, t, curve.ceiling, curve.rate, curve.midpoint)


# ---- calibration --------------------------------------------------------------------------------------


def fit_logistic_two_anchors(t1: float, s1: float, t2: float, s2: float, ceiling: float) -> tuple[float, float,
                                                                                                  float]:
    """Closed form with known L: y_i = ln(s_i / (L - s_i)), k = (y2-y1)/(t2-t1), t0 = t1 - y1/k.

    Returns (L, k [1/yr], t0 [yr]). Worked example: 2% (2026), 35% (2030), L 60% -> k 0.926, t0 2029.6.
    """
    if t1 == t2:
        raise CpoError(f"years: the two anchors need different years, got {t1:g} twice")
    for s in (s1, s2):
        if not 0.0 < s < ceiling:
            raise CpoError(f"shares: {number_text(s)} must lie strictly between 0 and the ceiling {ceiling:g}")
    y1 = math.log(s1 / (ceiling - s1))
    y2 = math.log(s2 / (ceiling - s2))
    if y1 == y2:
        raise CpoError("shares: two equal shares give no growth rate")
    rate = (y2 - y1) / (t2 - t1)
    return ceiling, rate, t1 - y1 / rate


def three_anchor_ceiling(s1: float, s2: float, s3: float) -> float:
    """Logistic ceiling from three equally spaced anchors: L = s2 (s1 s2 + s2 s3 - 2 s1 s3) / (s2^2 - s1 s3)."""
    denominator = s2 * s2 - s1 * s3
    if denominator <= 0:
        raise CpoError(
            f"shares {s1:g}, {s2:g}, {s3:g}: need s2^2 > s1*s3 (a decelerating logistic) for a finite ceiling")
    return s2 * (s1 * s2 + s2 * s3 - 2 * s1 * s3) / denominator


def fit_logistic_three_anchors(years: Sequence[float], shares: Sequence[float]) -> tuple[float, float, float]:
    """Three equally spaced anchors -> (L, k, t0): the ceiling in closed form, then the two-anchor fit."""
    (t1, t2, t3), (s1, s2, s3) = years, shares
    if not math.isclose(t2 - t1, t3 - t2):
        raise CpoError(f"years {list(years)}: three-anchor fit needs equally spaced years")
    ceiling = three_anchor_ceiling(s1, s2, s3)
    return fit_logistic_two_anchors(t1, s1, t3, s3, ceiling)


def fit_least_squares(model: str, years: Sequence[float], shares: Sequence[float],
                      ceiling: float | None = None) -> tuple[float, float, float]:
    """Least-squares fit of a curve to n anchors; returns its (a, b, c) as in :func:`curve_value`.

    With ``ceiling`` given, logistic and Gompertz keep L fixed and bass is fitted to shares / ceiling.
    """
    from scipy.optimize import least_squares  # ~0.3 s to import: only CPO_FIT needs it
    t = np.asarray(years, dtype=float)
    s = np.asarray(shares, dtype=float)
    t_mid, peak = float(np.mean(t)), float(np.max(s))
    if model in ("logistic", "gompertz"):
        def residual(x: Floats) -> Floats:
            level = ceiling if ceiling is not None else x[0]
            return curve_value(model, t, level, x[1], x[2]) - s
        start = np.array([min(1.0, peak * 1.5), 0.8, t_mid])
        lower, upper = [peak, 1e-4, t_mid - 100], [1.0 if ceiling is None else 2.0, 20.0, t_mid + 100]
        fit = least_squares(residual, start, bounds=(lower, upper), xtol=1e-14, ftol=1e-14, gtol=1e-14)
        return (ceiling if ceiling is not None else float(fit.x[0])), float(fit.x[1]), float(fit.x[2])
    if model == "bass":
        target = s / (ceiling if ceiling else 1.0)
        def bass_residual(x: Floats) -> Floats:
            return bass(t, x[0], x[1], x[2]) - target
        start = np.array([0.03, 0.4, float(t.min()) - 1.0])
        fit = least_squares(bass_residual, start, bounds=([1e-6, 0.0, t.min() - 50], [1.0, 5.0, t.min()]),
                            xtol=1e-14, ftol=1e-14, gtol=1e-14)
        return float(fit.x[0]), float(fit.x[1]), float(fit.x[2])
    raise CpoError(f"model {model!r} cannot be fitted; allowed: logistic, gompertz, bass")


def fit_curve(model: str, years: Sequence[float], shares: Sequence[float],
              ceiling: float | None = None) -> tuple[float, float, float]:
    """Calibrate a curve: closed forms where DOMAIN.md s.4 gives them, least squares otherwise."""
    if len(years) != len(shares):
        raise CpoError(f"years and shares: {len(years)} years but {len(shares)} shares")
    if len(years) < 2:
        raise CpoError(f"years: need at least 2 anchors, got {len(years)}")
    if any(not 0.0 <= s <= 1.0 for s in shares):
        raise CpoError(f"shares {list(shares)}: each must be within 0-1")
    if ceiling is not None and not 0.0 < ceiling <= 1.0:
        raise CpoError(f"ceiling {number_text(ceiling)} is outside 0 (exclusive) to 1")
    if model == "logistic" and len(years) == 2:
        if ceiling is None:
            raise CpoError("ceiling: a two-anchor logistic fit needs the ceiling")
        return fit_logistic_two_anchors(years[0], shares[0], years[1], shares[1], ceiling)
    if model == "logistic" and len(years) == 3 and ceiling is None:
        return fit_logistic_three_anchors(years, shares)
    if len(years) < (2 if ceiling is not None else 3):
        raise CpoError(f"years: {model} without a ceiling needs at least 3 anchors")
    return fit_least_squares(model, years, shares, ceiling)
