"""METHODS §8 and §6 edge cases: an aggregate depends only on its own children; a zero
denominator in distance to a reference or a target is an error; the default treatment's
collapse case (winsorisation leaves no spread) applies the log to the original values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dxframework as dxf
from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.errors import DxfError
from dxframework.methods import aggregate as agg
from dxframework.methods import treat as trt

# two parents, disjoint children: P = {a, b}, Q = {c}
W = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0]])


@pytest.mark.parametrize(
    "func", [agg.arithmetic, agg.geometric, agg.harmonic, lambda x, w: agg.generalised(x, w, 2.0)]
)
def test_infinite_child_touches_its_own_parent_only(func: object) -> None:
    x = np.array([[2.0, 4.0, np.inf], [2.0, 4.0, 5.0]])
    y = func(x, W)  # type: ignore[operator]
    clean = func(np.array([[2.0, 4.0, 5.0]]), W)  # type: ignore[operator]
    assert y[0, 0] == clean[0, 0]  # P does not see c = inf (a dense product gave inf·0 = NaN)
    assert not math.isnan(y[0, 1])  # Q is inf (or 0 for harmonic), never NaN
    assert np.array_equal(y[1], clean[0])


def test_missing_child_touches_its_own_parent_only() -> None:
    x = np.array([[2.0, np.nan, 5.0]])
    y = agg.arithmetic(x, W)
    assert y[0, 0] == 2.0 and y[0, 1] == 5.0  # hand: P = 1·2/1, Q = 5


def test_arithmetic_by_hand_and_batched_weights_are_bitwise_the_same() -> None:
    x = np.array([[2.0, 4.0, 5.0], [1.0, 7.0, 3.0]])
    assert np.allclose(agg.arithmetic(x, W), [[(2 + 12) / 4, 5.0], [(1 + 21) / 4, 3.0]])
    rng = np.random.default_rng(0)
    wb = W * rng.uniform(0.75, 1.25, size=(6, *W.shape))
    batched = agg.arithmetic(x, wb)
    for r in range(6):  # one replication at a time gives the same bits
        assert np.array_equal(batched[r], agg.arithmetic(x, wb[r]))


def _framework() -> Framework:
    return Framework(
        [Indicator("a"), Indicator("b")],
        [Aggregate("Index")],
        [Edge("a", "Index"), Edge("b", "Index")],
    )


def _data() -> Dataset:
    return Dataset(
        units=["u1", "u2", "u3"], columns=["a", "b"], values=[[1.0, 5.0], [2.0, 6.0], [3.0, 9.0]]
    )


def test_distance_to_reference_at_the_minimum_is_an_error_naming_unit_and_indicator() -> None:
    pipe = Pipeline(
        [Stage("normalise", "distance_to_reference", params={"unit": "u1"}), Stage("aggregate")]
    )
    with pytest.raises(DxfError) as err:
        dxf.run_pipeline(_framework(), _data(), pipe)
    problems = err.value.problems
    assert {p.indicator for p in problems} == {"a", "b"}
    assert all("u1" in p.message and "zero denominator" in p.message for p in problems)
    ok = Pipeline(
        [Stage("normalise", "distance_to_reference", params={"unit": "u3"}), Stage("aggregate")]
    )
    s = dxf.run_pipeline(_framework(), _data(), ok).stages[0].data.values[0]
    assert np.allclose(s[:, 0], [1 - (3 - 1) / 2, 1 - (3 - 2) / 2, 1.0])  # hand calculation


def test_distance_to_target_equal_to_the_minimum_is_an_error() -> None:
    pipe = Pipeline(
        [
            Stage("normalise", "distance_to_target", params={"target": [1.0, 20.0]}),
            Stage("aggregate"),
        ]
    )
    with pytest.raises(DxfError) as err:
        dxf.run_pipeline(_framework(), _data(), pipe)
    (problem,) = err.value.problems
    assert problem.indicator == "a" and "u1" in problem.message


def test_default_treatment_collapse_applies_the_log_to_the_original_values() -> None:
    """One step moves the single outlier down to the bulk: no spread is left, the indicator has
    not passed, so (METHODS §5) the log is applied to the original values. COINr returns such
    an indicator untreated; dxframework follows METHODS, as documented in docs/methods.md."""
    x = np.array([0.0] * 9 + [100.0])[:, np.newaxis]
    res = trt.treat_default(x)
    assert bool(res.log_applied[0]) and not res.winsorised_high.any()
    assert np.allclose(res.values[:, 0], np.log(x[:, 0] - 0.0 + 0.01 * 100.0))  # log(x + 1)
