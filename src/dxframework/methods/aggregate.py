"""Aggregation (METHODS.md §8) of children into parents through a weight matrix.

``x`` is ``(..., units, children)``; ``w`` is ``(children, parents)`` (zero where a child does
not feed a parent) or ``(..., children, parents)`` for per-variant weights. Missing children
are skipped and the remaining weights rescaled.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["arithmetic", "availability_share", "generalised", "geometric", "harmonic"]

F = NDArray[np.float64]


def _weights_present(x: F, w: F) -> tuple[F, F]:
    present = (~np.isnan(x)).astype(np.float64)
    return present, present @ w


def availability_share(x: F, w: F) -> F:
    """Share of each parent's children (by count) that are present for each unit."""
    present = (~np.isnan(x)).astype(np.float64)
    links = (w > 0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((present @ links) / np.sum(links, axis=-2, keepdims=True))


def arithmetic(x: F, w: F) -> F:
    """``Σ w·x / Σ w`` over available children."""
    _, wsum = _weights_present(x, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((np.where(np.isnan(x), 0.0, x) @ w) / wsum)


def geometric(x: F, w: F) -> F:
    """``exp(Σ w·log x / Σ w)``; the caller rejects ``x ≤ 0``."""
    _, wsum = _weights_present(x, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.where(np.isnan(x), 0.0, np.log(np.where(np.isnan(x), 1.0, x)))
        return np.asarray(np.exp((logs @ w) / wsum))


def harmonic(x: F, w: F) -> F:
    """``Σ w / Σ (w/x)``; the caller rejects ``x = 0``."""
    _, wsum = _weights_present(x, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = np.where(np.isnan(x), 0.0, 1.0 / np.where(np.isnan(x), 1.0, x))
        return np.asarray(wsum / (inv @ w))


def generalised(x: F, w: F, p: float) -> F:
    """``(Σ w·x^p / Σ w)^(1/p)``, ``p ≠ 0``; missing values skipped like the others."""
    if p == 0:
        raise ValueError("the generalised mean needs p ≠ 0 (p = 0 is the geometric mean)")
    _, wsum = _weights_present(x, w)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        powered = np.where(np.isnan(x), 0.0, np.where(np.isnan(x), 1.0, x) ** p)
        return np.asarray(((powered @ w) / wsum) ** (1.0 / p))
