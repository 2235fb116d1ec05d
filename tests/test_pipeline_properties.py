"""Pipeline-level properties of a whole run, through the public API only.

A small two-level framework (four indicators, one of them negative, two pillars, an index)
is run on generated data; the properties hold for any data:

* permuting the units permutes every data set, score and rank the same way;
* min–max normalised values lie in [lo, hi] with both bounds attained in every column;
* aggregation skips missing children and rescales the remaining weights (checked against a
  plain-Python walk of the framework);
* the same inputs give bit-identical outputs.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dxframework as dxf

INDICATORS = ("I1", "I2", "I3", "I4")
EDGES = (
    ("I1", "P1", 1.0),
    ("I2", "P1", 2.0),
    ("I3", "P2", 1.0),
    ("I4", "P2", 3.0),
    ("P1", "IDX", 1.0),
    ("P2", "IDX", 2.0),
)
FRAMEWORK = dxf.Framework(
    indicators=[
        dxf.Indicator("I1"),
        dxf.Indicator("I2", direction=-1),
        dxf.Indicator("I3"),
        dxf.Indicator("I4"),
    ],
    aggregates=[dxf.Aggregate("P1"), dxf.Aggregate("P2"), dxf.Aggregate("IDX")],
    edges=[dxf.Edge(c, p, w) for c, p, w in EDGES],
)

FULL = dxf.Pipeline(
    [
        dxf.Stage("impute", "mean"),
        dxf.Stage("treat"),
        dxf.Stage("normalise", "minmax", params={"lo": 0.0, "hi": 100.0}),
        dxf.Stage("aggregate", "arithmetic"),
    ]
)

value = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_subnormal=False)
outlier = st.one_of(
    st.integers(0, 10).map(float),
    st.integers(0, 10).map(float),
    st.integers(100, 5000).map(float),
    value,
)


@st.composite
def datasets(
    draw: st.DrawFn,
    elements: st.SearchStrategy[float] = value,
    missing: bool = False,
    periods: int = 1,
) -> np.ndarray:
    """(periods, units, 4) values; every column of every period has two non-missing values
    at least 1 apart, so min–max scaling is defined."""
    n = draw(st.integers(min_value=3, max_value=10))
    cells = st.one_of(elements, elements, elements, st.just(math.nan)) if missing else elements
    x = draw(hnp.arrays(np.float64, (periods, n, len(INDICATORS)), elements=cells))
    for p in range(periods):
        for k in range(len(INDICATORS)):
            i, j = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
            a = float(draw(st.integers(-50, 50)))
            x[p, i, k], x[p, j, k] = a, a + float(draw(st.integers(1, 50)))
    return x


def _dataset(
    values: np.ndarray, units: list[str] | None = None, periods: tuple[int, ...] | None = None
) -> dxf.Dataset:
    n = values.shape[1]
    units = units or [f"U{i:02d}" for i in range(n)]
    periods = periods or tuple(range(2020, 2020 + values.shape[0]))
    return dxf.Dataset.from_arrays(units, INDICATORS, values, periods=periods)


def _by_unit(data: dxf.Dataset) -> dict[str, np.ndarray]:
    return {u: data.values[:, i, :] for i, u in enumerate(data.unit_codes)}


# -- unit permutation -------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(values=datasets(outlier, missing=True), data=st.data())
def test_unit_permutation_invariance_of_a_whole_run(
    values: np.ndarray, data: st.DataObject
) -> None:
    """Reordering the units reorders every stage's data set and the scores, nothing else;
    ranks follow wherever scores are not tied to rounding."""
    n = values.shape[1]
    units = [f"U{i:02d}" for i in range(n)]
    perm = data.draw(st.permutations(range(n)))
    a = dxf.run_pipeline(FRAMEWORK, _dataset(values, units), FULL)
    b = dxf.run_pipeline(FRAMEWORK, _dataset(values[:, perm, :], [units[i] for i in perm]), FULL)
    assert b.scores.unit_codes == tuple(units[i] for i in perm)
    for name in a.datasets:
        da, db = _by_unit(a[name]), _by_unit(b[name])
        assert a[name].columns == b[name].columns
        for u in units:
            np.testing.assert_allclose(
                db[u], da[u], rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=f"{name}, unit {u}"
            )
    sa, ra, rb = _by_unit(a.scores), _by_unit(a.ranks), _by_unit(b.ranks)
    for j in range(len(a.scores.columns)):
        col = np.array([sa[u][0, j] for u in units])
        for i, u in enumerate(units):
            others = np.delete(col, i)
            if np.all(np.abs(others - col[i]) > 1e-9 * (1 + abs(col[i]))):
                assert ra[u][0, j] == rb[u][0, j]


# -- min–max bounds ---------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(
    values=datasets(outlier, missing=True, periods=2),
    lo=st.floats(-1e3, 1e3, allow_subnormal=False),
    hi=st.floats(-1e3, 1e3, allow_subnormal=False),
)
def test_minmax_output_within_bounds_with_bounds_attained(
    values: np.ndarray, lo: float, hi: float
) -> None:
    """After impute → treat → minmax(lo, hi), every indicator of every period lies in
    [lo, hi], its best unit at exactly hi and its worst at exactly lo (direction −1 too)."""
    assume(hi > lo)
    pipe = FULL.replace_stage("normalised", params={"lo": lo, "hi": hi})
    result = dxf.run_pipeline(FRAMEWORK, _dataset(values), pipe)
    norm = result["normalised"].values
    for p in range(norm.shape[0]):
        for k in range(norm.shape[2]):
            col = norm[p, :, k]
            assert col.min() == lo and col.max() == hi
    # the direction −1 indicator: its lowest treated value scores hi
    treated = result["treated"].values[:, :, 1]
    for p in range(norm.shape[0]):
        assert norm[p, int(np.argmin(treated[p])), 1] == hi


# -- weights rescaled over missing children ---------------------------------------------------
def _ref_aggregate(row: dict[str, float], min_availability: float | None) -> dict[str, float]:
    """Plain-Python aggregation of one unit: weighted mean over present children with the
    weights rescaled; NaN when the share of present children is below the threshold."""
    values = dict(row)
    for parent in ("P1", "P2", "IDX"):
        kids = [(c, w) for c, p, w in EDGES if p == parent]
        present = [(values[c], w) for c, w in kids if not math.isnan(values[c])]
        share = len(present) / len(kids)
        if not present or (min_availability is not None and share < min_availability):
            values[parent] = math.nan
        else:
            total = math.fsum(w for _, w in present)
            values[parent] = math.fsum(v * w / total for v, w in present)
    return values


@settings(max_examples=40, deadline=None)
@given(
    values=datasets(value, missing=True), min_availability=st.sampled_from([None, 0.5, 0.75, 1.0])
)
def test_aggregation_rescales_weights_over_present_children(
    values: np.ndarray, min_availability: float | None
) -> None:
    """Each aggregate is the weighted mean of its present children, weights rescaled; a
    group below min_availability (if set) is missing; a group with nothing present too."""
    params = {} if min_availability is None else {"min_availability": min_availability}
    pipe = dxf.Pipeline([dxf.Stage("aggregate", "arithmetic", params=params)])
    result = dxf.run_pipeline(FRAMEWORK, _dataset(values), pipe)
    out = result["aggregated"]
    for i, u in enumerate(out.unit_codes):
        row = {c: float(values[0, i, k]) for k, c in enumerate(INDICATORS)}
        expected = _ref_aggregate(row, min_availability)
        for code in ("P1", "P2", "IDX"):
            got = float(out.values[0, i, out.column_index(code)])
            if math.isnan(expected[code]):
                assert math.isnan(got), (u, code, got)
            else:
                assert math.isclose(got, expected[code], rel_tol=1e-9, abs_tol=1e-9), (
                    u,
                    code,
                    got,
                    expected[code],
                )
        # the indicator columns pass through unchanged
        np.testing.assert_array_equal(out.values[0, i, :4], values[0, i, :])


# -- determinism ------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(values=datasets(outlier, missing=True, periods=2))
def test_same_inputs_give_bit_identical_outputs(values: np.ndarray) -> None:
    """Two runs on equal inputs give byte-for-byte equal data sets, scores, ranks, records
    and manifests; the input data set is left as it was."""
    data = _dataset(values)
    before = data.values.tobytes()
    a = dxf.run_pipeline(FRAMEWORK, data, FULL)
    b = dxf.run_pipeline(FRAMEWORK, _dataset(values.copy()), FULL)
    assert data.values.tobytes() == before
    assert list(a.datasets) == list(b.datasets)
    for name in a.datasets:
        assert a[name].values.tobytes() == b[name].values.tobytes(), name
    assert a.scores.values.tobytes() == b.scores.values.tobytes()
    assert a.ranks.values.tobytes() == b.ranks.values.tobytes()
    for sa, sb in zip(a.stages, b.stages, strict=True):
        assert repr(sa.record) == repr(sb.record)
    assert repr(a.manifest) == repr(b.manifest)
