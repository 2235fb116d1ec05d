"""Denomination (METHODS.md §2): ``x / (d / scale)``."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["denominate"]


def denominate(
    x: NDArray[np.float64], d: NDArray[np.float64], scale: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Divide indicators by their denominators: ``x / (d / scale)``.

    ``d`` has the shape of ``x`` (the denominator column of each indicator, broadcast).
    A missing denominator gives a missing value. Zero denominators must be rejected by the
    caller (the stage does, naming unit and indicator); here they would give ±inf.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / (d / np.asarray(scale, dtype=np.float64))
