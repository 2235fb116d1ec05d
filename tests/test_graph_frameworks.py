"""Graph-shaped frameworks: nodes feeding several parents, methods per level and per group."""

from __future__ import annotations

import numpy as np
import pytest

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.pipeline.run import run_pipeline

FOUNDATION = ["NT", "TC", "HT", "NL", "AT"]


def dti_framework() -> Framework:
    """Decision 922/QĐ-BTTTT: the foundation feeds all three pillars and the index."""
    inds = [Indicator(c) for c in [*FOUNDATION, "CQ", "KT", "XH"]]
    aggs = [Aggregate(c) for c in ("CQS", "KTS", "XHS")] + [Aggregate("DTI", level=3)]
    edges = []
    for f in FOUNDATION:
        edges += [Edge(f, p, 100) for p in ("CQS", "KTS", "XHS", "DTI")]
    edges += [
        Edge("CQ", "CQS", 200),
        Edge("KT", "KTS", 150),
        Edge("XH", "XHS", 150),
        Edge("CQ", "DTI", 200),
        Edge("KT", "DTI", 150),
        Edge("XH", "DTI", 150),
    ]
    return Framework(inds, aggs, edges, index="DTI")


def test_dti_formulas_from_domain() -> None:
    """Scores equal DOMAIN.md's formulas, e.g. DTI = (100·ΣF + 200·CQ + 150·KT + 150·XH)/1000."""
    rng = np.random.default_rng(7)
    values = rng.uniform(0, 1, size=(5, 8))
    data = Dataset.from_arrays([f"p{i}" for i in range(5)], [*FOUNDATION, "CQ", "KT", "XH"], values)
    res = run_pipeline(dti_framework(), data, Pipeline([Stage("aggregate")]))
    f = values[:, :5].sum(axis=1)
    cq, kt, xh = values[:, 5], values[:, 6], values[:, 7]
    expected = {
        "DTI": (100 * f + 200 * cq + 150 * kt + 150 * xh) / 1000,
        "CQS": (100 * f + 200 * cq) / 700,
        "KTS": (100 * f + 150 * kt) / 650,
        "XHS": (100 * f + 150 * xh) / 650,
    }
    for code, exp in expected.items():
        got = res.scores.values[0, :, res.scores.column_index(code)]
        np.testing.assert_allclose(got, exp, rtol=1e-12)


def test_dti_effective_weights_sum_over_paths() -> None:
    """NT's effective weight in DTI is 100/1000; in CQS it is 100/700."""
    fw = dti_framework()
    assert fw.effective_weights("DTI")["NT"] == pytest.approx(0.1)
    assert fw.effective_weights("CQS")["NT"] == pytest.approx(100 / 700)
    assert sum(
        v for k, v in fw.effective_weights("DTI").items() if k in fw.indicator_codes
    ) == pytest.approx(1.0)


def test_method_per_level_and_per_group() -> None:
    """One group at a level may aggregate geometrically while its siblings stay arithmetic."""
    fw = Framework(
        [Indicator(c) for c in "abcd"],
        [
            Aggregate("P", methods={"aggregate": {"method": "geometric"}}),
            Aggregate("Q"),
            Aggregate("I"),
        ],
        [
            Edge("a", "P"),
            Edge("b", "P"),
            Edge("c", "Q"),
            Edge("d", "Q"),
            Edge("P", "I"),
            Edge("Q", "I"),
        ],
    )
    data = Dataset.from_arrays(["u1", "u2"], list("abcd"), [[1, 4, 1, 4], [2, 8, 3, 5]])
    pipe = Pipeline([Stage("aggregate", params={"levels": {"3": {"method": "harmonic"}}})])
    res = run_pipeline(fw, data, pipe)
    s = {c: res.scores.values[0, :, res.scores.column_index(c)] for c in ("P", "Q", "I")}
    np.testing.assert_allclose(s["P"], [2.0, 4.0])  # sqrt(1·4), sqrt(2·8)
    np.testing.assert_allclose(s["Q"], [2.5, 4.0])  # arithmetic
    np.testing.assert_allclose(s["I"], [2 / (1 / 2 + 1 / 2.5), 4.0])  # harmonic at level 3
    assert res.record("aggregated")["aggregates"]["P"]["method"] == "geometric"


def test_min_availability_gives_nan() -> None:
    """An aggregate whose share of available children is below the threshold is missing."""
    fw = Framework([Indicator(c) for c in "abc"], [Aggregate("I")], [Edge(c, "I") for c in "abc"])
    data = Dataset.from_arrays(["u1", "u2"], list("abc"), [[1, np.nan, np.nan], [1, 2, np.nan]])
    res = run_pipeline(fw, data, Pipeline([Stage("aggregate", params={"min_availability": 0.6})]))
    got = res.scores.values[0, :, 0]
    assert np.isnan(got[0]) and got[1] == pytest.approx(1.5)


def test_goalposts_with_negative_direction() -> None:
    """For a negative indicator goalposts give (x − hi)/(lo − hi) on the original values."""
    fw = Framework(
        [Indicator("cost", direction=-1, goalposts=(10, 50))], [Aggregate("I")], [Edge("cost", "I")]
    )
    data = Dataset.from_arrays(["u1", "u2", "u3"], ["cost"], [[10.0], [20.0], [60.0]])
    res = run_pipeline(fw, data, Pipeline([Stage("normalise", "goalposts", params={"scale": 100})]))
    np.testing.assert_allclose(
        res["normalised"].values[0, :, 0], [100.0, (20 - 50) / (10 - 50) * 100, 0.0]
    )


def test_distance_to_target_uses_indicator_target() -> None:
    """Distance to target reads the indicator's named target: (x − min)/(target − min), capped."""
    fw = Framework(
        [Indicator("fibre", targets={"2025": 80})], [Aggregate("I")], [Edge("fibre", "I")]
    )
    data = Dataset.from_arrays(["u1", "u2", "u3"], ["fibre"], [[20.0], [50.0], [90.0]])
    res = run_pipeline(
        fw,
        data,
        Pipeline(
            [Stage("normalise", "distance_to_target", params={"target": "2025", "scale": 100})]
        ),
    )
    np.testing.assert_allclose(res["normalised"].values[0, :, 0], [0.0, 50.0, 100.0])
