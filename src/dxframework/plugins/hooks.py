"""A small typed façade over the plugin manager's hooks (as tox 4's ``Plugin``).

The registry never touches hook implementations: it asks :class:`PluginHooks` to call a hook,
and the façade calls it through pluggy (``pm.hook.…`` or a subset of it), once per plugin in
registration order, with a ``register`` callback made for that plugin — so every
contribution is credited to the plugin that made it, and pluggy's argument checks, tracing
and wrappers all apply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import pluggy

from dxframework.plugins.hookspecs import (
    LoaderRegistrar,
    MethodRegistrar,
    PackRegistrar,
    TemplateFolderRegistrar,
)
from dxframework.plugins.kinds import KINDS

__all__ = ["PluginHooks"]

logger = logging.getLogger(__name__)

_R = TypeVar("_R")


class PluginHooks:
    """Typed calls of every dxframework hook on a plugin manager.

    Parameters
    ----------
    pm
        The plugin manager, with the hook specifications added and the plugins registered.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm

    def register_methods(self, kind: str, make: Callable[[str], MethodRegistrar]) -> None:
        """Call the method hook of stage kind ``kind``; ``make(plugin)`` gives its callback."""
        self._call(KINDS[kind].hook, make)

    def register_packs(self, make: Callable[[str], PackRegistrar]) -> None:
        """Call ``register_packs`` on every plugin implementing it."""
        self._call("register_packs", make)

    def register_data_loaders(self, make: Callable[[str], LoaderRegistrar]) -> None:
        """Call ``register_data_loaders`` on every plugin implementing it."""
        self._call("register_data_loaders", make)

    def register_template_folders(self, make: Callable[[str], TemplateFolderRegistrar]) -> None:
        """Call ``register_template_folders`` on every plugin implementing it."""
        self._call("register_template_folders", make)

    def _call(self, hook: str, make: Callable[[str], _R]) -> None:
        caller: pluggy.HookCaller = getattr(self._pm.hook, hook)
        implementing = {impl.plugin_name for impl in caller.get_hookimpls()}
        plugins = self._pm.list_name_plugin()
        for name, _ in plugins:
            if name not in implementing:
                continue
            others = [p for n, p in plugins if n != name and p is not None]
            logger.debug("calling %s of plugin %r", hook, name)
            self._pm.subset_hook_caller(hook, remove_plugins=others)(register=make(name))
