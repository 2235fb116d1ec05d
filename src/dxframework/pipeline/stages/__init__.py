"""Stage runners: one module per stage kind, each with its runner, its built-in methods
(thin adapters over :mod:`dxframework.methods`) and their registration through the hooks.

Each runner resolves per-node settings (merged key by key), groups columns that share a
method and parameters, calls the registered method once per group on all units and periods,
and writes a record of what it did. :data:`RUNNERS` maps every kind of the table of kinds
(:data:`dxframework.plugins.kinds.KINDS`) to its runner; importing this package checks that
the two cover exactly the same kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType

from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages import (
    aggregate,
    denominate,
    impute,
    normalise,
    screen,
    treat,
    weight,
)
from dxframework.pipeline.stages.common import RunState, StageOutput
from dxframework.plugins.kinds import KINDS

__all__ = ["RUNNERS", "RunState", "StageOutput", "run_stage"]

logger = logging.getLogger(__name__)

Runner = Callable[[RunState, Stage], StageOutput]

#: The runner of each stage kind.
RUNNERS: Mapping[str, Runner] = MappingProxyType(
    {
        "denominate": denominate.run,
        "impute": impute.run,
        "screen": screen.run,
        "treat": treat.run,
        "normalise": normalise.run,
        "weight": weight.run,
        "aggregate": aggregate.run,
    }
)

if set(RUNNERS) != set(KINDS):  # pragma: no cover - a kind added on one side only
    raise ImportError(
        "stage kinds and runners differ: "
        f"no runner for {sorted(set(KINDS) - set(RUNNERS))}, "
        f"no kind for {sorted(set(RUNNERS) - set(KINDS))}"
    )


def run_stage(state: RunState, stage: Stage) -> StageOutput:
    """Run one stage on ``state.current``; returns the new data set and the stage record."""
    logger.debug("running stage %r (%s, method %r)", stage.name, stage.kind, stage.method)
    return RUNNERS[stage.kind](state, stage)
