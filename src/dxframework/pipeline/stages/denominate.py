"""The ``denominate`` stage: divide indicators by a denominator column of the raw data.

An indicator that names a ``denominator`` is divided by that column (checked present and
non-zero first) with the stage's method, ``ratio`` by default. The scale is, most specific
first: the stage's override for the indicator, the indicator's ``methods.denominate``, the
indicator's own ``scale``, the stage's ``scale``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from dxframework.errors import MethodError, Problem
from dxframework.methods.denominate import denominate
from dxframework.model.indicator import Indicator
from dxframework.pipeline.context import MethodContext, merged_settings
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages.common import F, RunState, StageOutput, call_method
from dxframework.plugins.hookspecs import MethodRegistrar, hookimpl

__all__ = ["register_denomination_methods", "run"]

logger = logging.getLogger(__name__)


def _ratio(x: F, d: F, ctx: MethodContext, scale: float = 1.0) -> F:
    return denominate(x, d, scale)


@hookimpl
def register_denomination_methods(register: MethodRegistrar) -> None:
    """The built-in denomination methods."""
    register("ratio", _ratio, "x / (d / scale): the indicator per scale units of its denominator")


def _problems(
    state: RunState, code: str, denominator: str, d: F, units: tuple[str, ...]
) -> list[Problem]:
    """A problem per unit whose denominator is zero."""
    return [
        Problem(
            f"denominator {denominator!r} is zero",
            file=state.raw.source,
            unit=units[i],
            indicator=code,
            column=denominator,
            hint="a zero denominator has no ratio; fix the value or leave it empty (missing)",
        )
        for _p, i in zip(*np.nonzero(d == 0), strict=True)
    ]


def run(state: RunState, stage: Stage) -> StageOutput:
    """Divide each indicator that names a denominator by that column of the raw data."""
    data = state.current
    out = data.values.copy()
    problems: list[Problem] = []
    missing: list[dict[str, Any]] = []
    applied: dict[str, str] = {}
    for j, code in enumerate(data.columns):
        node = state.framework.nodes.get(code)
        if not isinstance(node, Indicator) or not node.denominator:
            continue
        method, params = merged_settings(
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
        problems += _problems(state, code, node.denominator, d, data.unit_codes)
        # the indicator's own scale beats the stage's, not the indicator's settings
        local: dict[str, Any] = {}
        for layer in (node.methods.get("denominate"), stage.overrides.get(code)):
            if isinstance(layer, Mapping):
                local.update(layer)
        if "scale" not in local and node.scale != 1.0:
            params["scale"] = node.scale
        func = state.registry.method("denominate", method)
        ctx = MethodContext(state.framework, data, state.raw, (code,), stage.name)
        x = data.values[:, :, j : j + 1]
        y = np.asarray(
            call_method(func, x, d[:, :, np.newaxis], ctx, stage=stage, params=params),
            dtype=np.float64,
        )
        if y.shape != x.shape:
            raise ctx.error(f"method {method!r} returned shape {y.shape}, expected {x.shape}")
        out[:, :, j] = y[:, :, 0]
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
    logger.info("stage %r: %d indicators denominated", stage.name, len(applied))
    return data.derive(data.columns, out), {
        "denominated": applied,
        "missing_denominator": missing,
    }
