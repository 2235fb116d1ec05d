"""Drawing the numbers ``u ∈ [0, 1)`` that the assumptions map to values."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DxfError, Problem

__all__ = ["SAMPLERS", "Row", "split_rows", "unit_samples"]

F = NDArray[np.float64]

#: Ways to draw the numbers ``u ∈ [0, 1)`` that the assumptions map to values.
SAMPLERS = ("random", "sobol")


def unit_samples(n: int, d: int, seed: int, sampler: str = "random") -> F:
    """``n`` points in ``[0, 1)^d``: pseudo-random or a scrambled Sobol' sequence.

    ``random`` uses ``numpy.random.default_rng(seed).random((n, d))``; ``sobol`` uses
    ``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed).random(n)`` (whose balance needs
    ``n`` to be a power of 2; scipy warns otherwise).
    """
    if sampler not in SAMPLERS:
        raise DxfError(Problem(f"unknown sampler {sampler!r}", hint=f"use {' or '.join(SAMPLERS)}"))
    if n < 1 or d < 1:
        raise DxfError(f"need at least one draw and one dimension, got n = {n}, d = {d}")
    if sampler == "random":
        return np.random.default_rng(seed).random((n, d))
    from scipy.stats import qmc  # optional: only the Sobol' sampler needs it

    return np.asarray(qmc.Sobol(d, scramble=True, seed=seed).random(n), dtype=np.float64)


Row = tuple[F, ...]
"""One draw: an array of ``u`` values per assumption."""


def split_rows(u: F, sizes: Sequence[int]) -> list[Row]:
    """Rows of ``u`` (n, Σ sizes) cut into one array per assumption."""
    bounds = np.cumsum([0, *sizes])
    return [tuple(row[a:b] for a, b in itertools.pairwise(bounds)) for row in u]
