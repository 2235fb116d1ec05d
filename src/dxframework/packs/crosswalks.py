"""The crosswalks a pack declares (``[crosswalks.NAME]`` tables of ``pack.toml``)::

    [crosswalks.communes-2025]
    title_vi = "..."; title_en = "..."
    from = "commune"                                # unit level of the old units
    to = "commune"                                  # province or commune (two-level government)
    level = "commune"                               # the pack level that scores the values
    map = "data/crosswalk-communes-2025.csv"
    weight = "population"                           # for weighted_mean
    reform_period = 2025                            # first period reported on the new units
    rules = { answer = "share_yes", count = "sum" } # by indicator kind
    indicators = { NT4 = "mean" }                   # by indicator

Paths are relative to the folder of ``pack.toml``. :meth:`MetricPack.crosswalks` returns them
all, :meth:`MetricPack.crosswalk` one (by name, or by the levels it maps between), and
:meth:`CrosswalkConfig.unit_map` reads its map (see :mod:`dxframework.model.crosswalk` for the
rules).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from dxframework.errors import DxfError, Problem
from dxframework.io.crosswalk import read_unit_map
from dxframework.io.tables import Loader
from dxframework.model.crosswalk import KINDS, NEW_LEVELS, RULES, UnitMap

__all__ = ["CrosswalkConfig", "crosswalk_configs", "find_crosswalk", "pack_document"]


def pack_document(pack: Any) -> tuple[Mapping[str, Any], Path]:
    """The parsed ``pack.toml`` of a pack and its path."""
    path = Path(pack.root) / "pack.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), path
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DxfError(Problem(f"cannot read the pack file: {exc}", file=str(path))) from None


@attrs.frozen
class CrosswalkConfig:
    """One ``[crosswalks.NAME]`` table of a pack."""

    name: str
    from_level: str
    to_level: str
    map: Path | None = None
    level: str | None = None
    weight: str | None = None
    reform_period: int | None = None
    kinds: Mapping[str, str] = attrs.field(factory=dict)
    indicators: Mapping[str, str] = attrs.field(factory=dict)
    title_vi: str = ""
    title_en: str = ""

    def unit_map(self, loaders: Mapping[str, Loader] | None = None) -> UnitMap:
        """The map's links from :attr:`from_level` to :attr:`to_level`."""
        if self.map is None:
            raise DxfError(Problem(f"crosswalk {self.name!r} names no map", hint="give map = FILE"))
        return read_unit_map(self.map, loaders=loaders).between(self.from_level, self.to_level)


_CROSSWALK_KEYS = {
    "from",
    "to",
    "map",
    "level",
    "weight",
    "reform_period",
    "rules",
    "indicators",
    "title_vi",
    "title_en",
    "description",
}


def crosswalk_configs(pack: Any) -> dict[str, CrosswalkConfig]:
    """The pack's declared crosswalks by name."""
    doc, path = pack_document(pack)
    out: dict[str, CrosswalkConfig] = {}
    problems: list[Problem] = []
    for name, table in dict(doc.get("crosswalks", {})).items():
        where = f"[crosswalks.{name}]"
        for k in sorted(set(table) - _CROSSWALK_KEYS):
            problems.append(
                Problem(
                    f"{where}: unknown key {k!r}",
                    file=str(path),
                    hint=", ".join(sorted(_CROSSWALK_KEYS)),
                )
            )
        if "from" not in table or "to" not in table:
            problems.append(Problem(f"{where} needs 'from' and 'to'", file=str(path)))
            continue
        if table["to"] not in NEW_LEVELS:
            problems.append(
                Problem(
                    f"{where}: to = {table['to']!r}; since 1 July 2025 local government has "
                    "two levels",
                    file=str(path),
                    hint='to = "province" or "commune"',
                )
            )
        level = table.get("level")
        if level is not None and level not in pack.levels:
            problems.append(
                Problem(
                    f"{where}: level {level!r} is not a level of the pack",
                    file=str(path),
                    hint=", ".join(pack.levels),
                )
            )
        kinds = {str(k): str(v) for k, v in dict(table.get("rules", {})).items()}
        own = {str(k): str(v) for k, v in dict(table.get("indicators", {})).items()}
        for k, v in kinds.items():
            if k not in KINDS or v not in RULES:
                problems.append(
                    Problem(
                        f"{where}: rules.{k} = {v!r}",
                        file=str(path),
                        hint=f"kinds {', '.join(KINDS)}; rules {', '.join(RULES)}",
                    )
                )
        for k, v in own.items():
            if v not in RULES:
                problems.append(
                    Problem(
                        f"{where}: indicators.{k} = {v!r}", file=str(path), hint=", ".join(RULES)
                    )
                )
        out[str(name)] = CrosswalkConfig(
            name=str(name),
            from_level=str(table["from"]),
            to_level=str(table["to"]),
            map=path.parent / str(table["map"]) if "map" in table else None,
            level=level,
            weight=table.get("weight"),
            reform_period=int(table["reform_period"]) if "reform_period" in table else None,
            kinds=MappingProxyType(kinds),
            indicators=MappingProxyType(own),
            title_vi=str(table.get("title_vi", "")),
            title_en=str(table.get("title_en", "")),
        )
    if problems:
        raise DxfError(problems)
    return out


def find_crosswalk(
    pack: Any, from_level: str, to_level: str, name: str | None = None
) -> CrosswalkConfig | None:
    """The pack's crosswalk from one level to another (or by name); ``None`` if it has none."""
    configs = crosswalk_configs(pack)
    if name is not None:
        if name not in configs:
            raise DxfError(
                Problem(
                    f"pack {pack.name!r} declares no crosswalk {name!r}",
                    hint=f"its crosswalks: {', '.join(configs) or 'none'}",
                )
            )
        return configs[name]
    for c in configs.values():
        if c.from_level == from_level and c.to_level == to_level:
            return c
    return None
