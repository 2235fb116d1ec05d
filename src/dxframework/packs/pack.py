"""Metric packs: a framework, its data layout, sample data and named pipelines, as a plugin.

A pack is declared by a ``pack.toml`` file::

    [pack]
    name = "asem"
    version = "1.0.0"
    title_en = "ASEM Sustainable Connectivity"
    title_vi = "Chỉ số Kết nối bền vững ASEM"
    levels = ["country"]                  # administrative levels it scores
    framework = "data/ASEM_iMeta.csv"     # metadata table or framework TOML
    level_names = ["Indicator", "Pillar", "Sub-index", "Index"]
    index = "Index"
    data = "data/ASEM_iData.csv"          # sample data
    default_pipeline = "reference"

    [pack.columns]                        # roles of the data columns
    unit = "uCode"
    name = "uName"
    period = "Time"

    [pipelines]
    reference = "pipelines/reference.toml"

and registered by its plugin with ``register(MetricPack.from_toml(path))``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem
from dxframework.io.frameworks import FrameworkSpec, read_framework
from dxframework.io.tables import TableSchema, read_dataset
from dxframework.model.dataset import Dataset
from dxframework.model.framework import Framework
from dxframework.pipeline.result import RunResult
from dxframework.pipeline.run import file_sha256, run_pipeline
from dxframework.pipeline.spec import Pipeline

__all__ = ["MetricPack"]


@attrs.frozen
class MetricPack:
    """A metric pack: what a consultant delivers for one index.

    Construct with :meth:`from_toml`; the framework and data load lazily on first use, so a
    broken pack does not stop the others from being listed.
    """

    name: str
    version: str
    root: Path
    framework_file: str
    title_en: str = ""
    title_vi: str = ""
    description: str = ""
    levels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    level_names: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    index: str | None = None
    data_file: str | None = None
    pipelines: Mapping[str, str] = attrs.field(factory=dict)
    default_pipeline: str | None = None
    columns: Mapping[str, str] = attrs.field(factory=dict)
    _cache: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_toml(cls, path: str | Path) -> MetricPack:
        """Read a ``pack.toml``; paths inside are relative to its folder."""
        p = Path(path)
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DxfError(Problem(f"cannot read the pack file: {exc}", file=str(p))) from None
        meta = doc.get("pack", {})
        missing = [k for k in ("name", "version", "framework") if k not in meta]
        if missing:
            raise DxfError([Problem(f"[pack] needs {k!r}", file=str(p)) for k in missing])
        return cls(
            name=str(meta["name"]), version=str(meta["version"]), root=p.parent,
            framework_file=str(meta["framework"]), title_en=str(meta.get("title_en", "")),
            title_vi=str(meta.get("title_vi", "")), description=str(meta.get("description", "")),
            levels=meta.get("levels", ()), level_names=meta.get("level_names", ()),
            index=meta.get("index"), data_file=meta.get("data"),
            pipelines={str(k): str(v) for k, v in doc.get("pipelines", {}).items()},
            default_pipeline=meta.get("default_pipeline"),
            columns={str(k): v for k, v in meta.get("columns", {}).items()},
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
            self._cache["spec"] = read_framework(self.framework_path, self.level_names, self.index)
        spec: FrameworkSpec = self._cache["spec"]
        return spec

    @property
    def framework(self) -> Framework:
        """The pack's framework."""
        return self.spec.framework

    # -- data ---------------------------------------------------------------------------------
    def schema(self, framework: Framework | None = None, period: int | None = None) -> TableSchema:
        """How the pack's data files are laid out (which column is which)."""
        fw = framework or self.framework
        groups = tuple(self.columns.get("groups", ())) or self.spec.groups
        return TableSchema(
            unit_column=self.columns.get("unit"), name_column=self.columns.get("name"),
            period_column=self.columns.get("period"), group_columns=groups,
            parent_column=self.columns.get("parent"), level_column=self.columns.get("level"),
            numeric=fw.indicator_codes + self.spec.auxiliary,
            required=fw.indicator_codes, period=period)

    @property
    def data_path(self) -> Path | None:
        """Path of the bundled sample data, if any."""
        return self.root / self.data_file if self.data_file else None

    def load_data(self, path: str | Path | None = None, period: int | None = None,
                  framework: Framework | None = None) -> Dataset:
        """Read a data file laid out for this pack (default: its sample data)."""
        target = Path(path) if path is not None else self.data_path
        if target is None:
            raise DxfError(Problem(f"pack {self.name!r} ships no sample data",
                                   hint="give a data file with --data"))
        return read_dataset(target, self.schema(framework, period))

    # -- pipelines ----------------------------------------------------------------------------
    def pipeline(self, name: str | Path | None = None) -> Pipeline:
        """A named pipeline of the pack, or a pipeline file; the default when ``None``."""
        if name is None:
            name = self.default_pipeline or next(iter(self.pipelines), None)
            if name is None:
                raise DxfError(f"pack {self.name!r} declares no pipeline")
        key = str(name)
        if key in self.pipelines:
            return Pipeline.from_file(self.root / self.pipelines[key])
        candidate = Path(key)
        if candidate.suffix.lower() in (".toml", ".json") or candidate.exists():
            return Pipeline.from_file(candidate)
        raise DxfError(Problem(f"pack {self.name!r} has no pipeline {key!r}",
                               hint=f"its pipelines: {', '.join(self.pipelines) or 'none'}; "
                               "or give a .toml file"))

    def run(self, data: Dataset | str | Path | None = None,
            pipeline: Pipeline | str | Path | None = None,
            framework: Framework | None = None, **options: Any) -> RunResult:
        """Score data with this pack (defaults: sample data, default pipeline)."""
        fw = framework or self.framework
        provenance: dict[str, Any] = {"pack": {"name": self.name, "version": self.version}}
        if not isinstance(data, Dataset):
            path = Path(data) if data is not None else self.data_path
            dataset = self.load_data(path, framework=fw)
            if path is not None:
                provenance["inputs"] = {"data": {"path": path.name, "sha256": file_sha256(path)}}
        else:
            dataset = data
        pipe = pipeline if isinstance(pipeline, Pipeline) else self.pipeline(pipeline)
        try:
            return run_pipeline(fw, dataset, pipe, provenance=provenance, **options)
        except DxfError as exc:
            # a stage names the unit; add the row of the data file it was read from
            located = dataset.locate(exc.problems)
            if located == tuple(exc.problems):
                raise
            raise type(exc)(located).with_traceback(exc.__traceback__) from None
