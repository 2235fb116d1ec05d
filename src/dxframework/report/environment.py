"""The one Jinja environment factory for documents.

Templates are looked up in order: the user's folder (``--templates DIR``), then the folders
the plugins register, the plugin loaded last first — the built-in templates are registered by
the default plugin ``builtin.templates`` (:mod:`dxframework.report.builtin_templates`), which
loads first, so they come last. Each is also reachable with a prefix for explicit
extension: ``{% extends "builtin:sections/objectives.md.j2" %}``, ``user:``, or a plugin's
prefix. Environments are sandboxed (templates cannot reach Python internals), undefined
variables are errors (``StrictUndefined``), and:

- Markdown templates (``*.md.j2``) escape every value from data for Markdown;
- HTML templates (``*.html.j2``) are auto-escaped for HTML.

Template names cannot leave their folders: ``..`` segments are refused by the loaders. A
template cannot build a huge value (``{{ "x" * 10**9 }}``, a width of a billion, a number of
a billion digits): such an operation is refused as a template error naming the file and line,
before memory runs out (see :data:`MAX_TEXT`).
"""

from __future__ import annotations

import math
import re
import string
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import update_wrapper
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from dxframework.errors import DxfError, Problem
from dxframework.plugins.manager import get_registry
from dxframework.report.builtin_templates import BUILTIN_TEMPLATES
from dxframework.report.formatting import Formatter
from dxframework.report.markdown import MarkdownText
from dxframework.report.markdown import escape as md_escape

__all__ = [
    "BUILTIN_TEMPLATES",
    "MAX_TEXT",
    "labels",
    "lower_first",
    "make_environment",
    "template_errors",
    "template_sources",
]


#: The longest text (and list) one template operation may build, in characters (items).
MAX_TEXT = 1_000_000
#: The largest number a template may compute, in bits.
_MAX_BITS = 10_000
#: Text methods whose integer argument is the width of the text they build.
_WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
#: Widths and precisions of ``%`` formatting: ``%-1000d``, ``%.20f``.
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*)(?:\.(\d+))?")
#: Widths and precisions of a ``format`` spec: ``>1000``, ``.20f``.
_SPEC_WIDTH = re.compile(r"^(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")


def template_sources(user_dir: str | Path | None = None) -> list[tuple[str, Path]]:
    """``(prefix, folder)`` in lookup order: user, then the registered folders, newest first.

    A folder's prefix is the one it was registered with, else its plugin's name.
    """
    out: list[tuple[str, Path]] = []
    if user_dir is not None:
        out.append(("user", Path(user_dir)))
    for folder in reversed(get_registry().template_folders):
        out.append((folder.prefix or folder.plugin, folder.path))
    return out


def _loader(sources: Sequence[tuple[str, Path]]) -> jinja2.BaseLoader:
    folders = [jinja2.FileSystemLoader(str(p)) for _, p in sources if p.is_dir()]
    prefixed = jinja2.PrefixLoader(
        {prefix: jinja2.FileSystemLoader(str(p)) for prefix, p in sources if p.is_dir()},
        delimiter=":",
    )
    return jinja2.ChoiceLoader([prefixed, *folders])


def labels(lang: str, sources: Sequence[tuple[str, Path]] | None = None) -> dict[str, str]:
    """Labels of the templates in ``lang``; a ``labels.toml`` in a folder overrides earlier.

    A ``labels.toml`` that is not valid TOML, whose ``[vi]``/``[en]`` is not a table, or
    whose label is not text is a :class:`DxfError` naming the file.
    """
    merged: dict[str, str] = {}
    for _, folder in reversed(list(template_sources() if sources is None else sources)):
        path = folder / "labels.toml"
        if path.is_file():
            merged.update(_read_labels(path, lang))
    return merged


