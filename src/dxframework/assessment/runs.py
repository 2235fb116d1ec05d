"""Scoring a pack level on its assessment: the self-assessed or the verified values.

The work behind ``dxf run --values self|verified --assessment FILE``, usable from Python:

>>> import dxframework as dxf                                         # doctest: +SKIP
>>> from dxframework.assessment.runs import score_assessment
>>> pack = dxf.get_pack("backan")                                     # doctest: +SKIP
>>> run = score_assessment(pack, values="self")   # the pack's demo assessment  # doctest: +SKIP
>>> run.result.ranking()[:3]                                          # doctest: +SKIP
>>> run.gaps.rows()[:1]                           # self − verified, by effect  # doctest: +SKIP

The level's data (its sample data or the files given) is the *base*: it gives the units,
the auxiliary columns (population…) and every value not assessed; the assessment records
replace the values they cover, from the side chosen. Where the verified side is chosen and
the appraisal council gave no value, the self-assessed value is scored with a note
(``fallback = "self"``, as the pack's ``[assessment]`` table declares by default) or the
value stays missing (``fallback = "none"``). The gap report
(:mod:`~dxframework.assessment.gaps`) is computed on the same base, so ``gaps.csv`` explains
the difference between the two scorings.

The packs layer reads no assessment (the records live above it), which is why this function
is here rather than on :class:`~dxframework.packs.pack.PackLevel`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from dxframework.assessment.config import assessment_config
from dxframework.assessment.gaps import GapReport, gap_report
from dxframework.assessment.reader import read_assessments
from dxframework.assessment.records import Assessment, Side, ValuesChoice
from dxframework.errors import DataError, DxfError, Problem
from dxframework.io.assemble import expand_inputs
from dxframework.model.dataset import Dataset
from dxframework.model.text import natural_key
from dxframework.packs.pack import MetricPack, PackLevel
from dxframework.packs.runs import DataInput, LevelProgress, input_record, load_level
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import file_sha256

__all__ = ["AssessedRun", "AssessmentNote", "assessment_level", "score_assessment"]


class AssessmentNote(UserWarning):
    """A note on the values scored (a self-assessed value in place of a verified one…)."""


@attrs.frozen(eq=False)
class AssessedRun:
    """One level scored on its assessment, and the gap report of both sides.

    ``result`` is the run of the side chosen (``values``); ``gaps`` holds both runs
    (``gaps.verified``, ``gaps.self_assessed``) and the disagreements; ``origin`` says
    where each value of ``result`` came from (see
    :meth:`~dxframework.assessment.records.Assessment.dataset`).
    """

    level: str
    values: Side
    choice: ValuesChoice
    result: RunResult
    gaps: GapReport
    assessment: Assessment
    origin: NDArray[np.int8]
    notes: tuple[str, ...]
    files: tuple[Path, ...]


def assessment_level(pack: MetricPack, level: str | None = None) -> PackLevel:
    """The level assessed: the one named, the one the pack's ``[assessment]`` declares, or
    the pack's only level."""
    if level is not None:
        return pack.level(level)
    declared = assessment_config(pack).level
    if declared is not None:
        return pack.level(declared)
    if len(pack.levels) == 1:
        return pack.level()
    raise DxfError(
        Problem(
            f"pack {pack.name!r} has several levels and declares none as assessed",
            hint=f"give --level ({', '.join(pack.levels)})",
        )
    )


def _check_cover(assessment: Assessment, base: Dataset) -> None:
    """Every assessed period and column is one the base data scores (else it would be lost)."""
    problems: list[Problem] = []
    periods = sorted(set(assessment.periods) - set(base.periods))
    if periods:
        problems.append(
            Problem(
                f"assessed period(s) {', '.join(map(str, periods))} are not in the data "
                f"(periods: {', '.join(map(str, base.periods))})",
                file=assessment.source,
                hint="give the data of the assessed period with --data, or --period",
            )
        )
    columns = sorted(set(assessment.indicator_codes) - set(base.columns), key=natural_key)
    if columns:
        problems.append(
            Problem(
                f"assessed column(s) {', '.join(columns)} are not in the data",
                file=assessment.source,
                indicator=columns[0],
            )
        )
    if problems:
        raise DataError(problems)


