"""Charts for proposal documents: one matplotlib figure, rendered as inline SVG and as PNG.

Each function takes plain data (lists and dicts of ``str`` and ``float``) and returns a
:class:`~dxframework.report.model.Chart` whose ``svg`` (for HTML) and ``png`` (for DOCX and
Markdown) are two renderings of the *same* figure, so both documents look alike.

What is guaranteed:

- **No global state.** Figures are built with :class:`matplotlib.figure.Figure` and the Agg
  canvas, never :mod:`matplotlib.pyplot`; settings come from matplotlib's defaults plus this
  module's style inside :func:`matplotlib.rc_context`, so a user's ``matplotlibrc`` or
  ``rcParams`` change neither the charts nor is changed by them. Rendering is serialised by a
  lock, as ``rcParams`` are process-wide.
- **Deterministic.** The same inputs give byte-identical SVG and PNG (fixed ``svg.hashsalt``,
  no dates, no software stamp).
- **Inline-safe SVG.** The text starts with ``<svg`` (no XML declaration or DOCTYPE), holds
  no ``<script>``, draws text as paths (``svg.fonttype = "path"``: no font needed, and data
  never appears as markup; matplotlib's text comments are removed), and every internal
  ``id`` is prefixed with the chart's id, so several charts can share one HTML page. The
  root element gets ``id="chart-<id>"``, ``role="img"`` and a ``<title>`` with the chart's
  title (the title is not drawn: the document's caption is).
- **Vietnamese.** Text uses DejaVu Sans (bundled with matplotlib), which covers Vietnamese;
  numbers use the document's decimal separator: ``0,8`` in Vietnamese, ``0.8`` in English.
- **Missing values.** NaN (or ``None``) is skipped or drawn as a gap, never an error.

Sizes are for a 16 cm wide text column; the PNG is rendered at 150 dpi.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

import matplotlib
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator

from dxframework.report.model import Chart

__all__ = [
    "PNG_DPI",
    "WIDTH_CM",
    "format_number",
    "grouped_bars",
    "radar",
    "ranking_bars",
    "target_gaps",
    "trend_lines",
]

WIDTH_CM = 16.0
"""The width of every chart, in centimetres."""

PNG_DPI = 150
"""The resolution of the PNG rendering."""

_CM = 1 / 2.54
_PT = 1 / 72

# A calm, print-friendly palette (distinct in greyscale by lightness where it matters).
_BLUE = "#3A6EA5"
_ORANGE = "#E07B24"
_DARK = "#2B2B2B"
_TEXT = "#333333"
_MUTED = "#6B6B6B"
_AXIS = "#8C8C8C"
_GRID = "#DCDCDC"
_SHORT = "#B5531B"  # a gap below target
_MET = "#3C8D5A"  # a target met
_SERIES = (
    "#3A6EA5",
    "#E07B24",
    "#4C9A6A",
    "#8E6BB0",
    "#C4504A",
    "#4FA3B8",
    "#A88A3C",
    "#7F7F7F",
    "#D37FB0",
    "#2F4B7C",
)

_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.0,
    "axes.labelsize": 8.0,
    "axes.labelcolor": _TEXT,
    "axes.edgecolor": _AXIS,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.unicode_minus": True,
    "axes.formatter.use_locale": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.color": _AXIS,
    "ytick.color": _AXIS,
    "xtick.labelcolor": _TEXT,
    "ytick.labelcolor": _TEXT,
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": _TEXT,
    "text.parse_math": False,  # data is text: "$5 và $10" is not mathtext
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "svg.fonttype": "path",
    "svg.hashsalt": "dxframework-charts",
    "svg.image_inline": True,
    "svg.id": None,  # the root id is set from the chart's id
}

_LOCK = threading.RLock()
_LANGS = frozenset({"vi", "en"})
_WORDS = {
    "vi": {"current": "Hiện tại", "target": "Mục tiêu", "gap": "Chênh lệch = hiện tại − mục tiêu"},
    "en": {"current": "Current", "target": "Target", "gap": "Gap = current − target"},
}
_VI_SEPARATORS = str.maketrans({",": ".", ".": ","})
_MISSING = "\u2014"  # em dash
_MINUS = "\u2212"
_MAX_LABEL = 48
# A "±" legend marker drawn as a path (mathtext is off: labels are data, not TeX).
_PLUS_MINUS = Path(
    [(-1.0, 0.3), (1.0, 0.3), (0.0, -0.7), (0.0, 1.3), (-1.0, -1.0), (1.0, -1.0)],
    [Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO],
)


# --------------------------------------------------------------------------- numbers


def format_number(value: float, decimals: int, lang: str = "vi") -> str:
    """``value`` with ``decimals`` decimals and the language's separators.

    Vietnamese uses a decimal comma and a dot between thousands (``1.234,5``), English the
    reverse (``1,234.5``); negative numbers take a true minus sign (U+2212), and a value that
    rounds to zero has no sign. A missing value (NaN, infinity) is an em dash.
    """
    lang = _check_lang(lang)
    if not math.isfinite(value):
        return _MISSING
    text = f"{abs(value):,.{max(0, decimals)}f}"
    if lang == "vi":
        text = text.translate(_VI_SEPARATORS)
    negative = value < 0 and any(c in "123456789" for c in text)
    return (_MINUS if negative else "") + text


def _value_text(value: float, lang: str) -> str:
    """A value printed on a chart: 4 decimals up to 1 (index scores), else 2."""
    return format_number(value, 4 if abs(value) <= 1 else 2, lang)


def _min_decimals(locs: Sequence[float], limit: int = 6) -> int:
    """The fewest decimals that show every tick location exactly."""
    finite = [x for x in locs if math.isfinite(x)]
    for d in range(limit + 1):
        if all(abs(x - round(x, d)) <= 1e-9 * max(1.0, abs(x)) for x in finite):
            return d
    return limit


class _LocaleFormatter(Formatter):
    """Tick labels with the language's decimal separator and one number of decimals per axis."""

    def __init__(self, lang: str) -> None:
        self.lang = _check_lang(lang)
        self.decimals = 2

    def set_locs(self, locs: list[float]) -> None:
        self.decimals = _min_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_number(x, self.decimals, self.lang)


