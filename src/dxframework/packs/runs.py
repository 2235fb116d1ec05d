"""Scoring a pack's levels and writing the results: the work behind ``dxf run`` and friends.

``dxf run``, ``validate``, ``stats``, ``report``, ``demo`` and ``uncertainty`` all choose the
levels of a pack to work on, read each level's framework and data, and score it once; ``run``
and ``demo`` then write the results. The command line only parses options and prints; the
work is here, so that it is written once and usable from Python:

>>> import dxframework as dxf                                         # doctest: +SKIP
>>> from dxframework.packs.runs import DataInput, score_levels, write_results
>>> pack = dxf.get_pack("backan")                                     # doctest: +SKIP
>>> results = score_levels(pack)              # every level, sample data  # doctest: +SKIP
>>> written = write_results(pack, results, "out")                     # doctest: +SKIP

The manifest of each run records its inputs (``inputs.data``: the file, or the list of
files, with the SHA-256 of each; ``inputs.framework`` when a framework file replaced the
pack's), so ``manifest.json`` says which bytes were scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from dxframework.io.assemble import expand_inputs
from dxframework.io.frameworks import read_framework
from dxframework.io.tables import read_header
from dxframework.io.writers import atomic_folder, check_inputs_outside, dataset_csv_text, write_run
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.text import natural_key
from dxframework.packs.loaders import registered_loaders
from dxframework.packs.pack import MetricPack, PackLevel, manifest_origin
from dxframework.packs.rollup import rollup
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import file_sha256

__all__ = [
    "DataInput",
    "LevelProgress",
    "WrittenLevel",
    "choose_levels",
    "input_record",
    "load_level",
    "ranking",
    "score_levels",
    "write_results",
]

logger = logging.getLogger(__name__)

#: ``progress(level, stage, done, total)``, called after each stage of each level's run.
LevelProgress = Callable[[str, str, int, int], None]


def _paths(value: Iterable[str | Path]) -> tuple[Path, ...]:
    return tuple(Path(v) for v in value)


@attrs.frozen
class DataInput:
    """Which data files to read, and how (``--data``, ``--sheet``, ``--encoding``,
    ``--locale`` at the command line).

    ``paths`` are files and folders; empty means each level's sample data.
    """

    paths: tuple[Path, ...] = attrs.field(default=(), converter=_paths)
    sheet: str | None = None
    encoding: str | None = None
    locale: str | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`PackLevel.load_data`."""
        return {"sheet": self.sheet, "encoding": self.encoding, "locale": self.locale}

    def files(self) -> list[Path]:
        """The data files given (folders: the data files in them)."""
        return expand_inputs(self.paths)[0] if self.paths else []

    def header(self) -> set[str]:
        """Column names of every file given (see :func:`dxframework.io.tables.read_header`)."""
        loaders = registered_loaders()
        names: set[str] = set()
        for f in self.files():
            names |= set(read_header(f, self.encoding, loaders=loaders))
        return names


def choose_levels(
    pack: MetricPack,
    level: str | None = None,
    data: DataInput | None = None,
    pipeline: str | Path | None = None,
) -> list[PackLevel]:
    """The levels to work on: the one named, the one the data files fit, or all of them.

    Without a level or a data file, a pipeline name restricts the choice to the levels that
    declare it.
    """
    if level is not None:
        return [pack.level(level)]
    if data is not None and data.paths:
        if len(pack.levels) == 1:
            return [pack.level()]
        return [pack.level_for_header(data.header(), source=", ".join(map(str, data.paths)))]
    levels = list(pack.levels.values())
    if pipeline is not None:
        having = [lvl for lvl in levels if str(pipeline) in lvl.pipelines]
        origin, of_level = manifest_origin(pipeline)  # a run's manifest repeats its level
        if not having and origin == pack.name and of_level in pack.levels:
            having = [pack.level(of_level)]
        levels = having or levels
    return levels


def load_level(
    lvl: PackLevel,
    data: DataInput | None = None,
    framework: Path | None = None,
    period: int | None = None,
) -> tuple[Framework, Dataset]:
    """The framework and the data of a level: its own or the files given."""
    data = data or DataInput()
    paths = list(data.paths) or None
    if framework is None:
        return lvl.framework, lvl.load_data(paths, period=period, **data.options())
    spec = read_framework(framework, lvl.level_names, lvl.index, loaders=registered_loaders())
    return spec.framework, lvl.load_data(paths, period=period, spec=spec, **data.options())


def _entry(path: Path) -> dict[str, str]:
    return {"path": str(path), "sha256": file_sha256(path)}


def input_record(
    lvl: PackLevel, data: DataInput | None = None, framework: Path | None = None
) -> dict[str, Any]:
    """What the manifest's ``inputs`` says: the data files (or the sample data) and the
    framework file, each with its SHA-256."""
    if data is not None and data.paths:
        files = data.files()
    else:
        files = [lvl.data_path] if lvl.data_path is not None else []
    record: dict[str, Any] = {}
    entries = [_entry(f) for f in files]
    if entries:
        record["data"] = entries[0] if len(entries) == 1 else entries
    if framework is not None:
        record["framework"] = _entry(framework)
    return record


