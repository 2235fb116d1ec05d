"""Batched evaluation: many draws as array operations along a leading replication axis.

The per-draw path (:meth:`Plan.run`) reruns the whole pipeline from the raw data for every
draw. The batched path gives the same numbers, bit for bit, with far less work:

1. Draws are grouped by what they change **before** the aggregate stage (a method or a
   parameter of the impute, treat or normalise stage…). Each distinct prefix of stage settings
   is run once, through the ordinary stage runners: for each winsorisation limit the data are
   treated once, for each treated set and normalisation they are normalised once. Stages no
   assumption touches (denominate, impute, screen in the usual study) run once for the whole
   study. Draws sharing a prefix follow each other, so only the current path of intermediate
   results is kept.
2. Within a prefix, draws are grouped by the aggregate stage's settings; the aggregation then
   runs once per group on a ``(replications, children, parents)`` weight array (the weight
   noise of every draw), through the same level loop and aggregation functions as a plain run
   (:func:`dxframework.pipeline.stages.aggregate.aggregate_levels`); those sum each parent's
   own children in a fixed order, so a replication's scores do not depend on the batch.
3. The index is ranked for the whole batch at once (competition ranking, as a plain run),
   each draw's scores sorted along contiguous memory.
4. With data noise, the draws of a chunk take the period axis of one data set through the
   ordinary stage runners; when the only stage before the aggregation is a plain min–max,
   the chunk is normalised in place, indicator-first, without building the stage's data
   set (:func:`_plain_group`).

Replications are processed in chunks whose size keeps the aggregation's arrays under a memory
budget (``memory_mb``). The batched path covers pipelines whose last stage is their only
aggregate stage, aggregated with the built-in arithmetic, geometric, harmonic or generalised
means, and no weight stage when the weights are perturbed. Anything else — and any draw that
fails, so that the error names the same draw as the per-draw path — runs per draw.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.analysis.uncertainty.binding import Plan
from dxframework.analysis.uncertainty.sampling import Row, Rows, as_rows
from dxframework.analysis.uncertainty.spec import Choice, DataNoise, WeightNoise
from dxframework.errors import DxfError, MethodError
from dxframework.methods.normalise import minmax_with_range
from dxframework.model.dataset import Dataset
from dxframework.pipeline.context import (
    BlankScoredWarning,
    MethodContext,
    column_groups,
    merged_settings,
)
from dxframework.pipeline.run import check_data
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages import RunState, run_stage
from dxframework.pipeline.stages import aggregate as agg_stage
from dxframework.pipeline.stages import normalise as norm_stage
from dxframework.pipeline.stages.common import column_settings
from dxframework.plugins.registry import Registry

__all__ = ["NotBatchable", "batch_reason", "evaluate_batched"]

F = NDArray[np.float64]

#: The built-in aggregations, vectorised over a leading replication axis of the weights.
_BATCHABLE = {
    "arithmetic": agg_stage._arithmetic,
    "geometric": agg_stage._geometric,
    "harmonic": agg_stage._harmonic,
    "generalised": agg_stage._generalised,
}

#: Default memory budget of one batch of the aggregation, in MB.
MEMORY_MB = 512.0

#: Largest array of a batch with data noise, in MB: small enough to stay in the processor's
#: cache and for the memory allocator to reuse (large arrays are mapped afresh and
#: page-faulted at every allocation).
ARRAY_MB = 8.0


class NotBatchable(Exception):
    """The study needs the per-draw path (the message says why)."""


def batch_reason(plan: Plan, registry: Registry) -> str | None:
    """Why the batched path cannot run this plan, or ``None`` when it can."""
    stages = list(plan.pipeline.stages)
    kinds = [s.kind for s in stages]
    if kinds.count("aggregate") != 1 or kinds[-1] != "aggregate":
        return "the pipeline must end with its only aggregate stage"
    noisy = any(isinstance(a, WeightNoise) for a in plan.assumptions)
    if noisy and "weight" in kinds:
        return "weight noise with a weight stage"
    if any(isinstance(a, DataNoise) for a in plan.assumptions):
        bad = [s.kind for s in stages[:-1] if s.kind not in _PER_PERIOD]
        if bad:
            return f"data noise with a {bad[0]} stage"
    if not plan.framework.nodes.get(plan.code) or plan.code in plan.framework.indicator_codes:
        return "the output is not an aggregate"
    return None


#: Stage kinds that work period by period (so that replications can take the period axis),
#: the impute stage with its per-period methods only (checked per group).
_PER_PERIOD = frozenset({"impute", "treat", "normalise"})
_PANEL_IMPUTATION = frozenset({"latest", "linear"})


def _check_aggregate(plan: Plan, stage: Stage, registry: Registry) -> None:
    """Every aggregate of ``stage`` uses a batchable built-in method, on its own children."""
    fw = plan.framework
    params = dict(stage.params)
    params.pop("min_availability", None)
    level_settings = params.pop("levels", {}) or {}
    for level in range(2, fw.max_level + 1):
        codes = list(fw.codes_at_level(level))
        method, lparams = stage.method, dict(params)
        lvl = level_settings.get(str(level), level_settings.get(fw.level_name(level)))
        if lvl is not None:
            method, lparams = merged_settings("aggregate", lparams, method, None, lvl)
        settings = [
            merged_settings(
                "aggregate", lparams, method, fw.nodes[c].methods, stage.overrides.get(c)
            )
            for c in codes
        ]
        for m, mparams, _ in column_groups(settings):
            if "inputs" in mparams:
                raise NotBatchable("aggregation of other inputs than the children")
            if m not in _BATCHABLE or registry.method("aggregate", m).func is not _BATCHABLE[m]:
                raise NotBatchable(f"aggregation method {m!r}")


def _key(stage: Stage) -> str:
    return repr((stage.kind, stage.method, sorted(stage.params.items(), key=str), stage.overrides))


class _Prefixes:
    """The intermediate results of the current path of stage settings (depth-first)."""

    def __init__(self, plan: Plan, registry: Registry) -> None:
        check_data(plan.framework, plan.data)
        raw = plan.data.select(columns=list(plan.framework.indicator_codes))
        self.root = RunState(
            framework=plan.framework, raw=plan.data, current=raw, registry=registry
        )
        self.path: list[tuple[str, RunState]] = []

    def state(self, stages: Sequence[Stage]) -> RunState:
        keys = [_key(s) for s in stages]
        keep = 0
        while keep < min(len(keys), len(self.path)) and self.path[keep][0] == keys[keep]:
            keep += 1
        del self.path[keep:]
        state = self.path[-1][1] if self.path else self.root
        for stage, key in zip(stages[keep:], keys[keep:], strict=True):
            state = attrs.evolve(state, weights=dict(state.weights))
            state.current, _ = run_stage(state, stage)
            self.path.append((key, state))
        return state


def _noise(plan: Plan, rows: Rows, idx: Sequence[int]) -> dict[tuple[str, str], F]:
    """Each perturbed edge's weight in the draws ``idx``: ``nominal · multiplier``."""
    nominal = {(e.child, e.parent): e.weight for e in plan.framework.edges}
    out: dict[tuple[str, str], F] = {}
    for k, (a, edges) in enumerate(plan.zipped):
        if isinstance(a, WeightNoise) and edges:
            mult = a.multipliers(rows.block(k)[np.asarray(idx)])  # (draws, edges)
            for e, edge in enumerate(edges):
                out[edge] = nominal[edge] * mult[:, e]
    return out


