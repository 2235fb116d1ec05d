"""The result of an uncertainty analysis: scores and ranks per unit over the draws."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.analysis.uncertainty.spec import label

__all__ = ["UncertaintyResult"]

F = NDArray[np.float64]


def _stats(x: F) -> dict[str, F]:
    if len(x) and not np.isnan(x).any():  # the same numbers, without the NaN machinery
        q = np.percentile(x, [5.0, 50.0, 95.0], axis=0)
        return {"mean": np.mean(x, axis=0), "median": q[1], "p5": q[0], "p95": q[2]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units scored in no draw
        mean = np.nanmean(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)
        q = (
            np.nanpercentile(x, [5.0, 50.0, 95.0], axis=0)
            if len(x)
            else np.full((3, x.shape[1]), np.nan)
        )
    return {"mean": mean, "median": q[1], "p5": q[0], "p95": q[2]}


@attrs.frozen(eq=False)
class UncertaintyResult:
    """Scores and ranks of one aggregate over ``n`` draws of the uncertain assumptions.

    Attributes
    ----------
    code, period
        The aggregate analysed (the index by default) and the period.
    units, unit_names
        Unit codes and names (the input data's units; a unit screened out in a draw has
        NaN there).
    assumptions
        Labels of the assumptions.
    nominal_score, nominal_rank
        The unperturbed pipeline's score and rank per unit.
    scores, ranks
        ``(n, units)`` arrays, one row per draw, in draw order.
    draws
        Each draw's assumption values, by label (weight noise: the multiplier of every edge
        ``(child, parent)``).
    seed, sampler
        How the draws were made.
    """

    code: str
    period: int
    units: tuple[str, ...]
    unit_names: tuple[str, ...]
    assumptions: tuple[str, ...]
    nominal_score: F
    nominal_rank: F
    scores: F
    ranks: F
    draws: tuple[Mapping[str, Any], ...]
    seed: int
    sampler: str

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.scores.shape[0])

    def score_summary(self) -> dict[str, F]:
        """Per unit mean, median, 5th and 95th percentile (numpy's linear interpolation)."""
        return _stats(self.scores)

    def rank_summary(self) -> dict[str, F]:
        """The same statistics of the ranks (percentiles may fall between ranks)."""
        return _stats(self.ranks)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per unit: nominal score and rank, then statistics over the draws."""
        s, r = self.score_summary(), self.rank_summary()
        rows = []
        for i, (code, name) in enumerate(zip(self.units, self.unit_names, strict=True)):
            row: dict[str, Any] = {
                "unit": code,
                "name": name,
                "nominal_score": float(self.nominal_score[i]),
                "nominal_rank": float(self.nominal_rank[i]),
            }
            row.update({f"score_{k}": float(v[i]) for k, v in s.items()})
            row.update({f"rank_{k}": float(v[i]) for k, v in r.items()})
            rows.append(row)
        return rows

    def draw_rows(self) -> list[dict[str, Any]]:
        """One row per draw: the value of every assumption (weight noise: one column per
        edge, ``name:child->parent``, holding the multiplier)."""
        rows = []
        keys: dict[tuple[str, Any], str] = {}  # column names of the edges, made once
        edges: dict[str, bool] = {}  # whether an assumption's values are edge multipliers
        labels: dict[int, str] = {}  # labels of the (shared) table values of choices
        for k, draw in enumerate(self.draws):
            row: dict[str, Any] = {"draw": k + 1}
            for name, v in draw.items():
                is_edges = edges.get(name)
                if is_edges is None:
                    is_edges = edges[name] = isinstance(v, dict) and all(
                        isinstance(e, tuple) for e in v
                    )
                if is_edges:
                    for edge, m in v.items():
                        key = keys.get((name, edge))
                        if key is None:
                            key = keys[(name, edge)] = f"{name}:{edge[0]}->{edge[1]}"
                        row[key] = m
                elif isinstance(v, Mapping):
                    text = labels.get(id(v))
                    if text is None:
                        text = labels[id(v)] = label(v)
                    row[name] = text
                else:
                    row[name] = v
            rows.append(row)
        return rows
