"""Testing helpers for pack and plugin authors: conformance checks their own tests call.

>>> from dxframework.testing import assert_pack_conforms, check_method
>>> assert_pack_conforms("mypack")                     # doctest: +SKIP
>>> check_method("normalise", my_normalisation)        # doctest: +SKIP

Like scikit-learn's ``check_estimator``, :func:`check_pack` runs a list of checks and
reports each one (``dxf check-pack NAME`` prints the same report), and :func:`check_method`
checks that a stage method behaves as its stage expects. Every check raises its error
explicitly (:class:`ConformanceError`, an ``AssertionError``), so none is skipped under
``python -O``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from dxframework.errors import DxfError
from dxframework.methods.treat import TreatmentResult
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Edge, Framework
from dxframework.model.indicator import Aggregate, Indicator
from dxframework.model.units import Unit
from dxframework.packs.pack import MetricPack, PackLevel
from dxframework.pipeline.context import MethodContext
from dxframework.plugins.kinds import KINDS
from dxframework.plugins.manager import get_registry

__all__ = [
    "Check",
    "ConformanceError",
    "PackReport",
    "assert_pack_conforms",
    "check_method",
    "check_pack",
]


class ConformanceError(AssertionError):
    """A conformance check failed (raised explicitly: ``python -O`` does not skip it)."""


def _require(condition: bool, message: str) -> None:
    """Raise :class:`ConformanceError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ConformanceError(message)


@attrs.frozen
class Check:
    """One conformance check: what was checked, at which level, and what was found."""

    name: str
    level: str
    passed: bool
    message: str = ""


@attrs.frozen
class PackReport:
    """Every check run on a pack."""

    pack: str
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if not c.passed)

    def __str__(self) -> str:
        lines = [
            f"pack {self.pack!r}: {sum(c.passed for c in self.checks)}/{len(self.checks)} "
            "checks passed"
        ]
        for c in self.checks:
            mark = "ok  " if c.passed else "FAIL"
            lines.append(f"  {mark} [{c.level}] {c.name}" + (f": {c.message}" if c.message else ""))
        return "\n".join(lines)


def _target_codes(
    targets: Mapping[str, Any], lvl: PackLevel, default_level: str | None
) -> list[str]:
    """The codes the pack's targets file names for this level (its ``[index]``, ``[pillars]``).

    The file's ``level`` says which level its targets are for (default: the pack's default
    level); other levels have none.
    """
    if targets.get("level", default_level) != lvl.name:
        return []
    codes: list[str] = []
    for group in ("index", "pillars"):
        table = targets.get(group, {})
        _require(isinstance(table, Mapping), f"[{group}] of the targets must be a table")
        codes += [str(c) for c in table]
    return codes


def _level_checks(
    lvl: PackLevel, pack_targets: Mapping[str, Any] | None = None, default_level: str | None = None
) -> Iterator[tuple[str, Callable[[], str]]]:
    """(name, function) pairs; a function returns a note or raises ConformanceError."""
    pack_targets = pack_targets or {}
    state: dict[str, Any] = {}

    def framework() -> str:
        fw = lvl.framework
        state["fw"] = fw
        return (
            f"{len(fw.indicators)} indicators, {len(fw.aggregates)} aggregates, index {fw.index!r}"
        )

    def names() -> str:
        fw = state["fw"]
        bad = [c for c, n in fw.nodes.items() if not (n.name_vi and n.name_en)]
        _require(not bad, f"missing a Vietnamese or English name: {', '.join(bad[:10])}")
        return "every node named in Vietnamese and English"

    def units_directions() -> str:
        fw = state["fw"]
        no_unit = [i.code for i in fw.indicators if not i.unit]
        _require(not no_unit, f"no unit of measurement: {', '.join(no_unit[:10])}")
        bad = [i.code for i in fw.indicators if i.direction not in (1, -1)]
        _require(not bad, f"direction neither 1 nor -1: {', '.join(bad[:10])}")
        return "every indicator has a unit and a direction"

    def weights() -> str:
        fw = state["fw"]
        for code in fw.aggregate_codes:
            total = sum(e.weight for e in fw.children(code))
            _require(total > 0, f"the weights of {code!r}'s children sum to {total}")
        if fw.index:
            eff = fw.effective_weights()
            total = sum(eff.get(c, 0.0) for c in fw.indicator_codes)
            _require(
                math.isclose(total, 1.0, rel_tol=1e-9),
                f"indicator weights in the index sum to {total}, not 1",
            )
        return "weights positive within every group; effective weights sum to 1"

    def sample() -> str:
        _require(lvl.data_path is not None, "the level ships no sample data")
        data = lvl.load_data()
        state["data"] = data
        return f"{len(data.units)} units × {len(data.periods)} period(s)"

    def pipelines() -> str:
        for name in lvl.pipelines:
            lvl.pipeline(name)
        _require(bool(lvl.pipelines), "no pipeline declared")
        return ", ".join(lvl.pipelines)

    def default_run() -> str:
        result = lvl.run(state["data"])
        state["result"] = result
        return f"pipeline {result.pipeline.name!r}: {len(result.stages)} stages"

    def scores() -> str:
        result = state["result"]
        fw = state["fw"]
        code = fw.index or result.scores.columns[0]
        values = result.scores.values[:, :, result.scores.column_index(code)]
        finite = values[~np.isnan(values)]
        _require(finite.size > 0, f"no unit has a score for {code!r}")
        _require(bool(np.all(np.isfinite(finite))), f"{code!r} has infinite scores")
        lo, hi = float(finite.min()), float(finite.max())
        if lvl.score_range is not None:
            a, b = lvl.score_range
            _require(
                a - 1e-9 <= lo and hi <= b + 1e-9,
                f"{code} spans [{lo:.6g}, {hi:.6g}], outside the declared [{a}, {b}]",
            )
        return f"{code} in [{lo:.4g}, {hi:.4g}]"

    def targets() -> str:
        fw = state["fw"]
        count = 0
        for ind in fw.indicators:
            for label, value in ind.targets.items():
                _require(math.isfinite(value), f"target {label!r} of {ind.code!r} is not a number")
                count += 1
        for node in fw.aggregates:
            count += len(node.targets)
        named = _target_codes(pack_targets, lvl, default_level)
        unknown = [c for c in named if c not in fw.nodes]
        _require(
            not unknown,
            f"the pack's targets name codes that are not in the framework: {', '.join(unknown)}",
        )
        return f"{count + len(named)} target(s), all on nodes of the framework"

    yield "framework is valid", framework
    yield "names in both languages", names
    yield "units and directions set", units_directions
    yield "weights or points consistent", weights
    yield "sample data validates", sample
    yield "pipelines parse", pipelines
    yield "default pipeline runs", default_run
    yield "scores in range", scores
    yield "targets refer to real indicators", targets


def check_pack(pack: MetricPack | str) -> PackReport:
    """Run every conformance check on every level of a pack (by object or installed name)."""
    if isinstance(pack, str):
        found: MetricPack = get_registry().pack(pack)
        pack = found
    checks: list[Check] = []
    try:
        targets = pack.targets()
    except DxfError as exc:
        targets = {}
        checks.append(Check("targets file reads", "", False, str(exc).replace("\n", "; ")))
    for lvl in pack.levels.values():
        skip = False
        for name, func in _level_checks(lvl, targets, pack.default_level):
            if skip:
                checks.append(Check(name, lvl.name, False, "not run: an earlier check failed"))
                continue
            try:
                checks.append(Check(name, lvl.name, True, func()))
            except (AssertionError, DxfError) as exc:
                checks.append(Check(name, lvl.name, False, str(exc).replace("\n", "; ")))
                skip = name in (
                    "framework is valid",
                    "sample data validates",
                    "default pipeline runs",
                )
    return PackReport(pack.name, tuple(checks))


def assert_pack_conforms(pack: MetricPack | str) -> PackReport:
    """Run :func:`check_pack` and raise ``AssertionError`` with the report if any check fails."""
    report = check_pack(pack)
    if not report.passed:
        raise AssertionError(str(report))
    return report


# -- methods ------------------------------------------------------------------------------------
F = NDArray[np.float64]

_CODES = ("a", "b", "c", "d")
_PERIODS = (2020, 2021)
_N_UNITS = 8


def _bench_framework() -> Framework:
    """Four indicators with targets and goalposts, two pillars, an index, a weight set."""
    return Framework(
        [Indicator(c, targets={"2030": 12.0}, goalposts=(0.0, 12.0)) for c in _CODES],
        [Aggregate("P"), Aggregate("Q"), Aggregate("I")],
        [
            Edge("a", "P"),
            Edge("b", "P", 2.0),
            Edge("c", "Q"),
            Edge("d", "Q"),
            Edge("P", "I"),
            Edge("Q", "I"),
        ],
        weight_sets={"alt": {"P": {"a": 1.0, "b": 1.0}, "Q": {"c": 3.0, "d": 1.0}}},
    )


_FRAMEWORK_EDGES = {(e.child, e.parent) for e in _bench_framework().edges}


def _bench_data(values: F, order: NDArray[np.int64]) -> Dataset:
    """Units ``u0…u7`` (groups ``g`` = A/B alternating) in ``order``, with ``values``."""
    units = [Unit(f"u{i}", groups={"g": "AB"[i % 2]}) for i in range(_N_UNITS)]
    return Dataset.from_arrays([units[i] for i in order], _CODES, values, periods=_PERIODS)


@attrs.frozen
class _Bench:
    """Calls one method the way its stage does, on the bench framework."""

    family: str
    func: Callable[..., Any]
    params: Mapping[str, Any]
    framework: Framework

    def __call__(self, x: F, extra: F | None = None, order: NDArray[np.int64] | None = None) -> Any:
        order = np.arange(_N_UNITS) if order is None else order
        base = x if x.ndim == 3 else x[0]
        data = _bench_data(base, order)
        ctx = MethodContext(self.framework, data, data, _CODES, f"check_method({self.family})")
        if self.family == "aggregate":
            w = self.framework.weight_matrix(list(_CODES), ["P", "Q"])
            return self.func(x, w, ctx, **self.params)
        if self.family == "denominate":
            return self.func(x, extra, ctx, **self.params)
        return self.func(x, ctx, **self.params)


def _result_arrays(family: str, result: Any) -> dict[str, F]:
    """The arrays of a method's result to compare, by name."""
    if family == "treat":
        _require(
            isinstance(result, TreatmentResult), "a treatment method returns a TreatmentResult"
        )
        return {"values": np.asarray(result.values, dtype=np.float64)}
    if family == "weight":
        mapping = result[0] if isinstance(result, tuple) else result
        _require(isinstance(mapping, Mapping), "a weighting method returns {(child, parent): w}")
        edges = sorted(_FRAMEWORK_EDGES)
        unknown = set(mapping) - _FRAMEWORK_EDGES
        _require(not unknown, f"weights for edges that do not exist: {sorted(unknown)}")
        # one entry per edge of the bench framework, NaN where the method sets none
        return {"weights": np.asarray([float(mapping.get(e, np.nan)) for e in edges])}
    return {"values": np.asarray(result, dtype=np.float64)}


def _same(a: dict[str, F], b: dict[str, F], what: str) -> None:
    for key, left in a.items():
        right = b[key]
        _require(left.shape == right.shape, f"{what}: {key} shaped {right.shape}, not {left.shape}")
        if not np.allclose(left, right, rtol=1e-9, atol=1e-9, equal_nan=True):
            both = ~np.isnan(left) & ~np.isnan(right)
            gap = float(np.max(np.abs(left[both] - right[both]), initial=0.0))
            raise ConformanceError(
                f"{what}: {key} differ (missing in one only, or by up to {gap:.3g})"
            )


def check_method(
    family: str,
    func: Callable[..., Any],
    params: Mapping[str, Any] | None = None,
    *,
    values: ArrayLike | None = None,
    seed: int = 0,
) -> tuple[str, ...]:
    """Check that a stage method behaves as its stage expects (as scikit-learn's
    ``check_estimator``), on a bench of 8 units, 4 indicators and 2 periods.

    The checks: the result has the right shape, also with one more leading axis, where each
    slice equals the method applied to that slice alone (variants are computed in one call);
    missing values are handled (an imputation changes only them; a normalisation, treatment
    or denomination leaves them missing); reordering the units reorders the result the same
    way; two calls give the same result. Weighting methods pool the leading axes, so their
    shape check is on the edges they return.

    Parameters
    ----------
    family
        The stage kind the method is registered for (``"normalise"``, …).
    func
        The method, called as its stage calls it (``func(x, ctx, **params)``, …).
    params
        Parameters to call it with.
    values
        The values ``(2, 8, 4)`` to check on (default: random values in [1, 10]), e.g. coded
        answers for a categories rule.
    seed
        Seed of the random values.

    Returns
    -------
    tuple of str
        The names of the checks run (all passed).

    Raises
    ------
    ConformanceError
        Naming the family, the check and what was found.
    """
    _require(family in KINDS, f"unknown method family {family!r} (known: {', '.join(KINDS)})")
    bench = _Bench(family, func, dict(params or {}), _bench_framework())
    rng = np.random.default_rng(seed)
    shape = (len(_PERIODS), _N_UNITS, len(_CODES))
    x = (
        rng.uniform(1.0, 10.0, shape)
        if values is None
        else np.array(values, dtype=np.float64).reshape(shape)
    )
    d = rng.uniform(1.0, 5.0, shape)
    name = getattr(func, "__name__", repr(func))
    done: list[str] = []

    def check(what: str, run: Callable[[], None]) -> None:
        try:
            run()
        except ConformanceError as exc:
            raise ConformanceError(f"{family} method {name}: {what}: {exc}") from None
        done.append(what)

    def shape_over_leading_axes() -> None:
        base = bench(x, d)
        if family == "weight":  # the leading axes are pooled: the edges are the shape
            _result_arrays(family, base)
            return
        if family == "screen":
            keep = np.asarray(base)
            _require(keep.shape == (_N_UNITS,), f"returned shape {keep.shape}, not (units,)")
            stacked = np.asarray(bench(np.stack([x, x[::-1]]), None))
            _require(stacked.shape == (_N_UNITS,), "leading axes are not pooled into (units,)")
            return
        one = _result_arrays(family, base)
        expected = shape if family != "aggregate" else (*shape[:-1], 2)
        _require(
            one["values"].shape == expected, f"returned shape {one['values'].shape}, not {expected}"
        )
        x2 = np.roll(x[::-1], 1, axis=-1)  # another variant: periods swapped, columns rolled
        d2 = d[::-1]
        both = _result_arrays(family, bench(np.stack([x, x2]), np.stack([d, d2])))
        alone = _result_arrays(family, bench(x2, d2))
        _same(one, {k: v[0] for k, v in both.items()}, "variant 0")
        _same(alone, {k: v[1] for k, v in both.items()}, "variant 1")

    def missing_values() -> None:
        xm = x.copy()
        xm[0, 1, 2] = np.nan
        xm[1, 3, 0] = np.nan
        blank = np.isnan(xm)
        result = bench(xm, d)
        if family == "screen":
            keep = np.asarray(result)
            _require(keep.shape == (_N_UNITS,), f"returned shape {keep.shape}, not (units,)")
            return
        if family == "weight":
            _result_arrays(family, result)
            return
        y = _result_arrays(family, result)["values"]
        if family == "impute":
            _require(bool(np.array_equal(y[~blank], xm[~blank])), "changed values not missing")
        elif family in ("normalise", "treat", "denominate"):
            _require(bool(np.all(np.isnan(y[blank]))), "a missing value came out not missing")

    def unit_order() -> None:
        order = rng.permutation(_N_UNITS)
        xs, ds = x[:, order, :], d[:, order, :]
        base, moved = bench(x, d), bench(xs, ds, order)
        if family == "screen":
            _require(
                bool(np.array_equal(np.asarray(base)[order], np.asarray(moved))),
                "the units kept depend on the order of the units",
            )
            return
        a, b = _result_arrays(family, base), _result_arrays(family, moved)
        if family != "weight":
            a = {k: v[..., order, :] for k, v in a.items()}
        _same(a, b, "units reordered")

    def determinism() -> None:
        a, b = bench(x, d), bench(x, d)
        if family == "screen":
            _require(bool(np.array_equal(np.asarray(a), np.asarray(b))), "two calls differ")
            return
        ra, rb = _result_arrays(family, a), _result_arrays(family, b)
        for key, left in ra.items():
            _require(
                bool(np.array_equal(left, rb[key], equal_nan=True)), f"two calls differ ({key})"
            )

    check("shape over leading axes", shape_over_leading_axes)
    check("missing values", missing_values)
    check("unit-order invariance", unit_order)
    check("determinism", determinism)
    return tuple(done)
