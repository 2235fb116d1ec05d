"""Targets, gaps, trends and priorities (dxframework.analysis.targets), checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator
from dxframework.analysis import index_room, indicator_targets, pillar_shares


def test_gap_needed_progress_and_trend_by_hand() -> None:
    """Fibre 40 % (2021) → 52 % (2024), target 80 % in 2025 and 2030.

    Mean of two units per year; trend = (52 − 40)/3 = 4 a year; 2025: gap 28, needed 28 a
    year (not on track); 2030: needed 28/6 ≈ 4.67 a year > 4 (not on track either).
    """
    fw = Framework(
        [Indicator("HT1", targets={"2025": 80, "2030": 80})], [Aggregate("I")], [Edge("HT1", "I")]
    )
    values = np.array([[[38.0], [42.0]], [[44.0], [46.0]], [[50.0], [54.0]]])
    data = Dataset(units=["a", "b"], columns=["HT1"], values=values, periods=[2021, 2023, 2024])
    got = {t.target_label: t for t in indicator_targets(fw, [None, data])}
    assert got["2025"].current == pytest.approx(52.0)
    assert got["2025"].trend == pytest.approx(4.0)
    assert got["2025"].gap == pytest.approx(28.0) and got["2025"].per_year == pytest.approx(28.0)
    assert got["2030"].per_year == pytest.approx(28 / 6)
    assert not got["2025"].on_track and not got["2030"].on_track
    only_2030 = indicator_targets(fw, [data], target_years=[2030])
    assert [t.target_label for t in only_2030] == ["2030"]


def test_negative_direction_target_is_met_below() -> None:
    """For a less-is-better indicator a value under the target meets it."""
    fw = Framework(
        [Indicator("cost", direction=-1, targets={"2025": 10})],
        [Aggregate("I")],
        [Edge("cost", "I")],
    )
    data = Dataset.from_arrays(["a"], ["cost"], [[8.0]], periods=[2024])
    (t,) = indicator_targets(fw, [data])
    assert t.met and t.gap == 0.0


def test_pillar_shares_of_the_dti() -> None:
    """CQ 200, KT 150, XH 150 points feeding one pillar each → 40 %, 30 %, 30 %."""
    inds = [Indicator(c) for c in ("NT", "CQ", "KT", "XH")]
    edges = [Edge("NT", p, 100) for p in ("CQS", "KTS", "XHS", "DTI")]
    edges += [
        Edge("CQ", "CQS", 200),
        Edge("KT", "KTS", 150),
        Edge("XH", "XHS", 150),
        Edge("CQ", "DTI", 200),
        Edge("KT", "DTI", 150),
        Edge("XH", "DTI", 150),
    ]
    fw = Framework(
        inds,
        [Aggregate(c) for c in ("CQS", "KTS", "XHS")] + [Aggregate("DTI", level=3)],
        edges,
        index="DTI",
    )
    shares = pillar_shares(fw, "DTI", ["CQS", "KTS", "XHS"])
    assert shares == pytest.approx({"CQS": 0.4, "KTS": 0.3, "XHS": 0.3})


def test_index_room_with_points_by_hand() -> None:
    """Points earned on average 15 of 20 for 'a' and 10 of 10 for 'b' (points_share).

    Effective weights in the index: a 2/3, b 1/3 → room a = 2/3 × (1 − 15/20) = 1/6, b = 0.
    """
    from dxframework import Pipeline, Stage
    from dxframework.pipeline.run import run_pipeline

    fw = Framework(
        [Indicator("a"), Indicator("b")],
        [Aggregate("M"), Aggregate("I")],
        [Edge("a", "M", 20), Edge("b", "M", 10), Edge("M", "I")],
    )
    data = Dataset.from_arrays(["u", "v"], ["a", "b"], [[20.0, 10.0], [10.0, 10.0]])
    res = run_pipeline(
        fw,
        data,
        Pipeline(
            [
                Stage(
                    "normalise",
                    "ratio",
                    params={"points": 1},
                    overrides={
                        "a": {"method": "ratio", "points": 20, "per": 20},
                        "b": {"method": "ratio", "points": 10, "per": 10},
                    },
                ),
                Stage("aggregate", params={"levels": {"2": {"method": "points_share"}}}),
            ]
        ),
    )
    room = index_room(res)
    assert room["a"] == pytest.approx(2 / 3 * (1 - 15 / 20))
    assert room["b"] == pytest.approx(0.0)
