"""A spec bound to a framework, data and pipeline: each draw's variant of the run."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.analysis.uncertainty.sampling import Rows
from dxframework.analysis.uncertainty.spec import (
    Assumption,
    Choice,
    DataNoise,
    UncertaintySpec,
    WeightNoise,
    label,
)
from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.context import BlankScoredWarning
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import run_pipeline
from dxframework.pipeline.spec import Pipeline, Stage
from dxframework.plugins.manager import get_registry
from dxframework.plugins.registry import Registry

__all__ = ["Plan", "Progress", "bind", "set_method"]

F = NDArray[np.float64]

#: ``progress(done, total)``, called as runs complete.
Progress = Callable[[int, int], None]


def set_method(stage: Stage, value: Any) -> Stage:
    """Switch a stage's method; settings merge as in a pipeline (see :class:`Choice`)."""
    table = dict(value) if isinstance(value, Mapping) else {"method": value}
    method = str(table.pop("method"))
    params = {**stage.params, **table} if method == stage.method else table
    return attrs.evolve(stage, method=method, params=params)


@attrs.frozen
class Plan:
    """A spec bound to a framework, data and pipeline: maps ``u`` vectors to runs."""

    framework: Framework
    data: Dataset
    pipeline: Pipeline
    assumptions: tuple[Assumption, ...]
    edges: tuple[tuple[tuple[str, str], ...], ...]
    code: str
    period: int
    units: tuple[str, ...]
    registry: Registry | None = None

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(len(e) if isinstance(a, WeightNoise) else 1 for a, e in self.zipped)

    @property
    def zipped(self) -> Iterator[tuple[Assumption, tuple[tuple[str, str], ...]]]:
        return zip(self.assumptions, self.edges, strict=True)

    def values(self, us: Sequence[F]) -> dict[str, Any]:
        """Each assumption's value for one draw (weight noise: multiplier per edge)."""
        out: dict[str, Any] = {}
        for (a, edges), u in zip(self.zipped, us, strict=True):
            if isinstance(a, WeightNoise):
                out[a.name] = dict(zip(edges, a.multipliers(u).tolist(), strict=True))
            elif isinstance(a, DataNoise):
                out[a.name] = int(float(u[0]) * 2.0**53)  # the seed of the draw's noise
            else:
                out[a.name] = a.value(float(u[0]))
        return out

    def values_of_rows(self, rows: Rows) -> tuple[dict[str, Any], ...]:
        """:meth:`values` of every draw, the same values computed a column at a time."""
        columns: list[tuple[str, list[Any]]] = []
        for k, (a, edges) in enumerate(self.zipped):
            u = rows.block(k)
            if isinstance(a, WeightNoise):
                mult = a.multipliers(u).tolist()
                columns.append((a.name, [dict(zip(edges, m, strict=True)) for m in mult]))
            elif isinstance(a, DataNoise):
                columns.append((a.name, [int(v * 2.0**53) for v in u[:, 0].tolist()]))
            elif isinstance(a, Choice):
                m = len(a.values)
                pick = np.minimum(np.floor(u[:, 0] * m), m - 1).astype(np.intp).tolist()
                columns.append((a.name, [a.values[i] for i in pick]))
            else:
                columns.append((a.name, (a.low + u[:, 0] * (a.high - a.low)).tolist()))
        return tuple({name: col[i] for name, col in columns} for i in range(len(rows)))

    def stages_for(self, us: Sequence[F]) -> list[Stage]:
        """The pipeline's stages in one draw (every assumption but weight noise applied)."""
        values = self.values_of(us, weights=False)
        stages = {s.name: s for s in self.pipeline.stages}
        # method switches first, so that parameters apply to the method drawn
        ordered = sorted(
            self.assumptions, key=lambda a: not (isinstance(a, Choice) and a.param == "method")
        )
        for a in ordered:
            if isinstance(a, WeightNoise | DataNoise):
                continue
            v = values[a.name]
            if a.param == "method":
                stages[a.stage] = set_method(stages[a.stage], v)
            elif a.param == "overrides":  # per-indicator method overrides, merged by node
                s = stages[a.stage]
                merged = {**s.overrides, **{str(k): dict(o) for k, o in dict(v).items()}}
                stages[a.stage] = attrs.evolve(s, overrides=merged)
            else:
                s = stages[a.stage]
                stages[a.stage] = attrs.evolve(s, params={**s.params, a.param: v})
        return [stages[s.name] for s in self.pipeline.stages]

    def values_of(self, us: Sequence[F], weights: bool = True) -> dict[str, Any]:
        """As :meth:`values`; without weight noise when ``weights`` is false."""
        if weights:
            return self.values(us)
        return {
            a.name: a.value(float(u[0]))
            for (a, _), u in zip(self.zipped, us, strict=True)
            if not isinstance(a, WeightNoise | DataNoise)
        }

    def noisy_values(self, us: Sequence[F]) -> F | None:
        """The data's values with the draw's data noise, or ``None`` without data noise."""
        noises = [
            (a, float(u[0]))
            for (a, _), u in zip(self.zipped, us, strict=True)
            if isinstance(a, DataNoise)
        ]
        if not noises:
            return None
        vals = self.data.values.copy()
        for a, u in noises:
            codes = a.indicators or self.framework.indicator_codes
            cols = [self.data.column_index(c) for c in codes]
            vals[..., cols] = a.apply(u, vals[..., cols])
        return vals

    def data_for(self, us: Sequence[F]) -> Dataset:
        """The input data of one draw (with its data noise, if any)."""
        vals = self.noisy_values(us)
        return self.data if vals is None else self.data.with_columns(self.data.columns, vals)

    def variant(self, us: Sequence[F]) -> tuple[Framework, Pipeline]:
        """The framework and pipeline of one draw."""
        values = self.values(us)
        weights: dict[tuple[str, str], float] = {}
        nominal = {(e.child, e.parent): e.weight for e in self.framework.edges}
        for a in self.assumptions:
            if isinstance(a, WeightNoise):
                weights.update({edge: nominal[edge] * m for edge, m in values[a.name].items()})
        fw = self.framework.with_weights(weights) if weights else self.framework
        pipe = attrs.evolve(self.pipeline, stages=self.stages_for(us))
        return fw, pipe

    def extract(self, result: RunResult) -> tuple[F, F]:
        """Score and rank of ``code`` per unit of ``units`` (NaN where a unit was dropped)."""
        n = len(self.units)
        score, rank = np.full(n, np.nan), np.full(n, np.nan)
        s = result.scores
        p, j = s.period_index(self.period), s.column_index(self.code)
        index = {u: i for i, u in enumerate(self.units)}
        rows = [index[u] for u in s.unit_codes]
        score[rows] = s.values[p, :, j]
        rank[rows] = result.ranks.values[p, :, j]
        return score, rank

    def run(self, us: Sequence[F], registry: Registry | None) -> tuple[F, F]:
        fw, pipe = self.variant(us)
        with warnings.catch_warnings():  # blanks scored 0: the nominal run warns once
            warnings.simplefilter("ignore", BlankScoredWarning)
            return self.extract(run_pipeline(fw, self.data_for(us), pipe, registry=registry))

    def describe(self, us: Sequence[F]) -> str:
        """The values of one draw, for error messages."""
        parts = []
        for name, v in self.values(us).items():
            text = "(noise)" if isinstance(v, dict) else label(v)
            parts.append(f"{name} = {text}")
        return ", ".join(parts)