def score_assessment(
    pack: MetricPack,
    assessment: Sequence[str | Path] | None = None,
    values: Side | None = None,
    *,
    level: str | None = None,
    fallback: Literal["self", "none"] | None = None,
    data: DataInput | None = None,
    framework: Path | None = None,
    period: int | None = None,
    pipeline: str | Path | None = None,
    locale: str | None = None,
    progress: LevelProgress | None = None,
) -> AssessedRun:
    """Score a level on the self-assessed or the verified values of its assessment.

    Notes are issued as :class:`AssessmentNote` warnings and kept in ``notes``. The run's
    manifest records the assessment files (with SHA-256) and the values scored.

    Parameters
    ----------
    pack
        The metric pack.
    assessment
        Assessment tables (files or folders of them); default: the pack's sample
        (``[assessment] data``).
    values
        ``"self"`` or ``"verified"``; default: as the pack declares (verified).
    level
        The level assessed (default: as the pack declares).
    fallback
        Where the verified side has no value: ``"self"`` (score the self-assessed one, with
        a note) or ``"none"`` (no points); default: as the pack declares.
    data, framework, period, pipeline
        The base data (default: the level's sample data), a framework file, one period, a
        pipeline (see :func:`dxframework.packs.runs.score_levels`).
    locale
        How the assessment tables write numbers (``vi`` or ``en``).
    progress
        Called as ``progress(level, stage, done, total)`` after each stage.

    """
    cfg = assessment_config(pack)
    lvl = assessment_level(pack, level)
    side: Side = values or cfg.choice.side
    if side not in ("self", "verified"):
        raise DxfError(
            Problem(f"values must be 'self' or 'verified', got {side!r}", hint="--values self")
        )
    if fallback is None:
        choice = ValuesChoice(side, cfg.choice.fallback)
    else:
        choice = ValuesChoice(side, None if fallback == "none" else "self")
    if assessment:
        files, skipped = expand_inputs(list(assessment))
        for note in skipped:
            warnings.warn(note, AssessmentNote, stacklevel=2)
    elif cfg.data is not None and lvl.name == cfg.level:
        files = [cfg.data]
    else:
        raise DxfError(
            Problem(
                f"pack {pack.name!r} ({lvl.name}) ships no assessment data",
                hint="give the assessment table: --assessment of dxf run, --data of dxf gaps",
            )
        )
    fw, base = load_level(lvl, data, framework, period)
    records = read_assessments(files, fw, lvl.spec.auxiliary, period=period, locale=locale)
    _check_cover(records, base)
    dataset, origin, notes = records.dataset(choice, base=base)
    for note in notes:
        warnings.warn(note, AssessmentNote, stacklevel=2)
    inputs = input_record(lvl, data, framework)
    entries = [{"path": str(f), "sha256": file_sha256(f)} for f in files]
    inputs["assessment"] = entries[0] if len(entries) == 1 else entries
    inputs["values"] = side
    inputs["fallback"] = choice.fallback or "none"
    pipe = lvl.pipeline(pipeline)
    options: dict[str, Any] = {}
    if progress is not None:

        def stage_done(name: str, done: int, total: int) -> None:
            progress(lvl.name, name, done, total)

        options["progress"] = stage_done

    def run(ds: Dataset, **more: Any) -> RunResult:
        return lvl.run(ds, pipe, framework=fw, version=pack.version, inputs=inputs, **more)

    result = run(dataset, **options)
    with warnings.catch_warnings():  # the run above said what the blanks are
        warnings.simplefilter("ignore")
        gaps = gap_report(
            records, run, pipe, fw, base=base, choice=ValuesChoice("verified", choice.fallback)
        )
    return AssessedRun(
        level=lvl.name,
        values=side,
        choice=choice,
        result=result,
        gaps=gaps,
        assessment=records,
        origin=origin,
        notes=tuple(notes),
        files=tuple(files),
    )
