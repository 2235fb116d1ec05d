"""Pipeline specifications: an ordered list of stages, declared in Python, TOML or JSON.

A stage has a ``kind`` (denominate, impute, screen, treat, normalise, weight, aggregate: the
table of kinds, :data:`dxframework.plugins.kinds.KINDS`), a
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

The parameters the built-in stages and methods know (:data:`PARAMETERS`) are checked when the
pipeline is read: a weight written as text (``weights = {Index = {Conn = "2"}}``), a list where
a number belongs, a value where a table belongs is a :class:`DxfError` naming the file, the
stage and the key, not a failure half-way through a run.
"""

from __future__ import annotations

import json
import numbers
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem
from dxframework.plugins.kinds import KINDS as _KINDS


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a pipeline may hold")


__all__ = ["DEFAULT_METHODS", "KINDS", "PARAMETERS", "Pipeline", "Stage"]

#: Stage kinds, in the usual order, with the default name of the data set each writes
#: (a view of the table of kinds, :data:`dxframework.plugins.kinds.KINDS`).
KINDS: Mapping[str, str] = MappingProxyType({k.name: k.dataset for k in _KINDS.values()})

#: Method used when a stage names none (a view of the table of kinds).
DEFAULT_METHODS: Mapping[str, str] = MappingProxyType({k.name: k.default for k in _KINDS.values()})

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


# -- checking values read from a file ------------------------------------------------------------
def kind_of(value: Any) -> str:
    """What a value read from TOML or JSON is, in words (for error messages)."""
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, numbers.Number):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"a {type(value).__name__}"


#: A check of a value: ``(value, where)`` → messages, empty when the value is right.
Check = Callable[[Any, str], list[str]]


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _is_whole(v: Any) -> bool:
    return _is_number(v) and float(v).is_integer()


def _is_list(v: Any) -> bool:
    return isinstance(v, Iterable) and not isinstance(v, str | bytes | Mapping)


def _scalar(what: str, test: Callable[[Any], bool]) -> Check:
    def check(v: Any, where: str) -> list[str]:
        return [] if test(v) else [f"{where} must be {what}, not {kind_of(v)}"]

    return check


def _list_of(what: str, item: Check) -> Check:
    def check(v: Any, where: str) -> list[str]:
        if not _is_list(v):
            return [f"{where} must be a list of {what}, not {kind_of(v)}"]
        return [m for i, x in enumerate(v) for m in item(x, f"{where}[{i}]")]

    return check


def _table_of(inner: Check, what: str) -> Check:
    def check(v: Any, where: str) -> list[str]:
        if not isinstance(v, Mapping):
            return [f"{where} must be {what}, not {kind_of(v)}"]
        return [m for k, x in v.items() for m in inner(x, f"{where}.{k}")]

    return check


def _either(what: str, *checks: Check) -> Check:
    """One of several shapes; a value of one of them (a list, say) reports what is wrong in it."""

    def check(v: Any, where: str) -> list[str]:
        found = [c(v, where) for c in checks]
        if any(not f for f in found):
            return []
        wrong_shape = f"{where} must be "
        inside = [f for f in found if not (f[0].startswith(wrong_shape) and len(f) == 1)]
        return inside[0] if len(inside) == 1 else [f"{where} must be {what}, not {kind_of(v)}"]

    return check


_NUMBER = _scalar("a number", _is_number)
_WHOLE = _scalar("a whole number", _is_whole)
_TEXT = _scalar("text", lambda v: isinstance(v, str))
_FLAG = _scalar("true or false", lambda v: isinstance(v, bool))
_NUMBERS = _list_of("numbers", _NUMBER)
_TEXTS = _list_of("texts", _TEXT)
_NUMBER_OR_LIST = _either("a number or a list of numbers", _NUMBER, _NUMBERS)
_TABLE = _table_of(lambda v, where: [], "a table")

