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


@attrs.frozen(repr=False)
class StageResult:
    """One stage's output: the data set it wrote and the record of what it did."""

    stage: Stage
    data: Dataset
    record: Mapping[str, Any]

    def __repr__(self) -> str:
        return (
            f"<StageResult {self.name!r}: {self.stage.kind} by {self.stage.method!r}, "
            f"{_shape(self.data)}>"
        )

    @property
    def name(self) -> str:
        """Name of the data set (``"treated"``, ``"normalised"``…)."""
        return self.stage.name


def _shape(data: Dataset) -> str:
    periods = len(data.periods)
    return f"{len(data.units)} units × {len(data.columns)} columns" + (
        f" × {periods} periods" if periods > 1 else ""
    )


@attrs.frozen(repr=False)
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

    def __repr__(self) -> str:
        """A short summary; the data sets themselves are ``result[name]``."""
        code = self.framework.index or (self.scores.columns[-1] if self.scores.columns else "")
        top = self.ranking(code)[:3] if code else []
        best = ", ".join(f"{r}. {c} ({s:.4g})" for r, c, _, s in top)
        return (
            f"<RunResult {self.pipeline.name!r}: {_shape(self.raw)}; stages "
            f"{', '.join(self.datasets)}; {len(self.scores.columns)} scores"
            + (f"; top by {code}: {best}" if best else "")
            + ">"
        )

    def to_pandas(self, name: str = "results", period: int | None = None) -> Any:
        """A pandas DataFrame of one data set (needs ``dxframework[pandas]``).

        ``name`` is ``"results"`` (every aggregate's score with its rank as ``CODE_rank``
        columns), ``"scores"``, ``"ranks"``, ``"raw"`` or a stage's data set
        (``"normalised"``…). Indexed by unit (and period for a panel, unless ``period``).
        """
        if name == "scores":
            return self.scores.to_pandas(period)
        if name == "ranks":
            return self.ranks.to_pandas(period)
        if name != "results":
            return self[name].to_pandas(period)
        scores = self.scores.to_pandas(period)
        ranks = self.ranks.to_pandas(period).add_suffix("_rank")
        frame = scores.join(ranks)
        order = [c for code in self.scores.columns for c in (code, f"{code}_rank")]
        return frame[order]

    def to_xarray(self) -> Any:
        """Every data set as one ``xarray.Dataset`` of (period, unit, column) variables.

        Needs xarray (``pip install xarray``); variables are the data-set names.
        """
        import xarray as xr

        variables = {}
        for key, data in {**self.datasets, "scores": self.scores, "ranks": self.ranks}.items():
            variables[key] = xr.DataArray(
                np.asarray(data.values),
                dims=("period", "unit", f"{key}_column"),
                coords={
                    "period": list(data.periods),
                    "unit": list(data.unit_codes),
                    f"{key}_column": list(data.columns),
                },
            )
        return xr.Dataset(variables)

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

    def ranks_of(self, columns: Sequence[str]) -> Dataset:
        """Ranks of ``columns`` of the scores or of the final data set: :attr:`ranks` where it
        has them, else competition ranks by the pipeline's ``ranking.digits`` rule."""
        final, digits = self.final, self.pipeline.ranking.get("digits")
        out = []
        for c in columns:
            if self.ranks.has_column(c):
                out.append(self.ranks.get([c]))
                continue
            values = final.get([c])
            ranked = values if digits is None else np.round(values, int(digits))
            out.append(competition_rank(ranked))
        values = np.concatenate(out, axis=-1) if out else np.zeros((*self.ranks.shape[:2], 0))
        return self.ranks.with_columns(columns, values)

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
