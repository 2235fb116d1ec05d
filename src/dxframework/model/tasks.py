"""Task catalogues: the priority tasks of a proposal, with status and progress.

A catalogue is a table (CSV, Excel or JSON) with one row per task and the columns ``id``,
``task_vi``, ``task_en``, ``pillar``, ``indicators`` (codes separated by ``;``), ``lead_vi``,
``lead_en``, ``partners_vi``, ``partners_en``, ``start``, ``end`` (years), ``funding_vi``,
``funding_en``, ``status`` (``planned``, ``in_progress``, ``done``, ``delayed``,
``cancelled``), ``progress`` (0–100) and ``milestones_vi``, ``milestones_en`` (separated by
``;``). Consultants keep it up to date (``dxf report --tasks FILE`` reports on a local copy).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from dxframework.errors import DataError, Problem
from dxframework.io.tables import parse_number, read_table, table_decimal

__all__ = ["STATUSES", "Task", "TaskCatalogue"]

STATUSES = ("planned", "in_progress", "done", "delayed", "cancelled")
_REQUIRED = ("id", "task_vi", "pillar", "start", "end", "status")


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(";") if s.strip())


@attrs.frozen
class Task:
    """One priority task."""

    id: str
    name_vi: str
    name_en: str
    pillar: str
    indicators: tuple[str, ...]
    lead_vi: str
    lead_en: str
    partners_vi: str
    partners_en: str
    start: int
    end: int
    funding_vi: str
    funding_en: str
    status: str
    progress: float
    milestones_vi: tuple[str, ...] = ()
    milestones_en: tuple[str, ...] = ()

    def text(self, field: str, lang: str) -> str:
        """A bilingual field in ``lang`` (falling back to the other language)."""
        vi, en = getattr(self, f"{field}_vi"), getattr(self, f"{field}_en")
        return str((vi or en) if lang == "vi" else (en or vi))

    def milestones(self, lang: str) -> tuple[str, ...]:
        """Milestones in ``lang``."""
        return (
            (self.milestones_vi or self.milestones_en)
            if lang == "vi"
            else (self.milestones_en or self.milestones_vi)
        )

    def active_in(self, year: int) -> bool:
        """Whether the task runs in ``year``."""
        return self.start <= year <= self.end


@attrs.frozen
class TaskCatalogue:
    """The tasks of a pack or a consultant's updated copy."""

    tasks: tuple[Task, ...]
    source: str | None = None

    @classmethod
    def from_file(cls, path: str | Path) -> TaskCatalogue:
        """Read and validate a task table; every problem names its row and column."""
        table = read_table(path)
        decimal = table_decimal(table)
        src = table.source
        header = {h.lower(): j for j, h in enumerate(table.header)}
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise DataError(
                [Problem(f"missing column {c!r}", file=src, row=1, column=c) for c in missing]
            )
        problems: list[Problem] = []
        tasks: list[Task] = []
        seen: set[str] = set()
        for row, n in zip(table.rows, table.row_numbers, strict=True):

            def cell(name: str, row: tuple[object, ...] = row) -> str:
                j = header.get(name)
                value = None if j is None else row[j]
                return "" if value is None else str(value).strip()

            tid = cell("id")
            if tid in seen:
                problems.append(Problem(f"duplicate task id {tid!r}", file=src, row=n, column="id"))
            seen.add(tid)
            years = {}
            for col in ("start", "end"):
                v = parse_number(cell(col), decimal)
                if v is None or math.isnan(v) or v != int(v):
                    problems.append(
                        Problem(
                            f"{col} year {cell(col)!r} is not a year", file=src, row=n, column=col
                        )
                    )
                    v = 0.0
                years[col] = int(v)
            status = cell("status").lower() or "planned"
            if status not in STATUSES:
                problems.append(
                    Problem(
                        f"unknown status {status!r}",
                        file=src,
                        row=n,
                        column="status",
                        hint=f"use one of {', '.join(STATUSES)}",
                    )
                )
            progress = parse_number(cell("progress") or "0", decimal)
            if progress is None or not (0 <= progress <= 100):
                problems.append(
                    Problem(
                        f"progress {cell('progress')!r} must be 0–100",
                        file=src,
                        row=n,
                        column="progress",
                    )
                )
                progress = 0.0
            tasks.append(
                Task(
                    id=tid,
                    name_vi=cell("task_vi"),
                    name_en=cell("task_en"),
                    pillar=cell("pillar"),
                    indicators=_split(cell("indicators")),
                    lead_vi=cell("lead_vi"),
                    lead_en=cell("lead_en"),
                    partners_vi=cell("partners_vi"),
                    partners_en=cell("partners_en"),
                    start=years["start"],
                    end=years["end"],
                    funding_vi=cell("funding_vi"),
                    funding_en=cell("funding_en"),
                    status=status,
                    progress=0.0 if math.isnan(progress) else progress,
                    milestones_vi=_split(cell("milestones_vi")),
                    milestones_en=_split(cell("milestones_en")),
                )
            )
        if problems:
            raise DataError(problems)
        return cls(tuple(tasks), src)

    def check_codes(self, codes: Iterable[str]) -> None:
        """Every pillar and indicator a task names must exist in the framework."""
        known = set(codes)
        problems = []
        for t in self.tasks:
            for code in (t.pillar, *t.indicators):
                if code not in known:
                    problems.append(
                        Problem(
                            f"task {t.id!r} names {code!r}, which is not in the framework",
                            file=self.source,
                            indicator=code,
                        )
                    )
        if problems:
            raise DataError(problems)

    def summary(self) -> Mapping[str, int]:
        """Number of tasks per status."""
        return {s: sum(t.status == s for t in self.tasks) for s in STATUSES}