def bind(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    spec: UncertaintySpec,
    code: str | None,
    period: int | None,
    registry: Registry | None,
) -> tuple[Plan, RunResult]:
    """Check the spec, run the nominal pipeline, and bind the spec to it."""
    reg = registry if registry is not None else get_registry()
    spec.check(pipeline, framework, reg)
    code = code or framework.index
    if code is None:
        raise DxfError(
            Problem("the framework has no single index", hint="name the aggregate to analyse")
        )
    nominal = run_pipeline(framework, data, pipeline, registry=reg)
    if not nominal.scores.has_column(code):
        raise DxfError(
            Problem(
                f"no aggregate {code!r} in the scores",
                hint=f"aggregates: {', '.join(nominal.scores.columns)}",
            )
        )
    if any(isinstance(a, WeightNoise) for a in spec.assumptions):
        own = [s for s in pipeline.stages if s.kind == "weight" and s.method != "nominal"]
        for s in own:
            warnings.warn(
                f"weight noise perturbs the framework's weights, but stage {s.name!r} "
                f"(method {s.method!r}) sets weights of its own, which the noise leaves as "
                "they are",
                stacklevel=3,
            )
    edges = tuple(
        tuple(
            (e.child, e.parent)
            for e in framework.edges
            if framework.level(e.parent) == a.level and e.weight > 0
        )
        if isinstance(a, WeightNoise)
        else ()
        for a in spec.assumptions
    )
    plan = Plan(
        framework=framework,
        data=data,
        pipeline=pipeline,
        assumptions=spec.assumptions,
        edges=edges,
        code=code,
        period=data.periods[data.period_index(period)],
        units=data.unit_codes,
        registry=registry,
    )
    return plan, nominal
