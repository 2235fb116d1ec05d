"""Hypothesis strategies shared by the tests of ``dxframework.methods``.

Arrays follow the package convention: ``(..., units, indicators)``, NaN = missing. Values are
kept in a moderate range (and on a coarse grid where exact ties matter) so that independent
re-implementations agree to floating-point rounding rather than failing on overflow or on
catastrophic cancellation that no composite indicator would ever meet.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

NAN = math.nan

#: A finite value of moderate size (no subnormals, no huge magnitudes).
finite = st.floats(
    min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False
)

#: Values on a coarse grid (multiples of 0.5 in [-20, 20]): exact ties are frequent.
gridded = st.integers(min_value=-40, max_value=40).map(lambda k: k / 2.0)

#: Strictly positive values (for geometric and harmonic means).
positive = st.floats(min_value=0.01, max_value=1e3, allow_nan=False, allow_infinity=False)


def with_missing(values: st.SearchStrategy[float], share: int = 5) -> st.SearchStrategy[float]:
    """``values`` or, about once in ``share`` draws, NaN."""
    return st.one_of(*([values] * (share - 1)), st.just(NAN))


#: Finite values, missing about once in five draws (the default matrix elements).
finite_or_missing = with_missing(finite)

#: Column values skewed by a few outliers, the situation outlier treatment is for: mostly
#: small integers, sometimes large positive or negative outliers, sometimes missing.
outlier_prone = st.one_of(
    st.integers(min_value=0, max_value=10).map(float),
    st.integers(min_value=0, max_value=10).map(float),
    st.integers(min_value=0, max_value=10).map(float),
    st.integers(min_value=50, max_value=2000).map(float),
    st.integers(min_value=-2000, max_value=-50).map(float),
    finite,
    st.just(NAN),
)


def matrices(
    elements: st.SearchStrategy[float] = finite_or_missing,
    *,
    min_units: int = 1,
    max_units: int = 12,
    min_cols: int = 1,
    max_cols: int = 4,
    leading: tuple[int, ...] = (),
) -> st.SearchStrategy[np.ndarray]:
    """Float arrays shaped ``(*leading, units, indicators)``."""
    shape = st.tuples(st.integers(min_units, max_units), st.integers(min_cols, max_cols)).map(
        lambda uk: (*leading, *uk)
    )
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def spread_matrices(
    draw: st.DrawFn,
    elements: st.SearchStrategy[float] = finite_or_missing,
    *,
    max_units: int = 12,
    max_cols: int = 4,
    leading: tuple[int, ...] = (),
) -> np.ndarray:
    """Like :func:`matrices`, but every column holds two non-missing values at least 1 apart
    (at random rows), so min–max style methods are defined without heavy filtering."""
    x = draw(
        matrices(elements, min_units=2, max_units=max_units, max_cols=max_cols, leading=leading)
    )
    n = x.shape[-2]
    for idx in np.ndindex(*x.shape[:-2], x.shape[-1]):
        *lead, k = idx
        i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
        a = draw(st.integers(-100, 100)) / 2.0
        b = a + draw(st.integers(2, 100)) / 2.0
        x[(*lead, i, k)], x[(*lead, j, k)] = a, b
    return x


def column_spread_ok(x: np.ndarray, rel: float = 1e-6) -> bool:
    """Every column has at least two clearly distinct non-missing values."""
    for col in np.moveaxis(x, -1, 0).reshape(x.shape[-1], -1):
        v = col[~np.isnan(col)]
        if v.size < 2:
            return False
        if not (v.max() - v.min()) > rel * (1.0 + np.abs(v).max()):
            return False
    return True


@st.composite
def permuted(
    draw: st.DrawFn, x_strategy: st.SearchStrategy[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """An array and a permutation of its unit axis (axis ``-2``)."""
    x = draw(x_strategy)
    perm = np.array(draw(st.permutations(range(x.shape[-2]))), dtype=np.int64)
    return x, perm


def weight_matrices(n_children: int, n_parents: int) -> st.SearchStrategy[np.ndarray]:
    """``(children, parents)`` non-negative weights, every parent with a positive weight.

    Weights are multiples of 0.25 in [0, 5] so hand-checkable and exactly representable.
    """
    w = hnp.arrays(
        np.float64,
        (n_children, n_parents),
        elements=st.integers(min_value=0, max_value=20).map(lambda k: k / 4.0),
    )
    return w.filter(lambda a: bool(np.all(a.sum(axis=0) > 0)))
