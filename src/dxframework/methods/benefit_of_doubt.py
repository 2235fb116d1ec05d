"""Benefit-of-the-doubt aggregation (METHODS.md §8): DEA weights chosen by each unit.

Each unit's weights maximise its own score ``Σ w_k·x_k`` subject to every unit's score being
at most 1 and ``w ≥ 0`` (CCR, input-oriented with a unit dummy input). Optional bounds limit
each component's share of the unit's score (``L ≤ w_k·x_k / Σ w·x ≤ U``, the "pie share"
restrictions of Cherchye et al.), so no unit can rest on one component alone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["EFFICIENT_TOL", "BoDInfeasible", "benefit_of_doubt", "benefit_of_doubt_scores"]

F = NDArray[np.float64]


#: Scores this close to 1 are efficient up to the solver's rounding and are reported as 1.0,
#: so that efficient units tie in the ranking.
EFFICIENT_TOL = 1e-12


class BoDInfeasible(ValueError):
    """The linear program has no solution for a unit (e.g. share bounds that cannot hold)."""

    def __init__(self, unit: int, message: str) -> None:
        self.unit = unit
        super().__init__(message)


def benefit_of_doubt(x: F, bounds: tuple[float, float] | None = None) -> tuple[F, F]:
    """Benefit-of-the-doubt scores and weights of ``x`` ``(units, components)``.

    Missing values count as 0 (the unit gets no credit for a component it lacks). Values must
    be ≥ 0. Returns ``(scores (units,), weights (units, components))``. The solver's weights
    are rescaled so that the largest score under them is exactly 1: the constraints then hold
    exactly and an efficient unit scores exactly 1.0, whatever the solver's tolerance.
    """
    from scipy.optimize import linprog

    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    n, k = x.shape
    if bounds is not None:
        lo, hi = bounds
        if not (0.0 <= lo <= hi <= 1.0) or lo * k > 1.0 or hi * k < 1.0:
            raise BoDInfeasible(
                -1,
                f"share bounds ({lo}, {hi}) cannot hold for {k} components: "
                "need 0 ≤ lo ≤ hi ≤ 1 and lo·k ≤ 1 ≤ hi·k",
            )
    scores = np.full(n, np.nan)
    weights = np.full((n, k), np.nan)
    for i in range(n):  # one linear program per unit: inherent to the method
        a_ub = [x]
        b_ub = [np.ones(n)]
        if bounds is not None:
            lo, hi = bounds
            xi = x[i]
            total = np.tile(xi, (k, 1))
            own = np.diag(xi)
            a_ub.append(lo * total - own)  # L·Σw·x − w_k·x_k ≤ 0
            a_ub.append(own - hi * total)  # w_k·x_k − U·Σw·x ≤ 0
            b_ub += [np.zeros(k), np.zeros(k)]
        res = linprog(
            -x[i],
            A_ub=np.vstack(a_ub),
            b_ub=np.concatenate(b_ub),
            bounds=[(0, None)] * k,
            method="highs",
        )
        if res.status != 0:
            raise BoDInfeasible(i, f"linear program failed: {res.message}")
        w = np.maximum(np.asarray(res.x), 0.0)  # the solver may return -1e-18
        all_scores = x @ w
        best = float(np.max(all_scores))
        # polish: rescale so the binding constraint holds exactly (efficient units score 1.0)
        if best > 0:
            w = w / best
            all_scores = all_scores / best
        weights[i] = w
        score = float(all_scores[i])
        scores[i] = 1.0 if score > 1.0 - EFFICIENT_TOL else score
    return scores, weights


def benefit_of_doubt_scores(x: F, w: F, bounds: tuple[float, float] | None = None) -> F:
    """Benefit-of-the-doubt scores of every parent: ``x`` ``(..., units, children)``, ``w``
    ``(children, parents)``; each parent scores over its children (``w > 0``) alone, each
    leading-axis variant separately. Returns ``(..., units, parents)``; raises
    :class:`BoDInfeasible` like :func:`benefit_of_doubt`.
    """
    lead = x.shape[:-2]
    out = np.full((*lead, x.shape[-2], w.shape[-1]), np.nan)
    for p in range(w.shape[-1]):
        cols = np.nonzero(w[:, p] > 0)[0]
        for idx in np.ndindex(*lead):
            scores, _ = benefit_of_doubt(x[idx][:, cols], bounds)
            out[(*idx, slice(None), p)] = scores
    return out
