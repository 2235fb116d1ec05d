"""The plugin system: hook specifications, loading, and the registry of contributions."""

from dxframework.plugins.hookspecs import HOOK_NAMES, hookimpl, hookspec
from dxframework.plugins.manager import (
    ENTRY_POINT_GROUP,
    PluginInfo,
    PluginLoadWarning,
    get_plugin_manager,
    get_registry,
    plugin_info,
    register_plugin,
    reset_plugins,
    unregister_plugin,
)
from dxframework.plugins.registry import FAMILIES, Method, Registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "FAMILIES",
    "HOOK_NAMES",
    "Method",
    "PluginInfo",
    "PluginLoadWarning",
    "Registry",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "plugin_info",
    "register_plugin",
    "reset_plugins",
    "unregister_plugin",
]
