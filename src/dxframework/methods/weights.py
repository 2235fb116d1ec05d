"""Weighting methods (METHODS.md §7): AHP, PCA-based, optimised to target correlations.

Nominal and equal weights need no computation; effective weights of a graph are in
:meth:`dxframework.Framework.effective_weights`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp", "optimise_weights", "pca_weights"]

F = NDArray[np.float64]

#: Saaty's random consistency index by matrix size (1-based; sizes 1 and 2 are always consistent).
RANDOM_INDEX: tuple[float, ...] = (
    0.0,
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)


@attrs.frozen
class AHPResult:
    """AHP weights with the principal eigenvalue and Saaty's consistency ratio."""

    weights: F
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        """Saaty's rule of thumb: a consistency ratio of at most 0.1 is acceptable."""
        return self.consistency_ratio <= 0.1


def ahp(matrix: ArrayLike, tol: float = 1e-6) -> AHPResult:
    """Weights from a reciprocal pairwise-comparison matrix (principal eigenvector).

    ``matrix[i, j]`` says how much more important item ``i`` is than item ``j``; it must be
    square, positive, with ones on the diagonal and ``a[j, i] = 1/a[i, j]``.

    Raises
    ------
    ValueError
        Naming the first offending cell when the matrix is not a positive reciprocal one.
    """
    a = np.asarray(matrix, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"the pairwise matrix must be square, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        i, j = np.argwhere(~np.isfinite(a) | (a <= 0))[0]
        raise ValueError(
            f"entry [{i}, {j}] = {a[i, j]!r}: comparisons must be positive numbers "
            "(a zero makes the matrix singular)"
        )
    bad = np.abs(a * a.T - 1.0) > tol
    if np.any(bad):
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"entries [{i}, {j}] = {a[i, j]!r} and [{j}, {i}] = {a[j, i]!r} are not "
            "reciprocal (a[j, i] must be 1/a[i, j])"
        )
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    v = np.abs(vectors[:, k].real)
    w = v / v.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n] if n < len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(w, lam, ci, cr)


def pca_weights(x: F) -> tuple[F, float]:
    """Weights from the first principal component of the standardised columns.

    Uses complete rows only. Weights are the absolute loadings (eigenvector entries) of the
    first component, rescaled to sum to 1; the sign of a component is arbitrary, hence the
    absolute value. Returns ``(weights, share of variance explained)``.
    """
    x = np.asarray(x, dtype=np.float64)
    rows = np.all(~np.isnan(x), axis=1)
    z = x[rows]
    if z.shape[0] < 2 or z.shape[1] < 1:
        raise ValueError("PCA needs at least two complete rows")
    sd = z.std(axis=0, ddof=1)
    if np.any(~(sd > 0)):
        raise ValueError("PCA: a column has no spread over the complete rows")
    z = (z - z.mean(axis=0)) / sd
    corr = np.atleast_2d(np.cov(z, rowvar=False))
    values, vectors = np.linalg.eigh(corr)
    first = np.abs(vectors[:, -1])
    return first / first.sum(), float(values[-1] / values.sum())


def _aggregate_corr(x: F, w: F) -> F:
    present = ~np.isnan(x)
    xs = np.where(present, x, 0.0)
    agg = (xs @ w) / (present @ w)
    out = np.empty(x.shape[1])
    for k in range(x.shape[1]):
        ok = present[:, k] & ~np.isnan(agg)
        out[k] = np.corrcoef(x[ok, k], agg[ok])[0, 1]
    return out


def optimise_weights(
    x: F, target: Sequence[float] | None = None, start: Sequence[float] | None = None
) -> tuple[F, F]:
    """Weights whose components' correlations with the aggregate match target importances.

    Minimises ``Σ (c_k/Σc − t_k)²`` where ``c_k`` is the Pearson correlation of component
    ``k`` with the weighted arithmetic mean and ``t`` the target importances (default equal),
    over weights in ``[0.001, 1]`` (L-BFGS-B, deterministic). Returns ``(weights rescaled to
    sum 1, final correlations)``.
    """
    from scipy.optimize import minimize

    x = np.asarray(x, dtype=np.float64)
    k = x.shape[1]
    t = np.full(k, 1.0 / k) if target is None else np.asarray(target, np.float64)
    t = t / t.sum()
    w0 = np.full(k, 1.0 / k) if start is None else np.asarray(start, np.float64)

    def loss(w: F) -> float:
        c = _aggregate_corr(x, w)
        return float(np.sum((c / c.sum() - t) ** 2))

    res = minimize(loss, w0, method="L-BFGS-B", bounds=[(1e-3, 1.0)] * k)
    w = res.x / res.x.sum()
    return w, _aggregate_corr(x, w)
