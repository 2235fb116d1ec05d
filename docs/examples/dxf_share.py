"""An example dxframework plugin: the ``share_of_total`` normalisation method.

Installed as a package, it is found through an entry point in the group ``dxframework``::

    [project.entry-points.dxframework]
    share = "dxf_share"
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import dxframework as dxf

F = NDArray[np.float64]


def share_of_total(x: F, ctx: dxf.MethodContext, scale: float = 100.0) -> F:
    """Each unit's share of the indicator's total over units, times ``scale``.

    ``x`` is ``(periods, units, indicators)``, direction already applied; missing stays
    missing. A column that sums to zero has no shares: the error names the indicator.
    """
    total = np.nansum(x, axis=-2, keepdims=True)
    for k in np.nonzero(np.any(total == 0, axis=tuple(range(total.ndim - 1))))[0]:
        raise ctx.error(
            "share_of_total: the indicator sums to zero",
            indicator=ctx.codes[k],
            hint="use another normalisation for this indicator",
        )
    return np.asarray(x / total * scale)


@dxf.hookimpl
def register_normalisation_methods(register: Any) -> None:
    """Contribute ``share_of_total``; the pipeline's keys become its parameters."""
    register("share_of_total", share_of_total, "x / Σx · scale (share of the total)")
