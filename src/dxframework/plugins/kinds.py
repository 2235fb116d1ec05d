"""The one table of stage kinds: names, data sets, default methods, hooks and contracts.

Everything that knows about stage kinds reads this table: the pipeline specification
(:data:`dxframework.pipeline.spec.KINDS` and ``DEFAULT_METHODS`` are views of it), the
registry (one method family per kind), the hook specifications (one ``register_…_methods``
hook per kind, generated from the rows here) and the stage runners
(:mod:`dxframework.pipeline.stages` checks at import that it has a runner for exactly these
kinds). Adding a kind is one row here and one module in ``pipeline/stages/``.

The table holds names and words only, no functions, so that the plugins layer can read it
without importing the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

__all__ = ["KINDS", "Kind", "kind_of_hook"]


@attrs.frozen
class Kind:
    """One stage kind.

    Attributes
    ----------
    name
        The kind, as written in a pipeline (``kind = "normalise"``); also the method family.
    dataset
        Default name of the data set a stage of this kind writes.
    default
        Method used when a stage names none (a method the built-in plugins register).
    hook
        Name of the hook through which plugins contribute methods of this kind.
    description
        What a stage of this kind does, in one line.
    call
        How the stage calls a method of this kind.
    returns
        What the method returns (the stage checks it).
    """

    name: str
    dataset: str
    default: str
    hook: str
    description: str
    call: str = "func(x, ctx, **params)"
    returns: str = ""


_ROWS = (
    Kind(
        "denominate",
        "denominated",
        "ratio",
        "register_denomination_methods",
        "divide each indicator that names a denominator by that column of the raw data",
        call="func(x, d, ctx, **params)",
        returns="values of the shape of ``x`` (one indicator ``(..., units, 1)`` at a time); "
        "``d`` is its denominator column, checked non-zero by the stage",
    ),
    Kind(
        "impute",
        "imputed",
        "mean",
        "register_imputation_methods",
        "fill missing values",
        returns="an array of the shape of ``x`` in which only NaN cells may change",
    ),
    Kind(
        "screen",
        "screened",
        "by_missing",
        "register_screening_methods",
        "drop units (forced inclusions and exclusions win)",
        returns="a boolean array ``(units,)``: ``True`` keeps the unit",
    ),
    Kind(
        "treat",
        "treated",
        "default",
        "register_treatment_methods",
        "treat outliers per indicator",
        returns="a :class:`dxframework.methods.treat.TreatmentResult`",
    ),
    Kind(
        "normalise",
        "normalised",
        "minmax",
        "register_normalisation_methods",
        "apply the direction, then bring indicators to a common scale",
        returns="normalised values of the shape of ``x``; ``x`` is direction-adjusted "
        "(mark point rules with :func:`dxframework.pipeline.context.point_rule`)",
    ),
    Kind(
        "weight",
        "weighted",
        "nominal",
        "register_weighting_methods",
        "set the weights later aggregation stages use",
        returns="a mapping ``{(child, parent): weight}`` for the framework's edges, or a pair "
        "``(mapping, record)`` whose record goes into the stage's record",
    ),
    Kind(
        "aggregate",
        "aggregated",
        "arithmetic",
        "register_aggregation_methods",
        "aggregate level by level up to the index",
        call="func(x, w, ctx, **params)",
        returns="parent scores ``(..., units, parents)`` from children values ``(..., units, "
        "children)`` and a weight matrix ``w`` ``(children, parents)``",
    ),
)

#: Stage kinds in the usual order of a pipeline, by name.
KINDS: Mapping[str, Kind] = MappingProxyType({k.name: k for k in _ROWS})


def kind_of_hook(hook: str) -> Kind | None:
    """The kind whose methods the hook ``hook`` contributes, if any."""
    return next((k for k in KINDS.values() if k.hook == hook), None)
