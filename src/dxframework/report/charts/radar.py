"""Radar charts: one unit's profile over the main indicators against the mean."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import MaxNLocator

from dxframework.report.charts.style import (
    GRID,
    MUTED,
    chart_style,
    check_id,
    check_lang,
    color,
    figure,
    finite_values,
    floats,
    legend_below,
    render,
    tick_formatter,
    wrap_label,
)
from dxframework.report.model import Chart

__all__ = ["radar"]


def radar(
    id: str,
    title: str,
    axes: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    lang: str = "vi",
) -> Chart:
    """A radar (spider) chart: one closed polygon with a light fill per series, and a legend.

    ``series`` maps a name (a unit, the provincial mean) to one value per axis, in [0, 1]
    (the scale grows if a value is larger). A missing value leaves a gap in the outline; the
    fill joins the values present.
    """
    check_id(id)
    lang = check_lang(lang)
    names = [str(a) for a in axes]
    if len(names) < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    data = {str(k): floats(v, f"series {k!r}", len(names)) for k, v in series.items()}
    m = len(names)
    angles = [2 * math.pi * k / m for k in range(m)]
    top = max([1.0, *(x for vs in data.values() for x in finite_values(vs))])
    wrap = 18 if m <= 8 else 14

    with chart_style():
        fig = figure(11.5)
        ax = fig.add_subplot(projection="polar")
        assert isinstance(ax, PolarAxes)
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        handles: list[Any] = []
        for k, (name, vals) in enumerate(data.items()):
            colour = color(k)
            (line,) = ax.plot(
                [*angles, angles[0]],
                [*vals, vals[0]],
                color=colour,
                linewidth=1.6,
                marker="o",
                markersize=3,
                label=name,
            )
            present = [(a, v) for a, v in zip(angles, vals, strict=True) if math.isfinite(v)]
            if len(present) >= 3:
                ax.fill(
                    [a for a, _ in present],
                    [v for _, v in present],
                    color=colour,
                    alpha=0.12,
                    linewidth=0,
                )
            handles.append(line)
        ax.set_xticks(angles, [wrap_label(a, wrap) for a in names], fontsize=7)
        ax.tick_params(axis="x", pad=5)
        # Labels grow away from the circle: left-aligned on the right side, and so on.
        for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
            side = math.sin(angle)
            label.set_horizontalalignment(
                "left" if side > 0.1 else "right" if side < -0.1 else "center"
            )
        ax.set_ylim(0, top)
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(tick_formatter(lang))
        ax.tick_params(axis="y", labelsize=6, labelcolor=MUTED)
        ax.set_rlabel_position(180 / m)  # between the first two axes, clear of their labels
        ax.grid(True, color=GRID, linewidth=0.6)
        ax.spines["polar"].set_color(GRID)
        legend_below(fig, handles, list(data))
        return render(fig, id, title)
