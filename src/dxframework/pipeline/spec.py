"""Pipeline specifications: an ordered list of stages, declared in Python, TOML or JSON.

A stage has a ``kind`` (denominate, impute, screen, treat, normalise, weight, aggregate), a
``method`` registered for that kind, global ``params`` and per-node ``overrides``. Per-node
settings merge with the global ones key by key: pipeline params ← the node's ``methods``
entry in the framework ← the stage's ``overrides`` for that node. ``method = "none"`` in an
override leaves that node untouched by the stage.

TOML form::

    name = "reference"
    description = "The published ASEM pipeline"

    [ranking]                        # optional
    digits = 4                       # rank on scores rounded as published
    indicators = true                # rank the indicators too, not only the aggregates
    tiers = { thresholds = [0.25, 0.5, 0.75], labels = ["Low", "Middle", "High", "Very high"] }

    [[stages]]
    kind = "impute"
    method = "mean_by_group"
    group = "EurAsia_group"          # any other key is a parameter

    [[stages]]
    kind = "treat"
    winmax = 5
    overrides.Flights = { winmax = 3 }
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem

__all__ = ["DEFAULT_METHODS", "KINDS", "Pipeline", "Stage"]

#: Stage kinds, in the usual order, with the default name of the data set each writes.
KINDS: Mapping[str, str] = MappingProxyType(
    {
        "denominate": "denominated",
        "impute": "imputed",
        "screen": "screened",
        "treat": "treated",
        "normalise": "normalised",
        "weight": "weighted",
        "aggregate": "aggregated",
    }
)

#: Method used when a stage names none.
DEFAULT_METHODS: Mapping[str, str] = MappingProxyType(
    {
        "denominate": "ratio",
        "impute": "mean",
        "screen": "by_missing",
        "treat": "default",
        "normalise": "minmax",
        "weight": "nominal",
        "aggregate": "arithmetic",
    }
)

_ALIASES = {
    "normalize": "normalise",
    "denominator": "denominate",
    "treatment": "treat",
    "imputation": "impute",
    "screening": "screen",
    "aggregation": "aggregate",
    "weights": "weight",
    "weighting": "weight",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _readonly(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(_plain(value or {}))


def _stages(value: Iterable[Stage]) -> tuple[Stage, ...]:
    return tuple(value)


@attrs.frozen
class Stage:
    """One pipeline stage.

    Parameters
    ----------
    kind
        What the stage does: one of :data:`KINDS`.
    method
        Name of a method registered for that kind (default from :data:`DEFAULT_METHODS`).
    name
        Name of the data set the stage writes (default from :data:`KINDS`).
    params
        Global parameters of the method.
    overrides
        Per-indicator (or per-aggregate) parameters, merged key by key with ``params``.
    """

    kind: str
    method: str = ""
    name: str = ""
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_readonly)
    overrides: Mapping[str, Any] = attrs.field(factory=dict, converter=_readonly)

    def __attrs_post_init__(self) -> None:
        kind = _ALIASES.get(self.kind, self.kind)
        if kind not in KINDS:
            raise DxfError(
                Problem(f"unknown stage kind {self.kind!r}", hint=f"use one of: {', '.join(KINDS)}")
            )
        object.__setattr__(self, "kind", kind)
        if not self.method:
            object.__setattr__(self, "method", DEFAULT_METHODS[kind])
        if not self.name:
            object.__setattr__(self, "name", KINDS[kind])

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for manifests and TOML/JSON files)."""
        return {
            "kind": self.kind,
            "method": self.method,
            "name": self.name,
            "params": _plain(self.params),
            "overrides": _plain(self.overrides),
        }


@attrs.frozen
class Pipeline:
    """An ordered list of stages. Any stage may be skipped or repeated."""

    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    name: str = "custom"
    description: str = ""
    ranking: Mapping[str, Any] = attrs.field(factory=dict, converter=_readonly)

    def __attrs_post_init__(self) -> None:
        seen: dict[str, int] = {}
        stages: list[Stage] = []
        for s in self.stages:
            n = seen.get(s.name, 0)
            seen[s.name] = n + 1
            stages.append(s if n == 0 else attrs.evolve(s, name=f"{s.name}_{n + 1}"))
        object.__setattr__(self, "stages", tuple(stages))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], source: str | None = None) -> Pipeline:
        """Build from plain data: ``{"name", "description", "stages": [{...}, ...]}``."""
        if "pipeline" in doc and isinstance(doc["pipeline"], Mapping):  # a run manifest
            doc = doc["pipeline"]
        raw = doc.get("stages", doc.get("stage"))
        if not isinstance(raw, Sequence) or not raw:
            raise DxfError(
                Problem("a pipeline needs a list of stages ([[stages]] in TOML)", file=source)
            )
        stages: list[Stage] = []
        problems: list[Problem] = []
        for i, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping) or "kind" not in entry:
                problems.append(
                    Problem(
                        f"stage {i} has no 'kind'",
                        file=source,
                        hint=f"kind is one of: {', '.join(KINDS)}",
                    )
                )
                continue
            params = dict(entry.get("params", {}))
            params.update(
                {
                    k: v
                    for k, v in entry.items()
                    if k not in ("kind", "method", "name", "params", "overrides")
                }
            )
            try:
                stages.append(
                    Stage(
                        kind=str(entry["kind"]),
                        method=str(entry.get("method", "")),
                        name=str(entry.get("name", "")),
                        params=params,
                        overrides=entry.get("overrides", {}),
                    )
                )
            except DxfError as exc:
                problems.extend(
                    attrs.evolve(p, file=source, message=f"stage {i}: {p.message}")
                    for p in exc.problems
                )
        if problems:
            raise DxfError(problems)
        ranking = doc.get("ranking", {})
        if not isinstance(ranking, Mapping):
            raise DxfError(Problem("'ranking' must be a table: digits, tiers", file=source))
        unknown = set(ranking) - {"digits", "tiers", "indicators"}
        if unknown:
            raise DxfError(
                Problem(
                    f"unknown ranking settings: {', '.join(sorted(unknown))}",
                    file=source,
                    hint="use digits = 4, indicators = true "
                    "and/or tiers = {thresholds = [...], labels = [...]}",
                )
            )
        return cls(
            stages=stages,
            name=str(doc.get("name", "custom")),
            description=str(doc.get("description", "")),
            ranking=ranking,
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Pipeline:
        """Read a pipeline from a TOML or JSON file (a run's ``manifest.json`` works too)."""
        p = Path(path)
        if not p.is_file():
            raise DxfError(Problem("pipeline file not found", file=str(p)))
        try:
            if p.suffix.lower() == ".json":
                doc = json.loads(p.read_text(encoding="utf-8"))
            else:
                doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DxfError(Problem(f"cannot parse the pipeline: {exc}", file=str(p))) from None
        return cls.from_dict(doc, source=str(p))

    def to_dict(self) -> dict[str, Any]:
        """Plain data, readable by :meth:`from_dict`."""
        return {
            "name": self.name,
            "description": self.description,
            "stages": [s.to_dict() for s in self.stages],
            "ranking": _plain(self.ranking),
        }

    def replace_stage(self, name: str, **changes: Any) -> Pipeline:
        """A copy with one stage changed (by data-set name), e.g. another method or params."""
        if name not in {s.name for s in self.stages}:
            raise DxfError(
                f"no stage named {name!r} (stages: {', '.join(s.name for s in self.stages)})"
            )
        return attrs.evolve(
            self, stages=[attrs.evolve(s, **changes) if s.name == name else s for s in self.stages]
        )
