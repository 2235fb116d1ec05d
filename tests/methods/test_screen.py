"""Tests of ``dxframework.methods.screen`` (METHODS.md §4)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from strategies import NAN, gridded, matrices, with_missing

from dxframework.methods import screen


def test_availability_hand_calculation() -> None:
    """Share of a unit's indicator values present: [1, NaN, 0] → 2/3, all NaN → 0,
    complete → 1. A zero value counts as available."""
    x = np.array([[1.0, NAN, 0.0], [NAN, NAN, NAN], [4.0, 5.0, 6.0]])
    np.testing.assert_allclose(screen.availability(x), [2 / 3, 0.0, 1.0], rtol=1e-15)


def test_nonzero_share_hand_calculation() -> None:
    """Share of non-zero values among available ones: [1, NaN, 0] → 1/2; [0, 0, 0, 5] → 1/4;
    a unit with nothing available → 1 (it is screened by availability instead)."""
    x = np.array([[1.0, NAN, 0.0, NAN], [0.0, 0.0, 0.0, 5.0], [NAN, NAN, NAN, NAN]])
    np.testing.assert_array_equal(screen.nonzero_share(x), [0.5, 0.25, 1.0])


def test_negative_zero_counts_as_zero() -> None:
    """−0.0 is a zero value for the non-zero share."""
    x = np.array([[-0.0, 2.0]])
    np.testing.assert_array_equal(screen.nonzero_share(x), [0.5])


def test_no_indicator_columns_means_full_availability() -> None:
    """With no indicator columns a unit has nothing missing: availability 1."""
    np.testing.assert_array_equal(screen.availability(np.empty((3, 0))), [1.0, 1.0, 1.0])


@settings(max_examples=50, deadline=None)
@given(matrices(with_missing(gridded, 3), max_units=8, max_cols=6, leading=(2,)))
def test_screen_measures_match_plain_python(x: np.ndarray) -> None:
    """availability and nonzero_share equal plain-Python counts per unit (leading axes too)."""
    av, nz = screen.availability(x), screen.nonzero_share(x)
    assert av.shape == nz.shape == x.shape[:-1]
    for p in range(x.shape[0]):
        for i in range(x.shape[1]):
            row = [float(v) for v in x[p, i]]
            present = [v for v in row if v == v]
            assert av[p, i] == len(present) / len(row)
            expected = sum(1 for v in present if v != 0) / len(present) if present else 1.0
            assert nz[p, i] == expected
