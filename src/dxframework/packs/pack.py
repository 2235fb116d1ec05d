"""Metric packs: frameworks, data layouts, sample data and named pipelines, as a plugin.

A pack scores one or more *levels* (provinces, districts, communes…), each with its own
framework, data layout, sample data and pipelines. It is declared by a ``pack.toml``::

    [pack]
    name = "backan"
    version = "1.0.0"
    title_en = "Bắc Kạn: district and commune DX indices"
    title_vi = "Bộ chỉ số chuyển đổi số cấp huyện, cấp xã tỉnh Bắc Kạn"
    default_level = "district"
    series = "data/province-synthetic.csv"      # optional: yearly series for targets/trends
    tasks = "data/tasks.csv"                    # optional: the priority task catalogue
    targets = "data/targets.toml"               # optional: targets per pillar, 2025 and 2030

    [report]                                    # optional: titles of the documents
    title_vi = "Đề án chuyển đổi số tỉnh Bắc Kạn"
    title_en = "Bắc Kạn digital transformation proposal"

    [levels.district]
    unit_level = "district"
    framework = "data/framework-district.toml"  # framework TOML or metadata table (.csv)
    data = "data/districts-synthetic.csv"       # sample data
    default_pipeline = "points"
    pipelines = { points = "pipelines/points.toml" }
    columns = { unit = "unit", name = "name", period = "period", parent = "parent" }
    score_range = [0, 1]                        # optional: checked by dxf check-pack

    [levels.commune]
    ...
    rollup = { to = "district", weight = "population" }   # communes roll up to districts

    [crosswalks.provinces-2025]                 # optional: old units → new units (2025 reform)
    from = "province"
    to = "province"
    map = "data/crosswalk-2025.csv"             # see dxframework.packs.crosswalks

A pack with one level may put the level's keys directly under ``[pack]`` (with
``[pack.columns]`` and a top-level ``[pipelines]`` table), as the ``asem`` pack does. Paths
are relative to the folder of ``pack.toml``. A plugin registers its pack with
``register(MetricPack.from_toml(path))``.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from dxframework.errors import DxfError, Problem
from dxframework.io.assemble import Assembly, Precedence, assemble, read_dataset
from dxframework.io.frameworks import FrameworkSpec, read_framework
from dxframework.io.pandas import dataset_from_pandas, is_dataframe
from dxframework.io.tables import ColumnRule, TableSchema, fold, read_header
from dxframework.io.tasks import read_tasks
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.model.tasks import TaskCatalogue
from dxframework.packs.crosswalks import CrosswalkConfig, crosswalk_configs, find_crosswalk
from dxframework.packs.loaders import registered_loaders
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import file_sha256, run_pipeline
from dxframework.pipeline.spec import Pipeline

__all__ = ["DataNote", "MetricPack", "PackLevel"]

logger = logging.getLogger(__name__)


class DataNote(UserWarning):
    """Something the reader did that the user should know: a title row skipped, a sheet or
    file not read, a file given twice."""


_LEVEL_KEYS = {
    "title_en",
    "title_vi",
    "unit_level",
    "framework",
    "level_names",
    "index",
    "data",
    "default_pipeline",
    "pipelines",
    "columns",
    "rollup",
    "description",
    "score_range",
    "locale",
}


def _str_map(value: Any) -> Mapping[str, Any]:
    return {str(k): v for k, v in (value or {}).items()}


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


def _line_of(path: Path, header: str) -> int | None:
    """The line where a TOML table header appears (for error messages)."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == header:
            return n
    return None


def _scored(fw: Framework) -> tuple[str, ...]:
    """Indicators that count: a positive effective weight in some root (all without roots)."""
    roots = fw.roots
    if not roots:
        return fw.indicator_codes
    weight: dict[str, float] = {}
    for root in roots:
        for code, w in fw.effective_weights(root).items():
            weight[code] = weight.get(code, 0.0) + w
    return tuple(c for c in fw.indicator_codes if weight.get(c, 0.0) > 0)


