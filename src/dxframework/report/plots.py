"""The public plot API: pictures of a framework, of a run's results and of an uncertainty analysis.

Every function returns a :class:`matplotlib.figure.Figure`, built without :mod:`matplotlib.pyplot`
(no global state, no window): show it in a notebook, change it, or write it with :func:`save`.
Labels follow ``lang`` (``"vi"`` or ``"en"``), and so do the numbers on the axes (``0,8`` in
Vietnamese, ``0.8`` in English). Needs ``pip install 'dxframework[report]'``.

>>> import dxframework as dxf
>>> from dxframework.report import plots
>>> pack = dxf.get_pack("vn-dti")                                   # doctest: +SKIP
>>> fig = plots.framework_graph(pack.framework, lang="en")          # doctest: +SKIP
>>> plots.save(fig, "framework.svg")                                # doctest: +SKIP
>>> result = pack.run()                                             # doctest: +SKIP
>>> plots.save(plots.ranking(result, top=20), "ranking.png")        # doctest: +SKIP

- :func:`framework_graph`: the framework as a layered graph, indicators at the bottom and the
  aggregates above them by level, an arrow from each child to each parent; a node feeding
  several parents (the shared foundation of the Vietnamese DTI) is drawn in orange, and so
  are its edges;
- :func:`ranking`: the units' scores for one aggregate, best on top, in the run's rank order;
- :func:`unit_profile`: one unit's score for every aggregate against the median of the units;
- :func:`distributions`: one histogram per indicator (small multiples) of one data set of the
  run (``"raw"``, ``"normalised"``…);
- :func:`rank_ranges`, :func:`sensitivity_bars`: the pictures of an uncertainty and a
  sensitivity analysis (:mod:`dxframework.analysis.uncertainty.plots`; labels in English).

At the command line: ``dxf plot framework|ranking|profile|distribution`` (and
``dxf uncertainty --figures svg`` for the last two).

An unknown unit, aggregate, indicator or data set is a :class:`~dxframework.DxfError` naming
it, with the close matches.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from dxframework.analysis.uncertainty.plots import rank_ranges_figure, sensitivity_figure
from dxframework.errors import DxfError, Problem
from dxframework.io.writers import atomic_file
from dxframework.model.framework import Framework
from dxframework.model.indicator import Indicator
from dxframework.packs.runs import ranking as ranked_rows
from dxframework.pipeline.result import RunResult
from dxframework.report.charts.bars import histogram, ranking_bars_figure
from dxframework.report.charts.style import (
    BLUE,
    DARK,
    MISSING,
    MUTED,
    ORANGE,
    PNG_DPI,
    TEXT,
    WIDTH_CM,
    chart_style,
    check_lang,
    figure,
    finite_values,
    legend_below,
    row_metrics,
    rows_height_cm,
    short,
    tick_formatter,
    value_text,
    wrap_label,
)

if TYPE_CHECKING:
    from dxframework.analysis.sensitivity import SensitivityResult
    from dxframework.analysis.uncertainty.results import UncertaintyResult

__all__ = [
    "FORMATS",
    "distributions",
    "framework_graph",
    "rank_ranges",
    "ranking",
    "save",
    "sensitivity_bars",
    "unit_profile",
]

#: The file formats of :func:`save`.
FORMATS = ("svg", "png", "pdf")

#: Colours of the framework graph's nodes: (face, edge).
INDICATOR_STYLE = ("#FFFFFF", BLUE)
AGGREGATE_STYLE = ("#DCE6F2", BLUE)
SHARED_STYLE = ("#FBE1C8", ORANGE)
_EDGE = "#9A9A9A"

WORDS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "indicator": "Chỉ số đầu vào",
        "aggregate": "Chỉ số tổng hợp",
        "shared": "Dùng chung cho nhiều chỉ số cấp trên",
        "zero": "Trọng số 0",
        "framework": "Khung chỉ số",
        "ranking": "Xếp hạng theo",
        "median": "Trung vị của {n} đơn vị",
        "profile": "so với trung vị các đơn vị",
        "distributions": "Phân bố giá trị các chỉ số",
        "stage": "dữ liệu",
        "units": "Số đơn vị",
        "mean": "Trung bình",
        "none": "không có giá trị",
        "year": "{text}, năm {year}",
    },
    "en": {
        "indicator": "Input indicator",
        "aggregate": "Aggregate",
        "shared": "Shared by several parents",
        "zero": "Weight 0",
        "framework": "Framework",
        "ranking": "Ranking by",
        "median": "Median of {n} units",
        "profile": "against the median of the units",
        "distributions": "Distribution of the indicators",
        "stage": "data set",
        "units": "Units",
        "mean": "Mean",
        "none": "no values",
        "year": "{text}, {year}",
    },
}


#: How the titles name the usual data sets of a run.
_STAGES: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "raw": "dữ liệu gốc",
        "denominated": "sau khi chia theo quy mô",
        "imputed": "sau khi bổ sung giá trị thiếu",
        "screened": "sau khi sàng lọc",
        "treated": "sau khi xử lý giá trị ngoại lai",
        "normalised": "sau khi chuẩn hóa",
        "aggregated": "sau khi tổng hợp",
    },
    "en": {
        "raw": "raw data",
        "denominated": "denominated",
        "imputed": "imputed",
        "screened": "screened",
        "treated": "outliers treated",
        "normalised": "normalised",
        "aggregated": "aggregated",
    },
}


# --------------------------------------------------------------------------- helpers


def _fold(text: str) -> str:
    """``text`` without case or diacritics (``"Hà Nội"`` → ``"ha noi"``), for matching."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def _unknown(
    kind: str,
    given: str,
    known: Sequence[str],
    names: Mapping[str, str],
    where: str = "in the results",
) -> DxfError:
    """``no KIND 'X'``, with the close matches among the codes and the names as the hint."""
    folded = {_fold(k): k for k in known}
    key = _fold(given)
    close = [folded[key]] if key in folded else []
    close += [folded[m] for m in difflib.get_close_matches(key, folded, n=5, cutoff=0.6)]
    by_name = {_fold(v): k for k, v in names.items() if v and k in known}
    close += [code for name, code in by_name.items() if key and key in name]
    close += [by_name[m] for m in difflib.get_close_matches(key, by_name, n=3, cutoff=0.6)]
    close = list(dict.fromkeys(close))[:5]

    def shown(code: str) -> str:
        name = names.get(code, "")
        return f"{code} ({name})" if name and name != code else code

    if close:
        hint = "did you mean " + ", ".join(shown(c) for c in close) + "?"
    else:
        listed = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        hint = f"{kind}s: {listed}" if known else f"there is no {kind}"
    return DxfError(Problem(f"no {kind} {given!r} {where}", hint=hint))


