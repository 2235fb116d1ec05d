"""Imputation of missing values (METHODS.md §3). Non-missing values are never changed."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dxframework.methods._nan import nanmean, nanmedian

__all__ = ["impute_by_group", "impute_latest", "impute_linear", "impute_mean", "impute_median"]

F = NDArray[np.float64]


def _fill(x: F, value: F) -> F:
    return np.where(np.isnan(x), value, x)


def impute_mean(x: F) -> F:
    """Replace NaN with the column mean of the non-missing values."""
    return _fill(x, nanmean(x, keepdims=True))


def impute_median(x: F) -> F:
    """Replace NaN with the column median of the non-missing values."""
    return _fill(x, nanmedian(x, keepdims=True))


def impute_by_group(x: F, groups: NDArray[np.int64], stat: str = "mean") -> F:
    """Replace NaN with the mean (or median) of the unit's group.

    ``groups`` holds one group number per unit (axis ``-2``); ``-1`` marks a unit with no
    group, which is left untouched. The loop runs over groups, never over units.
    """
    reduce = nanmean if stat == "mean" else nanmedian
    out = x.copy()
    missing = np.isnan(x)
    for g in np.unique(groups[groups >= 0]):
        rows = groups == g
        fill = reduce(x[..., rows, :], keepdims=True)
        sel = x[..., rows, :]
        out[..., rows, :] = np.where(missing[..., rows, :], fill, sel)
    return out


def _last_known_index(mask: NDArray[np.bool_], axis: int) -> NDArray[np.int64]:
    """Index of the last True at or before each position along ``axis`` (−1 if none)."""
    n = mask.shape[axis]
    shape = [1] * mask.ndim
    shape[axis] = n
    idx = np.where(mask, np.arange(n).reshape(shape), -1)
    return np.maximum.accumulate(idx, axis=axis)


def impute_latest(x: F, axis: int = 0) -> F:
    """Panel: carry the last known value forward along the period axis (default ``0``).

    Values before the first known one stay missing.
    """
    known = ~np.isnan(x)
    last = _last_known_index(known, axis)
    filled = np.take_along_axis(x, np.maximum(last, 0), axis=axis)
    return np.where(known, x, np.where(last >= 0, filled, np.nan))


def impute_linear(x: F, axis: int = 0, periods: NDArray[np.float64] | None = None) -> F:
    """Panel: linear interpolation between known periods; outside the span the nearest value.

    ``periods`` gives the period values (e.g. years) so unequal gaps interpolate correctly;
    by default periods are equally spaced.
    """
    n = x.shape[axis]
    t = np.arange(n, dtype=np.float64) if periods is None else np.asarray(periods, np.float64)
    shape = [1] * x.ndim
    shape[axis] = n
    t_b = np.broadcast_to(t.reshape(shape), x.shape)
    known = ~np.isnan(x)
    prev = _last_known_index(known, axis)
    nxt_rev = _last_known_index(np.flip(known, axis=axis), axis)
    nxt = np.flip(np.where(nxt_rev >= 0, n - 1 - nxt_rev, -1), axis=axis)
    x0 = np.take_along_axis(x, np.maximum(prev, 0), axis=axis)
    x1 = np.take_along_axis(x, np.maximum(nxt, 0), axis=axis)
    t0 = np.take_along_axis(t_b, np.maximum(prev, 0), axis=axis)
    t1 = np.take_along_axis(t_b, np.maximum(nxt, 0), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        interp = x0 + (x1 - x0) * (t_b - t0) / (t1 - t0)
    out = np.where(prev >= 0, np.where(nxt >= 0, interp, x0), np.where(nxt >= 0, x1, np.nan))
    return np.where(known, x, out)
