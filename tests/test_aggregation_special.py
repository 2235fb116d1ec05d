"""Copeland, benefit of the doubt, Mazziotta–Pareto and point rules."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from dxframework import Aggregate, Dataset, Edge, Framework, Indicator, Pipeline, Stage
from dxframework.errors import MethodError
from dxframework.methods.benefit_of_doubt import benefit_of_doubt
from dxframework.methods.copeland import copeland
from dxframework.methods.mazziotta_pareto import mazziotta_pareto, mpi_standardise
from dxframework.pipeline.run import run_pipeline


def test_copeland_by_hand() -> None:
    """Three units in a Condorcet cycle score 0 against each other; a dominated unit loses all.

    u0 vs u1: components (3>1, 1<2, 2<3) → u0 wins 1/3 → −1; u0 vs u2: 2/3 → +1; u0 vs u3 → +1.
    """
    x = np.array([[3.0, 1, 2], [1, 2, 3], [2, 3, 1], [0, 0, 0]])
    np.testing.assert_array_equal(copeland(x, np.ones((3, 1)))[:, 0], [1, 1, 1, -3])


def test_copeland_weights_and_ties() -> None:
    """Weights decide the majority; a tie on a component counts half; equal shares give 0."""
    x = np.array([[1.0, 5.0], [2.0, 5.0]])
    # weights 1:1 → u1 wins comp 0 (1 share 0.5) and ties comp 1 (0.25 each): u1 share 0.75
    np.testing.assert_array_equal(copeland(x, np.array([[1.0], [1.0]]))[:, 0], [-1, 1])
    y = np.array([[1.0, 2.0], [2.0, 1.0]])
    np.testing.assert_array_equal(copeland(y, np.array([[1.0], [1.0]]))[:, 0], [0, 0])
    np.testing.assert_array_equal(copeland(y, np.array([[2.0], [1.0]]))[:, 0], [-1, 1])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (6, 4), elements=st.floats(0.01, 100)))
def test_bod_equals_dual_linear_program(x: np.ndarray) -> None:
    """BoD scores equal the optimum of the envelopment (dual) LP, solved independently.

    Dual of max Σw·x_i s.t. Σw·x_j ≤ 1, w ≥ 0 is min Σλ_j s.t. Σ_j λ_j x_jk ≥ x_ik, λ ≥ 0.
    Every score is ≤ 1 and at least one unit reaches exactly 1.
    """
    scores, weights = benefit_of_doubt(x)
    n = x.shape[0]
    for i in range(n):
        res = linprog(np.ones(n), A_ub=-x.T, b_ub=-x[i], bounds=[(0, None)] * n, method="highs")
        assert scores[i] == pytest.approx(res.fun, rel=1e-7, abs=1e-9)
    assert np.all(scores <= 1.0)
    assert np.any(scores == 1.0)
    assert np.all(weights >= 0)


def test_bod_share_bounds_and_infeasible() -> None:
    """Share bounds lower a specialised unit's score; impossible bounds are an error."""
    x = np.array([[10.0, 0.1], [1.0, 1.0], [0.1, 10.0]])
    free, _ = benefit_of_doubt(x)
    bounded, _ = benefit_of_doubt(x, (0.2, 0.8))
    assert free[0] == 1.0
    assert bounded[0] < free[0]
    from dxframework.methods.benefit_of_doubt import BoDInfeasible

    with pytest.raises(BoDInfeasible):
        benefit_of_doubt(x, (0.6, 0.9))  # two shares ≥ 0.6 cannot sum to 1


def test_mazziotta_pareto_by_hand() -> None:
    """MPI = M − S·S/M with population sd: for (90, 110) M = 100, S = 10 → 99."""
    z = np.array([[90.0, 110.0], [100.0, 100.0]])
    np.testing.assert_allclose(mazziotta_pareto(z, np.ones((2, 1)))[:, 0], [99.0, 100.0])
    s = mpi_standardise(np.array([[1.0], [2.0], [3.0]]))
    np.testing.assert_allclose(s[:, 0], [90.0, 100.0, 110.0])


def _fw() -> Framework:
    return Framework(
        [Indicator("a"), Indicator("b")], [Aggregate("I")], [Edge("a", "I", 1), Edge("b", "I", 1)]
    )


def test_geometric_rejects_non_positive_naming_units() -> None:
    """The geometric mean of a zero is an error naming the indicator and the units."""
    data = Dataset.from_arrays(["u1", "u2"], ["a", "b"], [[0.0, 1.0], [2.0, 3.0]])
    with pytest.raises(MethodError) as info:
        run_pipeline(_fw(), data, Pipeline([Stage("aggregate", "geometric")]))
    text = str(info.value)
    assert "'a'" in text and "u1" in text and "u2" not in text