#: Parameters the built-in stages and methods know, by stage kind, with what each must be.
PARAMETERS: Mapping[str, Mapping[str, Check]] = MappingProxyType(
    {
        "denominate": {"scale": _NUMBER},
        "impute": {"group": _TEXT},
        "screen": {
            "min_availability": _NUMBER,
            "min_nonzero": _NUMBER,
            "force_include": _list_of("unit codes", _TEXT),
            "force_exclude": _list_of("unit codes", _TEXT),
        },
        "treat": {
            "winmax": _WHOLE,
            "skew_max": _NUMBER,
            "kurt_max": _NUMBER,
            "lam": _NUMBER,
            "fallback": _TEXT,
        },
        "normalise": {
            "lo": _NUMBER_OR_LIST,
            "hi": _NUMBER_OR_LIST,
            "scale": _NUMBER,
            "target": _either(
                "a number, a list of numbers or the name of a target", _NUMBER, _NUMBERS, _TEXT
            ),
            "cap": _FLAG,
            "truncate": _FLAG,
            "constant": _NUMBER,
            "mean": _NUMBER,
            "sd": _NUMBER,
            "per": _NUMBER,
            "points": _NUMBER_OR_LIST,
            "thresholds": _NUMBERS,
            "below": _NUMBER,
            "mapping": _table_of(_NUMBER, "a table of value = number"),
            "unit": _TEXT,
            "pooled": _FLAG,
        },
        "weight": {
            "weights": _table_of(
                _table_of(_NUMBER, "a table of child = weight"),
                "a table of parent = {child = weight}",
            ),
            "matrices": _table_of(_TABLE, "a table of aggregate = {matrix = [[...]]}"),
            "targets": _table_of(_NUMBERS, "a table of aggregate = [numbers]"),
            "name": _TEXT,
        },
        "aggregate": {
            "p": _NUMBER,
            "bounds": _NUMBERS,
            "standardise": _FLAG,
            "min_availability": _NUMBER,
            "inputs": _either(
                "a level number, a list of codes or a table of code = weight",
                _WHOLE,
                _TEXTS,
                _table_of(_NUMBER, "a table of code = weight"),
            ),
        },
    }
)


def _check_params(kind: str, params: Mapping[str, Any], where: str) -> list[str]:
    """Messages for known parameters of a ``kind`` stage that have the wrong type."""
    known = PARAMETERS.get(kind, {})
    out: list[str] = []
    for key, value in params.items():
        if key == "method":
            out += _TEXT(value, f"{where}{key}")
        elif key in known:
            out += known[key](value, f"{where}{key}")
    return out


def _check_layer(kind: str, value: Any, where: str, what: str) -> list[str]:
    """An override (or a level's settings): a method name, or a table of parameters."""
    if isinstance(value, str):
        return []
    if not isinstance(value, Mapping):
        return [f"{where} must be {what}, not {kind_of(value)}"]
    return _check_params(kind, value, f"{where}.")


def _stage_problems(stage: Stage) -> list[str]:
    out = _check_params(stage.kind, stage.params, "")
    for code, layer in stage.overrides.items():
        out += _check_layer(
            stage.kind, layer, f"overrides.{code}", "a table of parameters or a method name"
        )
    if stage.kind == "aggregate" and "levels" in stage.params:
        levels = stage.params["levels"]
        if not isinstance(levels, Mapping):
            out.append(f"levels must be a table of level = {{method = ...}}, not {kind_of(levels)}")
        else:
            for level, layer in levels.items():
                out += _check_layer(
                    "aggregate", layer, f"levels.{level}", "a table of parameters or a method name"
                )
    return out


def _hint(message: str) -> str:
    """How to fix a value of the wrong type."""
    if "must be a number" in message and "not the text" in message:
        return 'a number is written without quotes: 2.5, not "2.5"'
    if "true or false" in message:
        return "write true or false, without quotes"
    if "must be text" in message:
        return 'text is written in quotes: method = "minmax"'
    if "must be a list" in message:
        return 'a list is written in brackets: ["A", "B"] or [1, 2]'
    if "a table of parameters or a method name" in message:
        return 'e.g. { method = "zscore", mean = 10.0 }, or "none" to leave it untouched'
    if "must be a table" in message:
        return "a table is written { key = value, ... } or as a [section]"
    return "see the parameters of each method in the methods guide (docs/methods.md)"


