"""Running an uncertainty analysis: ``n`` draws of the assumptions, summarised per unit."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dxframework.analysis.uncertainty.binding import Progress, bind
from dxframework.analysis.uncertainty.executors import evaluate
from dxframework.analysis.uncertainty.results import UncertaintyResult
from dxframework.analysis.uncertainty.sampling import Rows, unit_samples
from dxframework.analysis.uncertainty.spec import UncertaintySpec
from dxframework.errors import DxfError
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.spec import Pipeline
from dxframework.plugins.registry import Registry

__all__ = ["run_targets", "run_uncertainty"]

logger = logging.getLogger(__name__)


def run_uncertainty(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    spec: UncertaintySpec,
    n: int = 200,
    seed: int = 0,
    *,
    sampler: str = "random",
    code: str | None = None,
    period: int | None = None,
    workers: int = 1,
    registry: Registry | None = None,
    progress: Progress | None = None,
    client: Any = None,
    batched: bool = True,
    chunk_size: int | None = None,
) -> UncertaintyResult:
    """Run ``n`` random variants of ``pipeline`` and summarise scores and ranks per unit.

    Draw ``k`` takes row ``k`` of :func:`unit_samples` ``(n, D)``, ``D`` the total number of
    ``u``'s (one per choice or uniform parameter, one per edge of each weight noise), maps
    it to assumption values, and runs the pipeline with them.

    Parameters
    ----------
    framework, data, pipeline
        What the nominal run uses.
    spec
        The uncertain assumptions.
    n
        Number of draws.
    seed
        Seed of the sampler (a non-negative integer): the same seed gives identical results.
    sampler
        ``"random"`` or ``"sobol"``.
    code
        The aggregate whose scores and ranks are collected (default: the index).
    period
        The period (default: the last).
    workers
        Processes running draws in parallel (results do not depend on it).
    registry
        Methods to use (default: every installed plugin's).
    progress
        ``progress(done, total)`` as draws complete.
    client
        A ``dask.distributed.Client``: the draws run on its cluster instead (``workers`` is
        then ignored); results are identical to a local run.
    batched
        Evaluate the draws as array operations where the study allows (the default); the
        results are identical to the per-draw path (``batched=False``), which remains the
        reference and the fallback (see :mod:`~dxframework.analysis.uncertainty.batched`).
    chunk_size
        Draws per chunk of work (a process-pool job or a Dask task; default: a few chunks per
        worker locally, 1 000 draws per task on Dask).

    Raises
    ------
    DxfError
        On a spec that does not fit the pipeline or framework, or when a draw fails (naming
        the draw and its assumption values).
    """
    if n < 1:
        raise DxfError(f"the number of draws must be at least 1, got {n}")
    if seed < 0:
        raise DxfError(f"the seed must be a non-negative integer, got {seed}")
    plan, nominal = bind(framework, data, pipeline, spec, code, period, registry)
    logger.info("running %d draws of %d assumption(s)", n, len(spec.assumptions))
    rows = Rows(unit_samples(n, sum(plan.sizes), seed, sampler), plan.sizes)
    scores, ranks = evaluate(
        plan, rows, workers, progress, client, batched=batched, chunk_size=chunk_size
    )
    s0, r0 = plan.extract(nominal)
    seen = ~(np.isnan(s0) & np.all(np.isnan(scores), axis=0))
    keep = [i for i, k in enumerate(seen) if k]
    names = {u.code: u.name for u in data.units}
    return UncertaintyResult(
        code=plan.code,
        period=plan.period,
        units=tuple(plan.units[i] for i in keep),
        unit_names=tuple(names[plan.units[i]] for i in keep),
        assumptions=spec.names,
        nominal_score=s0[keep],
        nominal_rank=r0[keep],
        scores=scores[:, keep],
        ranks=ranks[:, keep],
        draws=plan.values_of_rows(rows),
        seed=seed,
        sampler=sampler,
    )


def run_targets(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    spec: UncertaintySpec,
    n: int = 200,
    seed: int = 0,
    **options: Any,
) -> dict[tuple[str, int], UncertaintyResult]:
    """:func:`run_uncertainty` for every aggregate of ``spec.aggregates`` in every period of
    ``spec.periods`` (default: the index, the last period), keyed ``(aggregate, period)``.

    Every target takes the same draws (the same seed and assumptions), so the results of two
    aggregates or two periods come from the same variants of the pipeline, and each equals the
    study run on its own for that aggregate and period. ``options`` are those of
    :func:`run_uncertainty` but ``code`` and ``period``.
    """
    if "code" in options or "period" in options:
        raise DxfError("give the aggregates and periods in the spec, not as code or period")
    out: dict[tuple[str, int], UncertaintyResult] = {}
    for period in spec.periods or (None,):
        for code in spec.aggregates or (None,):
            res = run_uncertainty(
                framework, data, pipeline, spec, n, seed, code=code, period=period, **options
            )
            out[(res.code, res.period)] = res
    return out
