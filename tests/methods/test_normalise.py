"""Tests of ``dxframework.methods.normalise`` (METHODS.md §6)."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import (
    NAN,
    gridded,
    matrices,
    permuted,
    spread_matrices,
    with_missing,
)

from dxframework.methods import normalise as norm


def _col(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)[:, None]


def _scipy_min_rank(col: np.ndarray) -> np.ndarray:
    """scipy rankdata(method='min') over the non-missing values; NaN stays NaN."""
    out = np.full(col.shape, np.nan)
    ok = ~np.isnan(col)
    if ok.any():
        out[ok] = scipy.stats.rankdata(col[ok], method="min")
    return out


def _per_column(x: np.ndarray, func) -> np.ndarray:
    out = np.empty_like(x)
    for idx in np.ndindex(*x.shape[:-2], x.shape[-1]):
        *lead, k = idx
        sl = (*lead, slice(None), k)
        out[sl] = func(x[sl])
    return out


# -- minmax ---------------------------------------------------------------------------------
def test_minmax_hand_calculation() -> None:
    """[2, 4, NaN, 6] on 0–100: (x − 2)/4·100 → [0, 50, NaN, 100]; on 1–3 → [1, 2, NaN, 3]."""
    x = _col([2.0, 4.0, NAN, 6.0])
    np.testing.assert_array_equal(norm.minmax(x)[:, 0], [0.0, 50.0, NAN, 100.0])
    np.testing.assert_array_equal(norm.minmax(x, 1.0, 3.0)[:, 0], [1.0, 2.0, NAN, 3.0])


@settings(max_examples=50, deadline=None)
@given(
    x=spread_matrices(),
    lo=st.floats(-1e3, 1e3, allow_subnormal=False),
    hi=st.floats(-1e3, 1e3, allow_subnormal=False),
)
def test_minmax_bounds_exactly_attained(x: np.ndarray, lo: float, hi: float) -> None:
    """Every column's min maps to exactly lo, its max to exactly hi, all values in [lo, hi]."""
    assume(hi > lo)
    y = norm.minmax(x, lo, hi)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    for k in range(x.shape[1]):
        col = y[:, k][~np.isnan(y[:, k])]
        assert col.min() == lo
        assert col.max() == hi
    assert np.all((y[~np.isnan(y)] >= lo) & (y[~np.isnan(y)] <= hi))


@pytest.mark.parametrize(("lo", "hi"), [(-7.3, 1e-3), (0.0, 100.0), (-1.0, 0.3), (1.1, 2.2)])
def test_minmax_endpoints_survive_rounding(lo: float, hi: float) -> None:
    """max maps to exactly hi even where (hi − lo) + lo ≠ hi in floating point.

    (7.301 + (−7.3) rounds to 0.001000000000000334, 3e-16 above hi = 0.001.)
    """
    y = norm.minmax(_col([1.0, 2.0, 3.0]), lo, hi)[:, 0]
    assert y[0] == lo and y[2] == hi
    assert lo <= y[1] <= hi


@settings(max_examples=50, deadline=None)
@given(x=spread_matrices())
def test_minmax_matches_formula(x: np.ndarray) -> None:
    """minmax follows (x − min)/(max − min)·(hi − lo) + lo, written out per value."""
    lo, hi = -3.0, 7.0
    expected = np.full(x.shape, np.nan)
    for k in range(x.shape[1]):
        v = [a for a in x[:, k] if not np.isnan(a)]
        mn, mx = min(v), max(v)
        for i, a in enumerate(x[:, k]):
            if not np.isnan(a):
                expected[i, k] = (a - mn) / (mx - mn) * (hi - lo) + lo
    np.testing.assert_allclose(norm.minmax(x, lo, hi), expected, rtol=1e-9, atol=1e-12)


def test_minmax_per_indicator_bounds_and_zero_range() -> None:
    """lo/hi broadcast per indicator; a column without spread gives NaN (rejected upstream)."""
    x = np.array([[0.0, 1.0, 5.0], [10.0, 3.0, 5.0]])
    y = norm.minmax(x, [0.0, -1.0, 0.0], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y[:, :2], [[0.0, -1.0], [1.0, 1.0]])
    assert np.isnan(y[:, 2]).all()


# -- zscore ---------------------------------------------------------------------------------
def test_zscore_hand_calculation() -> None:
    """[1, 2, 3]: mean 2, sample sd 1 → [−1, 0, 1]; with mean 100, sd 10 → [90, 100, 110]."""
    x = _col([1.0, 2.0, NAN, 3.0])
    np.testing.assert_allclose(norm.zscore(x)[:, 0], [-1.0, 0.0, NAN, 1.0], equal_nan=True)
    np.testing.assert_allclose(
        norm.zscore(x, 100.0, 10.0)[:, 0], [90.0, 100.0, NAN, 110.0], equal_nan=True
    )


