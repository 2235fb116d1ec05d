"""Uncertainty analysis (METHODS.md §10): scores and ranks over random pipeline variants.

The assumptions behind an index (a method, a parameter, the weights) are declared uncertain
in an :class:`UncertaintySpec`, in Python or TOML::

    [[choice]]                       # one of discrete alternatives
    stage = "imputed"                # a stage of the pipeline, by data-set name
    param = "method"                 # "method" switches the stage's method
    values = [
        { method = "mean_by_group", group = "EurAsia_group" },
        { method = "median_by_group", group = "EurAsia_group" },
    ]

    [[choice]]
    stage = "treated"
    param = "winmax"                 # any other name is a parameter of the stage
    values = [1, 2, 3, 4, 5]

    [[uniform]]                      # a continuous parameter
    stage = "screened"
    param = "min_availability"
    low = 0.8
    high = 0.95

    [[weights]]                      # w·(1 + f·U(−1, 1)), independently per edge
    level = 2                        # the edges into the aggregates at this level
    factor = 0.25

Every assumption maps numbers ``u ∈ [0, 1)`` to values: a choice among ``k`` values takes
``values[floor(u·k)]``, a uniform parameter ``low + u·(high − low)``, and weight noise one
``u`` per edge, multiplying its weight by ``1 + factor·(2u − 1)``. The numbers come from
``numpy.random.default_rng(seed)`` or from a scrambled Sobol' sequence
(``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed)``), so the same seed gives the same
results, whatever the number of worker processes.

:func:`run_uncertainty` runs ``n`` variants of the pipeline and summarises, per unit, the
distribution of the score and rank of the index (or of another aggregate): mean, median, 5th
and 95th percentiles. :mod:`dxframework.analysis.sensitivity` apportions the variance of a
scalar output to the assumptions (Sobol' indices).
"""

from __future__ import annotations

import itertools
import math
import os
import tomllib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DxfError, Problem
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.context import BlankScoredWarning
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import run_pipeline
from dxframework.pipeline.spec import Pipeline, Stage
from dxframework.plugins.registry import Registry

__all__ = [
    "SAMPLERS",
    "Assumption",
    "Choice",
    "UncertaintyResult",
    "UncertaintySpec",
    "Uniform",
    "WeightNoise",
    "run_uncertainty",
    "unit_samples",
]

F = NDArray[np.float64]

#: Ways to draw the numbers ``u ∈ [0, 1)`` that the assumptions map to values.
SAMPLERS = ("random", "sobol")

#: ``progress(done, total)``, called as runs complete.
Progress = Callable[[int, int], None]


# -- assumptions ------------------------------------------------------------------------------
def _tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise DxfError(f"'values' must be a list, got {value!r}")
    return tuple(dict(v) if isinstance(v, Mapping) else v for v in value)


def _label(value: Any) -> str:
    """A short text for a value: ``zscore(mean=10, sd=2)`` for a method with parameters."""
    if isinstance(value, Mapping):
        rest = ", ".join(f"{k}={v}" for k, v in value.items() if k != "method")
        method = value.get("method", "")
        return f"{method}({rest})" if rest else str(method)
    return str(value)


@attrs.frozen
class Choice:
    """A stage parameter that takes one of discrete ``values`` (each equally likely).

    Parameters
    ----------
    stage
        The stage, by the name of the data set it writes (``"imputed"``, ``"normalised"``…).
    param
        A parameter of that stage, or ``"method"`` to switch the stage's method.
    values
        The alternatives. For ``param = "method"`` each is a method name or a table
        ``{method = "zscore", mean = 10, sd = 2}``. As everywhere in a pipeline, settings merge
        key by key: the stage's own method keeps its parameters (the table's keys replace
        theirs), another method starts from the table's parameters only.
    name
        Label in results (default ``"stage.param"``).
    """

    stage: str
    param: str
    values: tuple[Any, ...] = attrs.field(converter=_tuple)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.values:
            raise DxfError(f"choice {self.stage}.{self.param}: give at least one value")
        if self.param == "method":
            for v in self.values:
                if not (
                    isinstance(v, str)
                    or (isinstance(v, Mapping) and isinstance(v.get("method"), str))
                ):
                    raise DxfError(
                        Problem(
                            f"choice {self.stage}.method: {v!r} is not a method",
                            hint='give a name or a table {method = "name", param = value}',
                        )
                    )
        if not self.name:
            object.__setattr__(self, "name", f"{self.stage}.{self.param}")

    @property
    def size(self) -> int:
        """Numbers ``u`` the assumption takes per draw."""
        return 1

    def value(self, u: float) -> Any:
        """``values[floor(u·k)]`` for ``u ∈ [0, 1)``."""
        k = len(self.values)
        return self.values[min(math.floor(u * k), k - 1)]


