"""Building documents: render the section templates, parse them, draw the charts.

Three documents share the sections: the master ``proposal`` (current state, objectives,
priority tasks, annual plan, appendices), the annual ``plan`` and the priority ``tasks``
list. Each section is rendered on its own, so a pack or a user overriding one section
template changes only that section.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping, Sequence
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
from dxframework.report.model import (
    Admin,
    Block,
    Chart,
    Document,
    Figure,
    Heading,
    Signature,
)
from dxframework.report.org import OrgProfile, date_line, load_org, number_line

__all__ = [
    "DOCUMENTS",
    "SECTIONS",
    "RenderedDocument",
    "number_headings",
    "render_document",
    "render_documents",
]

logger = logging.getLogger(__name__)

SECTIONS = (
    "necessity",
    "current_state",
    "objectives",
    "solutions",
    "tasks",
    "funding",
    "implementation",
    "plan",
    "appendices",
)
"""Every section, in the order they appear."""

DOCUMENTS: Mapping[str, tuple[str, ...]] = {
    # the đề án: I. necessity and legal bases … VII. implementation, then the appendices
    "proposal": tuple(s for s in SECTIONS if s != "plan"),
    # the kế hoạch of a year: its tasks (late ones carried over), the list, who does what
    "plan": ("plan", "tasks", "implementation"),
    # the danh mục
    "tasks": ("tasks",),
}

_TITLE_LABEL = {"proposal": "proposal", "plan": "plan_doc", "tasks": "tasks_doc"}
#: Sections whose headings are not numbered (the appendices follow the numbered parts).
UNNUMBERED = frozenset({"appendices"})
#: Letters of the third heading level: "a)", "b)", … (the Vietnamese alphabet has no f, j, w, z).
_LETTERS = {"vi": "abcdđeghiklmnopqrstuvxy", "en": "abcdefghijklmnopqrstuvwxyz"}


def _roman(n: int) -> str:
    out = []
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letter(n: int, lang: str) -> str:
    letters = _LETTERS.get(lang, _LETTERS["en"])
    text = ""
    while n > 0:
        n, k = divmod(n - 1, len(letters))
        text = letters[k] + text
    return text


class _Numbering:
    """Heading numbers as Decree 30 writes them: "I.", then "1.", then "a)"."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.counts = [0, 0, 0]

    def next(self, level: int) -> str:
        self.counts[level - 1] += 1
        for deeper in range(level, 3):
            self.counts[deeper] = 0
        n = self.counts[level - 1]
        if level == 1:
            return f"{_roman(n)}."
        return f"{n}." if level == 2 else f"{_letter(n, self.lang)})"


def _numbered(level: int, number: str, text: str) -> str:
    """A numbered heading; a part's title (level 1) in capitals, as Decree 30's Appendix I
    writes the titles of parts and sections ("I. SỰ CẦN THIẾT VÀ CĂN CỨ PHÁP LÝ"), the
    headings below in ordinary case."""
    return f"{number} {text.upper() if level == 1 else text}"


def number_headings(parts: Sequence[tuple[str, Sequence[Block]]], lang: str) -> list[Block]:
    """The blocks of the sections with headings numbered as Decree 30 does: I., 1., a).

    Level 1 takes Roman numerals across the whole document and its title in capitals
    (bold in every writer, as headings are), level 2 "1.", level 3 "a)"; deeper levels are
    not numbered, nor the sections in :data:`UNNUMBERED`.
    """
    numbering = _Numbering(lang)
    out: list[Block] = []
    for section, blocks in parts:
        for b in blocks:
            if isinstance(b, Heading) and b.level <= 3 and section not in UNNUMBERED:
                out.append(Heading(b.level, _numbered(b.level, numbering.next(b.level), b.text)))
            else:
                out.append(b)
    return out


_MD_HEADING = re.compile(r"^(#{1,3})(\s+)(.*)$", re.MULTILINE)


def _number_markdown(parts: Sequence[tuple[str, str]], lang: str) -> list[str]:
    """The sections' Markdown with the same heading numbers as :func:`number_headings`."""
    numbering = _Numbering(lang)
    out = []
    for section, text in parts:
        if section in UNNUMBERED:
            out.append(text)
            continue

        def sub(m: re.Match[str]) -> str:
            level = len(m.group(1))
            return f"{m.group(1)}{m.group(2)}{_numbered(level, numbering.next(level), m.group(3))}"

        out.append(_MD_HEADING.sub(sub, text))
    return out


def _first_unnumbered(parts: Sequence[str]) -> int:
    return next((k for k, p in enumerate(parts) if p in UNNUMBERED), len(parts))


def _with_signature(blocks: list[Block], at: int) -> list[Block]:
    """The blocks with the place of the signature (:class:`Signature`) at index ``at``."""
    return [*blocks[:at], Signature(), *blocks[at:]]