def _node_label(framework: Framework, code: str, lang: str) -> str:
    node = framework.nodes.get(code)
    return node.label(lang) if node is not None else code


def _score_code(result: RunResult, aggregate: str | None) -> str:
    """The scores column to show: ``aggregate``, else the index, else the last column."""
    columns = result.scores.columns
    code = aggregate or result.framework.index or columns[-1]
    if not result.scores.has_column(code):
        fw = result.framework
        known = [c for c in fw.aggregate_codes if c in columns] or list(columns)
        raise _unknown("aggregate", code, known, {c: _node_label(fw, c, "en") for c in known})
    return code


def _unit_index(result: RunResult, unit: str) -> int:
    codes = result.scores.unit_codes
    if unit in codes:
        return codes.index(unit)
    names = {u.code: u.name for u in result.scores.units}
    raise _unknown("unit", unit, list(codes), names)


def _title(fig: Figure, title: str | None, default: str) -> None:
    text = default if title is None else title
    if text:
        fig.suptitle(text, fontsize=9.5, color=DARK)


def _dated(text: str, periods: Sequence[int], p: int, lang: str) -> str:
    """A default title with the year its figures are of ("…, năm 2024"); data without a
    period (the one period 0) have no year to name."""
    year = periods[p]
    return WORDS[lang]["year"].format(text=text, year=year) if year else text


def _finish(fig: Figure) -> Figure:
    """Lay the figure out once in the charts' style, so that the ticks are made in it."""
    fig.draw_without_rendering()
    return fig


# --------------------------------------------------------------------------- framework


def _layers(framework: Framework) -> list[list[str]]:
    """The nodes by level, bottom (indicators) first, in declaration order."""
    levels = sorted({framework.level(c) for c in framework.nodes})
    rows: list[list[str]] = []
    for level in levels:
        if level == 1:
            rows.append(list(framework.indicator_codes))
        else:
            rows.append([c for c in framework.aggregate_codes if framework.level(c) == level])
    return rows