def evaluate_batched(
    plan: Plan,
    rows: Sequence[Row],
    registry: Registry,
    memory_mb: float = MEMORY_MB,
) -> tuple[F, F]:
    """Scores and ranks of ``plan.code`` per draw, ``(len(rows), units)``, in row order.

    Identical to running :meth:`Plan.run` on every row (see the module documentation).

    Raises
    ------
    NotBatchable
        When the plan needs the per-draw path.
    DxfError
        When a draw fails (the caller reruns per draw to name it).
    """
    reason = batch_reason(plan, registry)
    if reason is not None:
        raise NotBatchable(reason)
    rows = as_rows(rows, plan.sizes)
    n_units = len(plan.units)
    scores = np.full((len(rows), n_units), np.nan)
    ranks = np.full_like(scores, np.nan)
    if not rows:
        return scores, ranks
    # each draw's settings per stage, as numbers: a choice's index, a uniform's value
    stage_pos = {st.name: j for j, st in enumerate(plan.pipeline.stages)}
    n_stages = len(stage_pos)
    per_stage: list[list[int]] = [[] for _ in range(n_stages)]
    columns = []
    for k, a in enumerate(plan.assumptions):
        if isinstance(a, WeightNoise | DataNoise):
            continue
        u = rows.block(k)[:, 0]
        if isinstance(a, Choice):
            m = len(a.values)
            columns.append(np.minimum(np.floor(u * m), m - 1))
        else:
            columns.append(a.low + u * (a.high - a.low))
        per_stage[stage_pos[a.stage]].append(len(columns) - 1)
    table = np.stack(columns, axis=1) if columns else np.zeros((len(rows), 0))
    # the draws grouped by their settings, in the order of the stages, so that groups
    # sharing the settings of the first stages (a prefix) follow each other
    table = table[:, [c for cs in per_stage for c in cs]]
    keys, inverse = np.unique(table, axis=0, return_inverse=True)
    order = np.argsort(inverse.reshape(-1), kind="stable")
    bounds = np.searchsorted(inverse.reshape(-1)[order], np.arange(len(keys) + 1))
    groups = [order[a:b].tolist() for a, b in itertools.pairwise(bounds.tolist())]
    prefixes = _Prefixes(plan, registry)
    noisy = any(isinstance(a, DataNoise) for a in plan.assumptions)
    fw = plan.framework
    n_agg = len(fw.aggregate_codes)
    index = {u: i for i, u in enumerate(plan.units)}
    with warnings.catch_warnings():  # blanks scored 0: the nominal run warns once
        warnings.simplefilter("ignore", BlankScoredWarning)
        for idx in groups:  # shared prefixes next to each other
            stages = plan.stages_for(rows[idx[0]])
            agg = stages[-1]
            _check_aggregate(plan, agg, registry)
            if noisy:
                _noisy_group(plan, rows, idx, stages, registry, memory_mb, scores, ranks)
                continue
            state = prefixes.state(stages[:-1])
            data = state.current
            p = data.period_index(plan.period)
            where = _where([index[u] for u in data.unit_codes], n_units)
            base = {c: data.values[p, :, j] for j, c in enumerate(data.columns)}
            width = max(len(data.columns), n_agg) + 2 * n_agg
            per_draw = 8.0 * len(data.unit_codes) * width * 3
            size = max(1, int(memory_mb * 1e6 // per_draw))
            for start in range(0, len(idx), size):
                part = idx[start : start + size]
                noise = _noise(plan, rows, part)

                weights = _weights(plan, state, noise, len(part))
                cols: dict[str, Any] = dict(base)
                agg_stage.aggregate_levels(state, agg, data, cols, weights)
                _store(plan, cols[plan.code], part, where, scores, ranks)
    return scores, ranks


def _weights(
    plan: Plan, state: RunState, noise: dict[tuple[str, str], F], n: int
) -> agg_stage.WeightMatrix:
    """The weight matrices of a batch: ``(n, children, parents)`` where an edge is noisy."""

    def weights(children: Sequence[str], parents: Sequence[str]) -> F:
        w = plan.framework.weight_matrix(children, parents, state.weights or None)
        pos = {c: i for i, c in enumerate(children)}
        col = {p: j for j, p in enumerate(parents)}
        hits = [(pos[c], col[q], v) for (c, q), v in noise.items() if q in col and c in pos]
        if not hits:
            return w
        wb = np.repeat(w[np.newaxis], n, axis=0)
        for i, j, v in hits:
            wb[:, i, j] = v
        return wb

    return weights


def competition_rank_rows(s: F) -> F:
    """Competition ranks (1 = highest; ties share the best rank) along the last axis.

    The ranks of :func:`dxframework.methods.rank.competition_rank` over units, for a
    ``(replications, units)`` batch: one sort per row along contiguous memory. Equal scores
    share the rank of the first of them whatever order the sort leaves them in, so any sort
    gives the same ranks; NaN (sorted last) gets NaN.
    """
    neg = np.negative(s)
    order = np.argsort(neg, axis=-1)
    srt = np.take_along_axis(neg, order, axis=-1)
    n = s.shape[-1]
    new = np.ones(srt.shape, dtype=bool)
    np.not_equal(srt[..., 1:], srt[..., :-1], out=new[..., 1:])
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0), axis=-1)
    out = np.empty(s.shape)
    np.put_along_axis(out, order, (first + 1).astype(np.float64), axis=-1)
    out[np.isnan(s)] = np.nan
    return out


