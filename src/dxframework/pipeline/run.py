"""Running a pipeline: stages in order, then ranks, then the manifest."""

from __future__ import annotations

import hashlib
import logging
import platform
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from dxframework._version import __version__
from dxframework.errors import DataError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.result import RunResult, StageResult
from dxframework.pipeline.spec import Pipeline
from dxframework.pipeline.stages import RunState, run_stage
from dxframework.pipeline.stages.rank import rank_scores
from dxframework.plugins.manager import get_registry
from dxframework.plugins.registry import Registry

__all__ = ["check_data", "file_sha256", "run_pipeline"]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_data(framework: Framework, data: Dataset) -> None:
    """Check that every indicator of the framework has a column in ``data``."""
    missing = [c for c in framework.indicator_codes if not data.has_column(c)]
    if missing:
        raise DataError(
            [
                Problem(
                    f"no column for indicator {c!r}",
                    file=data.source,
                    column=c,
                    indicator=c,
                    hint="add the column; empty cells mark missing values",
                )
                for c in missing
            ]
        )


def _data_hash(data: Dataset) -> str:
    h = hashlib.sha256()
    h.update(repr((data.unit_codes, data.columns, data.periods)).encode())
    h.update(np.ascontiguousarray(data.values).data.cast("B"))  # the bytes, without a copy
    return h.hexdigest()


def run_pipeline(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    *,
    registry: Registry | None = None,
    progress: Progress | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run ``pipeline`` on ``data`` scored by ``framework``.

    Parameters
    ----------
    framework
        Indicators, aggregates and weights.
    data
        Units × columns × periods; must hold every indicator (and the denominator columns the
        indicators name). It is never modified.
    pipeline
        The stages to run, in order.
    registry
        Methods to use (default: everything the installed plugins register).
    progress
        Called as ``progress(stage_name, done, total)`` after each stage.
    provenance
        Extra manifest entries (pack name and version, input file hashes).

    Returns
    -------
    RunResult
        Every stage's data set and record, scores and ranks of every aggregate, a manifest.
    """
    if registry is None:
        registry = get_registry()
    check_data(framework, data)
    logger.info(
        "running pipeline %r: %d stages on %d units",
        pipeline.name,
        len(pipeline.stages),
        len(data.units),
    )
    raw = data.select(columns=list(framework.indicator_codes))
    state = RunState(framework=framework, raw=data, current=raw, registry=registry)
    results: list[StageResult] = []
    for n, stage in enumerate(pipeline.stages, start=1):
        new, record = run_stage(state, stage)
        state.current = new
        results.append(StageResult(stage, new, record))
        if progress is not None:
            progress(stage.name, n, len(pipeline.stages))
    scores, ranks = rank_scores(framework, state.current, pipeline.ranking)
    manifest = _manifest(framework, data, pipeline, registry, provenance)
    return RunResult(
        framework=framework,
        pipeline=pipeline,
        raw=raw,
        stages=tuple(results),
        scores=scores,
        ranks=ranks,
        manifest=manifest,
        input=data,
    )


def _manifest(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    registry: Registry,
    provenance: Mapping[str, Any] | None,
) -> dict[str, Any]:
    used: dict[str, str] = {}
    for stage in pipeline.stages:
        family = stage.kind
        if family in registry.methods and stage.method in registry.methods[family]:
            used[f"{family}:{stage.method}"] = registry.methods[family][stage.method].plugin
    return {
        "dxframework": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pipeline": pipeline.to_dict(),
        "methods": used,
        "framework": {
            "index": framework.index,
            "indicators": len(framework.indicators),
            "aggregates": len(framework.aggregates),
            "edges_sha256": hashlib.sha256(
                repr([(e.child, e.parent, e.weight) for e in framework.edges]).encode()
            ).hexdigest(),
        },
        "data": {
            "source": data.source,
            "units": len(data.units),
            "columns": len(data.columns),
            "periods": list(data.periods),
            "values_sha256": _data_hash(data),
        },
        **dict(provenance or {}),
    }
