"""Stage runners: apply one stage's method to a data set, using the framework's metadata.

Each runner resolves per-node settings (merged key by key), groups columns that share a
method and parameters, calls the registered method once per group on all units and periods,
and writes a record of what it did.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import MethodError, Problem
from dxframework.methods import aggregate as agg
from dxframework.methods.denominate import denominate
from dxframework.methods.treat import TreatmentResult
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.indicator import MISSING_POLICIES, Aggregate, Indicator
from dxframework.pipeline.context import (
    BlankScoredWarning,
    MethodContext,
    column_groups,
    is_point_rule,
    merged_settings,
)
from dxframework.pipeline.spec import Stage
from dxframework.plugins.registry import Registry

__all__ = ["RunState", "run_stage"]

F = NDArray[np.float64]


@attrs.define
class RunState:
    """Mutable state threaded through the stages of one run."""

    framework: Framework
    raw: Dataset
    current: Dataset
    registry: Registry
    weights: dict[tuple[str, str], float] = attrs.field(factory=dict)
    directed: bool = False
    imputed: bool = False


def _call(
    func: Callable[..., Any], *args: Any, stage: Stage, method: str, params: Mapping[str, Any]
) -> Any:
    try:
        return func(*args, **params)
    except TypeError as exc:
        if "argument" in str(exc):
            raise MethodError(
                Problem(
                    f"stage {stage.name!r}: method {method!r} does not take "
                    f"these parameters: {exc}",
                    hint="check the parameter names in the pipeline",
                )
            ) from None
        raise


def _settings(
    state: RunState, stage: Stage, codes: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for c in codes:
        node = state.framework.nodes.get(c)
        node_methods = node.methods if node is not None else None
        out.append(
            merged_settings(
                stage.kind, stage.params, stage.method, node_methods, stage.overrides.get(c)
            )
        )
    return out


def _by_column(
    state: RunState,
    stage: Stage,
    data: Dataset,
    apply: Callable[[str, dict[str, Any], MethodContext, F], F],
    settings: list[tuple[str, dict[str, Any]]] | None = None,
) -> F:
    """Apply per-column-group settings over the indicator columns of ``data``."""
    codes = data.columns
    out = data.values.copy()
    if settings is None:
        settings = _settings(state, stage, codes)
    for method, params, cols in column_groups(settings):
        if method == "none":
            continue
        sub = tuple(codes[j] for j in cols)
        ctx = MethodContext(state.framework, data, state.raw, sub, stage.name)
        out[..., cols] = apply(method, params, ctx, data.values[..., cols])
    return out


# -- denominate ---------------------------------------------------------------------------------
def run_denominate(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Divide each indicator that names a denominator by that column of the raw data."""
    data = state.current
    out = data.values.copy()
    problems: list[Problem] = []
    missing: list[dict[str, Any]] = []
    applied: dict[str, str] = {}
    scale_default = float(stage.params.get("scale", 1.0))
    for j, code in enumerate(data.columns):
        node = state.framework.nodes.get(code)
        if not isinstance(node, Indicator) or not node.denominator:
            continue
        method, _ = merged_settings(
            "denominate", stage.params, stage.method, node.methods, stage.overrides.get(code)
        )
        if method == "none":
            continue
        if not state.raw.has_column(node.denominator):
            problems.append(
                Problem(
                    f"denominator column {node.denominator!r} is not in the data",
                    file=state.raw.source,
                    column=node.denominator,
                    indicator=code,
                    hint="add the column or remove the indicator's denominator",
                )
            )
            continue
        d = state.raw.values[:, :, state.raw.column_index(node.denominator)]
        d = d[:, [state.raw.unit_index(u) for u in data.unit_codes]]
        zero = d == 0
        for _p, i in zip(*np.nonzero(zero), strict=True):
            problems.append(
                Problem(
                    f"denominator {node.denominator!r} is zero",
                    file=state.raw.source,
                    unit=data.units[i].code,
                    indicator=code,
                    column=node.denominator,
                    hint="a zero denominator has no ratio; fix the value or "
                    "leave it empty (missing)",
                )
            )
        # precedence: the stage's override for this indicator, the indicator's own scale,
        # the stage's global scale
        local: dict[str, Any] = {}
        for layer in (node.methods.get("denominate"), stage.overrides.get(code)):
            if isinstance(layer, Mapping):
                local.update(layer)
        if "scale" in local:
            scale = float(local["scale"])
        elif node.scale != 1.0:
            scale = node.scale
        else:
            scale = scale_default
        out[:, :, j] = denominate(data.values[:, :, j], d, scale)
        for p, i in zip(*np.nonzero(np.isnan(d) & ~np.isnan(data.values[:, :, j])), strict=True):
            missing.append(
                {
                    "unit": data.units[i].code,
                    "indicator": code,
                    "period": data.periods[p],
                    "denominator": node.denominator,
                }
            )
        applied[code] = node.denominator
    if problems:
        raise MethodError(problems)
    return data.with_columns(data.columns, out), {
        "denominated": applied,
        "missing_denominator": missing,
    }