def score_levels(
    pack: MetricPack,
    level: str | None = None,
    data: DataInput | None = None,
    framework: Path | None = None,
    period: int | None = None,
    pipeline: str | Path | None = None,
    *,
    levels: Iterable[PackLevel] | None = None,
    progress: LevelProgress | None = None,
) -> dict[str, RunResult]:
    """Score each chosen level once (see :func:`choose_levels`); nothing is written.

    Parameters
    ----------
    pack
        The metric pack.
    level, data, pipeline
        Choose the levels (unless ``levels`` are given) and what they score: a level name,
        the data files (default: each level's sample data), a pipeline name or file
        (default: each level's default pipeline).
    framework
        A framework file replacing each level's framework.
    period
        Score one period of a panel.
    levels
        The levels to score (default: :func:`choose_levels`).
    progress
        Called as ``progress(level, stage, done, total)`` after each stage.

    Returns
    -------
    dict
        Each level's :class:`~dxframework.RunResult` by level name, in the pack's order. Its
        manifest records the inputs read (files and SHA-256).
    """
    chosen = list(levels) if levels is not None else choose_levels(pack, level, data, pipeline)
    results: dict[str, RunResult] = {}
    for lvl in chosen:  # everything is computed before anything is written
        fw, dataset = load_level(lvl, data, framework, period)
        pipe = lvl.pipeline(pipeline)
        options: dict[str, Any] = {}
        if progress is not None:

            def stage_done(name: str, done: int, total: int, lvl: PackLevel = lvl) -> None:
                progress(lvl.name, name, done, total)

            options["progress"] = stage_done
        logger.info("scoring level %s of pack %s", lvl.name, pack.name)
        results[lvl.name] = lvl.run(
            dataset,
            pipe,
            framework=fw,
            version=pack.version,
            inputs=input_record(lvl, data, framework),
            **options,
        )
    return results


def ranking(
    result: RunResult, code: str | None = None, period: int | None = None
) -> list[tuple[int, str, str, float]]:
    """``(rank, unit code, unit name, score)`` by rank, units tied in natural order of their
    codes (``2`` before ``10``), units without a rank last (see :meth:`RunResult.ranking`)."""
    rows = result.ranking(code, period)
    return sorted(rows, key=lambda r: (r[0] == 0, r[0], natural_key(r[1])))


@attrs.frozen
class WrittenLevel:
    """Where one level's results went: the folder and the files written into it."""

    level: str
    folder: Path
    files: tuple[Path, ...]


def write_results(
    pack: MetricPack,
    results: Mapping[str, RunResult],
    out: str | Path,
    inputs: Iterable[str | Path | None] = (),
    extra: Mapping[str, Mapping[str, str | bytes]] | None = None,
) -> list[WrittenLevel]:
    """Write the results of the scored levels into ``out``, all or nothing.

    One level's results go into ``out`` itself, several levels' into one sub-folder each
    (``out/district``…): each stage's data set, ``results.csv``, ``records.json``,
    ``manifest.json`` (see :func:`dxframework.io.writers.write_run`), and
    ``rollup-PARENT.csv`` for a level the pack rolls up to its parent level. Every level is
    written in one swap of ``out``.

    ``inputs`` are paths the run read besides the levels' sample data: none may lie inside
    ``out`` (see :func:`dxframework.io.writers.check_inputs_outside`). ``extra`` gives more
    files per level (``{"district": {"gaps.csv": text, "district.xlsx": data}}``: text is
    written as UTF-8, bytes as they are), beside the results in the same swap.
    """
    out = Path(out)
    levels = [pack.level(name) for name in results]
    check_inputs_outside(out, [*inputs, *(lvl.data_path for lvl in levels)])
    written: list[WrittenLevel] = []
    with atomic_folder(out):  # every level in one swap: all or nothing
        for lvl in levels:
            target = out if len(levels) == 1 else out / lvl.name
            with atomic_folder(target) as folder:  # a sub-folder of the one swap
                files = write_run(results[lvl.name], target)
                to = lvl.rollup.get("to")
                if to:
                    rolled = rollup(results[lvl.name], weight=lvl.rollup.get("weight"))
                    name = f"rollup-{to}.csv"
                    (folder / name).write_text(dataset_csv_text(rolled), encoding="utf-8")
                    files.append(target / name)
                for name, content in (extra or {}).get(lvl.name, {}).items():
                    if isinstance(content, bytes):
                        (folder / name).write_bytes(content)
                    else:
                        (folder / name).write_text(content, encoding="utf-8")
                    files.append(target / name)
            written.append(WrittenLevel(lvl.name, target, tuple(files)))
    return written
