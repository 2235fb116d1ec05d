"""The ``weight`` stage: set the weights later aggregations use; the built-in weightings."""

from __future__ import annotations

import logging
from typing import Any

from dxframework.errors import MethodError, Problem
from dxframework.methods.weights import ahp, optimise_weights, pca_weights
from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, call_method
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["register_weighting_methods", "run"]

logger = logging.getLogger(__name__)

Weights = dict[tuple[str, str], float]


# -- methods ------------------------------------------------------------------------------------
def _nominal(x: F, ctx: MethodContext) -> Weights:
    return {(e.child, e.parent): e.weight for e in ctx.framework.edges}


def _equal(x: F, ctx: MethodContext) -> Weights:
    return {(e.child, e.parent): 1.0 for e in ctx.framework.edges}


def _parents_with_indicator_children(ctx: MethodContext) -> list[str]:
    fw = ctx.framework
    cols = set(ctx.codes)
    return [p for p in fw.aggregate_codes if all(e.child in cols for e in fw.children(p))]


def _children_values(x: F, ctx: MethodContext, parent: str) -> tuple[list[str], F]:
    kids = [e.child for e in ctx.framework.children(parent)]
    idx = [ctx.codes.index(c) for c in kids]
    values = x[..., idx]
    return kids, values.reshape(-1, len(kids))  # periods pooled


def _ahp(x: F, ctx: MethodContext, matrices: dict[str, Any]) -> tuple[Weights, dict[str, Any]]:
    out: Weights = {}
    info: dict[str, Any] = {"consistency": {}, "warnings": []}
    for parent, spec in matrices.items():
        if parent not in ctx.framework.nodes:
            raise ctx.error(f"AHP matrix for unknown aggregate {parent!r}", indicator=parent)
        kids = list(spec.get("children") or [e.child for e in ctx.framework.children(parent)])
        expected = {e.child for e in ctx.framework.children(parent)}
        if set(kids) != expected:
            raise ctx.error(
                f"AHP children of {parent!r} must be exactly {sorted(expected)}", indicator=parent
            )
        try:
            res = ahp(spec["matrix"])
        except (ValueError, KeyError) as exc:
            raise ctx.error(
                f"AHP matrix of {parent!r}: {exc}",
                indicator=parent,
                hint="give a positive reciprocal matrix, one row per child",
            ) from None
        if len(res.weights) != len(kids):
            raise ctx.error(
                f"AHP matrix of {parent!r} is {len(res.weights)}×{len(res.weights)} "
                f"but it has {len(kids)} children",
                indicator=parent,
            )
        out.update({(c, parent): float(w) for c, w in zip(kids, res.weights, strict=True)})
        info["consistency"][parent] = {
            "lambda_max": res.lambda_max,
            "consistency_ratio": res.consistency_ratio,
        }
        if not res.consistent:
            info["warnings"].append(
                f"AHP matrix of {parent!r}: consistency ratio {res.consistency_ratio:.3f} > 0.1"
            )
    return out, info


def _pca(x: F, ctx: MethodContext) -> tuple[Weights, dict[str, Any]]:
    out: Weights = {}
    explained: dict[str, float] = {}
    for parent in _parents_with_indicator_children(ctx):
        kids, values = _children_values(x, ctx, parent)
        if len(kids) < 2:
            continue
        try:
            w, share = pca_weights(values)
        except ValueError as exc:
            raise ctx.error(f"PCA weights of {parent!r}: {exc}", indicator=parent) from None
        out.update({(c, parent): float(v) for c, v in zip(kids, w, strict=True)})
        explained[parent] = share
    return out, {
        "variance_explained": explained,
        "note": "absolute loadings of the first component; sign is arbitrary",
    }


def _optimised(
    x: F, ctx: MethodContext, targets: dict[str, list[float]] | None = None
) -> tuple[Weights, dict[str, Any]]:
    out: Weights = {}
    corr: dict[str, dict[str, float]] = {}
    for parent in _parents_with_indicator_children(ctx):
        kids, values = _children_values(x, ctx, parent)
        if len(kids) < 2:
            continue
        target = (targets or {}).get(parent)
        w, c = optimise_weights(values, target)
        out.update({(k, parent): float(v) for k, v in zip(kids, w, strict=True)})
        corr[parent] = {k: float(v) for k, v in zip(kids, c, strict=True)}
    return out, {"correlations": corr}


def _set(x: F, ctx: MethodContext, name: str) -> Weights:
    return ctx.framework.weight_set(name)


def _custom(x: F, ctx: MethodContext, weights: dict[str, dict[str, float]]) -> Weights:
    return {
        (child, parent): float(w) for parent, kids in weights.items() for child, w in kids.items()
    }


@hookimpl
def register_weighting_methods(register: MethodRegistrar) -> None:
    """The built-in weighting methods."""
    register("nominal", _nominal, "the framework's weights")
    register("equal", _equal, "equal weights within every group")
    register("custom", _custom, "weights given in the pipeline: {parent = {child = w}}")
    register("set", _set, "a named weight set stored in the framework ([weight_sets.NAME.PARENT])")
    register(
        "ahp", _ahp, "AHP: principal eigenvector of a pairwise matrix per aggregate; CR > 0.1 warns"
    )
    register("pca", _pca, "absolute first-component loadings of each group of indicators, rescaled")
    register(
        "optimised",
        _optimised,
        "weights matching each component's correlation with the aggregate to a target",
    )


# -- runner -------------------------------------------------------------------------------------
def run(state: RunState, stage: Stage) -> StageOutput:
    """Set the weights used by later aggregation stages."""
    data = state.current
    func = state.registry.method("weight", stage.method)
    ctx = MethodContext(state.framework, data, state.raw, data.columns, stage.name)
    returned = call_method(func, data.values, ctx, stage=stage, params=dict(stage.params))
    info: dict[str, Any] = {}
    if isinstance(returned, tuple):
        returned, info = returned
    weights = dict(returned)
    edges = {(e.child, e.parent) for e in state.framework.edges}
    bad = [k for k in weights if k not in edges]
    if bad:
        raise MethodError(
            [
                Problem(f"stage {stage.name!r}: weight for unknown edge {c} → {p}", indicator=c)
                for c, p in bad
            ]
        )
    state.weights.update(weights)
    logger.info("stage %r: %d weights set by %r", stage.name, len(weights), stage.method)
    return data, {
        **info,
        "weights": [{"child": c, "parent": p, "weight": w} for (c, p), w in state.weights.items()],
    }