def _positions(rows: Sequence[Sequence[str]]) -> dict[str, tuple[float, int]]:
    """Each node's place: (x in [0, 1] within its row, row)."""
    return {c: ((i + 0.5) / len(row), r) for r, row in enumerate(rows) for i, c in enumerate(row)}


def _crossings(rows: Sequence[Sequence[str]], edges: Sequence[tuple[str, str]]) -> int:
    """How many pairs of edges cross, drawn straight between the rows' evenly spread nodes."""
    pos = _positions(rows)
    segs = [(pos[a], pos[b]) for a, b in edges]

    def side(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    count = 0
    for i, (p1, p2) in enumerate(segs):
        for p3, p4 in segs[i + 1 :]:
            if len({p1, p2, p3, p4}) < 4:  # a shared end is not a crossing
                continue
            d1, d2 = side(p3, p4, p1), side(p3, p4, p2)
            d3, d4 = side(p1, p2, p3), side(p1, p2, p4)
            if d1 * d2 < 0 and d3 * d4 < 0:
                count += 1
    return count


def _order_rows(framework: Framework, rows: list[list[str]], sweeps: int = 8) -> list[list[str]]:
    """Order each row by the barycentre of its neighbours (children going up, parents going
    down), keeping the order with the fewest crossings."""
    edges = [(e.child, e.parent) for e in framework.edges]
    kids = {c: [e.child for e in framework.children(c)] for c in framework.nodes}
    mums = {c: [e.parent for e in framework.parents(c)] for c in framework.nodes}
    best, fewest = [list(r) for r in rows], _crossings(rows, edges)

    def sort_row(r: int, neighbours: Mapping[str, list[str]]) -> None:
        pos = _positions(rows)

        def key(code: str) -> tuple[float, float]:
            around = [pos[n][0] for n in neighbours[code]]
            return (sum(around) / len(around) if around else pos[code][0], pos[code][0])

        rows[r] = sorted(rows[r], key=key)

    for _ in range(sweeps):
        for r in range(1, len(rows)):
            sort_row(r, kids)
        for r in range(len(rows) - 2, -1, -1):
            sort_row(r, mums)
        count = _crossings(rows, edges)
        if count < fewest:
            best, fewest = [list(r) for r in rows], count
    return best


def _text_size(fig: Figure, text: str, size: float, rotation: float = 0.0) -> tuple[float, float]:
    """Width and height of a text, in inches."""
    canvas: Any = fig.canvas  # FigureCanvasAgg, whose get_renderer is untyped
    probe = Text(0, 0, text, fontsize=size, rotation=rotation, linespacing=1.15)
    probe.set_figure(fig)
    box = probe.get_window_extent(canvas.get_renderer())
    return box.width / fig.dpi, box.height / fig.dpi


_PAD_X, _PAD_Y, _GAP, _ROW_GAP = 0.05, 0.035, 0.06, 0.62  # inches


def _bend(
    start: tuple[float, float],
    end: tuple[float, float],
    boxes: Sequence[tuple[float, float, float, float]],
) -> float:
    """How much to bend an edge (matplotlib's ``arc3`` ``rad``) so that it passes no box:
    0 (straight) when it passes none, else the smallest bend that clears them all."""
    (x0, y0), (x2, y2) = start, end
    near = [
        b
        for b in boxes
        if min(y0, y2) < b[1] + b[3] and b[1] - b[3] < max(y0, y2)  # rows in between
    ]
    for rad in (0.0, 0.12, -0.12, 0.24, -0.24, 0.36, -0.36):
        cx = (x0 + x2) / 2 + rad * (y2 - y0)
        cy = (y0 + y2) / 2 - rad * (x2 - x0)
        clear = True
        for k in range(1, 40):
            t = k / 40
            x = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t * t * x2
            y = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t * t * y2
            if any(abs(x - bx) < hw + 0.03 and abs(y - by) < hh + 0.03 for bx, by, hw, hh in near):
                clear = False
                break
        if clear:
            return rad
    return 0.0


def framework_graph(
    framework: Framework,
    *,
    lang: str = "vi",
    names: bool = True,
    title: str | None = None,
) -> Figure:
    """The framework as a layered graph: indicators at the bottom, aggregates above by level.

    Each edge is an arrow from the child to the parent, dashed when its weight is 0. A node
    feeding several parents is orange, with orange edges, and the legend says "shared". The
    nodes of a row are ordered to cross few edges (a barycentre pass); a row too crowded for
    horizontal labels gets vertical ones, and the figure widens beyond 16 cm when even those
    do not fit. ``names`` adds each node's name to its code (shortened); the level names
    label the rows on the left.

    The figure's artists carry ids: ``node:CODE`` (the box), ``label:CODE`` (its text),
    ``edge:CHILD>PARENT`` (the arrow); in an SVG they become the elements' ``id``.
    """
    lang = check_lang(lang)
    words = WORDS[lang]
    rows = _order_rows(framework, _layers(framework))
    shared = {c for c in framework.nodes if len(framework.parents(c)) > 1}
    size = 6.5

    with chart_style():
        fig = Figure(dpi=PNG_DPI)
        FigureCanvasAgg(fig)

        def label(code: str, vertical: bool) -> str:
            name = framework.nodes[code].label(lang)
            if not names or name == code:
                return code
            if vertical:
                return f"{code}  {short(name, 30)}"
            return code + "\n" + wrap_label(short(name, 40), 18)

        levels = [framework.level(row[0]) for row in rows]
        level_texts = [wrap_label(framework.level_name(lv), 14) for lv in levels]
        left = 0.12 + max(_text_size(fig, t, 7.0)[0] for t in level_texts) + 0.1
        right = 0.15
        base = WIDTH_CM / 2.54 - left - right

        # Per row, both ways: horizontal labels, or vertical ones; each node's box (w, h).
        Plan = tuple[bool, list[str], list[tuple[float, float]], float]
        options: list[tuple[Plan, Plan]] = []
        for row in rows:
            both = []
            for vertical in (False, True):
                texts = [label(c, vertical) for c in row]
                sizes = [_text_size(fig, t, size, 90.0 if vertical else 0.0) for t in texts]
                boxes = [(w + 2 * _PAD_X, h + 2 * _PAD_Y) for w, h in sizes]
                need = sum(w for w, _ in boxes) + _GAP * (len(row) + 1)
                both.append((vertical, texts, boxes, need))
            options.append((both[0], both[1]))
        # The width: 16 cm, widened by up to 40 % to keep a row's labels horizontal, or as
        # much as the narrowest way of the widest row needs; then every row that fits that
        # width is horizontal.
        inner = max(
            [base, *(min(h[3] if h[3] <= 1.4 * base else math.inf, v[3]) for h, v in options)]
        )
        plans = [h if h[3] <= inner else v for h, v in options]
        heights = [max(h for _, h in b) for _, _, b, _ in plans]
        bottom, top = 0.42, 0.42 if title != "" else 0.12
        width = left + inner + right
        height = bottom + sum(heights) + _ROW_GAP * (len(rows) - 1) + top
        fig.set_size_inches(width, height)

        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, width)
        ax.set_ylim(0, height)
        ax.set_axis_off()

        # Centres and half sizes of the boxes: the free width shared evenly between them.
        where: dict[str, tuple[float, float, float, float]] = {}
        y = bottom
        for (vertical, texts, boxes, _), row, h_row, lv_text in zip(
            plans, rows, heights, level_texts, strict=True
        ):
            free = (inner - sum(w for w, _ in boxes)) / len(boxes)
            x = left + free / 2
            for code, text, (w, h) in zip(row, texts, boxes, strict=True):
                cx = x + w / 2
                cy = y + h_row - h / 2 if vertical else y + h_row / 2  # vertical: tops aligned
                where[code] = (cx, cy, w / 2, h / 2)
                x += w + free
                face, edge = (
                    SHARED_STYLE
                    if code in shared
                    else INDICATOR_STYLE
                    if isinstance(framework.nodes[code], Indicator)
                    else AGGREGATE_STYLE
                )
                is_index = code == framework.index
                ax.add_patch(
                    FancyBboxPatch(
                        (cx - w / 2, cy - h / 2),
                        w,
                        h,
                        boxstyle="round,pad=0,rounding_size=0.03",
                        facecolor=BLUE if is_index else face,
                        edgecolor=DARK if is_index else edge,
                        linewidth=1.3 if code in shared or is_index else 0.8,
                        zorder=3,
                        gid=f"node:{code}",
                    )
                )
                ax.text(
                    cx,
                    cy,
                    text,
                    ha="center",
                    va="center",
                    fontsize=size,
                    rotation=90.0 if vertical else 0.0,
                    linespacing=1.15,
                    color="white" if is_index else TEXT,
                    zorder=4,
                    gid=f"label:{code}",
                )
            ax.text(0.12, y + h_row / 2, lv_text, ha="left", va="center", fontsize=7.0, color=MUTED)
            y += h_row + _ROW_GAP

        # Edges leave the top of the child and reach the bottom of the parent, their ends
        # spread along the boxes in the order of the nodes at the other end.
        def ports(code: str, others: Sequence[str]) -> dict[str, float]:
            cx, _, hw, _ = where[code]
            ordered = sorted(others, key=lambda o: where[o][0])
            span = 1.6 * hw * (1 - 1 / (len(ordered) + 1))
            step = span / max(len(ordered) - 1, 1)
            first = cx - span / 2 if len(ordered) > 1 else cx
            return {o: first + k * step for k, o in enumerate(ordered)}

        out_ports = {c: ports(c, [e.parent for e in framework.parents(c)]) for c in framework.nodes}
        in_ports = {c: ports(c, [e.child for e in framework.children(c)]) for c in framework.nodes}
        zero = False
        for e in framework.edges:
            _, cy, _, ch = where[e.child]
            _, py, _, ph = where[e.parent]
            start = (out_ports[e.child][e.parent], cy + ch)
            end = (in_ports[e.parent][e.child], py - ph)
            dashed = e.weight == 0
            zero = zero or dashed
            others = [b for c, b in where.items() if c not in (e.child, e.parent)]
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    connectionstyle=f"arc3,rad={_bend(start, end, others)}",
                    arrowstyle="-|>",
                    mutation_scale=6,
                    shrinkA=0,
                    shrinkB=0,
                    color=ORANGE if e.child in shared else _EDGE,
                    alpha=0.85,
                    linewidth=0.7,
                    linestyle=(0, (3, 2)) if dashed else "-",
                    zorder=2,
                    gid=f"edge:{e.child}>{e.parent}",
                )
            )

        handles: list[Any] = [
            Patch(facecolor=INDICATOR_STYLE[0], edgecolor=INDICATOR_STYLE[1], linewidth=0.8),
            Patch(facecolor=AGGREGATE_STYLE[0], edgecolor=AGGREGATE_STYLE[1], linewidth=0.8),
        ]
        texts = [words["indicator"], words["aggregate"]]
        if shared:
            handles.append(
                Patch(facecolor=SHARED_STYLE[0], edgecolor=SHARED_STYLE[1], linewidth=1.3)
            )
            texts.append(words["shared"])
        if zero:
            handles.append(Line2D([], [], color=_EDGE, linewidth=0.9, linestyle=(0, (3, 2))))
            texts.append(words["zero"])
        fig.legend(
            handles,
            texts,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=len(handles),
            handlelength=1.6,
            columnspacing=1.4,
        )
        if title != "":
            index = framework.index
            default = words["framework"] + (
                f": {_node_label(framework, index, lang)}" if index else ""
            )
            ax.text(
                width / 2,
                height - 0.21,
                title if title is not None else default,
                ha="center",
                va="center",
                fontsize=9.5,
                color=DARK,
            )
        return _finish(fig)


