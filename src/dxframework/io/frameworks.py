"""Reading frameworks from files: a metadata table (CSV/Excel, COINr's iMeta layout) or TOML.

Table layout (column names are case-insensitive; COINr's names work as they are):

``code`` (or ``iCode``), ``name_en`` (or ``iName``/``name``), ``name_vi``, ``type``
(``Indicator``, ``Aggregate``, ``Group``, ``Denominator``), ``level``, ``parent`` (several
parents separated by ``;``), ``weight`` (one per parent, separated by ``;``), ``direction``,
``unit``, ``target``, ``denominator``, ``description``, ``source``, ``missing`` (how a
point rule scores a blank: ``zero``, ``skip`` or ``impute``).

Rows of type ``Group`` name grouping columns of the data; rows of type ``Denominator`` name
auxiliary numeric columns. Without a ``type`` column, a row is an aggregate when another row
names it as parent.
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dxframework.errors import DxfError, FrameworkError, Problem
from dxframework.io.tables import Loader, RawTable, parse_number, read_table, table_decimal
from dxframework.model.framework import Edge, Framework
from dxframework.model.indicator import MISSING_POLICIES, Aggregate, Indicator

__all__ = ["FrameworkSpec", "framework_from_dict", "read_framework"]

logger = logging.getLogger(__name__)

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "icode"),
    "name_en": ("name_en", "iname", "name"),
    "name_vi": ("name_vi", "ten"),
    "type": ("type",),
    "level": ("level",),
    "parent": ("parent", "parents"),
    "weight": ("weight", "weights"),
    "direction": ("direction",),
    "unit": ("unit",),
    "target": ("target",),
    "denominator": ("denominator",),
    "description": ("description",),
    "source": ("source",),
    "missing": ("missing",),
}


@attrs.frozen
class FrameworkSpec:
    """A framework read from a file, with the auxiliary and grouping columns it declares."""

    framework: Framework
    auxiliary: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


def read_framework(
    path: str | Path,
    level_names: Sequence[str] = (),
    index: str | None = None,
    loaders: Mapping[str, Loader] | None = None,
) -> FrameworkSpec:
    """Read a framework from a metadata table (``.csv``/``.xlsx``) or a ``.toml`` file.

    ``loaders`` reads a metadata table (see :func:`dxframework.io.tables.read_tables`).
    """
    p = Path(path)
    logger.debug("reading the framework %s", p)
    if p.suffix.lower() == ".toml":
        if not p.is_file():
            raise FrameworkError(Problem("framework file not found", file=str(p)))
        text = p.read_text(encoding="utf-8")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise FrameworkError(
                Problem(
                    f"invalid TOML: {exc}", file=str(p), row=int(line.group(1)) if line else None
                )
            ) from None
        try:
            return framework_from_dict(doc, source=str(p), level_names=level_names, index=index)
        except FrameworkError as exc:
            raise FrameworkError(toml_lines(exc.problems, text)) from None
    try:
        table = read_table(p, loaders=loaders)
    except DxfError as exc:
        raise FrameworkError(exc.problems) from None
    return _from_table(table, level_names, index)


def toml_lines(problems: Sequence[Problem], text: str) -> list[Problem]:
    """Point problems about a node at the line of its ``code = "…"`` in a TOML file.

    Problems that say which entry they are about (``indicators[3]``) point at that entry's
    ``[[indicators]]`` header.
    """
    code_line: dict[str, int] = {}
    headers: dict[str, list[int]] = {"indicators": [], "aggregates": []}
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        m = re.match(r'^code\s*=\s*"([^"]*)"', stripped)
        if m:
            code_line.setdefault(m.group(1), n)
        m = re.match(r"^\[\[(indicators|aggregates)\]\]", stripped)
        if m:
            headers[m.group(1)].append(n)
    out = []
    for prob in problems:
        if prob.row is None:
            m = re.match(r"^(indicators|aggregates)\[(\d+)\]", prob.message)
            if m and int(m.group(2)) <= len(headers[m.group(1)]):
                prob = attrs.evolve(prob, row=headers[m.group(1)][int(m.group(2)) - 1])
            elif prob.indicator in code_line:
                prob = attrs.evolve(prob, row=code_line[prob.indicator])
        out.append(prob)
    return out


def _split(cell: Any) -> list[str]:
    if cell is None:
        return []
    if isinstance(cell, float) and math.isnan(cell):
        return []
    text = str(cell).strip()
    if not text:
        return []
    for sep in (";", "|"):
        if sep in text:
            return [t.strip() for t in text.split(sep) if t.strip()]
    return [text]


def _from_table(table: RawTable, level_names: Sequence[str], index: str | None) -> FrameworkSpec:
    src = table.source
    lowered = {h.lower(): j for j, h in enumerate(table.header)}
    col: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for a in aliases:
            if a in lowered:
                col[key] = lowered[a]
                break
    if "code" not in col:
        raise FrameworkError(
            Problem("no code column", file=src, row=1, hint="name a column 'code' (or iCode)")
        )
    problems: list[Problem] = []
    decimal = table_decimal(table)

    def number(cell: Any) -> float | None:
        return parse_number(cell, decimal)

    def get(row: tuple[Any, ...], key: str) -> Any:
        j = col.get(key)
        return None if j is None else row[j]

    def text(row: tuple[Any, ...], key: str) -> str:
        v = get(row, key)
        return "" if v is None else str(v).strip()

    def label(key: str) -> str:
        """The table's header for a field, e.g. ``"Parent"`` for ``"parent"``."""
        j = col.get(key)
        return key if j is None else table.header[j]

    def bad(n: int, code: str, field: str, message: str, hint: str | None = None) -> None:
        """A problem in the cell of ``field`` on row ``n`` (the node ``code``)."""
        problems.append(
            Problem(message, file=src, row=n, column=label(field), indicator=code, hint=hint)
        )

    parent_codes = {p for row in table.rows for p in _split(get(row, "parent"))}
    indicators: list[Indicator] = []
    aggregates: list[Aggregate] = []
    edges: list[Edge] = []
    auxiliary: list[str] = []
    groups: list[str] = []
    row_of: dict[str, int] = {}
    for row, n in zip(table.rows, table.row_numbers, strict=True):
        code = text(row, "code")
        if not code:
            problems.append(
                Problem("empty code", file=src, row=n, column=table.header[col["code"]])
            )
            continue
        if code in row_of:
            problems.append(
                Problem(
                    f"duplicate code {code!r} (first on row {row_of[code]})",
                    file=src,
                    row=n,
                    column=table.header[col["code"]],
                    indicator=code,
                    hint="every node needs its own code",
                )
            )
            continue
        row_of[code] = n
        kind = text(row, "type").lower()
        if not kind:
            kind = "aggregate" if code in parent_codes else "indicator"
        if kind in ("group", "grouping"):
            groups.append(code)
            continue
        if kind in ("denominator", "auxiliary", "other"):
            auxiliary.append(code)
            continue
        if kind not in ("indicator", "aggregate"):
            bad(
                n,
                code,
                "type",
                f"unknown type {text(row, 'type')!r}",
                "use Indicator, Aggregate, Group or Denominator",
            )
            continue
        parents = _split(get(row, "parent"))
        raw_w = _split(get(row, "weight")) or ["1"]
        if len(raw_w) == 1 and len(parents) > 1:
            raw_w = raw_w * len(parents)
        weights: list[float] = []
        for w in raw_w:
            v = number(w)
            if v is None or math.isnan(v):
                bad(n, code, "weight", f"weight {w!r} is not a number")
                v = 1.0
            weights.append(v)
        if len(weights) != len(parents) and parents:
            bad(
                n,
                code,
                "weight",
                f"{len(parents)} parents but {len(weights)} weights",
                "give one weight per parent, separated by ';'",
            )
            weights = [1.0] * len(parents)
        edges.extend(Edge(code, p, w) for p, w in zip(parents, weights, strict=False))
        try:
            if kind == "indicator":
                direction = number(get(row, "direction"))
                if direction is None or (not math.isnan(direction) and direction not in (1, -1)):
                    bad(
                        n, code, "direction", f"direction {get(row, 'direction')!r} must be 1 or -1"
                    )
                    direction = 1.0
                target = number(get(row, "target"))
                if target is None:
                    bad(n, code, "target", f"target {get(row, 'target')!r} is not a number")
                missing = text(row, "missing").lower() or None
                if missing is not None and missing not in MISSING_POLICIES:
                    bad(
                        n,
                        code,
                        "missing",
                        f"missing {get(row, 'missing')!r} is not a missing-value policy",
                        f"use one of: {', '.join(MISSING_POLICIES)}",
                    )
                    missing = None
                indicators.append(
                    Indicator(
                        code=code,
                        name_en=text(row, "name_en"),
                        name_vi=text(row, "name_vi"),
                        unit=text(row, "unit"),
                        direction=1 if math.isnan(direction) else int(direction),
                        description=text(row, "description"),
                        source=text(row, "source"),
                        denominator=text(row, "denominator") or None,
                        targets={} if target is None or math.isnan(target) else {"target": target},
                        missing=missing,
                    )
                )
            else:
                level = number(get(row, "level"))
                if level is None or (not math.isnan(level) and level != int(level)):
                    bad(n, code, "level", f"level {get(row, 'level')!r} is not a whole number")
                    level = math.nan
                aggregates.append(
                    Aggregate(
                        code=code,
                        name_en=text(row, "name_en"),
                        name_vi=text(row, "name_vi"),
                        unit=text(row, "unit"),
                        description=text(row, "description"),
                        level=None if level is None or math.isnan(level) else int(level),
                    )
                )
        except ValueError as exc:
            problems.append(Problem(str(exc), file=src, row=n, indicator=code))
    if problems:
        raise FrameworkError(problems)
    try:
        fw = Framework(
            indicators, aggregates, edges, level_names=tuple(level_names), index=index, source=src
        )
    except FrameworkError as exc:
        # point at the row of the node whose declaration holds the fault, and at the column
        # of the table that the framework's field name ("parent", "weight"…) stands for
        raise FrameworkError(
            [
                attrs.evolve(
                    p,
                    row=p.row if p.row is not None else row_of.get(p.indicator or ""),
                    column=label(p.column) if p.column is not None else None,
                )
                for p in exc.problems
            ]
        ) from None
    return FrameworkSpec(fw, tuple(auxiliary), tuple(groups))


