"""Loading plugins: the built-in one, then every entry point in the group ``dxframework``.

Loading is lazy (on first use) and idempotent. A plugin that fails to import produces a
warning naming it, and the others still load.
"""

from __future__ import annotations

import importlib.metadata as md
import threading
import warnings
from typing import Any

import attrs
import pluggy

from dxframework.plugins import hookspecs
from dxframework.plugins.registry import Registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "PluginLoadWarning",
    "get_plugin_manager",
    "get_registry",
    "plugin_info",
    "reset_plugins",
]

ENTRY_POINT_GROUP = "dxframework"


class PluginLoadWarning(UserWarning):
    """A plugin could not be loaded; the others are unaffected."""


@attrs.frozen
class PluginInfo:
    """An installed plugin: its name, distribution, version and the hooks it implements."""

    name: str
    package: str | None
    version: str | None
    hooks: tuple[str, ...]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return attrs.asdict(self, recurse=False) | {"hooks": list(self.hooks)}


_lock = threading.Lock()
_state: dict[str, Any] = {}


def _load() -> None:
    from dxframework import __version__, builtin

    pm = pluggy.PluginManager("dxframework")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="builtin")
    dists: dict[str, tuple[str | None, str | None]] = {"builtin": ("dxframework", __version__)}
    failures: list[PluginInfo] = []
    seen: set[str] = set()
    for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in seen:
            continue
        seen.add(ep.name)
        dist = (ep.dist.name, ep.dist.version) if ep.dist is not None else (None, None)
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:  # a broken plugin must not take the others down
            message = (
                f"plugin {ep.name!r} ({ep.value}) could not be loaded: {type(exc).__name__}: {exc}"
            )
            warnings.warn(message, PluginLoadWarning, stacklevel=3)
            failures.append(PluginInfo(ep.name, dist[0], dist[1], (), error=str(exc)))
            continue
        dists[ep.name] = dist
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
            _state["registry"] = Registry.from_plugin_manager(pm)
        registry: Registry = _state["registry"]
        return registry


def register_plugin(plugin: object, name: str) -> None:
    """Register a plugin object by hand (tests, notebooks); the registry is rebuilt."""
    pm = get_plugin_manager()
    with _lock:
        pm.register(plugin, name=name)
        _state["dists"][name] = (None, None)
        _state.pop("registry", None)


def unregister_plugin(name: str) -> None:
    """Remove a plugin registered by hand; the registry is rebuilt."""
    pm = get_plugin_manager()
    with _lock:
        plugin = pm.get_plugin(name)
        if plugin is not None:
            pm.unregister(plugin)
        _state["dists"].pop(name, None)
        _state.pop("registry", None)


def reset_plugins() -> None:
    """Forget the loaded plugins; the next use loads them again."""
    with _lock:
        _state.clear()


def plugin_info() -> list[PluginInfo]:
    """Every plugin: loaded ones with their hooks, and those that failed with the error."""
    pm = get_plugin_manager()
    out: list[PluginInfo] = []
    for name, plugin in pm.list_name_plugin():
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        package, version = _state["dists"].get(name, (None, None))
        out.append(PluginInfo(name, package, version, hooks))
    out.extend(_state["failures"])
    return out
