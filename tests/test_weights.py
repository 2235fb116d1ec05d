"""Weighting methods: AHP, PCA, optimised weights, and the weight stage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.errors import MethodError
from dxframework.methods.weights import ahp, optimise_weights, pca_weights
from dxframework.pipeline.run import run_pipeline


def test_ahp_consistent_matrix_recovers_weights() -> None:
    """A perfectly consistent matrix a_ij = w_i/w_j gives back w, λmax = n and CR = 0."""
    w = np.array([0.5, 0.3, 0.2])
    res = ahp(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights, w, rtol=1e-12)
    assert res.lambda_max == pytest.approx(3.0, rel=1e-12)
    assert res.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert res.consistent


def test_ahp_consistency_ratio_by_hand() -> None:
    """CR = ((λmax − n)/(n − 1)) / RI(n) with Saaty's RI(3) = 0.58; λmax from numpy's eigvals."""
    a = np.array([[1, 3, 1 / 5], [1 / 3, 1, 1 / 7], [5, 7, 1]], dtype=float)
    lam = max(np.linalg.eigvals(a).real)
    res = ahp(a)
    assert res.lambda_max == pytest.approx(lam, rel=1e-12)
    assert res.consistency_ratio == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-12)


def test_ahp_rejects_non_reciprocal_and_zero() -> None:
    """A matrix that is not reciprocal, or has a zero (singular), is an error naming the cell."""
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ahp([[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="positive"):
        ahp([[1, 0], [0, 1]])


def test_pca_weights_match_svd() -> None:
    """PCA weights are the absolute first right-singular vector of the standardised data."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=(40, 1))
    x = base @ np.array([[1.0, 0.8, 0.3]]) + rng.normal(scale=0.5, size=(40, 3))
    z = (x - x.mean(0)) / x.std(0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    expected = np.abs(vt[0]) / np.abs(vt[0]).sum()
    w, share = pca_weights(x)
    np.testing.assert_allclose(w, expected, rtol=1e-10)
    assert share == pytest.approx(s[0] ** 2 / np.sum(s**2), rel=1e-10)


def test_optimised_weights_reduce_the_gap_to_targets() -> None:
    """Optimised weights bring the normalised correlations closer to equal importance."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 3)) * np.array([1.0, 3.0, 0.5])

    def gap(w: np.ndarray) -> float:
        agg = x @ w / w.sum()
        c = np.array([stats.pearsonr(x[:, k], agg)[0] for k in range(3)])
        return float(np.sum((c / c.sum() - 1 / 3) ** 2))

    w, _corr = optimise_weights(x)
    assert w.sum() == pytest.approx(1.0)
    assert gap(w) < gap(np.ones(3) / 3)
    assert gap(w) < 1e-4


def _small() -> tuple[Framework, Dataset]:
    fw = Framework(
        [Indicator("a"), Indicator("b"), Indicator("c")],
        [Aggregate("P"), Aggregate("I")],
        [Edge("a", "P", 1), Edge("b", "P", 1), Edge("P", "I", 1), Edge("c", "I", 1)],
    )
    data = Dataset.from_arrays(
        ["u1", "u2", "u3", "u4"], ["a", "b", "c"], [[1, 2, 3], [2, 1, 5], [3, 4, 4], [4, 3, 1]]
    )
    return fw, data


def test_weight_stage_ahp_feeds_aggregation() -> None:
    """AHP weights set by a weight stage are the ones the aggregation uses."""
    fw, data = _small()
    pipe = Pipeline(
        [
            Stage(
                "weight",
                "ahp",
                params={
                    "matrices": {"P": {"children": ["a", "b"], "matrix": [[1, 3], [1 / 3, 1]]}}
                },
            ),
            Stage("aggregate"),
        ]
    )
    res = run_pipeline(fw, data, pipe)
    p = res.scores.values[0, :, res.scores.column_index("P")]
    np.testing.assert_allclose(p, 0.75 * data.column("a") + 0.25 * data.column("b"), rtol=1e-12)
    assert res.record("weighted")["consistency"]["P"]["consistency_ratio"] == 0.0


def test_weight_stage_rejects_unknown_edge() -> None:
    """Custom weights for an edge that does not exist are an error naming it."""
    fw, data = _small()
    pipe = Pipeline(
        [Stage("weight", "custom", params={"weights": {"P": {"c": 1}}}), Stage("aggregate")]
    )
    with pytest.raises(MethodError, match="c → P"):
        run_pipeline(fw, data, pipe)


def test_inconsistent_ahp_warns_in_record() -> None:
    """A consistency ratio over 0.1 is reported as a warning in the stage record."""
    fw = Framework(
        [Indicator(c) for c in "abc"], [Aggregate("I")], [Edge(c, "I", 1) for c in "abc"]
    )
    data = Dataset.from_arrays(["u1", "u2"], list("abc"), [[1, 2, 3], [3, 2, 1]])
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    res = run_pipeline(
        fw,
        data,
        Pipeline(
            [Stage("weight", "ahp", params={"matrices": {"I": {"matrix": m}}}), Stage("aggregate")]
        ),
    )
    warnings = res.record("weighted")["warnings"]
    assert warnings and "consistency ratio" in warnings[0]


def test_named_weight_sets_side_by_side() -> None:
    """Two named weight sets live in one framework; a `set` stage picks one per run."""
    from dxframework.io.frameworks import framework_from_dict

    doc = {
        "indicators": [{"code": "a", "parents": {"I": 1}}, {"code": "b", "parents": {"I": 1}}],
        "aggregates": [{"code": "I"}],
        "weight_sets": {"expert": {"I": {"a": 3, "b": 1}}, "budget": {"I": {"a": 1, "b": 4}}},
    }
    fw = framework_from_dict(doc).framework
    data = Dataset.from_arrays(["u"], ["a", "b"], [[10.0, 20.0]])
    for name, expected in (("expert", (3 * 10 + 20) / 4), ("budget", (10 + 4 * 20) / 5)):
        res = run_pipeline(
            fw, data, Pipeline([Stage("weight", "set", params={"name": name}), Stage("aggregate")])
        )
        assert res.scores.values[0, 0, 0] == pytest.approx(expected)
    plain = run_pipeline(fw, data, Pipeline([Stage("aggregate")]))
    assert plain.scores.values[0, 0, 0] == pytest.approx(15.0)


def test_weight_set_on_a_missing_edge_is_rejected() -> None:
    """A weight set naming an edge that does not exist is a framework error."""
    from dxframework.errors import FrameworkError
    from dxframework.io.frameworks import framework_from_dict

    doc = {
        "indicators": [{"code": "a", "parents": {"I": 1}}],
        "aggregates": [{"code": "I"}],
        "weight_sets": {"x": {"I": {"zz": 1}}},
    }
    with pytest.raises(FrameworkError, match="no edge zz → I"):
        framework_from_dict(doc)
