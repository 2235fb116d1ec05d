"""Normalisation (METHODS.md §6), per indicator over units (axis ``-2``).

Direction is applied by the caller (the stage multiplies negative-direction indicators and
their targets by −1 first). Missing values stay missing. Parameters broadcast against the
indicator axis, so each indicator may have its own bounds or target.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.methods._nan import nanmax, nanmean, nanmin, sample_sd_or_nan
from dxframework.methods.stats import count

__all__ = [
    "borda",
    "distance_to_max",
    "distance_to_reference",
    "distance_to_target",
    "fraction_of_max",
    "goalposts",
    "minmax",
    "minmax_or_constant",
    "minmax_with_range",
    "percentile_rank",
    "rank_min",
    "zscore",
]

F = NDArray[np.float64]


def _col(p: ArrayLike) -> F:
    """A per-indicator parameter broadcast over the unit axis."""
    a = np.asarray(p, dtype=np.float64)
    return a[..., np.newaxis, :] if a.ndim >= 1 else a


def minmax(x: F, lo: ArrayLike = 0.0, hi: ArrayLike = 100.0) -> F:
    """``(x − min)/(max − min)·(hi − lo) + lo``; a zero range gives NaN (the stage rejects it).

    The column maximum maps to exactly ``hi`` and every value stays within the bounds: in
    floating point ``(hi − lo) + lo`` can differ from ``hi`` by an ulp (e.g. lo = −7.3,
    hi = 0.001), so the endpoint is set and the result clipped (a change below 1e-15 relative).
    """
    return minmax_with_range(x, nanmin(x, keepdims=True), nanmax(x, keepdims=True), lo, hi)


def minmax_with_range(
    x: F, mn: F, mx: F, lo: ArrayLike = 0.0, hi: ArrayLike = 100.0, out: F | None = None
) -> F:
    """:func:`minmax` given the column minima and maxima (``keepdims``), into ``out``.

    ``out`` (may be ``x`` itself) receives the result when the bounds are shared by all
    variants; the numbers are those of :func:`minmax`, operation for operation.
    """
    lo_a, hi_a = _col(lo), _col(hi)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        span = mx - mn
        flat = lo_a.ndim == 0 and hi_a.ndim == 0
        if flat and float(lo_a) == 0.0 and float(hi_a) > 0 and not np.isinf(span).any():
            # [0, hi]: setting the endpoint and clipping change nothing, so they are skipped.
            # With a = x − mn ≤ span (rounding is monotone), 0 ≤ a/span ≤ 1 and
            # 0 ≤ (a/span)·hi ≤ hi; the maximum gives span/span·hi = hi exactly. (+ 0 turns a
            # −0 into +0, as below.) The same numbers in four passes instead of nine.
            y = np.subtract(x, mn, out=out)
            y /= span
            y *= hi_a
            y += lo_a
            return y
        top = np.equal(x, mx)  # before ``x`` may be overwritten
        top &= mx > mn
        # in place, the same operations in the same order as (x − mn)/(mx − mn)·(hi − lo) + lo
        full = np.broadcast_shapes(x.shape, lo_a.shape, hi_a.shape)
        y = np.subtract(x, mn, out=out if x.shape == full else None)
        if y.shape != full:  # per-variant bounds over shared data
            y = np.broadcast_to(y, full).copy()
        y /= span
        y *= hi_a - lo_a
        y += lo_a
    np.copyto(y, np.broadcast_to(hi_a, y.shape), where=top)
    np.maximum(y, np.minimum(lo_a, hi_a), out=y)  # within the bounds (NaN stays NaN)
    return np.asarray(np.minimum(y, np.maximum(lo_a, hi_a), out=y))


def minmax_or_constant(x: F, lo: ArrayLike, hi: ArrayLike, constant: float) -> F:
    """:func:`minmax`, with ``constant`` for every value of a column without spread."""
    y = minmax(x, lo, hi)
    flat = ~(nanmax(x, keepdims=True) > nanmin(x, keepdims=True))
    return np.where(flat & ~np.isnan(x), float(constant), y)


def zscore(x: F, mean: ArrayLike = 0.0, sd: ArrayLike = 1.0) -> F:
    """``(x − x̄)/s·sd + mean`` with ``s`` the sample standard deviation (n − 1).

    A column without spread (max = min) gives NaN, as in :func:`minmax` (the stage rejects
    it): its computed ``s`` is rounding noise (≈1e-17), whose quotient would depend on the
    order of the units.
    """
    mu = nanmean(x, keepdims=True)
    s = sample_sd_or_nan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - mu) / s * _col(sd) + _col(mean)


def rank_min(x: F) -> F:
    """Rank within each column, 1 = lowest, ties share the minimum rank (exact equality).

    Vectorised by sorting: no pairwise comparison, so it scales to many units. Each column is
    sorted as one contiguous row; equal values take the rank of the first of their run
    whatever order the sort leaves them in, so the ranks do not depend on the sort.
    """
    xt = np.ascontiguousarray(np.moveaxis(np.asarray(x, dtype=np.float64), -2, -1))
    order = np.argsort(xt, axis=-1)  # NaN sorted last
    s = np.take_along_axis(xt, order, axis=-1)
    n = xt.shape[-1]
    new_value = np.ones(s.shape, dtype=bool)
    np.not_equal(s[..., 1:], s[..., :-1], out=new_value[..., 1:])
    first = np.maximum.accumulate(np.where(new_value, np.arange(n), 0), axis=-1)
    out = np.empty(xt.shape)
    np.put_along_axis(out, order, (first + 1).astype(np.float64), axis=-1)
    out[np.isnan(xt)] = np.nan
    return np.ascontiguousarray(np.moveaxis(out, -1, -2))


def borda(x: F) -> F:
    """Borda score: ``rank − 1`` (0 = lowest)."""
    return rank_min(x) - 1.0


def percentile_rank(x: F) -> F:
    """``(rank − 1)/(n − 1)`` with ``n`` the number of non-missing values."""
    n = count(x)[..., np.newaxis, :].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rank_min(x) - 1.0) / (n - 1.0)


def fraction_of_max(x: F) -> F:
    """``x / max``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / nanmax(x, keepdims=True)


