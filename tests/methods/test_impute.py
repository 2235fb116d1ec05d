"""Tests of ``dxframework.methods.impute`` (METHODS.md §3)."""

from __future__ import annotations

import itertools
import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import NAN, finite, matrices, with_missing

from dxframework.methods import impute as imp


# -- column statistics ----------------------------------------------------------------------
def test_mean_and_median_hand_calculation() -> None:
    """Column [1, NaN, 2, 9]: mean 4, median 2; an all-missing column stays missing."""
    x = np.array([[1.0, NAN], [NAN, NAN], [2.0, NAN], [9.0, NAN]])
    np.testing.assert_array_equal(imp.impute_mean(x), [[1, NAN], [4, NAN], [2, NAN], [9, NAN]])
    np.testing.assert_array_equal(imp.impute_median(x), [[1, NAN], [2, NAN], [2, NAN], [9, NAN]])


def _ref_fill(x: np.ndarray, groups: np.ndarray | None, stat) -> np.ndarray:
    """Plain-Python fill of 2-D ``x``: NaN → ``stat`` of the non-missing values of the same
    column (within the unit's group when ``groups`` is given; group −1 left alone)."""
    out = x.copy()
    units, cols = x.shape
    for k in range(cols):
        for i in range(units):
            if not math.isnan(x[i, k]):
                continue
            if groups is not None and groups[i] < 0:
                continue
            pool = [
                float(x[j, k])
                for j in range(units)
                if not math.isnan(x[j, k]) and (groups is None or groups[j] == groups[i])
            ]
            if pool:
                out[i, k] = stat(pool)
    return out


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(finite, 3), max_units=10))
def test_mean_and_median_fill_only_missing(x: np.ndarray) -> None:
    """NaN cells get the column mean / median of the non-missing values; others never change."""
    np.testing.assert_allclose(
        imp.impute_mean(x),
        _ref_fill(x, None, statistics.fmean),
        rtol=1e-9,
        atol=1e-9,
        equal_nan=True,
    )
    np.testing.assert_allclose(
        imp.impute_median(x),
        _ref_fill(x, None, statistics.median),
        rtol=1e-12,
        atol=1e-12,
        equal_nan=True,
    )
    known = ~np.isnan(x)
    for func in (imp.impute_mean, imp.impute_median):
        np.testing.assert_array_equal(func(x)[known], x[known])


# -- by group -------------------------------------------------------------------------------
def test_by_group_hand_calculation() -> None:
    """Groups [0, 0, 0, 1, 1, −1]: group 0's NaN gets mean(2, 4) = 3 (median 3), group 1's
    NaN gets 10; the ungrouped unit's NaN stays missing."""
    x = np.array([[2.0], [NAN], [4.0], [10.0], [NAN], [NAN]])
    g = np.array([0, 0, 0, 1, 1, -1])
    np.testing.assert_array_equal(imp.impute_by_group(x, g, "mean")[:, 0], [2, 3, 4, 10, 10, NAN])
    x2 = np.array([[2.0], [NAN], [4.0], [100.0], [10.0], [NAN]])
    g2 = np.array([0, 0, 0, 0, 1, -1])
    np.testing.assert_array_equal(
        imp.impute_by_group(x2, g2, "median")[:, 0], [2, 4, 4, 100, 10, NAN]
    )


def test_by_group_with_all_missing_group_stays_missing() -> None:
    """A group with no value in a column cannot fill it: the cells stay NaN."""
    x = np.array([[1.0], [NAN], [NAN]])
    out = imp.impute_by_group(x, np.array([0, 1, 1]))
    np.testing.assert_array_equal(out[:, 0], [1.0, NAN, NAN])


