"""Drawing the numbers ``u ∈ [0, 1)`` that the assumptions map to values."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import overload

import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DxfError, Problem

__all__ = ["SAMPLERS", "Row", "Rows", "as_rows", "split_rows", "unit_samples"]

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


class Rows(Sequence[Row]):
    """Draws as one ``(n, D)`` array of ``u`` numbers, seen as a sequence of rows.

    ``rows[i]`` is the :data:`Row` of draw ``i`` (views into the array); :meth:`block` gives
    one assumption's numbers for every draw at once, and a slice is again a :class:`Rows`,
    so that chunks travel to processes and Dask workers as one array.
    """

    def __init__(self, u: F, sizes: Sequence[int]) -> None:
        self.u = np.asarray(u, dtype=np.float64).reshape(len(u), int(sum(sizes)))
        self.sizes = tuple(int(s) for s in sizes)
        self.bounds = tuple(int(b) for b in np.cumsum([0, *self.sizes]))

    def __len__(self) -> int:
        return len(self.u)

    @overload
    def __getitem__(self, i: int) -> Row: ...

    @overload
    def __getitem__(self, i: slice) -> Rows: ...

    def __getitem__(self, i: int | slice) -> Row | Rows:
        if isinstance(i, slice):
            return Rows(self.u[i], self.sizes)
        row = self.u[i]
        return tuple(row[a:b] for a, b in itertools.pairwise(self.bounds))

    def block(self, k: int) -> F:
        """The numbers of assumption ``k`` for every draw, ``(n, sizes[k])``."""
        return self.u[:, self.bounds[k] : self.bounds[k + 1]]


def as_rows(rows: Sequence[Row], sizes: Sequence[int]) -> Rows:
    """``rows`` as :class:`Rows` (packed into one array unless they are already)."""
    if isinstance(rows, Rows):
        return rows
    d = int(sum(sizes))
    if not rows:
        return Rows(np.zeros((0, d)), sizes)
    return Rows(np.array([np.concatenate(r) if len(r) else np.zeros(0) for r in rows]), sizes)
