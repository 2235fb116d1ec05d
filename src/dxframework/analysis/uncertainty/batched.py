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
3. The index is ranked for the whole batch at once (competition ranking, as a plain run).

Replications are processed in chunks whose size keeps the aggregation's arrays under a memory
budget (``memory_mb``). The batched path covers pipelines whose last stage is their only
aggregate stage, aggregated with the built-in arithmetic, geometric, harmonic or generalised
means, and no weight stage when the weights are perturbed. Anything else — and any draw that
fails, so that the error names the same draw as the per-draw path — runs per draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.analysis.uncertainty.binding import Plan
from dxframework.analysis.uncertainty.sampling import Row
from dxframework.analysis.uncertainty.spec import Choice, DataNoise, WeightNoise
from dxframework.errors import DxfError
from dxframework.methods.rank import competition_rank
from dxframework.model.dataset import Dataset
from dxframework.pipeline.context import BlankScoredWarning, column_groups, merged_settings
from dxframework.pipeline.run import check_data
from dxframework.pipeline.spec import Stage
from dxframework.pipeline.stages import RunState, run_stage
from dxframework.pipeline.stages import aggregate as agg_stage
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

#: Largest array of a batch with data noise, in MB: small enough for the memory allocator to
#: reuse (large arrays are mapped afresh and page-faulted at every allocation).
ARRAY_MB = 24.0


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


def _noise(plan: Plan, rows: Sequence[Row], idx: Sequence[int]) -> dict[tuple[str, str], F]:
    """Each perturbed edge's weight in the draws ``idx``: ``nominal · multiplier``."""
    nominal = {(e.child, e.parent): e.weight for e in plan.framework.edges}
    out: dict[tuple[str, str], F] = {}
    for k, (a, edges) in enumerate(plan.zipped):
        if isinstance(a, WeightNoise) and edges:
            u = np.stack([rows[i][k] for i in idx])  # (draws, edges)
            mult = a.multipliers(u)
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
        u = np.array([float(us[k][0]) for us in rows])
        if isinstance(a, Choice):
            m = len(a.values)
            columns.append(np.minimum(np.floor(u * m), m - 1))
        else:
            columns.append(a.low + u * (a.high - a.low))
        per_stage[stage_pos[a.stage]].append(len(columns) - 1)
    table = np.stack(columns, axis=1) if columns else np.zeros((len(rows), 0))
    groups: dict[tuple[tuple[tuple[float, ...], ...], tuple[float, ...]], list[int]] = {}
    for i, vals in enumerate(table.tolist()):
        keys = tuple(tuple(vals[c] for c in cs) for cs in per_stage)
        groups.setdefault((keys[:-1], keys[-1]), []).append(i)
    prefixes = _Prefixes(plan, registry)
    noisy = any(isinstance(a, DataNoise) for a in plan.assumptions)
    fw = plan.framework
    n_agg = len(fw.aggregate_codes)
    index = {u: i for i, u in enumerate(plan.units)}
    with warnings.catch_warnings():  # blanks scored 0: the nominal run warns once
        warnings.simplefilter("ignore", BlankScoredWarning)
        for key in sorted(groups):  # shared prefixes next to each other
            idx = groups[key]
            stages = plan.stages_for(rows[idx[0]])
            agg = stages[-1]
            _check_aggregate(plan, agg, registry)
            if noisy:
                _noisy_group(plan, rows, idx, stages, registry, memory_mb, scores, ranks)
                continue
            state = prefixes.state(stages[:-1])
            data = state.current
            p = data.period_index(plan.period)
            rows_of = [index[u] for u in data.unit_codes]
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
                _store(plan, cols[plan.code], part, rows_of, scores, ranks)
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


def _store(
    plan: Plan, s: F, part: Sequence[int], rows_of: Sequence[int], scores: F, ranks: F
) -> None:
    """Scores of a batch and their ranks (competition ranking, as a plain run) in place."""
    digits = plan.pipeline.ranking.get("digits")
    s = np.broadcast_to(s, (len(part), len(rows_of)))
    ranked = s if digits is None else np.round(s, int(digits))
    r = competition_rank(ranked[..., np.newaxis])[..., 0]
    sel = np.asarray(part)[:, np.newaxis]
    scores[sel, np.asarray(rows_of)[np.newaxis, :]] = s
    ranks[sel, np.asarray(rows_of)[np.newaxis, :]] = r


def _noisy_period(plan: Plan, us: Row, p: int, ind: Sequence[int], base: F, out: F) -> None:
    """The indicator columns ``ind`` of period ``p`` with the draw's data noise, into ``out``.

    The same numbers as :meth:`Plan.noisy_values` (each noise draws its numbers for every
    period of its columns, in the same order), without copying the whole data set.
    """
    vals = plan.data.values
    where = {c: n for n, c in enumerate(ind)}
    out[...] = base
    for (a, _), u in zip(plan.zipped, us, strict=True):
        if not isinstance(a, DataNoise):
            continue
        codes = a.indicators or plan.framework.indicator_codes
        cols = [plan.data.column_index(c) for c in codes]
        mine = [where[c] for c in cols]
        if len(plan.data.periods) == 1 and mine == list(range(len(ind))):
            a.apply(float(u[0]), out[np.newaxis], out=out[np.newaxis])
        elif len(plan.data.periods) == 1:
            out[:, mine] = a.apply(float(u[0]), out[np.newaxis][..., mine])[0]
        else:  # the numbers of every period are drawn; the other periods' are dropped
            full = vals[..., cols].copy()
            full[p] = out[:, mine]
            out[:, mine] = a.apply(float(u[0]), full)[p]


def _noisy_group(
    plan: Plan,
    rows: Sequence[Row],
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
    stage runners once for the whole chunk.
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
    rows_of = [index[u] for u in units]
    per_draw = 8.0 * len(units) * (len(ind) + len(fw.aggregate_codes)) * 6
    # arrays below the allocator's reuse threshold (~32 MB) are recycled, not page-faulted
    cap = max(1, int(ARRAY_MB * 1e6 // (8.0 * len(units) * max(len(ind), 1))))
    size = max(1, min(int(memory_mb * 1e6 // per_draw), cap))
    for start in range(0, len(idx), size):
        part = list(idx[start : start + size])
        values = np.empty((len(part), len(units), len(ind)))
        for r, i in enumerate(part):
            _noisy_period(plan, rows[i], p, ind, base, values[r])
        batch = Dataset(
            units=one.units,
            columns=one.columns,
            values=values,
            periods=list(range(len(part))),
            source=one.source,
        )
        state = RunState(framework=fw, raw=plan.data, current=batch, registry=registry)
        for st in stages[:-1]:
            state.current, _ = run_stage(state, st)
        cur = state.current
        if cur.unit_codes != units:  # pragma: no cover - per-period stages keep units
            raise NotBatchable("a stage changed the units")
        cols: dict[str, Any] = {c: cur.values[:, :, j] for j, c in enumerate(cur.columns)}
        noise = _noise(plan, rows, part)
        _check_aggregate(plan, stages[-1], registry)
        weights = _weights(plan, state, noise, len(part))
        agg_stage.aggregate_levels(state, stages[-1], cur, cols, weights)
        _store(plan, cols[plan.code], part, rows_of, scores, ranks)


def try_batched(
    plan: Plan, rows: Sequence[Row], registry: Registry, memory_mb: float = MEMORY_MB
) -> tuple[F, F] | None:
    """:func:`evaluate_batched`, or ``None`` when the rows need the per-draw path."""
    try:
        return evaluate_batched(plan, rows, registry, memory_mb)
    except (NotBatchable, DxfError):
        return None