@st.composite
def grouped(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x = draw(matrices(with_missing(finite, 3), max_units=10, leading=(2,)))
    g = draw(hnp.arrays(np.int64, (x.shape[-2],), elements=st.integers(-1, 2)))
    return x, g


@settings(max_examples=50, deadline=None)
@given(grouped())
def test_by_group_property(xg: tuple[np.ndarray, np.ndarray]) -> None:
    """Within-group mean/median fill (per leading-axis slice); units in group −1 untouched;
    non-missing values never change."""
    x, g = xg
    for stat, ref in (("mean", statistics.fmean), ("median", statistics.median)):
        out = imp.impute_by_group(x, g, stat)
        known = ~np.isnan(x)
        np.testing.assert_array_equal(out[known], x[known])
        np.testing.assert_array_equal(out[..., g < 0, :], x[..., g < 0, :])
        for p in range(x.shape[0]):
            np.testing.assert_allclose(
                out[p], _ref_fill(x[p], g, ref), rtol=1e-9, atol=1e-9, equal_nan=True
            )


# -- panels ---------------------------------------------------------------------------------
def _panel(series: list[float]) -> np.ndarray:
    """One unit, one indicator, periods along axis 0: shape (periods, 1, 1)."""
    return np.asarray(series, dtype=np.float64)[:, None, None]


def test_latest_carries_forward() -> None:
    """[NaN, 1, NaN, NaN, 3, NaN] → [NaN, 1, 1, 1, 3, 3]: nothing known before period 2."""
    out = imp.impute_latest(_panel([NAN, 1, NAN, NAN, 3, NAN]))
    np.testing.assert_array_equal(out[:, 0, 0], [NAN, 1, 1, 1, 3, 3])


def test_linear_with_unequal_period_spacing() -> None:
    """Years 2000, 2001, 2005, 2010, 2012 with values NaN, 1, NaN, 10, NaN:
    2005 lies 4/9 of the way from 2001 to 2010 → 1 + 9·4/9 = 5; 2000 (before the span) takes
    the nearest known value 1; 2012 (after) takes 10."""
    years = np.array([2000.0, 2001.0, 2005.0, 2010.0, 2012.0])
    out = imp.impute_linear(_panel([NAN, 1, NAN, 10, NAN]), periods=years)
    np.testing.assert_allclose(out[:, 0, 0], [1, 1, 5, 10, 10], rtol=1e-12)


def test_linear_equal_spacing_default_and_several_gaps() -> None:
    """Default equal spacing: [0, NaN, NaN, 3, NaN, 7] → [0, 1, 2, 3, 5, 7]."""
    out = imp.impute_linear(_panel([0, NAN, NAN, 3, NAN, 7]))
    np.testing.assert_allclose(out[:, 0, 0], [0, 1, 2, 3, 5, 7], rtol=1e-12)


def test_linear_single_known_value_and_all_missing() -> None:
    """One known value fills the whole series; a series with none stays missing."""
    x = np.stack([_panel([NAN, 4, NAN])[:, 0, 0], _panel([NAN, NAN, NAN])[:, 0, 0]], axis=-1)
    out = imp.impute_linear(x[:, None, :])
    np.testing.assert_array_equal(out[:, 0, 0], [4, 4, 4])
    assert np.isnan(out[:, 0, 1]).all()


def test_panel_axis_argument() -> None:
    """The period axis can be another axis, e.g. −3 for (periods, units, indicators)."""
    x = np.array([[[1.0, NAN]], [[NAN, 2.0]], [[3.0, NAN]]])  # (3 periods, 1 unit, 2 ind.)
    np.testing.assert_array_equal(
        imp.impute_latest(x, axis=-3)[:, 0, :], [[1, NAN], [1, 2], [3, 2]]
    )
    np.testing.assert_array_equal(imp.impute_linear(x, axis=-3)[:, 0, :], [[1, 2], [2, 2], [3, 2]])


def _ref_linear(series: list[float], t: list[float]) -> list[float]:
    """Plain-Python panel interpolation from METHODS.md §3."""
    known = [(ti, v) for ti, v in zip(t, series, strict=True) if not math.isnan(v)]
    out = []
    for ti, v in zip(t, series, strict=True):
        if not math.isnan(v):
            out.append(v)
        elif not known:
            out.append(NAN)
        elif ti <= known[0][0]:
            out.append(known[0][1])
        elif ti >= known[-1][0]:
            out.append(known[-1][1])
        else:
            (t0, v0), (t1, v1) = next(
                (a, b) for a, b in itertools.pairwise(known) if a[0] < ti < b[0]
            )
            out.append(v0 + (v1 - v0) * (ti - t0) / (t1 - t0))
    return out


def _ref_latest(series: list[float]) -> list[float]:
    out, last = [], NAN
    for v in series:
        if not math.isnan(v):
            last = v
        out.append(last)
    return out


@st.composite
def panels(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x = draw(
        matrices(
            with_missing(finite, 2), max_units=5, max_cols=3, leading=(draw(st.integers(1, 7)),)
        )
    )
    gaps = draw(st.lists(st.integers(1, 5), min_size=x.shape[0], max_size=x.shape[0]))
    return x, 1990.0 + np.cumsum(gaps)


@settings(max_examples=50, deadline=None)
@given(panels())
def test_panel_imputation_matches_reference(xt: tuple[np.ndarray, np.ndarray]) -> None:
    """latest and linear equal a plain-Python version per unit and indicator; known values
    never change."""
    x, t = xt
    lin = imp.impute_linear(x, axis=0, periods=t)
    lat = imp.impute_latest(x, axis=0)
    known = ~np.isnan(x)
    np.testing.assert_array_equal(lin[known], x[known])
    np.testing.assert_array_equal(lat[known], x[known])
    for i in range(x.shape[1]):
        for k in range(x.shape[2]):
            series = x[:, i, k].tolist()
            np.testing.assert_allclose(
                lin[:, i, k], _ref_linear(series, t.tolist()), rtol=1e-9, atol=1e-9, equal_nan=True
            )
            np.testing.assert_array_equal(lat[:, i, k], _ref_latest(series))


@pytest.mark.parametrize("func", [imp.impute_mean, imp.impute_median])
def test_input_is_not_modified(func) -> None:
    """Imputation returns a new array; the caller's array keeps its NaN."""
    x = np.array([[1.0], [NAN], [3.0]])
    func(x)
    assert np.isnan(x[1, 0])