Where = slice | NDArray[np.intp]


def _where(rows_of: Sequence[int], n_units: int) -> Where:
    """The result columns of a batch's units: a slice when they are all units in order."""
    if len(rows_of) == n_units and list(rows_of) == list(range(n_units)):
        return slice(None)
    return np.asarray(rows_of, dtype=np.intp)


def _store(plan: Plan, s: F, part: Sequence[int], where: Where, scores: F, ranks: F) -> None:
    """Scores of a batch and their ranks (competition ranking, as a plain run) in place."""
    digits = plan.pipeline.ranking.get("digits")
    n = scores.shape[1] if isinstance(where, slice) else len(where)
    s = np.broadcast_to(s, (len(part), n))
    ranked = s if digits is None else np.round(s, int(digits))
    r = competition_rank_rows(ranked)
    at = np.asarray(part, dtype=np.intp)
    if isinstance(where, slice):
        scores[at] = s
        ranks[at] = r
    else:
        scores[np.ix_(at, where)] = s
        ranks[np.ix_(at, where)] = r


def _single_noise(plan: Plan, us: Row) -> tuple[DataNoise, float] | None:
    """The draw's one data noise when it perturbs every indicator of a one-period data set."""
    noises = [(a, float(u[0])) for (a, _), u in zip(plan.zipped, us, strict=True)]
    found = [(a, u) for a, u in noises if isinstance(a, DataNoise)]
    if len(plan.data.periods) == 1 and len(found) == 1 and not found[0][0].indicators:
        return found[0]
    return None


