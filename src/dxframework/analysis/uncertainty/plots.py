"""Pictures of an uncertainty and sensitivity analysis (needs ``dxframework[report]``).

- :func:`rank_ranges_figure`: per unit, the nominal rank, the median and the 5–95 % range of
  the rank over the draws (units ordered by nominal rank);
- :func:`sensitivity_figure`: first-order and total Sobol' indices per assumption, as bars
  with their bootstrap confidence intervals.

Both return a :class:`matplotlib.figure.Figure` (built without pyplot, so no global state
and no display); :func:`save_figures` writes them as SVG or PNG files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dxframework.analysis.uncertainty.results import UncertaintyResult
from dxframework.errors import DxfError, Problem

if TYPE_CHECKING:
    from dxframework.analysis.sensitivity import SensitivityResult

__all__ = ["FORMATS", "rank_ranges_figure", "save_figures", "sensitivity_figure"]

#: File formats of :func:`save_figures`.
FORMATS = ("svg", "png")


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure  # optional extra
    except ImportError:
        raise DxfError(
            Problem("matplotlib is not installed", hint="pip install 'dxframework[report]'")
        ) from None
    return Figure(figsize=(width, height), layout="constrained")


def rank_ranges_figure(result: UncertaintyResult, top: int | None = None) -> Any:
    """Rank ranges per unit: 5–95 % bar, median and nominal rank, best nominal rank first.

    ``top`` keeps the best ``top`` units by nominal rank (default: all).
    """
    r = result.rank_summary()
    order = np.argsort(np.where(np.isnan(result.nominal_rank), np.inf, result.nominal_rank))
    if top is not None:
        order = order[:top]
    n = len(order)
    fig = _figure(7.0, max(2.5, 0.18 * n + 1.0))
    ax = fig.add_subplot()
    y = np.arange(n)
    lo, hi = r["p5"][order], r["p95"][order]
    ax.hlines(y, lo, hi, color="#9ab", linewidth=4, label="5–95 % of draws")
    ax.plot(r["median"][order], y, "|", color="#135", markersize=9, label="median")
    ax.plot(result.nominal_rank[order], y, "o", color="#c33", markersize=3.5, label="nominal")
    ax.set_yticks(y, [result.units[i] for i in order], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("rank")
    ax.set_title(f"{result.code}: rank over {result.n} draws", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def sensitivity_figure(result: SensitivityResult) -> Any:
    """First-order (``S``) and total (``ST``) indices per assumption with their intervals."""
    k = len(result.assumptions)
    fig = _figure(7.0, max(2.5, 0.5 * k + 1.2))
    ax = fig.add_subplot()
    y = np.arange(k)
    h = 0.38
    for shift, (name, v, lo, hi, colour) in enumerate(
        [
            ("first order S", result.S, result.S_low, result.S_high, "#58a"),
            ("total ST", result.ST, result.ST_low, result.ST_high, "#c63"),
        ]
    ):
        pos = y + (shift - 0.5) * h
        err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
        err = np.where(np.isnan(err), 0.0, err)
        ax.barh(pos, v, height=h, color=colour, label=name, xerr=err, capsize=2)
    ax.set_yticks(y, list(result.assumptions), fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#333", linewidth=0.6)
    ax.set_xlabel(f"Sobol' index of {result.output} ({result.confidence:.0%} intervals)")
    ax.set_title(f"{result.code}: sensitivity ({result.runs} runs)", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def save_figures(
    out_dir: str | Path,
    uncertainty: UncertaintyResult,
    sensitivity: SensitivityResult | None = None,
    fmt: str = "svg",
    top: int | None = 40,
) -> list[Path]:
    """Write ``rank_ranges.<fmt>`` (and ``sensitivity.<fmt>``) into ``out_dir``."""
    if fmt not in FORMATS:
        raise DxfError(Problem(f"unknown figure format {fmt!r}", hint="svg or png"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    figures = [("rank_ranges", rank_ranges_figure(uncertainty, top))]
    if sensitivity is not None:
        figures.append(("sensitivity", sensitivity_figure(sensitivity)))
    for name, fig in figures:
        path = out / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=150)
        written.append(path)
    return written
