"""Aggregation (METHODS.md §8) of children into parents through a weight matrix.

``x`` is ``(..., units, children)``; ``w`` is ``(children, parents)`` (zero where a child does
not feed a parent) or ``(..., children, parents)`` for per-variant weights (a leading axis of
replications, as the batched uncertainty analysis uses). Missing children are skipped and the
remaining weights rescaled.

Each parent sums over **its own children only** (the links where some weight is non-zero), one
child at a time in child order, never as a dense matrix product: a zero weight times an
infinite child (``0·inf = NaN``) would otherwise spoil every aggregate of the level, although
an aggregate depends only on its own children (METHODS §8). Summing in a fixed order also makes
the result bitwise the same whatever the leading axes (one run or a batch of replications).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["arithmetic", "availability_share", "generalised", "geometric", "harmonic", "links"]

F = NDArray[np.float64]


def links(w: F) -> list[list[int]]:
    """For each parent (last axis of ``w``), the children with a non-zero weight anywhere."""
    nz: NDArray[np.bool_] = np.asarray(
        np.asarray(w != 0).reshape(-1, w.shape[-2], w.shape[-1]).any(axis=0), dtype=bool
    )
    return [np.nonzero(nz[:, k])[0].tolist() for k in range(w.shape[-1])]


def _weighted_sums(vt: F, pt: NDArray[np.bool_] | F | None, w: F) -> tuple[F, F]:
    """``Σ w·v`` and ``Σ w`` over each parent's own present children.

    ``vt`` is children-first, ``(children, ..., units)``, already zero where a child is
    missing; ``pt`` marks the present children (bool or 1/0) in the same shape, or ``None``
    when no child is missing (then ``Σ w`` is the same for every unit and is summed once).
    """
    lead = np.broadcast_shapes(vt.shape[1:-1], w.shape[:-2])
    n_units, n_par = vt.shape[-1], w.shape[-1]
    num = np.zeros((n_par, *lead, n_units))
    den = np.zeros((n_par, *lead, n_units if pt is not None else 1))
    tmp = np.empty((*lead, n_units))
    batched = w.ndim > 2
    for k, kids in enumerate(links(w)):
        for c in kids:
            wc = w[..., c, k][..., np.newaxis] if batched else w[c, k]
            np.multiply(vt[c], wc, out=tmp)
            num[k] += tmp
            if pt is None:
                den[k] += wc
            else:
                np.multiply(pt[c], wc, out=tmp)
                den[k] += tmp
    return np.moveaxis(num, 0, -1), np.moveaxis(den, 0, -1)


def _reduce(x: F, w: F, f: Callable[[F], F] | None) -> tuple[F, F]:
    # children first, so that each child's values are contiguous (free when ``x`` is a view
    # of a children-first array, as the aggregate stage builds it)
    xt = np.ascontiguousarray(np.moveaxis(np.asarray(x, dtype=np.float64), -1, 0))
    w = np.asarray(w, dtype=np.float64)
    missing = np.isnan(xt)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if not missing.any():
            return _weighted_sums(xt if f is None else f(xt), None, w)
        filled = np.where(missing, 0.0 if f is None else 1.0, xt)
        v = filled if f is None else np.where(missing, 0.0, f(filled))
    return _weighted_sums(v, ~missing, w)  # bool: True·w = w, no float copy


def availability_share(x: F, w: F) -> F:
    """Share of each parent's children (by count) that are present for each unit."""
    present = (~np.isnan(np.moveaxis(np.asarray(x), -1, 0))).astype(np.float64)
    lk = (np.asarray(w) > 0).astype(np.float64)
    have, _ = _weighted_sums(present, None, lk)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(have / np.sum(lk, axis=-2)[..., np.newaxis, :])


def arithmetic(x: F, w: F) -> F:
    """``Σ w·x / Σ w`` over available children."""
    num, wsum = _reduce(x, w, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(num / wsum)


def geometric(x: F, w: F) -> F:
    """``exp(Σ w·log x / Σ w)``; the caller rejects ``x ≤ 0``."""
    num, wsum = _reduce(x, w, np.log)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray(np.exp(num / wsum))


def harmonic(x: F, w: F) -> F:
    """``Σ w / Σ (w/x)``; the caller rejects ``x = 0``."""
    inv, wsum = _reduce(x, w, lambda v: 1.0 / v)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(wsum / inv)


def generalised(x: F, w: F, p: float) -> F:
    """``(Σ w·x^p / Σ w)^(1/p)``, ``p ≠ 0``; missing values skipped like the others."""
    if p == 0:
        raise ValueError("the generalised mean needs p ≠ 0 (p = 0 is the geometric mean)")
    powered, wsum = _reduce(x, w, lambda v: v**p)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return np.asarray((powered / wsum) ** (1.0 / p))