def distance_to_max(x: F) -> F:
    """``1 − (max − x)/(max − min)``."""
    mn = nanmin(x, keepdims=True)
    mx = nanmax(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (mx - x) / (mx - mn)


def distance_to_reference(x: F, reference: F, cap: bool = False) -> F:
    """``1 − (x_ref − x)/(x_ref − min)``, optionally capped at 1.

    ``reference`` holds the reference unit's values, shape ``(..., indicators)``.
    """
    ref = np.asarray(reference, dtype=np.float64)[..., np.newaxis, :]
    mn = nanmin(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 - (ref - x) / (ref - mn)
    return np.minimum(out, 1.0) if cap else out


def distance_to_target(x: F, target: ArrayLike, cap: bool = True, scale: ArrayLike = 1.0) -> F:
    """``(x − min)/(target − min)·scale``, optionally capped at ``scale``."""
    mn = nanmin(x, keepdims=True)
    t = _col(target)
    sc = _col(scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (x - mn) / (t - mn)
    if cap:
        out = np.minimum(out, 1.0)
    return out * sc


def goalposts(
    x: F, lo: ArrayLike, hi: ArrayLike, scale: ArrayLike = 1.0, truncate: bool = True
) -> F:
    """``(x − lo)/(hi − lo)·scale``, truncated to ``[0, scale]`` by default."""
    lo_a, hi_a, sc = _col(lo), _col(hi), _col(scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (x - lo_a) / (hi_a - lo_a)
    if truncate:
        out = np.clip(out, 0.0, 1.0)
    return out * sc