def _summary(name: str, context: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The summary under the document type: what the document is about."""
    if name == "proposal":
        own = context.get("summary")  # the pack's summary, with the term (--term) set
        if own:
            return str(own)
        title = str(context["title"])
        word = labels.get("proposal", "")
        if word and title.lower().startswith(word.lower() + " "):  # "Đề án tổng thể …"
            rest = title[len(word) + 1 :]
            return rest[:1].upper() + rest[1:]
        return title
    key = "summary_plan" if name == "plan" else "summary_tasks"
    return labels.get(key, "{year}").format(year=context["plan_year"])


def _admin(
    name: str,
    context: Mapping[str, Any],
    labels: Mapping[str, str],
    org: OrgProfile,
    number: str | None,
) -> Admin:
    lang = context["lang"]
    day = dt.date.fromisoformat(context["date"])
    recipients = org.recipients_in(lang)
    return Admin(
        superior=org.text("superior", lang),
        body=org.text("body", lang),
        number=number_line(number, org.symbol(name), lang),
        national=labels.get("national", ""),
        motto=labels.get("motto", ""),
        place_date=date_line(org.text("place", lang), day, lang),
        doc_type=labels.get(f"type_{name}", name.upper()),
        summary=_summary(name, context, labels),
        notice=str(context["report"].get(f"notice_{lang}", "") or ""),
        recipients_title=labels.get("recipients", "") if recipients else "",
        recipients=recipients,
        authority=org.text("authority", lang),
        position=org.text("position", lang),
        signer=org.text("signer", lang),
    )


@attrs.frozen
class RenderedDocument:
    """A document as Markdown text (sections joined) and as the shared document model."""

    name: str
    markdown: str
    sections: Mapping[str, str]
    document: Document


def _draw(
    requests: Sequence[ChartRequest],
    needed: set[str],
    lang: str,
    step: Callable[[str], None] = lambda _text: None,
) -> dict[str, Chart]:
    charts: dict[str, Chart] = {}
    for req in requests:
        if req.id not in needed:
            continue
        step(f"chart {req.id}")
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
    plan_year: int | None = None,
    org: OrgProfile | str | Path | None = None,
    number: str | None = None,
    profiles: str | Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    texts: str | Path | None = None,
    term: str | Sequence[int] | None = None,
) -> list[RenderedDocument]:
    """Render the named documents of a pack's scored levels in ``lang``.

    ``today`` is the document date (default: today), ``plan_year`` the year of the annual
    plan (default: the year after the data), ``org`` the organisation profile or its file
    (default: the pack's, see :mod:`dxframework.report.org`) and ``number`` the document
    number written before the symbol ("45" gives "Số: 45/ĐA-UBND"; default: left blank).
    ``profiles`` chooses the units with a profile (``"all"``, ``"none"``, ``"top N"`` or
    codes; see :func:`dxframework.report.context.select_profiles`). ``progress`` is called
    with a short text as each step starts (the CLI shows a progress bar). ``texts`` is a
    folder of narrative texts (``necessity.vi.md``, …; see :mod:`dxframework.report.texts`).
    ``term`` is the proposal's own period ("2026-2030", default the period of the pack's
    title), set in its title, its summary and the narrative texts (see
    :func:`dxframework.report.context.with_term`).
    """
    step = progress or (lambda _text: None)
    unknown = [n for n in names if n not in DOCUMENTS]
    if unknown:
        raise DxfError(
            Problem(f"unknown document {unknown[0]!r}", hint=f"documents: {', '.join(DOCUMENTS)}")
        )
    logger.info("rendering %s (%s) for %s", ", ".join(names), lang, pack.name)
    step("context")
    context, requests = build_context(
        pack, results, lang, tasks, series, today, plan_year, profiles, texts, term
    )
    profile = org if isinstance(org, OrgProfile) else load_org(pack, org)
    labels = template_labels(lang, template_sources(user_dir))
    fmt = Formatter(lang)
    needed_sections = sorted({s for n in names for s in DOCUMENTS[n]}, key=SECTIONS.index)
    sections = render_sections(context, needed_sections, lang, user_dir)
    blocks_by_section = {name: parse(text) for name, text in sections.items()}
    needed = {
        b.chart for blocks in blocks_by_section.values() for b in blocks if isinstance(b, Figure)
    }
    charts = _draw(requests, needed, lang, step)
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
        numbered_parts = [(p, blocks_by_section[p]) for p in parts]
        first_appendix = sum(
            len(blocks) for p, blocks in numbered_parts[: _first_unnumbered(parts)]
        )
        doc = Document(
            title=title,
            lang=lang,
            blocks=tuple(_with_signature(number_headings(numbered_parts, lang), first_appendix)),
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
            admin=_admin(name, context, labels, profile, number),
            meta={
                "date": context["date"],
                "organisation": context["organisation"],
                "date_text": f"{labels.get('date_prefix', '')} {fmt.date(context['date'])}",
                "pack": context["pack"],
            },
        )
        md_parts = _number_markdown([(p, sections[p]) for p in parts], lang)
        # the signature closes the body, before the appendices
        md_parts.insert(_first_unnumbered(parts), "\\signature\n")
        markdown = "\n".join(md_parts)
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
