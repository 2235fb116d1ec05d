"""The result of a pipeline run: every stage's data set and record, scores, ranks, manifest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from dxframework.errors import DxfError
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.spec import Pipeline, Stage

__all__ = ["RunResult", "StageResult"]


@attrs.frozen
class StageResult:
    """One stage's output: the data set it wrote and the record of what it did."""

    stage: Stage
    data: Dataset
    record: Mapping[str, Any]

    @property
    def name(self) -> str:
        """Name of the data set (``"treated"``, ``"normalised"``…)."""
        return self.stage.name


@attrs.frozen
class RunResult:
    """Everything a run produced, kept for inspection (an audit trail).

    Attributes
    ----------
    framework, pipeline
        What was run.
    raw
        The input data set (indicator columns).
    stages
        One :class:`StageResult` per stage, in order.
    scores
        Every aggregate's score, units × aggregates × periods.
    ranks
        Competition ranks of ``scores`` (1 = best), same shape.
    manifest
        Hashes of the inputs, versions and every parameter: enough to repeat the run.
    """

    framework: Framework
    pipeline: Pipeline
    raw: Dataset
    stages: tuple[StageResult, ...]
    scores: Dataset
    ranks: Dataset
    manifest: Mapping[str, Any]

    @property
    def datasets(self) -> dict[str, Dataset]:
        """Every data set by name: ``raw`` then each stage's."""
        return {"raw": self.raw, **{s.name: s.data for s in self.stages}}

    def __getitem__(self, name: str) -> Dataset:
        try:
            return self.datasets[name]
        except KeyError:
            raise DxfError(f"no data set {name!r} in this run (have: "
                           f"{', '.join(self.datasets)})") from None

    def record(self, name: str) -> Mapping[str, Any]:
        """The record of the stage that wrote data set ``name``."""
        for s in self.stages:
            if s.name == name:
                return s.record
        raise DxfError(f"no stage {name!r} in this run")

    @property
    def final(self) -> Dataset:
        """The last stage's data set (the raw data when there are no stages)."""
        return self.stages[-1].data if self.stages else self.raw

    def ranking(self, code: str | None = None, period: int | None = None
                ) -> list[tuple[int, str, str, float]]:
        """``(rank, unit code, unit name, score)`` sorted by rank, for the index by default."""
        code = code or self.framework.index or self.scores.columns[-1]
        p = self.scores.period_index(period)
        j = self.scores.column_index(code)
        rows = [(self.ranks.values[p, i, j], u.code, u.name, self.scores.values[p, i, j])
                for i, u in enumerate(self.scores.units)]
        rows.sort(key=lambda r: (float("inf") if r[0] != r[0] else r[0], r[1]))
        return [(int(r) if r == r else 0, c, n, float(s)) for r, c, n, s in rows]