@attrs.frozen
class Uniform:
    """A continuous stage parameter, uniform on ``[low, high]``.

    Parameters
    ----------
    stage, param
        As for :class:`Choice` (``param`` cannot be ``"method"``).
    low, high
        The range, ``low ≤ high``.
    name
        Label in results (default ``"stage.param"``).
    """

    stage: str
    param: str
    low: float = attrs.field(converter=float)
    high: float = attrs.field(converter=float)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        where = f"uniform {self.stage}.{self.param}"
        if self.param == "method":
            raise DxfError(
                Problem(f"{where}: a method is not continuous", hint="use a choice (values)")
            )
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise DxfError(f"{where}: need finite low ≤ high, got {self.low} and {self.high}")
        if not self.name:
            object.__setattr__(self, "name", f"{self.stage}.{self.param}")

    @property
    def size(self) -> int:
        """Numbers ``u`` the assumption takes per draw."""
        return 1

    def value(self, u: float) -> float:
        """``low + u·(high − low)``."""
        return self.low + u * (self.high - self.low)


@attrs.frozen
class WeightNoise:
    """Noise on the weights of the edges into the aggregates at one level.

    Each edge weight ``w`` becomes ``w·(1 + factor·U(−1, 1))``, independently per edge (one
    number ``u`` per edge, ``U = 2u − 1``). The noise perturbs the framework's weights (what
    a ``nominal`` weight stage, or no weight stage, uses); a weight stage that computes its
    own weights (``equal``, ``ahp``, ``pca``, a named set…) replaces them as in any run.

    Parameters
    ----------
    level
        Level number of the parents (2 = the aggregates right above the indicators).
    factor
        Relative size of the noise, ``0 ≤ factor ≤ 1``.
    name
        Label in results (default ``"weights.levelN"``).
    """

    level: int
    factor: float = attrs.field(converter=float)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.level, bool) or not isinstance(self.level, int) or self.level < 2:
            raise DxfError(
                Problem(
                    f"weight noise: level {self.level!r} is not an aggregate level",
                    hint="give the level number of the parents, 2 or more",
                )
            )
        if not 0.0 <= self.factor <= 1.0:
            raise DxfError(
                f"weight noise at level {self.level}: factor {self.factor} must be in [0, 1]"
            )
        if not self.name:
            object.__setattr__(self, "name", f"weights.level{self.level}")

    def multipliers(self, u: F) -> F:
        """``1 + factor·(2u − 1)`` for every edge."""
        return 1.0 + self.factor * (2.0 * np.asarray(u, dtype=np.float64) - 1.0)


Assumption: TypeAlias = Choice | Uniform | WeightNoise


def _assumptions(value: Iterable[Assumption]) -> tuple[Assumption, ...]:
    return tuple(value)


_KEYS: Mapping[str, tuple[type, frozenset[str], frozenset[str]]] = {
    "choice": (Choice, frozenset({"stage", "param", "values"}), frozenset({"name"})),
    "uniform": (Uniform, frozenset({"stage", "param", "low", "high"}), frozenset({"name"})),
    "weights": (WeightNoise, frozenset({"level", "factor"}), frozenset({"name"})),
}


