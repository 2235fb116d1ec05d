"""Writing rendered documents to Markdown, HTML and DOCX files, all or nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from dxframework.errors import DxfError, Problem
from dxframework.io.writers import atomic_folder
from dxframework.report.build import RenderedDocument
from dxframework.report.html_writer import html_text
from dxframework.report.markdown import escape

__all__ = ["FORMATS", "write_documents"]

logger = logging.getLogger(__name__)

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
    body = re.sub(r"^\\(pagebreak|landscape|portrait)$\n?", "", body, flags=re.MULTILINE)
    parts = re.split(r"^\\signature$\n?", body, maxsplit=1, flags=re.MULTILINE)
    body, after = parts[0], (parts[1] if len(parts) > 1 else "")
    admin = doc.document.admin
    if admin is not None:  # the administrative parts as plain lines (Decree 30)
        issuer = [*admin.superior.split("\n"), *admin.body.split("\n")]
        head = [
            "  \n".join([*(escape(x.upper()) for x in issuer if x), escape(admin.number)]),
            "  \n".join(escape(x) for x in (admin.national.upper(), admin.motto) if x),
            f"*{escape(admin.place_date)}*",
            f"# {escape(admin.doc_type.upper())}: {escape(admin.summary)}",
        ]
        if admin.notice:
            head.append(f"*{escape(admin.notice)}*")
    else:
        head = [f"# {escape(doc.document.title)}"]
        if doc.document.subtitle:
            head.append(f"*{escape(doc.document.subtitle)}*")
        date_text = doc.document.meta.get("date_text")
        if date_text:
            head.append(escape(date_text))
    body = re.sub(r"^(#{1,5}) ", r"#\1 ", body, flags=re.MULTILINE)  # sections under the title
    after = re.sub(r"^(#{1,5}) ", r"#\1 ", after, flags=re.MULTILINE)
    text = "\n\n".join(head) + "\n\n" + body
    if admin is not None and (admin.recipients or admin.signer):
        foot = []
        if admin.recipients_title:
            foot.append(f"***{escape(admin.recipients_title)}***")
            foot.append("\n".join(f"- {escape(r)}" for r in admin.recipients))
        sign = [x.upper() for x in (admin.authority, admin.position) if x]
        foot.append("  \n".join(f"**{escape(x)}**" for x in [*sign, admin.signer] if x))
        text += "\n" + "\n\n".join(foot) + "\n"
    return text + ("\n" + after if after.strip() else "")


def write_documents(
    docs: Sequence[RenderedDocument],
    out: str | Path,
    formats: Sequence[str] = FORMATS,
    user_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    reference: str | Path | None = None,
) -> list[Path]:
    """Write each document as ``NAME.LANG.EXT`` into ``out``.

    The Markdown links its charts as ``charts/ID.LANG.svg`` (PNG copies beside them), so
    documents in several languages can share a folder. The files replace ``out`` whole, all
    or nothing (see :func:`dxframework.io.writers.atomic_folder`). ``progress`` is called
    with each file's name after it is written; ``reference`` is a house-style
    ``reference.docx`` for the DOCX files.
    """
    done = progress or (lambda _name: None)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise DxfError(Problem(f"unknown format {bad[0]!r}", hint=f"formats: {', '.join(FORMATS)}"))
    from dxframework.report.docx_writer import docx_bytes  # needs python-docx (optional)

    written: list[str] = []
    with atomic_folder(out, "dxframework.report.write_documents") as tmp:
        for doc in docs:
            stem = f"{doc.name}.{doc.document.lang}"
            if "md" in formats:
                (tmp / f"{stem}.md").write_text(_markdown(doc), encoding="utf-8")
                written.append(f"{stem}.md")
                done(f"{stem}.md")
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
                done(f"{stem}.html")
            if "docx" in formats:
                (tmp / f"{stem}.docx").write_bytes(docx_bytes(doc.document, reference))
                written.append(f"{stem}.docx")
                done(f"{stem}.docx")
        if (tmp / "charts").exists():
            written.append("charts")
    logger.info("wrote %d document file(s) to %s", len(written), out)
    return [Path(out) / name for name in written]
