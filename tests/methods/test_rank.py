"""Tests of ``dxframework.methods.rank`` (METHODS.md §9)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from strategies import NAN, gridded, matrices, with_missing

from dxframework.methods import rank

EGDI_THRESHOLDS = [0.25, 0.50, 0.75]
EGDI_LABELS = ["low", "middle", "high", "very high"]


def test_competition_rank_ties() -> None:
    """Scores 0.9, 0.5, 0.5, 0.1 rank 1, 2, 2, 4 (ties share the best rank, next skipped)."""
    r = rank.competition_rank(np.array([[0.9], [0.5], [0.5], [0.1]]))
    np.testing.assert_array_equal(r[:, 0], [1, 2, 2, 4])


def test_competition_rank_nan_stays_nan() -> None:
    """A missing score has no rank and takes no place: [0.5, NaN, 0.9, 0.5] → [2, NaN, 1, 2]."""
    r = rank.competition_rank(np.array([[0.5], [NAN], [0.9], [0.5]]))
    np.testing.assert_array_equal(r[:, 0], [2, NAN, 1, 2])


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(gridded, 4), max_units=15, leading=(2,)))
def test_competition_rank_matches_scipy(x: np.ndarray) -> None:
    """Equals scipy rankdata(−score, method='min') per column over non-missing scores."""
    out = rank.competition_rank(x)
    for p in range(x.shape[0]):
        for k in range(x.shape[-1]):
            col = x[p, :, k]
            ok = ~np.isnan(col)
            expected = np.full(col.shape, np.nan)
            if ok.any():
                expected[ok] = scipy.stats.rankdata(-col[ok], method="min")
            np.testing.assert_array_equal(out[p, :, k], expected)


def test_egdi_tiers() -> None:
    """EGDI as METHODS.md §9 states it: very high > 0.75, so exactly 0.75 is high; high
    0.50–0.75, middle 0.25–0.50, low < 0.25; NaN gets no tier ("")."""
    s = np.array([0.76, 0.75, 0.7500001, 0.6, 0.3, 0.1, 0.0, 1.0, NAN])
    got = rank.tiers(s, EGDI_THRESHOLDS, EGDI_LABELS).tolist()
    assert got == [
        "very high",
        "high",
        "very high",
        "high",
        "middle",
        "low",
        "low",
        "very high",
        "",
    ]


def test_score_on_a_threshold_falls_in_the_lower_tier() -> None:
    """Tier i holds scores in (thresholds[i−1], thresholds[i]]: on a threshold → lower tier."""
    got = rank.tiers(np.array([1.0, 1.5, 2.0, 2.5]), [1.0, 2.0], ["a", "b", "c"]).tolist()
    assert got == ["a", "b", "b", "c"]


def test_tiers_keep_shape() -> None:
    """Tiers work element-wise on arrays of any shape."""
    s = np.array([[0.9, 0.1], [0.4, NAN]])
    got = rank.tiers(s, EGDI_THRESHOLDS, EGDI_LABELS)
    assert got.shape == (2, 2)
    assert got.tolist() == [["very high", "low"], ["middle", ""]]


@pytest.mark.parametrize(
    ("thresholds", "labels"),
    [
        ([0.25, 0.5], ["a", "b"]),  # one label too few
        ([0.5, 0.25], ["a", "b", "c"]),  # thresholds not ascending
    ],
)
def test_tiers_reject_bad_specification(thresholds: list[float], labels: list[str]) -> None:
    """A label count other than thresholds + 1, or descending thresholds, is a ValueError."""
    with pytest.raises(ValueError):
        rank.tiers(np.array([0.3]), thresholds, labels)
