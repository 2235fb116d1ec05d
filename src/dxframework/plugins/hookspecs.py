"""Hook specifications: what a dxframework plugin can contribute.

Every hook is a *register* hook (as in llm): the plugin calls the ``register`` callback it is
given, and the core owns validation, duplicate detection and ordering. The built-in methods
are contributed by the ``builtin`` plugin through these same hooks.

A plugin is a module (or object) with functions decorated by :data:`dxframework.hookimpl`,
exposed through an entry point in the group ``dxframework``::

    [project.entry-points.dxframework]
    mypack = "dxf_mypack"
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("dxframework")
hookimpl = pluggy.HookimplMarker("dxframework")

__all__ = ["HOOK_NAMES", "hookimpl", "hookspec"]


@hookspec
def register_packs(register: Any) -> None:
    """Contribute metric packs.

    :param register: call ``register(pack)`` with a :class:`dxframework.MetricPack` for each
        pack the plugin provides.
    """


@hookspec
def register_imputation_methods(register: Any) -> None:
    """Contribute imputation methods (fill missing values).

    :param register: call ``register(name, func, description="")``; ``func(x, ctx, **params)``
        takes values ``(..., units, indicators)`` and a :class:`dxframework.MethodContext` and
        returns an array of the same shape in which only NaN cells may change.
    """


@hookspec
def register_screening_methods(register: Any) -> None:
    """Contribute unit-screening methods.

    :param register: call ``register(name, func, description="")``; ``func(x, ctx, **params)``
        returns a boolean array ``(units,)``: ``True`` keeps the unit.
    """


@hookspec
def register_treatment_methods(register: Any) -> None:
    """Contribute outlier-treatment methods.

    :param register: call ``register(name, func, description="")``; ``func(x, ctx, **params)``
        returns a :class:`dxframework.methods.treat.TreatmentResult`.
    """


@hookspec
def register_normalisation_methods(register: Any) -> None:
    """Contribute normalisation methods.

    :param register: call ``register(name, func, description="")``; ``func(x, ctx, **params)``
        receives direction-adjusted values and returns normalised values of the same shape.
    """


@hookspec
def register_weighting_methods(register: Any) -> None:
    """Contribute weighting methods.

    :param register: call ``register(name, func, description="")``; ``func(x, ctx, **params)``
        returns a mapping ``{(child, parent): weight}`` for the framework's edges.
    """


@hookspec
def register_aggregation_methods(register: Any) -> None:
    """Contribute aggregation methods.

    :param register: call ``register(name, func, description="")``; ``func(x, w, ctx,
        **params)`` takes children values ``(..., units, children)`` and a weight matrix
        ``(children, parents)`` and returns parent scores ``(..., units, parents)``.
    """


@hookspec
def register_data_loaders(register: Any) -> None:
    """Contribute readers for more data-file formats.

    :param register: call ``register(suffix, loader, description="")``; ``loader(path, sheet)``
        returns a :class:`dxframework.io.RawTable` for files ending in ``suffix``.
    """


@hookspec
def register_template_folders(register: Any) -> None:
    """Contribute folders of Jinja templates for documents.

    :param register: call ``register(path, prefix=None)``; ``prefix`` lets templates refer to
        this folder explicitly (``{% extends "mypack:section.md.j2" %}``).
    """


HOOK_NAMES: tuple[str, ...] = (
    "register_packs",
    "register_imputation_methods",
    "register_screening_methods",
    "register_treatment_methods",
    "register_normalisation_methods",
    "register_weighting_methods",
    "register_aggregation_methods",
    "register_data_loaders",
    "register_template_folders",
)
