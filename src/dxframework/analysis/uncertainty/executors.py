"""Running many variants of a run: in this process, in a process pool or on Dask.

Rows are independent and the results are put back in row order, so they are identical for
any number of workers.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.analysis.uncertainty.batched import try_batched
from dxframework.analysis.uncertainty.binding import Plan, Progress
from dxframework.analysis.uncertainty.sampling import Row, Rows, as_rows
from dxframework.errors import DxfError, Problem
from dxframework.plugins.manager import get_registry
from dxframework.plugins.registry import Registry

__all__ = ["dask_client", "evaluate"]

F = NDArray[np.float64]


_WORKER: dict[str, Any] = {}

#: Draws per Dask task by default: the task count follows the study size, not the workers.
CHUNK_SIZE = 1000

#: A batched study smaller than this (draws × units × framework nodes) runs in one process:
#: it takes about a second there, less than starting processes and sending them work costs.
SMALL_WORK = 1e8


def _init_worker(plan: Plan, batched: bool) -> None:
    _WORKER["plan"] = plan
    _WORKER["registry"] = plan.registry or get_registry()
    _WORKER["batched"] = batched


def _run_rows(
    plan: Plan, registry: Registry | None, start: int, rows: Sequence[Row], batched: bool = True
) -> tuple[F, F] | tuple[int, list[Problem]]:
    """Run some draws (batched when the plan allows); on a failure, ``(draw, problems)``."""
    reg = registry if registry is not None else get_registry()
    if batched:
        done = try_batched(plan, rows, reg)
        if done is not None:
            return done
    scores = np.full((len(rows), len(plan.units)), np.nan)
    ranks = np.full_like(scores, np.nan)
    for k, us in enumerate(rows):
        try:
            scores[k], ranks[k] = plan.run(us, reg)
        except DxfError as exc:
            return start + k, list(exc.problems)
    return scores, ranks


def _worker_chunk(args: tuple[int, Rows]) -> tuple[F, F] | tuple[int, list[Problem]]:
    return _run_rows(_WORKER["plan"], _WORKER["registry"], *args, batched=_WORKER["batched"])


def _run_rows_remote(
    plan: Plan, start: int, rows: Rows, batched: bool = True
) -> tuple[F, F] | tuple[int, list[Problem]]:
    """A chunk of draws on a Dask worker (the plugins load there once per process)."""
    return _run_rows(plan, plan.registry or get_registry(), start, rows, batched)


def _failure(plan: Plan, rows: Sequence[Row], draw: int, problems: list[Problem]) -> DxfError:
    return DxfError(
        [
            attrs.evolve(p, message=f"run {draw + 1} ({plan.describe(rows[draw])}): {p.message}")
            for p in problems
        ]
    )


def evaluate(
    plan: Plan,
    rows: Sequence[Row],
    workers: int = 1,
    progress: Progress | None = None,
    client: Any = None,
    *,
    batched: bool = True,
    chunk_size: int | None = None,
) -> tuple[F, F]:
    """Run one pipeline variant per row of ``u`` vectors; ``(scores, ranks)``, row order.

    Rows are independent; with ``workers > 1`` they run in a process pool, with a Dask
    ``client`` on its cluster, in contiguous chunks, and the results are put back in row
    order, so they are identical for any number of workers. ``batched`` evaluates each chunk
    as array operations (:mod:`~dxframework.analysis.uncertainty.batched`) where the plan
    allows, with identical results; ``chunk_size`` sets the draws per chunk. A batched study
    smaller than :data:`SMALL_WORK` (draws × units × nodes) runs in this process whatever
    ``workers`` says, unless ``chunk_size`` is given: starting processes and sending them
    work would take longer than the study. The chunks sent to processes or Dask workers are
    ``(draws, D)`` arrays of the draws' ``u`` numbers.
    """
    rows = as_rows(rows, plan.sizes)
    total = len(rows)
    if chunk_size is not None and chunk_size < 1:
        raise DxfError(f"the chunk size must be at least 1, got {chunk_size}")
    if client is not None:
        return _evaluate_dask(plan, rows, client, progress, batched, chunk_size or CHUNK_SIZE)
    if workers < 1:
        raise DxfError(f"workers must be at least 1, got {workers}")
    workers = min(workers, os.cpu_count() or 1, max(total, 1))
    if batched and workers > 1 and chunk_size is None and _work(plan, total) < SMALL_WORK:
        workers = 1  # a small study: processes would cost more than they save
    if chunk_size is not None:
        size = chunk_size
    elif batched:  # few large chunks: each recomputes its distinct prefixes once
        size = max(1, math.ceil(total / (workers * 2))) if workers > 1 else max(1, total // 4)
    else:
        size = max(1, math.ceil(total / (workers * 4))) if workers > 1 else max(1, total // 20)
    starts = range(0, total, size)
    scores = np.full((total, len(plan.units)), np.nan)
    ranks = np.full_like(scores, np.nan)
    done = 0

    def collect(start: int, res: tuple[F, F] | tuple[int, list[Problem]]) -> None:
        nonlocal done
        if isinstance(res[0], int):
            draw, problems = res
            assert isinstance(problems, list)
            raise _failure(plan, rows, draw, problems)
        sc, rk = np.asarray(res[0]), np.asarray(res[1])
        scores[start : start + len(sc)] = sc
        ranks[start : start + len(sc)] = rk
        done += len(sc)
        if progress is not None:
            progress(done, total)

    if workers == 1:
        registry = plan.registry if plan.registry is not None else get_registry()
        for start in starts:
            collect(start, _run_rows(plan, registry, start, rows[start : start + size], batched))
    else:
        chunks = [(i, rows[i : i + size]) for i in starts]
        with ProcessPoolExecutor(
            workers, initializer=_init_worker, initargs=(plan, batched)
        ) as pool:
            try:
                for start, res in zip(starts, pool.map(_worker_chunk, chunks), strict=True):
                    collect(start, res)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # a draw failed: stop the rest
                raise
    return scores, ranks


def _work(plan: Plan, draws: int) -> float:
    """Size of a study: draws × units × framework nodes."""
    return float(draws) * len(plan.units) * len(plan.framework.nodes)


def _identity(value: Any) -> Any:
    return value


def _evaluate_dask(
    plan: Plan,
    rows: Rows,
    client: Any,
    progress: Progress | None,
    batched: bool,
    chunk_size: int,
) -> tuple[F, F]:
    """The draws on a Dask cluster, in chunks of ``chunk_size`` draws.

    The chunk count follows the study size, not the workers present at submission, so an
    adaptive cluster that starts with no worker scales up to the work. The plan is sent once,
    as a task of its own (no scatter: that needs a worker); chunks are collected as they
    complete and written into the result arrays at their rows, so the client never holds
    more than the result, and the result does not depend on the cluster.
    """
    from distributed import as_completed  # optional extra

    total = len(rows)
    remote_plan = client.submit(_identity, plan, pure=False)
    starts = list(range(0, total, chunk_size))
    futures = {
        client.submit(
            _run_rows_remote, remote_plan, i, rows[i : i + chunk_size], batched, pure=False
        ): i
        for i in starts
    }
    scores = np.full((total, len(plan.units)), np.nan)
    ranks = np.full_like(scores, np.nan)
    failures: list[tuple[int, list[Problem]]] = []
    done = 0
    for future in as_completed(list(futures)):  # type: ignore[no-untyped-call]
        res = future.result()
        start = futures.pop(future)
        future.release()
        if isinstance(res[0], int):
            draw, problems = res
            assert isinstance(problems, list)
            failures.append((draw, problems))
            continue
        scores[start : start + len(res[0])] = res[0]
        ranks[start : start + len(res[0])] = res[1]
        done += len(res[0])
        if progress is not None:
            progress(done, total)
    if failures:  # the first failing draw, whatever the order of completion
        draw, problems = min(failures, key=lambda f: f[0])
        raise _failure(plan, rows, draw, problems)
    return scores, ranks


@contextlib.contextmanager
def dask_client(n_workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client``: of a running scheduler (``tcp://host:8786``), or of a
    local cluster of ``n_workers`` processes started (and stopped) for the block.

    Needs ``dxframework[dask]``.
    """
    try:
        import distributed  # optional extra
    except ImportError:
        raise DxfError(
            Problem("Dask is not installed", hint="pip install 'dxframework[dask]'")
        ) from None
    with contextlib.ExitStack() as stack:
        target: Any = scheduler or stack.enter_context(
            distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=n_workers or 1, threads_per_worker=1, dashboard_address=None
            )
        )
        yield stack.enter_context(distributed.Client(target))  # type: ignore[no-untyped-call]
