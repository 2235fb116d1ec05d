"""Tests of ``dxframework.methods.aggregate`` (METHODS.md §8).

``x`` is ``(..., units, children)`` and ``w`` is ``(children, parents)``; missing children are
skipped and the remaining weights rescaled.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import NAN, finite, positive, weight_matrices, with_missing

from dxframework.methods import aggregate as agg

ONE_PARENT = np.array([[1.0], [2.0], [1.0]])


# -- hand calculations ------------------------------------------------------------------------
def test_arithmetic_weighted_hand_calculation() -> None:
    """x = [1, 2, 3], w = [1, 2, 1]: (1 + 4 + 3)/4 = 2; a second parent on children 1, 3 with
    w = [3, 0, 1]: (3 + 3)/4 = 1.5."""
    x = np.array([[1.0, 2.0, 3.0]])
    w = np.array([[1.0, 3.0], [2.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(agg.arithmetic(x, w), [[2.0, 1.5]], rtol=1e-12)


def test_arithmetic_missing_child_rescales_weights() -> None:
    """x = [1, NaN, 3], w = [1, 2, 1]: the missing child is skipped, (1·1 + 1·3)/(1 + 1) = 2.
    A unit with every child missing gets NaN."""
    x = np.array([[1.0, NAN, 3.0], [NAN, NAN, NAN]])
    y = agg.arithmetic(x, ONE_PARENT)
    assert y[0, 0] == pytest.approx(2.0, rel=1e-12)
    assert math.isnan(y[1, 0])


def test_zero_weight_child_does_not_count() -> None:
    """A child with weight 0 has no influence, even as the only present child's companion."""
    x = np.array([[4.0, 1000.0]])
    w = np.array([[1.0], [0.0]])
    assert agg.arithmetic(x, w)[0, 0] == 4.0


def test_geometric_hand_calculation() -> None:
    """x = [1, 4, 16]: equal weights → (1·4·16)^(1/3) = 4; w = [2, 1, 1] →
    (1²·4·16)^(1/4) = 64^(1/4) = 2√2; with 4 missing and equal weights → √16 = 4."""
    x = np.array([[1.0, 4.0, 16.0], [1.0, NAN, 16.0]])
    w = np.array([[1.0, 2.0], [1.0, 1.0], [1.0, 1.0]])
    y = agg.geometric(x, w)
    np.testing.assert_allclose(y[0], [4.0, 2 * math.sqrt(2)], rtol=1e-12)
    # unit 2, parent 2: w = [2, −, 1] → (1²·16)^(1/3) = 16^(1/3)
    np.testing.assert_allclose(y[1], [4.0, 16 ** (1 / 3)], rtol=1e-12)


def test_harmonic_hand_calculation() -> None:
    """x = [1, 2, 4], w = [1, 1, 2]: Σw / Σ(w/x) = 4/(1 + 0.5 + 0.5) = 2; with 2 missing:
    3/(1 + 0.5) = 2."""
    x = np.array([[1.0, 2.0, 4.0], [1.0, NAN, 4.0]])
    w = np.array([[1.0], [1.0], [2.0]])
    np.testing.assert_allclose(agg.harmonic(x, w)[:, 0], [2.0, 2.0], rtol=1e-12)


def test_generalised_hand_calculation() -> None:
    """p = 2: x = [1, 7] equal weights → √((1 + 49)/2) = 5; p = 3, w = [1, 3], x = [2, 4]:
    ((8 + 192)/4)^(1/3) = 50^(1/3); p = 1 is the arithmetic mean, p = −1 the harmonic."""
    x = np.array([[1.0, 7.0], [2.0, 4.0]])
    eq = np.array([[1.0], [1.0]])
    assert agg.generalised(x, eq, 2.0)[0, 0] == pytest.approx(5.0, rel=1e-12)
    w = np.array([[1.0], [3.0]])
    assert agg.generalised(x, w, 3.0)[1, 0] == pytest.approx(50 ** (1 / 3), rel=1e-12)
    np.testing.assert_allclose(
        agg.generalised(x, w, 1.0), [[(1 + 21) / 4], [(2 + 12) / 4]], rtol=1e-12
    )
    np.testing.assert_allclose(
        agg.generalised(x, w, -1.0), [[4 / (1 + 3 / 7)], [4 / (0.5 + 0.75)]], rtol=1e-12
    )


def test_generalised_skips_missing_and_rejects_p_zero() -> None:
    """Missing children are skipped in the generalised mean; p = 0 raises ValueError."""
    x = np.array([[3.0, NAN, 4.0]])
    w = np.ones((3, 1))
    assert agg.generalised(x, w, 2.0)[0, 0] == pytest.approx(math.sqrt(12.5), rel=1e-12)
    with pytest.raises(ValueError, match="p"):
        agg.generalised(x, w, 0.0)


def test_availability_share_by_count_of_linked_children() -> None:
    """Share of a parent's children present, by count; zero-weight links are not children.

    Parent A has children 1, 2; parent B children 2, 3 (child 1 has weight 0 in B).
    Unit 1 = [1, NaN, 3]: A 1/2, B 1/2. Unit 2 all missing: 0, 0. Unit 3 complete: 1, 1.
    """
    x = np.array([[1.0, NAN, 3.0], [NAN, NAN, NAN], [1.0, 2.0, 3.0]])
    w = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 5.0]])
    np.testing.assert_array_equal(
        agg.availability_share(x, w), [[0.5, 0.5], [0.0, 0.0], [1.0, 1.0]]
    )


