"""Default plugin ``builtin.templates``: the built-in document templates.

The folder is registered through the template hook with the prefix ``builtin`` (so
``{% extends "builtin:sections/objectives.md.j2" %}`` works), like any plugin's folder; the
template environment has no special case for it.
"""

from __future__ import annotations

from pathlib import Path

from dxframework.plugins.hookspecs import TemplateFolderRegistrar, hookimpl

__all__ = ["BUILTIN_TEMPLATES", "register_template_folders"]

#: The folder of the built-in templates.
BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@hookimpl
def register_template_folders(register: TemplateFolderRegistrar) -> None:
    """Register the built-in templates under the prefix ``builtin``."""
    register(BUILTIN_TEMPLATES, prefix="builtin")
