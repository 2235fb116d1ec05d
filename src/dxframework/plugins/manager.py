"""Loading plugins: the default ones, then every entry point in the group ``dxframework``.

dxframework's own methods, readers and templates are ordinary plugins: the modules named in
:data:`DEFAULT_PLUGINS` (as pytest's ``default_plugins``), imported by name and registered
first, each under its own name (``builtin.normalise``, …) and all credited to ``builtin``.
Then every entry point loads, in the order of the entry-point names.

Loading is lazy (on first use) and idempotent. A plugin that fails to import produces a
warning naming it, and the others still load. A plugin that implements a hook that does not
exist (``register_normalization_methods``) is an error naming the plugin and the hook:
``pm.check_pending()`` runs after loading.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata as md
import logging
import threading
import types
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import pluggy

from dxframework._version import __version__
from dxframework.errors import PluginError, Problem
from dxframework.plugins import hookspecs
from dxframework.plugins.hookspecs import HOOK_NAMES
from dxframework.plugins.registry import Registry

__all__ = [
    "BUILTIN",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginLoadWarning",
    "get_plugin_manager",
    "get_registry",
    "plugin_info",
    "register_plugin",
    "reset_plugins",
    "unregister_plugin",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "dxframework"

#: The name dxframework's own plugins are credited to (in the registry, manifests, listings).
BUILTIN = "builtin"

#: dxframework's own plugins, registered first, in this order: registered name → module.
#: The modules are imported by name, so the plugins layer imports none of them itself.
DEFAULT_PLUGINS: Mapping[str, str] = MappingProxyType(
    {
        "builtin.denominate": "dxframework.pipeline.stages.denominate",
        "builtin.impute": "dxframework.pipeline.stages.impute",
        "builtin.screen": "dxframework.pipeline.stages.screen",
        "builtin.treat": "dxframework.pipeline.stages.treat",
        "builtin.normalise": "dxframework.pipeline.stages.normalise",
        "builtin.weight": "dxframework.pipeline.stages.weight",
        "builtin.aggregate": "dxframework.pipeline.stages.aggregate",
        "builtin.readers": "dxframework.plugins.readers",
        "builtin.templates": "dxframework.report.builtin_templates",
    }
)


class PluginLoadWarning(UserWarning):
    """A plugin could not be loaded; the others are unaffected."""


@attrs.frozen
class PluginInfo:
    """An installed plugin: its name, distribution, version and the hooks it implements.

    ``parts`` lists the registered names of a plugin made of several modules (``builtin``).
    """

    name: str
    package: str | None
    version: str | None
    hooks: tuple[str, ...]
    error: str | None = None
    parts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return attrs.asdict(self, recurse=False) | {
            "hooks": list(self.hooks),
            "parts": list(self.parts),
        }


_lock = threading.Lock()
_state: dict[str, Any] = {}


def _registrable(plugin: object, name: str) -> object:
    """The plugin, or a module holding its attributes if it cannot be hashed.

    Hooks are called one plugin at a time through ``pm.subset_hook_caller``, which keeps the
    plugins in a set; a ``types.SimpleNamespace`` plugin is not hashable.
    """
    try:
        hash(plugin)
    except TypeError:
        view = types.ModuleType(f"dxframework-plugin:{name}")
        for attr in dir(plugin):
            if not attr.startswith("__"):
                setattr(view, attr, getattr(plugin, attr))
        return view
    return plugin


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    """Register one plugin; a hook implemented with the wrong arguments is a PluginError."""
    try:
        pm.register(_registrable(plugin, name), name=name)
    except pluggy.PluginValidationError as exc:
        _forget(pm, name)
        raise PluginError(
            Problem(f"plugin {name!r} cannot be registered: {exc}", hint=_HOOKS_HINT)
        ) from None
    except ValueError as exc:  # the name or the object is registered already
        raise PluginError(f"plugin {name!r} cannot be registered: {exc}") from None
    logger.debug("registered plugin %r", name)


_HOOKS_HINT = "the hooks are: " + ", ".join(HOOK_NAMES) + " (see docs/plugins.md)"


def _forget(pm: pluggy.PluginManager, name: str) -> None:
    plugin = pm.get_plugin(name)
    if plugin is not None:
        pm.unregister(plugin)


def _unknown_hooks(pm: pluggy.PluginManager) -> list[Problem]:
    """A problem per implementation of a hook that has no specification."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError:
        pass
    else:
        return []
    problems: list[Problem] = []
    for hook, caller in vars(pm.hook).items():
        if hook.startswith("_") or caller.has_spec():
            continue
        close = difflib.get_close_matches(hook, HOOK_NAMES, n=1)
        for impl in caller.get_hookimpls():
            if not impl.optionalhook:
                problems.append(
                    Problem(
                        f"plugin {impl.plugin_name!r} implements {hook!r}, "
                        "which is not a dxframework hook",
                        hint=f"did you mean {close[0]!r}?" if close else _HOOKS_HINT,
                    )
                )
    return problems