# --------------------------------------------------------------------------- results


def ranking(
    result: RunResult,
    aggregate: str | None = None,
    *,
    top: int | None = None,
    period: int | None = None,
    highlight: str | Collection[str] | None = None,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """The units' scores for ``aggregate`` (default: the index) as bars, best on top.

    The bars follow the run's ranks (ties in the natural order of the unit codes, units
    without a score last, marked with a dash); ``top`` keeps the first ``top``. Each bar is
    labelled with the unit's rank and name, and its score; ``highlight`` (unit codes) draws
    some in orange, below the others when they are not among the ``top``. ``period`` picks a
    year of a panel (default: the last).
    """
    lang = check_lang(lang)
    code = _score_code(result, aggregate)
    rows = ranked_rows(result, code, period)
    marked = [highlight] if isinstance(highlight, str) else list(highlight or ())
    units = result.scores.units
    for unit in marked:
        _unit_index(result, unit)
    if top is not None:
        if top < 1:
            raise DxfError(Problem(f"top must be at least 1, not {top}"))
        rows = rows[:top] + [r for r in rows[top:] if r[1] in marked]
    labels = [f"{rank}. {name or unit}" if rank else name or unit for rank, unit, name, _ in rows]
    picked = {units[_unit_index(result, u)].code for u in marked}
    chosen = {text for text, (_, unit, _, _) in zip(labels, rows, strict=True) if unit in picked}
    name = _node_label(result.framework, code, lang)
    with chart_style():
        fig = ranking_bars_figure(
            labels,
            [score for *_, score in rows],
            highlight=chosen,
            lang=lang,
            value_label=name,
            order=list(range(len(rows))),
        )
        periods = result.scores.periods
        heading = f"{WORDS[lang]['ranking']} {name}"
        _title(fig, title, _dated(heading, periods, result.scores.period_index(period), lang))
        return _finish(fig)


def _profile_codes(result: RunResult) -> list[str]:
    """The aggregates with scores, the highest level first."""
    fw = result.framework
    codes = [c for c in fw.aggregate_codes if result.scores.has_column(c)]
    return sorted(codes, key=lambda c: -fw.level(c))  # stable: declaration order within


def unit_profile(
    result: RunResult,
    unit: str,
    *,
    period: int | None = None,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """One unit's score for every aggregate (the index first), against the units' median.

    A blue bar per aggregate is the unit's score, printed at its end; the dark tick is the
    median of every unit's score (units without one left out). ``unit`` is a unit code.
    """
    lang = check_lang(lang)
    i = _unit_index(result, unit)
    scores = result.scores
    codes = _profile_codes(result)
    if not codes:
        raise DxfError(Problem("the results hold no aggregate to profile"))
    p = scores.period_index(period)
    table = scores.values[p][:, [scores.column_index(c) for c in codes]]
    mine = table[i]
    medians = [float(np.median(col[np.isfinite(col)])) if np.isfinite(col).any() else math.nan
               for col in table.T]  # fmt: skip
    fw = result.framework
    names = [fw.nodes[c].label(lang) for c in codes]
    labels = [short(t if c in t else f"{t} ({c})") for t, c in zip(names, codes, strict=True)]
    n = len(codes)
    _, size = row_metrics(n)
    finite = finite_values([*mine.tolist(), *medians])
    lo, hi = min([0.0, *finite]), max([0.0, *finite])
    span = (hi - lo) or 1.0
    who = scores.units[i].name or unit
    words = WORDS[lang]

    with chart_style():
        fig = figure(rows_height_cm(n, 66.0))
        ax = fig.add_subplot()
        for y, (v, m, code) in enumerate(zip(mine.tolist(), medians, codes, strict=True)):
            if math.isfinite(v):
                ax.barh(y, v, height=0.6, color=BLUE, linewidth=0, gid=f"unit:{code}")
            end = max(finite_values([v, m]) or [0.0])
            ax.annotate(
                value_text(v, lang) if math.isfinite(v) else MISSING,
                (end, y),
                xytext=(5, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=size,
                color=TEXT if math.isfinite(v) else MUTED,
            )
        ys = [y for y, m in enumerate(medians) if math.isfinite(m)]
        ax.vlines(
            [medians[y] for y in ys],
            [y - 0.42 for y in ys],
            [y + 0.42 for y in ys],
            color=DARK,
            linewidth=2.0,
            gid="median",
        )
        ax.set_yticks(range(n), labels, fontsize=size)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(lo - (0.16 * span if lo < 0 else 0.0), hi + 0.16 * span)
        ax.xaxis.set_major_formatter(tick_formatter(lang))
        ax.grid(axis="x")
        ax.spines["left"].set_visible(False)
        handles = [
            Patch(facecolor=BLUE, linewidth=0),
            Line2D([], [], color=DARK, linewidth=0, marker="|", markersize=9, mew=2.0),
        ]
        legend_below(fig, handles, [who, words["median"].format(n=len(scores.units))])
        _title(fig, title, _dated(f"{who}: {words['profile']}", scores.periods, p, lang))
        return _finish(fig)


def distributions(
    result: RunResult,
    indicators: Sequence[str] | None = None,
    *,
    stage: str = "raw",
    period: int | None = None,
    bins: int = 10,
    lang: str = "vi",
    title: str | None = None,
) -> Figure:
    """A histogram of the units' values per indicator (small multiples), the mean as a line.

    ``stage`` names the data set of the run (``"raw"``, the data as given; ``"normalised"``…:
    see ``result.datasets``); ``indicators`` are codes of its columns (default: every
    indicator of the framework in it). Missing values are left out; an indicator without
    any value gets an empty panel saying so.
    """
    lang = check_lang(lang)
    words = WORDS[lang]
    data = result[stage]
    fw = result.framework
    if indicators is None:
        codes = [c for c in fw.indicator_codes if data.has_column(c)]
        if not codes:
            raise DxfError(
                Problem(
                    f"the data set {stage!r} has no indicator column",
                    hint="name the columns to show, or another data set: "
                    + ", ".join(result.datasets),
                )
            )
    else:
        codes = list(indicators)
        names = {c: _node_label(fw, c, "en") for c in data.columns}
        for code in codes:
            if not data.has_column(code):
                raise _unknown("indicator", code, data.columns, names, f"in the data set {stage!r}")
        if not codes:
            raise DxfError(Problem("give at least one indicator to show"))
    p = data.period_index(period)
    n = len(codes)
    ncols = 1 if n == 1 else 2 if n <= 4 else 3 if n <= 9 else 4
    nrows = math.ceil(n / ncols)

    with chart_style():
        fig = figure(nrows * 3.4 + 1.6)
        grid = fig.subplots(nrows, ncols, squeeze=False)
        panels: list[Axes] = [a for line in grid for a in line]
        for ax, code in zip(panels, codes, strict=False):
            values = finite_values(data.values[p, :, data.column_index(code)].tolist())
            if values:
                histogram(ax, values, bins=bins, lang=lang)
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            else:
                ax.text(0.5, 0.5, words["none"], ha="center", va="center", color=MUTED,
                        transform=ax.transAxes)  # fmt: skip
                ax.set_xticks([])
                ax.set_yticks([])
            name = _node_label(fw, code, lang)
            heading = code if name == code else f"{code} · {name}"
            ax.set_title(short(heading, 40 if ncols <= 2 else 30), fontsize=7, loc="left")
            ax.tick_params(labelsize=6.5)
        for ax in panels[n:]:
            ax.set_visible(False)
        handles = [Patch(facecolor=BLUE, linewidth=0), Line2D([], [], color=DARK, linewidth=1.6)]
        legend_below(fig, handles, [words["units"], words["mean"]])
        stage_text = _STAGES[lang].get(stage, f"{words['stage']} {stage}")
        heading = f"{words['distributions']} ({stage_text})"
        _title(fig, title, _dated(heading, data.periods, p, lang))
        return _finish(fig)


# --------------------------------------------------------------------------- uncertainty


def rank_ranges(
    uncertainty: UncertaintyResult, top: int | None = None, *, lang: str = "vi"
) -> Figure:
    """Per unit, the nominal rank, the median and the 5–95 % range of the rank over the
    draws, best nominal rank first; ``top`` keeps the best ``top`` units.

    The figure of :func:`dxframework.analysis.uncertainty.plots.rank_ranges_figure`.
    """
    fig: Figure = rank_ranges_figure(uncertainty, top, lang)
    return fig


def sensitivity_bars(sensitivity: SensitivityResult, *, lang: str = "vi") -> Figure:
    """First-order and total Sobol' indices per assumption with their intervals.

    The figure of :func:`dxframework.analysis.uncertainty.plots.sensitivity_figure`.
    """
    fig: Figure = sensitivity_figure(sensitivity, lang)
    return fig


# --------------------------------------------------------------------------- files


def save(fig: Figure, path: str | Path, format: str | None = None) -> Path:
    """Write ``fig`` to ``path`` as SVG, PNG (150 dpi) or PDF, atomically.

    The format is ``format`` or the file's suffix (they must agree). The file is written
    beside the target under a temporary name and then renamed, so ``path`` is either the
    whole new picture or what it was before. Text is drawn as paths in an SVG (no font
    needed) and the files carry no date, so the same figure gives the same bytes.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    fmt = (format or suffix).lower()
    if fmt not in FORMATS:
        raise DxfError(
            Problem(
                f"unknown picture format {fmt or target.name!r}",
                file=str(target),
                hint="end the file name in .svg, .png or .pdf",
            )
        )
    if suffix != fmt:
        raise DxfError(
            Problem(
                f"the file name ends in {target.suffix or 'no suffix'!r} but the format is {fmt}",
                file=str(target),
                hint=f"name the file *.{fmt}",
            )
        )
    metadata: dict[str, Any] = {
        "svg": {"Date": None},
        "png": {"Software": None},
        "pdf": {"CreationDate": None},
    }[fmt]
    with atomic_file(target) as tmp, chart_style():
        fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return target
