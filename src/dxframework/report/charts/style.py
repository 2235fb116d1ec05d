"""The look every chart shares: sizes, colours, fonts, number formats, SVG clean-up.

See :mod:`dxframework.report.charts` for what every chart guarantees.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import quoteattr as _xml_quoteattr

import matplotlib
import matplotlib.style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.ticker import Formatter

from dxframework.report.formatting import Formatter as NumberFormatter
from dxframework.report.model import Chart

__all__ = [
    "AXIS",
    "BLUE",
    "DARK",
    "GRID",
    "MET",
    "MISSING",
    "MUTED",
    "ORANGE",
    "PLUS_MINUS",
    "PNG_DPI",
    "SHORT",
    "TEXT",
    "WIDTH_CM",
    "WORDS",
    "YearFormatter",
    "chart_style",
    "check_id",
    "check_lang",
    "color",
    "figure",
    "finite_values",
    "floats",
    "format_number",
    "legend_below",
    "render",
    "row_metrics",
    "rows_height_cm",
    "short",
    "tick_formatter",
    "value_text",
    "wrap_label",
]

WIDTH_CM = 16.0
"""The width of every chart, in centimetres."""

PNG_DPI = 150
"""The resolution of the PNG rendering."""

_CM = 1 / 2.54
_PT = 1 / 72

# A calm, print-friendly palette (distinct in greyscale by lightness where it matters).
BLUE = "#3A6EA5"
ORANGE = "#E07B24"
DARK = "#2B2B2B"
TEXT = "#333333"
MUTED = "#6B6B6B"
AXIS = "#8C8C8C"
GRID = "#DCDCDC"
SHORT = "#B5531B"  # a gap below target
MET = "#3C8D5A"  # a target met
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
    "axes.labelcolor": TEXT,
    "axes.edgecolor": AXIS,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.unicode_minus": True,
    "axes.formatter.use_locale": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.color": AXIS,
    "ytick.color": AXIS,
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "text.color": TEXT,
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
WORDS = {
    "vi": {
        "current": "Hiện tại",
        "target": "Mục tiêu",
        "gap": "Còn thiếu = mục tiêu − hiện tại",
        "met": "đã đạt",
    },
    "en": {
        "current": "Current",
        "target": "Target",
        "gap": "Gap = target − current",
        "met": "met",
    },
}
MISSING = "\u2014"  # em dash
_MINUS = "\u2212"
_MAX_LABEL = 48
# A "±" legend marker drawn as a path (mathtext is off: labels are data, not TeX).
PLUS_MINUS = Path(
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
    lang = check_lang(lang)
    if not math.isfinite(value):
        return MISSING
    # the documents' one formatter (Babel, halves rounded up): 45.25 is "45,3" everywhere
    text = NumberFormatter(lang).number(abs(value), max(0, decimals))
    negative = value < 0 and any(c in "123456789" for c in text)
    return (_MINUS if negative else "") + text


def value_text(value: float, lang: str) -> str:
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
        self.lang = check_lang(lang)
        self.decimals = 2

    def set_locs(self, locs: list[float]) -> None:
        self.decimals = _min_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return format_number(x, self.decimals, self.lang)


class YearFormatter(Formatter):
    """Year ticks: whole numbers without a thousands separator (``2025``)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        if not math.isfinite(x) or abs(x - round(x)) > 1e-9:
            return ""
        return str(round(x))


def tick_formatter(lang: str) -> Formatter:
    """The formatter of numeric tick labels in ``lang``."""
    return _LocaleFormatter(lang)


# --------------------------------------------------------------------------- inputs


def check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {sorted(_LANGS)}, not {lang!r}")
    return lang


def floats(values: Sequence[float | None], what: str, n: int | None = None) -> list[float]:
    out = [math.nan if v is None else float(v) for v in values]
    if n is not None and len(out) != n:
        raise ValueError(f"{what} has {len(out)} values, expected {n}")
    return out


def check_id(chart_id: str) -> None:
    if not chart_id:
        raise ValueError("a chart needs a non-empty id")


def short(label: str, width: int = _MAX_LABEL) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= width else label[: width - 1].rstrip() + "\u2026"


def wrap_label(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(label), width=max(4, width)) or [""])


def finite_values(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


# --------------------------------------------------------------------------- rendering


@contextmanager
def chart_style() -> Iterator[None]:
    """matplotlib's defaults plus this module's style, restored on exit."""
    with _LOCK, matplotlib.style.context("default"), matplotlib.rc_context(cast(Any, _RC)):
        yield


def figure(height_cm: float, width_cm: float = WIDTH_CM) -> Figure:
    fig = Figure(figsize=(width_cm * _CM, height_cm * _CM), dpi=PNG_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def row_metrics(n: int) -> tuple[float, float]:
    """Row pitch (points) and label size for ``n`` horizontal bars: ~110 rows stay legible."""
    pitch = min(18.0, max(7.0, 420.0 / max(n, 1)))
    size = min(8.0, max(5.5, pitch * 0.6))
    return pitch, size


def rows_height_cm(n: int, extra_pt: float) -> float:
    pitch, _ = row_metrics(n)
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


def render(fig: Figure, chart_id: str, title: str) -> Chart:
    """Both renderings of ``fig`` (call inside :func:`chart_style`).

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


def legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str]) -> None:
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(handles), 4),
            handlelength=1.6,
            columnspacing=1.4,
        )


def color(i: int) -> str:
    return _SERIES[i % len(_SERIES)]


# --------------------------------------------------------------------------- charts