def _noisy_period(plan: Plan, us: Row, p: int, ind: Sequence[int], base: F, out: F) -> None:
    """The indicator columns ``ind`` of period ``p`` with the draw's data noise, into ``out``.

    The same numbers as :meth:`Plan.noisy_values` (each noise draws its numbers for every
    period of its columns, in the same order), without copying the whole data set.
    """
    single = _single_noise(plan, us)
    if single is not None:  # every indicator, in framework order: ``base``'s columns
        noise, v = single
        noise.fill(noise.generator(v), base, out)
        return
    vals = plan.data.values
    where = {c: n for n, c in enumerate(ind)}
    out[...] = base
    for (a, _), uu in zip(plan.zipped, us, strict=True):
        if not isinstance(a, DataNoise):
            continue
        u = float(uu[0])
        codes = a.indicators or plan.framework.indicator_codes
        cols = [plan.data.column_index(c) for c in codes]
        mine = [where[c] for c in cols]
        if len(plan.data.periods) == 1 and mine == list(range(len(ind))):
            a.apply(u, out[np.newaxis], out=out[np.newaxis])
        elif len(plan.data.periods) == 1:
            out[:, mine] = a.apply(u, out[np.newaxis][..., mine])[0]
        else:  # the numbers of every period are drawn; the other periods' are dropped
            full = vals[..., cols].copy()
            full[p] = out[:, mine]
            out[:, mine] = a.apply(u, full)[p]


#: Size of the blocks of a chunk normalised at a time, in MB (they stay in cache).
BLOCK_MB = 0.5

#: Units per block when a draw's noisy values are written indicator-first (fits in L2).
BLOCK_UNITS = 1024