# -- impute ---------------------------------------------------------------------------------
def run_impute(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Fill missing values with the registered imputation method(s)."""
    data = state.current

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("impute", method).func
        y = np.asarray(_call(func, x, ctx, stage=stage, method=method, params=params))
        if y.shape != x.shape:
            raise ctx.error(f"method {method!r} returned shape {y.shape}, expected {x.shape}")
        known = ~np.isnan(x)
        if not np.array_equal(y[known], x[known]):
            raise ctx.error(f"method {method!r} changed non-missing values")
        return y

    out = _by_column(state, stage, data, apply)
    state.imputed = True
    was = np.isnan(data.values)
    filled = was & ~np.isnan(out)
    pi, ui, ci = np.nonzero(filled)  # columns of equal length: one entry per imputed cell
    codes = np.asarray(data.unit_codes, dtype=object)
    cols = np.asarray(data.columns, dtype=object)
    cells = {
        "unit": codes[ui].tolist(),
        "indicator": cols[ci].tolist(),
        "period": np.asarray(data.periods)[pi].tolist(),
        "value": out[filled].tolist(),
    }
    still = np.isnan(out)
    all_nan = [c for j, c in enumerate(data.columns) if still[:, :, j].all()]
    return data.with_columns(data.columns, out), {
        "imputed": cells,
        "n_imputed": int(filled.sum()),
        "still_missing": int(still.sum()),
        "all_missing_columns": all_nan,
        "warnings": [f"indicator {c!r} has no value at all; it stays missing" for c in all_nan],
    }


# -- screen ---------------------------------------------------------------------------------
def run_screen(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Drop units by the registered screening method; forced inclusions/exclusions win."""
    data = state.current
    params = dict(stage.params)
    force_in = set(params.pop("force_include", []) or [])
    force_out = set(params.pop("force_exclude", []) or [])
    unknown = (force_in | force_out) - set(data.unit_codes)
    if unknown:
        raise MethodError(
            [
                Problem(f"stage {stage.name!r}: forced unit {u!r} is not in the data", unit=u)
                for u in sorted(unknown)
            ]
        )
    func = state.registry.method("screen", stage.method).func
    ctx = MethodContext(state.framework, data, state.raw, data.columns, stage.name)
    keep = np.asarray(
        _call(func, data.values, ctx, stage=stage, method=stage.method, params=params), dtype=bool
    )
    if keep.shape != (len(data.units),):
        raise ctx.error(
            f"method {stage.method!r} returned shape {keep.shape}, expected ({len(data.units)},)"
        )
    codes = data.unit_codes
    forced = np.array([c in force_in for c in codes])
    excluded = np.array([c in force_out for c in codes])
    final = (keep | forced) & ~excluded
    avail = np.mean(~np.isnan(data.values), axis=(0, 2)) if data.values.size else np.ones(0)
    dropped = [
        {
            "unit": codes[i],
            "name": data.units[i].name,
            "availability": float(avail[i]),
            "reason": "forced out" if excluded[i] else stage.method,
        }
        for i in np.nonzero(~final)[0]
    ]
    kept = [c for c, k in zip(codes, final, strict=True) if k]
    if codes and not kept:
        settings = ", ".join(f"{k} = {v!r}" for k, v in params.items())
        raise MethodError(
            Problem(
                f"stage {stage.name!r} (screen, method {stage.method!r}"
                + (f", {settings}" if settings else "")
                + f") drops every one of the {len(codes)} units: nothing is left to score",
                file=data.source,
                hint="relax the screening settings in the pipeline (a lower min_availability, "
                "say) or keep units with force_include",
            )
        )
    return data.select(units=kept), {
        "dropped": dropped,
        "kept": len(kept),
        "availability": dict(zip(codes, map(float, avail), strict=True)),
    }


# -- treat ----------------------------------------------------------------------------------
def run_treat(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Treat outliers per indicator; record skew/kurtosis, winsorised points, transforms."""
    data = state.current
    details: dict[str, dict[str, Any]] = {}

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("treat", method).func
        res = _call(func, x, ctx, stage=stage, method=method, params=params)
        if not isinstance(res, TreatmentResult):
            raise ctx.error(f"method {method!r} must return a TreatmentResult")
        for k, code in enumerate(ctx.codes):
            for p, period in enumerate(data.periods):
                key = code if len(data.periods) == 1 else f"{code}@{period}"
                hi = np.nonzero(res.winsorised_high[p, :, k])[0]
                lo = np.nonzero(res.winsorised_low[p, :, k])[0]
                entry: dict[str, Any] = {
                    "indicator": code,
                    "period": period,
                    "method": method,
                    "params": params,
                    "skew_before": float(res.skew_before[p, k]),
                    "kurt_before": float(res.kurt_before[p, k]),
                    "skew_after": float(res.skew_after[p, k]),
                    "kurt_after": float(res.kurt_after[p, k]),
                    "winsorised": [{"unit": data.units[i].code, "side": "high"} for i in hi]
                    + [{"unit": data.units[i].code, "side": "low"} for i in lo],
                    "n_winsorised": int(len(hi) + len(lo)),
                    "transformed": bool(res.log_applied[p, k]),
                }
                if res.untreatable[p, k]:
                    entry["warning"] = "fewer than 4 values or no spread: left untreated"
                details[key] = entry
        return res.values

    out = _by_column(state, stage, data, apply)
    return data.with_columns(data.columns, out), {
        "indicators": details,
        "warnings": [f"{k}: {v['warning']}" for k, v in details.items() if "warning" in v],
    }


# -- normalise ------------------------------------------------------------------------------
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


def run_normalise(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Apply direction, then the normalisation method of each indicator.

    Point rules (methods marked :func:`~dxframework.pipeline.context.point_rule`) then apply
    each column's missing-value policy: ``"zero"`` and ``"impute"`` give a value still missing
    0 points (each such cell is listed in the record's ``scored_zero`` and warned about once
    per unit and indicator), ``"skip"`` leaves it missing, out of the points available.
    """
    data = state.current
    codes = data.columns
    methods: dict[str, dict[str, Any]] = {}
    policies = _missing_policies(state, stage, codes)
    # ``missing`` is the stage's setting, not a method parameter: never passed on
    settings = [
        (m, {k: v for k, v in p.items() if k != "missing"})
        for m, p in _settings(state, stage, codes)
    ]
    position = {c: j for j, c in enumerate(codes)}
    scored_zero = np.zeros(data.values.shape, dtype=bool)
    point_codes: list[str] = []

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("normalise", method).func
        params = dict(params)
        pooled = bool(params.pop("pooled", False))
        # the direction is applied by the first normalisation of the run only
        xin = x if state.directed else x * ctx.directions()
        if pooled:  # one scale across all periods, so years compare
            xin = xin.reshape((*x.shape[:-3], 1, x.shape[-3] * x.shape[-2], x.shape[-1]))
        y = np.asarray(
            _call(func, xin, ctx, stage=stage, method=method, params=params), dtype=np.float64
        ).reshape(x.shape)
        point = is_point_rule(func)
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

    out = _by_column(state, stage, data, apply, settings)
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
    return data.with_columns(data.columns, out), {
        "indicators": methods,
        "direction_applied": direction_applied,
        "scored_zero": cells,
        "warnings": lines,
    }


# -- weight ---------------------------------------------------------------------------------
def run_weight(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Set the weights used by later aggregation stages."""
    data = state.current
    func = state.registry.method("weight", stage.method).func
    ctx = MethodContext(state.framework, data, state.raw, data.columns, stage.name)
    returned = _call(
        func, data.values, ctx, stage=stage, method=stage.method, params=dict(stage.params)
    )
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
    return data, {
        **info,
        "weights": [{"child": c, "parent": p, "weight": w} for (c, p), w in state.weights.items()],
    }


# -- aggregate ------------------------------------------------------------------------------
def run_aggregate(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Aggregate level by level; each aggregate may use its own method (per group)."""
    fw = state.framework
    data = state.current
    cols: dict[str, F] = {c: data.values[:, :, j] for j, c in enumerate(data.columns)}
    params = dict(stage.params)
    min_avail = params.pop("min_availability", None)
    level_settings = params.pop("levels", {}) or {}
    record: dict[str, dict[str, Any]] = {}
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
            assert isinstance(node, Aggregate)
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
                w = fw.weight_matrix(children, parents, state.weights or None)
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
            x = np.stack([cols[c] for c in children], axis=-1)
            ctx = MethodContext(fw, data, state.raw, tuple(children), stage.name)
            func = state.registry.method("aggregate", method).func
            y = np.asarray(
                _call(func, x, w, ctx, stage=stage, method=method, params=mparams), dtype=np.float64
            )
            if threshold is not None:
                share = agg.availability_share(x, w)
                y = np.where(share < float(threshold), np.nan, y)
            for k, p in enumerate(parents):
                cols[p] = y[..., k]
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
    columns = list(data.columns) + [c for c in fw.aggregate_codes if c not in data.columns]
    values = np.stack([cols[c] for c in columns], axis=-1)
    return data.with_columns(columns, values), {"aggregates": record}


RUNNERS: Mapping[str, Callable[[RunState, Stage], tuple[Dataset, dict[str, Any]]]] = {
    "denominate": run_denominate,
    "impute": run_impute,
    "screen": run_screen,
    "treat": run_treat,
    "normalise": run_normalise,
    "weight": run_weight,
    "aggregate": run_aggregate,
}


def run_stage(state: RunState, stage: Stage) -> tuple[Dataset, dict[str, Any]]:
    """Run one stage on ``state.current``; returns the new data set and the stage record."""
    return RUNNERS[stage.kind](state, stage)
