"""Trend lines: yearly means of the index and pillars, with their targets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator

from dxframework.report.charts.style import (
    MUTED,
    WORDS,
    YearFormatter,
    chart_style,
    check_id,
    check_lang,
    color,
    figure,
    floats,
    legend_below,
    render,
    tick_formatter,
)
from dxframework.report.model import Chart

__all__ = ["trend_lines"]


def trend_lines(
    id: str,
    title: str,
    periods: Sequence[float | str],
    series: Mapping[str, Sequence[float | None]],
    *,
    targets: Mapping[str, Sequence[tuple[float | str, float | None]]] | None = None,
    lang: str = "vi",
) -> Chart:
    """Lines over years, with markers; a missing value is a gap in its line.

    ``targets`` maps a series name to ``(year, value)`` pairs, drawn as hollow markers in the
    series' colour joined by a dashed line from its last actual point (targets of a name not
    in ``series`` get their own colour and legend entry). Year ticks are whole numbers
    (``2025``, never ``2.025``).
    """
    check_id(id)
    lang = check_lang(lang)
    xs = [float(p) for p in periods]
    data = {str(k): floats(v, f"series {k!r}", len(xs)) for k, v in series.items()}
    goals: dict[str, list[tuple[float, float]]] = {}
    for name, pairs in (targets or {}).items():
        pts = sorted((float(y), math.nan if v is None else float(v)) for y, v in pairs)
        goals[str(name)] = [(y, v) for y, v in pts if math.isfinite(y) and math.isfinite(v)]
    years = sorted({x for x in xs if math.isfinite(x)} | {y for p in goals.values() for y, _ in p})

    # A target for a series without values is drawn on its own, in its own colour.
    names = list(data) + [name for name in goals if name not in data]
    nothing = [math.nan] * len(xs)

    with chart_style():
        fig = figure(8.5)
        ax = fig.add_subplot()
        handles: list[Any] = []
        for k, name in enumerate(names):
            colour = color(k)
            vals = data.get(name, nothing)
            (line,) = ax.plot(
                xs, vals, color=colour, linewidth=1.8, marker="o", markersize=4, label=name
            )
            handles.append(line)
            goal = goals.get(name)
            if not goal:
                continue
            actual = [(x, v) for x, v in zip(xs, vals, strict=True) if math.isfinite(v)]
            path = ([max(actual)] if actual else []) + goal
            ax.plot(
                [x for x, _ in path],
                [v for _, v in path],
                color=colour,
                linewidth=1.2,
                linestyle=(0, (4, 2.5)),
            )
            ax.plot(
                [x for x, _ in goal],
                [v for _, v in goal],
                linestyle="none",
                marker="o",
                markersize=5.5,
                markerfacecolor="white",
                markeredgecolor=colour,
                markeredgewidth=1.4,
            )
        if goals:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=MUTED,
                    linewidth=1.2,
                    linestyle=(0, (4, 2.5)),
                    marker="o",
                    markersize=5.5,
                    markerfacecolor="white",
                    markeredgecolor=MUTED,
                    markeredgewidth=1.4,
                )
            )
        if 0 < len(years) <= 16 and all(abs(y - round(y)) < 1e-9 for y in years):
            ax.xaxis.set_major_locator(FixedLocator(years))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        ax.xaxis.set_major_formatter(YearFormatter())
        ax.margins(x=0.05)
        ax.yaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="y")
        labels = names + ([WORDS[lang]["target"]] if goals else [])
        legend_below(fig, handles, labels)
        return render(fig, id, title)
