"""``dxf status``, ``dxf gaps``, ``dxf find`` and ``dxf crosswalk``: the assessment workflow.

- ``status``: progress of the self-assessment and its verification, per group, agency and
  unit (share done, needing evidence, overdue);
- ``gaps``: both scorings (self-assessed and verified) and the gap report ``gaps.csv``;
- ``find``: units, indicators and tasks by name, accents and case ignored;
- ``crosswalk``: old units to new ones across the 2025 reform, scored on the new units.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from dxframework.assessment.config import assessment_config, find_crosswalk
from dxframework.assessment.crosswalk import (
    NEW_LEVELS,
    apply_crosswalk,
    compare_periods,
    crosswalk_framework,
    read_unit_map,
    resolve_rules,
)
from dxframework.assessment.reader import parse_date, read_assessments
from dxframework.assessment.runs import AssessmentNote, score_assessment
from dxframework.assessment.search import search
from dxframework.assessment.status import BY, HEADERS, progress, progress_rows
from dxframework.cli.app import (
    cli,
    handle_errors,
    lang_option,
    out,
    out_option,
    pack_option,
    registry,
)
from dxframework.errors import DxfError, Problem
from dxframework.io.writers import check_inputs_outside, csv_text, json_text, write_text_files
from dxframework.model.text import natural_key
from dxframework.packs.runs import DataInput

__all__ = ["crosswalk_cmd", "find_cmd", "gaps_cmd", "status_cmd"]

_T: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "by_group": "Tiến độ theo nhóm chỉ số",
        "by_agency": "Tiến độ theo cơ quan",
        "by_unit": "Tiến độ theo đơn vị",
        "as_of": "tính đến ngày",
        "gaps": "Chênh lệch tự đánh giá − thẩm định (xếp theo ảnh hưởng đến thứ hạng)",
        "none_found": "Không tìm thấy kết quả cho",
        "found": "Kết quả tìm kiếm",
        "crosswalk": "So sánh trên đơn vị mới",
        "wrote": "đã ghi",
        "kind": "loại",
        "pack": "bộ chỉ số",
        "level": "cấp",
        "unit": "unit",
        "indicator": "indicator",
        "aggregate": "aggregate",
        "task": "task",
    },
    "en": {
        "by_group": "Progress by indicator group",
        "by_agency": "Progress by agency",
        "by_unit": "Progress by unit",
        "as_of": "as of",
        "gaps": "Self-assessed − verified (by effect on rank)",
        "none_found": "Nothing found for",
        "found": "Search results",
        "crosswalk": "Comparison on the new units",
        "wrote": "wrote",
        "kind": "kind",
        "pack": "pack",
        "level": "level",
        "unit": "unit",
        "indicator": "indicator",
        "aggregate": "aggregate",
        "task": "task",
    },
}
_KIND_VI = {"unit": "đơn vị", "indicator": "chỉ tiêu", "aggregate": "chỉ số", "task": "nhiệm vụ"}


def _fmt(lang: str) -> Any:
    from dxframework.report.formatting import Formatter

    return Formatter(lang)


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        value = parse_date(text)
    except ValueError:
        value = None
    if value is None:
        raise DxfError(
            Problem(f"--as-of {text!r} is not a date", hint="write it as 17/03/2024 or 2024-03-17")
        )
    return value


def _assessment_level(pack: Any, level: str | None) -> Any:
    cfg = assessment_config(pack)
    lvl = pack.level(level or cfg.level)
    return cfg, lvl


def _read(cfg: Any, lvl: Any, data: Sequence[Path], period: int | None, locale: str | None) -> Any:
    paths = list(data) or ([cfg.data] if cfg.data is not None and lvl.name == cfg.level else [])
    if not paths:
        raise DxfError(
            Problem(
                f"pack {lvl.pack!r} ({lvl.name}) ships no assessment data",
                hint="give the assessment table with --data",
            )
        )
    return read_assessments(
        paths, lvl.framework, lvl.spec.auxiliary, period=period, locale=locale
    ), paths


def _write(out_dir: Path, files: Mapping[str, str], inputs: Sequence[Path | None]) -> list[Path]:
    check_inputs_outside(out_dir, list(inputs))
    return write_text_files(out_dir, {"": dict(files)})


def _data_options(func: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--data",
                "-d",
                "data",
                type=click.Path(path_type=Path, exists=True, dir_okay=False),
                multiple=True,
                help="Assessment table (.csv, .xlsx, .json: unit, indicator, period, self, "
                "verified, evidence, evidence_note, status, agency, person, deadline, "
                "comment); repeat for several; default: the pack's sample.",
            ),
            click.option("--period", type=int, default=None, help="Period of rows that give none."),
            click.option(
                "--locale",
                default=None,
                help="How numbers are written: vi (1.234,5) or en (1,234.5).",
            ),
        ]
    ):
        func = option(func)
    return func


# -- dxf status -------------------------------------------------------------------------------
@cli.command("status")
@pack_option
@click.option("--level", "-l", default=None, help="Level assessed (default: as the pack declares).")
@click.option("--group", "-g", default=None, help="Only the criteria under this group (NT, CQS…).")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Date deadlines are compared with (17/03/2024 or 2024-03-17; default: today).",
)
@_data_options
@lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Tables on the terminal, or CSV / JSON on standard output.",
)
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write status.csv and status.json into this folder.",
)
@handle_errors
def status_cmd(
    pack_name: str,
    level: str | None,
    group: str | None,
    as_of: str | None,
    data: tuple[Path, ...],
    period: int | None,
    locale: str | None,
    lang: str,
    fmt: str,
    out_dir: Path | None,
) -> None:
    """Progress of the assessment: per group, agency and unit, the share of criteria done,
    those needing evidence and those overdue (deadline passed, not done)."""
    pack = registry().pack(pack_name)
    cfg, lvl = _assessment_level(pack, level)
    assessment, paths = _read(cfg, lvl, data, period, locale)
    date = _as_of(as_of)
    summary = progress(assessment, lvl.framework, date, group=group, lang=lang)
    doc = {
        "pack": pack.name,
        "level": lvl.name,
        "as_of": date.isoformat(),
        "group": group,
        **{by: [r.as_dict() for r in summary[by]] for by in BY},
    }
    csv_out = csv_text(progress_rows(summary, lang, date))
    if out_dir is not None:
        _write(out_dir, {"status.csv": csv_out, "status.json": json_text(doc)}, paths)
    if fmt == "csv":
        click.echo(csv_out, nl=False)
        return
    if fmt == "json":
        click.echo(json_text(doc), nl=False)
        return
    t, h, f = _T[lang], HEADERS[lang], _fmt(lang)
    for by in BY:
        table = Table(title=f"{t['by_' + by]} — {t['as_of']} {f.date(date)}")
        cols: tuple[str, ...] = (
            "key",
            "name",
            "criteria",
            "done",
            "share_done",
            "needs_evidence",
            "overdue",
        )
        if by == "agency":  # an agency is named by its key
            cols = tuple(c for c in cols if c != "name")
        for col in cols:
            label = h[by] if col == "key" else h[col]
            table.add_column(label, justify="left" if col in ("key", "name") else "right")
        for r in summary[by]:
            table.add_row(
                r.key,
                *((r.name,) if by != "agency" else ()),
                f.integer(r.criteria),
                f.integer(r.done),
                f.share(r.share_done),
                f.integer(r.needs_evidence),
                f.integer(r.overdue),
            )
        out.print(table)
    if out_dir is not None:
        out.print(f"{t['wrote']} {out_dir / 'status.csv'}, {out_dir / 'status.json'}", markup=False)


# -- dxf gaps ---------------------------------------------------------------------------------
def _results_csv(result: Any) -> str:
    scores, ranks = result.scores, result.ranks
    rows: list[dict[str, Any]] = []
    order = sorted(range(len(scores.units)), key=lambda i: natural_key(scores.units[i].code))
    for p, period in enumerate(scores.periods):
        for i in order:
            u = scores.units[i]
            row: dict[str, Any] = {"unit": u.code, "name": u.name, "period": period}
            for j, c in enumerate(scores.columns):
                v, r = scores.values[p, i, j], ranks.values[p, i, j]
                row[c] = "" if math.isnan(v) else repr(float(v))
                row[f"{c}_rank"] = "" if math.isnan(r) else int(r)
            rows.append(row)
    return csv_text(rows)


@cli.command("gaps")
@pack_option
@click.option("--level", "-l", default=None, help="Level assessed (default: as the pack declares).")
@_data_options
@click.option(
    "--base",
    "base",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="The level's data the assessment is merged over (units, auxiliary columns, values "
    "not assessed), as dxf run --data; default: the level's sample data.",
)
@click.option(
    "--fallback",
    type=click.Choice(["self", "none"]),
    default=None,
    help="Where the council gave no value: score the self-assessed one (with a note) or "
    "nothing; default: as the pack declares.",
)
@click.option("--top", type=int, default=10, show_default=True, help="Rows shown on the terminal.")
@lang_option
@out_option("results-verified.csv, results-self.csv, gaps.csv and notes.txt")
@handle_errors
def gaps_cmd(
    pack_name: str,
    level: str | None,
    data: tuple[Path, ...],
    period: int | None,
    locale: str | None,
    base: tuple[Path, ...],
    fallback: str | None,
    top: int,
    lang: str,
    out_dir: Path,
) -> None:
    """Score the assessment both ways (self-assessed and verified) and write the gap report:
    per unit and indicator, self − verified in points and in index effect, ranked by how far
    each disagreement moves the unit's rank.

    The assessment is merged over the level's data (--base, default its sample data) as
    ``dxf run --values verified|self`` does, so results-verified.csv holds the scores of
    ``dxf run --values verified`` and results-self.csv those of ``dxf run --values self``.
    """
    check_inputs_outside(out_dir, [*data, *base])  # before scoring anything
    pack = registry().pack(pack_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AssessmentNote)
        assessed = score_assessment(
            pack,
            list(data) or None,
            "verified",
            level=level,
            fallback=None if fallback is None else ("none" if fallback == "none" else "self"),
            data=DataInput(base, locale=locale) if base else None,
            period=period,
            locale=locale,
        )
    for w in caught:  # notes are said once, below; other warnings as they came
        if not issubclass(w.category, AssessmentNote):
            warnings.warn(w.message, w.category, stacklevel=1)
    report = assessed.gaps
    rows = report.rows()
    files = {
        "results-verified.csv": _results_csv(report.verified),
        "results-self.csv": _results_csv(report.self_assessed),
        "gaps.csv": report.csv_text(),
        "notes.txt": "\n".join(report.notes) + ("\n" if report.notes else ""),
    }
    written = _write(out_dir, files, [*assessed.files, *base])
    for note in report.notes:
        out.print(f"note: {note}", markup=False)
    f, t = _fmt(lang), _T[lang]
    table = Table(title=f"{t['gaps']} — {report.index}")
    heads = (
        ("unit", "đơn vị", "unit"),
        ("indicator", "chỉ tiêu", "indicator"),
        ("self", "tự đánh giá", "self"),
        ("verified", "thẩm định", "verified"),
        ("gap_points", "chênh lệch điểm", "gap (points)"),
        ("index_effect", "ảnh hưởng chỉ số", "index effect"),
        ("rank_shift", "thay đổi hạng", "rank shift"),
    )
    for key, vi, en in heads:
        table.add_column(
            vi if lang == "vi" else en, justify="left" if key in ("unit", "indicator") else "right"
        )
    for row in rows[:top]:
        table.add_row(
            f"{row['unit']} {row['name']}",
            row["indicator"],
            f.number(row["self"]),
            f.number(row["verified"]),
            f.signed(row["gap_points"], 2),
            f.signed(row["index_effect"]),
            "—" if row["rank_shift"] is None else f"{row['rank_shift']:+d}",
        )
    out.print(table)
    out.print(f"{t['wrote']} {', '.join(str(p) for p in written)}", markup=False)


# -- dxf find ---------------------------------------------------------------------------------
@cli.command("find")
@click.argument("query")
@click.option("--pack", "-p", "pack_name", default=None, help="Search one pack (default: all).")
@click.option(
    "--kind",
    type=click.Choice(["unit", "indicator", "aggregate", "task"]),
    multiple=True,
    help="Only these kinds (repeatable).",
)
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def find_cmd(
    query: str, pack_name: str | None, kind: tuple[str, ...], lang: str, as_json: bool
) -> None:
    """Find units, indicators and tasks by code or name, ignoring accents and case
    (``dxf find "chuyen doi so"`` finds "Chuyển đổi số"; đ is d)."""
    reg = registry()
    packs = [reg.pack(pack_name)] if pack_name else [reg.pack(n) for n in sorted(reg.packs)]
    hits = search(query, packs, kind or None)
    if as_json:
        click.echo(json_text([h.as_dict(lang) for h in hits]), nl=False)
        return
    t = _T[lang]
    if not hits:
        out.print(f"{t['none_found']} {query!r}", markup=False)
        return
    table = Table(title=f"{t['found']}: {query}")
    for col in (
        t["kind"],
        t["pack"],
        t["level"],
        "code" if lang == "en" else "mã",
        "name" if lang == "en" else "tên",
    ):
        table.add_column(col)
    for h in hits:
        table.add_row(
            _KIND_VI[h.kind] if lang == "vi" else h.kind, h.pack, h.level, h.code, h.name(lang)
        )
    out.print(table)


# -- dxf crosswalk ----------------------------------------------------------------------------
@cli.command("crosswalk")
@pack_option
@click.option(
    "--from",
    "from_level",
    required=True,
    help="Level of the old units (commune, district, province).",
)
@click.option(
    "--to", "to_level", required=True, help="Level of the new units (province or commune)."
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Unit map (old_code, new_code, share…); default: the pack's declared crosswalk.",
)
@click.option("--name", default=None, help="A crosswalk the pack declares, by name.")
@click.option(
    "--level", "-l", default=None, help="Pack level that scores the values (default: as declared)."
)
@click.option(
    "--data",
    "-d",
    "data",
    type=click.Path(path_type=Path, exists=True),
    multiple=True,
    help="Data of the old units (and of the new units from the reform period on); default: "
    "the level's sample data.",
)
@click.option(
    "--reform-period",
    type=int,
    default=None,
    help="First period reported on the new units (default: as declared).",
)
@lang_option
@click.option(
    "--out",
    "-o",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for mapped.csv, results.csv, comparison.csv and notes.txt.",
)
@handle_errors
def crosswalk_cmd(
    pack_name: str,
    from_level: str,
    to_level: str,
    map_file: Path | None,
    name: str | None,
    level: str | None,
    data: tuple[Path, ...],
    reform_period: int | None,
    lang: str,
    out_dir: Path | None,
) -> None:
    """Map old units to new ones (merges and splits with shares), with a rule per indicator
    kind, then score the new units and compare periods before and after the reform."""
    if to_level not in NEW_LEVELS:
        raise DxfError(
            Problem(
                f"--to {to_level!r}: since 1 July 2025 local government has two levels",
                hint="--to province or --to commune",
            )
        )
    pack = registry().pack(pack_name)
    cfg = find_crosswalk(pack, from_level, to_level, name)
    if cfg is None and map_file is None:
        raise DxfError(
            Problem(
                f"pack {pack.name!r} declares no crosswalk from {from_level!r} to {to_level!r}",
                hint="give the unit map with --map",
            )
        )
    path = map_file or (cfg.map if cfg is not None else None)
    if path is None:
        raise DxfError(Problem("the crosswalk names no map", hint="give --map"))
    unit_map = read_unit_map(path).between(from_level, to_level)
    lvl_name = level or (cfg.level if cfg is not None else None)
    if lvl_name is None:
        matching = [n for n, lv in pack.levels.items() if lv.unit_level == from_level]
        lvl_name = matching[0] if matching else None
    lvl = pack.level(lvl_name)
    paths = list(data) or None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = lvl.load_data(paths)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=1)
    fw = lvl.framework
    rules = resolve_rules(
        fw,
        dataset.columns,
        cfg.kinds if cfg is not None else None,
        cfg.indicators if cfg is not None else None,
    )
    result = apply_crosswalk(
        dataset,
        unit_map,
        rules,
        framework=fw,
        weight=cfg.weight if cfg is not None else None,
        reform_period=reform_period
        if reform_period is not None
        else (cfg.reform_period if cfg else None),
    )
    scored_fw = crosswalk_framework(fw, rules)
    run = lvl.run(result.data, framework=scored_fw, version=pack.version)
    code = scored_fw.index or run.scores.columns[-1]
    comparison = compare_periods(run.scores, run.ranks, code)
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    if out_dir is not None:
        mapped_rows = []

        d = result.data
        order = sorted(range(len(d.units)), key=lambda i: natural_key(d.units[i].code))
        for p, period in enumerate(d.periods):
            for i in order:
                row: dict[str, Any] = {
                    "unit": d.units[i].code,
                    "name": d.units[i].name,
                    "period": period,
                    "mapped": "yes" if period in result.mapped_periods else "no",
                }
                for j, c in enumerate(d.columns):
                    v = d.values[p, i, j]
                    row[c] = "" if math.isnan(v) else repr(float(v))
                mapped_rows.append(row)
        files = {
            "mapped.csv": csv_text(mapped_rows),
            "results.csv": _results_csv(run),
            "comparison.csv": csv_text(comparison),
            "notes.txt": "\n".join(result.notes) + "\n",
        }
        written = _write(out_dir, files, [*(paths or []), path])
        out.print(f"{_T[lang]['wrote']} {', '.join(str(p) for p in written)}", markup=False)
    f = _fmt(lang)
    table = Table(title=f"{_T[lang]['crosswalk']} — {code}")
    keys = [
        k for k in (comparison[0] if comparison else {}) if k != "name" and not k.startswith("rank")
    ]
    for k in keys:
        table.add_column(k, justify="left" if k == "unit" else "right")
    for row in comparison:
        table.add_row(
            *(
                str(row[k])
                if k == "unit"
                else (f.signed(row[k]) if k.startswith("change") else f.score(row[k]))
                for k in keys
            )
        )
    out.print(table)
