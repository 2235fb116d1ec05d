"""Panels (pooled normalisation, year-on-year change), tiers and ranks within groups."""

from __future__ import annotations

import numpy as np
import pytest

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage, Unit
from dxframework.pipeline.run import run_pipeline


def _panel() -> tuple[Framework, Dataset]:
    fw = Framework(
        [Indicator("a"), Indicator("b", direction=-1)],
        [Aggregate("I")],
        [Edge("a", "I"), Edge("b", "I")],
    )
    units = [
        Unit("d1", groups={"region": "N"}),
        Unit("d2", groups={"region": "N"}),
        Unit("d3", groups={"region": "S"}),
    ]
    values = np.array([[[1, 5], [2, 4], [3, 3]], [[2, 4], [4, 2], [6, 0]]], dtype=float)
    return fw, Dataset(units=units, columns=["a", "b"], values=values, periods=[2023, 2024])


def test_minmax_per_period_and_pooled() -> None:
    """Per period each year spans [0, 100]; pooled, one scale spans both years (by hand)."""
    fw, data = _panel()
    per = run_pipeline(fw, data, Pipeline([Stage("normalise")]))["normalised"].values
    np.testing.assert_allclose(per[0, :, 0], [0, 50, 100])
    np.testing.assert_allclose(per[1, :, 0], [0, 50, 100])
    pooled = run_pipeline(fw, data, Pipeline([Stage("normalise", params={"pooled": True})]))
    v = pooled["normalised"].values
    # a pooled: min 1, max 6 → (x − 1)/5·100
    np.testing.assert_allclose(v[:, :, 0], (data.values[:, :, 0] - 1) / 5 * 100)
    # b has direction −1: −b pooled min −5, max 0 → (−b + 5)/5·100
    np.testing.assert_allclose(v[:, :, 1], (5 - data.values[:, :, 1]) / 5 * 100)


def test_year_on_year_change() -> None:
    """Score change is the difference of the two years; rank change is positive going up."""
    fw, data = _panel()
    res = run_pipeline(
        fw, data, Pipeline([Stage("normalise", params={"pooled": True}), Stage("aggregate")])
    )
    ch = res.changes()
    i = res.scores.values[:, :, 0]
    np.testing.assert_allclose(ch["score"].values[0, :, 0], i[1] - i[0])
    r = res.ranks.values[:, :, 0]
    np.testing.assert_array_equal(ch["rank"].values[0, :, 0], r[0] - r[1])


def test_ranks_within_groups_and_tiers() -> None:
    """Ranks restart in every group; tiers follow thresholds, a boundary value in the lower tier."""
    fw, data = _panel()
    res = run_pipeline(
        fw, data.select(periods=[2024]), Pipeline([Stage("normalise"), Stage("aggregate")])
    )
    within = res.ranks_within("region").values[0, :, 0]
    np.testing.assert_array_equal(within, [2, 1, 1])
    tiers = res.tiers("I", [25, 50, 75], ["low", "middle", "high", "very high"])
    assert tiers == {"d1": "low", "d2": "middle", "d3": "very high"}


def test_competition_ranking_ties() -> None:
    """Equal scores share the best rank and the next rank is skipped (1, 2, 2, 4)."""
    fw = Framework([Indicator("a")], [Aggregate("I")], [Edge("a", "I")])
    data = Dataset.from_arrays(["w", "x", "y", "z"], ["a"], [[4.0], [3.0], [3.0], [1.0]])
    res = run_pipeline(fw, data, Pipeline([Stage("aggregate")]))
    assert [r for r, *_ in res.ranking()] == [1, 2, 2, 4]
    assert res.ranking()[0][3] == pytest.approx(4.0)


def test_linear_imputation_over_years() -> None:
    """Panel imputation fills a gap by linear interpolation between known years."""
    fw = Framework([Indicator("a")], [Aggregate("I")], [Edge("a", "I")])
    values = np.array([[[1.0]], [[np.nan]], [[5.0]]])
    data = Dataset(units=["u"], columns=["a"], values=values, periods=[2020, 2021, 2024])
    res = run_pipeline(fw, data, Pipeline([Stage("impute", "linear")]))
    assert res["imputed"].values[1, 0, 0] == pytest.approx(1 + 4 * (1 / 4))
    assert res.record("imputed")["n_imputed"] == 1
