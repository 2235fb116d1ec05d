"""The ``normalise`` stage: direction, then a common scale; the built-in normalisations.

Point rules (methods marked :func:`~dxframework.pipeline.context.point_rule`: ``ratio``,
``steps``, ``categories``) give points in the indicator's original units and return NaN for a
blank; the stage then applies each column's missing-value policy.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dxframework.errors import MethodError, Problem
from dxframework.methods import normalise as norm
from dxframework.methods import points as pts
from dxframework.methods._nan import nanmax, nanmin
from dxframework.model.dataset import Dataset
from dxframework.model.indicator import MISSING_POLICIES, Indicator
from dxframework.pipeline.context import (
    BlankScoredWarning,
    MethodContext,
    is_point_rule,
    point_rule,
)
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import (
    F,
    RunState,
    StageOutput,
    by_column,
    call_method,
    column_settings,
)
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["check_range", "register_normalisation_methods", "run"]

logger = logging.getLogger(__name__)


# -- methods ------------------------------------------------------------------------------------
def check_range(x: F, ctx: MethodContext, method: str) -> None:
    """An error naming each column of ``x`` without spread (max = min)."""
    ctx.check(
        ~(nanmax(x) > nanmin(x)),
        f"{method}: indicator has no spread (max = min)",
        "drop the indicator or set constant = <value> for this indicator",
    )


def _minmax(
    x: F, ctx: MethodContext, lo: float = 0.0, hi: float = 100.0, constant: float | None = None
) -> F:
    if constant is None:
        check_range(x, ctx, "minmax")
        return norm.minmax(x, lo, hi)
    return norm.minmax_or_constant(x, lo, hi, constant)


def _zscore(x: F, ctx: MethodContext, mean: float = 0.0, sd: float = 1.0) -> F:
    check_range(x, ctx, "zscore")
    return norm.zscore(x, mean, sd)


def _rank(x: F, ctx: MethodContext) -> F:
    return norm.rank_min(x)


def _borda(x: F, ctx: MethodContext) -> F:
    return norm.borda(x)


def _percentile_rank(x: F, ctx: MethodContext) -> F:
    return norm.percentile_rank(x)


def _fraction_of_max(x: F, ctx: MethodContext) -> F:
    ctx.check(
        ~(nanmax(x) > 0),
        "fraction_of_max needs a positive maximum (after direction: a negative-direction "
        "indicator has none)",
        "use minmax or distance_to_max for this indicator",
    )
    return norm.fraction_of_max(x)


def _distance_to_max(x: F, ctx: MethodContext) -> F:
    check_range(x, ctx, "distance_to_max")
    return norm.distance_to_max(x)


def _distance_to_reference(x: F, ctx: MethodContext, unit: str, cap: bool = False) -> F:
    if unit not in ctx.units:
        raise ctx.error(f"reference unit {unit!r} is not in the data", unit=unit)
    i = ctx.units.index(unit)
    ref = x[..., i, :]
    bad = np.zeros(x.shape, dtype=bool)
    bad[..., i, :] = ref == nanmin(x)  # x_ref − min = 0: every score would divide by zero
    ctx.check(
        bad,
        "distance_to_reference: the reference unit {units} holds the minimum "
        "(x_ref − min = 0, a zero denominator)",
        "choose a reference unit above the minimum, or another method for this indicator",
        cells=True,
    )
    return norm.distance_to_reference(x, ref, cap)


def _targets(ctx: MethodContext, target: float | str | Sequence[float] | None) -> F:
    """Direction-adjusted targets: a number, a list, or a label of the indicators' targets."""
    dirs = ctx.directions()
    if target is None or isinstance(target, str):
        values = []
        for code in ctx.codes:
            ind = ctx.indicator(code)
            found = (
                None
                if ind is None
                else (
                    ind.targets.get(str(target))
                    if target is not None
                    else next(iter(ind.targets.values()), None)
                )
            )
            if found is None:
                raise ctx.error(
                    "distance_to_target: indicator has no target"
                    + (f" {target!r}" if target else ""),
                    indicator=code,
                    hint="give the indicator a target or the method a target",
                )
            values.append(found)
        return np.asarray(values) * dirs
    return np.broadcast_to(np.asarray(target, dtype=np.float64), dirs.shape) * dirs


def _distance_to_target(
    x: F, ctx: MethodContext, target: Any = None, cap: bool = True, scale: float = 1.0
) -> F:
    t = _targets(ctx, target)
    mn = nanmin(x, keepdims=True)
    tcol = np.asarray(t, dtype=np.float64)[..., np.newaxis, :]
    ctx.check(
        (x == mn) & (tcol == mn),
        "distance_to_target: the target equals the minimum, held by units {units} "
        "(target − min = 0, a zero denominator)",
        "set a target above the indicator's minimum, or another method for this indicator",
        cells=True,
    )
    return norm.distance_to_target(x, t, cap, scale)


