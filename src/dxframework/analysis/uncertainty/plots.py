"""Pictures of an uncertainty and sensitivity analysis (needs ``dxframework[report]``).

- :func:`rank_ranges_figure`: per unit, the nominal rank, the median and the 5–95 % range of
  the rank over the draws (units ordered by nominal rank);
- :func:`sensitivity_figure`: first-order and total Sobol' indices per assumption, as bars
  with their bootstrap confidence intervals.

Both return a :class:`matplotlib.figure.Figure` (built without pyplot, so no global state
and no display), with labels in Vietnamese (``lang="vi"``, decimal commas on the axes) or
English; :func:`save_figures` writes them as SVG or PNG files.
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

#: The figures' words, by language.
TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "range": "5–95 % số lần mô phỏng",
        "median": "trung vị",
        "nominal": "thứ hạng gốc",
        "rank": "thứ hạng",
        "rank_title": "{code}: thứ hạng qua {n} lần mô phỏng",
        "first": "bậc một S",
        "total": "toàn phần ST",
        "sobol": "Chỉ số Sobol' của {output} (khoảng tin cậy {confidence})",
        "sens_title": "{code}: độ nhạy ({runs} lần chạy)",
    },
    "en": {
        "range": "5–95 % of draws",
        "median": "median",
        "nominal": "nominal",
        "rank": "rank",
        "rank_title": "{code}: rank over {n} draws",
        "first": "first order S",
        "total": "total ST",
        "sobol": "Sobol' index of {output} ({confidence} intervals)",
        "sens_title": "{code}: sensitivity ({runs} runs)",
    },
}


def _texts(lang: str) -> dict[str, str]:
    if lang not in TEXTS:
        raise DxfError(Problem(f"unknown language {lang!r}", hint="vi or en"))
    return TEXTS[lang]


def _number(value: float, lang: str) -> str:
    """A tick or a percentage: ``0,25`` in Vietnamese, ``0.25`` in English."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text


def _locale_ticks(axis: Any, lang: str) -> None:
    from matplotlib.ticker import FuncFormatter  # with the figure's matplotlib

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _number(round(v, 10), lang)))


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure  # optional extra
    except ImportError:
        raise DxfError(
            Problem("matplotlib is not installed", hint="pip install 'dxframework[report]'")
        ) from None
    return Figure(figsize=(width, height), layout="constrained")


def _legend_below(fig: Any, ax: Any) -> None:
    """The legend under the plot, never over the bars of the last units or assumptions."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=7)


def rank_ranges_figure(result: UncertaintyResult, top: int | None = None, lang: str = "vi") -> Any:
    """Rank ranges per unit: 5–95 % bar, median and nominal rank, best nominal rank first.

    ``top`` keeps the best ``top`` units by nominal rank (default: all); ``lang`` is ``"vi"``
    or ``"en"``.
    """
    t = _texts(lang)
    r = result.rank_summary()
    order = np.argsort(np.where(np.isnan(result.nominal_rank), np.inf, result.nominal_rank))
    if top is not None:
        order = order[:top]
    n = len(order)
    fig = _figure(7.0, max(2.5, 0.18 * n + 1.0))
    ax = fig.add_subplot()
    y = np.arange(n)
    lo, hi = r["p5"][order], r["p95"][order]
    ax.hlines(y, lo, hi, color="#9ab", linewidth=4, label=t["range"])
    ax.plot(r["median"][order], y, "|", color="#135", markersize=9, label=t["median"])
    ax.plot(result.nominal_rank[order], y, "o", color="#c33", markersize=3.5, label=t["nominal"])
    ax.set_yticks(y, [result.units[i] for i in order], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(t["rank"])
    _locale_ticks(ax.xaxis, lang)
    draws = f"{result.n:,}".replace(",", "." if lang == "vi" else ",")
    ax.set_title(t["rank_title"].format(code=result.code, n=draws), fontsize=10)
    _legend_below(fig, ax)
    return fig


def sensitivity_figure(result: SensitivityResult, lang: str = "vi") -> Any:
    """First-order (``S``) and total (``ST``) indices per assumption with their intervals;
    ``lang`` is ``"vi"`` or ``"en"``."""
    t = _texts(lang)
    k = len(result.assumptions)
    fig = _figure(7.0, max(2.5, 0.5 * k + 1.2))
    ax = fig.add_subplot()
    y = np.arange(k)
    h = 0.38
    for shift, (name, v, lo, hi, colour) in enumerate(
        [
            (t["first"], result.S, result.S_low, result.S_high, "#58a"),
            (t["total"], result.ST, result.ST_low, result.ST_high, "#c63"),
        ]
    ):
        pos = y + (shift - 0.5) * h
        err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
        err = np.where(np.isnan(err), 0.0, err)
        ax.barh(pos, v, height=h, color=colour, label=name, xerr=err, capsize=2)
    ax.set_yticks(y, list(result.assumptions), fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#333", linewidth=0.6)
    confidence = f"{_number(round(result.confidence * 100, 6), lang)} %"
    ax.set_xlabel(t["sobol"].format(output=result.output, confidence=confidence))
    _locale_ticks(ax.xaxis, lang)
    runs = f"{result.runs:,}".replace(",", "." if lang == "vi" else ",")
    ax.set_title(t["sens_title"].format(code=result.code, runs=runs), fontsize=10)
    _legend_below(fig, ax)
    return fig


def save_figures(
    out_dir: str | Path,
    uncertainty: UncertaintyResult,
    sensitivity: SensitivityResult | None = None,
    fmt: str = "svg",
    top: int | None = 40,
    lang: str = "vi",
) -> list[Path]:
    """Write ``rank_ranges.<fmt>`` (and ``sensitivity.<fmt>``) into ``out_dir``."""
    if fmt not in FORMATS:
        raise DxfError(Problem(f"unknown figure format {fmt!r}", hint="svg or png"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    figures = [("rank_ranges", rank_ranges_figure(uncertainty, top, lang))]
    if sensitivity is not None:
        figures.append(("sensitivity", sensitivity_figure(sensitivity, lang)))
    for name, fig in figures:
        path = out / f"{name}.{fmt}"
        fig.savefig(path, format=fmt, dpi=150)
        written.append(path)
    return written