@attrs.frozen
class UncertaintySpec:
    """The uncertain assumptions of an analysis, in order.

    Build it in Python (``UncertaintySpec([Choice(...), WeightNoise(2, 0.25)])``) or read it
    from TOML with :meth:`from_file` (tables ``[[choice]]``, ``[[uniform]]``, ``[[weights]]``;
    see the module documentation).
    """

    assumptions: tuple[Assumption, ...] = attrs.field(converter=_assumptions)
    source: str | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        if not self.assumptions:
            raise DxfError(
                Problem(
                    "the uncertainty spec declares no assumption",
                    file=self.source,
                    hint="add [[choice]], [[uniform]] or [[weights]] tables",
                )
            )
        seen: set[str] = set()
        for a in self.assumptions:
            if not isinstance(a, Choice | Uniform | WeightNoise):
                raise DxfError(f"not an assumption: {a!r}")
            if a.name in seen:
                raise DxfError(
                    Problem(
                        f"assumption {a.name!r} is declared twice",
                        file=self.source,
                        hint="give each stage parameter (or level) one assumption, "
                        "or distinct names",
                    )
                )
            seen.add(a.name)

    @property
    def names(self) -> tuple[str, ...]:
        """Labels of the assumptions, in order."""
        return tuple(a.name for a in self.assumptions)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], source: str | None = None) -> UncertaintySpec:
        """Build from plain data: ``{"choice": [...], "uniform": [...], "weights": [...]}``."""
        unknown = set(doc) - set(_KEYS)
        problems: list[Problem] = []
        if unknown:
            problems.append(
                Problem(
                    f"unknown tables: {', '.join(sorted(unknown))}",
                    file=source,
                    hint="use [[choice]], [[uniform]] and [[weights]]",
                )
            )
        found: list[Assumption] = []
        for key, (kind, required, optional) in _KEYS.items():
            entries = doc.get(key, [])
            if isinstance(entries, Mapping):
                entries = [entries]
            if not isinstance(entries, list):
                problems.append(Problem(f"'{key}' must be a list of tables [[{key}]]", file=source))
                continue
            for i, entry in enumerate(entries, start=1):
                where = f"[[{key}]] {i}"
                if not isinstance(entry, Mapping):
                    problems.append(Problem(f"{where} is not a table", file=source))
                    continue
                missing = sorted(required - set(entry))
                extra = sorted(set(entry) - required - optional)
                hint = f"keys: {', '.join(sorted(required | optional))}"
                if missing:
                    problems.append(
                        Problem(
                            f"{where}: needs {', '.join(map(repr, missing))}",
                            file=source,
                            hint=hint,
                        )
                    )
                if extra:
                    problems.append(
                        Problem(
                            f"{where}: unknown keys {', '.join(map(repr, extra))}",
                            file=source,
                            hint=hint,
                        )
                    )
                if missing or extra:
                    continue
                try:
                    found.append(kind(**entry))
                except (DxfError, TypeError, ValueError) as exc:
                    text = (
                        "; ".join(p.message for p in exc.problems)
                        if isinstance(exc, DxfError)
                        else str(exc)
                    )
                    problems.append(Problem(f"{where}: {text}", file=source))
        if problems:
            raise DxfError(problems)
        return cls(found, source=source)

    @classmethod
    def from_file(cls, path: str | Path) -> UncertaintySpec:
        """Read a spec from a TOML file."""
        p = Path(path)
        if not p.is_file():
            raise DxfError(Problem("uncertainty spec not found", file=str(p)))
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problem = Problem(f"cannot parse the uncertainty spec: {exc}", file=str(p))
            raise DxfError(problem) from None
        return cls.from_dict(doc, source=str(p))

    def check(
        self,
        pipeline: Pipeline,
        framework: Framework | None = None,
        registry: Registry | None = None,
    ) -> None:
        """Check the assumptions against a pipeline (stages, methods) and a framework (levels).

        Raises
        ------
        DxfError
            One problem per fault, naming the assumption.
        """
        stages = {s.name: s for s in pipeline.stages}
        problems: list[Problem] = []
        for a in self.assumptions:
            if isinstance(a, WeightNoise):
                if framework is not None and (
                    a.level > framework.max_level or not framework.codes_at_level(a.level)
                ):
                    levels = [lv for lv in range(2, framework.max_level + 1)]
                    problems.append(
                        Problem(
                            f"assumption {a.name!r}: the framework has no aggregate at level "
                            f"{a.level}",
                            file=self.source,
                            hint=f"aggregate levels: {', '.join(map(str, levels)) or 'none'}",
                        )
                    )
                continue
            stage = stages.get(a.stage)
            if stage is None:
                problems.append(
                    Problem(
                        f"assumption {a.name!r}: no stage named {a.stage!r} in pipeline "
                        f"{pipeline.name!r}",
                        file=self.source,
                        hint=f"stages: {', '.join(stages)}",
                    )
                )
                continue
            if isinstance(a, Choice) and a.param == "method" and registry is not None:
                known = registry.methods.get(stage.kind)
                if known is None:
                    continue
                for v in a.values:
                    method = v if isinstance(v, str) else str(v["method"])
                    if method not in known:
                        problems.append(
                            Problem(
                                f"assumption {a.name!r}: no {stage.kind} method {method!r}",
                                file=self.source,
                                hint=f"{stage.kind} methods: {', '.join(known)}",
                            )
                        )
        if problems:
            raise DxfError(problems)


