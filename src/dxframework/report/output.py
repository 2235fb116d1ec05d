"""Writing rendered documents to Markdown, HTML and DOCX files, all or nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from dxframework.errors import DxfError, Problem
from dxframework.io.writers import atomic_folder
from dxframework.report.build import RenderedDocument
from dxframework.report.markdown import escape

__all__ = ["FORMATS", "write_documents"]

FORMATS = ("html", "md", "docx")
_FIGURE = re.compile(
    r"^!\[(?P<caption>(?:\\.|[^\]])*)\]\(chart:(?P<id>(?:\\.|[^)])+)\)$", re.MULTILINE
)


def _markdown(doc: RenderedDocument) -> str:
    """The Markdown file: a title block, the sections, charts linked as SVG files."""
    lang = doc.document.lang

    def link(m: re.Match[str]) -> str:
        chart_id = re.sub(r"\\(.)", r"\1", m.group("id"))
        return f"![{m.group('caption')}](charts/{chart_id}.{lang}.svg)"

    body = _FIGURE.sub(link, doc.markdown)
    body = re.sub(r"^\\pagebreak$\n?", "", body, flags=re.MULTILINE)
    head = [f"# {escape(doc.document.title)}"]
    if doc.document.subtitle:
        head.append(f"*{escape(doc.document.subtitle)}*")
    date_text = doc.document.meta.get("date_text")
    if date_text:
        head.append(escape(date_text))
    body = re.sub(r"^(#{1,5}) ", r"#\1 ", body, flags=re.MULTILINE)  # sections under the title
    return "\n\n".join(head) + "\n\n" + body


def write_documents(
    docs: Sequence[RenderedDocument],
    out: str | Path,
    formats: Sequence[str] = FORMATS,
    user_dir: str | Path | None = None,
) -> list[Path]:
    """Write each document as ``NAME.LANG.EXT`` into ``out``.

    The Markdown links its charts as ``charts/ID.LANG.svg`` (PNG copies beside them), so
    documents in several languages can share a folder. The files replace ``out`` whole, all
    or nothing (see :func:`dxframework.io.writers.atomic_folder`).
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise DxfError(Problem(f"unknown format {bad[0]!r}", hint=f"formats: {', '.join(FORMATS)}"))
    from dxframework.report.docx_writer import docx_bytes
    from dxframework.report.html_writer import html_text

    written: list[str] = []
    with atomic_folder(out, "dxframework.report.write_documents") as tmp:
        for doc in docs:
            stem = f"{doc.name}.{doc.document.lang}"
            if "md" in formats:
                (tmp / f"{stem}.md").write_text(_markdown(doc), encoding="utf-8")
                written.append(f"{stem}.md")
                charts = tmp / "charts"
                charts.mkdir(exist_ok=True)
                lang = doc.document.lang  # one set of charts per language: labels differ
                for chart in doc.document.charts.values():
                    (charts / f"{chart.id}.{lang}.svg").write_text(chart.svg, encoding="utf-8")
                    (charts / f"{chart.id}.{lang}.png").write_bytes(chart.png)
            if "html" in formats:
                (tmp / f"{stem}.html").write_text(
                    html_text(doc.document, user_dir), encoding="utf-8"
                )
                written.append(f"{stem}.html")
            if "docx" in formats:
                (tmp / f"{stem}.docx").write_bytes(docx_bytes(doc.document))
                written.append(f"{stem}.docx")
        if (tmp / "charts").exists():
            written.append("charts")
    return [Path(out) / name for name in written]