def _goalposts(
    x: F,
    ctx: MethodContext,
    lo: Any = None,
    hi: Any = None,
    scale: float = 1.0,
    truncate: bool = True,
) -> F:
    dirs = ctx.directions()
    if lo is None or hi is None:
        los, his = [], []
        for code in ctx.codes:
            ind = ctx.indicator(code)
            if ind is None or ind.goalposts is None:
                raise ctx.error(
                    "goalposts: indicator has no goalposts",
                    indicator=code,
                    hint="set goalposts = [lo, hi] on the indicator or lo/hi on the method",
                )
            los.append(ind.goalposts[0])
            his.append(ind.goalposts[1])
        lo_a, hi_a = np.asarray(los), np.asarray(his)
    else:
        lo_a = np.broadcast_to(np.asarray(lo, np.float64), dirs.shape)
        hi_a = np.broadcast_to(np.asarray(hi, np.float64), dirs.shape)
    # values were multiplied by the direction: goalposts follow, and swap when negated
    a, b = lo_a * dirs, hi_a * dirs
    return norm.goalposts(x, np.minimum(a, b), np.maximum(a, b), scale, truncate)


def _original(x: F, ctx: MethodContext) -> F:
    """Point rules read values in original units: undo the direction sign."""
    return x * ctx.directions()


@point_rule
def _ratio(x: F, ctx: MethodContext, points: float = 1.0, per: float = 1.0, cap: bool = True) -> F:
    return pts.ratio_points(_original(x, ctx), points, per, cap)


@point_rule
def _steps(
    x: F, ctx: MethodContext, thresholds: list[float], points: list[float], below: float = 0.0
) -> F:
    try:
        return pts.step_points(_original(x, ctx), thresholds, points, below)
    except ValueError as exc:
        raise ctx.error(
            f"steps: {exc}", hint="e.g. thresholds = [1, 2, 3, 4], points = [5, 10, 15, 20]"
        ) from None


@point_rule
def _categories(x: F, ctx: MethodContext, mapping: dict[str, float]) -> F:
    v = _original(x, ctx)
    out = pts.category_points(v, mapping)
    ctx.check(
        ~np.isnan(v) & np.isnan(out),
        "categories: value not in the mapping for units {units}",
        f"known codes: {', '.join(mapping)}",
        cells=True,
    )
    return out


@hookimpl
def register_normalisation_methods(register: MethodRegistrar) -> None:
    """The built-in normalisation methods."""
    register(
        "ratio", _ratio, "point rule: min(x/per, 1) × points (x a ratio a/b, or a % with per = 100)"
    )
    register("steps", _steps, "point rule: thresholds → points (highest threshold reached)")
    register("categories", _categories, "point rule: coded answers → points (full/half/0)")
    register("minmax", _minmax, "(x − min)/(max − min)·(hi − lo) + lo")
    register("zscore", _zscore, "(x − mean)/sd·sd' + mean' (sample sd)")
    register("rank", _rank, "rank, ties share the minimum rank (1 = lowest)")
    register("borda", _borda, "rank − 1")
    register("percentile_rank", _percentile_rank, "(rank − 1)/(n − 1)")
    register("fraction_of_max", _fraction_of_max, "x / max")
    register("distance_to_max", _distance_to_max, "1 − (max − x)/(max − min)")
    register(
        "distance_to_reference",
        _distance_to_reference,
        "1 − (x_ref − x)/(x_ref − min), optional cap at 1",
    )
    register(
        "distance_to_target", _distance_to_target, "(x − min)/(target − min)·scale, optional cap"
    )
    register("goalposts", _goalposts, "(x − lo)/(hi − lo)·scale, truncated to [0, scale]")


# -- runner -------------------------------------------------------------------------------------
def _missing_policies(state: RunState, stage: Stage, codes: tuple[str, ...]) -> list[str]:
    """The missing-value policy of each column, applied if its method is a point rule.

    Most specific first: the stage's override for the indicator (``missing`` key), the
    indicator's ``methods.normalise``, its ``missing`` field, the stage's ``missing``
    parameter, ``"zero"``. The stage's own ``missing`` survives an indicator switching to
    another method: it is a setting of the stage, not a parameter of the method.
    """
    problems: list[Problem] = []

    def checked(value: Any, code: str | None) -> str | None:
        if value is None or value in MISSING_POLICIES:
            return None if value is None else str(value)
        problems.append(
            Problem(
                f"stage {stage.name!r}: missing = {value!r} is not a missing-value policy",
                indicator=code,
                column=code,
                hint=f"use one of: {', '.join(MISSING_POLICIES)}",
            )
        )
        return None

    default = checked(stage.params.get("missing"), None) or "zero"
    out: list[str] = []
    for c in codes:
        node = state.framework.nodes.get(c)
        layers: list[str | None] = []
        for layer in (
            stage.overrides.get(c),
            node.methods.get("normalise") if node is not None else None,
        ):
            layers.append(checked(layer.get("missing"), c) if isinstance(layer, Mapping) else None)
        layers.append(node.missing if isinstance(node, Indicator) else None)
        out.append(next((v for v in layers if v is not None), default))
    if problems:
        raise MethodError(problems)
    return out