def manifest_origin(path: str | Path) -> tuple[str | None, str | None]:
    """The pack and level a run's ``manifest.json`` was written by (``pack.name`` and
    ``pack.level``); ``(None, None)`` for another file (a pipeline of its own)."""
    p = Path(path)
    if p.suffix.lower() != ".json" or not p.is_file():
        return None, None
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return None, None  # Pipeline.from_file reports what is wrong with the file
    origin = doc.get("pack") if isinstance(doc, Mapping) and "pipeline" in doc else None
    if not isinstance(origin, Mapping):
        return None, None
    name, level = origin.get("name"), origin.get("level")
    return (
        name if isinstance(name, str) else None,
        level if isinstance(level, str) else None,
    )


@attrs.frozen
class PackLevel:
    """One level a pack scores: framework, data layout, sample data and pipelines.

    The framework and data load lazily on first use.
    """

    name: str
    pack: str
    root: Path
    framework_file: str
    title_en: str = ""
    title_vi: str = ""
    description: str = ""
    unit_level: str = ""
    level_names: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    index: str | None = None
    data_file: str | None = None
    pipelines: Mapping[str, str] = attrs.field(factory=dict, converter=_str_map)
    default_pipeline: str | None = None
    columns: Mapping[str, Any] = attrs.field(factory=dict, converter=_str_map)
    rollup: Mapping[str, Any] = attrs.field(factory=dict, converter=_str_map)
    score_range: tuple[float, float] | None = None
    locale: str | None = None
    _cache: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_dict(
        cls, name: str, pack: str, root: Path, doc: Mapping[str, Any], source: str
    ) -> PackLevel:
        """Build from a ``[levels.NAME]`` table (or the flat ``[pack]`` table)."""
        if "framework" not in doc:
            raise DxfError(Problem(f"level {name!r} needs 'framework'", file=source))
        return cls(
            name=name,
            pack=pack,
            root=root,
            framework_file=str(doc["framework"]),
            title_en=str(doc.get("title_en", "")),
            title_vi=str(doc.get("title_vi", "")),
            description=str(doc.get("description", "")),
            unit_level=str(doc.get("unit_level", name)),
            level_names=doc.get("level_names", ()),
            index=doc.get("index"),
            data_file=doc.get("data"),
            pipelines=doc.get("pipelines", {}),
            default_pipeline=doc.get("default_pipeline"),
            columns=doc.get("columns", {}),
            rollup=doc.get("rollup", {}),
            score_range=tuple(doc["score_range"]) if "score_range" in doc else None,
            locale=doc.get("locale"),
        )

    # -- framework ----------------------------------------------------------------------------
    @property
    def framework_path(self) -> Path:
        """Path of the framework file."""
        return self.root / self.framework_file

    @property
    def spec(self) -> FrameworkSpec:
        """The framework with its auxiliary and grouping columns (read once)."""
        if "spec" not in self._cache:
            self._cache["spec"] = read_framework(
                self.framework_path, self.level_names, self.index, loaders=registered_loaders()
            )
        spec: FrameworkSpec = self._cache["spec"]
        return spec

    @property
    def framework(self) -> Framework:
        """This level's framework."""
        return self.spec.framework

    # -- data ---------------------------------------------------------------------------------
    def schema(
        self,
        framework: Framework | None = None,
        period: int | None = None,
        required: bool = True,
        spec: FrameworkSpec | None = None,
        locale: str | None = None,
    ) -> TableSchema:
        """How this level's data files are laid out (which column is which).

        ``spec`` (a framework read from another file) replaces the level's framework and its
        auxiliary and grouping columns. Each indicator's unit (``%``, fraction), bounds and
        ``integer`` become the rules its column is read by; ``locale`` (default: the level's
        declared ``locale``) says how numbers are written.
        """
        spec = spec or self.spec
        fw = framework or spec.framework
        groups = tuple(self.columns.get("groups", ())) or spec.groups
        return TableSchema(
            unit_column=self.columns.get("unit"),
            name_column=self.columns.get("name"),
            period_column=self.columns.get("period"),
            group_columns=groups,
            parent_column=self.columns.get("parent"),
            level_column=self.columns.get("level"),
            numeric=fw.indicator_codes + spec.auxiliary,
            required=_scored(fw) if required else (),
            period=period,
            answers={i.code: dict(i.answers) for i in fw.indicators if i.answers},
            rules={
                i.code: ColumnRule(
                    i.scale_kind,
                    *i.value_bounds,
                    integer=i.integer,
                    allowed=tuple(sorted(set(i.answers.values()))),
                    unit=i.unit,
                )
                for i in fw.indicators
            },
            locale=locale or self.locale,
        )

    @property
    def data_path(self) -> Path | None:
        """Path of the bundled sample data, if any."""
        return self.root / self.data_file if self.data_file else None

    def load_data(
        self,
        path: str | Path | Sequence[str | Path] | None = None,
        period: int | None = None,
        framework: Framework | None = None,
        spec: FrameworkSpec | None = None,
        **options: Any,
    ) -> Dataset:
        """Read data laid out for this level (default: its sample data).

        ``path`` may be one file, a folder, or several of them: they are assembled (see
        :func:`dxframework.io.assemble`; a conflict between two files is an error unless
        ``precedence`` is given). Other options: ``sheet``, ``encoding``, ``locale``,
        ``agencies``, ``precedence``.
        """
        result = self.assemble(path, period, framework, spec, **options)
        for note in result.notes:  # title rows skipped, sheets not read…: said, not hidden
            warnings.warn(note, DataNote, stacklevel=2)
        return result.dataset

    def assemble(
        self,
        path: str | Path | Sequence[str | Path] | None = None,
        period: int | None = None,
        framework: Framework | None = None,
        spec: FrameworkSpec | None = None,
        *,
        sheet: str | None = None,
        encoding: str | None = None,
        locale: str | None = None,
        agencies: Mapping[str, str] | None = None,
        precedence: Precedence | str | None = None,
        required: bool = True,
    ) -> Assembly:
        """Read and combine data files for this level, with the provenance of every value."""
        if path is None:
            if self.data_path is None:
                raise DxfError(
                    Problem(
                        f"pack {self.pack!r} ({self.name}) ships no sample data",
                        hint="give a data file with --data",
                    )
                )
            paths: list[str | Path] = [self.data_path]
        elif isinstance(path, str | Path):
            paths = [path]
        else:
            paths = list(path)
        fw = framework or (spec.framework if spec is not None else self.framework)
        schema = self.schema(fw, period, spec=spec, locale=locale, required=required)
        if isinstance(precedence, str):
            precedence = Precedence.parse(precedence)
        logger.info("reading %s data: %s", self.name, ", ".join(map(str, paths)))
        result = assemble(
            paths,
            schema,
            sheet=sheet,
            encoding=encoding,
            agencies=agencies,
            precedence=precedence,
            loaders=registered_loaders(),
        )
        data = result.dataset
        absent = [c for c in fw.indicator_codes if not data.has_column(c)]
        if not absent:
            return result
        # indicators that carry no weight (reported, not scored) may be left out of the file
        filler = np.full((*data.shape[:2], len(absent)), np.nan)
        widened = data.with_columns(
            [*data.columns, *absent], np.concatenate([data.values, filler], axis=-1)
        )
        pad = np.full((*data.shape[:2], len(absent)), -1, dtype=np.int32)
        return attrs.evolve(
            result, dataset=widened, source=np.concatenate([result.source, pad], axis=-1)
        )

    # -- pipelines ----------------------------------------------------------------------------
    def pipeline(self, name: str | Path | None = None) -> Pipeline:
        """A named pipeline, or a pipeline file; the default when ``None``."""
        if name is None:
            name = self.default_pipeline or next(iter(self.pipelines), None)
            if name is None:
                raise DxfError(f"pack {self.pack!r} ({self.name}) declares no pipeline")
        key = str(name)
        if key in self.pipelines:
            return Pipeline.from_file(self.root / self.pipelines[key])
        candidate = Path(key)
        if candidate.suffix.lower() in (".toml", ".json") or candidate.exists():
            pipe = Pipeline.from_file(candidate)
            pack, level = manifest_origin(candidate)
            if pack not in (None, self.pack) or level not in (None, self.name):
                raise DxfError(
                    Problem(
                        f"this manifest repeats a run of pack {pack!r}, level {level!r}, not "
                        f"of pack {self.pack!r}, level {self.name!r}",
                        file=str(candidate),
                        hint=f"give --level {level}, or a pipeline of level {self.name!r}"
                        if pack == self.pack
                        else f"give a pipeline of pack {self.pack!r}",
                    )
                )
            return pipe
        raise DxfError(
            Problem(
                f"pack {self.pack!r} has no pipeline {key!r}",
                hint=f"its pipelines: {', '.join(self.pipelines) or 'none'}; or give a .toml file",
            )
        )

    def run(
        self,
        data: Dataset | str | Path | Any = None,
        pipeline: Pipeline | str | Path | None = None,
        framework: Framework | None = None,
        version: str = "",
        inputs: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> RunResult:
        """Score data at this level (defaults: sample data, default pipeline).

        Parameters
        ----------
        data
            A :class:`~dxframework.Dataset`, a data file, a pandas DataFrame laid out like
            the level's data files (read by the level's :meth:`schema`), or ``None`` for the
            sample data.
        pipeline
            A pipeline, the name of one of the level's pipelines or a pipeline file.
        framework
            A framework replacing the level's.
        version
            The pack's version, for the manifest.
        inputs
            The input files, recorded as the manifest's ``inputs`` (default: the data file
            read, if one was).
        **options
            Passed to :func:`dxframework.run_pipeline` (``registry``, ``progress``).
        """
        fw = framework or self.framework
        provenance: dict[str, Any] = {
            "pack": {"name": self.pack, "version": version, "level": self.name}
        }
        if isinstance(data, Dataset):
            dataset = data
        elif is_dataframe(data):
            dataset = dataset_from_pandas(data, self.schema(fw))
        else:
            path = Path(data) if data is not None else self.data_path
            dataset = self.load_data(path, framework=fw)
            if path is not None:
                provenance["inputs"] = {"data": {"path": path.name, "sha256": file_sha256(path)}}
        if inputs:
            provenance["inputs"] = dict(inputs)
        pipe = pipeline if isinstance(pipeline, Pipeline) else self.pipeline(pipeline)
        logger.info("scoring %s (%s) with pipeline %r", self.pack, self.name, pipe.name)
        try:
            return run_pipeline(fw, dataset, pipe, provenance=provenance, **options)
        except DxfError as exc:
            # a stage names the unit; add the row of the data file it was read from
            located = dataset.locate(exc.problems)
            if located == tuple(exc.problems):
                raise
            raise type(exc)(located).with_traceback(exc.__traceback__) from None


@attrs.frozen
class MetricPack:
    """A metric pack: what a consultant delivers for one index, at one or more levels.

    Construct with :meth:`from_toml`. Everything about one level (its files, framework
    spec, pipelines, data layout) is on :meth:`level` (a :class:`PackLevel`). A few members
    reach the default level directly, so that a single-level pack reads as simply as a
    framework with data: :attr:`framework`, :meth:`schema`, :meth:`load_data`,
    :meth:`pipeline` and :meth:`run` (the last four take a ``level``)::

        pack = dxf.get_pack("asem")
        result = pack.run()                        # sample data, default pipeline
        result = pack.run(frame)                   # a pandas DataFrame
        pack.level().data_path                     # anything else: through the level
    """

    name: str
    version: str
    root: Path
    levels: Mapping[str, PackLevel]
    title_en: str = ""
    title_vi: str = ""
    description: str = ""
    default_level: str | None = None
    series_file: str | None = None
    tasks_file: str | None = None
    targets_file: str | None = None
    report: Mapping[str, Any] = attrs.field(factory=dict, converter=_str_map)
    workbook: Mapping[str, Any] = attrs.field(factory=dict, converter=_str_map)
    """The ``[workbook]`` table: how ``dxf workbook`` lays out the agencies' form
    (``sheets = "level" | "agency"``, ``agency_column = "parent"``)."""

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            raise DxfError(f"pack {self.name!r} declares no level")
        if self.default_level is None:
            object.__setattr__(self, "default_level", next(iter(self.levels)))
        elif self.default_level not in self.levels:
            raise DxfError(
                Problem(
                    f"pack {self.name!r}: default level {self.default_level!r} is not declared",
                    hint=f"levels: {', '.join(self.levels)}",
                )
            )

    @classmethod
    def from_toml(cls, path: str | Path) -> MetricPack:
        """Read a ``pack.toml``; paths inside are relative to its folder."""
        p = Path(path)
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise DxfError(
                Problem(
                    f"cannot read the pack file: {exc}",
                    file=str(p),
                    row=int(line.group(1)) if line else None,
                )
            ) from None
        meta = doc.get("pack", {})
        missing = [k for k in ("name", "version") if k not in meta]
        if missing:
            raise DxfError([Problem(f"[pack] needs {k!r}", file=str(p)) for k in missing])
        if "crosswalk" in meta:
            raise DxfError(
                Problem(
                    "[pack] crosswalk = FILE is no longer read",
                    file=str(p),
                    hint='declare [crosswalks.NAME] with from, to and map = "FILE"',
                )
            )
        name = str(meta["name"])
        levels: dict[str, PackLevel] = {}
        if isinstance(doc.get("levels"), Mapping):
            for lname, ldoc in doc["levels"].items():
                unknown = set(ldoc) - _LEVEL_KEYS
                if unknown:
                    raise DxfError(
                        Problem(
                            f"[levels.{lname}]: unknown keys {', '.join(sorted(unknown))}",
                            file=str(p),
                            row=_line_of(p, f"[levels.{lname}]"),
                            hint=f"known: {', '.join(sorted(_LEVEL_KEYS))}",
                        )
                    )
                levels[str(lname)] = PackLevel.from_dict(str(lname), name, p.parent, ldoc, str(p))
        else:  # single level declared flat under [pack]
            unit_levels = meta.get("levels") or ["default"]
            flat = {k: v for k, v in meta.items() if k in _LEVEL_KEYS}
            flat["pipelines"] = doc.get("pipelines", {})
            flat.setdefault("unit_level", str(unit_levels[0]))
            levels[str(unit_levels[0])] = PackLevel.from_dict(
                str(unit_levels[0]), name, p.parent, flat, str(p)
            )
        return cls(
            name=name,
            version=str(meta["version"]),
            root=p.parent,
            levels=levels,
            title_en=str(meta.get("title_en", "")),
            title_vi=str(meta.get("title_vi", "")),
            description=str(meta.get("description", "")),
            default_level=meta.get("default_level"),
            series_file=meta.get("series"),
            tasks_file=meta.get("tasks"),
            targets_file=meta.get("targets"),
            report=doc.get("report", {}),
            workbook=doc.get("workbook", {}),
        )

    # -- levels -------------------------------------------------------------------------------
    def level(self, name: str | None = None) -> PackLevel:
        """A level by name (the default level when ``None``)."""
        key = name or self.default_level
        assert key is not None
        try:
            return self.levels[key]
        except KeyError:
            raise DxfError(
                Problem(
                    f"pack {self.name!r} has no level {key!r}",
                    hint=f"its levels: {', '.join(self.levels)}",
                )
            ) from None

    def level_for(self, path: str | Path) -> PackLevel:
        """The level whose indicators are all columns of the data file (else the default)."""
        # only the header is read
        header = set(read_header(path, loaders=registered_loaders()))
        return self.level_for_header(header, source=str(path))

    def level_for_header(self, header: set[str], source: str | None = None) -> PackLevel:
        """The level whose scored indicators are all among these column names.

        Several levels may fit (DTI 2022 and DTI 2024 main indicators share their codes): the
        one sharing most columns with the file wins (a level whose weight-0 indicator, such
        as DTI 2022's smart city, the file also has); levels fitting alike are an error asking
        for ``--level``, never a silent choice. No level fitting: the default level, whose
        reader then names the missing columns. ``source`` names the data in the error.
        """
        folded = {fold(h) for h in header}  # as the reader matches headers
        fits = [
            lvl
            for lvl in self.levels.values()
            if {fold(c) for c in _scored(lvl.framework)} <= folded
        ]
        if not fits:
            return self.level()

        def shared(lvl: PackLevel) -> int:
            return len({fold(c) for c in lvl.framework.indicator_codes} & folded)

        most = max(shared(lvl) for lvl in fits)
        best = [lvl for lvl in fits if shared(lvl) == most]
        if len(best) > 1:
            names = ", ".join(lvl.name for lvl in best)
            raise DxfError(
                Problem(
                    f"the data fit several levels of pack {self.name!r} alike ({names})",
                    file=source,
                    hint=f"choose one with --level ({names})",
                )
            )
        return best[0]

    # -- the default level's interface ------------------------------------------------------
    @property
    def framework(self) -> Framework:
        """The default level's framework."""
        return self.level().framework

    def schema(
        self,
        framework: Framework | None = None,
        period: int | None = None,
        level: str | None = None,
    ) -> TableSchema:
        """How a level's data files are laid out."""
        return self.level(level).schema(framework, period)

    def load_data(
        self,
        path: str | Path | None = None,
        period: int | None = None,
        framework: Framework | None = None,
        level: str | None = None,
    ) -> Dataset:
        """Read a data file laid out for a level (default: its sample data)."""
        return self.level(level).load_data(path, period, framework)

    def pipeline(self, name: str | Path | None = None, level: str | None = None) -> Pipeline:
        """A named pipeline of a level, or a pipeline file."""
        return self.level(level).pipeline(name)

    def run(
        self,
        data: Dataset | str | Path | Any = None,
        pipeline: Pipeline | str | Path | None = None,
        framework: Framework | None = None,
        level: str | None = None,
        **options: Any,
    ) -> RunResult:
        """Score data with this pack (defaults: default level, sample data, default pipeline).

        ``data`` is a data set, a file, a pandas DataFrame or ``None`` (see
        :meth:`PackLevel.run`).
        """
        return self.level(level).run(data, pipeline, framework, version=self.version, **options)

    # -- series and crosswalk -----------------------------------------------------------------
    @property
    def series_path(self) -> Path | None:
        """Yearly series for targets and trends, if the pack ships one."""
        return self.root / self.series_file if self.series_file else None

    def load_series(self, path: str | Path | None = None) -> Dataset:
        """Read a yearly series: any indicator of any level, none required."""
        target = Path(path) if path is not None else self.series_path
        if target is None:
            raise DxfError(f"pack {self.name!r} ships no series")
        numeric: list[str] = []
        for lvl in self.levels.values():
            numeric += [
                c for c in (*lvl.framework.indicator_codes, *lvl.spec.auxiliary) if c not in numeric
            ]
        base = self.level().schema(required=False)
        return read_dataset(
            target, attrs.evolve(base, numeric=tuple(numeric)), loaders=registered_loaders()
        )

    def tasks(self, path: str | Path | None = None) -> TaskCatalogue:
        """The task catalogue (the pack's, or an updated copy at ``path``)."""
        target = (
            Path(path)
            if path is not None
            else (self.root / self.tasks_file if self.tasks_file else None)
        )
        if target is None:
            return TaskCatalogue(())
        return read_tasks(target, loaders=registered_loaders())

    def targets(self) -> Mapping[str, Any]:
        """Targets of the proposal per pillar and for the index (``targets.toml``)."""
        if not self.targets_file:
            return {}
        path = self.root / self.targets_file
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DxfError(Problem(f"cannot read the targets: {exc}", file=str(path))) from None

    def crosswalks(self) -> dict[str, CrosswalkConfig]:
        """The crosswalks the pack declares (``[crosswalks.NAME]``), by name."""
        return crosswalk_configs(self)

    def input_files(self) -> list[Path]:
        """Every file the pack reads (a command never writes over them)."""
        files = [self.root / "pack.toml"]
        for lvl in self.levels.values():
            files.append(lvl.framework_path)
            if lvl.data_path is not None:
                files.append(lvl.data_path)
            files += [lvl.root / p for p in lvl.pipelines.values()]
        for name in (self.series_file, self.tasks_file, self.targets_file):
            if name:
                files.append(self.root / name)
        files += [cw.map for cw in self.crosswalks().values() if cw.map is not None]
        return files

    def crosswalk(
        self,
        name: str | None = None,
        from_level: str | None = None,
        to_level: str | None = None,
    ) -> CrosswalkConfig:
        """One declared crosswalk: by name, by the levels it maps between, or the only one.

        ``pack.crosswalk("provinces-2025").unit_map()`` reads its map; apply it with
        :func:`dxframework.model.crosswalk.apply_crosswalk`.
        """
        declared = self.crosswalks()
        found: CrosswalkConfig | None = None
        if name is not None or (from_level is not None and to_level is not None):
            found = find_crosswalk(self, from_level or "", to_level or "", name)
        elif len(declared) == 1:
            found = next(iter(declared.values()))
        elif declared:
            raise DxfError(
                Problem(
                    f"pack {self.name!r} declares {len(declared)} crosswalks",
                    hint=f"name one: {', '.join(declared)}",
                )
            )
        if found is None:
            raise DxfError(
                Problem(
                    f"pack {self.name!r} declares no crosswalk"
                    + (f" from {from_level!r} to {to_level!r}" if from_level else ""),
                    hint="declare one in pack.toml: [crosswalks.NAME] with from, to and map",
                )
            )
        return found
