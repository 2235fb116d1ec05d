"""Bar charts: the ranking of units, grouped bars per pillar, gaps to the targets."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dxframework.report.charts.style import (
    AXIS,
    BLUE,
    DARK,
    MET,
    MISSING,
    MUTED,
    ORANGE,
    PLUS_MINUS,
    SHORT,
    TEXT,
    WORDS,
    chart_style,
    check_id,
    check_lang,
    color,
    figure,
    finite_values,
    floats,
    legend_below,
    render,
    row_metrics,
    rows_height_cm,
    short,
    tick_formatter,
    value_text,
    wrap_label,
)
from dxframework.report.model import Chart

__all__ = [
    "distribution",
    "distribution_figure",
    "grouped_bars",
    "histogram",
    "ranking_bars",
    "ranking_bars_figure",
    "target_gaps",
]


def ranking_bars(
    id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    highlight: str | Collection[str] | None = None,
    lang: str = "vi",
    value_label: str | None = None,
) -> Chart:
    """Horizontal bars sorted by value, best on top, each value printed at the bar's end.

    Values up to 1 are printed with 4 decimals, larger ones with 2. ``highlight`` (a label,
    or several) is drawn in a distinct colour with a bold label. Missing values go to the
    bottom, without a bar, marked with a dash. The figure grows with the number of bars
    (about 110 stay legible); ``value_label`` names the value axis.
    """
    check_id(id)
    with chart_style():
        fig = ranking_bars_figure(
            labels, values, highlight=highlight, lang=lang, value_label=value_label
        )
        return render(fig, id, title)


def ranking_bars_figure(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    highlight: str | Collection[str] | None = None,
    lang: str = "vi",
    value_label: str | None = None,
    order: Sequence[int] | None = None,
) -> Figure:
    """The figure of :func:`ranking_bars`; ``order`` (indices of ``labels``, top first)
    replaces the order by value."""
    lang = check_lang(lang)
    names = [str(x) for x in labels]
    vals = floats(values, "values", len(names))
    if not names:
        raise ValueError("ranking_bars needs at least one bar")
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    if order is None:
        order = sorted(
            range(len(names)),
            key=lambda i: (0, -vals[i], i) if math.isfinite(vals[i]) else (1, 0.0, i),
        )
    elif not order or not all(0 <= i < len(names) for i in order):
        raise ValueError("order must hold at least one index of labels")
    n = len(order)
    _, size = row_metrics(n)
    extra = 42.0 + (12.0 if value_label else 0.0)
    finite = finite_values([vals[i] for i in order])
    lo = min([0.0, *finite])
    hi = max([0.0, *finite])
    span = (hi - lo) or 1.0

    with chart_style():
        fig = figure(rows_height_cm(n, extra))
        ax = fig.add_subplot()
        ys = list(range(n))
        for y, i in zip(ys, order, strict=True):
            v = vals[i]
            colour = ORANGE if names[i] in marked else BLUE
            if math.isfinite(v):
                ax.barh(y, v, height=0.72, color=colour, linewidth=0)
                ax.annotate(
                    value_text(v, lang),
                    (v, y),
                    xytext=(3 if v >= 0 else -3, 0),
                    textcoords="offset points",
                    ha="left" if v >= 0 else "right",
                    va="center",
                    fontsize=size,
                    color=TEXT,
                )
            else:
                ax.annotate(
                    MISSING,
                    (0, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=size,
                    color=MUTED,
                )
        ax.set_yticks(ys, [short(names[i]) for i in order], fontsize=size)
        for tick, i in zip(ax.get_yticklabels(), order, strict=True):
            if names[i] in marked:
                tick.set_fontweight("bold")
                tick.set_color(SHORT)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(lo - (0.14 * span if lo < 0 else 0.0), hi + 0.14 * span)
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="x")
        ax.spines["left"].set_visible(False)
        if value_label:
            ax.set_xlabel(value_label)
        return fig


def grouped_bars(
    id: str,
    title: str,
    groups: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    lang: str = "vi",
) -> Chart:
    """Vertical bars in groups (e.g. pillars), one bar per series (e.g. unit) in each group.

    A missing value leaves its slot empty.
    """
    check_id(id)
    lang = check_lang(lang)
    names = [str(g) for g in groups]
    data = {str(k): floats(v, f"series {k!r}", len(names)) for k, v in series.items()}
    g, s = len(names), max(len(data), 1)
    width = 0.8 / s
    finite = [x for vs in data.values() for x in finite_values(vs)]

    with chart_style():
        fig = figure(9.0)
        ax = fig.add_subplot()
        handles: list[Any] = []
        for k, (_name, vals) in enumerate(data.items()):
            offset = (k - (s - 1) / 2) * width
            xs = [i + offset for i, v in enumerate(vals) if math.isfinite(v)]
            ys = [v for v in vals if math.isfinite(v)]
            ax.bar(xs, ys, width=width * 0.92, color=color(k), linewidth=0)
            handles.append(Patch(facecolor=color(k), linewidth=0))
        ax.set_xticks(range(g), [wrap_label(n, max(8, 96 // max(g, 1))) for n in names])
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.5, g - 0.5)
        if finite and min(finite) >= 0:
            ax.set_ylim(bottom=0)
        ax.axhline(0, color=AXIS, linewidth=0.8)
        ax.yaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="y")
        ax.spines["bottom"].set_visible(False)
        legend_below(fig, handles, list(data))
        return render(fig, id, title)


def target_gaps(
    id: str,
    title: str,
    labels: Sequence[str],
    current: Sequence[float | None],
    target: Sequence[float | None],
    *,
    lang: str = "vi",
) -> Chart:
    """Horizontal bars of current values (in the given order), a target tick on each row.

    The gap (target − current, as in the document's tables) is printed at the row's end in
    a warm colour, or "met" in green once the target is reached. A missing current value has
    no bar (a dash); a missing target has neither tick nor gap.
    """
    check_id(id)
    lang = check_lang(lang)
    names = [str(x) for x in labels]
    cur = floats(current, "current", len(names))
    tgt = floats(target, "target", len(names))
    if not names:
        raise ValueError("target_gaps needs at least one row")
    n = len(names)
    _, size = row_metrics(n)
    finite = finite_values(cur) + finite_values(tgt)
    lo = min([0.0, *finite])
    hi = max([0.0, *finite])
    span = (hi - lo) or 1.0

    with chart_style():
        fig = figure(rows_height_cm(n, 54.0))
        ax = fig.add_subplot()
        for y, (c, t) in enumerate(zip(cur, tgt, strict=True)):
            if math.isfinite(c):
                ax.barh(y, c, height=0.6, color=BLUE, linewidth=0)
            if math.isfinite(t):
                ax.vlines(t, y - 0.42, y + 0.42, color=DARK, linewidth=2.0)
            end = max(finite_values([c, t]) or [0.0])
            if math.isfinite(c) and math.isfinite(t):
                gap = t - c  # as in the tables: what is still to reach, "met" once reached
                if gap <= 0:
                    text, colour = WORDS[lang]["met"], MET
                else:
                    text, colour = value_text(gap, lang), SHORT
            else:
                text, colour = (MISSING, MUTED) if not math.isfinite(c) else ("", MUTED)
            if text:
                ax.annotate(
                    text,
                    (end, y),
                    xytext=(5, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=size,
                    color=colour,
                )
        ax.set_yticks(range(n), [short(x) for x in names], fontsize=size)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(lo - (0.16 * span if lo < 0 else 0.0), hi + 0.16 * span)
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="x")
        ax.spines["left"].set_visible(False)
        words = WORDS[lang]
        handles = [
            Patch(facecolor=BLUE, linewidth=0),
            Line2D([], [], color=DARK, linewidth=0, marker="|", markersize=9, mew=2.0),
            Line2D([], [], linewidth=0, marker=PLUS_MINUS, markersize=7, color=SHORT, mew=1.3),
        ]
        legend_below(fig, handles, [words["current"], words["target"], words["gap"]])
        return render(fig, id, title)


def distribution(
    id: str,
    title: str,
    values: Sequence[float | None],
    *,
    bins: int = 10,
    lang: str = "vi",
    value_label: str | None = None,
    count_label: str | None = None,
) -> Chart:
    """A histogram of many units' values (a ranking of a hundred bars cannot be read in print).

    The values fall in ``bins`` equal bins between the lowest and the highest; the mean is a
    dark vertical line. Missing values are left out.
    """
    check_id(id)
    with chart_style():
        fig = distribution_figure(
            values, bins=bins, lang=lang, value_label=value_label, count_label=count_label
        )
        return render(fig, id, title)


def histogram(ax: Axes, values: Sequence[float], *, bins: int, lang: str) -> float:
    """Draw the histogram of :func:`distribution` on ``ax`` (finite ``values``, at least one):
    ``bins`` equal bins from the lowest to the highest value, the mean as a dark line.
    Returns the mean."""
    vals = list(values)
    lo, hi = min(vals), max(vals)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    ax.hist(vals, bins=bins, range=(lo, hi), color=BLUE, edgecolor="white", linewidth=0.8)
    mean = sum(vals) / len(vals)
    ax.axvline(mean, color=DARK, linewidth=1.6)
    ax.xaxis.set_major_formatter(tick_formatter(lang))
    ax.grid(axis="y")
    return mean


def distribution_figure(
    values: Sequence[float | None],
    *,
    bins: int = 10,
    lang: str = "vi",
    value_label: str | None = None,
    count_label: str | None = None,
) -> Figure:
    """The figure of :func:`distribution`."""
    lang = check_lang(lang)
    vals = finite_values(floats(values, "values", len(values)))
    if not vals:
        raise ValueError("distribution needs at least one value")
    with chart_style():
        fig = figure(7.0)
        ax = fig.add_subplot()
        mean = histogram(ax, vals, bins=bins, lang=lang)
        if value_label:
            ax.set_xlabel(value_label)
        if count_label:
            ax.set_ylabel(count_label)
        words = {"vi": "Trung bình", "en": "Mean"}[lang]
        handles = [
            Patch(facecolor=BLUE, linewidth=0),
            Line2D([], [], color=DARK, linewidth=1.6),
        ]
        legend_below(fig, handles, [count_label or "", f"{words} {value_text(mean, lang)}"])
        return fig
