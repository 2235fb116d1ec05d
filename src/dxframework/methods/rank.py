"""Ranking (METHODS.md §9): competition ranking by descending score, and tiers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dxframework.methods.normalise import rank_min

__all__ = ["competition_rank", "tiers"]

F = NDArray[np.float64]


def competition_rank(scores: F) -> F:
    """Rank by descending score, ties share the best rank and the next is skipped (1, 2, 2, 4).

    Works over axis ``-2`` (units) for every column; NaN scores get NaN ranks.
    """
    return rank_min(-np.asarray(scores, dtype=np.float64))


def tiers(scores: F, thresholds: Sequence[float], labels: Sequence[str]) -> NDArray[np.str_]:
    """Tier label of each score: ``labels[i]`` for scores in ``(thresholds[i-1], thresholds[i]]``.

    ``thresholds`` ascend and there is one label more than thresholds; a score equal to a
    threshold falls in the lower tier (EGDI: ``> 0.75`` is very high). NaN gives ``""``.
    """
    if len(labels) != len(thresholds) + 1:
        raise ValueError("give one label more than thresholds")
    if list(thresholds) != sorted(thresholds):
        raise ValueError("thresholds must ascend")
    s = np.asarray(scores, dtype=np.float64)
    idx = np.searchsorted(np.asarray(thresholds, dtype=np.float64), s, side="left")
    lab = np.asarray(list(labels), dtype=np.str_)
    return np.where(np.isnan(s), "", lab[np.minimum(idx, len(labels) - 1)])
