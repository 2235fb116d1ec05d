"""The plugin system: the table of stage kinds, hook specifications, loading, the registry.

This layer imports nothing of the pipeline: the default plugins (the stage modules, the
readers, the templates) are imported by name when the plugins load.
"""

from dxframework.plugins.hookspecs import (
    HOOK_NAMES,
    LoaderRegistrar,
    MethodRegistrar,
    PackRegistrar,
    TemplateFolderRegistrar,
    hookimpl,
    hookspec,
)
from dxframework.plugins.kinds import KINDS, Kind
from dxframework.plugins.manager import (
    BUILTIN,
    DEFAULT_PLUGINS,
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
    "BUILTIN",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "FAMILIES",
    "HOOK_NAMES",
    "KINDS",
    "Kind",
    "LoaderRegistrar",
    "Method",
    "MethodRegistrar",
    "PackRegistrar",
    "PluginInfo",
    "PluginLoadWarning",
    "Registry",
    "TemplateFolderRegistrar",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "plugin_info",
    "register_plugin",
    "reset_plugins",
    "unregister_plugin",
]
