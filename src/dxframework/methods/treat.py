"""Outlier treatment (METHODS.md §5): skew/kurtosis check, winsorisation, log fallback.

All functions work on ``(..., units, indicators)`` arrays and treat every indicator (and every
leading-axis variant) at once: the winsorisation loop runs over steps (at most ``winmax``), not
over units or indicators.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.methods._nan import nanmax, nanmin
from dxframework.methods.stats import count, skew_kurt

__all__ = [
    "TreatmentResult",
    "boxcox",
    "log_ct",
    "log_plus_one",
    "log_signed",
    "passes",
    "treat_default",
    "winsorise",
]

F = NDArray[np.float64]
B = NDArray[np.bool_]


def _pass(sk: F, ku: F, skew_max: ArrayLike, kurt_max: ArrayLike) -> B:
    smax = np.asarray(skew_max, dtype=np.float64)
    kmax = np.asarray(kurt_max, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray((np.abs(sk) < smax) | (ku < kmax))


def passes(x: F, skew_max: ArrayLike = 2.0, kurt_max: ArrayLike = 3.5) -> B:
    """An indicator passes when ``|skew| < skew_max`` **or** ``kurt < kurt_max``."""
    return _pass(*skew_kurt(x), skew_max, kurt_max)


def log_ct(x: F) -> F:
    """``log(x − min(x) + 0.01·(max(x) − min(x)))`` per column (the COIN Tool log)."""
    lo = nanmin(x, keepdims=True)
    hi = nanmax(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(x - lo + 0.01 * (hi - lo)))


def log_signed(x: F) -> F:
    """Sign-aware log: :func:`log_ct` for a right-skewed column, its mirror for a left-skewed one.

    A left-skewed column (skew < 0) becomes ``−log(max(x) − x + 0.01·(max − min))``, which
    pulls in the long left tail and keeps the order of the values.
    """
    sk, _ = skew_kurt(x)
    left = (sk < 0)[..., np.newaxis, :]
    lo = nanmin(x, keepdims=True)
    hi = nanmax(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mirrored = -np.log(hi - x + 0.01 * (hi - lo))
    return np.asarray(np.where(left, mirrored, log_ct(x)))


def log_plus_one(x: F) -> F:
    """``log(x − min(x) + 1)`` per column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(x - nanmin(x, keepdims=True) + 1.0))


def boxcox(x: F, lam: float) -> F:
    """Box–Cox with a given λ on ``x − min(x) + 1``: ``(y^λ − 1)/λ``, ``log y`` when λ = 0."""
    y = x - nanmin(x, keepdims=True) + 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(y) if lam == 0 else (y**lam - 1.0) / lam)


def winsorise(
    x: F, skew_max: ArrayLike = 2.0, kurt_max: ArrayLike = 3.5, winmax: ArrayLike = 5
) -> tuple[F, B, B, B]:
    """Winsorise failing columns step by step until they pass or ``winmax`` points are reached.

    A step moves every value equal to the current maximum to the largest value below it when
    the current skew is ≥ 0, otherwise every value equal to the minimum to the smallest value
    above it; the count of winsorised points is the number of distinct units moved so far.
    Each step works on the columns still active only (across all leading-axis variants).

    Returns
    -------
    treated, high, low, passed
        The winsorised values, masks of points moved down (``high``) or up (``low``), and
        whether each column passes after winsorisation.
    """
    x = np.array(x, dtype=np.float64)
    k = x.shape[-1]
    lead = x.shape[:-2]
    smax = np.broadcast_to(np.asarray(skew_max, dtype=np.float64), (*lead, k))
    kmax = np.broadcast_to(np.asarray(kurt_max, dtype=np.float64), (*lead, k))
    wmax = np.broadcast_to(np.asarray(winmax), (*lead, k))
    high = np.zeros(x.shape, dtype=bool)
    low = np.zeros(x.shape, dtype=bool)
    sk, _ = skew_kurt(x)
    ok = passes(x, smax, kmax)
    active = ~ok & (count(x) >= 4) & (nanmax(x) > nanmin(x)) & (wmax > 0)
    while np.any(active):
        cols = np.nonzero(active.reshape(-1, k).any(axis=0))[0]
        xs = x[..., cols]
        act = active[..., cols]
        missing = np.isnan(xs)
        up = (act & (sk[..., cols] >= 0))[..., np.newaxis, :]
        down = (act & ~(sk[..., cols] >= 0))[..., np.newaxis, :]
        at_max = (xs == nanmax(xs, keepdims=True)) & up
        at_min = (xs == nanmin(xs, keepdims=True)) & down
        next_max = nanmax(np.where(at_max | missing, np.nan, xs), keepdims=True)
        next_min = nanmin(np.where(at_min | missing, np.nan, xs), keepdims=True)
        xs = np.where(at_max, next_max, np.where(at_min, next_min, xs))
        x[..., cols] = xs
        high[..., cols] |= at_max
        low[..., cols] |= at_min
        moved = np.sum(high[..., cols] | low[..., cols], axis=-2)
        sk_c, ku_c = skew_kurt(xs)
        sk[..., cols] = sk_c
        ok_c = _pass(sk_c, ku_c, smax[..., cols], kmax[..., cols])
        ok[..., cols] = np.where(act, ok_c, ok[..., cols])
        active[..., cols] = act & ~ok_c & (moved < wmax[..., cols]) & (nanmax(xs) > nanmin(xs))
    return x, high, low, ok


@attrs.frozen
class TreatmentResult:
    """Outcome of :func:`treat_default`, one entry per column (and leading-axis variant)."""

    values: F
    skew_before: F
    kurt_before: F
    skew_after: F
    kurt_after: F
    winsorised_high: B
    winsorised_low: B
    log_applied: B
    untreatable: B


def treat_default(
    x: F,
    skew_max: ArrayLike = 2.0,
    kurt_max: ArrayLike = 3.5,
    winmax: ArrayLike = 5,
    fallback: Callable[[F], F] | None = None,
) -> TreatmentResult:
    """The default rule: winsorise failing indicators, else transform the original values.

    ``fallback`` is the transform applied to the original values of an indicator that still
    fails after winsorisation (default :func:`log_ct`). Columns with fewer than 4 values or
    no spread are left as they are and flagged ``untreatable`` (the stage writes a warning in
    its record).
    """
    x = np.asarray(x, dtype=np.float64)
    sk0, ku0 = skew_kurt(x)
    untreatable = (count(x) < 4) | ~(nanmax(x) > nanmin(x))
    win, high, low, ok = winsorise(x, skew_max, kurt_max, winmax)
    use_log = ~ok & ~untreatable
    logged = (fallback or log_ct)(x)
    lmask = use_log[..., np.newaxis, :]
    out = np.where(lmask, logged, np.where(untreatable[..., np.newaxis, :], x, win))
    high = high & ~lmask
    low = low & ~lmask
    return TreatmentResult(out, sk0, ku0, *skew_kurt(out), high, low, use_log, untreatable)
