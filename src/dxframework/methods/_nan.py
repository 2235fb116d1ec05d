"""NaN-aware reductions over units (axis ``-2``) that stay silent on all-missing columns."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]


def nanmax(x: F, axis: int = -2, keepdims: bool = False) -> F:
    """Maximum ignoring NaN; NaN for an all-missing column, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmax(x, axis=axis, keepdims=keepdims), dtype=np.float64)


def nanmin(x: F, axis: int = -2, keepdims: bool = False) -> F:
    """Minimum ignoring NaN; NaN for an all-missing column, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmin(x, axis=axis, keepdims=keepdims), dtype=np.float64)


def nanmean(x: F, axis: int = -2, keepdims: bool = False) -> F:
    """Mean ignoring NaN; NaN for an all-missing column, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(x, axis=axis, keepdims=keepdims), dtype=np.float64)


def nanmedian(x: F, axis: int = -2, keepdims: bool = False) -> F:
    """Median ignoring NaN; NaN for an all-missing column, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmedian(x, axis=axis, keepdims=keepdims), dtype=np.float64)


def nanstd(x: F, ddof: int = 1, axis: int = -2, keepdims: bool = False) -> F:
    """Standard deviation ignoring NaN; NaN where too few values, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanstd(x, ddof=ddof, axis=axis, keepdims=keepdims), dtype=np.float64)


def sample_sd_or_nan(x: F) -> F:
    """Sample sd per column (``keepdims``), NaN where the column has no spread (max = min).

    A constant column's computed sd is rounding noise that depends on the order of the units;
    dividing by it would give arbitrary values, so standardisations divide by NaN instead.
    """
    s = nanstd(x, ddof=1, keepdims=True)
    flat = ~(nanmax(x, keepdims=True) > nanmin(x, keepdims=True))
    return np.where(flat, np.nan, s)