class _YearFormatter(Formatter):
    """Year ticks: whole numbers without a thousands separator (``2025``)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x) or abs(x - round(x)) > 1e-9:
            return ""
        return str(round(x))


def _tick_formatter(lang: str) -> Formatter:
    """The formatter of numeric tick labels in ``lang``."""
    return _LocaleFormatter(lang)


# --------------------------------------------------------------------------- inputs


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {sorted(_LANGS)}, not {lang!r}")
    return lang


def _floats(values: Sequence[float | None], what: str, n: int | None = None) -> list[float]:
    out = [math.nan if v is None else float(v) for v in values]
    if n is not None and len(out) != n:
        raise ValueError(f"{what} has {len(out)} values, expected {n}")
    return out


def _check_id(chart_id: str) -> None:
    if not chart_id:
        raise ValueError("a chart needs a non-empty id")


def _short(label: str, width: int = _MAX_LABEL) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= width else label[: width - 1].rstrip() + "\u2026"


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(label), width=max(4, width)) or [""])


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


# --------------------------------------------------------------------------- rendering


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib's defaults plus this module's style, restored on exit."""
    with _LOCK, matplotlib.style.context("default"), matplotlib.rc_context(cast(Any, _RC)):
        yield


def _figure(height_cm: float) -> Figure:
    fig = Figure(figsize=(WIDTH_CM * _CM, height_cm * _CM), dpi=PNG_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _row_metrics(n: int) -> tuple[float, float]:
    """Row pitch (points) and label size for ``n`` horizontal bars: ~110 rows stay legible."""
    pitch = min(18.0, max(7.0, 420.0 / max(n, 1)))
    size = min(8.0, max(5.5, pitch * 0.6))
    return pitch, size


def _rows_height_cm(n: int, extra_pt: float) -> float:
    pitch, _ = _row_metrics(n)
    return (n * pitch + extra_pt) * _PT * 2.54


_XML_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"[ \t]*<!--.*?-->\n?", re.S)
_METADATA = re.compile(r"[ \t]*<metadata>.*?</metadata>\n?", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_REF = re.compile(r'(href="#|url\(#)([^")]*)')
_ROOT = re.compile(r"<svg\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML
_STAR_STYLE = re.compile(r"(<style[^>]*>\s*)\*\s*\{")


def _svg_prefix(chart_id: str) -> str:
    """``chart-`` and the id, with anything but ASCII letters and digits escaped as ``_hex_``.

    The escaping is one-to-one and never produces ``-``, so ``chart-<id>-<internal>`` ids of
    two different charts can't collide.
    """
    body = "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}_" for c in chart_id)
    return f"chart-{body}"


def _inline_svg(svg: str, chart_id: str, title: str) -> str:
    """matplotlib's SVG made safe to inline: no prolog, comments or metadata, ids prefixed."""
    prefix = _svg_prefix(chart_id)
    title = _CONTROL.sub("", title)
    svg = _XML_PROLOG.sub("", svg, count=1)
    svg = _COMMENT.sub("", svg)
    svg = _METADATA.sub("", svg, count=1)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    # matplotlib's default style is ``*{...}``: scope it to this chart.
    svg = _STAR_STYLE.sub(lambda m: f"{m.group(1)}#{prefix} *{{", svg, count=1)
    start = _ROOT.search(svg)
    if start is None:  # pragma: no cover - matplotlib always writes an <svg> element
        raise RuntimeError("matplotlib wrote no <svg> element")
    svg = _ROOT.sub(
        f'<svg id="{prefix}" role="img" aria-label={_xml_quoteattr(title)}', svg, count=1
    )
    end = svg.index(">", start.start()) + 1
    svg = svg[:end] + f"\n <title>{_xml_escape(title)}</title>" + svg[end:]
    if "<script" in svg.lower():  # pragma: no cover - text is drawn as paths
        raise RuntimeError("the SVG holds a <script> element")
    return svg


def _render(fig: Figure, chart_id: str, title: str) -> Chart:
    """Both renderings of ``fig`` (call inside :func:`_style`).

    The layout is computed once and then frozen, so both renderings place every artist alike
    (and the figure isn't laid out again for each format).
    """
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    text = io.StringIO()
    fig.savefig(text, format="svg", metadata={"Date": None})
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return Chart(
        id=chart_id,
        title=title,
        svg=_inline_svg(text.getvalue(), chart_id, title),
        png=png.getvalue(),
    )


def _legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str]) -> None:
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(handles), 4),
            handlelength=1.6,
            columnspacing=1.4,
        )


