"""Ranking: after the last stage, the scores of the aggregates (and indicators) are ranked.

Ranking is not a stage kind: it runs once per pipeline, after every stage, configured by the
pipeline's ``[ranking]`` table (``digits``: rank on scores rounded as published;
``indicators``: rank the indicators too). Ties share the best rank (competition ranking).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from dxframework.methods.rank import competition_rank
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework

__all__ = ["rank_scores", "ranked_order"]

logger = logging.getLogger(__name__)


def ranked_order(framework: Framework) -> list[str]:
    """Aggregates from the index down: the headline first, then by descending level."""
    codes = list(framework.aggregate_codes)
    return sorted(codes, key=lambda c: (c != framework.index, -framework.level(c), codes.index(c)))


def rank_scores(
    framework: Framework, final: Dataset, ranking: Mapping[str, Any]
) -> tuple[Dataset, Dataset]:
    """The scores of the run (aggregates, then indicators if asked) and their ranks."""
    codes = [c for c in ranked_order(framework) if final.has_column(c)]
    if ranking.get("indicators"):
        codes += [c for c in framework.indicator_codes if final.has_column(c)]
    scores = final.select(columns=codes)
    digits = ranking.get("digits")
    ranked = scores.values if digits is None else np.round(scores.values, int(digits))
    logger.debug("ranking %d columns (digits %s)", len(codes), digits)
    return scores, scores.derive(codes, competition_rank(ranked))
