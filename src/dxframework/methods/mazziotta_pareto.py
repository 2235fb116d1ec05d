"""Mazziotta–Pareto index (METHODS.md §8): mean penalised by the horizontal variability."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dxframework.methods._nan import nanmean, nanstd, sample_sd_or_nan

__all__ = ["mazziotta_pareto", "mpi_standardise"]

F = NDArray[np.float64]


def mpi_standardise(x: F) -> F:
    """Standardise each column over units to mean 100, sd 10 (sample sd).

    A column without spread gives NaN (its sd is rounding noise; the stage rejects it).
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - nanmean(x, keepdims=True)) / sample_sd_or_nan(x) * 10.0 + 100.0


def mazziotta_pareto(z: F, w: F) -> F:
    """``M − S·cv`` per unit over the children of each parent (``cv = S/M``).

    ``z`` holds standardised values ``(..., units, children)``; ``M`` and ``S`` are the mean
    and population sd of the unit's available children of the parent (``w > 0``; the index is
    unweighted by definition, weights only select the children).
    """
    out = []
    for p in range(w.shape[-1]):
        sel = z[..., w[:, p] > 0]
        m = nanmean(sel, axis=-1)
        s = nanstd(sel, ddof=0, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(m - s * (s / m))
    return np.stack(out, axis=-1)