def test_point_rules_and_points_share() -> None:
    """Steps, ratio and categories give points; the main indicator is points / points available.

    u1: steps(4) = 20 of 20, ratio 0.5 × 10 = 5 of 10 → 25/30; u2: steps(1) = 5, ratio 1 → 15/30.
    """
    fw = Framework(
        [Indicator("meet"), Indicator("share")],
        [Aggregate("NT")],
        [Edge("meet", "NT", 20), Edge("share", "NT", 10)],
    )
    data = Dataset.from_arrays(["u1", "u2"], ["meet", "share"], [[4, 0.5], [1, 1.2]])
    pipe = Pipeline(
        [
            Stage(
                "normalise",
                "steps",
                params={"thresholds": [1, 2, 3, 4], "points": [5, 10, 15, 20]},
                overrides={"share": {"method": "ratio", "points": 10}},
            ),
            Stage("aggregate", "points_share"),
        ]
    )
    res = run_pipeline(fw, data, pipe)
    np.testing.assert_allclose(res["normalised"].values[0], [[20, 5], [5, 10]])
    np.testing.assert_allclose(res.scores.values[0, :, 0], [25 / 30, 15 / 30], rtol=1e-12)


def test_categories_unknown_code_is_an_error() -> None:
    """A coded answer that the mapping does not know is an error naming the unit."""
    fw = Framework([Indicator("head")], [Aggregate("I")], [Edge("head", "I", 1)])
    data = Dataset.from_arrays(["u1", "u2"], ["head"], [[1.0], [7.0]])
    pipe = Pipeline(
        [Stage("normalise", "categories", params={"mapping": {"1": 20, "0.5": 10, "0": 0}})]
    )
    with pytest.raises(MethodError, match="u2"):
        run_pipeline(fw, data, pipe)


def test_inputs_override_aggregates_other_nodes() -> None:
    """An aggregate may be computed from other nodes than its children (BoD over pillars)."""
    fw = Framework(
        [Indicator("a"), Indicator("b")],
        [Aggregate("P"), Aggregate("Q"), Aggregate("I")],
        [Edge("a", "P"), Edge("b", "Q"), Edge("P", "I"), Edge("Q", "I")],
    )
    data = Dataset.from_arrays(["u1", "u2", "u3"], ["a", "b"], [[1, 3], [2, 2], [1, 1]])
    pipe = Pipeline(
        [Stage("aggregate", overrides={"I": {"method": "benefit_of_doubt", "inputs": ["a", "b"]}})]
    )
    res = run_pipeline(fw, data, pipe)
    expected, _ = benefit_of_doubt(data.values[0])
    np.testing.assert_allclose(res.scores.values[0, :, res.scores.column_index("I")], expected)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (7, 3), elements=st.floats(0.1, 100)), st.randoms(use_true_random=False))
# found at the floors (numpy 1.26): constant columns, whose sd is rounding noise
@example(np.array([[1.0, 0.1, 0.1]] + [[0.1, 0.1, 0.1]] * 6), random.Random(0))
def test_special_aggregations_are_invariant_to_unit_order(x: np.ndarray, rnd: object) -> None:
    """Copeland, benefit of the doubt and Mazziotta–Pareto: permuting units permutes scores."""

    assert isinstance(rnd, random.Random)
    perm = list(range(x.shape[0]))
    rnd.shuffle(perm)
    w = np.ones((3, 1))
    for f in (
        lambda v: copeland(v, w)[:, 0],
        lambda v: benefit_of_doubt(v)[0],
        lambda v: mazziotta_pareto(mpi_standardise(v), w)[:, 0],
    ):
        np.testing.assert_allclose(f(x[perm]), f(x)[perm], rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    arrays(np.float64, (6, 3), elements=st.floats(0.1, 100)),
    st.integers(0, 5),
    st.integers(0, 2),
    st.floats(0.1, 50),
)
def test_copeland_and_bod_are_monotone(x: np.ndarray, unit: int, col: int, bump: float) -> None:
    """Raising one unit's value never lowers its Copeland or benefit-of-the-doubt score."""
    y = x.copy()
    y[unit, col] += bump
    w = np.ones((3, 1))
    assert copeland(y, w)[unit, 0] >= copeland(x, w)[unit, 0]
    assert benefit_of_doubt(y)[0][unit] >= benefit_of_doubt(x)[0][unit] - 1e-9


def test_copeland_with_missing_values() -> None:
    """A component missing for either unit of a pair is left out of that pair's comparison."""
    x = np.array([[1.0, np.nan], [0.0, 5.0], [np.nan, np.nan]])
    got = copeland(x, np.ones((2, 1)))[:, 0]
    # u0 vs u1: only component 0 is common → u0 wins; u2 has no values → no score
    assert got[0] == 1 and got[1] == -1 and np.isnan(got[2])