# -- sampling ---------------------------------------------------------------------------------
def unit_samples(n: int, d: int, seed: int, sampler: str = "random") -> F:
    """``n`` points in ``[0, 1)^d``: pseudo-random or a scrambled Sobol' sequence.

    ``random`` uses ``numpy.random.default_rng(seed).random((n, d))``; ``sobol`` uses
    ``scipy.stats.qmc.Sobol(d, scramble=True, seed=seed).random(n)`` (whose balance needs
    ``n`` to be a power of 2; scipy warns otherwise).
    """
    if sampler not in SAMPLERS:
        raise DxfError(Problem(f"unknown sampler {sampler!r}", hint=f"use {' or '.join(SAMPLERS)}"))
    if n < 1 or d < 1:
        raise DxfError(f"need at least one draw and one dimension, got n = {n}, d = {d}")
    if sampler == "random":
        return np.random.default_rng(seed).random((n, d))
    from scipy.stats import qmc

    return np.asarray(qmc.Sobol(d, scramble=True, seed=seed).random(n), dtype=np.float64)


# -- a spec bound to a framework and a pipeline ------------------------------------------------
def _set_method(stage: Stage, value: Any) -> Stage:
    """Switch a stage's method; settings merge as in a pipeline (see :class:`Choice`)."""
    table = dict(value) if isinstance(value, Mapping) else {"method": value}
    method = str(table.pop("method"))
    params = {**stage.params, **table} if method == stage.method else table
    return attrs.evolve(stage, method=method, params=params)


@attrs.frozen
class _Plan:
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
            else:
                out[a.name] = a.value(float(u[0]))
        return out

    def variant(self, us: Sequence[F]) -> tuple[Framework, Pipeline]:
        """The framework and pipeline of one draw."""
        values = self.values(us)
        stages = {s.name: s for s in self.pipeline.stages}
        weights: dict[tuple[str, str], float] = {}
        # method switches first, so that parameters apply to the method drawn
        ordered = sorted(
            self.assumptions, key=lambda a: not (isinstance(a, Choice) and a.param == "method")
        )
        for a in ordered:
            v = values[a.name]
            if isinstance(a, WeightNoise):
                nominal = {(e.child, e.parent): e.weight for e in self.framework.edges}
                weights.update({edge: nominal[edge] * m for edge, m in v.items()})
            elif a.param == "method":
                stages[a.stage] = _set_method(stages[a.stage], v)
            else:
                s = stages[a.stage]
                stages[a.stage] = attrs.evolve(s, params={**s.params, a.param: v})
        fw = self.framework.with_weights(weights) if weights else self.framework
        pipe = attrs.evolve(self.pipeline, stages=[stages[s.name] for s in self.pipeline.stages])
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
            return self.extract(run_pipeline(fw, self.data, pipe, registry=registry))

    def describe(self, us: Sequence[F]) -> str:
        """The values of one draw, for error messages."""
        parts = []
        for name, v in self.values(us).items():
            parts.append(f"{name} = {'(noise)' if isinstance(v, dict) else _label(v)}")
        return ", ".join(parts)


