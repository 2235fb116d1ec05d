"""The narrative parts of the documents: necessity, legal bases, viewpoints, solutions, funding.

Each narrative is a Markdown file ``NAME.LANG.md`` looked up, first found, in the user's
folder (``dxf report --texts DIR``), the pack's (``texts = "FOLDER"`` in its ``[report]``
table) and the built-in defaults (``templates/texts``). The legal bases are a TOML list
``legal_bases.toml`` (``[[bases]]`` with ``date``, ``vi``, ``en``) found the same way; a
document lists those issued on or before its date. The texts are the author's Markdown
(as templates are), not data: they are not escaped.

A text may name the document's own period (``dxf report --term 2026-2030``, default the
period of the pack's title) as ``{term}`` (2026–2030), ``{term_start}`` and ``{term_end}``;
no other braces are read, so a text holds any other ``{`` as it is.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dxframework.errors import DxfError, Problem
from dxframework.report.builtin_templates import BUILTIN_TEMPLATES
from dxframework.report.markdown import MarkdownText

__all__ = ["TEXTS", "fill_term", "legal_bases", "load_texts", "text_folders"]

#: The narrative texts a document may hold.
TEXTS = (
    "necessity",
    "viewpoints",
    "general_goal",
    "solutions",
    "funding",
    "implementation",
)


def text_folders(pack: Any, user_dir: str | Path | None = None) -> list[Path]:
    """The folders searched, first found wins: the user's, the pack's, the built-in one."""
    folders = []
    if user_dir is not None:
        folders.append(Path(user_dir))
    own = pack.report.get("texts") if hasattr(pack, "report") else None
    if isinstance(own, str) and own:
        folders.append(Path(pack.root) / own)
    folders.append(BUILTIN_TEMPLATES / "texts")
    return folders


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DxfError(Problem("the text is not UTF-8", file=str(path))) from None


def fill_term(text: str, term: tuple[int, int] | None) -> str:
    """``{term}``, ``{term_start}`` and ``{term_end}`` of a text replaced by the period
    (left as they are without one)."""
    if term is None:
        return text
    return (
        text.replace("{term}", f"{term[0]}–{term[1]}")
        .replace("{term_start}", str(term[0]))
        .replace("{term_end}", str(term[1]))
    )


def load_texts(
    folders: Sequence[Path], lang: str, term: tuple[int, int] | None = None
) -> dict[str, MarkdownText]:
    """Each narrative in ``lang`` (falling back to Vietnamese), or empty when none is found;
    ``term`` fills the period placeholders (see :func:`fill_term`)."""
    out: dict[str, MarkdownText] = {}
    for name in TEXTS:
        text = ""
        for wanted in (lang, "vi"):
            found = next(
                (
                    f / f"{name}.{wanted}.md"
                    for f in folders
                    if (f / f"{name}.{wanted}.md").is_file()
                ),
                None,
            )
            if found is not None:
                text = _read(found)
                break
        out[name] = MarkdownText(fill_term(text.strip(), term))
    return out


def legal_bases(folders: Sequence[Path], lang: str, day: dt.date) -> list[str]:
    """The legal bases issued on or before ``day``, oldest first, in ``lang``."""
    path = next(
        (f / "legal_bases.toml" for f in folders if (f / "legal_bases.toml").is_file()), None
    )
    if path is None:
        return []
    try:
        doc = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as exc:
        raise DxfError(Problem(f"cannot read the legal bases: {exc}", file=str(path))) from None
    bases = doc.get("bases", [])
    if not isinstance(bases, list):
        raise DxfError(Problem("[[bases]] must be a list of tables", file=str(path)))
    out: list[tuple[dt.date, str]] = []
    for n, entry in enumerate(bases, start=1):
        when = entry.get("date") if isinstance(entry, dict) else None
        text = entry.get(lang) or entry.get("vi") if isinstance(entry, dict) else None
        if not isinstance(when, dt.date) or not isinstance(text, str):
            raise DxfError(
                Problem(
                    f"legal basis {n} needs a date (2020-06-03) and a text",
                    file=str(path),
                    hint='write [[bases]] date = 2020-06-03, vi = "…", en = "…"',
                )
            )
        if when <= day:
            out.append((when, text))
    return [text for _, text in sorted(out, key=lambda x: x[0])]