def _noisy_transposed(
    plan: Plan,
    us: Row,
    p: int,
    ind: Sequence[int],
    base: F,
    dirs: F,
    out_t: F,
    extremes: F,
    base_t: tuple[F, F] | None = None,
) -> None:
    """:func:`_noisy_period` times the directions, transposed: ``out_t`` is
    ``(indicators, units)``; ``extremes`` ``(2, indicators)`` receives each column's minimum
    and maximum (NaN ignored; NaN for a column without a value).

    One noise on every indicator is drawn block by block of units, so that each block is
    drawn, applied, transposed and reduced while in cache (the generator hands out its
    numbers in the same order as for the whole). Multiplicative noise is applied to the
    values times their direction, transposed in the same operation: ``(x·d)·m = (x·m)·d``
    exactly for ``d = ±1``. ``base_t`` is ``(base·dirs)ᵀ, baseᵀ`` if already made.
    """
    single = _single_noise(plan, us)
    lo, hi = extremes[0], extremes[1]
    if single is None:
        full = np.empty_like(base)
        _noisy_period(plan, us, p, ind, base, full)
        full *= dirs  # as a run's first normalisation applies the direction
        out_t[...] = full.T
        lo[...] = np.fmin.reduce(full, axis=0)
        hi[...] = np.fmax.reduce(full, axis=0)
        return
    noise, u = single
    n = base.shape[0]
    rng = noise.generator(u)
    tmp = np.empty((min(BLOCK_UNITS, n), base.shape[1]))
    multiplicative = noise.kind == "multiplicative"
    if base_t is None:
        base_t = (np.ascontiguousarray((base * dirs).T), np.ascontiguousarray(base.T))
    based = base_t[0] if multiplicative else base_t[1]  # (indicators, units)
    lo.fill(np.nan)
    hi.fill(np.nan)
    for b0 in range(0, n, BLOCK_UNITS):
        b1 = min(n, b0 + BLOCK_UNITS)
        blk = tmp[: b1 - b0]
        noise.terms(rng, blk)
        out = out_t[:, b0:b1]
        if multiplicative:
            np.multiply(based[:, b0:b1], blk.T, out=out)
        else:
            np.add(based[:, b0:b1], blk.T, out=out)
            out *= dirs[:, np.newaxis]
        np.fmin(lo, np.fmin.reduce(out, axis=1), out=lo)
        np.fmax(hi, np.fmax.reduce(out, axis=1), out=hi)


def _plain_minmax(
    plan: Plan, stages: Sequence[Stage], one: Dataset, registry: Registry
) -> tuple[F, float, float] | None:
    """``(directions, lo, hi)`` when the stages before the aggregation are one min–max.

    That is one normalise stage, the run's first, giving every indicator the built-in
    ``minmax`` with the same bounds (no ``constant``, no pooling, no point rule): then a
    batch is normalised in place, operation for operation as the stage does it.
    """
    if len(stages) != 1 or stages[0].kind != "normalise" or "missing" in stages[0].params:
        return None
    stage = stages[0]
    state = RunState(framework=plan.framework, raw=plan.data, current=one, registry=registry)
    groups = column_groups(column_settings(state, stage, one.columns))
    if len(groups) != 1:
        return None
    method, params, _ = groups[0]
    if method != "minmax" or registry.method("normalise", method).func is not norm_stage._minmax:
        return None
    if not set(params) <= {"lo", "hi"}:
        return None
    lo, hi = params.get("lo", 0.0), params.get("hi", 100.0)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi)):
        return None
    ctx = MethodContext(plan.framework, one, plan.data, one.columns, stage.name)
    return ctx.directions(), float(lo), float(hi)