# -- properties -----------------------------------------------------------------------------
def _ref_weighted(x: np.ndarray, w: np.ndarray, mean) -> np.ndarray:
    """Plain-Python weighted mean per unit and parent over present, positively weighted
    children, with the weights rescaled to sum to 1; ``mean(values, weights)``."""
    units, parents = x.shape[0], w.shape[1]
    out = np.full((units, parents), np.nan)
    for i in range(units):
        for p in range(parents):
            pairs = [
                (float(x[i, c]), float(w[c, p]))
                for c in range(x.shape[1])
                if not math.isnan(x[i, c]) and w[c, p] > 0
            ]
            total = math.fsum(wt for _, wt in pairs)
            if pairs and total > 0:
                out[i, p] = mean([v for v, _ in pairs], [wt / total for _, wt in pairs])
    return out


def _arith(v, wt):
    return math.fsum(a * b for a, b in zip(v, wt, strict=True))


def _geom(v, wt):
    return math.exp(math.fsum(b * math.log(a) for a, b in zip(v, wt, strict=True)))


def _harm(v, wt):
    return 1.0 / math.fsum(b / a for a, b in zip(v, wt, strict=True))


def _gen(p):
    def mean(v, wt):
        return math.fsum(b * a**p for a, b in zip(v, wt, strict=True)) ** (1.0 / p)

    return mean


@st.composite
def agg_inputs(
    draw: st.DrawFn, elements: st.SearchStrategy[float]
) -> tuple[np.ndarray, np.ndarray]:
    units = draw(st.integers(1, 8))
    children = draw(st.integers(1, 5))
    parents = draw(st.integers(1, 3))
    x = draw(hnp.arrays(np.float64, (units, children), elements=with_missing(elements, 4)))
    w = draw(weight_matrices(children, parents))
    return x, w


@settings(max_examples=50, deadline=None)
@given(agg_inputs(finite))
def test_arithmetic_equals_weighted_mean_over_present_children(
    xw: tuple[np.ndarray, np.ndarray],
) -> None:
    """arithmetic() = Σ w·x / Σ w over the children present, for every unit and parent."""
    x, w = xw
    np.testing.assert_allclose(
        agg.arithmetic(x, w), _ref_weighted(x, w, _arith), rtol=1e-9, atol=1e-9, equal_nan=True
    )


@pytest.mark.parametrize(
    ("name", "func", "ref"),
    [
        ("geometric", agg.geometric, _geom),
        ("harmonic", agg.harmonic, _harm),
        ("generalised p=2", lambda x, w: agg.generalised(x, w, 2.0), _gen(2.0)),
        ("generalised p=-0.5", lambda x, w: agg.generalised(x, w, -0.5), _gen(-0.5)),
    ],
)
@settings(max_examples=30, deadline=None)
@given(xw=agg_inputs(positive))
def test_other_means_equal_weighted_means_over_present_children(
    name: str, func, ref, xw: tuple[np.ndarray, np.ndarray]
) -> None:
    """Geometric, harmonic and generalised means skip missing children and rescale weights."""
    x, w = xw
    np.testing.assert_allclose(
        func(x, w), _ref_weighted(x, w, ref), rtol=1e-9, equal_nan=True, err_msg=name
    )


MEANS = {
    "arithmetic": agg.arithmetic,
    "geometric": agg.geometric,
    "harmonic": agg.harmonic,
    "generalised p=3": lambda x, w: agg.generalised(x, w, 3.0),
    "generalised p=-2": lambda x, w: agg.generalised(x, w, -2.0),
}


@pytest.mark.parametrize("name", sorted(MEANS))
@settings(max_examples=30, deadline=None)
@given(xw=agg_inputs(positive), data=st.data())
def test_increasing_a_child_never_decreases_the_aggregate(
    name: str, xw: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    """Monotonicity: raising one present child's value never lowers any parent's score."""
    x, w = xw
    i = data.draw(st.integers(0, x.shape[0] - 1))
    c = data.draw(st.integers(0, x.shape[1] - 1))
    x0 = np.where(np.isnan(x), NAN, x)
    x0[i, c] = data.draw(positive)  # make sure the child is present
    x1 = x0.copy()
    x1[i, c] = x0[i, c] + data.draw(st.floats(0.0, 1e3))
    before, after = MEANS[name](x0, w), MEANS[name](x1, w)
    # a parent with no positively weighted child present stays NaN either way
    np.testing.assert_array_equal(np.isnan(after), np.isnan(before))
    ok = ~np.isnan(before[i])
    # allowance of a few ulps for exp/log/pow rounding, nothing more
    assert np.all(after[i][ok] >= before[i][ok] * (1 - 1e-13)), (before[i], after[i])
    np.testing.assert_array_equal(np.delete(after, i, axis=0), np.delete(before, i, axis=0))


@settings(max_examples=30, deadline=None)
@given(agg_inputs(positive))
def test_leading_variant_axis_and_per_variant_weights(xw: tuple[np.ndarray, np.ndarray]) -> None:
    """Leading axes carry through: stacked variants (with shared or per-variant weights)
    give what each variant gives alone."""
    x, w = xw
    xs = np.stack([x, x * 2.0, x[::-1]])
    ws = np.stack([w, w[::-1] + 0.5, w * 3.0])
    for func in (agg.arithmetic, agg.geometric, agg.harmonic, agg.availability_share):
        shared = func(xs, w)
        per_variant = func(xs, ws)
        for v in range(3):
            np.testing.assert_allclose(shared[v], func(xs[v], w), rtol=1e-12, equal_nan=True)
            np.testing.assert_allclose(
                per_variant[v], func(xs[v], ws[v]), rtol=1e-12, equal_nan=True
            )
