"""Outlier treatment (METHODS.md §5): skew/kurtosis check, winsorisation, log fallback.

All functions work on ``(..., units, indicators)`` arrays and treat every indicator (and every
leading-axis variant) at once: the winsorisation loop runs over steps (at most ``winmax``), not
over units or indicators.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.methods._nan import nanmax, nanmin
from dxframework.methods.stats import count, kurt, skew, skew_kurt

__all__ = [
    "TreatmentResult",
    "boxcox",
    "log_ct",
    "log_plus_one",
    "log_signed",
    "passes",
    "transformed",
    "treat_default",
    "winsorise",
    "winsorised",
]

F = NDArray[np.float64]
B = NDArray[np.bool_]


def _pass(sk: F, ku: F, skew_max: ArrayLike, kurt_max: ArrayLike) -> B:
    smax = np.asarray(skew_max, dtype=np.float64)
    kmax = np.asarray(kurt_max, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray((np.abs(sk) < smax) | (ku < kmax))


def passes(x: F, skew_max: ArrayLike = 2.0, kurt_max: ArrayLike = 3.5) -> B:
    """An indicator passes when ``|skew| < skew_max`` **or** ``kurt < kurt_max``."""
    return _pass(*skew_kurt(x), skew_max, kurt_max)


def log_ct(x: F) -> F:
    """``log(x − min(x) + 0.01·(max(x) − min(x)))`` per column (the COIN Tool log)."""
    lo = nanmin(x, keepdims=True)
    hi = nanmax(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(x - lo + 0.01 * (hi - lo)))


def log_signed(x: F) -> F:
    """Sign-aware log: :func:`log_ct` for a right-skewed column, its mirror for a left-skewed one.

    A left-skewed column (skew < 0) becomes ``−log(max(x) − x + 0.01·(max − min))``, which
    pulls in the long left tail and keeps the order of the values.
    """
    sk, _ = skew_kurt(x)
    left = (sk < 0)[..., np.newaxis, :]
    lo = nanmin(x, keepdims=True)
    hi = nanmax(x, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mirrored = -np.log(hi - x + 0.01 * (hi - lo))
    return np.asarray(np.where(left, mirrored, log_ct(x)))


def log_plus_one(x: F) -> F:
    """``log(x − min(x) + 1)`` per column."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(x - nanmin(x, keepdims=True) + 1.0))


def boxcox(x: F, lam: float) -> F:
    """Box–Cox with a given λ on ``x − min(x) + 1``: ``(y^λ − 1)/λ``, ``log y`` when λ = 0."""
    y = x - nanmin(x, keepdims=True) + 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(y) if lam == 0 else (y**lam - 1.0) / lam)


