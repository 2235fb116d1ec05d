"""What the plugins registered: methods by family, packs, data loaders, template folders.

The registry calls each plugin's hook implementation with a ``register`` callback bound to
that plugin's name, so every entry knows where it came from and a name registered twice is
an error naming both plugins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from dxframework.errors import PluginError, Problem

if TYPE_CHECKING:
    from dxframework.packs.pack import MetricPack

__all__ = ["FAMILIES", "Method", "Registry", "TemplateFolder"]

#: Method families and the hook that contributes each.
FAMILIES: Mapping[str, str] = {
    "impute": "register_imputation_methods",
    "screen": "register_screening_methods",
    "treat": "register_treatment_methods",
    "normalise": "register_normalisation_methods",
    "weight": "register_weighting_methods",
    "aggregate": "register_aggregation_methods",
}


@attrs.frozen
class Method:
    """A registered method: its family, name, function and the plugin that provides it."""

    family: str
    name: str
    func: Callable[..., Any] = attrs.field(eq=False)
    plugin: str
    description: str = ""


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
    packs: dict[str, tuple[str, MetricPack]] = attrs.field(factory=dict)
    loaders: dict[str, DataLoader] = attrs.field(factory=dict)
    template_folders: list[TemplateFolder] = attrs.field(factory=list)

    @classmethod
    def from_plugin_manager(cls, pm: pluggy.PluginManager) -> Registry:
        """Call every register hook of every plugin, in registration order."""
        reg = cls()
        order = {name: i for i, (name, _) in enumerate(pm.list_name_plugin())}
        for family, hook in FAMILIES.items():
            for impl in _impls(pm, hook, order):
                impl.function(register=reg._method_registrar(family, impl.plugin_name))
        for impl in _impls(pm, "register_packs", order):
            impl.function(register=reg._pack_registrar(impl.plugin_name))
        for impl in _impls(pm, "register_data_loaders", order):
            impl.function(register=reg._loader_registrar(impl.plugin_name))
        for impl in _impls(pm, "register_template_folders", order):
            impl.function(register=reg._folder_registrar(impl.plugin_name))
        return reg

    # -- register callbacks ----------------------------------------------------------------
    def _method_registrar(self, family: str, plugin: str) -> Callable[..., None]:
        def register(name: str, func: Callable[..., Any], description: str = "") -> None:
            if not callable(func):
                raise PluginError(
                    f"plugin {plugin!r} registered {family} method {name!r} "
                    "with something that is not callable"
                )
            existing = self.methods[family].get(name)
            if existing is not None:
                raise PluginError(
                    Problem(
                        f"{family} method {name!r} is registered by two plugins: "
                        f"{existing.plugin!r} and {plugin!r}",
                        hint="uninstall one of them or rename the method",
                    )
                )
            self.methods[family][name] = Method(family, name, func, plugin, description)

        return register

    def _pack_registrar(self, plugin: str) -> Callable[..., None]:
        def register(pack: MetricPack) -> None:
            if pack.name in self.packs:
                other = self.packs[pack.name][0]
                raise PluginError(
                    Problem(
                        f"metric pack {pack.name!r} is registered by two plugins: {other!r} and "
                        f"{plugin!r}",
                        hint="uninstall one of them or rename the pack",
                    )
                )
            self.packs[pack.name] = (plugin, pack)

        return register

    def _loader_registrar(self, plugin: str) -> Callable[..., None]:
        def register(suffix: str, loader: Callable[..., Any], description: str = "") -> None:
            key = suffix.lower() if suffix.startswith(".") else "." + suffix.lower()
            if key in self.loaders:
                raise PluginError(
                    Problem(
                        f"data loader for {key!r} is registered by two plugins: "
                        f"{self.loaders[key].plugin!r} and {plugin!r}"
                    )
                )
            self.loaders[key] = DataLoader(key, loader, plugin, description)

        return register

    def _folder_registrar(self, plugin: str) -> Callable[..., None]:
        def register(path: str | Path, prefix: str | None = None) -> None:
            self.template_folders.append(TemplateFolder(Path(path), plugin, prefix))

        return register

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

    def pack(self, name: str) -> MetricPack:
        """The pack ``name``, or a :class:`PluginError` listing the installed ones."""
        try:
            return self.packs[name][1]
        except KeyError:
            known = ", ".join(sorted(self.packs)) or "none installed"
            raise PluginError(
                Problem(f"unknown metric pack {name!r}", hint=f"installed packs: {known}")
            ) from None


def _impls(pm: pluggy.PluginManager, hook: str, order: Mapping[str, int]) -> list[Any]:
    impls = getattr(pm.hook, hook).get_hookimpls()
    return sorted(impls, key=lambda i: order.get(i.plugin_name, len(order)))
