"""The one Jinja environment factory for documents.

Templates are looked up in order: the user's folder (``--templates DIR``), the plugins'
template folders, the built-in templates. Each is also reachable with a prefix for explicit
extension: ``{% extends "builtin:sections/objectives.md.j2" %}``, ``user:``, or a plugin's
prefix. Environments are sandboxed (templates cannot reach Python internals), undefined
variables are errors (``StrictUndefined``), and:

- Markdown templates (``*.md.j2``) escape every value from data for Markdown;
- HTML templates (``*.html.j2``) are auto-escaped for HTML.

Template names cannot leave their folders: ``..`` segments are refused by the loaders.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from dxframework.errors import DxfError, Problem
from dxframework.report.formatting import Formatter
from dxframework.report.markdown import escape as md_escape

__all__ = ["BUILTIN_TEMPLATES", "labels", "make_environment", "template_errors", "template_sources"]

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_sources(user_dir: str | Path | None = None) -> list[tuple[str, Path]]:
    """``(prefix, folder)`` in lookup order: user, plugins, built-in."""
    from dxframework.plugins.manager import get_registry

    out: list[tuple[str, Path]] = []
    if user_dir is not None:
        out.append(("user", Path(user_dir)))
    for folder in get_registry().template_folders:
        if folder.plugin == "builtin":
            continue
        out.append((folder.prefix or folder.plugin, folder.path))
    out.append(("builtin", BUILTIN_TEMPLATES))
    return out


def _loader(sources: Sequence[tuple[str, Path]]) -> jinja2.BaseLoader:
    folders = [jinja2.FileSystemLoader(str(p)) for _, p in sources if p.is_dir()]
    prefixed = jinja2.PrefixLoader(
        {prefix: jinja2.FileSystemLoader(str(p)) for prefix, p in sources if p.is_dir()},
        delimiter=":",
    )
    return jinja2.ChoiceLoader([prefixed, *folders])


def labels(lang: str, sources: Sequence[tuple[str, Path]] | None = None) -> dict[str, str]:
    """Labels of the templates in ``lang``; a ``labels.toml`` in a folder overrides earlier."""
    merged: dict[str, str] = {}
    for _, folder in reversed(list(sources or [("builtin", BUILTIN_TEMPLATES)])):
        path = folder / "labels.toml"
        if path.is_file():
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
            merged.update({str(k): str(v) for k, v in doc.get(lang, {}).items()})
    return merged


def make_environment(
    lang: str = "vi", kind: str = "markdown", user_dir: str | Path | None = None
) -> jinja2.Environment:
    """A sandboxed environment for ``kind`` ``"markdown"`` or ``"html"`` templates in ``lang``."""
    if kind not in ("markdown", "html"):
        raise ValueError("kind is 'markdown' or 'html'")
    sources = template_sources(user_dir)
    options: dict[str, Any] = {
        "loader": _loader(sources),
        "undefined": jinja2.StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    if kind == "html":
        options["autoescape"] = True
    else:
        options["autoescape"] = False
        options["finalize"] = md_escape
    env = SandboxedEnvironment(**options)
    env.filters.update(Formatter(lang).filters())
    env.filters["md"] = _markdown_safe
    env.globals["lang"] = lang
    env.globals["t"] = labels(lang, sources)
    return env


@contextmanager
def template_errors(name: str) -> Iterator[None]:
    """Turn a template's error (syntax, undefined variable, sandbox) into a :class:`DxfError`.

    The problem names the template file and line, so the CLI prints one line and exits 2.
    """
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        raise DxfError(
            Problem(
                f"template syntax error: {exc.message}",
                file=exc.filename or exc.name or name,
                row=exc.lineno,
            )
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise DxfError(
            Problem(f"template not found: {exc.name}", file=name, hint="see 'dxf templates list'")
        ) from None
    except jinja2.TemplateError as exc:
        line = _template_line(exc.__traceback__)
        raise DxfError(
            Problem(f"template error: {exc}", file=line[0] or name, row=line[1])
        ) from None


def _template_line(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja maps frames to templates)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".md")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _markdown_safe(value: Any) -> Any:
    """Mark a value as Markdown written by the template author (not escaped)."""
    from dxframework.report.markdown import MarkdownText

    return MarkdownText(str(value))
