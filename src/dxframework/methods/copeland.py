"""Copeland aggregation (METHODS.md §8): pairwise majority outranking of units.

For every pair of units the weight share of the components on which one beats the other is
computed (ties count half); the pairwise outcome is +1 above one half, −1 below, 0 at one
half, and a unit's score is the sum of its outcomes against every other unit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["copeland"]

F = NDArray[np.float64]


def copeland(x: F, w: F) -> F:
    """Copeland scores of ``x`` ``(..., units, children)`` for each parent of ``w``.

    Components missing for either unit of a pair are left out of that pair's comparison
    and the weights rescaled over the rest; a pair with no common component scores 0.
    Memory is ``units² × children`` per parent, so this suits up to a few thousand units.
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.full((*x.shape[:-1], w.shape[-1]), np.nan)
    for p in range(w.shape[-1]):
        cols = np.nonzero(w[:, p] > 0)[0]
        xs = x[..., cols]
        wp = w[cols, p]
        xi = xs[..., :, np.newaxis, :]
        xj = xs[..., np.newaxis, :, :]
        both = ~np.isnan(xi) & ~np.isnan(xj)
        win = np.where(both, (xi > xj) + 0.5 * (xi == xj), 0.0)
        total = np.sum(both * wp, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.sum(win * wp, axis=-1) / total
        outcome = np.where(total > 0, np.sign(share - 0.5), 0.0)
        has_value = np.any(~np.isnan(xs), axis=-1)
        out[..., p] = np.where(has_value, np.sum(outcome, axis=-1), np.nan)
    return out
