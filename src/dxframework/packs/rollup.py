"""Rolling unit results up to their parent units (communes → districts).

The rule is declared by the pack (``rollup = { to = "district", weight = "population" }``):
a parent's score is the weighted mean of its children's scores (population-weighted by
default, plain mean without a weight column), per period, skipping missing scores.
"""

from __future__ import annotations

import numpy as np

from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.text import natural_sorted
from dxframework.model.units import Unit
from dxframework.pipeline.result import RunResult

__all__ = ["rollup"]


def rollup(result: RunResult, weight: str | None = None) -> Dataset:
    """Scores of the run's units aggregated to their ``parent`` units.

    Parameters
    ----------
    result
        A run whose units have parents (e.g. communes with their district).
    weight
        An auxiliary column of the input data to weight by (e.g. ``population``).

    Returns
    -------
    Dataset
        One row per parent unit, the same aggregate columns as ``result.scores``, plus
        ``n_units`` (children counted).
    """
    scores = result.scores
    parents = [u.parent for u in scores.units]
    missing = [u.code for u in scores.units if u.parent is None]
    if missing:
        raise DxfError(
            Problem(
                f"{len(missing)} unit(s) have no parent unit, e.g. {missing[0]!r}",
                hint="add a 'parent' column to the data",
            )
        )
    if weight is None:
        w = np.ones((len(scores.periods), len(scores.units)))
    else:
        if result.input is None or not result.input.has_column(weight):
            raise DxfError(
                Problem(
                    f"no column {weight!r} to weight the roll-up by",
                    column=weight,
                    hint="add it to the data as an auxiliary column",
                )
            )
        src = result.input
        rows = [src.unit_index(u) for u in scores.unit_codes]
        pidx = [src.period_index(p) for p in scores.periods]
        w = src.values[np.ix_(pidx, rows, [src.column_index(weight)])][:, :, 0]
    codes = natural_sorted({p for p in parents if p is not None})  # 2 before 10
    member = np.array([[p == c for p in parents] for c in codes], dtype=np.float64)  # (P, U)
    x = scores.values
    present = ~np.isnan(x) & ~np.isnan(w)[:, :, np.newaxis]
    ww = np.where(present, w[:, :, np.newaxis], 0.0)
    num = np.einsum("pu,tuc->tpc", member, np.where(present, x, 0.0) * ww)
    den = np.einsum("pu,tuc->tpc", member, ww)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = num / den
    counts = np.einsum("pu,tu->tp", member, np.ones_like(w))[:, :, np.newaxis]
    values = np.concatenate([mean, counts], axis=-1)
    return Dataset(
        units=[Unit(c) for c in codes],
        columns=[*scores.columns, "n_units"],
        values=values,
        periods=scores.periods,
    )
