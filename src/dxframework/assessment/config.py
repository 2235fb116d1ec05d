"""What a pack declares about its assessment workflow and its crosswalks (``pack.toml``).

Two optional tables::

    [assessment]
    level = "district"                              # the pack level assessed
    data = "data/assessment-districts-2024.csv"     # the long assessment table (sample)
    values = "verified"                             # the side scored by default
    fallback = "self"                               # no verified value: score the self-assessed
                                                    # one, with a note ("none": no points)

    [crosswalks.NAME]                               # see dxframework.packs.crosswalks

Paths are relative to the folder of ``pack.toml``. The crosswalks are the pack's
(:mod:`dxframework.packs.crosswalks`); they are re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from dxframework.assessment.records import ValuesChoice
from dxframework.errors import DxfError, Problem
from dxframework.packs.crosswalks import (
    CrosswalkConfig,
    crosswalk_configs,
    find_crosswalk,
    pack_document,
)

__all__ = [
    "AssessmentConfig",
    "CrosswalkConfig",
    "assessment_config",
    "crosswalk_configs",
    "find_crosswalk",
    "pack_document",
]


@attrs.frozen
class AssessmentConfig:
    """The ``[assessment]`` table of a pack."""

    level: str | None = None
    data: Path | None = None
    choice: ValuesChoice = attrs.field(factory=ValuesChoice)


def assessment_config(pack: Any) -> AssessmentConfig:
    """The pack's ``[assessment]`` declaration (defaults when it has none)."""
    doc, path = pack_document(pack)
    table = doc.get("assessment", {})
    known = {"level", "data", "values", "fallback", "description"}
    unknown = sorted(set(table) - known)
    problems = [
        Problem(f"[assessment]: unknown key {k!r}", file=str(path), hint=", ".join(sorted(known)))
        for k in unknown
    ]
    side = str(table.get("values", "verified"))
    fallback = str(table.get("fallback", "self"))
    if side not in ("self", "verified"):
        problems.append(
            Problem(f"[assessment] values = {side!r}: self or verified", file=str(path))
        )
    if fallback not in ("self", "none"):
        problems.append(
            Problem(f"[assessment] fallback = {fallback!r}: self or none", file=str(path))
        )
    level = table.get("level")
    if level is not None and level not in pack.levels:
        problems.append(
            Problem(
                f"[assessment] level {level!r} is not a level of the pack",
                file=str(path),
                hint=", ".join(pack.levels),
            )
        )
    if problems:
        raise DxfError(problems)
    data = path.parent / str(table["data"]) if "data" in table else None
    return AssessmentConfig(
        level=level,
        data=data,
        choice=ValuesChoice(side, None if fallback == "none" else "self"),  # type: ignore[arg-type]
    )