def _color(i: int) -> str:
    return _SERIES[i % len(_SERIES)]


# --------------------------------------------------------------------------- charts


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
    _check_id(id)
    lang = _check_lang(lang)
    names = [str(x) for x in labels]
    vals = _floats(values, "values", len(names))
    if not names:
        raise ValueError("ranking_bars needs at least one bar")
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    order = sorted(
        range(len(names)),
        key=lambda i: (0, -vals[i], i) if math.isfinite(vals[i]) else (1, 0.0, i),
    )
    n = len(order)
    _, size = _row_metrics(n)
    extra = 42.0 + (12.0 if value_label else 0.0)
    finite = _finite(vals)
    lo = min([0.0, *finite])
    hi = max([0.0, *finite])
    span = (hi - lo) or 1.0

    with _style():
        fig = _figure(_rows_height_cm(n, extra))
        ax = fig.add_subplot()
        ys = list(range(n))
        for y, i in zip(ys, order, strict=True):
            v = vals[i]
            colour = _ORANGE if names[i] in marked else _BLUE
            if math.isfinite(v):
                ax.barh(y, v, height=0.72, color=colour, linewidth=0)
                ax.annotate(
                    _value_text(v, lang),
                    (v, y),
                    xytext=(3 if v >= 0 else -3, 0),
                    textcoords="offset points",
                    ha="left" if v >= 0 else "right",
                    va="center",
                    fontsize=size,
                    color=_TEXT,
                )
            else:
                ax.annotate(
                    _MISSING,
                    (0, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=size,
                    color=_MUTED,
                )
        ax.set_yticks(ys, [_short(names[i]) for i in order], fontsize=size)
        for tick, i in zip(ax.get_yticklabels(), order, strict=True):
            if names[i] in marked:
                tick.set_fontweight("bold")
                tick.set_color(_SHORT)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(lo - (0.14 * span if lo < 0 else 0.0), hi + 0.14 * span)
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.grid(axis="x")
        ax.spines["left"].set_visible(False)
        if value_label:
            ax.set_xlabel(value_label)
        return _render(fig, id, title)


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
    _check_id(id)
    lang = _check_lang(lang)
    names = [str(a) for a in axes]
    if len(names) < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    data = {str(k): _floats(v, f"series {k!r}", len(names)) for k, v in series.items()}
    m = len(names)
    angles = [2 * math.pi * k / m for k in range(m)]
    top = max([1.0, *(x for vs in data.values() for x in _finite(vs))])
    wrap = 18 if m <= 8 else 14

    with _style():
        fig = _figure(11.5)
        ax = fig.add_subplot(projection="polar")
        assert isinstance(ax, PolarAxes)
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        handles: list[Any] = []
        for k, (name, vals) in enumerate(data.items()):
            colour = _color(k)
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
        ax.set_xticks(angles, [_wrap(a, wrap) for a in names], fontsize=7)
        ax.tick_params(axis="x", pad=5)
        # Labels grow away from the circle: left-aligned on the right side, and so on.
        for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
            side = math.sin(angle)
            label.set_horizontalalignment(
                "left" if side > 0.1 else "right" if side < -0.1 else "center"
            )
        ax.set_ylim(0, top)
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_formatter(_tick_formatter(lang))
        ax.tick_params(axis="y", labelsize=6, labelcolor=_MUTED)
        ax.set_rlabel_position(180 / m)  # between the first two axes, clear of their labels
        ax.grid(True, color=_GRID, linewidth=0.6)
        ax.spines["polar"].set_color(_GRID)
        _legend_below(fig, handles, list(data))
        return _render(fig, id, title)


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
    _check_id(id)
    lang = _check_lang(lang)
    names = [str(g) for g in groups]
    data = {str(k): _floats(v, f"series {k!r}", len(names)) for k, v in series.items()}
    g, s = len(names), max(len(data), 1)
    width = 0.8 / s
    finite = [x for vs in data.values() for x in _finite(vs)]

    with _style():
        fig = _figure(9.0)
        ax = fig.add_subplot()
        handles: list[Any] = []
        for k, (_name, vals) in enumerate(data.items()):
            offset = (k - (s - 1) / 2) * width
            xs = [i + offset for i, v in enumerate(vals) if math.isfinite(v)]
            ys = [v for v in vals if math.isfinite(v)]
            ax.bar(xs, ys, width=width * 0.92, color=_color(k), linewidth=0)
            handles.append(Patch(facecolor=_color(k), linewidth=0))
        ax.set_xticks(range(g), [_wrap(n, max(8, 96 // max(g, 1))) for n in names])
        ax.tick_params(axis="x", length=0)
        ax.set_xlim(-0.5, g - 0.5)
        if finite and min(finite) >= 0:
            ax.set_ylim(bottom=0)
        ax.axhline(0, color=_AXIS, linewidth=0.8)
        ax.yaxis.set_major_formatter(_tick_formatter(lang))
        ax.grid(axis="y")
        ax.spines["bottom"].set_visible(False)
        _legend_below(fig, handles, list(data))
        return _render(fig, id, title)


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
    _check_id(id)
    lang = _check_lang(lang)
    xs = [float(p) for p in periods]
    data = {str(k): _floats(v, f"series {k!r}", len(xs)) for k, v in series.items()}
    goals: dict[str, list[tuple[float, float]]] = {}
    for name, pairs in (targets or {}).items():
        pts = sorted((float(y), math.nan if v is None else float(v)) for y, v in pairs)
        goals[str(name)] = [(y, v) for y, v in pts if math.isfinite(y) and math.isfinite(v)]
    years = sorted({x for x in xs if math.isfinite(x)} | {y for p in goals.values() for y, _ in p})

    # A target for a series without values is drawn on its own, in its own colour.
    names = list(data) + [name for name in goals if name not in data]
    nothing = [math.nan] * len(xs)

    with _style():
        fig = _figure(8.5)
        ax = fig.add_subplot()
        handles: list[Any] = []
        for k, name in enumerate(names):
            colour = _color(k)
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
                    color=_MUTED,
                    linewidth=1.2,
                    linestyle=(0, (4, 2.5)),
                    marker="o",
                    markersize=5.5,
                    markerfacecolor="white",
                    markeredgecolor=_MUTED,
                    markeredgewidth=1.4,
                )
            )
        if 0 < len(years) <= 16 and all(abs(y - round(y)) < 1e-9 for y in years):
            ax.xaxis.set_major_locator(FixedLocator(years))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
        ax.xaxis.set_major_formatter(_YearFormatter())
        ax.margins(x=0.05)
        ax.yaxis.set_major_formatter(_tick_formatter(lang))
        ax.grid(axis="y")
        labels = names + ([_WORDS[lang]["target"]] if goals else [])
        _legend_below(fig, handles, labels)
        return _render(fig, id, title)


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

    The gap (current − target) is printed at the row's end: a shortfall in a warm colour,
    a target met in green. A missing current value has no bar (a dash); a missing target has
    neither tick nor gap.
    """
    _check_id(id)
    lang = _check_lang(lang)
    names = [str(x) for x in labels]
    cur = _floats(current, "current", len(names))
    tgt = _floats(target, "target", len(names))
    if not names:
        raise ValueError("target_gaps needs at least one row")
    n = len(names)
    _, size = _row_metrics(n)
    finite = _finite(cur) + _finite(tgt)
    lo = min([0.0, *finite])
    hi = max([0.0, *finite])
    span = (hi - lo) or 1.0

    with _style():
        fig = _figure(_rows_height_cm(n, 54.0))
        ax = fig.add_subplot()
        for y, (c, t) in enumerate(zip(cur, tgt, strict=True)):
            if math.isfinite(c):
                ax.barh(y, c, height=0.6, color=_BLUE, linewidth=0)
            if math.isfinite(t):
                ax.vlines(t, y - 0.42, y + 0.42, color=_DARK, linewidth=2.0)
            end = max(_finite([c, t]) or [0.0])
            if math.isfinite(c) and math.isfinite(t):
                gap = c - t
                text = _value_text(gap, lang)
                if gap > 0:
                    text = "+" + text
                colour = _MET if gap >= 0 else _SHORT
            else:
                text, colour = (_MISSING, _MUTED) if not math.isfinite(c) else ("", _MUTED)
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
        ax.set_yticks(range(n), [_short(x) for x in names], fontsize=size)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(lo - (0.16 * span if lo < 0 else 0.0), hi + 0.16 * span)
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        ax.grid(axis="x")
        ax.spines["left"].set_visible(False)
        words = _WORDS[lang]
        handles = [
            Patch(facecolor=_BLUE, linewidth=0),
            Line2D([], [], color=_DARK, linewidth=0, marker="|", markersize=9, mew=2.0),
            Line2D([], [], linewidth=0, marker=_PLUS_MINUS, markersize=7, color=_SHORT, mew=1.3),
        ]
        _legend_below(fig, handles, [words["current"], words["target"], words["gap"]])
        return _render(fig, id, title)
