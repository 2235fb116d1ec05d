"""The ``screen`` stage: drop units; the built-in screening methods."""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import NDArray

from dxframework.errors import MethodError, Problem
from dxframework.methods import screen as scr
from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, call_method
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["register_screening_methods", "run"]

logger = logging.getLogger(__name__)


# -- methods ------------------------------------------------------------------------------------
def _by_missing(x: F, ctx: MethodContext, min_availability: float = 2 / 3) -> NDArray[np.bool_]:
    return np.asarray(scr.availability(scr.by_unit(x)) >= min_availability)


def _by_zeros(x: F, ctx: MethodContext, min_nonzero: float = 0.05) -> NDArray[np.bool_]:
    return np.asarray(scr.nonzero_share(scr.by_unit(x)) >= min_nonzero)


def _none(x: F, ctx: MethodContext) -> NDArray[np.bool_]:
    return np.ones(x.shape[-2], dtype=bool)


@hookimpl
def register_screening_methods(register: MethodRegistrar) -> None:
    """The built-in screening methods."""
    register(
        "by_missing",
        _by_missing,
        "drop units whose data availability is below min_availability (default 2/3)",
    )
    register(
        "by_zeros",
        _by_zeros,
        "drop units whose share of non-zero values is below min_nonzero (default 0.05)",
    )
    register("none", _none, "keep every unit (forced exclusions still apply)")


# -- runner -------------------------------------------------------------------------------------
def run(state: RunState, stage: Stage) -> StageOutput:
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
    func = state.registry.method("screen", stage.method)
    ctx = MethodContext(state.framework, data, state.raw, data.columns, stage.name)
    keep = np.asarray(call_method(func, data.values, ctx, stage=stage, params=params), dtype=bool)
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
    logger.info("stage %r: %d units kept, %d dropped", stage.name, len(kept), len(dropped))
    return data.select(units=kept), {
        "dropped": dropped,
        "kept": len(kept),
        "availability": dict(zip(codes, map(float, avail), strict=True)),
    }
