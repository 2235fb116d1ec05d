"""Building documents: render the section templates, parse them, draw the charts.

Three documents share the sections: the master ``proposal`` (current state, objectives,
priority tasks, annual plan, appendices), the annual ``plan`` and the priority ``tasks``
list. Each section is rendered on its own, so a pack or a user overriding one section
template changes only that section.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.tasks import TaskCatalogue
from dxframework.pipeline.result import RunResult
from dxframework.report import charts as chart_module
from dxframework.report.context import ChartRequest, build_context
from dxframework.report.environment import labels as template_labels
from dxframework.report.environment import (
    make_environment,
    template_errors,
    template_sources,
)
from dxframework.report.formatting import Formatter
from dxframework.report.markdown import parse
from dxframework.report.model import Chart, Document, Figure

__all__ = ["DOCUMENTS", "SECTIONS", "RenderedDocument", "render_document", "render_documents"]

SECTIONS = ("current_state", "objectives", "tasks", "plan", "appendices")

DOCUMENTS: Mapping[str, tuple[str, ...]] = {
    "proposal": SECTIONS,
    "plan": ("plan", "tasks"),
    "tasks": ("tasks",),
}

_TITLE_LABEL = {"proposal": "proposal", "plan": "plan_doc", "tasks": "tasks_doc"}


@attrs.frozen
class RenderedDocument:
    """A document as Markdown text (sections joined) and as the shared document model."""

    name: str
    markdown: str
    sections: Mapping[str, str]
    document: Document


def _draw(requests: Sequence[ChartRequest], needed: set[str], lang: str) -> dict[str, Chart]:
    charts: dict[str, Chart] = {}
    for req in requests:
        if req.id not in needed:
            continue
        func = getattr(chart_module, req.kind)
        charts[req.id] = func(req.id, req.title, **dict(req.data), lang=lang)
    return charts


def render_sections(
    context: Mapping[str, Any], names: Sequence[str], lang: str, user_dir: str | Path | None = None
) -> dict[str, str]:
    """Render section templates (``sections/NAME.md.j2``) to Markdown."""
    env = make_environment(lang, kind="markdown", user_dir=user_dir)
    out = {}
    for name in names:
        with template_errors(f"sections/{name}.md.j2"):
            text = env.get_template(f"sections/{name}.md.j2").render(**context)
        out[name] = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return out


def render_documents(
    pack: Any,
    results: Mapping[str, RunResult],
    lang: str = "vi",
    names: Sequence[str] = ("proposal", "plan", "tasks"),
    user_dir: str | Path | None = None,
    tasks: TaskCatalogue | None = None,
    series: Dataset | None = None,
    today: dt.date | None = None,
) -> list[RenderedDocument]:
    """Render the named documents of a pack's scored levels in ``lang``."""
    unknown = [n for n in names if n not in DOCUMENTS]
    if unknown:
        raise DxfError(
            Problem(f"unknown document {unknown[0]!r}", hint=f"documents: {', '.join(DOCUMENTS)}")
        )
    context, requests = build_context(pack, results, lang, tasks, series, today)
    labels = template_labels(lang, template_sources(user_dir))
    fmt = Formatter(lang)
    needed_sections = sorted({s for n in names for s in DOCUMENTS[n]}, key=SECTIONS.index)
    sections = render_sections(context, needed_sections, lang, user_dir)
    blocks_by_section = {name: parse(text) for name, text in sections.items()}
    needed = {
        b.chart for blocks in blocks_by_section.values() for b in blocks if isinstance(b, Figure)
    }
    charts = _draw(requests, needed, lang)
    missing = needed - set(charts)
    if missing:
        raise DxfError(
            Problem(
                f"a template shows unknown charts: {', '.join(sorted(missing))}",
                hint=f"charts: {', '.join(r.id for r in requests)}",
            )
        )
    out = []
    for name in names:
        parts = DOCUMENTS[name]
        title = (
            context["title"]
            if name == "proposal"
            else (
                labels.get(_TITLE_LABEL[name], name)
                + (f" {context['plan_year']}" if name == "plan" else "")
            )
        )
        doc = Document(
            title=title,
            lang=lang,
            blocks=tuple(b for part in parts for b in blocks_by_section[part]),
            charts={
                k: v
                for k, v in charts.items()
                if any(
                    isinstance(b, Figure) and b.chart == k
                    for part in parts
                    for b in blocks_by_section[part]
                )
            },
            subtitle=context["subtitle"],
            meta={
                "date": context["date"],
                "organisation": context["organisation"],
                "date_text": f"{labels.get('date_prefix', '')} {fmt.date(context['date'])}",
                "pack": context["pack"],
            },
        )
        markdown = "\n".join(sections[p] for p in parts)
        out.append(RenderedDocument(name, markdown, {p: sections[p] for p in parts}, doc))
    return out


def render_document(
    pack: Any,
    results: Mapping[str, RunResult],
    name: str = "proposal",
    lang: str = "vi",
    **options: Any,
) -> RenderedDocument:
    """Render one document (see :func:`render_documents`)."""
    return render_documents(pack, results, lang, (name,), **options)[0]
