"""The ``impute`` stage: fill missing values; the built-in imputation methods."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dxframework.methods import impute as imp
from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, by_column, call_method
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["register_imputation_methods", "run"]

logger = logging.getLogger(__name__)


# -- methods ------------------------------------------------------------------------------------
def _mean(x: F, ctx: MethodContext) -> F:
    return imp.impute_mean(x)


def _median(x: F, ctx: MethodContext) -> F:
    return imp.impute_median(x)


def _mean_by_group(x: F, ctx: MethodContext, group: str) -> F:
    return imp.impute_by_group(x, ctx.groups(group), "mean")


def _median_by_group(x: F, ctx: MethodContext, group: str) -> F:
    return imp.impute_by_group(x, ctx.groups(group), "median")


def _latest(x: F, ctx: MethodContext) -> F:
    return imp.impute_latest(x, axis=-3)


def _linear(x: F, ctx: MethodContext) -> F:
    return imp.impute_linear(x, axis=-3, periods=np.asarray(ctx.periods, dtype=np.float64))


@hookimpl
def register_imputation_methods(register: MethodRegistrar) -> None:
    """The built-in imputation methods."""
    register("mean", _mean, "column mean of the non-missing values")
    register("median", _median, "column median of the non-missing values")
    register("mean_by_group", _mean_by_group, "mean within the unit's group (param group)")
    register("median_by_group", _median_by_group, "median within the unit's group (param group)")
    register("latest", _latest, "panel: carry the last known value forward")
    register(
        "linear",
        _linear,
        "panel: linear interpolation between known periods, nearest value outside",
    )


# -- runner -------------------------------------------------------------------------------------
def run(state: RunState, stage: Stage) -> StageOutput:
    """Fill missing values with the registered imputation method(s)."""
    data = state.current

    def apply(method: str, params: dict[str, Any], ctx: MethodContext, x: F) -> F:
        func = state.registry.method("impute", method)
        y = np.asarray(call_method(func, x, ctx, stage=stage, params=params))
        if y.shape != x.shape:
            raise ctx.error(f"method {method!r} returned shape {y.shape}, expected {x.shape}")
        with np.errstate(invalid="ignore"):
            changed = (y != x) & ~np.isnan(x)  # one pass, no copy of the known values
        if changed.any():
            raise ctx.error(f"method {method!r} changed non-missing values")
        return y

    out = by_column(state, stage, data, apply)
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
    logger.info("stage %r: %d values imputed", stage.name, int(filled.sum()))
    return data.derive(data.columns, out), {
        "imputed": cells,
        "n_imputed": int(filled.sum()),
        "still_missing": int(still.sum()),
        "all_missing_columns": all_nan,
        "warnings": [f"indicator {c!r} has no value at all; it stays missing" for c in all_nan],
    }
