"""Hook specifications: what a dxframework plugin can contribute.

Every hook is a *register* hook (as in llm): the plugin calls the ``register`` callback it is
given, once per contribution, and the core owns validation, duplicate detection and
ordering. The callbacks are typed (:class:`MethodRegistrar`, :class:`PackRegistrar`,
:class:`LoaderRegistrar`, :class:`TemplateFolderRegistrar`). dxframework's own methods,
readers and templates are contributed by its default plugins through these same hooks.

There is one method hook per stage kind, generated from the table of kinds
(:data:`dxframework.plugins.kinds.KINDS`); the other hooks are written out below.

A plugin is a module (or object) with functions decorated by :data:`dxframework.hookimpl`,
exposed through an entry point in the group ``dxframework``::

    [project.entry-points.dxframework]
    mypack = "dxf_mypack"

A function marked ``@hookimpl`` whose name is not a hook (``register_normalization_methods``)
is an error when the plugins load, naming the plugin and the hook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pluggy

from dxframework.plugins.kinds import KINDS, Kind

hookspec = pluggy.HookspecMarker("dxframework")
hookimpl = pluggy.HookimplMarker("dxframework")

__all__ = [
    "HOOK_NAMES",
    "METHOD_HOOKS",
    "LoaderRegistrar",
    "MethodRegistrar",
    "PackRegistrar",
    "TemplateFolderRegistrar",
    "hookimpl",
    "hookspec",
]


# -- the register callbacks ---------------------------------------------------------------------
class MethodRegistrar(Protocol):
    """The ``register`` callback of a method hook."""

    def __call__(self, name: str, func: Callable[..., Any], description: str = "") -> None:
        """Register ``func`` as the method ``name`` of the hook's stage kind."""


class PackRegistrar(Protocol):
    """The ``register`` callback of :func:`register_packs`."""

    def __call__(self, pack: Any) -> None:  # a MetricPack (packs layer, above)
        """Register a metric pack."""


class LoaderRegistrar(Protocol):
    """The ``register`` callback of :func:`register_data_loaders`."""

    def __call__(self, suffix: str, loader: Callable[..., Any], description: str = "") -> None:
        """Register ``loader(path, sheet)`` for files ending in ``suffix``."""


class TemplateFolderRegistrar(Protocol):
    """The ``register`` callback of :func:`register_template_folders`."""

    def __call__(self, path: str | Path, prefix: str | None = None) -> None:
        """Register a folder of templates, reachable as ``prefix:name`` too."""


# -- hooks --------------------------------------------------------------------------------------
@hookspec
def register_packs(register: PackRegistrar) -> None:
    """Contribute metric packs.

    :param register: call ``register(pack)`` with a :class:`dxframework.MetricPack` for each
        pack the plugin provides.
    """


def _method_hookspec(kind: Kind) -> Callable[[MethodRegistrar], None]:
    """The hook specification through which plugins contribute methods of ``kind``."""

    def spec(register: MethodRegistrar) -> None:
        pass

    spec.__name__ = spec.__qualname__ = kind.hook
    spec.__module__ = __name__
    spec.__doc__ = (
        f"Contribute methods of the ``{kind.name}`` stage ({kind.description}).\n\n"
        f':param register: call ``register(name, func, description="")``; the stage calls '
        f"``{kind.call}`` and it returns {kind.returns}. Values ``x`` are ``(..., units, "
        "indicators)``, NaN for missing; ``ctx`` is a :class:`dxframework.MethodContext`.\n"
    )
    marked: Callable[[MethodRegistrar], None] = hookspec(spec)
    return marked


#: The method hooks, one per stage kind, in the order of the table of kinds.
METHOD_HOOKS: tuple[str, ...] = tuple(k.hook for k in KINDS.values())

for _kind in KINDS.values():
    globals()[_kind.hook] = _method_hookspec(_kind)
del _kind


@hookspec
def register_data_loaders(register: LoaderRegistrar) -> None:
    """Contribute readers for more data-file formats.

    :param register: call ``register(suffix, loader, description="")``; ``loader(path, sheet)``
        returns a :class:`dxframework.io.RawTable` for files ending in ``suffix``. A suffix
        registered by two plugins is an error naming both; to replace a built-in reader,
        unregister the default plugin ``builtin.readers`` first.
    """


@hookspec
def register_template_folders(register: TemplateFolderRegistrar) -> None:
    """Contribute folders of Jinja templates for documents.

    :param register: call ``register(path, prefix=None)``; ``prefix`` lets templates refer to
        this folder explicitly (``{% extends "mypack:section.md.j2" %}``). Folders of plugins
        loaded later are looked up first.
    """


#: Every hook, in the order the registry calls them.
HOOK_NAMES: tuple[str, ...] = (
    "register_packs",
    *METHOD_HOOKS,
    "register_data_loaders",
    "register_template_folders",
)
