"""The result of a pipeline run: every stage's data set and record, scores, ranks, manifest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DxfError
from dxframework.methods.rank import competition_rank, tiers
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
    input
        The data set as given (with auxiliary columns such as population).
    """

    framework: Framework
    pipeline: Pipeline
    raw: Dataset
    stages: tuple[StageResult, ...]
    scores: Dataset
    ranks: Dataset
    manifest: Mapping[str, Any]
    input: Dataset | None = None

    @property
    def datasets(self) -> dict[str, Dataset]:
        """Every data set by name: ``raw`` then each stage's."""
        return {"raw": self.raw, **{s.name: s.data for s in self.stages}}

    def __getitem__(self, name: str) -> Dataset:
        try:
            return self.datasets[name]
        except KeyError:
            raise DxfError(
                f"no data set {name!r} in this run (have: {', '.join(self.datasets)})"
            ) from None

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

    def changes(self, since: int | None = None, until: int | None = None) -> dict[str, Dataset]:
        """Change of scores and ranks between two periods (default: the last two).

        Rank change is positive when a unit moved up (its rank number fell).
        """
        periods = self.scores.periods
        if len(periods) < 2 and (since is None or until is None):
            raise DxfError("year-on-year change needs at least two periods")
        a = self.scores.period_index(since if since is not None else periods[-2])
        b = self.scores.period_index(until if until is not None else periods[-1])
        cols = self.scores.columns
        score = self.scores.values[b] - self.scores.values[a]
        rank = self.ranks.values[a] - self.ranks.values[b]
        at = (self.scores.periods[b],)
        units = self.scores.units
        return {
            "score": Dataset(units=units, columns=cols, values=score, periods=at),
            "rank": Dataset(units=units, columns=cols, values=rank, periods=at),
        }

    def ranks_within(self, grouping: str) -> Dataset:
        """Competition ranks computed within each group (e.g. communes within their district).

        ``grouping`` names a unit grouping, or ``"parent"`` for the units' parent unit.
        """
        labels = (
            [u.parent for u in self.scores.units]
            if grouping == "parent"
            else list(self.scores.group_labels(grouping))
        )
        out = np.full(self.scores.values.shape, np.nan)
        for label in sorted({lab for lab in labels if lab is not None}):
            rows = np.array([lab == label for lab in labels])
            out[:, rows] = competition_rank(self.scores.values[:, rows])
        return self.ranks.with_columns(self.ranks.columns, out)

    def tiers(
        self,
        code: str | None = None,
        thresholds: Sequence[float] | None = None,
        labels: Sequence[str] | None = None,
        period: int | None = None,
    ) -> dict[str, str]:
        """Tier label of every unit for one aggregate (see :func:`dxframework.methods.rank.tiers`).

        Defaults: the index, and the pipeline's ``ranking.tiers`` thresholds and labels.
        """
        code = code or self.framework.index or self.scores.columns[0]
        if thresholds is None or labels is None:
            conf = self.pipeline.ranking.get("tiers")
            if not conf:
                raise DxfError(
                    "no tiers: give thresholds and labels, or set ranking.tiers in the pipeline"
                )
            thresholds, labels = conf["thresholds"], conf["labels"]
        p = self.scores.period_index(period)
        values = self.scores.values[p, :, self.scores.column_index(code)]
        return dict(
            zip(self.scores.unit_codes, tiers(values, thresholds, labels).tolist(), strict=True)
        )

    def ranking(
        self, code: str | None = None, period: int | None = None
    ) -> list[tuple[int, str, str, float]]:
        """``(rank, unit code, unit name, score)`` sorted by rank, for the index by default."""
        code = code or self.framework.index or self.scores.columns[-1]
        p = self.scores.period_index(period)
        j = self.scores.column_index(code)
        rows = [
            (self.ranks.values[p, i, j], u.code, u.name, self.scores.values[p, i, j])
            for i, u in enumerate(self.scores.units)
        ]
        rows.sort(key=lambda r: (float("inf") if r[0] != r[0] else r[0], r[1]))
        return [(int(r) if r == r else 0, c, n, float(s)) for r, c, n, s in rows]