@settings(max_examples=50, deadline=None)
@given(x=spread_matrices(), mean=st.floats(-100, 100), sd=st.floats(0.1, 50))
def test_zscore_has_requested_mean_and_sample_sd(x: np.ndarray, mean: float, sd: float) -> None:
    """Output columns have mean `mean` and sample (n − 1) standard deviation `sd`."""
    y = norm.zscore(x, mean, sd)
    for k in range(x.shape[1]):
        v = [float(a) for a in y[:, k] if not np.isnan(a)]
        assert statistics.fmean(v) == pytest.approx(mean, abs=1e-9 * (1 + abs(mean) + sd))
        assert statistics.stdev(v) == pytest.approx(sd, rel=1e-9)


# -- ranks ----------------------------------------------------------------------------------
def test_rank_min_hand_calculation() -> None:
    """[3, 1, NaN, 3, 2, 1]: 1s share rank 1, 2 gets 3, 3s share rank 4; NaN stays NaN."""
    y = norm.rank_min(_col([3.0, 1.0, NAN, 3.0, 2.0, 1.0]))[:, 0]
    np.testing.assert_array_equal(y, [4.0, 1.0, NAN, 4.0, 3.0, 1.0])


def test_rank_ties_need_exact_equality() -> None:
    """Values tie only when exactly equal: 0.1 + 0.2 and 0.3 are distinct values."""
    y = norm.rank_min(_col([0.1 + 0.2, 0.3, 0.0]))[:, 0]
    np.testing.assert_array_equal(y, [3.0, 2.0, 1.0])


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(gridded, share=4), min_units=1, max_units=15, leading=(2,)))
def test_rank_min_matches_scipy(x: np.ndarray) -> None:
    """rank_min equals scipy rankdata(method='min') per column (ties, NaN, leading axes)."""
    np.testing.assert_array_equal(norm.rank_min(x), _per_column(x, _scipy_min_rank))


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(gridded, share=4), min_units=1, max_units=15))
def test_borda_and_percentile_rank_match_scipy(x: np.ndarray) -> None:
    """borda = rank − 1 and percentile_rank = (rank − 1)/(n − 1), ranks from scipy."""
    ranks = _per_column(x, _scipy_min_rank)
    np.testing.assert_array_equal(norm.borda(x), ranks - 1.0)
    n = np.sum(~np.isnan(x), axis=0, keepdims=True).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (ranks - 1.0) / (n - 1.0)
    np.testing.assert_allclose(norm.percentile_rank(x), expected, rtol=1e-12, equal_nan=True)


def test_percentile_rank_hand_calculation() -> None:
    """[10, 20, 20, 40, NaN]: ranks 1, 2, 2, 4 over n = 4 → [0, 1/3, 1/3, 1, NaN]."""
    y = norm.percentile_rank(_col([10.0, 20.0, 20.0, 40.0, NAN]))[:, 0]
    np.testing.assert_allclose(y, [0.0, 1 / 3, 1 / 3, 1.0, NAN], rtol=1e-12, equal_nan=True)


# -- distance methods -----------------------------------------------------------------------
def test_fraction_of_max() -> None:
    """x / max: [1, 2, NaN, 4] → [0.25, 0.5, NaN, 1]."""
    y = norm.fraction_of_max(_col([1.0, 2.0, NAN, 4.0]))[:, 0]
    np.testing.assert_array_equal(y, [0.25, 0.5, NAN, 1.0])


def test_distance_to_max() -> None:
    """1 − (max − x)/(max − min): [2, 4, 10] → 1 − [8, 6, 0]/8 = [0, 0.25, 1]."""
    y = norm.distance_to_max(_col([2.0, 4.0, NAN, 10.0]))[:, 0]
    np.testing.assert_array_equal(y, [0.0, 0.25, NAN, 1.0])


def test_distance_to_reference_with_and_without_cap() -> None:
    """1 − (x_ref − x)/(x_ref − min) with x_ref = 4, min = 2: [2, 4, 10, 6] → [0, 1, 4, 2];
    capped at 1 → [0, 1, 1, 1]."""
    x = _col([2.0, 4.0, 10.0, 6.0])
    ref = np.array([4.0])
    np.testing.assert_array_equal(norm.distance_to_reference(x, ref)[:, 0], [0, 1, 4, 2])
    np.testing.assert_array_equal(norm.distance_to_reference(x, ref, cap=True)[:, 0], [0, 1, 1, 1])