def _noisy_group(
    plan: Plan,
    rows: Rows,
    idx: Sequence[int],
    stages: Sequence[Stage],
    registry: Registry,
    memory_mb: float,
    scores: F,
    ranks: F,
) -> None:
    """Draws with data noise: the replications of a chunk take the period axis.

    Every stage before the aggregation works period by period (checked), so a data set whose
    "periods" are the chunk's replications of the analysed period runs through the ordinary
    stage runners once for the whole chunk. A plain min–max (:func:`_plain_minmax`) is applied
    in place to the chunk's array, without building the stage's data set and record.
    """
    for st in stages[:-1]:
        if st.kind == "impute" and st.method in _PANEL_IMPUTATION:
            raise NotBatchable(f"panel imputation {st.method!r} with data noise")
    fw = plan.framework
    data = plan.data
    p = data.period_index(plan.period)
    ind = [data.column_index(c) for c in fw.indicator_codes]
    one = data.select(columns=list(fw.indicator_codes), periods=[plan.period])
    base = np.ascontiguousarray(data.values[p][:, ind])
    index = {u: i for i, u in enumerate(plan.units)}
    units = one.unit_codes
    where = _where([index[u] for u in units], len(plan.units))
    per_draw = 8.0 * len(units) * (len(ind) + len(fw.aggregate_codes)) * 6
    # arrays below the allocator's reuse threshold (~32 MB) are recycled, not page-faulted
    cap = max(1, int(ARRAY_MB * 1e6 // (8.0 * len(units) * max(len(ind), 1))))
    size = max(1, min(int(memory_mb * 1e6 // per_draw), cap, len(idx)))
    plain = _plain_minmax(plan, stages[:-1], one, registry)
    if plain is not None:
        _plain_group(plan, rows, idx, stages[-1], registry, plain, size, one, scores, ranks)
        return
    buffer = np.empty((size, len(units), len(ind)))
    for start in range(0, len(idx), size):
        part = list(idx[start : start + size])
        values = buffer[: len(part)]
        for r, i in enumerate(part):
            _noisy_period(plan, rows[i], p, ind, base, values[r])
        batch = one.derive(one.columns, np.array(values), periods=range(len(part)))
        state = RunState(framework=fw, raw=data, current=batch, registry=registry)
        for st in stages[:-1]:
            state.current, _ = run_stage(state, st)
        cur = state.current
        if cur.unit_codes != units:  # pragma: no cover - per-period stages keep units
            raise NotBatchable("a stage changed the units")
        cols: dict[str, Any] = {c: cur.values[:, :, j] for j, c in enumerate(cur.columns)}
        weights = _weights(plan, state, _noise(plan, rows, part), len(part))
        agg_stage.aggregate_levels(state, stages[-1], cur, cols, weights)
        _store(plan, cols[plan.code], part, where, scores, ranks)


def _plain_group(
    plan: Plan,
    rows: Rows,
    idx: Sequence[int],
    agg: Stage,
    registry: Registry,
    plain: tuple[F, float, float],
    size: int,
    one: Dataset,
    scores: F,
    ranks: F,
) -> None:
    """Data noise, then a plain min–max (:func:`_plain_minmax`), then the aggregation.

    A chunk's values are held indicator-first, ``(indicators, replications, units)``: min and
    max are reductions along contiguous memory, each indicator's ``(replications, units)``
    block is what the aggregation sums (without gathering columns), and every step is in
    place. The numbers are the normalise stage's, operation for operation.
    """
    fw, data = plan.framework, plan.data
    p = data.period_index(plan.period)
    ind = [data.column_index(c) for c in fw.indicator_codes]
    base = np.ascontiguousarray(data.values[p][:, ind])
    index = {u: i for i, u in enumerate(plan.units)}
    where = _where([index[u] for u in one.unit_codes], len(plan.units))
    n_units = len(one.unit_codes)
    dirs, lo, hi = plain
    buffer = np.empty((len(ind), size, n_units))
    extremes = np.empty((2, len(ind), size, 1))
    state = RunState(framework=fw, raw=data, current=one, registry=registry)
    base_t = (np.ascontiguousarray((base * dirs).T), np.ascontiguousarray(base.T))
    for start in range(0, len(idx), size):
        part = list(idx[start : start + size])
        vt, ext = buffer[:, : len(part)], extremes[:, :, : len(part)]
        for r, i in enumerate(part):
            _noisy_transposed(plan, rows[i], p, ind, base, dirs, vt[:, r], ext[:, :, r, 0], base_t)
        mn, mx = ext[0], ext[1]
        if not np.all(mx > mn):
            raise MethodError("an indicator has no spread in a draw")  # rerun per draw
        step = max(1, int(BLOCK_MB * 1e6 // (8.0 * vt[0].size)))
        for j0 in range(0, len(ind), step):  # a few indicators at a time, in cache
            j1 = j0 + step
            minmax_with_range(vt[j0:j1], mn[j0:j1], mx[j0:j1], lo, hi, out=vt[j0:j1])
        cols: dict[str, Any] = {c: vt[j] for j, c in enumerate(one.columns)}
        weights = _weights(plan, state, _noise(plan, rows, part), len(part))
        agg_stage.aggregate_levels(state, agg, one, cols, weights)
        _store(plan, cols[plan.code], part, where, scores, ranks)


def try_batched(
    plan: Plan, rows: Sequence[Row], registry: Registry, memory_mb: float = MEMORY_MB
) -> tuple[F, F] | None:
    """:func:`evaluate_batched`, or ``None`` when the rows need the per-draw path."""
    try:
        return evaluate_batched(plan, rows, registry, memory_mb)
    except (NotBatchable, DxfError):
        return None
