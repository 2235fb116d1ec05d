"""An example dxframework plugin: the ``logistic`` normalisation method.

Installed as a package, it is found through an entry point in the group ``dxframework``::

    [project.entry-points.dxframework]
    logistic = "dxf_logistic"
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

import dxframework as dxf
from dxframework.plugins import MethodRegistrar

F = NDArray[np.float64]


def logistic(x: F, ctx: dxf.MethodContext, scale: float = 100.0) -> F:
    """``scale / (1 + exp(−z))`` with ``z`` the z-score of each indicator over units.

    ``x`` is ``(periods, units, indicators)`` with the direction already applied, so higher
    is better. Missing values stay missing. An indicator without spread has no z-score: the
    error names it.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(x, axis=-2, keepdims=True)
        sd = np.nanstd(x, axis=-2, ddof=1, keepdims=True)
    flat = np.any(~(sd > 0), axis=tuple(range(sd.ndim - 1)))
    for k in np.flatnonzero(flat):
        raise ctx.error(
            "logistic: the indicator has no spread",
            indicator=ctx.codes[k],
            hint="use another normalisation for this indicator",
        )
    return np.asarray(scale / (1.0 + np.exp(-(x - mean) / sd)))


@dxf.hookimpl
def register_normalisation_methods(register: MethodRegistrar) -> None:
    """Contribute ``logistic``; a stage's other keys become its parameters."""
    register("logistic", logistic, "scale / (1 + exp(−z)), z the z-score")
