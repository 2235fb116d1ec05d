"""Task catalogues: the priority tasks of a proposal, with status and progress.

A catalogue is a table (CSV, Excel or JSON) with one row per task and the columns ``id``,
``task_vi``, ``task_en``, ``pillar``, ``indicators`` (codes separated by ``;``), ``lead_vi``,
``lead_en``, ``partners_vi``, ``partners_en``, ``start``, ``end`` (years), ``funding_vi``,
``funding_en``, ``status`` (``planned``, ``in_progress``, ``done``, ``delayed``,
``cancelled``), ``progress`` (0–100) and ``milestones_vi``, ``milestones_en`` (separated by
``;``); optional ``amount`` (the estimated cost, million VND) and ``outputs_vi``,
``outputs_en`` (expected outputs, separated by ``;``). Consultants keep it up to date
(``dxf report --tasks FILE`` reports on a local copy).
:func:`dxframework.io.tasks.read_tasks` reads such a table; the model reads no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from dxframework.errors import DataError, Problem

__all__ = ["STATUSES", "Task", "TaskCatalogue"]

STATUSES = ("planned", "in_progress", "done", "delayed", "cancelled")


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
    amount: float | None = None
    outputs_vi: tuple[str, ...] = ()
    outputs_en: tuple[str, ...] = ()

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

    def outputs(self, lang: str) -> tuple[str, ...]:
        """Expected outputs in ``lang``."""
        return (
            (self.outputs_vi or self.outputs_en)
            if lang == "vi"
            else (self.outputs_en or self.outputs_vi)
        )

    def late_in(self, year: int) -> bool:
        """Whether the task should have ended before ``year`` and is not finished.

        A late task is carried over into the plan of ``year``.
        """
        return self.end < year and self.status not in ("done", "cancelled") and self.progress < 100

    def active_in(self, year: int) -> bool:
        """Whether the task runs in ``year``."""
        return self.start <= year <= self.end


@attrs.frozen
class TaskCatalogue:
    """The tasks of a pack or a consultant's updated copy (read by
    :func:`dxframework.io.tasks.read_tasks`)."""

    tasks: tuple[Task, ...]
    source: str | None = None

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
