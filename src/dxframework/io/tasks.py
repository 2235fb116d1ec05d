"""Reading task catalogues (see :mod:`dxframework.model.tasks` for the columns)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path

from dxframework.errors import DataError, Problem
from dxframework.io.tables import Loader, parse_number, read_table, table_decimal
from dxframework.model.tasks import STATUSES, Task, TaskCatalogue

__all__ = ["read_tasks"]

logger = logging.getLogger(__name__)

_REQUIRED = ("id", "task_vi", "pillar", "start", "end", "status")


def _split(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(";") if s.strip())


def read_tasks(path: str | Path, loaders: Mapping[str, Loader] | None = None) -> TaskCatalogue:
    """Read and validate a task table; every problem names its row and column.

    ``loaders`` as for :func:`dxframework.io.tables.read_tables`.
    """
    logger.debug("reading the task catalogue %s", path)
    table = read_table(path, loaders=loaders)
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
                    Problem(f"{col} year {cell(col)!r} is not a year", file=src, row=n, column=col)
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
        amount = parse_number(cell("amount"), decimal) if cell("amount") else None
        if cell("amount") and (amount is None or math.isnan(amount) or amount < 0):
            problems.append(
                Problem(
                    f"amount {cell('amount')!r} must be a number of million VND, 0 or more",
                    file=src,
                    row=n,
                    column="amount",
                )
            )
            amount = None
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
                amount=amount,
                outputs_vi=_split(cell("outputs_vi")),
                outputs_en=_split(cell("outputs_en")),
            )
        )
    if problems:
        raise DataError(problems)
    return TaskCatalogue(tuple(tasks), src)
