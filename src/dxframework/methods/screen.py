"""Unit screening (METHODS.md §4): data availability and share of non-zero values."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["availability", "by_unit", "nonzero_share"]

F = NDArray[np.float64]


def availability(x: F) -> F:
    """Share of each unit's indicator values that are not missing (over axis ``-1``)."""
    k = x.shape[-1]
    if k == 0:
        return np.ones(x.shape[:-1])
    return np.asarray(np.sum(~np.isnan(x), axis=-1) / k, dtype=np.float64)


def nonzero_share(x: F) -> F:
    """Share of non-zero values among each unit's available values (1 when none available)."""
    avail = np.sum(~np.isnan(x), axis=-1)
    nonzero = np.sum((x != 0) & ~np.isnan(x), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = nonzero / avail
    return np.where(avail > 0, share, 1.0)


def by_unit(x: F) -> F:
    """``(..., units, indicators)`` → ``(units, ...·indicators)``: each unit's values in a row.

    Screening looks at every value of a unit at once: all periods, all indicators.
    """
    moved = np.moveaxis(x, -2, 0)
    return moved.reshape(moved.shape[0], -1)
