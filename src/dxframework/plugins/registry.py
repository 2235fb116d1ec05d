"""What the plugins registered: methods by family, packs, data loaders, template folders.

The registry asks the hook façade (:class:`~dxframework.plugins.hooks.PluginHooks`) to call
every hook with a registrar bound to the calling plugin, so every entry knows where it came
from and a name registered twice is an error naming both plugins. The method families are
the stage kinds of :data:`dxframework.plugins.kinds.KINDS`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pluggy

from dxframework.errors import PluginError, Problem
from dxframework.plugins.hooks import PluginHooks
from dxframework.plugins.kinds import KINDS

__all__ = [
    "FAMILIES",
    "DataLoader",
    "LoaderRegistrar",
    "Method",
    "MethodRegistrar",
    "PackRegistrar",
    "Registry",
    "TemplateFolder",
    "TemplateFolderRegistrar",
]

logger = logging.getLogger(__name__)

#: Method families (the stage kinds) and the hook that contributes each.
FAMILIES: Mapping[str, str] = {k.name: k.hook for k in KINDS.values()}


@attrs.frozen
class Method:
    """A registered method: its family, name, function and the plugin that provides it."""

    family: str
    name: str
    func: Callable[..., Any] = attrs.field(eq=False)
    plugin: str
    description: str = ""

    def signature(self) -> inspect.Signature | None:
        """The function's signature, or ``None`` when Python cannot tell it."""
        try:
            return inspect.signature(self.func)
        except (TypeError, ValueError):  # some callables have no signature to inspect
            return None


@attrs.frozen
class TemplateFolder:
    """A folder of document templates and the plugin that provides it."""

    path: Path
    plugin: str
    prefix: str | None = None


@attrs.frozen
class DataLoader:
    """A reader for files with a given suffix."""

    suffix: str
    loader: Callable[..., Any] = attrs.field(eq=False)
    plugin: str
    description: str = ""


@attrs.define
class Registry:
    """Everything registered by the loaded plugins."""

    methods: dict[str, dict[str, Method]] = attrs.field(
        factory=lambda: {family: {} for family in FAMILIES}
    )
    packs: dict[str, tuple[str, Any]] = attrs.field(factory=dict)  # name → (plugin, MetricPack)
    loaders: dict[str, DataLoader] = attrs.field(factory=dict)
    template_folders: list[TemplateFolder] = attrs.field(factory=list)

    @classmethod
    def from_plugin_manager(
        cls, pm: pluggy.PluginManager, providers: Mapping[str, str] | None = None
    ) -> Registry:
        """Call every register hook of every plugin, in registration order.

        ``providers`` maps a plugin's registered name to the name its contributions are
        credited to (the default plugins ``builtin.…`` are all credited to ``builtin``).
        """
        reg = cls()
        hooks = PluginHooks(pm)

        def credit(name: str) -> str:
            return (providers or {}).get(name, name)

        def methods_of(family: str) -> Callable[[str], MethodRegistrar]:
            return lambda name: MethodRegistrar(reg, family, credit(name))

        for family in FAMILIES:
            hooks.register_methods(family, methods_of(family))
        hooks.register_packs(lambda name: PackRegistrar(reg, credit(name)))
        hooks.register_data_loaders(lambda name: LoaderRegistrar(reg, credit(name)))
        hooks.register_template_folders(lambda name: TemplateFolderRegistrar(reg, credit(name)))
        logger.debug(
            "registry built: %s methods, %d packs, %d loaders, %d template folders",
            {f: len(m) for f, m in reg.methods.items()},
            len(reg.packs),
            len(reg.loaders),
            len(reg.template_folders),
        )
        return reg

    # -- lookups ---------------------------------------------------------------------------
    def method(self, family: str, name: str) -> Method:
        """The method ``name`` of a family, or a :class:`PluginError` listing the known ones."""
        if family not in self.methods:
            raise PluginError(f"unknown method family {family!r} (known: {', '.join(FAMILIES)})")
        try:
            return self.methods[family][name]
        except KeyError:
            known = ", ".join(sorted(self.methods[family])) or "none"
            raise PluginError(
                Problem(
                    f"unknown {family} method {name!r}", hint=f"known {family} methods: {known}"
                )
            ) from None

    def pack(self, name: str) -> Any:
        """The pack ``name``, or a :class:`PluginError` listing the installed ones."""
        try:
            return self.packs[name][1]
        except KeyError:
            known = ", ".join(sorted(self.packs)) or "none installed"
            raise PluginError(
                Problem(f"unknown metric pack {name!r}", hint=f"installed packs: {known}")
            ) from None


# -- the register callbacks, one per plugin and hook (they satisfy the hookspecs' Protocols) ----
@attrs.frozen
class MethodRegistrar:
    """``register(name, func, description="")`` of one plugin's method hook of one family."""

    registry: Registry
    family: str
    plugin: str

    def __call__(self, name: str, func: Callable[..., Any], description: str = "") -> None:
        """Register ``func`` as the method ``name`` of this family."""
        if not callable(func):
            raise PluginError(
                f"plugin {self.plugin!r} registered {self.family} method {name!r} "
                "with something that is not callable"
            )
        methods = self.registry.methods[self.family]
        existing = methods.get(name)
        if existing is not None:
            raise PluginError(
                Problem(
                    f"{self.family} method {name!r} is registered by two plugins: "
                    f"{existing.plugin!r} and {self.plugin!r}",
                    hint="uninstall one of them or rename the method",
                )
            )
        methods[name] = Method(self.family, name, func, self.plugin, description)


@attrs.frozen
class PackRegistrar:
    """``register(pack)`` of one plugin's ``register_packs``."""

    registry: Registry
    plugin: str

    def __call__(self, pack: Any) -> None:  # a MetricPack (packs layer, above)
        """Register a metric pack."""
        packs = self.registry.packs
        if pack.name in packs:
            raise PluginError(
                Problem(
                    f"metric pack {pack.name!r} is registered by two plugins: "
                    f"{packs[pack.name][0]!r} and {self.plugin!r}",
                    hint="uninstall one of them or rename the pack",
                )
            )
        packs[pack.name] = (self.plugin, pack)


@attrs.frozen
class LoaderRegistrar:
    """``register(suffix, loader, description="")`` of one plugin's ``register_data_loaders``."""

    registry: Registry
    plugin: str

    def __call__(self, suffix: str, loader: Callable[..., Any], description: str = "") -> None:
        """Register ``loader(path, sheet)`` for files ending in ``suffix``."""
        key = suffix.lower() if suffix.startswith(".") else "." + suffix.lower()
        loaders = self.registry.loaders
        if key in loaders:
            raise PluginError(
                Problem(
                    f"data loader for {key!r} is registered by two plugins: "
                    f"{loaders[key].plugin!r} and {self.plugin!r}",
                    hint="uninstall one of them; to replace a built-in reader, unregister "
                    "the plugin 'builtin.readers' first",
                )
            )
        loaders[key] = DataLoader(key, loader, self.plugin, description)


@attrs.frozen
class TemplateFolderRegistrar:
    """``register(path, prefix=None)`` of one plugin's ``register_template_folders``."""

    registry: Registry
    plugin: str

    def __call__(self, path: str | Path, prefix: str | None = None) -> None:
        """Register a folder of templates (also reachable as ``prefix:name``)."""
        self.registry.template_folders.append(TemplateFolder(Path(path), self.plugin, prefix))
