"""Variance-based sensitivity analysis (METHODS.md §10): Sobol' indices of the assumptions.

Design (Saltelli et al. 2010): two ``(n, d)`` matrices ``A`` and ``B`` of numbers in
``[0, 1)``, one column per assumption of an
:class:`~dxframework.analysis.uncertainty.UncertaintySpec`, and for each assumption ``i``
the matrix ``A_B^(i)``: ``A`` with column ``i`` taken from ``B``. Every row of every matrix
is one run of the pipeline, ``n·(d + 2)`` runs in all (plus the nominal run the default
output is measured against). Weight noise counts as **one** assumption: the numbers for its
edges come, for each row, from a stream of their own
(``numpy.random.default_rng([seed, i, row])``), drawn twice (for ``A`` and for ``B``); a row
of ``A_B^(i)`` has ``A``'s edge numbers unless ``i`` is that assumption.

Each run gives one scalar output ``f``; by default the mean absolute rank shift of the units
against the nominal run, ``mean_u |rank_u − nominal rank_u|`` over the units ranked in both.
With ``V = var(f(A) ∪ f(B))`` (population variance of the ``2n`` values),

- first order (Saltelli 2010): ``S_i = mean_j( f(B)_j · (f(A_B^(i))_j − f(A)_j) ) / V``,
- total (Jansen 1999): ``ST_i = mean_j( (f(A)_j − f(A_B^(i))_j)² ) / 2 / V``.

Confidence intervals: the ``n`` rows are resampled with replacement (the same rows for ``A``,
``B`` and every ``A_B^(i)``) ``bootstrap`` times with ``numpy.random.default_rng(seed)``, the
indices recomputed (``V`` included), and the 2.5th and 97.5th percentiles taken (95 %).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.analysis.uncertainty.binding import Progress, bind
from dxframework.analysis.uncertainty.executors import evaluate
from dxframework.analysis.uncertainty.sampling import Row, unit_samples
from dxframework.analysis.uncertainty.spec import UncertaintySpec, WeightNoise
from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.spec import Pipeline
from dxframework.plugins.registry import Registry

__all__ = [
    "OUTPUTS",
    "SensitivityResult",
    "output_values",
    "run_sensitivity",
    "sobol_indices",
    "sobol_intervals",
]

F = NDArray[np.float64]

#: Scalar outputs of a run; ``rank:UNIT`` and ``score:UNIT`` follow one unit.
OUTPUTS = ("mean_rank_shift", "mean_score_shift", "rank:UNIT", "score:UNIT")


def sobol_indices(fA: ArrayLike, fB: ArrayLike, fAB: ArrayLike) -> tuple[F, F]:
    """First-order and total Sobol' indices from the outputs of a Saltelli design.

    Parameters
    ----------
    fA, fB
        Outputs of the rows of ``A`` and ``B``, shape ``(..., n)``.
    fAB
        Outputs of the rows of every ``A_B^(i)``, shape ``(..., d, n)``.

    Returns
    -------
    tuple
        ``(S, ST)``, each of shape ``(..., d)``:
        ``S_i = mean(f(B)·(f(A_B^(i)) − f(A))) / V`` (Saltelli 2010) and
        ``ST_i = mean((f(A) − f(A_B^(i)))²) / 2 / V`` (Jansen), with ``V`` the population
        variance of ``f(A)`` and ``f(B)`` together. NaN where ``V = 0`` (the output does not
        vary).
    """
    a = np.asarray(fA, dtype=np.float64)
    b = np.asarray(fB, dtype=np.float64)
    ab = np.asarray(fAB, dtype=np.float64)
    if a.shape != b.shape or ab.shape[:-2] != a.shape[:-1] or ab.shape[-1] != a.shape[-1]:
        raise ValueError(
            f"shapes do not fit a Saltelli design: fA {a.shape}, fB {b.shape}, fAB {ab.shape}"
        )
    v = np.var(np.concatenate([a, b], axis=-1), axis=-1)[..., np.newaxis]
    a_, b_ = a[..., np.newaxis, :], b[..., np.newaxis, :]
    first = np.mean(b_ * (ab - a_), axis=-1)
    total = np.mean((a_ - ab) ** 2, axis=-1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(v > 0, first / v, np.nan)
        st = np.where(v > 0, total / v, np.nan)
    return s, st


def sobol_intervals(
    fA: ArrayLike,
    fB: ArrayLike,
    fAB: ArrayLike,
    bootstrap: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[F, F, F, F]:
    """Bootstrap percentile intervals of :func:`sobol_indices`: ``(S_low, S_high, ST_low,
    ST_high)``, each of shape ``(d,)``.

    The ``n`` rows are resampled with replacement ``bootstrap`` times
    (``numpy.random.default_rng(seed).integers(0, n, (bootstrap, n))``); the same rows are
    taken from ``fA``, ``fB`` and every ``fAB[i]``. Bounds are the ``(1 ± confidence)/2``
    percentiles (numpy's linear interpolation).
    """
    a = np.asarray(fA, dtype=np.float64)
    b = np.asarray(fB, dtype=np.float64)
    ab = np.asarray(fAB, dtype=np.float64)
    if a.ndim != 1 or ab.ndim != 2:
        raise ValueError("give fA, fB of shape (n,) and fAB of shape (d, n)")
    d, n = ab.shape
    if bootstrap < 1 or n < 1:
        nan = np.full(d, np.nan)
        return nan, nan.copy(), nan.copy(), nan.copy()
    idx = np.random.default_rng(seed).integers(0, n, size=(bootstrap, n))
    s, st = sobol_indices(a[idx], b[idx], np.moveaxis(ab[:, idx], 0, 1))
    q = [50.0 * (1.0 - confidence), 50.0 * (1.0 + confidence)]
    with np.errstate(invalid="ignore"):
        s_q = np.nanpercentile(s, q, axis=0) if np.isfinite(s).any() else np.full((2, d), np.nan)
        st_q = np.nanpercentile(st, q, axis=0) if np.isfinite(st).any() else np.full((2, d), np.nan)
    return s_q[0], s_q[1], st_q[0], st_q[1]


def _check_output(output: str, units: Sequence[str]) -> None:
    if output in ("mean_rank_shift", "mean_score_shift"):
        return
    kind, _, unit = output.partition(":")
    if kind in ("rank", "score") and unit:
        if unit not in units:
            raise DxfError(Problem(f"output {output!r}: no unit {unit!r}", unit=unit))
        return
    raise DxfError(
        Problem(f"unknown sensitivity output {output!r}", hint=f"use one of: {', '.join(OUTPUTS)}")
    )


def output_values(
    output: str,
    scores: F,
    ranks: F,
    nominal_score: F,
    nominal_rank: F,
    units: Sequence[str],
) -> F:
    """The scalar output of each run (row) of ``scores``/``ranks`` ``(runs, units)``.

    ``mean_rank_shift``: ``mean_u |rank − nominal rank|``; ``mean_score_shift``: the same for
    scores (both over the units scored in the run and the nominal run); ``rank:UNIT``,
    ``score:UNIT``: one unit's rank or score.
    """
    _check_output(output, units)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a run that ranks no unit
        if output == "mean_rank_shift":
            return np.asarray(np.nanmean(np.abs(ranks - nominal_rank), axis=1))
        if output == "mean_score_shift":
            return np.asarray(np.nanmean(np.abs(scores - nominal_score), axis=1))
    kind, _, unit = output.partition(":")
    j = list(units).index(unit)
    return np.asarray((ranks if kind == "rank" else scores)[:, j], dtype=np.float64)


@attrs.frozen(eq=False)
class SensitivityResult:
    """First-order and total Sobol' indices of each assumption, with bootstrap intervals.

    Attributes
    ----------
    assumptions
        Labels of the assumptions, in the order of the index arrays.
    output, code, period
        The scalar output, the aggregate it is read from and the period.
    n, runs
        Rows of ``A`` (and ``B``) and the number of pipeline runs, ``n·(d + 2)``.
    S, S_low, S_high, ST, ST_low, ST_high
        Indices and interval bounds, shape ``(d,)``.
    f_A, f_B, f_AB
        The outputs of the runs: ``(n,)``, ``(n,)``, ``(d, n)``.
    variance
        ``V``, the variance of the output over ``A`` and ``B``.
    seed, sampler, bootstrap, confidence
        How the design and the intervals were made.
    """

    assumptions: tuple[str, ...]
    output: str
    code: str
    period: int
    n: int
    runs: int
    S: F
    S_low: F
    S_high: F
    ST: F
    ST_low: F
    ST_high: F
    f_A: F
    f_B: F
    f_AB: F
    variance: float
    seed: int
    sampler: str
    bootstrap: int
    confidence: float

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per assumption: ``S``, its interval, ``ST``, its interval."""
        return [
            {
                "assumption": name,
                "S": float(self.S[i]),
                "S_low": float(self.S_low[i]),
                "S_high": float(self.S_high[i]),
                "ST": float(self.ST[i]),
                "ST_low": float(self.ST_low[i]),
                "ST_high": float(self.ST_high[i]),
            }
            for i, name in enumerate(self.assumptions)
        ]


def _design(
    n: int, sizes: Sequence[int], noise: Sequence[bool], seed: int, sampler: str
) -> list[Row]:
    """Rows of ``A``, ``B``, then ``A_B^(1)``…``A_B^(d)``, as one ``u`` array per assumption."""
    d = len(sizes)
    ab = unit_samples(n, 2 * d, seed, sampler)
    ua: list[F] = []
    ub: list[F] = []
    for i, (m, is_noise) in enumerate(zip(sizes, noise, strict=True)):
        if is_noise:  # a stream per row; A and B draw from it in turn
            pairs = np.stack([np.random.default_rng([seed, i, r]).random((2, m)) for r in range(n)])
            ua.append(pairs[:, 0])
            ub.append(pairs[:, 1])
        else:
            ua.append(ab[:, i : i + 1])
            ub.append(ab[:, d + i : d + i + 1])
    rows: list[Row] = [tuple(u[r] for u in ua) for r in range(n)]
    rows += [tuple(u[r] for u in ub) for r in range(n)]
    for i in range(d):
        rows += [tuple(ub[j][r] if j == i else ua[j][r] for j in range(d)) for r in range(n)]
    return rows


def run_sensitivity(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    spec: UncertaintySpec,
    n: int = 64,
    seed: int = 0,
    output: str = "mean_rank_shift",
    bootstrap: int = 200,
    *,
    sampler: str = "random",
    confidence: float = 0.95,
    code: str | None = None,
    period: int | None = None,
    workers: int = 1,
    registry: Registry | None = None,
    progress: Progress | None = None,
    client: Any = None,
    batched: bool = True,
    chunk_size: int | None = None,
) -> SensitivityResult:
    """Sobol' indices of the assumptions of ``spec`` for a scalar output of the run.

    Runs the ``n·(d + 2)`` variants of the Saltelli design (see the module documentation),
    computes :func:`sobol_indices` and their bootstrap intervals (:func:`sobol_intervals`).

    Parameters
    ----------
    framework, data, pipeline, spec
        As for :func:`~dxframework.analysis.uncertainty.run_uncertainty`.
    n
        Rows of ``A`` and ``B`` (a power of 2 with ``sampler="sobol"``).
    seed
        Seeds the design and the bootstrap: the same seed gives identical results.
    output
        ``"mean_rank_shift"`` (default), ``"mean_score_shift"``, ``"rank:UNIT"`` or
        ``"score:UNIT"`` (see :func:`output_values`).
    bootstrap
        Resamples for the confidence intervals (0: none, NaN bounds).
    sampler
        ``"random"`` or ``"sobol"`` for ``A`` and ``B`` (one ``2d``-dimensional sequence).
    confidence
        Level of the intervals.
    code, period, workers, registry, progress, client, batched, chunk_size
        As for :func:`~dxframework.analysis.uncertainty.run_uncertainty`.
    """
    if n < 2:
        raise DxfError(f"the sensitivity design needs n ≥ 2 rows, got {n}")
    if seed < 0:
        raise DxfError(f"the seed must be a non-negative integer, got {seed}")
    if not 0.0 < confidence < 1.0:
        raise DxfError(f"confidence must be between 0 and 1, got {confidence}")
    _check_output(output, data.unit_codes)
    plan, nominal = bind(framework, data, pipeline, spec, code, period, registry)
    d = len(spec.assumptions)
    noise = [isinstance(a, WeightNoise) for a in spec.assumptions]
    rows = _design(n, plan.sizes, noise, seed, sampler)
    scores, ranks = evaluate(
        plan, rows, workers, progress, client, batched=batched, chunk_size=chunk_size
    )
    s0, r0 = plan.extract(nominal)
    f = output_values(output, scores, ranks, s0, r0, plan.units)
    fA, fB, fAB = f[:n], f[n : 2 * n], f[2 * n :].reshape(d, n)
    s, st = sobol_indices(fA, fB, fAB)
    s_lo, s_hi, st_lo, st_hi = sobol_intervals(fA, fB, fAB, bootstrap, seed, confidence)
    return SensitivityResult(
        assumptions=spec.names,
        output=output,
        code=plan.code,
        period=plan.period,
        n=n,
        runs=len(rows),
        S=s,
        S_low=s_lo,
        S_high=s_hi,
        ST=st,
        ST_low=st_lo,
        ST_high=st_hi,
        f_A=fA,
        f_B=fB,
        f_AB=fAB,
        variance=float(np.var(np.concatenate([fA, fB]))),
        seed=seed,
        sampler=sampler,
        bootstrap=bootstrap,
        confidence=confidence,
    )