def _bind(
    framework: Framework,
    data: Dataset,
    pipeline: Pipeline,
    spec: UncertaintySpec,
    code: str | None,
    period: int | None,
    registry: Registry | None,
) -> tuple[_Plan, RunResult]:
    """Check the spec, run the nominal pipeline, and bind the spec to it."""
    reg = registry
    if reg is None:
        from dxframework.plugins.manager import get_registry

        reg = get_registry()
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
    plan = _Plan(
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


# -- running many variants --------------------------------------------------------------------
Row = tuple[F, ...]
_WORKER: dict[str, Any] = {}


def _init_worker(plan: _Plan) -> None:
    from dxframework.plugins.manager import get_registry

    _WORKER["plan"] = plan
    _WORKER["registry"] = plan.registry or get_registry()


def _run_rows(
    plan: _Plan, registry: Registry | None, start: int, rows: Sequence[Row]
) -> tuple[F, F] | tuple[int, list[Problem]]:
    """Run some draws; on a failure, ``(draw number, problems)``."""
    scores = np.full((len(rows), len(plan.units)), np.nan)
    ranks = np.full_like(scores, np.nan)
    for k, us in enumerate(rows):
        try:
            scores[k], ranks[k] = plan.run(us, registry)
        except DxfError as exc:
            return start + k, list(exc.problems)
    return scores, ranks


def _worker_chunk(args: tuple[int, Sequence[Row]]) -> tuple[F, F] | tuple[int, list[Problem]]:
    return _run_rows(_WORKER["plan"], _WORKER["registry"], *args)


def _run_rows_remote(
    plan: _Plan, start: int, rows: Sequence[Row]
) -> tuple[F, F] | tuple[int, list[Problem]]:
    """A chunk of draws on a Dask worker (the plugins load there once per process)."""
    from dxframework.plugins.manager import get_registry

    return _run_rows(plan, plan.registry or get_registry(), start, rows)


def _evaluate(
    plan: _Plan,
    rows: Sequence[Row],
    workers: int = 1,
    progress: Progress | None = None,
    client: Any = None,
) -> tuple[F, F]:
    """Run one pipeline variant per row of ``u`` vectors; ``(scores, ranks)``, row order.

    Rows are independent; with ``workers > 1`` they run in a process pool, with a Dask
    ``client`` on its cluster, in contiguous chunks, and the results are put back in row
    order, so they are identical for any number of workers.
    """
    total = len(rows)
    if client is not None:
        return _evaluate_dask(plan, rows, client, progress)
    if workers < 1:
        raise DxfError(f"workers must be at least 1, got {workers}")
    workers = min(workers, os.cpu_count() or 1, max(total, 1))
    size = max(1, math.ceil(total / (workers * 4))) if workers > 1 else max(1, total // 20)
    chunks = [(i, rows[i : i + size]) for i in range(0, total, size)]
    parts: list[tuple[F, F]] = []

    def collect(res: tuple[F, F] | tuple[int, list[Problem]]) -> None:
        if isinstance(res[0], int):
            draw, problems = res
            assert isinstance(problems, list)
            us = rows[draw]
            raise DxfError(
                [
                    attrs.evolve(p, message=f"run {draw + 1} ({plan.describe(us)}): {p.message}")
                    for p in problems
                ]
            )
        parts.append((np.asarray(res[0]), np.asarray(res[1])))
        if progress is not None:
            progress(sum(len(s) for s, _ in parts), total)

    if workers == 1:
        registry = plan.registry
        if registry is None:
            from dxframework.plugins.manager import get_registry

            registry = get_registry()
        for start, chunk in chunks:
            collect(_run_rows(plan, registry, start, chunk))
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(plan,)) as pool:
            try:
                for res in pool.map(_worker_chunk, chunks):
                    collect(res)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # a draw failed: stop the rest
                raise
    if not parts:
        empty = np.zeros((0, len(plan.units)))
        return empty, empty.copy()
    return np.concatenate([s for s, _ in parts]), np.concatenate([r for _, r in parts])


def _evaluate_dask(
    plan: _Plan, rows: Sequence[Row], client: Any, progress: Progress | None
) -> tuple[F, F]:
    """The draws on a Dask cluster: the plan is scattered once, chunks gathered in order."""
    total = len(rows)
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    size = max(1, math.ceil(total / (n_workers * 4)))
    remote_plan = client.scatter(plan, broadcast=True)
    futures = [
        client.submit(_run_rows_remote, remote_plan, i, rows[i : i + size], pure=False)
        for i in range(0, total, size)
    ]
    parts: list[tuple[F, F]] = []
    for future in futures:  # in submission order: results do not depend on the cluster
        res = future.result()
        if isinstance(res[0], int):
            client.cancel(futures)
            draw, problems = res
            assert isinstance(problems, list)
            raise DxfError(
                [
                    attrs.evolve(
                        p, message=f"run {draw + 1} ({plan.describe(rows[draw])}): {p.message}"
                    )
                    for p in problems
                ]
            )
        parts.append((np.asarray(res[0]), np.asarray(res[1])))
        if progress is not None:
            progress(sum(len(sc) for sc, _ in parts), total)
    if not parts:
        empty = np.zeros((0, len(plan.units)))
        return empty, empty.copy()
    return np.concatenate([sc for sc, _ in parts]), np.concatenate([r for _, r in parts])


def _split(u: F, sizes: Sequence[int]) -> list[Row]:
    """Rows of ``u`` (n, Σ sizes) cut into one array per assumption."""
    bounds = np.cumsum([0, *sizes])
    return [tuple(row[a:b] for a, b in itertools.pairwise(bounds)) for row in u]


# -- results ----------------------------------------------------------------------------------
def _stats(x: F) -> dict[str, F]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units scored in no draw
        mean = np.nanmean(x, axis=0) if len(x) else np.full(x.shape[1], np.nan)
        q = (
            np.nanpercentile(x, [5.0, 50.0, 95.0], axis=0)
            if len(x)
            else np.full((3, x.shape[1]), np.nan)
        )
    return {"mean": mean, "median": q[1], "p5": q[0], "p95": q[2]}


@attrs.frozen(eq=False)
class UncertaintyResult:
    """Scores and ranks of one aggregate over ``n`` draws of the uncertain assumptions.

    Attributes
    ----------
    code, period
        The aggregate analysed (the index by default) and the period.
    units, unit_names
        Unit codes and names (the input data's units; a unit screened out in a draw has
        NaN there).
    assumptions
        Labels of the assumptions.
    nominal_score, nominal_rank
        The unperturbed pipeline's score and rank per unit.
    scores, ranks
        ``(n, units)`` arrays, one row per draw, in draw order.
    draws
        Each draw's assumption values, by label (weight noise: the multiplier of every edge
        ``(child, parent)``).
    seed, sampler
        How the draws were made.
    """

    code: str
    period: int
    units: tuple[str, ...]
    unit_names: tuple[str, ...]
    assumptions: tuple[str, ...]
    nominal_score: F
    nominal_rank: F
    scores: F
    ranks: F
    draws: tuple[Mapping[str, Any], ...]
    seed: int
    sampler: str

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.scores.shape[0])

    def score_summary(self) -> dict[str, F]:
        """Per unit mean, median, 5th and 95th percentile (numpy's linear interpolation)."""
        return _stats(self.scores)

    def rank_summary(self) -> dict[str, F]:
        """The same statistics of the ranks (percentiles may fall between ranks)."""
        return _stats(self.ranks)

    def to_rows(self) -> list[dict[str, Any]]:
        """One row per unit: nominal score and rank, then statistics over the draws."""
        s, r = self.score_summary(), self.rank_summary()
        rows = []
        for i, (code, name) in enumerate(zip(self.units, self.unit_names, strict=True)):
            row: dict[str, Any] = {
                "unit": code,
                "name": name,
                "nominal_score": float(self.nominal_score[i]),
                "nominal_rank": float(self.nominal_rank[i]),
            }
            row.update({f"score_{k}": float(v[i]) for k, v in s.items()})
            row.update({f"rank_{k}": float(v[i]) for k, v in r.items()})
            rows.append(row)
        return rows

    def draw_rows(self) -> list[dict[str, Any]]:
        """One row per draw: the value of every assumption (weight noise: one column per
        edge, ``name:child->parent``, holding the multiplier)."""
        rows = []
        for k, draw in enumerate(self.draws):
            row: dict[str, Any] = {"draw": k + 1}
            for name, v in draw.items():
                if isinstance(v, dict) and all(isinstance(e, tuple) for e in v):
                    row.update({f"{name}:{c}->{p}": m for (c, p), m in v.items()})
                else:
                    row[name] = _label(v) if isinstance(v, Mapping) else v
            rows.append(row)
        return rows


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
    plan, nominal = _bind(framework, data, pipeline, spec, code, period, registry)
    u = unit_samples(n, sum(plan.sizes), seed, sampler)
    rows = _split(u, plan.sizes)
    scores, ranks = _evaluate(plan, rows, workers, progress, client)
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
        draws=tuple(plan.values(us) for us in rows),
        seed=seed,
        sampler=sampler,
    )
