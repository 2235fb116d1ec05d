"""Sphinx configuration: MyST pages, furo theme, the API from docstrings, the CLI from click."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from dxframework import __version__

project = "dxframework"
author = "dxframework developers"
copyright = "dxframework developers"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_click",
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "examples"]
nitpicky = False

# MyST: ::: fences, definition lists, and anchors for headings up to ### for links.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# numpydoc-style docstrings.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}

html_theme = "furo"
html_title = f"dxframework {release}"
html_static_path = ["_static"]
html_css_files = ["dxf.css"]


class BuiltinMethods(SphinxDirective):
    """``{dxf-builtin-methods}``: a table of the methods the built-in plugin registers.

    Generated from the registry, so the list cannot fall behind the code.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        from dxframework import get_registry

        rows = [
            (family, m.name, m.description)
            for family, methods in get_registry().methods.items()
            for m in methods.values()
            if m.plugin == "builtin"
        ]
        table = nodes.table(classes=["dxf-builtin-methods"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (15, 25, 60):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(("family", "name", "what it does"), literal=False)
        body = nodes.tbody()
        group += body
        for row in rows:
            body += self._row(row, literal=True)
        return [table]

    @staticmethod
    def _row(cells: tuple[str, str, str], literal: bool) -> nodes.row:
        row = nodes.row()
        for k, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text, text) if literal and k < 2 else nodes.Text(text)
            entry += para
            row += entry
        return row


def method_status_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``{dxf-status}`family:name```: whether the built-in plugin registers that method.

    Read from the registry when the docs are built, so the mark follows the code. An unknown
    family is an error (and fails a ``-W`` build).
    """
    from dxframework import get_registry
    from dxframework.plugins.registry import FAMILIES

    family, sep, method = text.partition(":")
    if not sep or family not in FAMILIES:
        msg = inliner.reporter.error(
            f"dxf-status: expected family:name with a family in {', '.join(FAMILIES)}, "
            f"got {text!r}",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    found = get_registry().methods[family].get(method)
    if found is not None and found.plugin == "builtin":
        label, cls = "built-in", "dxf-builtin"
    elif found is not None:
        label, cls = f"plugin {found.plugin}", "dxf-plugin"
    else:
        label, cls = "not implemented yet", "dxf-missing"
    return [nodes.inline(rawtext, label, classes=["dxf-status", cls])], []


def link_public_names(
    app: Sphinx, env: Any, node: nodes.Element, contnode: nodes.Element
) -> nodes.Element | None:
    """Link ``dxframework.model.dataset.Dataset`` (as type hints name it) to ``dxf.Dataset``.

    The API page documents the public names of ``dxframework``; type hints carry the private
    module paths where the classes are defined.
    """
    import dxframework

    target = node.get("reftarget", "")
    name = target.rsplit(".", 1)[-1]
    public = f"dxframework.{name}"
    if node.get("refdomain") != "py" or not target.startswith("dxframework.") or target == public:
        return None
    if name not in dxframework.__all__:
        return None
    domain = env.get_domain("py")
    resolved: nodes.Element | None = domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], public, node, contnode
    )
    return resolved


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("dxf-builtin-methods", BuiltinMethods)
    app.add_role("dxf-status", method_status_role)
    app.connect("missing-reference", link_public_names)
    return {"parallel_read_safe": True}
