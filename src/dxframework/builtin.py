"""The built-in plugin: registers dxframework's own methods through the public hooks.

Third-party plugins use exactly the same hooks; nothing here is special-cased by the core.
Each wrapper adapts a pure numeric core from :mod:`dxframework.methods` to the method
signature ``func(x, ctx, **params)`` and turns invalid input into errors that name the
indicator and units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dxframework.methods import aggregate as agg
from dxframework.methods import impute as imp
from dxframework.methods import normalise as norm
from dxframework.methods import screen as scr
from dxframework.methods import treat as trt
from dxframework.methods._nan import nanmax, nanmin
from dxframework.methods.stats import kurt, skew
from dxframework.pipeline.context import MethodContext, point_rule
from dxframework.plugins.hookspecs import hookimpl

F = NDArray[np.float64]
Register = Callable[..., None]

TEMPLATES = Path(__file__).parent / "templates"


# -- imputation -----------------------------------------------------------------------------
def _impute_mean(x: F, ctx: MethodContext) -> F:
    return imp.impute_mean(x)


def _impute_median(x: F, ctx: MethodContext) -> F:
    return imp.impute_median(x)


def _impute_mean_by_group(x: F, ctx: MethodContext, group: str) -> F:
    return imp.impute_by_group(x, ctx.groups(group), "mean")


def _impute_median_by_group(x: F, ctx: MethodContext, group: str) -> F:
    return imp.impute_by_group(x, ctx.groups(group), "median")


def _impute_latest(x: F, ctx: MethodContext) -> F:
    return imp.impute_latest(x, axis=-3)


def _impute_linear(x: F, ctx: MethodContext) -> F:
    return imp.impute_linear(x, axis=-3, periods=np.asarray(ctx.periods, dtype=np.float64))


@hookimpl
def register_imputation_methods(register: Register) -> None:
    register("mean", _impute_mean, "column mean of the non-missing values")
    register("median", _impute_median, "column median of the non-missing values")
    register("mean_by_group", _impute_mean_by_group, "mean within the unit's group (param group)")
    register(
        "median_by_group", _impute_median_by_group, "median within the unit's group (param group)"
    )
    register("latest", _impute_latest, "panel: carry the last known value forward")
    register(
        "linear",
        _impute_linear,
        "panel: linear interpolation between known periods, nearest value outside",
    )


# -- screening ------------------------------------------------------------------------------
def _per_unit(x: F) -> F:
    """``(periods, units, indicators)`` → ``(units, periods·indicators)``."""
    moved = np.moveaxis(x, -2, 0)
    return moved.reshape(moved.shape[0], -1)


def _screen_by_missing(
    x: F, ctx: MethodContext, min_availability: float = 2 / 3
) -> NDArray[np.bool_]:
    return np.asarray(scr.availability(_per_unit(x)) >= min_availability)


def _screen_by_zeros(x: F, ctx: MethodContext, min_nonzero: float = 0.05) -> NDArray[np.bool_]:
    return np.asarray(scr.nonzero_share(_per_unit(x)) >= min_nonzero)


def _screen_none(x: F, ctx: MethodContext) -> NDArray[np.bool_]:
    return np.ones(x.shape[-2], dtype=bool)


@hookimpl
def register_screening_methods(register: Register) -> None:
    register(
        "by_missing",
        _screen_by_missing,
        "drop units whose data availability is below min_availability (default 2/3)",
    )
    register(
        "by_zeros",
        _screen_by_zeros,
        "drop units whose share of non-zero values is below min_nonzero (default 0.05)",
    )
    register("none", _screen_none, "keep every unit (forced exclusions still apply)")


# -- treatment ------------------------------------------------------------------------------
_FALLBACKS: dict[str, Callable[[F], F]] = {
    "log_ct": trt.log_ct,
    "log_plus_one": trt.log_plus_one,
    "log_signed": trt.log_signed,
}


def _treat_default(
    x: F,
    ctx: MethodContext,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
    winmax: int = 5,
    fallback: str = "log_ct",
    lam: float | None = None,
) -> trt.TreatmentResult:
    if fallback == "boxcox":
        if lam is None:
            raise ctx.error("fallback 'boxcox' needs lam", hint="e.g. lam = 0.5")
        return trt.treat_default(x, skew_max, kurt_max, winmax, lambda v: trt.boxcox(v, float(lam)))
    if fallback not in _FALLBACKS:
        raise ctx.error(
            f"unknown fallback {fallback!r}",
            hint=f"use one of {', '.join([*_FALLBACKS, 'boxcox'])}",
        )
    return trt.treat_default(x, skew_max, kurt_max, winmax, _FALLBACKS[fallback])


def _treat_log_signed(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return _transformed(x, trt.log_signed(x))


def _transformed(x: F, y: F) -> trt.TreatmentResult:
    none = np.zeros(x.shape, dtype=bool)
    flags = np.ones(x.shape[:-2] + x.shape[-1:], dtype=bool)
    return trt.TreatmentResult(y, skew(x), kurt(x), skew(y), kurt(y), none, none, flags, ~flags)


def _treat_winsorise(
    x: F, ctx: MethodContext, skew_max: float = 2.0, kurt_max: float = 3.5, winmax: int = 5
) -> trt.TreatmentResult:
    y, hi, lo, _ = trt.winsorise(x, skew_max, kurt_max, winmax)
    none = np.zeros(x.shape[:-2] + x.shape[-1:], dtype=bool)
    return trt.TreatmentResult(y, skew(x), kurt(x), skew(y), kurt(y), hi, lo, none, none)


def _treat_log_ct(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return _transformed(x, trt.log_ct(x))


def _treat_log_plus_one(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return _transformed(x, trt.log_plus_one(x))


def _treat_boxcox(x: F, ctx: MethodContext, lam: float) -> trt.TreatmentResult:
    return _transformed(x, trt.boxcox(x, lam))


@hookimpl
def register_treatment_methods(register: Register) -> None:
    register(
        "default",
        _treat_default,
        "winsorise failing indicators up to winmax points, else a transform (fallback: "
        "log_ct, log_plus_one, log_signed or boxcox with lam) of the original values",
    )
    register("winsorise", _treat_winsorise, "winsorise only, no log fallback")
    register("log_ct", _treat_log_ct, "log(x − min + 0.01·(max − min))")
    register("log_plus_one", _treat_log_plus_one, "log(x − min + 1)")
    register(
        "log_signed",
        _treat_log_signed,
        "sign-aware log: log_ct if skew ≥ 0, −log(max − x + 0.01·(max − min)) if skew < 0",
    )
    register("boxcox", _treat_boxcox, "Box–Cox with a given lam on x − min + 1")


# -- normalisation --------------------------------------------------------------------------
def _check_range(x: F, ctx: MethodContext, method: str) -> None:
    ctx.check(
        ~(nanmax(x) > nanmin(x)),
        f"{method}: indicator has no spread (max = min)",
        "drop the indicator or set constant = <value> for this indicator",
    )


def _norm_minmax(
    x: F, ctx: MethodContext, lo: float = 0.0, hi: float = 100.0, constant: float | None = None
) -> F:
    if constant is None:
        _check_range(x, ctx, "minmax")
        return norm.minmax(x, lo, hi)
    y = norm.minmax(x, lo, hi)
    flat = ~(nanmax(x, keepdims=True) > nanmin(x, keepdims=True))
    return np.where(flat & ~np.isnan(x), float(constant), y)


def _norm_zscore(x: F, ctx: MethodContext, mean: float = 0.0, sd: float = 1.0) -> F:
    _check_range(x, ctx, "zscore")
    return norm.zscore(x, mean, sd)


def _norm_rank(x: F, ctx: MethodContext) -> F:
    return norm.rank_min(x)


def _norm_borda(x: F, ctx: MethodContext) -> F:
    return norm.borda(x)


def _norm_percentile_rank(x: F, ctx: MethodContext) -> F:
    return norm.percentile_rank(x)


def _norm_fraction_of_max(x: F, ctx: MethodContext) -> F:
    ctx.check(
        ~(nanmax(x) > 0),
        "fraction_of_max needs a positive maximum (after direction: a negative-direction "
        "indicator has none)",
        "use minmax or distance_to_max for this indicator",
    )
    return norm.fraction_of_max(x)


def _norm_distance_to_max(x: F, ctx: MethodContext) -> F:
    _check_range(x, ctx, "distance_to_max")
    return norm.distance_to_max(x)


def _norm_distance_to_reference(x: F, ctx: MethodContext, unit: str, cap: bool = False) -> F:
    if unit not in ctx.units:
        raise ctx.error(f"reference unit {unit!r} is not in the data", unit=unit)
    ref = x[..., ctx.units.index(unit), :]
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


def _norm_distance_to_target(
    x: F, ctx: MethodContext, target: Any = None, cap: bool = True, scale: float = 1.0
) -> F:
    return norm.distance_to_target(x, _targets(ctx, target), cap, scale)


def _norm_goalposts(
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


# Point rules (marked @point_rule) return NaN for a blank; the normalise stage then applies
# the missing-value policy (a blank earns 0 points unless missing = "skip").
def _original(x: F, ctx: MethodContext) -> F:
    """Point rules read values in original units: undo the direction sign."""
    return x * ctx.directions()


@point_rule
def _norm_ratio(
    x: F, ctx: MethodContext, points: float = 1.0, per: float = 1.0, cap: bool = True
) -> F:
    r = _original(x, ctx) / float(per)
    return (np.minimum(r, 1.0) if cap else r) * float(points)


@point_rule
def _norm_steps(
    x: F, ctx: MethodContext, thresholds: list[float], points: list[float], below: float = 0.0
) -> F:
    t = np.asarray(thresholds, dtype=np.float64)
    pts = np.asarray(points, dtype=np.float64)
    if t.shape != pts.shape or t.ndim != 1 or t.size == 0:
        raise ctx.error(
            "steps: give as many points as thresholds",
            hint="e.g. thresholds = [1, 2, 3, 4], points = [5, 10, 15, 20]",
        )
    order = np.argsort(t)
    t, pts = t[order], pts[order]
    v = _original(x, ctx)
    k = np.searchsorted(t, np.where(np.isnan(v), -np.inf, v), side="right")
    table = np.concatenate([[float(below)], pts])
    return np.where(np.isnan(v), np.nan, table[k])


@point_rule
def _norm_categories(x: F, ctx: MethodContext, mapping: dict[str, float]) -> F:
    v = _original(x, ctx)
    keys = np.array([float(k) for k in mapping], dtype=np.float64)
    vals = np.array(list(mapping.values()), dtype=np.float64)
    out = np.full(v.shape, np.nan)
    for key, val in zip(keys, vals, strict=True):
        out = np.where(v == key, val, out)
    ctx.check(
        ~np.isnan(v) & np.isnan(out),
        "categories: value not in the mapping for units {units}",
        f"known codes: {', '.join(mapping)}",
        cells=True,
    )
    return out


@hookimpl
def register_normalisation_methods(register: Register) -> None:
    register(
        "ratio",
        _norm_ratio,
        "point rule: min(x/per, 1) × points (x a ratio a/b, or a % with per = 100)",
    )
    register("steps", _norm_steps, "point rule: thresholds → points (highest threshold reached)")
    register("categories", _norm_categories, "point rule: coded answers → points (full/half/0)")
    register("minmax", _norm_minmax, "(x − min)/(max − min)·(hi − lo) + lo")
    register("zscore", _norm_zscore, "(x − mean)/sd·sd' + mean' (sample sd)")
    register("rank", _norm_rank, "rank, ties share the minimum rank (1 = lowest)")
    register("borda", _norm_borda, "rank − 1")
    register("percentile_rank", _norm_percentile_rank, "(rank − 1)/(n − 1)")
    register("fraction_of_max", _norm_fraction_of_max, "x / max")
    register("distance_to_max", _norm_distance_to_max, "1 − (max − x)/(max − min)")
    register(
        "distance_to_reference",
        _norm_distance_to_reference,
        "1 − (x_ref − x)/(x_ref − min), optional cap at 1",
    )
    register(
        "distance_to_target",
        _norm_distance_to_target,
        "(x − min)/(target − min)·scale, optional cap",
    )
    register("goalposts", _norm_goalposts, "(x − lo)/(hi − lo)·scale, truncated to [0, scale]")


# -- weights --------------------------------------------------------------------------------
def _weights_nominal(x: F, ctx: MethodContext) -> dict[tuple[str, str], float]:
    return {(e.child, e.parent): e.weight for e in ctx.framework.edges}


def _weights_equal(x: F, ctx: MethodContext) -> dict[tuple[str, str], float]:
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


def _weights_ahp(
    x: F, ctx: MethodContext, matrices: dict[str, Any]
) -> tuple[dict[tuple[str, str], float], dict[str, Any]]:
    from dxframework.methods.weights import ahp

    out: dict[tuple[str, str], float] = {}
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


def _weights_pca(x: F, ctx: MethodContext) -> tuple[dict[tuple[str, str], float], dict[str, Any]]:
    from dxframework.methods.weights import pca_weights

    out: dict[tuple[str, str], float] = {}
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


def _weights_optimised(
    x: F, ctx: MethodContext, targets: dict[str, list[float]] | None = None
) -> tuple[dict[tuple[str, str], float], dict[str, Any]]:
    from dxframework.methods.weights import optimise_weights

    out: dict[tuple[str, str], float] = {}
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


def _weights_set(x: F, ctx: MethodContext, name: str) -> dict[tuple[str, str], float]:
    return ctx.framework.weight_set(name)


def _weights_custom(
    x: F, ctx: MethodContext, weights: dict[str, dict[str, float]]
) -> dict[tuple[str, str], float]:
    return {
        (child, parent): float(w) for parent, kids in weights.items() for child, w in kids.items()
    }


@hookimpl
def register_weighting_methods(register: Register) -> None:
    register("nominal", _weights_nominal, "the framework's weights")
    register("equal", _weights_equal, "equal weights within every group")
    register("custom", _weights_custom, "weights given in the pipeline: {parent = {child = w}}")
    register(
        "set",
        _weights_set,
        "a named weight set stored in the framework ([weight_sets.NAME.PARENT])",
    )
    register(
        "ahp",
        _weights_ahp,
        "AHP: principal eigenvector of a pairwise matrix per aggregate; CR > 0.1 warns",
    )
    register(
        "pca",
        _weights_pca,
        "absolute first-component loadings of each group of indicators, rescaled",
    )
    register(
        "optimised",
        _weights_optimised,
        "weights matching each component's correlation with the aggregate to a target",
    )


# -- aggregation ----------------------------------------------------------------------------
def _check_positive(x: F, w: F, ctx: MethodContext, method: str, strict_zero_only: bool) -> None:
    bad = ((x == 0) if strict_zero_only else (x <= 0)) & np.any(w > 0, axis=-1)
    need, have = ("≠ 0", "0") if strict_zero_only else ("> 0", "values ≤ 0")
    ctx.check(
        bad,
        f"{method} mean needs values {need}; units {{units}} have {have}",
        "normalise to a positive range first, e.g. minmax with lo = 1, hi = 100",
        cells=True,
    )


def _agg_arithmetic(x: F, w: F, ctx: MethodContext) -> F:
    return agg.arithmetic(x, w)


def _agg_geometric(x: F, w: F, ctx: MethodContext) -> F:
    _check_positive(x, w, ctx, "geometric", strict_zero_only=False)
    return agg.geometric(x, w)


def _agg_harmonic(x: F, w: F, ctx: MethodContext) -> F:
    _check_positive(x, w, ctx, "harmonic", strict_zero_only=True)
    return agg.harmonic(x, w)


def _agg_generalised(x: F, w: F, ctx: MethodContext, p: float) -> F:
    if p == 0:
        raise ctx.error("the generalised mean needs p ≠ 0 (use geometric for p = 0)")
    if p < 0 or not float(p).is_integer():
        _check_positive(x, w, ctx, "generalised", strict_zero_only=False)
    return agg.generalised(x, w, p)


def _agg_copeland(x: F, w: F, ctx: MethodContext) -> F:
    from dxframework.methods.copeland import copeland

    return copeland(x, w)


def _agg_bod(x: F, w: F, ctx: MethodContext, bounds: list[float] | None = None) -> F:
    from dxframework.methods.benefit_of_doubt import BoDInfeasible, benefit_of_doubt

    if np.any(x < 0):
        _check_positive(
            np.where(x < 0, x, 1.0), w, ctx, "benefit-of-the-doubt", strict_zero_only=False
        )
    lead = x.shape[:-2]
    out = np.full((*lead, x.shape[-2], w.shape[-1]), np.nan)
    for p in range(w.shape[-1]):
        cols = np.nonzero(w[:, p] > 0)[0]
        for idx in np.ndindex(*lead):
            try:
                scores, _ = benefit_of_doubt(
                    x[idx][:, cols], None if bounds is None else (bounds[0], bounds[1])
                )
            except BoDInfeasible as exc:
                unit = ctx.units[exc.unit] if exc.unit >= 0 else None
                raise ctx.error(
                    f"benefit of the doubt: {exc}", unit=unit, hint="loosen the weight bounds"
                ) from None
            out[(*idx, slice(None), p)] = scores
    return out


def _agg_mazziotta_pareto(x: F, w: F, ctx: MethodContext, standardise: bool = True) -> F:
    from dxframework.methods.mazziotta_pareto import mazziotta_pareto, mpi_standardise

    if standardise:
        _check_range(x, ctx, "mazziotta_pareto")
    return mazziotta_pareto(mpi_standardise(x) if standardise else x, w)


def _agg_points_share(x: F, w: F, ctx: MethodContext) -> F:
    present = (~np.isnan(x)).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((np.where(np.isnan(x), 0.0, x) @ (w > 0)) / (present @ w))


@hookimpl
def register_aggregation_methods(register: Register) -> None:
    register(
        "points_share",
        _agg_points_share,
        "points earned / points available: Σ x / Σ w, weights = maximum points; a child "
        "left missing (missing = 'skip') is out of the points available",
    )
    register("arithmetic", _agg_arithmetic, "Σ w·x over available children, weights rescaled")
    register("geometric", _agg_geometric, "exp(Σ w·log x); needs x > 0")
    register("harmonic", _agg_harmonic, "1 / Σ (w/x); needs x ≠ 0")
    register("generalised", _agg_generalised, "(Σ w·x^p)^(1/p), p ≠ 0")
    register("copeland", _agg_copeland, "pairwise majority outranking: Σ of ±1 outcomes")
    register(
        "benefit_of_doubt",
        _agg_bod,
        "DEA: each unit's own best weights, every unit's score ≤ 1; optional share bounds",
    )
    register(
        "mazziotta_pareto",
        _agg_mazziotta_pareto,
        "M − S·cv on children standardised to mean 100, sd 10",
    )


# -- data loaders and templates -------------------------------------------------------------
@hookimpl
def register_data_loaders(register: Register) -> None:
    from dxframework.io.readers import READERS

    for suffix, reader in READERS.items():
        register(suffix, reader, f"built-in reader ({reader.__name__})")


@hookimpl
def register_template_folders(register: Register) -> None:
    if TEMPLATES.is_dir():
        register(TEMPLATES, prefix="builtin")
