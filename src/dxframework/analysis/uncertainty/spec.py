"""The uncertain assumptions of an uncertainty analysis, and their TOML form."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.errors import DxfError, Problem
from dxframework.model.framework import Framework
from dxframework.pipeline.spec import Pipeline
from dxframework.plugins.registry import Registry

__all__ = [
    "Assumption",
    "Choice",
    "DataNoise",
    "UncertaintySpec",
    "Uniform",
    "WeightNoise",
    "label",
]

F = NDArray[np.float64]


def _tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise DxfError(f"'values' must be a list, got {value!r}")
    return tuple(dict(v) if isinstance(v, Mapping) else v for v in value)


def label(value: Any) -> str:
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


def _codes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _periods(value: Any) -> tuple[int, ...]:
    items = [value] if isinstance(value, int | str) else list(value)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in items):
        raise ValueError(f"periods must be whole numbers, got {value!r}")
    return tuple(int(v) for v in items)


def _code_list(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"aggregates must be codes, got {value!r}")
    return tuple(items)


#: Top-level keys of a study file naming what is analysed (not assumptions).
_TARGETS = {"aggregates": _code_list, "periods": _periods}
_TARGET_KINDS = {"aggregates": "aggregate codes", "periods": "periods (whole numbers)"}
_TARGET_EXAMPLES = {"aggregates": '["Index", "P1"]', "periods": "[2023, 2024]"}


@attrs.frozen
class DataNoise:
    """Noise on the raw indicator values, applied before the first stage.

    ``multiplicative``: ``x·(1 + size·e)``; ``additive``: ``x + size·e``, with ``e`` uniform on
    ``(−1, 1)`` or standard normal, independently for every value (unit, indicator, period).
    A missing value stays missing. One number ``u`` per draw seeds the draw's noise
    (``numpy.random.default_rng(floor(u·2⁵³))``), so a draw's noise is the same in any chunk,
    process or cluster, and the sensitivity design can swap it like any assumption.

    Parameters
    ----------
    size
        ``0 ≤ size``: relative for multiplicative noise (0.05 = ±5 %), in the indicators'
        units for additive noise.
    kind
        ``"multiplicative"`` (default) or ``"additive"``.
    distribution
        ``"uniform"`` (default) or ``"normal"``.
    indicators
        The indicators perturbed (default: every indicator of the framework).
    name
        Label in results (default ``"noise"``, or ``"noise.a+b"`` for indicators a and b).
    """

    size: float = attrs.field(converter=float)
    kind: str = "multiplicative"
    distribution: str = "uniform"
    indicators: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("multiplicative", "additive"):
            raise DxfError(
                Problem(f"noise: unknown kind {self.kind!r}", hint="multiplicative or additive")
            )
        if self.distribution not in ("uniform", "normal"):
            raise DxfError(
                Problem(
                    f"noise: unknown distribution {self.distribution!r}",
                    hint="uniform or normal",
                )
            )
        if not (math.isfinite(self.size) and self.size >= 0):
            raise DxfError(f"noise: size {self.size} must be a finite number ≥ 0")
        if not self.name:
            which = f".{'+'.join(self.indicators)}" if self.indicators else ""
            object.__setattr__(self, "name", f"noise{which}")

    @property
    def size_u(self) -> int:
        """Numbers ``u`` the assumption takes per draw."""
        return 1

    def apply(self, u: float, values: F, out: F | None = None) -> F:
        """``values`` with this draw's noise (``u`` seeds it); NaN stays NaN.

        ``out`` (may be ``values``) receives the result in place.
        """
        rng = self.generator(u)
        shape = np.shape(values)
        e = (
            rng.uniform(-1.0, 1.0, size=shape)
            if self.distribution == "uniform"
            else rng.standard_normal(size=shape)
        )
        e *= self.size
        if self.kind == "multiplicative":
            e += 1.0  # x·(1 + size·e)
            return np.asarray(np.multiply(values, e, out=out))
        return np.asarray(np.add(values, e, out=out))  # x + size·e

    def generator(self, u: float) -> np.random.Generator:
        """The random generator of a draw: ``numpy.random.default_rng(floor(u·2⁵³))``."""
        return np.random.default_rng(int(u * 2.0**53))

    def terms(self, rng: np.random.Generator, out: F) -> None:
        """``out`` ← the draw's noise terms from ``rng``: ``1 + size·e`` (multiplicative) or
        ``size·e`` (additive), the numbers :meth:`apply` multiplies or adds.

        ``out`` (C-contiguous) first receives the random numbers: ``uniform(−1, 1)`` is
        ``−1 + 2·r`` for numpy's ``r ∈ [0, 1)``, exactly (``2·r`` and the subtraction are
        exact), so ``2·r − 1`` gives the same numbers. The generator hands out its numbers in
        order, so filling consecutive rows block by block gives one call's numbers.
        """
        if self.distribution == "uniform":
            rng.random(out=out)
            out *= 2.0
            out -= 1.0
        else:
            rng.standard_normal(out=out)
        out *= self.size
        if self.kind == "multiplicative":
            out += 1.0

    def fill(self, rng: np.random.Generator, values: F, out: F) -> None:
        """``out`` ← ``values`` with noise from ``rng``, as :meth:`apply` computes it
        (``out`` C-contiguous, the shape of ``values``, not ``values`` itself)."""
        self.terms(rng, out)
        if self.kind == "multiplicative":
            out *= values
        else:
            out += values


Assumption: TypeAlias = Choice | Uniform | WeightNoise | DataNoise


def _assumptions(value: Iterable[Assumption]) -> tuple[Assumption, ...]:
    return tuple(value)


_KEYS: Mapping[str, tuple[type, frozenset[str], frozenset[str]]] = {
    "choice": (Choice, frozenset({"stage", "param", "values"}), frozenset({"name"})),
    "uniform": (Uniform, frozenset({"stage", "param", "low", "high"}), frozenset({"name"})),
    "weights": (WeightNoise, frozenset({"level", "factor"}), frozenset({"name"})),
    "noise": (
        DataNoise,
        frozenset({"size"}),
        frozenset({"kind", "distribution", "indicators", "name"}),
    ),
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
    #: Aggregates to analyse, each with its own results (default: the index only).
    aggregates: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_codes)
    #: Periods to analyse, each with its own results (default: the last only).
    periods: tuple[int, ...] = attrs.field(default=(), kw_only=True, converter=_periods)

    def __attrs_post_init__(self) -> None:
        for what, values in (("aggregates", self.aggregates), ("periods", self.periods)):
            if len(set(values)) != len(values):
                raise DxfError(
                    Problem(f"'{what}' names one twice: {list(values)}", file=self.source)
                )
        if not self.assumptions:
            raise DxfError(
                Problem(
                    "the uncertainty spec declares no assumption",
                    file=self.source,
                    hint="add [[choice]], [[uniform]], [[weights]] or [[noise]] tables",
                )
            )
        seen: set[str] = set()
        for a in self.assumptions:
            if not isinstance(a, Choice | Uniform | WeightNoise | DataNoise):
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
        unknown = set(doc) - set(_KEYS) - set(_TARGETS)
        problems: list[Problem] = []
        targets: dict[str, Any] = {}
        for key, convert in _TARGETS.items():
            if key in doc:
                try:
                    targets[key] = convert(doc[key])
                except (TypeError, ValueError):
                    problems.append(
                        Problem(
                            f"'{key}' must be a list of {_TARGET_KINDS[key]}, got {doc[key]!r}",
                            file=source,
                            hint=f"e.g. {key} = {_TARGET_EXAMPLES[key]}",
                        )
                    )
        if unknown:
            problems.append(
                Problem(
                    f"unknown tables: {', '.join(sorted(unknown))}",
                    file=source,
                    hint="use [[choice]], [[uniform]], [[weights]] and [[noise]]",
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
        return cls(found, source=source, **targets)

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
        if framework is not None:
            absent = [c for c in self.aggregates if c not in framework.aggregate_codes]
            if absent:
                problems.append(
                    Problem(
                        f"aggregates: no aggregate {', '.join(map(repr, absent))} in the framework",
                        file=self.source,
                        hint=f"aggregates: {', '.join(framework.aggregate_codes)}",
                    )
                )
        for a in self.assumptions:
            if isinstance(a, DataNoise):
                if framework is not None:
                    unknown = [c for c in a.indicators if c not in framework.indicator_codes]
                    if unknown:
                        problems.append(
                            Problem(
                                f"assumption {a.name!r}: no indicator "
                                f"{', '.join(map(repr, unknown))} in the framework",
                                file=self.source,
                            )
                        )
                continue
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