def _blank_warnings(
    state: RunState,
    stage: Stage,
    data: Dataset,
    scored_zero: NDArray[np.bool_],
    policies: list[str],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The record entries (one per cell) and warning lines (one per unit and indicator)."""
    if not scored_zero.any():
        return [], []
    pi, ui, ci = np.nonzero(scored_zero)
    units = np.asarray(data.unit_codes, dtype=object)[ui].tolist()
    cols = np.asarray(data.columns, dtype=object)[ci].tolist()
    periods = np.asarray(data.periods)[pi].tolist()
    cells = [
        {"unit": u, "period": p, "indicator": c, "policy": policies[j]}
        for u, p, c, j in zip(units, periods, cols, ci.tolist(), strict=True)
    ]
    by_pair: dict[tuple[int, int], list[int]] = {}
    for p, i, j in zip(pi.tolist(), ui.tolist(), ci.tolist(), strict=True):
        by_pair.setdefault((i, j), []).append(data.periods[p])
    lines: list[str] = []
    for (i, j), when in sorted(by_pair.items()):
        unit = data.units[i]
        name = f" ({unit.name})" if unit.name and unit.name != unit.code else ""
        at = "" if data.periods == (0,) else " in " + ", ".join(map(str, when))
        policy = policies[j]
        if policy == "impute":
            why = (
                "still no value after imputation"
                if state.imputed
                else "no value and no impute stage before this one"
            )
        else:
            why = "no value"
        lines.append(
            f"unit {unit.code!r}{name}, indicator {data.columns[j]!r}: {why}{at}, "
            f"scored 0 points (missing = {policy!r}, stage {stage.name!r})"
        )
    return cells, lines


def run(state: RunState, stage: Stage) -> StageOutput:
    """Apply direction, then the normalisation method of each indicator.

    Point rules then apply each column's missing-value policy: ``"zero"`` and ``"impute"``
    give a value still missing 0 points (each such cell is listed in the record's
    ``scored_zero`` and warned about once per unit and indicator), ``"skip"`` leaves it
    missing, out of the points available.
    """
    data = state.current
    codes = data.columns
    methods: dict[str, dict[str, Any]] = {}
    policies = _missing_policies(state, stage, codes)
    # ``missing`` is the stage's setting, not a method parameter: never passed on
    settings = [
        (m, {k: v for k, v in p.items() if k != "missing"})
        for m, p in column_settings(state, stage, codes)
    ]
    position = {c: j for j, c in enumerate(codes)}
    scored_zero = np.zeros(data.values.shape, dtype=bool)
    point_codes: list[str] = []

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("normalise", method)
        params = dict(params)
        pooled = bool(params.pop("pooled", False))
        # the direction is applied by the first normalisation of the run only
        xin = x if state.directed else x * ctx.directions()
        if pooled:  # one scale across all periods, so years compare
            xin = xin.reshape((*x.shape[:-3], 1, x.shape[-3] * x.shape[-2], x.shape[-1]))
        y = np.asarray(call_method(func, xin, ctx, stage=stage, params=params), dtype=np.float64)
        if y.shape != x.shape:  # pooled
            y = y.reshape(x.shape)
        point = is_point_rule(func.func)
        idx = [position[c] for c in ctx.codes]
        if point:  # a blank earns no points unless the policy is "skip"
            point_codes.extend(ctx.codes)
            blank = np.isnan(x)
            zero = blank & (np.array([policies[j] for j in idx]) != "skip")
            y = np.where(zero, 0.0, np.where(blank, np.nan, y))
            scored_zero[..., idx] = zero
        for c, j in zip(ctx.codes, idx, strict=True):
            methods[c] = {"method": method, "params": params, "pooled": pooled}
            if point:
                methods[c]["missing"] = policies[j]
        return y

    out = by_column(state, stage, data, apply, settings)
    if "missing" in stage.params and not point_codes:
        raise MethodError(
            Problem(
                f"stage {stage.name!r}: missing = {stage.params['missing']!r} applies to "
                f"point rules, and no indicator of this stage uses one (method "
                f"{stage.method!r})",
                hint="remove missing from the stage, or score the indicators by a point rule "
                "(ratio, steps, categories)",
            )
        )
    direction_applied = not state.directed
    state.directed = True
    for c in data.columns:
        methods.setdefault(c, {"method": "none", "params": {}})
    cells, lines = _blank_warnings(state, stage, data, scored_zero, policies)
    for line in lines:
        warnings.warn(line, BlankScoredWarning, stacklevel=2)
    logger.info("stage %r: %d columns normalised", stage.name, len(codes))
    return data.derive(data.columns, out), {
        "indicators": methods,
        "direction_applied": direction_applied,
        "scored_zero": cells,
        "warnings": lines,
    }