def framework_from_dict(
    doc: Mapping[str, Any],
    source: str | None = None,
    level_names: Sequence[str] = (),
    index: str | None = None,
) -> FrameworkSpec:
    """Build a framework from plain data (a parsed TOML or JSON document).

    ``indicators`` and ``aggregates`` are lists of tables with the fields of
    :class:`Indicator` / :class:`Aggregate` plus ``parents`` (``{parent: weight}``) or
    ``parent`` and ``weight``.
    """
    problems: list[Problem] = []
    edges: list[Edge] = []
    nodes: dict[str, list[Any]] = {"indicators": [], "aggregates": []}
    for key, cls in (("indicators", Indicator), ("aggregates", Aggregate)):
        for i, entry in enumerate(doc.get(key, []), start=1):
            entry = dict(entry)
            code = str(entry.get("code", ""))
            parents = entry.pop("parents", None)
            if parents is None and "parent" in entry:
                parents = {str(entry.pop("parent")): float(entry.pop("weight", 1.0))}
            entry.pop("weight", None)
            if isinstance(parents, Mapping):
                edges.extend(Edge(code, str(p), float(w)) for p, w in parents.items())
            elif isinstance(parents, list):
                edges.extend(Edge(code, str(p), 1.0) for p in parents)
            if "goalposts" in entry and entry["goalposts"] is not None:
                entry["goalposts"] = tuple(entry["goalposts"])
            try:
                nodes[key].append(cls(**entry))
            except (TypeError, ValueError) as exc:
                problems.append(Problem(f"{key}[{i}]: {exc}", file=source, indicator=code or None))
    if problems:
        raise FrameworkError(problems)
    fw = Framework(
        nodes["indicators"],
        nodes["aggregates"],
        edges,
        level_names=tuple(doc.get("level_names", level_names)),
        index=doc.get("index", index),
        source=source,
        weight_sets=doc.get("weight_sets", {}),
    )
    return FrameworkSpec(fw, tuple(doc.get("auxiliary", ())), tuple(doc.get("groups", ())))