def _power_moments(n: F, c: F, s1: F, s2: F, s3: F, s4: F) -> tuple[F, F]:
    """Skewness and kurtosis (METHODS §5) from power sums ``S_k = Σ (x − c)^k``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = s1 / n
        a2, a3, a4 = s2 / n, s3 / n, s4 / n
        m2 = a2 - mu * mu
        m3 = a3 - 3.0 * mu * a2 + 2.0 * mu**3
        m4 = a4 - 4.0 * mu * a3 + 6.0 * mu * mu * a2 - 3.0 * mu**4
        g1 = m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        g2 = ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(n >= 3, g1, np.nan), np.where(n >= 4, g2, np.nan)


def _row_search(
    srt: F, r: NDArray[np.int64], nv: NDArray[np.int64], v: F, left: bool
) -> NDArray[np.int64]:
    """Per row of the sorted ``srt`` (valid prefix ``nv``), the insertion point of ``v``
    (``searchsorted`` side left or right), by a binary search vectorised over the rows."""
    lo = np.zeros(r.shape, dtype=np.int64)
    hi = nv.astype(np.int64)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        probe = srt[r, np.minimum(mid, srt.shape[-1] - 1)]
        go = (probe < v) if left else (probe <= v)
        go &= lo < hi
        lo = np.where(go, mid + 1, lo)
        hi = np.where(go | (lo >= hi), hi, mid)
    return lo


def winsorise(
    x: F,
    skew_max: ArrayLike = 2.0,
    kurt_max: ArrayLike = 3.5,
    winmax: ArrayLike = 5,
    moments: tuple[F, F] | None = None,
) -> tuple[F, B, B, B]:
    """Winsorise failing columns step by step until they pass or ``winmax`` points are reached.

    A step moves every value equal to the current maximum to the largest value below it when
    the current skew is ≥ 0, otherwise every value equal to the minimum to the smallest value
    above it; the count of winsorised points is the number of distinct units moved so far.
    If a step leaves no spread the column stops there, not passed (METHODS §5).

    The failing columns (across all leading-axis variants) are sorted once; a step is then
    index arithmetic on every active column at once: the current top (bottom) value is a
    position in the sorted column, and the skewness and kurtosis after the step come from
    power sums ``Σ (x − c)^k`` (``c`` the column mean) updated by the points moved. The
    result is the column clipped to its final bottom and top values. No pass over the data
    per step, and no Python work per column.

    ``moments`` are the columns' skewness and kurtosis if already computed.

    Returns
    -------
    treated, high, low, passed
        The winsorised values, masks of points moved down (``high``) or up (``low``), and
        whether each column passes after winsorisation.
    """
    x = np.asarray(x, dtype=np.float64)
    shape = x.shape
    n_units, k = shape[-2], shape[-1]
    lead = shape[:-2]
    smax = np.broadcast_to(np.asarray(skew_max, dtype=np.float64), (*lead, k)).reshape(-1)
    kmax = np.broadcast_to(np.asarray(kurt_max, dtype=np.float64), (*lead, k)).reshape(-1)
    wmax = np.broadcast_to(np.asarray(winmax), (*lead, k)).reshape(-1)
    sk0, ku0 = skew_kurt(x) if moments is None else moments
    ok = _pass(sk0, ku0, smax.reshape(sk0.shape), kmax.reshape(sk0.shape)).reshape(-1)
    v_hi = nanmax(x).reshape(-1)
    v_lo = nanmin(x).reshape(-1)
    nv_all = count(x).reshape(-1)
    start = ~ok & (nv_all >= 4) & (v_hi > v_lo) & (wmax > 0)
    cols = np.nonzero(start)[0]
    if cols.size:
        # the failing columns, one per row, sorted ascending (NaN last)
        xm = np.moveaxis(x, -2, -1).reshape(-1, n_units)
        srt = np.array(xm[cols]) if cols.size < xm.shape[0] else np.array(xm)
        srt.sort(axis=-1)  # in place, on the one copy
        del xm
        m = cols.size
        nv = nv_all[cols]
        pos = np.arange(n_units)
        r = np.arange(m)

        def run_lo(q: NDArray[np.int64]) -> NDArray[np.int64]:
            """First position of the run of equal values holding position ``q`` (per row)."""
            return _row_search(srt, r, nv, srt[r, q], left=True)

        def run_hi(q: NDArray[np.int64]) -> NDArray[np.int64]:
            """Last position of that run."""
            return _row_search(srt, r, nv, srt[r, q], left=False) - 1

        valid = pos < nv[:, np.newaxis]
        c = np.sum(np.where(valid, srt, 0.0), axis=-1) / nv
        d = srt - c[:, np.newaxis]
        d[~valid] = 0.0
        d2 = d * d
        s1, s2 = d.sum(axis=-1), d2.sum(axis=-1)
        s3 = np.einsum("ij,ij->i", d2, d)
        s4 = np.einsum("ij,ij->i", d2, d2)
        del d, d2, valid
        n = nv.astype(np.float64)
        hi_p = run_lo(nv - 1)  # first position of the current top value's original run
        lo_p = run_hi(
            np.zeros(m, dtype=np.int64)
        )  # last position of the current bottom value's original run
        top, bottom = srt[r, hi_p], srt[r, lo_p]
        sk = sk0.reshape(-1)[cols].copy()
        okc = ok[cols].copy()
        act = np.ones(m, dtype=bool)
        sm, km, wm = smax[cols], kmax[cols], wmax[cols]

        def shift(old: F, new_v: F, cnt: F, sel: B) -> None:
            a, b = old - c, new_v - c
            s1[sel] += (cnt * (b - a))[sel]
            s2[sel] += (cnt * (b**2 - a**2))[sel]
            s3[sel] += (cnt * (b**3 - a**3))[sel]
            s4[sel] += (cnt * (b**4 - a**4))[sel]

        while np.any(act):
            up = act & (sk >= 0)
            down = act & ~(sk >= 0)
            # top block [hi_p, nv) moves to the next value below (the bottom value if none)
            inner = hi_p - 1 > lo_p
            nxt = np.where(inner, srt[r, np.maximum(hi_p - 1, 0)], bottom)
            cnt = (nv - hi_p).astype(np.float64)
            shift(top, nxt, cnt, up)
            new_hi = np.where(inner, run_lo(np.maximum(hi_p - 1, 0)), hi_p)
            hi_moved = np.where(up, nv - hi_p, nv - 1 - run_hi(hi_p))
            top = np.where(up, nxt, top)
            collapse_up = up & ~inner
            hi_p = np.where(up, new_hi, hi_p)
            # bottom block [0, lo_p] moves to the next value above (the top value if none)
            inner_lo = lo_p + 1 < hi_p
            nxt_lo = np.where(inner_lo, srt[r, np.minimum(lo_p + 1, n_units - 1)], top)
            cnt_lo = (lo_p + 1).astype(np.float64)
            shift(bottom, nxt_lo, cnt_lo, down)
            new_lo = np.where(inner_lo, run_hi(np.minimum(lo_p + 1, n_units - 1)), lo_p)
            lo_moved = np.where(down, lo_p + 1, run_lo(lo_p))
            bottom = np.where(down, nxt_lo, bottom)
            collapse_down = down & ~inner_lo
            lo_p = np.where(down, new_lo, lo_p)
            moved = hi_moved + lo_moved
            sk_c, ku_c = _power_moments(n, c, s1, s2, s3, s4)
            sk = np.where(act, sk_c, sk)
            with np.errstate(invalid="ignore"):
                ok_c = (np.abs(sk_c) < sm) | (ku_c < km)
            flat = collapse_up | collapse_down | ~(top > bottom)
            ok_c &= ~flat  # no spread left: skewness undefined, not passed
            okc = np.where(act, ok_c, okc)
            act = act & ~ok_c & (moved < wm) & ~flat
        ok[cols] = okc
        v_hi[cols] = top
        v_lo[cols] = bottom
    hi_b = v_hi.reshape((*lead, 1, k))
    lo_b = v_lo.reshape((*lead, 1, k))
    with np.errstate(invalid="ignore"):
        high = x > hi_b
        low = x < lo_b
    out = np.clip(x, lo_b, hi_b)
    return out, high, low, ok.reshape((*lead, k))


@attrs.frozen
class TreatmentResult:
    """Outcome of :func:`treat_default`, one entry per column (and leading-axis variant)."""

    values: F
    skew_before: F
    kurt_before: F
    skew_after: F
    kurt_after: F
    winsorised_high: B
    winsorised_low: B
    log_applied: B
    untreatable: B


def _columns(flags: ArrayLike) -> slice | NDArray[np.intp] | None:
    """The flagged columns: ``None`` if none, a slice if all (no copy), else their indices."""
    flags = np.asarray(flags, dtype=bool)
    if flags.all():
        return slice(None)
    idx = np.nonzero(flags)[0]
    return idx if idx.size else None


def treat_default(
    x: F,
    skew_max: ArrayLike = 2.0,
    kurt_max: ArrayLike = 3.5,
    winmax: ArrayLike = 5,
    fallback: Callable[[F], F] | None = None,
) -> TreatmentResult:
    """The default rule: winsorise failing indicators, else transform the original values.

    ``fallback`` is the transform applied to the original values of an indicator that still
    fails after winsorisation (default :func:`log_ct`). Columns with fewer than 4 values or
    no spread are left as they are and flagged ``untreatable`` (the stage writes a warning in
    its record).
    """
    x = np.asarray(x, dtype=np.float64)
    sk0, ku0 = skew_kurt(x)
    untreatable = (count(x) < 4) | ~(nanmax(x) > nanmin(x))
    win, high, low, ok = winsorise(x, skew_max, kurt_max, winmax, moments=(sk0, ku0))
    use_log = ~ok & ~untreatable
    # untreatable columns are left as they are by winsorise; the transform is computed on the
    # columns that need it only (a transform works column by column)
    k = x.shape[-1]
    logcols = _columns(use_log.reshape(-1, k).any(axis=0))
    out = win
    if logcols is not None:
        logged = (fallback or log_ct)(x[..., logcols])
        lmask = use_log[..., np.newaxis, logcols]
        out[..., logcols] = np.where(lmask, logged, win[..., logcols])
        high[..., logcols] &= ~lmask
        low[..., logcols] &= ~lmask
    changed = _columns((use_log | high.any(axis=-2) | low.any(axis=-2)).reshape(-1, k).any(axis=0))
    sk1, ku1 = sk0.copy(), ku0.copy()
    if changed is not None:
        sk1[..., changed], ku1[..., changed] = skew_kurt(out[..., changed])
    return TreatmentResult(out, sk0, ku0, sk1, ku1, high, low, use_log, untreatable)


def transformed(x: F, y: F) -> TreatmentResult:
    """The result of transforming every column of ``x`` into ``y`` (nothing winsorised)."""
    none = np.zeros(x.shape, dtype=bool)
    flags = np.ones(x.shape[:-2] + x.shape[-1:], dtype=bool)
    return TreatmentResult(y, skew(x), kurt(x), skew(y), kurt(y), none, none, flags, ~flags)


def winsorised(
    x: F, skew_max: ArrayLike = 2.0, kurt_max: ArrayLike = 3.5, winmax: ArrayLike = 5
) -> TreatmentResult:
    """:func:`winsorise` only, without the transform of columns that still fail."""
    y, hi, lo, _ = winsorise(x, skew_max, kurt_max, winmax)
    none = np.zeros(x.shape[:-2] + x.shape[-1:], dtype=bool)
    return TreatmentResult(y, skew(x), kurt(x), skew(y), kurt(y), hi, lo, none, none)
