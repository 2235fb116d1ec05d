"""The ``aggregate`` stage: level by level up to the index; the built-in aggregations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dxframework.errors import MethodError, Problem
from dxframework.methods import aggregate as agg
from dxframework.methods.benefit_of_doubt import BoDInfeasible, benefit_of_doubt_scores
from dxframework.methods.copeland import copeland
from dxframework.methods.mazziotta_pareto import mazziotta_pareto, mpi_standardise
from dxframework.methods.points import points_share
from dxframework.model.dataset import Dataset
from dxframework.model.indicator import Aggregate
from dxframework.pipeline.context import MethodContext, column_groups, merged_settings
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, call_method
from dxframework.pipeline.stages.normalise import check_range
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["WeightMatrix", "aggregate_levels", "register_aggregation_methods", "run"]

logger = logging.getLogger(__name__)


# -- methods ------------------------------------------------------------------------------------
def _check_positive(x: F, w: F, ctx: MethodContext, method: str, strict_zero_only: bool) -> None:
    linked = np.any(w > 0, axis=-1)  # children with a weight (any replication's)
    linked = linked.reshape(-1, linked.shape[-1]).any(axis=0)
    bad = ((x == 0) if strict_zero_only else (x <= 0)) & linked
    need, have = ("≠ 0", "0") if strict_zero_only else ("> 0", "values ≤ 0")
    ctx.check(
        bad,
        f"{method} mean needs values {need}; units {{units}} have {have}",
        "normalise to a positive range first, e.g. minmax with lo = 1, hi = 100",
        cells=True,
    )


def _arithmetic(x: F, w: F, ctx: MethodContext) -> F:
    return agg.arithmetic(x, w)


def _geometric(x: F, w: F, ctx: MethodContext) -> F:
    _check_positive(x, w, ctx, "geometric", strict_zero_only=False)
    return agg.geometric(x, w)


def _harmonic(x: F, w: F, ctx: MethodContext) -> F:
    _check_positive(x, w, ctx, "harmonic", strict_zero_only=True)
    return agg.harmonic(x, w)


def _generalised(x: F, w: F, ctx: MethodContext, p: float) -> F:
    if p == 0:
        raise ctx.error("the generalised mean needs p ≠ 0 (use geometric for p = 0)")
    if p < 0 or not float(p).is_integer():
        _check_positive(x, w, ctx, "generalised", strict_zero_only=False)
    return agg.generalised(x, w, p)


def _copeland(x: F, w: F, ctx: MethodContext) -> F:
    return copeland(x, w)


def _benefit_of_doubt(x: F, w: F, ctx: MethodContext, bounds: list[float] | None = None) -> F:
    if np.any(x < 0):
        _check_positive(
            np.where(x < 0, x, 1.0), w, ctx, "benefit-of-the-doubt", strict_zero_only=False
        )
    try:
        return benefit_of_doubt_scores(x, w, None if bounds is None else (bounds[0], bounds[1]))
    except BoDInfeasible as exc:
        unit = ctx.units[exc.unit] if exc.unit >= 0 else None
        raise ctx.error(
            f"benefit of the doubt: {exc}", unit=unit, hint="loosen the weight bounds"
        ) from None


def _mazziotta_pareto(x: F, w: F, ctx: MethodContext, standardise: bool = True) -> F:
    if standardise:
        check_range(x, ctx, "mazziotta_pareto")
    return mazziotta_pareto(mpi_standardise(x) if standardise else x, w)


def _points_share(x: F, w: F, ctx: MethodContext) -> F:
    return points_share(x, w)


@hookimpl
def register_aggregation_methods(register: MethodRegistrar) -> None:
    """The built-in aggregation methods."""
    register(
        "points_share",
        _points_share,
        "points earned / points available: Σ x / Σ w, weights = maximum points; a child "
        "left missing (missing = 'skip') is out of the points available",
    )
    register("arithmetic", _arithmetic, "Σ w·x over available children, weights rescaled")
    register("geometric", _geometric, "exp(Σ w·log x); needs x > 0")
    register("harmonic", _harmonic, "1 / Σ (w/x); needs x ≠ 0")
    register("generalised", _generalised, "(Σ w·x^p)^(1/p), p ≠ 0")
    register("copeland", _copeland, "pairwise majority outranking: Σ of ±1 outcomes")
    register(
        "benefit_of_doubt",
        _benefit_of_doubt,
        "DEA: each unit's own best weights, every unit's score ≤ 1; optional share bounds",
    )
    register(
        "mazziotta_pareto",
        _mazziotta_pareto,
        "M − S·cv on children standardised to mean 100, sd 10",
    )


# -- runner -------------------------------------------------------------------------------------
#: Built-in aggregations that only read their values (they may get a read-only view).
_READ_ONLY = frozenset({_arithmetic, _geometric, _harmonic, _generalised})


def _rows_view(arrays: Sequence[F]) -> F:
    """``np.stack(arrays)``, read-only; a view, without a copy, when the arrays already lie at
    a constant step in one array (the children of an aggregate stored children-first, as the
    batched uncertainty analysis stores them)."""
    first = arrays[0]
    base = first.base
    if base is not None and len(arrays) > 1:
        addr = [a.__array_interface__["data"][0] for a in arrays]
        step = addr[1] - addr[0]
        same = all(
            a.base is base and a.shape == first.shape and a.strides == first.strides for a in arrays
        )
        if step > 0 and same and all(addr[k] == addr[0] + k * step for k in range(len(arrays))):
            return np.lib.stride_tricks.as_strided(
                first, (len(arrays), *first.shape), (step, *first.strides), writeable=False
            )
    out = np.stack(arrays, axis=0)
    out.setflags(write=False)
    return out


#: ``weight_matrix(children, parents)``: a ``(children, parents)`` matrix, or
#: ``(replications, children, parents)`` for the batched uncertainty analysis.
WeightMatrix = Callable[[Sequence[str], Sequence[str]], F]


def aggregate_levels(
    state: RunState,
    stage: Stage,
    data: Dataset,
    cols: dict[str, F],
    weight_matrix: WeightMatrix,
    record: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Aggregate level by level into ``cols`` (code → ``(..., units)`` values).

    The plain run passes ``(periods, units)`` columns and the framework's weight matrix; the
    batched uncertainty analysis passes one period's columns and a ``(replications, children,
    parents)`` weight array, so that both go through the same arithmetic. ``record`` (plain
    weights only) receives each aggregate's method, parameters and child weights.
    """
    fw = state.framework
    params = dict(stage.params)
    min_avail = params.pop("min_availability", None)
    level_settings = params.pop("levels", {}) or {}
    missing_children = [c for c in fw.indicator_codes if c not in cols]
    if missing_children:
        raise MethodError(
            [
                Problem(
                    f"stage {stage.name!r}: indicator {c!r} is not in the data "
                    "set being aggregated",
                    indicator=c,
                )
                for c in missing_children
            ]
        )
    for level in range(2, fw.max_level + 1):
        codes = list(fw.codes_at_level(level))
        if not codes:
            continue
        level_params = dict(params)
        level_method = stage.method
        lvl = level_settings.get(str(level), level_settings.get(fw.level_name(level)))
        if lvl is not None:
            level_method, level_params = merged_settings(
                "aggregate", level_params, level_method, None, lvl
            )
        settings = []
        for c in codes:
            node = fw.nodes[c]
            if not isinstance(node, Aggregate):  # pragma: no cover - levels ≥ 2 are aggregates
                raise TypeError(f"node {c!r} at level {level} is not an aggregate")
            settings.append(
                merged_settings(
                    "aggregate", level_params, level_method, node.methods, stage.overrides.get(c)
                )
            )
        for method, mparams, idx in column_groups(settings):
            parents = [codes[k] for k in idx]
            mparams = dict(mparams)
            inputs = mparams.pop("inputs", None)
            threshold = mparams.pop("min_availability", min_avail)
            if inputs is None:
                position = {c: n for n, c in enumerate(cols)}
                children = sorted(
                    {e.child for p in parents for e in fw.children(p)}, key=position.__getitem__
                )
                w = weight_matrix(children, parents)
            else:  # aggregate other nodes than the children: a level, a list or {code: w}
                given = dict(inputs) if isinstance(inputs, Mapping) else None
                children = list(
                    fw.codes_at_level(inputs) if isinstance(inputs, int) else (given or inputs)
                )
                absent = [c for c in children if c not in cols]
                if absent or not children:
                    raise MethodError(
                        Problem(
                            f"stage {stage.name!r}: inputs of {', '.join(parents)} are not "
                            f"computed before them: {', '.join(absent) or 'none given'}",
                            hint="inputs must be indicators or aggregates of lower levels",
                        )
                    )
                w = np.ones((len(children), len(parents)))
                if given is not None:
                    w *= np.array([float(given[c]) for c in children])[:, np.newaxis]
            func = state.registry.method("aggregate", method)
            # (..., units, children), laid out children first: the built-in means sum
            # child by child over contiguous memory
            arrays = [cols[c] for c in children]
            x = np.moveaxis(
                _rows_view(arrays) if func.func in _READ_ONLY else np.stack(arrays, axis=0), 0, -1
            )
            ctx = MethodContext(fw, data, state.raw, tuple(children), stage.name)
            y = np.asarray(
                call_method(func, x, w, ctx, stage=stage, params=mparams), dtype=np.float64
            )
            if threshold is not None:
                share = agg.availability_share(x, w)
                y = np.where(share < float(threshold), np.nan, y)
            for k, p in enumerate(parents):
                cols[p] = y[..., k]
                if record is not None and w.ndim == 2:
                    record[p] = {
                        "method": method,
                        "params": mparams,
                        "level": level,
                        "children": {
                            c: float(w[children.index(c), k])
                            for c in children
                            if w[children.index(c), k] != 0
                        },
                    }


def run(state: RunState, stage: Stage) -> StageOutput:
    """Aggregate level by level; each aggregate may use its own method (per group)."""
    fw = state.framework
    data = state.current
    cols: dict[str, F] = {c: data.values[:, :, j] for j, c in enumerate(data.columns)}
    record: dict[str, dict[str, Any]] = {}

    def weights(children: Sequence[str], parents: Sequence[str]) -> F:
        return fw.weight_matrix(children, parents, state.weights or None)

    aggregate_levels(state, stage, data, cols, weights, record)
    columns = list(data.columns) + [c for c in fw.aggregate_codes if c not in data.columns]
    values = np.stack([cols[c] for c in columns], axis=-1)
    logger.info("stage %r: %d aggregates scored", stage.name, len(record))
    return data.derive(columns, values), {"aggregates": record}
