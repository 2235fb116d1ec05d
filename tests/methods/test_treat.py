"""Tests of ``dxframework.methods.treat``: the outlier rule of METHODS.md §5.

Hand-worked examples pin the winsorisation rule step by step (the skew/kurtosis figures in the
docstrings are scipy's ``skew(bias=False)`` / ``kurtosis(bias=False)``, re-checked in the
tests), and a plain-Python re-implementation of the rule written from METHODS.md checks the
vectorised code on generated columns.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import NAN, outlier_prone

from dxframework.methods import treat


def _col(values: list[float]) -> np.ndarray:
    """One indicator column, shape (units, 1)."""
    return np.asarray(values, dtype=np.float64)[:, None]


def _scipy_passes(values: list[float], skew_max: float = 2.0, kurt_max: float = 3.5) -> bool:
    v = np.asarray([a for a in values if not math.isnan(a)], dtype=np.float64)
    s = scipy.stats.skew(v, bias=False)
    k = scipy.stats.kurtosis(v, fisher=True, bias=False)
    return bool(abs(s) < skew_max or k < kurt_max)


# -- plain-Python reference of the rule (METHODS.md §5), independent of the package ----------
class Ambiguous(Exception):
    """A pass/fail decision too close to a threshold for two implementations to agree on."""


def _moments(v: list[float]) -> tuple[int, float, float, float]:
    n = len(v)
    mean = math.fsum(v) / n
    m2 = math.fsum((a - mean) ** 2 for a in v) / n
    m3 = math.fsum((a - mean) ** 3 for a in v) / n
    m4 = math.fsum((a - mean) ** 4 for a in v) / n
    return n, m2, m3, m4


def ref_skew(v: list[float]) -> float:
    n, m2, m3, _ = _moments(v)
    return m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)


def ref_kurt(v: list[float]) -> float:
    n, m2, _, m4 = _moments(v)
    return ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def ref_passes(v: list[float], skew_max: float, kurt_max: float) -> bool:
    if max(v) == min(v):
        return False  # no spread: skew and kurtosis are undefined, so it cannot pass
    s, k = ref_skew(v), ref_kurt(v)
    margin = 1e-7 * (1 + abs(s) + abs(k))
    if abs(abs(s) - skew_max) < margin or abs(k - kurt_max) < margin:
        raise Ambiguous
    return abs(s) < skew_max or k < kurt_max


def ref_treat(
    col: list[float], skew_max: float, kurt_max: float, winmax: int
) -> tuple[list[float], set[int], set[int], bool, bool]:
    """METHODS.md §5 for one column: (values, high units, low units, log applied, untreatable)."""
    idx = [i for i, a in enumerate(col) if not math.isnan(a)]
    vals = [col[i] for i in idx]
    if len(vals) < 4 or max(vals) == min(vals):
        return list(col), set(), set(), False, True
    if ref_passes(vals, skew_max, kurt_max):
        return list(col), set(), set(), False, False
    x = dict(zip(idx, vals, strict=True))
    high: set[int] = set()
    low: set[int] = set()
    while len(high | low) < winmax:
        cur = list(x.values())
        if max(cur) == min(cur):
            break  # nothing left to move
        if ref_skew(cur) >= 0:
            top = max(cur)
            below = max(a for a in cur if a < top)
            for i in [i for i, a in x.items() if a == top]:
                x[i] = below
                high.add(i)
        else:
            bottom = min(cur)
            above = min(a for a in cur if a > bottom)
            for i in [i for i, a in x.items() if a == bottom]:
                x[i] = above
                low.add(i)
        if ref_passes(list(x.values()), skew_max, kurt_max):
            out = list(col)
            for i, a in x.items():
                out[i] = a
            return out, high, low, False, False
    # winsorisation failed: log of the ORIGINAL values
    lo, hi = min(vals), max(vals)
    out = [a if math.isnan(a) else math.log(a - lo + 0.01 * (hi - lo)) for a in col]
    return out, set(), set(), True, False


# -- passes() ---------------------------------------------------------------------------------
def test_passes_is_an_or_of_the_two_conditions() -> None:
    """passes() is |skew| < skew_max OR kurt < kurt_max: one condition met is enough.

    a: skew 2.05 ≥ 2 but kurt 2.63 < 3.5 → passes (kurt only).
    b: symmetric, skew 0 < 2 but kurt 5.0 ≥ 3.5 → passes (skew only).
    c: skew 3.26, kurt 10.7 → fails both.
    """
    a = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 50, 50]
    b = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    c = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]
    assert scipy.stats.skew(a, bias=False) >= 2 and scipy.stats.kurtosis(a, bias=False) < 3.5
    assert scipy.stats.skew(b, bias=False) < 2 and scipy.stats.kurtosis(b, bias=False) >= 3.5
    assert not _scipy_passes(c)
    n = max(len(a), len(b), len(c))
    x = np.full((n, 3), NAN)
    for k, v in enumerate((a, b, c)):
        x[: len(v), k] = v
    np.testing.assert_array_equal(treat.passes(x), [True, True, False])


def test_passes_uses_strict_inequalities_and_given_thresholds() -> None:
    """|skew| equal to skew_max does not pass; thresholds are honoured per indicator.

    b = [0, 1×9, 2] has skew exactly 0 (m3 = 0) and kurt 5.0.
    """
    b = _col([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2])
    assert not treat.passes(b, skew_max=0.0, kurt_max=4.9)[0]  # 0 < 0 is false
    assert treat.passes(b, skew_max=0.0, kurt_max=5.1)[0]
    two = np.hstack([b, b])
    np.testing.assert_array_equal(
        treat.passes(two, skew_max=[0.0, 0.1], kurt_max=[4.9, 4.9]), [False, True]
    )


def test_passes_false_when_skew_and_kurt_undefined() -> None:
    """With 2 values neither skew (n ≥ 3) nor kurt (n ≥ 4) exists: the column does not pass."""
    assert not treat.passes(_col([1.0, 30.0, NAN, NAN]))[0]


# -- winsorisation, by hand -------------------------------------------------------------------
def test_single_outlier_moved_to_next_highest() -> None:
    """One high outlier is set to the largest value below it, then the column passes.

    [1..10, 100]: skew 3.26, kurt 10.7 (fails); after 100 → 10: skew −0.13 (passes).
    """
    v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]
    assert not _scipy_passes(v)
    assert _scipy_passes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10])
    res = treat.treat_default(_col(v))
    np.testing.assert_array_equal(res.values[:, 0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10])
    assert res.winsorised_high[:, 0].tolist() == [False] * 10 + [True]
    assert not res.winsorised_low.any()
    assert not res.log_applied[0]
    assert not res.untreatable[0]
    assert res.skew_before[0] == pytest.approx(scipy.stats.skew(v, bias=False), rel=1e-9)
    assert res.kurt_after[0] == pytest.approx(
        scipy.stats.kurtosis([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10], bias=False), rel=1e-9
    )


def test_ties_at_the_max_move_together_and_count_separately() -> None:
    """Every value equal to the maximum moves in the same step; each counts as one point.

    [1×14, 2, 3, 50, 50]: skew 2.70, kurt 5.96 (fails). One step: both 50s → 3, giving
    [1×14, 2, 3, 3, 3]: skew 1.68 (passes). Two points winsorised (high), even with
    winmax = 1: a step is never split between tied points.
    """
    v = [1.0] * 14 + [2, 3, 50, 50]
    after = [1.0] * 14 + [2, 3, 3, 3]
    assert not _scipy_passes(v) and _scipy_passes(after)
    for winmax in (5, 1):
        x, high, low, ok = treat.winsorise(_col(v), winmax=winmax)
        np.testing.assert_array_equal(x[:, 0], after)
        assert np.flatnonzero(high[:, 0]).tolist() == [16, 17]
        assert not low.any()
        assert ok[0]


# Worked example for the stop rule. v = [0×30, 1, 2, 10, 500, 500, 1000] (units 0..35):
#   start:  skew 3.87, kurt 21.7 → fails
#   step 1: skew ≥ 0, max 1000 → 500 (unit 35)                  points: {35}            = 1
#           skew 3.15, kurt 8.37 → fails
#   step 2: the three 500s (33, 34, 35) → 10                    points: {33, 34, 35}    = 3
#           skew 2.53, kurt 4.74 → fails
#   step 3: the four 10s (32..35) → 2                           points: {32, 33, 34, 35} = 4
#           skew 2.01, kurt 2.30 → passes
STOP_V = [0.0] * 30 + [1, 2, 10, 500, 500, 1000]
STOP_STEP2 = [0.0] * 30 + [1, 2, 10, 10, 10, 10]
STOP_STEP3 = [0.0] * 30 + [1, 2, 2, 2, 2, 2]


def test_stop_example_premises() -> None:
    """The pass/fail path of the worked stop-rule example, checked with scipy."""
    assert not _scipy_passes(STOP_V)
    assert not _scipy_passes([0.0] * 30 + [1, 2, 10, 500, 500, 500])
    assert not _scipy_passes(STOP_STEP2)
    assert _scipy_passes(STOP_STEP3)


def test_point_moved_twice_counts_once() -> None:
    """winmax = 4: after step 2 three distinct units have moved (unit 35 twice counts once),
    3 < 4, so step 3 runs and the column passes without the log."""
    res = treat.treat_default(_col(STOP_V), winmax=4)
    np.testing.assert_array_equal(res.values[:, 0], STOP_STEP3)
    assert np.flatnonzero(res.winsorised_high[:, 0]).tolist() == [32, 33, 34, 35]
    assert not res.log_applied[0]


def test_tied_points_reach_winmax_and_log_applies_to_original_values() -> None:
    """winmax = 3: the tied step 2 brings the count to 3 = winmax while still failing, so
    winsorisation stops, is discarded, and log(x − min + 0.01·(max − min)) is applied to the
    ORIGINAL values: min 0, max 1000 → log(x + 10).

    (Had ties counted as one point, the count would be 2 and step 3 would have passed.)
    """
    res = treat.treat_default(_col(STOP_V), winmax=3)
    expected = [math.log(a + 10.0) for a in STOP_V]
    np.testing.assert_allclose(res.values[:, 0], expected, rtol=1e-12)
    assert res.log_applied[0]
    assert not res.winsorised_high.any() and not res.winsorised_low.any()
    # not the log of the winsorised column (whose max is 10: log(x + 0.1))
    assert res.values[35, 0] == pytest.approx(math.log(1010.0), rel=1e-12)
    assert res.skew_after[0] == pytest.approx(scipy.stats.skew(expected, bias=False), rel=1e-9)
    # winsorise() alone stops at the same point and reports failure
    x, high, _, ok = treat.winsorise(_col(STOP_V), winmax=3)
    np.testing.assert_array_equal(x[:, 0], STOP_STEP2)
    assert np.flatnonzero(high[:, 0]).tolist() == [33, 34, 35]
    assert not ok[0]


def test_negative_skew_winsorises_the_low_end() -> None:
    """A negatively skewed column moves its minimum up to the smallest value above it.

    The mirror image of the stop-rule example: −v, winmax = 4, ends at
    [0×30, −1, −2, −2, −2, −2, −2] with units 32..35 winsorised low.
    """
    v = [-a for a in STOP_V]
    res = treat.treat_default(_col(v), winmax=4)
    np.testing.assert_array_equal(res.values[:, 0], [-a for a in STOP_STEP3])
    assert np.flatnonzero(res.winsorised_low[:, 0]).tolist() == [32, 33, 34, 35]
    assert not res.winsorised_high.any()
    assert res.skew_before[0] < 0


def test_winmax_zero_goes_straight_to_log() -> None:
    """winmax = 0 allows no winsorised point: a failing column is log-transformed directly."""
    v = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]
    res = treat.treat_default(_col(v), winmax=0)
    assert res.log_applied[0]
    np.testing.assert_allclose(res.values[:, 0], [math.log(a - 1 + 0.99) for a in v], rtol=1e-12)


def test_winmax_per_indicator() -> None:
    """winmax broadcasts over indicators: the same column treated with winmax 3 and 4."""
    x = np.hstack([_col(STOP_V), _col(STOP_V)])
    res = treat.treat_default(x, winmax=[3, 4])
    np.testing.assert_array_equal(res.log_applied, [True, False])
    np.testing.assert_array_equal(res.values[:, 1], STOP_STEP3)


def test_passing_column_is_left_alone() -> None:
    """A column that already passes is returned unchanged with nothing recorded."""
    v = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 100]  # skew 2.03 but kurt 2.58: passes
    assert _scipy_passes(v)
    res = treat.treat_default(_col(v))
    np.testing.assert_array_equal(res.values[:, 0], v)
    assert not (res.winsorised_high.any() or res.winsorised_low.any() or res.log_applied[0])


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.0, 1000.0, NAN, NAN],  # 3 values: fewer than 4
        [5.0, 5.0, 5.0, 5.0, 5.0, NAN],  # no spread
        [NAN, NAN, NAN, NAN],  # nothing at all
    ],
)
def test_untreatable_columns_are_flagged_and_unchanged(values: list[float]) -> None:
    """A column with fewer than 4 values or no spread is flagged untreatable, left as is."""
    res = treat.treat_default(_col(values))
    np.testing.assert_array_equal(res.values[:, 0], values)
    assert res.untreatable[0]
    assert not res.log_applied[0]
    assert not (res.winsorised_high.any() or res.winsorised_low.any())


def test_missing_values_stay_missing_and_in_place() -> None:
    """NaN cells are neither moved nor filled, and do not count as values."""
    v = [1, NAN, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN, 100]
    res = treat.treat_default(_col(v))
    out = res.values[:, 0]
    assert np.isnan(out[1]) and np.isnan(out[11])
    np.testing.assert_array_equal(np.delete(out, [1, 11]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10])
    assert np.flatnonzero(res.winsorised_high[:, 0]).tolist() == [12]


def test_two_valued_column_cannot_be_winsorised_so_it_is_logged() -> None:
    """[0×20, 1] fails; moving the 1 would leave no spread, so the log fallback applies.

    log(x − 0 + 0.01·1): 0 → log 0.01, 1 → log 1.01.
    """
    v = [0.0] * 20 + [1.0]
    assert not _scipy_passes(v)
    res = treat.treat_default(_col(v))
    assert res.log_applied[0]
    np.testing.assert_allclose(
        res.values[:, 0], [math.log(0.01)] * 20 + [math.log(1.01)], rtol=1e-12
    )


def test_log_ct_formula() -> None:
    """log_ct is log(x − min + 0.01·(max − min)) per column: [2, 4, 12] → log([0.1, 2.1, 10.1])."""
    out = treat.log_ct(_col([2.0, 4.0, NAN, 12.0]))[:, 0]
    np.testing.assert_allclose(out[[0, 1, 3]], np.log([0.1, 2.1, 10.1]), rtol=1e-12)
    assert np.isnan(out[2])


def test_other_transforms() -> None:
    """log_plus_one is log(x − min + 1); boxcox is ((x − min + 1)^λ − 1)/λ, log when λ = 0."""
    x = _col([2.0, 3.0, 5.0])
    np.testing.assert_allclose(treat.log_plus_one(x)[:, 0], np.log([1.0, 2.0, 4.0]), rtol=1e-12)
    np.testing.assert_allclose(
        treat.boxcox(x, 0.5)[:, 0], [0.0, 2 * (2**0.5 - 1), 2.0], rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(treat.boxcox(x, 0.0)[:, 0], np.log([1.0, 2.0, 4.0]), rtol=1e-12)


# -- vectorised code vs the plain-Python reference ----------------------------------------------
@st.composite
def treat_inputs(draw: st.DrawFn, variants: int = 0) -> tuple[np.ndarray, float, float, int]:
    """(x, skew_max, kurt_max, winmax); x is (units, k), or (variants, units, k) if given."""
    n = draw(st.integers(min_value=1, max_value=25))
    k = draw(st.integers(min_value=1, max_value=4))
    mats = []
    for _ in range(max(variants, 1)):
        cols = [draw(st.lists(outlier_prone, min_size=n, max_size=n)) for _ in range(k)]
        mats.append(np.array(cols, dtype=np.float64).T.reshape(n, k))
    x = np.stack(mats) if variants else mats[0]
    skew_max = draw(st.sampled_from([0.5, 1.0, 2.0, 3.0]))
    kurt_max = draw(st.sampled_from([0.0, 1.0, 3.5, 6.0]))
    winmax = draw(st.integers(min_value=0, max_value=8))
    return x, skew_max, kurt_max, winmax


def _check_against_reference(
    res: treat.TreatmentResult,
    x: np.ndarray,
    lead: tuple[int, ...],
    skew_max: float,
    kurt_max: float,
    winmax: int,
) -> None:
    for k in range(x.shape[-1]):
        col = x[(*lead, slice(None), k)].tolist()
        try:
            values, high, low, logged, untreatable = ref_treat(col, skew_max, kurt_max, winmax)
        except Ambiguous:
            continue
        got = res.values[(*lead, slice(None), k)]
        if logged:
            np.testing.assert_allclose(got, values, rtol=1e-12, atol=1e-12)
        else:
            np.testing.assert_array_equal(got, values)
        assert set(np.flatnonzero(res.winsorised_high[(*lead, slice(None), k)])) == high
        assert set(np.flatnonzero(res.winsorised_low[(*lead, slice(None), k)])) == low
        assert bool(res.log_applied[(*lead, k)]) is logged
        assert bool(res.untreatable[(*lead, k)]) is untreatable


@settings(max_examples=50, deadline=None)
@given(treat_inputs())
def test_vectorised_treatment_equals_per_column_reference(
    args: tuple[np.ndarray, float, float, int],
) -> None:
    """treat_default on a whole matrix gives, column by column, what the plain-Python
    re-implementation of METHODS.md §5 gives: values, winsorised units/sides, log, flags."""
    x, skew_max, kurt_max, winmax = args
    res = treat.treat_default(x, skew_max, kurt_max, winmax)
    _check_against_reference(res, x, (), skew_max, kurt_max, winmax)


@settings(max_examples=30, deadline=None)
@given(treat_inputs(variants=3))
def test_leading_variant_axis_is_consistent(args: tuple[np.ndarray, float, float, int]) -> None:
    """Variants stacked on a leading axis are treated exactly as each variant alone."""
    stacked, skew_max, kurt_max, winmax = args
    res = treat.treat_default(stacked, skew_max, kurt_max, winmax)
    assert res.log_applied.shape == (3, stacked.shape[-1])
    for v in range(3):
        alone = treat.treat_default(stacked[v], skew_max, kurt_max, winmax)
        np.testing.assert_allclose(
            res.values[v], alone.values, rtol=1e-12, atol=1e-12, equal_nan=True
        )
        np.testing.assert_array_equal(res.winsorised_high[v], alone.winsorised_high)
        np.testing.assert_array_equal(res.winsorised_low[v], alone.winsorised_low)
        np.testing.assert_array_equal(res.log_applied[v], alone.log_applied)
        np.testing.assert_array_equal(res.untreatable[v], alone.untreatable)
        _check_against_reference(res, stacked, (v,), skew_max, kurt_max, winmax)
