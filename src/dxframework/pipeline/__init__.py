"""Pipelines: stage specifications, the runner, and run results."""

from dxframework.pipeline.context import MethodContext
from dxframework.pipeline.result import RunResult, StageResult
from dxframework.pipeline.run import run_pipeline
from dxframework.pipeline.spec import DEFAULT_METHODS, KINDS, Pipeline, Stage

__all__ = [
    "DEFAULT_METHODS",
    "KINDS",
    "MethodContext",
    "Pipeline",
    "RunResult",
    "Stage",
    "StageResult",
    "run_pipeline",
]