def _ranking_problems(ranking: Mapping[str, Any], source: str | None) -> list[Problem]:
    """What is wrong in a pipeline's ``[ranking]`` table."""
    hint = "use digits = 4, indicators = true and/or tiers = {thresholds = [...], labels = [...]}"
    unknown = set(ranking) - {"digits", "tiers", "indicators"}
    if unknown:
        return [
            Problem(
                f"unknown ranking settings: {', '.join(sorted(unknown))}", file=source, hint=hint
            )
        ]
    found: list[str] = []
    if "digits" in ranking:
        digits = ranking["digits"]
        found += _WHOLE(digits, "ranking.digits")
        if not found and digits < 0:
            found.append(f"ranking.digits must be 0 or more, not {digits}")
    if "indicators" in ranking:
        found += _FLAG(ranking["indicators"], "ranking.indicators")
    if "tiers" in ranking:
        tiers = ranking["tiers"]
        if not isinstance(tiers, Mapping):
            found.append(
                f"ranking.tiers must be a table of thresholds and labels, not {kind_of(tiers)}"
            )
        elif not {"thresholds", "labels"} <= set(tiers):
            found.append("ranking.tiers needs both thresholds and labels")
        else:
            shape = _NUMBERS(tiers["thresholds"], "ranking.tiers.thresholds") + _TEXTS(
                tiers["labels"], "ranking.tiers.labels"
            )
            found += shape
            if not shape:
                thresholds, labels = list(tiers["thresholds"]), list(tiers["labels"])
                if thresholds != sorted(thresholds):
                    found.append("ranking.tiers.thresholds must ascend")
                if len(labels) != len(thresholds) + 1:
                    found.append(
                        f"ranking.tiers has {len(thresholds)} thresholds and {len(labels)} "
                        "labels: give one label more than thresholds"
                    )
    return [Problem(m, file=source, hint=hint) for m in found]


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _readonly(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if value is not None and not isinstance(value, Mapping):
        raise DxfError(Problem(f"expected a table of settings, not {kind_of(value)}"))
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
        problems = _stage_problems(self)
        if problems:
            raise DxfError([Problem(m, hint=_hint(m)) for m in problems])

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
        if not isinstance(doc, Mapping):
            raise DxfError(
                Problem(
                    f"a pipeline must be a table (name, description, stages), not {kind_of(doc)}",
                    file=source,
                )
            )
        if "pipeline" in doc and isinstance(doc["pipeline"], Mapping):  # a run manifest
            doc = doc["pipeline"]
        raw = doc.get("stages", doc.get("stage"))
        if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
            raise DxfError(
                Problem("a pipeline needs a list of stages ([[stages]] in TOML)", file=source)
            )
        problems = [
            Problem(m, file=source, hint=_hint(m))
            for key in ("name", "description")
            if key in doc
            for m in _TEXT(doc[key], key)
        ]
        stages: list[Stage] = []
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
            kind = entry["kind"]
            label = f"stage {i} ({kind})" if isinstance(kind, str) else f"stage {i}"
            shape = [
                m
                for key in ("kind", "method", "name")
                if key in entry
                for m in _TEXT(entry[key], key)
            ]
            for key in ("params", "overrides"):
                if key in entry and not isinstance(entry[key], Mapping):
                    shape.append(f"{key} must be a table, not {kind_of(entry[key])}")
            if shape:
                problems += [Problem(f"{label}: {m}", file=source, hint=_hint(m)) for m in shape]
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
                        kind=kind,
                        method=entry.get("method", ""),
                        name=entry.get("name", ""),
                        params=params,
                        overrides=entry.get("overrides", {}),
                    )
                )
            except DxfError as exc:
                problems.extend(
                    attrs.evolve(p, file=source, message=f"{label}: {p.message}")
                    for p in exc.problems
                )
        ranking = doc.get("ranking", {})
        if not isinstance(ranking, Mapping):
            problems.append(
                Problem(
                    f"'ranking' must be a table: digits, tiers, not {kind_of(ranking)}",
                    file=source,
                )
            )
        else:
            problems += _ranking_problems(ranking, source)
        if problems:
            raise DxfError(problems)
        return cls(
            stages=stages,
            name=doc.get("name", "custom"),
            description=doc.get("description", ""),
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
                doc = json.loads(p.read_text(encoding="utf-8-sig"), parse_constant=_no_constant)
            else:
                doc = tomllib.loads(p.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DxfError(Problem(f"cannot parse the pipeline: {exc}", file=str(p))) from None
        except UnicodeDecodeError as exc:
            raise DxfError(
                Problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(p))
            ) from None
        except (RecursionError, ValueError) as exc:  # absurd nesting, an integer too long
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