def test_distance_to_target_cap_and_scale() -> None:
    """(x − min)/(target − min) with min 2, target 6: [2, 4, 10] → [0, 0.5, 2];
    capped → [0, 0.5, 1]; scale 100 → [0, 50, 100]; uncapped at scale 100 → [0, 50, 200]."""
    x = _col([2.0, 4.0, 10.0])
    np.testing.assert_array_equal(norm.distance_to_target(x, [6.0], cap=False)[:, 0], [0, 0.5, 2])
    np.testing.assert_array_equal(norm.distance_to_target(x, [6.0])[:, 0], [0, 0.5, 1])
    np.testing.assert_array_equal(
        norm.distance_to_target(x, [6.0], scale=100.0)[:, 0], [0, 50, 100]
    )
    np.testing.assert_array_equal(
        norm.distance_to_target(x, [6.0], cap=False, scale=100.0)[:, 0], [0, 50, 200]
    )


def test_distance_to_target_per_indicator() -> None:
    """Targets broadcast per indicator: column 1 target 6, column 2 target 12 (min 0)."""
    x = np.array([[2.0, 0.0], [4.0, 6.0], [10.0, 12.0]])
    y = norm.distance_to_target(x, [6.0, 12.0])
    np.testing.assert_array_equal(y, [[0, 0], [0.5, 0.5], [1, 1]])


def test_goalposts_truncation_and_scale() -> None:
    """(x − lo)/(hi − lo)·scale with lo 0, hi 50: [−10, 0, 25, 50, 80] → [−0.2, 0, 0.5, 1, 1.6]
    untruncated; truncated to [0, 1] by default; scale 100 → [0, 0, 50, 100, 100]."""
    x = _col([-10.0, 0.0, 25.0, 50.0, 80.0, NAN])
    np.testing.assert_allclose(
        norm.goalposts(x, 0.0, 50.0, truncate=False)[:, 0],
        [-0.2, 0, 0.5, 1, 1.6, NAN],
        rtol=1e-12,
        equal_nan=True,
    )
    np.testing.assert_array_equal(norm.goalposts(x, 0.0, 50.0)[:, 0], [0, 0, 0.5, 1, 1, NAN])
    np.testing.assert_array_equal(
        norm.goalposts(x, 0.0, 50.0, scale=100.0)[:, 0], [0, 0, 50, 100, 100, NAN]
    )


def test_goalposts_per_indicator() -> None:
    """Goalposts broadcast per indicator: (0, 10) and (100, 200)."""
    x = np.array([[5.0, 150.0], [20.0, 50.0]])
    y = norm.goalposts(x, [0.0, 100.0], [10.0, 200.0])
    np.testing.assert_array_equal(y, [[0.5, 0.5], [1.0, 0.0]])


# -- permutation invariance -----------------------------------------------------------------
METHODS = {
    "minmax": lambda x: norm.minmax(x, -1.0, 2.0),
    "zscore": lambda x: norm.zscore(x, 5.0, 2.0),
    "rank_min": norm.rank_min,
    "borda": norm.borda,
    "percentile_rank": norm.percentile_rank,
    "fraction_of_max": norm.fraction_of_max,
    "distance_to_max": norm.distance_to_max,
    "distance_to_reference": lambda x: norm.distance_to_reference(
        x, np.nanmedian(x, axis=0), cap=True
    ),
    "distance_to_target": lambda x: norm.distance_to_target(
        x, np.nanmax(x, axis=0) + 1.0, scale=100.0
    ),
    "goalposts": lambda x: norm.goalposts(x, -5.0, 5.0, scale=10.0),
}


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=25, deadline=None)
@given(data=permuted(spread_matrices(with_missing(gridded, share=4), max_units=10)))
def test_every_method_is_invariant_to_unit_permutation(
    name: str, data: tuple[np.ndarray, np.ndarray]
) -> None:
    """Permuting the units (rows) permutes the output the same way, nothing else changes."""
    x, perm = data
    func = METHODS[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        direct = func(x)[perm]
        permuted_first = func(x[perm])
    np.testing.assert_allclose(permuted_first, direct, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_standardisations_give_nan_for_a_column_without_spread() -> None:
    """0.1 seven times: its computed sd is rounding noise (≈1e-17, not 0), whose quotient
    would be ±0.93 in one unit order and other values in another; by definition the
    standardised value is undefined (0/0), as min–max's zero range."""
    from dxframework.methods.mazziotta_pareto import mpi_standardise

    x = np.array([[1.0, 0.1]] + [[0.1, 0.1]] * 6)
    assert np.std(x[:, 1], ddof=1) > 0  # the noise the methods must not divide by
    for z in (norm.zscore(x), mpi_standardise(x)):
        assert np.isnan(z[:, 1]).all()
        assert np.isfinite(z[:, 0]).all()
    # the column with spread is untouched: (1 − 0.2286)/0.3402 by hand
    mean = (1.0 + 6 * 0.1) / 7
    sd = np.sqrt(((1.0 - mean) ** 2 + 6 * (0.1 - mean) ** 2) / 6)
    assert norm.zscore(x)[0, 0] == pytest.approx((1.0 - mean) / sd, rel=1e-12)
