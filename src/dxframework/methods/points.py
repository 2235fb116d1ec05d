"""Point rules and the points-share aggregation (METHODS.md §6, §8): scoring by points.

A point rule gives each value a number of points in the indicator's original units: a
ratio capped at full marks, thresholds reached, coded answers. A missing value gets NaN here;
the normalise stage then applies the indicator's missing-value policy (0 points by default).
:func:`points_share` aggregates points into the share of the points available.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["category_points", "points_share", "ratio_points", "step_points"]

F = NDArray[np.float64]


def ratio_points(x: F, points: ArrayLike = 1.0, per: ArrayLike = 1.0, cap: bool = True) -> F:
    """``min(x/per, 1)·points`` (uncapped: ``x/per·points``)."""
    r = np.asarray(x, dtype=np.float64) / np.asarray(per, dtype=np.float64)
    return np.asarray((np.minimum(r, 1.0) if cap else r) * np.asarray(points, dtype=np.float64))


def step_points(
    x: F, thresholds: Sequence[float], points: Sequence[float], below: float = 0.0
) -> F:
    """The points of the highest threshold reached (``x ≥ threshold``), ``below`` under all.

    Raises ``ValueError`` unless there are as many points as thresholds (at least one).
    """
    t = np.asarray(thresholds, dtype=np.float64)
    pts = np.asarray(points, dtype=np.float64)
    if t.shape != pts.shape or t.ndim != 1 or t.size == 0:
        raise ValueError("give as many points as thresholds")
    order = np.argsort(t)
    t, pts = t[order], pts[order]
    v = np.asarray(x, dtype=np.float64)
    k = np.searchsorted(t, np.where(np.isnan(v), -np.inf, v), side="right")
    table = np.concatenate([[float(below)], pts])
    return np.where(np.isnan(v), np.nan, table[k])


def category_points(x: F, mapping: Mapping[str, float] | Mapping[float, float]) -> F:
    """Points of coded answers: ``mapping`` of code → points; a value not coded is NaN."""
    v = np.asarray(x, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    for key, val in mapping.items():
        out = np.where(v == float(key), float(val), out)
    return out


def points_share(x: F, w: F) -> F:
    """Points earned over points available: ``Σ x / Σ w`` over the children present.

    ``w`` holds the maximum points of each child for each parent; a missing child is out of
    the points available.
    """
    present = (~np.isnan(x)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((np.where(np.isnan(x), 0.0, x) @ (w > 0)) / (present @ w))