def _load() -> None:
    pm = pluggy.PluginManager("dxframework")
    pm.add_hookspecs(hookspecs)
    for name, module in DEFAULT_PLUGINS.items():
        _register(pm, importlib.import_module(module), name)
    dists: dict[str, tuple[str | None, str | None]] = dict.fromkeys(
        DEFAULT_PLUGINS, ("dxframework", __version__)
    )
    failures: list[PluginInfo] = []
    seen: set[str] = set()
    for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue
        seen.add(ep.name)
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else (None, None)
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            message = (
                f"plugin {ep.name!r} ({ep.value}) could not be loaded: {type(exc).__name__}: {exc}"
            )
            logger.warning("%s", message)
            warnings.warn(message, PluginLoadWarning, stacklevel=3)
            failures.append(PluginInfo(ep.name, dist[0], dist[1], (), error=str(exc)))
            continue
        if pm.is_registered(plugin):  # one module behind two entry-point names
            message = f"plugin {ep.name!r} ({ep.value}) is registered already under another name"
            warnings.warn(message, PluginLoadWarning, stacklevel=3)
            continue
        _register(pm, plugin, ep.name)
        dists[ep.name] = dist
    problems = _unknown_hooks(pm)
    if problems:
        raise PluginError(problems)
    logger.debug(
        "loaded %d plugins (%d default, %d failed)",
        len(pm.list_name_plugin()),
        len(DEFAULT_PLUGINS),
        len(failures),
    )
    _state["pm"] = pm
    _state["dists"] = dists
    _state["failures"] = failures


def get_plugin_manager() -> pluggy.PluginManager:
    """The plugin manager with every loadable plugin registered (loaded once)."""
    with _lock:
        if "pm" not in _state:
            _load()
        pm: pluggy.PluginManager = _state["pm"]
        return pm


def get_registry() -> Registry:
    """Everything the plugins registered (built once, after the plugins load)."""
    pm = get_plugin_manager()
    with _lock:
        if "registry" not in _state:
            _state["registry"] = Registry.from_plugin_manager(
                pm, providers=dict.fromkeys(DEFAULT_PLUGINS, BUILTIN)
            )
        registry: Registry = _state["registry"]
        return registry


def register_plugin(plugin: object, name: str) -> None:
    """Register a plugin object by hand (tests, notebooks); the registry is rebuilt.

    A hook implemented under a name that is not a hook is a :class:`PluginError`, and the
    plugin is not registered.
    """
    pm = get_plugin_manager()
    with _lock:
        _register(pm, plugin, name)
        problems = _unknown_hooks(pm)
        if problems:
            _forget(pm, name)
            raise PluginError(problems)
        _state["dists"][name] = (None, None)
        _state.pop("registry", None)


def unregister_plugin(name: str) -> None:
    """Remove a registered plugin (one of the default ones too); the registry is rebuilt."""
    pm = get_plugin_manager()
    with _lock:
        _forget(pm, name)
        _state["dists"].pop(name, None)
        _state.pop("registry", None)
        logger.debug("unregistered plugin %r", name)


def reset_plugins() -> None:
    """Forget the loaded plugins; the next use loads them again."""
    with _lock:
        _state.clear()


def plugin_info() -> list[PluginInfo]:
    """Every plugin: loaded ones with their hooks, and those that failed with the error.

    The default plugins are listed as one, ``builtin``, with their registered names as
    ``parts``.
    """
    pm = get_plugin_manager()
    out: list[PluginInfo] = []
    builtin_hooks: set[str] = set()
    parts: list[str] = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        hooks = {h.name for h in pm.get_hookcallers(plugin) or []}
        if name in DEFAULT_PLUGINS:
            builtin_hooks |= hooks
            parts.append(name)
            continue
        package, version = _state["dists"].get(name, (None, None))
        out.append(PluginInfo(name, package, version, tuple(sorted(hooks))))
    if parts:
        package, version = _state["dists"][parts[0]]
        out.insert(
            0,
            PluginInfo(BUILTIN, package, version, tuple(sorted(builtin_hooks)), parts=tuple(parts)),
        )
    out.extend(_state["failures"])
    return out
