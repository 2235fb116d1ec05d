"""Testing helpers for pack authors: a conformance check that a pack's own tests call.

>>> from dxframework.testing import assert_pack_conforms
>>> assert_pack_conforms("mypack")        # doctest: +SKIP

Like scikit-learn's ``check_estimator``, :func:`check_pack` runs a list of checks and
reports each one; ``dxf check-pack NAME`` prints the same report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DxfError
from dxframework.model.indicator import Indicator
from dxframework.packs.pack import MetricPack, PackLevel

__all__ = ["Check", "PackReport", "assert_pack_conforms", "check_pack"]


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


def _level_checks(lvl: PackLevel) -> Iterator[tuple[str, Callable[[], str]]]:
    """(name, function) pairs; a function returns a note or raises AssertionError."""
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
        assert not bad, f"missing a Vietnamese or English name: {', '.join(bad[:10])}"
        return "every node named in Vietnamese and English"

    def units_directions() -> str:
        fw = state["fw"]
        no_unit = [i.code for i in fw.indicators if not i.unit]
        assert not no_unit, f"no unit of measurement: {', '.join(no_unit[:10])}"
        assert all(isinstance(i, Indicator) and i.direction in (1, -1) for i in fw.indicators)
        return "every indicator has a unit and a direction"

    def weights() -> str:
        fw = state["fw"]
        for code in fw.aggregate_codes:
            total = sum(e.weight for e in fw.children(code))
            assert total > 0, f"the weights of {code!r}'s children sum to {total}"
        if fw.index:
            eff = fw.effective_weights()
            total = sum(eff.get(c, 0.0) for c in fw.indicator_codes)
            assert math.isclose(total, 1.0, rel_tol=1e-9), (
                f"indicator weights in the index sum to {total}, not 1"
            )
        return "weights positive within every group; effective weights sum to 1"

    def sample() -> str:
        assert lvl.data_path is not None, "the level ships no sample data"
        data = lvl.load_data()
        state["data"] = data
        return f"{len(data.units)} units × {len(data.periods)} period(s)"

    def pipelines() -> str:
        for name in lvl.pipelines:
            lvl.pipeline(name)
        assert lvl.pipelines, "no pipeline declared"
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
        assert finite.size > 0, f"no unit has a score for {code!r}"
        assert np.all(np.isfinite(finite)), f"{code!r} has infinite scores"
        lo, hi = float(finite.min()), float(finite.max())
        if lvl.score_range is not None:
            a, b = lvl.score_range
            assert a - 1e-9 <= lo and hi <= b + 1e-9, (
                f"{code} spans [{lo:.6g}, {hi:.6g}], outside the declared [{a}, {b}]"
            )
        return f"{code} in [{lo:.4g}, {hi:.4g}]"

    def targets() -> str:
        fw = state["fw"]
        count = 0
        for ind in fw.indicators:
            for label, value in ind.targets.items():
                assert math.isfinite(value), f"target {label!r} of {ind.code!r} is not a number"
                count += 1
        for node in fw.aggregates:
            count += len(node.targets)
        return f"{count} target(s), all on indicators of the framework"

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
        from dxframework.plugins.manager import get_registry

        pack = get_registry().pack(pack)
    checks: list[Check] = []
    for lvl in pack.levels.values():
        skip = False
        for name, func in _level_checks(lvl):
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
