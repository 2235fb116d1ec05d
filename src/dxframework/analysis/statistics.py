"""Statistics of indicators and aggregates (METHODS.md §11).

Per-indicator summaries, Pearson and Spearman correlation matrices (pairwise complete
observations), Cronbach's alpha, PCA of a group, and flags for indicators that correlate
negatively with their aggregate or are nearly collinear with a sibling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dxframework.methods._nan import nanmax, nanmean, nanmedian, nanmin, nanstd
from dxframework.methods.normalise import rank_min
from dxframework.methods.stats import count, kurt, skew
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework

__all__ = ["correlation_flags", "correlations", "cronbach_alpha", "indicator_summary", "pca"]

F = NDArray[np.float64]


def indicator_summary(data: Dataset, period: int | None = None) -> list[dict[str, Any]]:
    """min, max, mean, median, sd, skew, kurt, availability, share of zeros, unique values."""
    x = data.values[data.period_index(period)]
    n = count(x)
    stats = {
        "min": nanmin(x),
        "max": nanmax(x),
        "mean": nanmean(x),
        "median": nanmedian(x),
        "sd": nanstd(x, ddof=1),
        "skew": skew(x),
        "kurt": kurt(x),
    }
    avail = n / max(x.shape[0], 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        zeros = np.sum(x == 0, axis=0) / n
    rows = []
    for j, code in enumerate(data.columns):
        col = x[:, j]
        rows.append(
            {
                "code": code,
                "n": int(n[j]),
                **{k: float(v[j]) for k, v in stats.items()},
                "availability": float(avail[j]),
                "share_zeros": float(zeros[j]),
                "unique": int(np.unique(col[~np.isnan(col)]).size),
            }
        )
    return rows


def correlations(x: F, method: str = "pearson") -> F:
    """Correlation matrix of the columns of ``x`` ``(units, k)``, pairwise complete rows.

    ``method`` is ``"pearson"`` or ``"spearman"`` (Pearson on average ranks of the pair's
    complete rows).
    """
    if method not in ("pearson", "spearman"):
        raise ValueError("method must be 'pearson' or 'spearman'")
    x = np.asarray(x, dtype=np.float64)
    k = x.shape[1]
    out = np.eye(k)
    for a in range(k):
        for b in range(a + 1, k):
            ok = ~np.isnan(x[:, a]) & ~np.isnan(x[:, b])
            u, v = x[ok, a], x[ok, b]
            if method == "spearman":
                u, v = _average_rank(u), _average_rank(v)
            r = _pearson(u, v)
            out[a, b] = out[b, a] = r
    return out


def _average_rank(v: F) -> F:
    lo = rank_min(v[:, None])[:, 0]
    hi = -rank_min(-v[:, None])[:, 0] + v.size + 1  # max rank
    return np.asarray((lo + hi) / 2.0)


def _pearson(u: F, v: F) -> float:
    if u.size < 2:
        return float("nan")
    du, dv = u - u.mean(), v - v.mean()
    den = np.sqrt(np.sum(du * du) * np.sum(dv * dv))
    return float(np.sum(du * dv) / den) if den > 0 else float("nan")


def cronbach_alpha(x: F) -> float:
    """``k/(k−1)·(1 − Σ var_i / var(Σ x_i))`` on complete rows (sample variances)."""
    x = np.asarray(x, dtype=np.float64)
    rows = x[np.all(~np.isnan(x), axis=1)]
    k = rows.shape[1]
    if k < 2 or rows.shape[0] < 2:
        return float("nan")
    total = rows.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - rows.var(axis=0, ddof=1).sum() / total))


def pca(x: F) -> dict[str, Any]:
    """PCA of standardised columns on complete rows: variance shares and loadings."""
    x = np.asarray(x, dtype=np.float64)
    rows = x[np.all(~np.isnan(x), axis=1)]
    z = (rows - rows.mean(axis=0)) / rows.std(axis=0, ddof=1)
    values, vectors = np.linalg.eigh(np.atleast_2d(np.cov(z, rowvar=False)))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    return {
        "explained": (values / values.sum()).tolist(),
        "eigenvalues": values.tolist(),
        "loadings": vectors.tolist(),
    }


def correlation_flags(
    framework: Framework,
    data: Dataset,
    period: int | None = None,
    collinear: float = 0.9,
    method: str = "pearson",
) -> list[dict[str, Any]]:
    """Indicators correlating negatively with a parent, and nearly collinear siblings.

    ``data`` must hold the children and the aggregates (e.g. a run's ``aggregated`` set).
    """
    x = data.values[data.period_index(period)]
    idx = {c: j for j, c in enumerate(data.columns)}
    flags: list[dict[str, Any]] = []
    for parent in framework.aggregate_codes:
        kids = [e.child for e in framework.children(parent) if e.child in idx]
        if parent not in idx or not kids:
            continue
        cols: Sequence[int] = [idx[c] for c in kids] + [idx[parent]]
        r = correlations(x[:, cols], method)
        for a, child in enumerate(kids):
            if r[a, -1] < 0:
                flags.append(
                    {"flag": "negative", "code": child, "parent": parent, "r": float(r[a, -1])}
                )
            for b in range(a + 1, len(kids)):
                if abs(r[a, b]) > collinear:
                    flags.append(
                        {
                            "flag": "collinear",
                            "code": child,
                            "other": kids[b],
                            "parent": parent,
                            "r": float(r[a, b]),
                        }
                    )
    return flags
