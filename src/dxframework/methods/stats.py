"""Column statistics over units (axis ``-2``), NaN-aware and vectorised over leading axes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dxframework.methods._nan import nanmax, nanmin

__all__ = ["count", "kurt", "skew", "skew_kurt", "spread"]

F = NDArray[np.float64]


def count(x: F) -> NDArray[np.int64]:
    """Number of non-missing values per column."""
    return np.asarray(np.sum(~np.isnan(x), axis=-2), dtype=np.int64)


def _central_moments(x: F) -> tuple[F, F, F, F]:
    """``n`` and the central moments ``m2, m3, m4`` per column, in one pass over the data.

    Sums of products are taken with :func:`numpy.einsum` (no temporary for ``d³`` or ``d⁴``),
    so 100 000 units × 100 indicators take a few array passes, not a dozen.
    """
    missing = np.isnan(x)
    n = np.sum(~missing, axis=-2).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(missing, 0.0, x)
        mean = np.sum(d, axis=-2) / n
        d -= mean[..., np.newaxis, :]
        d[missing] = 0.0
        d2 = d * d
        m2 = np.sum(d2, axis=-2) / n
        m3 = np.einsum("...ij,...ij->...j", d2, d) / n
        m4 = np.einsum("...ij,...ij->...j", d2, d2) / n
    return n, m2, m3, m4


def skew_kurt(x: F) -> tuple[F, F]:
    """Skewness and kurtosis (as :func:`skew` and :func:`kurt`) from one pass over the data."""
    n, m2, m3, m4 = _central_moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        g2 = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(n >= 3, g1, np.nan), np.where(n >= 4, g2, np.nan)


def skew(x: F) -> F:
    """Bias-adjusted sample skewness (type 2; scipy ``skew(bias=False)``), NaN when n < 3.

    ``skew = m3 / m2^1.5 · sqrt(n(n-1)) / (n-2)`` (METHODS.md §5).
    """
    n, m2, m3, _ = _central_moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    return np.where(n >= 3, g1, np.nan)


def kurt(x: F) -> F:
    """Bias-adjusted excess kurtosis (type 2; scipy ``kurtosis(bias=False)``), NaN when n < 4.

    ``kurt = ((n+1)(m4/m2² − 3) + 6)(n−1) / ((n−2)(n−3))`` (METHODS.md §5).
    """
    n, m2, _, m4 = _central_moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        g2 = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(n >= 4, g2, np.nan)


def spread(x: F) -> F:
    """``max − min`` per column over non-missing values (NaN for an all-missing column)."""
    return nanmax(x) - nanmin(x)
