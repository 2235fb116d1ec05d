"""Running a pipeline: stages in order, then ranks, then the manifest."""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from dxframework.errors import DataError, Problem
from dxframework.methods.rank import competition_rank
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.result import RunResult, StageResult
from dxframework.pipeline.spec import Pipeline
from dxframework.pipeline.stages import RunState, run_stage
from dxframework.plugins.registry import Registry

__all__ = ["check_data", "file_sha256", "run_pipeline"]

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
    h.update(np.ascontiguousarray(data.values).tobytes())
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
        from dxframework.plugins.manager import get_registry

        registry = get_registry()
    check_data(framework, data)
    raw = data.select(columns=list(framework.indicator_codes))
    state = RunState(framework=framework, raw=data, current=raw, registry=registry)
    results: list[StageResult] = []
    for n, stage in enumerate(pipeline.stages, start=1):
        new, record = run_stage(state, stage)
        state.current = new
        results.append(StageResult(stage, new, record))
        if progress is not None:
            progress(stage.name, n, len(pipeline.stages))
    final = state.current
    agg_codes = [c for c in _ranked_order(framework) if final.has_column(c)]
    if pipeline.ranking.get("indicators"):
        agg_codes += [c for c in framework.indicator_codes if final.has_column(c)]
    scores = final.select(columns=agg_codes)
    digits = pipeline.ranking.get("digits")
    ranked = scores.values if digits is None else np.round(scores.values, int(digits))
    ranks = scores.with_columns(agg_codes, competition_rank(ranked))
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


def _ranked_order(framework: Framework) -> list[str]:
    """Aggregates from the index down: the headline first, then by descending level."""
    codes = list(framework.aggregate_codes)
    return sorted(codes, key=lambda c: (c != framework.index, -framework.level(c), codes.index(c)))


def _manifest(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    registry: Registry,
    provenance: Mapping[str, Any] | None,
) -> dict[str, Any]:
    from dxframework import __version__

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