def _read_labels(path: Path, lang: str) -> dict[str, str]:
    hint = 'write [vi] and [en] tables of name = "text"'
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DxfError(
            Problem("the labels file is not UTF-8 text", file=str(path), hint=hint)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DxfError(
            Problem(f"cannot read the labels: {exc}", file=str(path), hint=hint)
        ) from None
    table = doc.get(lang, {})
    if not isinstance(table, dict):
        raise DxfError(
            Problem(
                f"[{lang}] must be a table of labels, not {_kind(table)}", file=str(path), hint=hint
            )
        )
    bad = [
        Problem(f"label {lang}.{k} must be text, not {_kind(v)}", file=str(path), hint=hint)
        for k, v in table.items()
        if not isinstance(v, str)
    ]
    if bad:
        raise DxfError(bad)
    return {str(k): v for k, v in table.items()}


def _kind(value: Any) -> str:
    """What a TOML value is, in words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _too_big(what: str) -> SecurityError:
    return SecurityError(f"the template builds {what}, more than a document needs")


def _check_size(n: float, unit: str = "characters") -> None:
    if n > MAX_TEXT:
        raise _too_big(f"a value of {n:,.0f} {unit} (at most {MAX_TEXT:,})")


def _check_format_string(fmt: str) -> None:
    """Refuse ``str.format`` fields with a width or precision above :data:`MAX_TEXT`."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format reports it
    for _, _, spec, _ in fields:
        if spec:
            _check_format_string(spec)  # a nested {width} field
            m = _SPEC_WIDTH.match(spec)
            for digits in m.groups() if m else ():
                if digits:
                    _check_size(int(digits))


class _Sandbox(SandboxedEnvironment):
    """The sandbox, refusing operations that would build a huge value.

    ``*`` (text or list times a number), ``**`` (a number of more than a few thousand bits),
    ``%`` and ``str.format`` widths, and the width arguments of text methods and of the
    ``center``/``indent`` filters are checked before the value is built.
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int):
                    _check_size(len(seq) * n, "characters" if isinstance(seq, str) else "items")
        elif operator == "**":
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and abs(left) > 1
                and right * math.log2(abs(left)) > _MAX_BITS
            ):
                raise _too_big(f"a number {left} ** {right} of more than {_MAX_BITS:,} bits")
        elif operator == "%" and isinstance(left, str):
            for m in _PERCENT_WIDTH.finditer(left):
                for digits in m.groups():
                    if digits:
                        _check_size(int(digits))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in _WIDTH_METHODS:
            for n in (*args, *kwargs.values()):
                if isinstance(n, int):
                    _check_size(n)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = str(value.__self__)

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format_string(fmt)
            return wrapped(*args, **kwargs)

        return update_wrapper(checked, wrapped)


def _width_checked(func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose integer arguments (widths) are checked against :data:`MAX_TEXT`."""

    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        for n in (*args, *kwargs.values()):
            if isinstance(n, int) and not isinstance(n, bool):
                _check_size(n)
        return func(value, *args, **kwargs)

    return update_wrapper(checked, func)


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
    env = _Sandbox(**options)
    for name in ("center", "indent"):
        env.filters[name] = _width_checked(env.filters[name])
    env.filters.update(Formatter(lang).filters())
    env.filters["md"] = _markdown_safe
    env.filters["lower_first"] = lower_first
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
    except (MemoryError, OverflowError) as exc:
        line = _template_line(exc.__traceback__)
        raise DxfError(
            Problem(
                f"template error: the template builds a value too large ({type(exc).__name__})",
                file=line[0] or name,
                row=line[1],
            )
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


def lower_first(value: Any) -> str:
    """A title inside a sentence: its first letter in lower case, unless the first word is
    an abbreviation; the rest as written ("Cấp tỉnh, DTI 2024" → "cấp tỉnh, DTI 2024",
    "UBND tỉnh" unchanged), where ``lower`` would give "dti" and "qđ-bkhcn"."""
    text = str(value)
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    letters = [c for c in first if c.isalpha()]
    if not letters or (len(letters) > 1 and all(c.isupper() for c in letters)):
        return text
    i = text.index(letters[0])
    return text[:i] + text[i].lower() + text[i + 1 :]


def _markdown_safe(value: Any) -> Any:
    """Mark a value as Markdown written by the template author (not escaped)."""
    return MarkdownText(str(value))
