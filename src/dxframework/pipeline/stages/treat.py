"""The ``treat`` stage: outlier treatment per indicator; the built-in treatment methods."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from dxframework.methods import treat as trt
from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, by_column, call_method
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["register_treatment_methods", "run"]

logger = logging.getLogger(__name__)

# -- methods ------------------------------------------------------------------------------------
_FALLBACKS: dict[str, Callable[[F], F]] = {
    "log_ct": trt.log_ct,
    "log_plus_one": trt.log_plus_one,
    "log_signed": trt.log_signed,
}


def _default(
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


def _winsorise(
    x: F, ctx: MethodContext, skew_max: float = 2.0, kurt_max: float = 3.5, winmax: int = 5
) -> trt.TreatmentResult:
    return trt.winsorised(x, skew_max, kurt_max, winmax)


def _log_ct(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return trt.transformed(x, trt.log_ct(x))


def _log_plus_one(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return trt.transformed(x, trt.log_plus_one(x))


def _log_signed(x: F, ctx: MethodContext) -> trt.TreatmentResult:
    return trt.transformed(x, trt.log_signed(x))


def _boxcox(x: F, ctx: MethodContext, lam: float) -> trt.TreatmentResult:
    return trt.transformed(x, trt.boxcox(x, lam))


@hookimpl
def register_treatment_methods(register: MethodRegistrar) -> None:
    """The built-in treatment methods."""
    register(
        "default",
        _default,
        "winsorise failing indicators up to winmax points, else a transform (fallback: "
        "log_ct, log_plus_one, log_signed or boxcox with lam) of the original values",
    )
    register("winsorise", _winsorise, "winsorise only, no log fallback")
    register("log_ct", _log_ct, "log(x − min + 0.01·(max − min))")
    register("log_plus_one", _log_plus_one, "log(x − min + 1)")
    register(
        "log_signed",
        _log_signed,
        "sign-aware log: log_ct if skew ≥ 0, −log(max − x + 0.01·(max − min)) if skew < 0",
    )
    register("boxcox", _boxcox, "Box–Cox with a given lam on x − min + 1")


# -- runner -------------------------------------------------------------------------------------
def run(state: RunState, stage: Stage) -> StageOutput:
    """Treat outliers per indicator; record skew/kurtosis, winsorised points, transforms."""
    data = state.current
    details: dict[str, dict[str, Any]] = {}

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("treat", method)
        res = call_method(func, x, ctx, stage=stage, params=params)
        if not isinstance(res, trt.TreatmentResult):
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

    out = by_column(state, stage, data, apply)
    logger.info("stage %r: %d indicator-periods treated", stage.name, len(details))
    return data.derive(data.columns, out), {
        "indicators": details,
        "warnings": [f"{k}: {v['warning']}" for k, v in details.items() if "warning" in v],
    }
