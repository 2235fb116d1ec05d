"""Charts for proposal documents: one matplotlib figure, rendered as inline SVG and as PNG.

One module per chart family (:mod:`~dxframework.report.charts.bars`,
:mod:`~dxframework.report.charts.radar`, :mod:`~dxframework.report.charts.trends`) and the
look they share (:mod:`~dxframework.report.charts.style`).

Each function takes plain data (lists and dicts of ``str`` and ``float``) and returns a
:class:`~dxframework.report.model.Chart` whose ``svg`` (for HTML) and ``png`` (for DOCX and
Markdown) are two renderings of the *same* figure, so both documents look alike. The
ranking and the histogram are also built as a bare :class:`matplotlib.figure.Figure`
(:func:`~dxframework.report.charts.bars.ranking_bars_figure`,
:func:`~dxframework.report.charts.bars.distribution_figure`), which the public plot API
(:mod:`dxframework.report.plots`) reuses.

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

from dxframework.report.charts.bars import distribution, grouped_bars, ranking_bars, target_gaps
from dxframework.report.charts.radar import radar
from dxframework.report.charts.style import (
    PNG_DPI,
    WIDTH_CM,
    _svg_prefix,  # noqa: F401
    format_number,
)

# the number and SVG helpers, reached as charts._NAME by the tests of the formatting
from dxframework.report.charts.style import YearFormatter as _YearFormatter  # noqa: F401
from dxframework.report.charts.style import tick_formatter as _tick_formatter  # noqa: F401
from dxframework.report.charts.style import value_text as _value_text  # noqa: F401
from dxframework.report.charts.trends import trend_lines

__all__ = [
    "PNG_DPI",
    "WIDTH_CM",
    "distribution",
    "format_number",
    "grouped_bars",
    "radar",
    "ranking_bars",
    "target_gaps",
    "trend_lines",
]
